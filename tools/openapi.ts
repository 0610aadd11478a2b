/**
 * `npm run openapi`: writes this API's OpenAPI 3.1 document to a file, to import into Postman, Bruno, Insomnia or a
 * client generator. `npm run openapi -- --types` regenerates the TypeScript types of the typed client the tests
 * use (test/support/api-types.ts), which a test keeps in step with the document.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import openapiTS, { astToString } from 'openapi-typescript';
import { PROJECT_ROOT } from '../local/paths.js';
import { openApiDocument } from '../src/http/openapi.js';
import { AUTH_MODES, type AuthMode } from '../src/http/owner.js';

const USAGE = `usage: npm run openapi -- [--server URL] [--auth cognito|oidc|none] [--out FILE]
       npm run openapi -- --types

  --server  the API's URL the document names (default http://localhost:3000, what npm start serves)
  --auth    the deployment's auth mode (default oidc, npm start's; cognito is the default on AWS)
  --out     where to write it (default openapi.json)
  --types   regenerate test/support/api-types.ts instead`;

/** The file of generated types the typed-client tests use. */
export const TYPES_FILE = resolve(PROJECT_ROOT, 'test/support/api-types.ts');

/** The TypeScript types of the document, as openapi-typescript generates them, with a header saying so. */
export async function generatedTypes(): Promise<string> {
  const document = openApiDocument({ serverUrl: 'http://localhost:3000', authMode: 'oidc' });
  const types = astToString(await openapiTS(document as never));
  return `// Generated from the OpenAPI document by openapi-typescript (npm run openapi -- --types). Do not edit.\n\n${types}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      server: { type: 'string', default: 'http://localhost:3000' },
      auth: { type: 'string', default: 'oidc' },
      out: { type: 'string', default: 'openapi.json' },
      types: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.types) {
    await writeFile(TYPES_FILE, await generatedTypes());
    console.log(`wrote ${TYPES_FILE}`);
    return;
  }
  if (!AUTH_MODES.includes(values.auth as AuthMode)) throw new Error(`--auth must be cognito, oidc or none\n${USAGE}`);
  let server: URL;
  try {
    server = new URL(values.server);
  } catch {
    throw new Error(`--server must be an absolute URL, got ${JSON.stringify(values.server)}\n${USAGE}`);
  }
  const document = openApiDocument({
    serverUrl: server.href.replace(/\/+$/, ''),
    authMode: values.auth as AuthMode,
  });
  const out = resolve(process.cwd(), values.out);
  await writeFile(out, `${JSON.stringify(document, null, 2)}\n`);
  console.log(`wrote ${out} (OpenAPI 3.1, server ${server.href.replace(/\/+$/, '')}, auth ${values.auth})`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
