/**
 * `npm start` as a user runs it: the real CLI in its own process, over a data
 * directory on disk, stopped with Ctrl-C (SIGINT) and started again.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { issueToken, loadSigningKey } from '../../local/issuer.js';
import {
  type Cli,
  exitWithin,
  interrupt as interruptCli,
  listeningUrl as listeningUrlOf,
  NPM_START,
  processes,
} from './cli.js';
import { asTodo, asTodoList, call, createTodo, getTodo, jsonBody, type Todo } from './support.js';

/** How long a stopped CLI may take to exit. */
const EXIT_DEADLINE_MS = 10_000;
/** How long the CLI may take to start before the test gives up on it. */
const START_DEADLINE_MS = 30_000;

const { freshDataDir, start } = processes('todo-api-e2e-');

/** Starts what `npm start` runs (local/start.mjs) in the project, with `env` over a clean environment. */
function startCli(env: Record<string, string>): Cli {
  return start(process.execPath, NPM_START, env);
}

/** Waits for `TODO API listening on http://localhost:<port>` and returns the URL. */
function listeningUrl(cli: Cli): Promise<string> {
  return listeningUrlOf(cli, START_DEADLINE_MS, 'the CLI');
}

/** Ctrl-C: SIGINT, then the process must exit by itself with code 0. */
function interrupt(cli: Cli): Promise<void> {
  return interruptCli(cli, EXIT_DEADLINE_MS, 'the CLI');
}

/** The embedded store's endpoint, from the banner (`DynamoDB endpoint http://127.0.0.1:<port> (embedded…`). */
function storeEndpoint(cli: Cli): URL {
  const endpoint = /DynamoDB endpoint (http:\/\/127\.0\.0\.1:\d+) \(embedded/.exec(cli.stdout())?.[1];
  assert.ok(endpoint, cli.stdout());
  return new URL(endpoint);
}

/** Whether something accepts connections at `url`'s host and port. */
function accepting(url: URL): Promise<boolean> {
  return new Promise((resolveAccepting) => {
    const socket = connect(Number(url.port), url.hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolveAccepting(true);
    });
    socket.once('error', () => resolveAccepting(false));
  });
}

/** The processes `pid` started that still run (Linux: /proc). */
async function childrenOf(pid: number): Promise<number[]> {
  const children: number[] = [];
  for (const task of await readdir(`/proc/${pid}/task`)) {
    const listed = await readFile(`/proc/${pid}/task/${task}/children`, 'utf8');
    children.push(...listed.split(' ').filter(Boolean).map(Number));
  }
  return children;
}

describe('npm start (local/start.mjs)', () => {
  it('keeps every acknowledged write across Ctrl-C and a restart on the same DATA_DIR', async () => {
    const dataDir = await freshDataDir();
    const env = { PORT: '0', DYNAMODB_PORT: '0', DATA_DIR: dataDir, AUTH_MODE: 'none' };

    const first = startCli(env);
    const url1 = await listeningUrl(first);
    assert.match(first.stdout(), new RegExp(`data in ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const kept = await createTodo(url1, { title: 'survive a restart', order: 1 });
    const changed = await createTodo(url1, { title: 'to be changed' });
    const removed = await createTodo(url1, { title: 'to be deleted' });
    const patch = await call(url1, 'PATCH', changed.url, { json: { title: 'changed', completed: true } });
    assert.equal(patch.status, 200, patch.text);
    const changedAfter = await getTodo(url1, changed.url);
    assert.equal((await call(url1, 'DELETE', removed.url)).status, 204);
    // The last write is acknowledged just before Ctrl-C.
    const last = await createTodo(url1, { title: 'written just before Ctrl-C', completed: true });
    await interrupt(first);

    const second = startCli(env);
    const url2 = await listeningUrl(second);
    const list = asTodoList(await call(url2, 'GET', '/todos'), url2);
    // Same todos (the url follows the new port): everything acknowledged before Ctrl-C is there.
    const withoutUrl = ({ url: _url, ...rest }: Todo) => rest;
    assert.deepEqual(list.map(withoutUrl), [kept, changedAfter, last].map(withoutUrl));
    assert.equal(list[0]?.url, `${url2}/todos/${kept.id}`);
    assert.equal((await call(url2, 'GET', `/todos/${removed.id}`)).status, 404);
    // And the restarted API still writes.
    const more = await createTodo(url2, { title: 'after the restart' });
    assert.equal((await getTodo(url2, more.url)).title, 'after the restart');
    await interrupt(second);
  });

  it('Ctrl-C while writes are in flight: exits 0, and every acknowledged write is there after a restart', async () => {
    const dataDir = await freshDataDir();
    const env = { PORT: '0', DYNAMODB_PORT: '0', DATA_DIR: dataDir, AUTH_MODE: 'none' };
    const first = startCli(env);
    const url1 = await listeningUrl(first);
    await createTodo(url1, { title: 'warm-up' });

    const writes = Array.from({ length: 30 }, (_, i) =>
      call(url1, 'POST', '/todos', { json: { title: `in flight ${i}` } }).then(
        (reply) => reply,
        () => undefined, // refused or cut off by the shutdown: not acknowledged, so not promised
      ),
    );
    // Ctrl-C as soon as the first of them is acknowledged, while the others are still under way.
    await Promise.race(writes);
    const [replies] = await Promise.all([Promise.all(writes), interrupt(first)]);
    const acknowledged = replies.flatMap((reply) => {
      if (reply?.status !== 201) return [];
      const body = jsonBody(reply);
      return [body];
    });
    assert.ok(acknowledged.length >= 1, 'at least the first write was acknowledged');

    const second = startCli(env);
    const url2 = await listeningUrl(second);
    const list = asTodoList(await call(url2, 'GET', '/todos'), url2);
    const stored = new Map(list.map((todo) => [todo.id, todo.title]));
    for (const body of acknowledged) {
      const todo = asTodo(body, url1);
      assert.equal(stored.get(todo.id), todo.title, `acknowledged todo ${todo.id} (${todo.title}) survived Ctrl-C`);
    }
    await interrupt(second);
  });

  it('refuses a bad AUTH_MODE, AUTH_MODE=cognito and the old AUTH: one line on stderr, before listening', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ AUTH_MODE: 'bogus' }, /^AUTH_MODE must be oidc .* or none .*, got "bogus"$/],
      // There is no Cognito locally: the message points at what stands in for it.
      [{ AUTH_MODE: 'cognito' }, /^AUTH_MODE=cognito needs AWS: .*local issuer.*AUTH_MODE=oidc \(the default\)/],
      [{ AUTH: 'jwt' }, /^AUTH was renamed to AUTH_MODE \(oidc\|none\)/],
      // Even alongside the new name: a forgotten AUTH in a shell profile must not go unnoticed.
      [{ AUTH: 'none', AUTH_MODE: 'none' }, /^AUTH was renamed to AUTH_MODE/],
      [{ REQUIRE_IF_MATCH: 'yes' }, /^REQUIRE_IF_MATCH must be true or false, got "yes"$/],
    ];
    await Promise.all(
      cases.map(async ([auth, message]) => {
        const cli = startCli({ PORT: '0', DYNAMODB_PORT: '0', DATA_DIR: await freshDataDir(), ...auth });
        const what = JSON.stringify(auth);
        const exit = await exitWithin(cli, START_DEADLINE_MS, `the CLI did not exit with ${what}`);
        assert.notEqual(exit.code, 0, `${what}: exit ${JSON.stringify(exit)}`);
        assert.equal(exit.signal, null, `${what}: it exits by itself, not killed`);
        assert.match(cli.stderr(), /^[^\n]+\n$/, `${what}: one line, got ${JSON.stringify(cli.stderr())}`);
        assert.match(cli.stderr().trimEnd(), message, what);
        assert.doesNotMatch(cli.stdout(), /listening/, what);
      }),
    );
  });

  it("the banner says how long it took to be ready, from the start of npm start's process", async () => {
    const spawned = performance.now();
    const cli = startCli({ PORT: '0', DYNAMODB_PORT: '0', DATA_DIR: await freshDataDir(), AUTH_MODE: 'none' });
    await listeningUrl(cli);
    const seen = performance.now() - spawned;
    const readyMs = Number(/^TODO API listening on \S+ \(ready in (\d+) ms\)$/m.exec(cli.stdout())?.[1]);
    assert.ok(
      readyMs > 0 && readyMs <= seen,
      `ready in ${readyMs} ms, seen here ${seen.toFixed(0)} ms after spawning it`,
    );
    await interrupt(cli);
  });

  it('the store runs in a thread of its process, and ends with it: Ctrl-C, and kill -9', {
    skip: process.platform !== 'linux' && 'reads /proc',
  }, async () => {
    const dataDir = await freshDataDir();
    const env = { PORT: '0', DYNAMODB_PORT: '0', DATA_DIR: dataDir, AUTH_MODE: 'none' };
    const first = startCli(env);
    await listeningUrl(first);
    const store = storeEndpoint(first);
    assert.equal(await accepting(store), true, 'the store answers while npm start runs');
    assert.deepEqual(await childrenOf(first.child.pid ?? 0), [], 'no process of its own: nothing to outlive npm start');
    await interrupt(first);
    assert.equal(await accepting(store), false, 'the store is gone after Ctrl-C');

    const second = startCli(env);
    const url = await listeningUrl(second);
    const killed = storeEndpoint(second);
    await createTodo(url, { title: 'before kill -9' });
    second.child.kill('SIGKILL');
    assert.equal((await exitWithin(second, EXIT_DEADLINE_MS, 'the killed CLI')).signal, 'SIGKILL');
    assert.equal(await accepting(killed), false, 'the store is gone with kill -9');
    // Nothing holds the data directory: the next start takes it over at once, with what was written.
    const third = startCli(env);
    const again = await listeningUrl(third);
    assert.match(third.stdout(), /was locked by process \d+, which is not running any more/);
    assert.deepEqual(
      asTodoList(await call(again, 'GET', '/todos'), again).map((todo) => todo.title),
      ['before kill -9'],
    );
    await interrupt(third);
  });

  it('a token accepted while valid (and remembered) is refused once it expired', async () => {
    const dataDir = await freshDataDir();
    const cli = startCli({ PORT: '0', DYNAMODB_PORT: '0', DATA_DIR: dataDir, AUTH_MODE: 'oidc' });
    const url = await listeningUrl(cli);
    const key = await loadSigningKey(dataDir);
    // The server's first signed request (its key, its first Query) is over before the short token's seconds start.
    const warm = { authorization: `Bearer ${await issueToken(key, 'dora')}` };
    assert.equal((await call(url, 'GET', '/todos', { headers: warm })).status, 200);
    const token = await issueToken(key, 'dora', { expiresIn: '3s' });
    const exp = (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { exp: number }).exp;
    const headers = { authorization: `Bearer ${token}` };
    for (let i = 0; i < 3; i++) assert.equal((await call(url, 'GET', '/todos', { headers })).status, 200);
    // From its exp on (whole seconds, as the check counts them), the same token is refused.
    await sleep(Math.max(0, exp * 1000 - Date.now()) + 50);
    const late = await call(url, 'GET', '/todos', { headers });
    assert.equal(late.status, 401, late.text);
    for (let i = 0; i < 100 && !/ 401 .*token expired/.test(cli.stdout()); i++) await sleep(20);
    assert.match(cli.stdout(), /GET \/todos 401 \d+ ms: token expired at /);
    await interrupt(cli);
  });

  it('runs with AUTH_MODE=none: no token needed', async () => {
    const cli = startCli({ PORT: '0', DYNAMODB_PORT: '0', DATA_DIR: await freshDataDir(), AUTH_MODE: 'none' });
    const url = await listeningUrl(cli);
    const reply = await call(url, 'GET', '/todos');
    assert.equal(reply.status, 200);
    assert.deepEqual(jsonBody(reply), []);
    const todo = await createTodo(url, { title: 'anonymous' });
    assert.deepEqual(asTodoList(await call(url, 'GET', '/todos'), url), [todo]);
    await interrupt(cli);
  });

  it('runs with REQUIRE_IF_MATCH=true: a write to a todo that names no version is refused with 428', async () => {
    const env = { PORT: '0', DYNAMODB_PORT: '0', DATA_DIR: await freshDataDir(), AUTH_MODE: 'none' };
    const cli = startCli({ ...env, REQUIRE_IF_MATCH: 'true' });
    const url = await listeningUrl(cli);
    assert.match(cli.stdout(), /must send If-Match/);
    const todo = await createTodo(url, { title: 'guarded' });
    const blind = await call(url, 'PATCH', todo.url, { json: { completed: true } });
    assert.equal(blind.status, 428, blind.text);
    const etag = (await call(url, 'GET', todo.url)).headers.get('etag') ?? '';
    const named = await call(url, 'PATCH', todo.url, { json: { completed: true }, headers: { 'if-match': etag } });
    assert.equal(named.status, 200, named.text);
    await interrupt(cli);
  });
});
