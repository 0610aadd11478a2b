/**
 * The proof that the local gateway reads serverless.yml as osls does: the
 * local loader's resolved configuration is compared with `osls print` for
 * every part the gateway and the tests use. (It runs osls in a child process,
 * which is why it is an integration test; it needs no network and no AWS
 * credentials.)
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../local/paths.js';
import { type Json, loadServiceModel } from '../../local/service-config.js';
import { PUBLIC_ROUTES } from '../support/public-routes.js';

type Config = { [key: string]: Json };

const STAGE = 'local';

function object(value: Json | undefined, where: string): Config {
  assert.ok(value !== null && typeof value === 'object' && !Array.isArray(value), `${where} is not a mapping`);
  return value;
}

async function oslsPrint(params: Record<string, string>): Promise<Config> {
  const env: Record<string, string | undefined> = { ...process.env, SLS_TELEMETRY_DISABLED: '1' };
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) {
    delete env[name];
  }
  const { stdout } = await promisify(execFile)(
    'npx',
    [
      'osls',
      'print',
      '--format',
      'json',
      '--stage',
      STAGE,
      ...Object.entries(params).map(([name, value]) => `--param=${name}=${value}`),
    ],
    {
      cwd: PROJECT_ROOT,
      env,
      timeout: 60_000,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  // The JSON document is the output; anything osls may print before it is not part of it.
  const start = stdout.search(/^\{/m);
  assert.ok(start >= 0, `osls printed no JSON:\n${stdout}`);
  return object(JSON.parse(stdout.slice(start)) as Json, 'osls output');
}

// The default (Cognito), the public mode, and another OIDC issuer: each auth mode resolves differently.
const MODES: Array<Record<string, string>> = [
  {},
  { auth: 'none' },
  { auth: 'oidc', jwtIssuer: 'https://issuer.example.com', jwtAudience: 'client-1' },
];

for (const params of MODES) {
  test(`the local loader resolves serverless.yml exactly as osls print does (${JSON.stringify(params)})`, {
    timeout: 70_000,
  }, async () => {
    const printed = await oslsPrint(params);
    const model = loadServiceModel(resolve(PROJECT_ROOT, 'serverless.yml'), { stage: STAGE, params });
    const local = model.resolved;

    assert.equal(local.service, printed.service);
    const printedProvider = object(printed.provider, 'osls provider');
    const localProvider = object(local.provider, 'local provider');
    for (const key of ['stage', 'region', 'environment', 'httpApi', 'iam', 'memorySize', 'timeout', 'runtime']) {
      assert.deepEqual(localProvider[key], printedProvider[key], `provider.${key}`);
    }
    assert.equal(localProvider.stage, STAGE);

    // osls adds each function's deployed `name`; everything declared must agree.
    const printedFunctions = object(printed.functions, 'osls functions');
    const localFunctions = object(local.functions, 'local functions');
    assert.deepEqual(Object.keys(localFunctions), Object.keys(printedFunctions));
    for (const [name, value] of Object.entries(printedFunctions)) {
      const { name: deployedName, ...declared } = object(value, `osls functions.${name}`);
      assert.equal(deployedName, `${printed.service}-${STAGE}-${name}`);
      const fn = object(localFunctions[name], `local functions.${name}`);
      assert.equal(fn.handler, declared.handler, `functions.${name}.handler`);
      assert.deepEqual(fn.events, declared.events, `functions.${name}.events`);
      assert.deepEqual(fn, declared, `functions.${name}`);
    }

    assert.deepEqual(local.resources, printed.resources);
    assert.deepEqual(local.params, printed.params);

    // And the model the gateway is built from says the same.
    const table = object(
      object(object(printed.resources, 'resources').Resources, 'Resources').TodosTable,
      'TodosTable',
    );
    assert.deepEqual(model.tables, [{ logicalId: 'TodosTable', properties: object(table.Properties, 'Properties') }]);
    assert.deepEqual(
      model.functions.map((fn) => [fn.name, fn.handler, fn.routes.map((route) => route.routeKey)]),
      Object.entries(printedFunctions).map(([name, value]) => {
        const fn = object(value, name);
        const events = Array.isArray(fn.events) ? fn.events : [];
        return [
          name,
          fn.handler,
          events.map((event) => {
            const httpApi = object(object(event, 'event').httpApi, 'httpApi');
            return `${httpApi.method} ${httpApi.path}`;
          }),
        ];
      }),
    );
    // Routes carry the authorizer osls attaches, and the authorizers are the ones osls declares.
    const printedAuthorizers = object(object(printedProvider.httpApi, 'httpApi').authorizers, 'authorizers');
    assert.deepEqual(
      [...model.authorizers.values()].map((a) => [a.name, a.identitySource, a.issuerUrl, a.audience]),
      Object.entries(printedAuthorizers).map(([name, value]) => {
        const a = object(value, name);
        // osls reads a single audience and a list of one alike.
        return [name, [a.identitySource], a.issuerUrl, [a.audience ?? []].flat()];
      }),
    );
    // Every todo route is behind the authorizer (none with auth=none); the index, document and docs never are.
    const authorizer = params.auth === 'none' ? undefined : 'jwt';
    for (const fn of model.functions) {
      for (const route of fn.routes) {
        const open = PUBLIC_ROUTES.includes(route.routeKey);
        assert.equal(route.authorizer, open ? undefined : authorizer, route.routeKey);
      }
    }
  });
}
