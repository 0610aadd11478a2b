/**
 * The OpenAPI document: valid by a real linter (Redocly's, its strictest preset), and describing exactly the routes
 * serverless.yml declares, with the query parameters their handlers take.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { PROJECT_ROOT } from '../../local/paths.js';
import { importHandler, loadLocalModel } from '../../local/server.js';
import { API_VERSION, SIGN_IN_RETURN_PARAMETERS } from '../../src/http/contract.js';
import { documentedQueryParameters, documentedRoutes, openApiDocument } from '../../src/http/openapi.js';
import { LIST_QUERY_PARAMETERS } from '../../src/http/pagination.js';
import { generatedTypes, TYPES_FILE } from '../../tools/openapi.js';
import { PUBLIC_ROUTES } from '../support/public-routes.js';

type Json = Record<string, unknown>;

const MODES = ['cognito', 'oidc', 'none'] as const;
const document = (authMode: (typeof MODES)[number]) =>
  openApiDocument({ serverUrl: 'https://todos.acme.dev', authMode }) as Json & {
    paths: Record<string, Record<string, Json & { security?: unknown[]; responses: Record<string, unknown> }>>;
    components: Json;
  };

describe('the OpenAPI document', () => {
  for (const authMode of MODES) {
    test(`passes Redocly's recommended-strict lint with no problem at all (auth=${authMode})`, async () => {
      const config = await createConfig({ extends: ['recommended-strict'] });
      const problems = await lintFromString({
        source: JSON.stringify(document(authMode)),
        absoluteRef: '/openapi.json',
        config,
      });
      assert.deepEqual(
        problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`),
        [],
      );
    });
  }

  test("documents exactly serverless.yml's routes", () => {
    const declared = loadLocalModel('none')
      .functions.flatMap((fn) => fn.routes.map((route) => route.routeKey))
      .sort();
    assert.deepEqual([...documentedRoutes()].sort(), declared);
    const paths = document('none').paths;
    const inDocument = Object.entries(paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    assert.deepEqual(inDocument.sort(), declared);
  });

  test('documents the query parameters each handler takes, and none other', async () => {
    // The handlers read their configuration when imported, as on Lambda; nothing here calls the store.
    Object.assign(process.env, {
      TABLE_NAME: 'todos',
      AUTH_MODE: 'none',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
    let listed = 0;
    for (const fn of loadLocalModel('none').functions) {
      const handler = (await importHandler(fn)) as unknown as { queryParameters?: readonly string[] };
      assert.ok(Array.isArray(handler.queryParameters), `${fn.name} says which query parameters it takes`);
      for (const { routeKey } of fn.routes) {
        assert.deepEqual(documentedQueryParameters(routeKey).sort(), [...handler.queryParameters].sort(), routeKey);
        listed += handler.queryParameters.length;
      }
    }
    // The list's and the page's parameters are all of them (the test would pass vacuously if no handler took any).
    assert.equal(listed, LIST_QUERY_PARAMETERS.length + SIGN_IN_RETURN_PARAMETERS.length);
  });

  test('the todo routes need a bearer token unless auth=none; the index, health, document, docs and page never do', () => {
    for (const authMode of MODES) {
      const { paths, components } = document(authMode);
      for (const [path, operations] of Object.entries(paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          const routeKey = `${method.toUpperCase()} ${path}`;
          const open = authMode === 'none' || PUBLIC_ROUTES.includes(routeKey);
          assert.deepEqual(operation.security, open ? [] : [{ bearerAuth: [] }], `${authMode} ${routeKey}`);
          assert.equal(Object.hasOwn(operation.responses, '401'), !open, `${authMode} ${routeKey} 401`);
        }
      }
      assert.equal(Object.hasOwn(components, 'securitySchemes'), authMode !== 'none');
    }
  });

  test("the typed client's types are generated from this very document (npm run openapi -- --types)", async () => {
    const checkedIn = await readFile(TYPES_FILE, 'utf8');
    assert.ok(
      checkedIn === (await generatedTypes()),
      'test/support/api-types.ts is stale: run npm run openapi -- --types',
    );
  });

  test('the server is the URL it is given, and the document is the same each time it is built', () => {
    const a = openApiDocument({ serverUrl: 'http://localhost:3000', authMode: 'oidc' });
    const b = openApiDocument({ serverUrl: 'http://localhost:3000', authMode: 'oidc' });
    assert.deepEqual(a.servers, [{ url: 'http://localhost:3000' }]);
    assert.equal(JSON.stringify(a), JSON.stringify(b));
  });
});

describe('the version', () => {
  test("the document's and GET /health's version is package.json's", () => {
    const pkg = JSON.parse(readFileSync(resolve(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(API_VERSION, pkg.version);
    assert.equal(
      (openApiDocument({ serverUrl: 'http://x', authMode: 'none' }) as { info: { version: string } }).info.version,
      pkg.version,
    );
  });
});
