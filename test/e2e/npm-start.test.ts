/**
 * `npm start` as a user runs it: the real CLI in its own process, over a data
 * directory on disk, stopped with Ctrl-C (SIGINT) and started again.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { asTodo, asTodoList, call, createTodo, getTodo, jsonBody, type Todo } from './support.js';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** How long a stopped CLI may take to exit. */
const EXIT_DEADLINE_MS = 10_000;
/** How long the CLI may take to start before the test gives up on it. */
const START_DEADLINE_MS = 30_000;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Cli {
  child: ChildProcess;
  exited: Promise<Exit>;
  stdout(): string;
  stderr(): string;
}

const children: ChildProcess[] = [];
const dirs: string[] = [];

after(async () => {
  // Even when a test failed half-way: no CLI outlives the tests.
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function freshDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'todo-api-e2e-'));
  dirs.push(dir);
  return dir;
}

/** Starts `node --import tsx local/main.ts` in the project, with `env` over a clean environment. */
function startCli(env: Record<string, string>): Cli {
  const inherited: Record<string, string | undefined> = { ...process.env };
  // Nothing from the test runner or the caller's shell may steer the CLI.
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
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
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
  const exited = new Promise<Exit>((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit({ code, signal }));
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

/** Waits for `TODO API listening on http://localhost:<port>` and returns the URL. */
async function listeningUrl(cli: Cli): Promise<string> {
  const limit = deadline(START_DEADLINE_MS, 'the CLI did not print its URL');
  const printed = new Promise<string>((resolveUrl, reject) => {
    const look = () => {
      const match = /TODO API listening on (http:\/\/localhost:(\d+))/.exec(cli.stdout());
      if (match?.[1]) resolveUrl(match[1]);
    };
    cli.child.stdout?.on('data', look);
    look();
    cli.exited.then((exit) =>
      reject(new Error(`the CLI exited (${JSON.stringify(exit)}) before listening:\n${cli.stdout()}\n${cli.stderr()}`)),
    );
  });
  try {
    const url = await Promise.race([printed, limit.expired]);
    assert.match(url, /^http:\/\/localhost:[1-9]\d*$/, 'PORT=0 picked a real port');
    return url;
  } finally {
    limit.cancel();
  }
}

/** Ctrl-C: SIGINT, then the process must exit by itself with code 0. */
async function interrupt(cli: Cli): Promise<void> {
  assert.ok(cli.child.kill('SIGINT'), 'SIGINT was delivered');
  const limit = deadline(EXIT_DEADLINE_MS, 'the CLI did not exit after SIGINT');
  try {
    const exit = await Promise.race([cli.exited, limit.expired]);
    assert.deepEqual(exit, { code: 0, signal: null }, `exit after SIGINT\n${cli.stdout()}\n${cli.stderr()}`);
  } finally {
    limit.cancel();
  }
}

describe('npm start (local/main.ts)', () => {
  it('keeps every acknowledged write across Ctrl-C and a restart on the same DATA_DIR', async () => {
    const dataDir = await freshDataDir();
    const env = { PORT: '0', DYNAMODB_PORT: '0', DATA_DIR: dataDir, AUTH: 'none' };

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
    const env = { PORT: '0', DYNAMODB_PORT: '0', DATA_DIR: dataDir, AUTH: 'none' };
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

  it('refuses AUTH=bogus: exits non-zero with a message naming AUTH, before listening', async () => {
    const cli = startCli({ PORT: '0', DYNAMODB_PORT: '0', DATA_DIR: await freshDataDir(), AUTH: 'bogus' });
    const limit = deadline(START_DEADLINE_MS, 'the CLI did not exit with AUTH=bogus');
    let exit: Exit;
    try {
      exit = await Promise.race([cli.exited, limit.expired]);
    } finally {
      limit.cancel();
    }
    assert.notEqual(exit.code, 0, `exit ${JSON.stringify(exit)}`);
    assert.equal(exit.signal, null, 'it exits by itself, not killed');
    assert.match(cli.stderr(), /AUTH/);
    assert.match(cli.stderr(), /bogus/);
    assert.doesNotMatch(cli.stdout(), /listening/);
  });

  it('runs with AUTH=none', async () => {
    const cli = startCli({ PORT: '0', DYNAMODB_PORT: '0', DATA_DIR: await freshDataDir(), AUTH: 'none' });
    const url = await listeningUrl(cli);
    const reply = await call(url, 'GET', '/todos');
    assert.equal(reply.status, 200);
    assert.deepEqual(jsonBody(reply), []);
    const todo = await createTodo(url, { title: 'anonymous' });
    assert.deepEqual(asTodoList(await call(url, 'GET', '/todos'), url), [todo]);
    await interrupt(cli);
  });
});
