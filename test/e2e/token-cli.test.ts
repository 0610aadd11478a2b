/**
 * `npm run token` and `npm start` as a user runs them: the real CLIs in their own processes, sharing the local
 * issuer's key through DATA_DIR, so that a printed token is accepted by the server (started before or after).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeJwt, decodeProtectedHeader, type JWTPayload } from 'jose';
import { asTodo, asTodoList, call, isRecord, jsonBody, type Reply } from './support.js';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** How long any CLI may run (or take to start) before the test gives up on it. */
const DEADLINE_MS = 30_000;
const ISSUER = 'urn:todo-api:local-issuer';
const AUDIENCE = 'todo-api-local';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ONE_JWT_LINE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$/;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Child {
  child: ChildProcess;
  exited: Promise<Exit>;
  stdout(): string;
  stderr(): string;
}

interface Run extends Exit {
  stdout: string;
  stderr: string;
}

const children: ChildProcess[] = [];
const dirs: string[] = [];

after(async () => {
  // Even when a test failed half-way: nothing started here outlives the tests.
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function freshDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'todo-api-token-'));
  dirs.push(dir);
  return dir;
}

/** Starts `command args` in the project with `env` over an environment cleaned of anything that could steer it. */
function start(command: string, args: string[], env: Record<string, string>): Child {
  const inherited: Record<string, string | undefined> = { ...process.env };
  for (const name of [
    'NODE_TEST_CONTEXT',
    'AUTH',
    'HOST',
    'PORT',
    'DYNAMODB_PORT',
    'DYNAMODB_ENDPOINT',
    'DATA_DIR',
    'AWS_ENDPOINT_URL',
    'AWS_ENDPOINT_URL_DYNAMODB',
    'PUBLIC_BASE_URL',
  ]) {
    delete inherited[name];
  }
  const child = spawn(command, args, {
    cwd: PROJECT_ROOT,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<Exit>((resolveExit, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolveExit({ code, signal }));
  });
  return { child, exited, stdout: () => out, stderr: () => err };
}

/** A promise that fails after `ms`, and a way to cancel it. */
function deadline(ms: number, what: string): { expired: Promise<never>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} (after ${ms} ms)`)), ms);
  });
  return { expired, cancel: () => clearTimeout(timer) };
}

/** Runs a command to its end and returns what it printed. */
async function run(command: string, args: string[], env: Record<string, string>): Promise<Run> {
  const cli = start(command, args, env);
  const limit = deadline(DEADLINE_MS, `${command} ${args.join(' ')} did not exit`);
  try {
    const exit = await Promise.race([cli.exited, limit.expired]);
    return { ...exit, stdout: cli.stdout(), stderr: cli.stderr() };
  } finally {
    limit.cancel();
  }
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

/** Starts `node --import tsx local/main.ts` (no AUTH: the default) and returns it with its URL. */
async function startServer(dataDir: string): Promise<{ server: Child; url: string }> {
  const server = start(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
    PORT: '0',
    DYNAMODB_PORT: '0',
    DATA_DIR: dataDir,
  });
  const limit = deadline(DEADLINE_MS, 'the server did not print its URL');
  const printed = new Promise<string>((resolveUrl, reject) => {
    const look = () => {
      const match = /TODO API listening on (http:\/\/localhost:(\d+))/.exec(server.stdout());
      if (match?.[1]) resolveUrl(match[1]);
    };
    server.child.stdout?.on('data', look);
    look();
    server.exited.then((exit) =>
      reject(new Error(`the server exited (${JSON.stringify(exit)}) before listening:\n${server.stderr()}`)),
    );
  });
  try {
    const url = await Promise.race([printed, limit.expired]);
    assert.match(url, /^http:\/\/localhost:[1-9]\d*$/, 'PORT=0 picked a real port');
    return { server, url };
  } finally {
    limit.cancel();
  }
}

/** Ctrl-C: SIGINT, then the server must exit by itself with code 0. */
async function interrupt(server: Child): Promise<void> {
  assert.ok(server.child.kill('SIGINT'), 'SIGINT was delivered');
  const limit = deadline(DEADLINE_MS, 'the server did not exit after SIGINT');
  try {
    const exit = await Promise.race([server.exited, limit.expired]);
    assert.deepEqual(exit, { code: 0, signal: null }, `exit after SIGINT\n${server.stderr()}`);
  } finally {
    limit.cancel();
  }
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

describe('a printed token and the server (npm start, no AUTH set)', () => {
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

  it('the server first, on a fresh DATA_DIR: the CLI then signs with the key the server made', async () => {
    const dataDir = await freshDataDir();
    const { server, url } = await startServer(dataDir);
    const token = printedToken(await tokenCli(dataDir, 'dave'));
    const created = await call(url, 'POST', '/todos', { json: { title: 'after the server' }, ...bearer(token) });
    assert.equal(created.status, 201, created.text);
    const todo = asTodo(jsonBody(created), url);
    assert.deepEqual(asTodoList(await call(url, 'GET', '/todos', bearer(token)), url), [todo]);
    assertUnauthorized(await call(url, 'GET', '/todos'));
    await interrupt(server);
  });
});
