/**
 * The layer rules of ARCHITECTURE.md, checked on the source: who may import whom, and which packages each layer may
 * use at run time. A rule broken here is a design decision to make in ARCHITECTURE.md first, not in a test.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { PROJECT_ROOT } from '../../local/paths.js';

type Layer = 'domain' | 'store' | 'http' | 'web' | 'handlers' | 'root' | 'local' | 'plugins' | 'other';

function layerOf(file: string): Layer {
  if (file.startsWith('src/todos/')) return 'domain';
  if (file.startsWith('src/store/')) return 'store';
  if (file.startsWith('src/http/')) return 'http';
  if (file.startsWith('src/web/')) return 'web';
  if (file.startsWith('src/handlers/')) return 'handlers';
  if (file.startsWith('src/')) return 'root';
  if (file.startsWith('local/')) return 'local';
  if (file.startsWith('plugins/')) return 'plugins';
  return 'other';
}

/** The project files each layer may import (by layer, plus single files). */
const MAY_IMPORT: Record<Exclude<Layer, 'other' | 'plugins'>, { layers: Layer[]; files?: string[] }> = {
  domain: { layers: ['domain'] },
  store: { layers: ['store', 'domain'] },
  http: { layers: ['http', 'domain'] },
  // The web page's server side: its HTML, its sign-in settings, and its files (built by plugins/web-app.cjs, which it
  // loads at run time from source only: a package replaces the module that does, src/web/bundle.ts).
  web: { layers: ['web', 'http'], files: ['src/config.ts'] },
  handlers: { layers: ['http', 'domain', 'web'], files: ['src/app.ts', 'src/public.ts'] },
  root: { layers: ['root', 'domain', 'store', 'http'] },
  // The local stack stands in for AWS: it reaches the functions through serverless.yml and their handler modules
  // (imported by path at run time), never by importing them. It does use the DynamoDB client to create tables.
  local: { layers: ['local', 'plugins'], files: ['src/store/dynamodb.ts'] },
};

/** Packages each layer may use at run time (`import type` is free: it is erased before anything runs). */
const MAY_USE: Record<Exclude<Layer, 'other' | 'plugins' | 'local'>, string[]> = {
  domain: ['zod/mini', 'ulid'],
  // Requests are signed by src/store/sigv4.ts (aws4 cost a cold start 1 to 2 ms: bench/coldstart/imports.ts).
  store: [],
  // The OpenAPI document's schemas come from zod (src/http/openapi.ts, contract.ts); no route's answer needs it.
  http: ['zod/mini'],
  web: [],
  handlers: [],
  root: [],
};

interface Import {
  from: string;
  specifier: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(resolve(PROJECT_ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.(ts|cjs)$/.test(file) && !file.endsWith('.d.ts') && !file.endsWith('.d.cts'))
    .map((file) => join(dir, file));
}

const IMPORT = /^\s*(?:import|export)\s+(type\s+)?(?:[^;'"]*?\s+from\s+)?'([^']+)'/gm;

function importsOf(file: string): Import[] {
  const text = readFileSync(resolve(PROJECT_ROOT, file), 'utf8');
  return [...text.matchAll(IMPORT)].map((match) => ({
    from: file,
    specifier: match[2] ?? '',
    typeOnly: match[1] !== undefined,
  }));
}

/** The project file a relative specifier names (`./x.js` is the TypeScript file x.ts). */
function target(from: string, specifier: string): string {
  const path = relative(PROJECT_ROOT, resolve(PROJECT_ROOT, dirname(from), specifier));
  return path.replace(/\.js$/, '.ts');
}

const FILES = [...sourceFiles('src'), ...sourceFiles('local')];
const IMPORTS = FILES.flatMap(importsOf);

describe('architecture', () => {
  test('finds the source and its imports', () => {
    assert.ok(FILES.length > 30, `${FILES.length} files`);
    assert.ok(IMPORTS.length > 100, `${IMPORTS.length} imports`);
    assert.ok(IMPORTS.some((i) => i.typeOnly));
  });

  test('each layer imports only the layers below it', () => {
    const broken: string[] = [];
    for (const { from, specifier } of IMPORTS) {
      if (!specifier.startsWith('.')) continue;
      const layer = layerOf(from) as keyof typeof MAY_IMPORT;
      const to = target(from, specifier);
      const rule = MAY_IMPORT[layer];
      if (!rule.layers.includes(layerOf(to)) && !rule.files?.includes(to)) broken.push(`${from} → ${to}`);
    }
    assert.deepEqual(broken, []);
  });

  test('the functions use only the packages their layer is allowed at run time', () => {
    const broken: string[] = [];
    for (const { from, specifier, typeOnly } of IMPORTS) {
      const layer = layerOf(from);
      if (specifier.startsWith('.') || specifier.startsWith('node:') || typeOnly || layer === 'local') continue;
      if (!MAY_USE[layer as keyof typeof MAY_USE].includes(specifier)) broken.push(`${from} → ${specifier}`);
    }
    assert.deepEqual(broken, []);
  });

  test('the AWS SDK and the Lambda types are only ever imported as types in src/', () => {
    const runtime = IMPORTS.filter(
      (i) => i.from.startsWith('src/') && /^(@aws-sdk\/|aws-lambda$)/.test(i.specifier) && !i.typeOnly,
    );
    assert.deepEqual(
      runtime.map((i) => `${i.from} → ${i.specifier}`),
      [],
    );
  });
});
