/**
 * `npm run token` and `npm start` as a user runs them: the real CLIs in their own processes, sharing the local
 * issuer's key through DATA_DIR, so that a printed token is accepted by the server (started before or after).
 */
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader, type JWTPayload } from 'jose';
import { type Cli, interrupt as interruptCli, listeningUrl, processes, type Run } from './cli.js';
import { asTodo, asTodoList, call, isRecord, jsonBody, type Reply } from './support.js';

/** How long any CLI may run (or take to start) before the test gives up on it. */
const DEADLINE_MS = 30_000;
const ISSUER = 'urn:todo-api:local-issuer';
const AUDIENCE = 'todo-api-local';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ONE_JWT_LINE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$/;

const { freshDataDir, start, run: runWithin } = processes('todo-api-token-');

/** Runs a command to its end and returns what it printed. */
function run(command: string, args: string[], env: Record<string, string>): Promise<Run> {
  return runWithin(command, args, env, DEADLINE_MS);
}

/** `node --import tsx local/token.ts ...args` with DATA_DIR. */
function tokenCli(dataDir: string, ...args: string[]): Promise<Run> {
  return run(process.execPath, ['--import', 'tsx', 'local/token.ts', ...args], { DATA_DIR: dataDir });
}

/** The token a successful run printed, after checking that it printed exactly that. */
function printedToken(result: Run): string {
  assert.deepEqual({ code: result.code, signal: result.signal }, { code: 0, signal: null }, result.stderr);
  assert.match(result.stdout, ONE_JWT_LINE, `exactly one line, a JWT; got ${JSON.stringify(result.stdout)}`);
  return result.stdout.trimEnd();
}

interface Decoded {
  kid: string;
  payload: JWTPayload;
  iat: number;
  exp: number;
}

function decode(token: string): Decoded {
  const header = decodeProtectedHeader(token);
  assert.equal(header.alg, 'RS256');
  assert.ok(typeof header.kid === 'string' && header.kid.length > 0, 'the token names its key');
  const payload = decodeJwt(token);
  const { iat, exp } = payload;
  assert.ok(typeof iat === 'number' && Number.isInteger(iat), `iat is a NumericDate, got ${iat}`);
  assert.ok(typeof exp === 'number' && Number.isInteger(exp), `exp is a NumericDate, got ${exp}`);
  return { kid: header.kid, payload, iat, exp };
}

/** The lifetime of a token: exp - iat, which may straddle one second boundary. */
function assertLifetime(token: Decoded, seconds: number): void {
  const lifetime = token.exp - token.iat;
  assert.ok(lifetime === seconds || lifetime === seconds + 1, `exp ≈ iat + ${seconds}, got iat + ${lifetime}`);
}

/**
 * Starts `node --import tsx local/main.ts` and returns it with its URL; without AUTH_MODE in `env`, in the default
 * mode (oidc, tokens of the local issuer).
 */
async function startServer(dataDir: string, env: Record<string, string> = {}): Promise<{ server: Cli; url: string }> {
  const server = start(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
    PORT: '0',
    DYNAMODB_PORT: '0',
    DATA_DIR: dataDir,
    ...env,
  });
  return { server, url: await listeningUrl(server, DEADLINE_MS, 'the server') };
}

/** Ctrl-C: SIGINT, then the server must exit by itself with code 0. */
function interrupt(server: Cli): Promise<void> {
  return interruptCli(server, DEADLINE_MS, 'the server');
}

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

function assertUnauthorized(reply: Reply): void {
  assert.equal(reply.status, 401, reply.text);
  assert.deepEqual(JSON.parse(reply.text), { message: 'Unauthorized' });
}

describe('npm run token (local/token.ts)', () => {
  it('prints exactly one line: an RS256 JWT of the local issuer for the user, valid for an hour', async () => {
    const dataDir = await freshDataDir();
    const before = Math.floor(Date.now() / 1000);
    const token = decode(printedToken(await tokenCli(dataDir, 'alice')));
    const afterRun = Math.ceil(Date.now() / 1000);
    assert.equal(token.payload.iss, ISSUER);
    assert.equal(token.payload.aud, AUDIENCE);
    assert.ok(typeof token.payload.sub === 'string' && UUID.test(token.payload.sub), `sub ${token.payload.sub}`);
    assert.notEqual(token.payload.sub, 'alice', 'the owner is never the (changeable) user name');
    assert.ok(token.iat >= before - 1 && token.iat <= afterRun + 1, `iat ${token.iat} is the time of issue`);
    assertLifetime(token, 3600);
    // The key is kept in DATA_DIR, readable by its owner only.
    const keyFile = await stat(join(dataDir, 'issuer', 'signing-key.json'));
    assert.equal(keyFile.mode & 0o077, 0, `the signing key is private, mode ${(keyFile.mode & 0o777).toString(8)}`);
  });

  it("alice's sub is the same on every run (and the key the same); bob's is another", async () => {
    const dataDir = await freshDataDir();
    const [first, second, bob] = [
      decode(printedToken(await tokenCli(dataDir, 'alice'))),
      decode(printedToken(await tokenCli(dataDir, 'alice'))),
      decode(printedToken(await tokenCli(dataDir, 'bob'))),
    ];
    assert.equal(first.payload.sub, second.payload.sub);
    assert.notEqual(bob.payload.sub, first.payload.sub);
    assert.ok(typeof bob.payload.sub === 'string' && UUID.test(bob.payload.sub));
    assert.equal(second.kid, first.kid, 'the second run reuses the key made by the first');
    assert.equal(bob.kid, first.kid);
    // The subject depends on the user name only, not on the key: another DATA_DIR gives alice the same sub.
    const elsewhere = decode(printedToken(await tokenCli(await freshDataDir(), 'alice')));
    assert.equal(elsewhere.payload.sub, first.payload.sub);
    assert.notEqual(elsewhere.kid, first.kid, 'a fresh DATA_DIR has a fresh key');
  });

  it('--expires-in and --audience change exp and aud', async () => {
    const dataDir = await freshDataDir();
    const short = decode(printedToken(await tokenCli(dataDir, 'alice', '--expires-in', '5m')));
    assertLifetime(short, 300);
    assert.equal(short.payload.aud, AUDIENCE);
    const other = decode(printedToken(await tokenCli(dataDir, 'alice', '--audience', 'x')));
    assert.equal(other.payload.aud, 'x');
    assertLifetime(other, 3600);
    const both = decode(printedToken(await tokenCli(dataDir, '--audience=y', '--expires-in=2h', 'carol')));
    assert.equal(both.payload.aud, 'y');
    assertLifetime(both, 7200);
  });

  it('without a user (or with two): a non-zero exit, the usage on stderr, nothing on stdout', async () => {
    const dataDir = await freshDataDir();
    for (const args of [[], ['alice', 'bob'], ['  ']]) {
      const result = await tokenCli(dataDir, ...args);
      const what = `token ${JSON.stringify(args)}`;
      assert.notEqual(result.code, 0, `${what}: exit ${result.code}`);
      assert.equal(result.signal, null, `${what}: exits by itself`);
      assert.match(result.stderr, /usage: npm run token -- <user>/, what);
      assert.equal(result.stdout, '', what);
    }
  });

  it('npm run -s token -- alice prints only the token', async () => {
    const dataDir = await freshDataDir();
    const viaNode = decode(printedToken(await tokenCli(dataDir, 'alice')));
    const viaNpm = decode(printedToken(await run('npm', ['run', '-s', 'token', '--', 'alice'], { DATA_DIR: dataDir })));
    assert.equal(viaNpm.payload.sub, viaNode.payload.sub);
    assert.equal(viaNpm.kid, viaNode.kid, 'npm run token uses the same DATA_DIR key');
    assert.equal(viaNpm.payload.iss, ISSUER);
    assert.equal(viaNpm.payload.aud, AUDIENCE);
  });
});

describe('a printed token and the server (npm start in its default mode, oidc)', () => {
  it('tokens printed before and after the server started are accepted; no token → 401', async () => {
    const dataDir = await freshDataDir();
    const early = printedToken(await tokenCli(dataDir, 'alice'));
    const { server, url } = await startServer(dataDir);

    const jwks = jsonBody(await call(url, 'GET', '/.well-known/jwks.json'));
    assert.ok(isRecord(jwks) && Array.isArray(jwks.keys), 'the JWKS');
    const [key] = jwks.keys as unknown[];
    assert.ok(isRecord(key));
    assert.equal(key.kid, decode(early).kid, 'the server uses the key the CLI made in DATA_DIR');

    const created = await call(url, 'POST', '/todos', { json: { title: 'from the CLI token' }, ...bearer(early) });
    assert.equal(created.status, 201, created.text);
    const todo = asTodo(jsonBody(created), url);
    assert.deepEqual(asTodoList(await call(url, 'GET', '/todos', bearer(early)), url), [todo]);

    const late = printedToken(await tokenCli(dataDir, 'alice'));
    assert.deepEqual(asTodoList(await call(url, 'GET', '/todos', bearer(late)), url), [todo]);
    const bob = printedToken(await tokenCli(dataDir, 'bob'));
    assert.deepEqual(asTodoList(await call(url, 'GET', '/todos', bearer(bob)), url), []);

    assertUnauthorized(await call(url, 'GET', '/todos'));
    assertUnauthorized(await call(url, 'POST', '/todos', { json: { title: 'no token' } }));
    const wrongAudience = printedToken(await tokenCli(dataDir, 'alice', '--audience', 'x'));
    assertUnauthorized(await call(url, 'GET', '/todos', bearer(wrongAudience)));
    // A token from another DATA_DIR (another key) is refused.
    const stranger = printedToken(await tokenCli(await freshDataDir(), 'alice'));
    assertUnauthorized(await call(url, 'GET', '/todos', bearer(stranger)));
    assert.deepEqual(asTodoList(await call(url, 'GET', '/todos', bearer(early)), url), [todo]);
    await interrupt(server);
  });

  it('the server first (AUTH_MODE=oidc said explicitly), on a fresh DATA_DIR: the CLI then signs with its key', async () => {
    const dataDir = await freshDataDir();
    const { server, url } = await startServer(dataDir, { AUTH_MODE: 'oidc' });
    const token = printedToken(await tokenCli(dataDir, 'dave'));
    const created = await call(url, 'POST', '/todos', { json: { title: 'after the server' }, ...bearer(token) });
    assert.equal(created.status, 201, created.text);
    const todo = asTodo(jsonBody(created), url);
    assert.deepEqual(asTodoList(await call(url, 'GET', '/todos', bearer(token)), url), [todo]);
    assertUnauthorized(await call(url, 'GET', '/todos'));
    await interrupt(server);
  });
});
