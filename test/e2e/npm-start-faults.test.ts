/**
 * `npm start` when what it needs is not there: its data directory held by another `npm start`, a port taken, an
 * external DynamoDB that is down or hangs. Each ends in one line on stderr that says what to change (never a
 * stack), or, for a store that comes up late, in a server that waits for it and then runs.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startDynalite } from '../../local/dynalite-server.js';
import { type Cli, exitWithin, interrupt, listeningUrl, NPM_START, processes } from './cli.js';
import { call } from './support.js';

const START_DEADLINE_MS = 30_000;
const EXIT_DEADLINE_MS = 10_000;

const { freshDataDir, start } = processes('todo-api-start-faults-');

function startCli(env: Record<string, string>): Cli {
  return start(process.execPath, NPM_START, { PORT: '0', DYNAMODB_PORT: '0', ...env });
}

/** The CLI must stop by itself, with a non-zero code and `message` as the one line on stderr, never listening. */
async function assertRefused(cli: Cli, message: RegExp): Promise<void> {
  const exit = await exitWithin(cli, START_DEADLINE_MS, 'the CLI did not exit');
  assert.notEqual(exit.code, 0, JSON.stringify(exit));
  assert.equal(exit.signal, null, 'it exits by itself');
  assert.match(cli.stderr(), /^[^\n]+\n$/, `one line, got ${JSON.stringify(cli.stderr())}`);
  assert.match(cli.stderr(), message);
  assert.doesNotMatch(cli.stderr(), /\n\s+at /, 'no stack');
  assert.doesNotMatch(cli.stdout(), /listening/);
}

/** A TCP server on a free loopback port that takes connections and never answers. */
async function silentServer(): Promise<{ server: Server; port: number }> {
  const server = createServer(() => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return { server, port: address.port };
}

/** A port nobody listens on (free the moment it is returned). */
async function freePort(): Promise<number> {
  const { server, port } = await silentServer();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The PID of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  assert.ok(child.pid);
  return child.pid;
}

describe('npm start: its data directory', () => {
  it('a second npm start on the same DATA_DIR says which process holds it; the first goes on serving', async () => {
    const dataDir = await freshDataDir();
    const first = startCli({ DATA_DIR: dataDir, AUTH_MODE: 'none' });
    const url = await listeningUrl(first, START_DEADLINE_MS, 'the first CLI');
    const second = startCli({ DATA_DIR: dataDir, AUTH_MODE: 'none' });
    const pid = first.child.pid;
    await assertRefused(
      second,
      new RegExp(
        `^DATA_DIR ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in use by another npm start \\(process ${pid}\\)`,
      ),
    );
    assert.equal((await call(url, 'GET', '/todos')).status, 200, 'the first one still serves');
    await interrupt(first, EXIT_DEADLINE_MS, 'the first CLI');
    // Stopped, it leaves the directory free: a new one starts on it.
    await assert.rejects(readFile(join(dataDir, '.lock')), { code: 'ENOENT' });
    const third = startCli({ DATA_DIR: dataDir, AUTH_MODE: 'none' });
    await listeningUrl(third, START_DEADLINE_MS, 'the third CLI');
    await interrupt(third, EXIT_DEADLINE_MS, 'the third CLI');
  });

  it('the lock of a process that was killed is taken over, and says so', async () => {
    const dataDir = await freshDataDir();
    const pid = await deadPid();
    await writeFile(join(dataDir, '.lock'), `${pid}\n`);
    const cli = startCli({ DATA_DIR: dataDir, AUTH_MODE: 'none' });
    await listeningUrl(cli, START_DEADLINE_MS, 'the CLI');
    assert.match(cli.stdout(), new RegExp(`was locked by process ${pid}, which is not running any more`));
    assert.equal((await readFile(join(dataDir, '.lock'), 'utf8')).trim(), String(cli.child.pid));
    await interrupt(cli, EXIT_DEADLINE_MS, 'the CLI');
  });
});

describe('npm start: its ports', () => {
  it('a taken PORT or DYNAMODB_PORT is named, with what to do', async () => {
    const { server, port } = await silentServer();
    try {
      await assertRefused(
        startCli({ DATA_DIR: await freshDataDir(), PORT: String(port) }),
        new RegExp(`^PORT=${port} is taken by another process on 127\\.0\\.0\\.1: .*PORT=<port>`),
      );
      await assertRefused(
        startCli({ DATA_DIR: await freshDataDir(), DYNAMODB_PORT: String(port) }),
        new RegExp(`^DYNAMODB_PORT=${port} \\(the embedded DynamoDB\\) is taken .*DYNAMODB_PORT=<port>`),
      );
    } finally {
      server.close();
    }
  });
});

describe('npm start: an external DynamoDB (DYNAMODB_ENDPOINT)', () => {
  it('down: says so, waits, and starts once it answers', async () => {
    const port = await freePort();
    const cli = startCli({ DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}`, AUTH_MODE: 'none' });
    // Once it has said that it waits, the store comes up.
    await new Promise<void>((resolve) => {
      const look = () => /is not answering \(connection refused\); retrying/.test(cli.stdout()) && resolve();
      cli.child.stdout?.on('data', look);
      look();
    });
    const store = await startDynalite({ port });
    try {
      const url = await listeningUrl(cli, START_DEADLINE_MS, 'the CLI');
      assert.match(cli.stdout(), /answers now/);
      assert.equal((await call(url, 'POST', '/todos', { json: { title: 'late store' } })).status, 201);
      await interrupt(cli, EXIT_DEADLINE_MS, 'the CLI');
    } finally {
      await store.close();
    }
  });

  it('down for longer than DYNAMODB_WAIT_SECONDS: one line that says what to do', async () => {
    const port = await freePort();
    await assertRefused(
      startCli({ DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}`, DYNAMODB_WAIT_SECONDS: '1' }),
      new RegExp(`^DYNAMODB_ENDPOINT http://127\\.0\\.0\\.1:${port} did not answer in 1 s \\(connection refused\\): `),
    );
  });

  it('hanging (takes connections, never answers): each attempt is bounded, and it gives up in time', async () => {
    const { server, port } = await silentServer();
    try {
      await assertRefused(
        startCli({ DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}`, DYNAMODB_WAIT_SECONDS: '1' }),
        /^DYNAMODB_ENDPOINT .* did not answer in 1 s \(no answer within 1 s\)/,
      );
    } finally {
      server.close();
    }
  });

  it('a wrong DYNAMODB_WAIT_SECONDS is refused before anything starts', async () => {
    await assertRefused(
      startCli({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:1', DYNAMODB_WAIT_SECONDS: 'soon' }),
      /^DYNAMODB_WAIT_SECONDS must be a number of seconds \(0-3600\), got "soon"/,
    );
  });
});
