/** `npm start`: the API at http://localhost:3000 over an embedded, persistent DynamoDB-compatible store. */
import { resolve } from 'node:path';
import { PROJECT_ROOT, startLocal } from './server.js';

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new Error(`${name} must be a port number (0-65535), got ${JSON.stringify(raw)}`);
  }
  return value;
}

async function main(): Promise<void> {
  const auth = process.env.AUTH || 'jwt';
  if (auth !== 'jwt' && auth !== 'none') {
    throw new Error(`AUTH must be jwt (tokens required, the default) or none (one anonymous owner), got ${auth}`);
  }
  const dataDir = resolve(PROJECT_ROOT, process.env.DATA_DIR || '.data');
  const dynamodbEndpoint = process.env.DYNAMODB_ENDPOINT || undefined;
  const system = await startLocal({
    port: port('PORT', 3000),
    host: process.env.HOST || '127.0.0.1',
    dynamodbPort: port('DYNAMODB_PORT', 8000),
    dataDir,
    auth,
    ...(dynamodbEndpoint ? { dynamodbEndpoint } : {}),
  });
  const routes = system.model.functions.flatMap((fn) =>
    fn.routes.map((r) => `  ${r.routeKey.padEnd(20)} → ${fn.name}`),
  );
  console.log(
    [
      `TODO API listening on ${system.url}`,
      `DynamoDB endpoint ${system.dynamodbEndpoint}${dynamodbEndpoint ? ' (external)' : ` (embedded, data in ${dataDir})`}`,
      'Routes (from serverless.yml):',
      ...routes,
      auth === 'jwt'
        ? 'Auth: a Bearer token is required (AUTH=none turns it off). Get one for any user name:\n' +
          `  curl -H "Authorization: Bearer $(npm run -s token -- alice)" ${system.url}/todos`
        : 'Auth: none (AUTH=none): every request belongs to one anonymous owner.',
      'Press Ctrl-C to stop.',
    ].join('\n'),
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: finishing requests and closing the store...`);
    system.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('Shutdown failed:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
