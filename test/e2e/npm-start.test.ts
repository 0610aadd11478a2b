/**
 * `npm start` as a user runs it: the real CLI in its own process, over a data
 * directory on disk, stopped with Ctrl-C (SIGINT) and started again.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Cli, exitWithin, interrupt as interruptCli, listeningUrl as listeningUrlOf, processes } from './cli.js';
import { asTodo, asTodoList, call, createTodo, getTodo, jsonBody, type Todo } from './support.js';

/** How long a stopped CLI may take to exit. */
const EXIT_DEADLINE_MS = 10_000;
/** How long the CLI may take to start before the test gives up on it. */
const START_DEADLINE_MS = 30_000;

const { freshDataDir, start } = processes('todo-api-e2e-');

/** Starts `node --import tsx local/main.ts` in the project, with `env` over a clean environment. */
function startCli(env: Record<string, string>): Cli {
  return start(process.execPath, ['--import', 'tsx', 'local/main.ts'], env);
}

/** Waits for `TODO API listening on http://localhost:<port>` and returns the URL. */
function listeningUrl(cli: Cli): Promise<string> {
  return listeningUrlOf(cli, START_DEADLINE_MS, 'the CLI');
}

/** Ctrl-C: SIGINT, then the process must exit by itself with code 0. */
function interrupt(cli: Cli): Promise<void> {
  return interruptCli(cli, EXIT_DEADLINE_MS, 'the CLI');
}

describe('npm start (local/main.ts)', () => {
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
