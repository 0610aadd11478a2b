/**
 * `npm run token -- <user> [--expires-in 1h] [--audience aud]`: prints a token of the local issuer for `user`,
 * alone on the last line of standard output, so that
 *   curl -H "Authorization: Bearer $(npm run -s token -- alice)" localhost:3000/todos
 * works. The signing key is the local server's, under DATA_DIR (created there if it does not exist yet).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { issueToken, loadSigningKey } from './issuer.js';
import { PROJECT_ROOT } from './paths.js';

const USAGE = 'usage: npm run token -- <user> [--expires-in 1h] [--audience todo-api-local]';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: {
      'expires-in': { type: 'string' },
      audience: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help) {
    console.error(USAGE);
    return;
  }
  const [user, ...extra] = positionals;
  if (!user?.trim() || extra.length > 0) throw new Error(USAGE);
  const key = await loadSigningKey(resolve(PROJECT_ROOT, process.env.DATA_DIR || '.data'));
  const token = await issueToken(key, user, {
    ...(values['expires-in'] ? { expiresIn: values['expires-in'] } : {}),
    ...(values.audience ? { audience: values.audience } : {}),
  });
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
