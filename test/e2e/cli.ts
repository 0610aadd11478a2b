/**
 * Child processes for the end-to-end tests of the CLIs (`npm start`, `npm run token`): started in the project
 * over a cleaned environment, with their output captured, and never left running (or their temp dirs left
 * behind) once a test file is done.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { PROJECT_ROOT } from '../../local/paths.js';
import { registerSystem } from '../support/contract.js';

/**
 * What `npm start` runs (package.json's start script: `node local/start.mjs`), as arguments of this Node.js: the
 * tests run it without npm, which would add nothing but its own start-up.
 */
export const NPM_START: readonly string[] = (() => {
  const { scripts } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const [command, ...args] = scripts.start.split(' ');
  assert.equal(command, 'node', `npm start runs node, not ${scripts.start}`);
  return args;
})();

/** Nothing from the test runner or the caller's shell may steer a started CLI. */
const STEERING = [
  'NODE_TEST_CONTEXT',
  'AUTH_MODE',
  // The old name of AUTH_MODE, which now stops `npm start`.
  'AUTH',
  'HOST',
  'PORT',
  'DYNAMODB_PORT',
  'DYNAMODB_ENDPOINT',
  'DYNAMODB_WAIT_SECONDS',
  'DATA_DIR',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_DYNAMODB',
  'PUBLIC_BASE_URL',
  'REQUIRE_IF_MATCH',
];

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A started process, with what it printed so far. */
export interface Cli {
  child: ChildProcess;
  /** Settles once the process has exited and its output is closed; rejects if it could not be spawned. */
  exited: Promise<Exit>;
  stdout(): string;
  stderr(): string;
  /** The environment it was started with (over a clean one). */
  env: Record<string, string>;
}

/** A process run to its end. */
export interface Run extends Exit {
  stdout: string;
  stderr: string;
}

/** The processes and temp dirs of one test file. */
export interface Processes {
  /** A new, empty temp dir (removed after the file's tests). */
  freshDataDir(): Promise<string>;
  /** Starts `command args` in the project with `env` over an environment cleaned of anything that could steer it. */
  start(command: string, args: readonly string[], env: Record<string, string>): Cli;
  /** Runs a command to its end (within `ms`) and returns what it printed. */
  run(command: string, args: readonly string[], env: Record<string, string>, ms: number): Promise<Run>;
}

/**
 * Call once, at the top level of a test file: registers that file's `after` hook, which SIGKILLs whatever it
 * started that is still running (even when a test failed half-way) and removes its temp dirs (named `tmpPrefix…`).
 */
export function processes(tmpPrefix: string): Processes {
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
    const dir = await mkdtemp(join(tmpdir(), tmpPrefix));
    dirs.push(dir);
    return dir;
  }

  function start(command: string, args: readonly string[], env: Record<string, string>): Cli {
    const inherited: Record<string, string | undefined> = { ...process.env };
    for (const name of STEERING) delete inherited[name];
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
    return { child, exited, stdout: () => out, stderr: () => err, env };
  }

  async function run(command: string, args: readonly string[], env: Record<string, string>, ms: number): Promise<Run> {
    const cli = start(command, args, env);
    const exit = await exitWithin(cli, ms, `${command} ${args.join(' ')} did not exit`);
    return { ...exit, stdout: cli.stdout(), stderr: cli.stderr() };
  }

  return { freshDataDir, start, run };
}

/** A promise that fails after `ms`, and a way to cancel it. */
export function deadline(ms: number, what: string): { expired: Promise<never>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} (after ${ms} ms)`)), ms);
  });
  return { expired, cancel: () => clearTimeout(timer) };
}

/** How `cli` exited; fails with `what` if it has not within `ms`. */
export async function exitWithin(cli: Cli, ms: number, what: string): Promise<Exit> {
  const limit = deadline(ms, what);
  try {
    return await Promise.race([cli.exited, limit.expired]);
  } finally {
    limit.cancel();
  }
}

/**
 * Waits (at most `ms`) for `TODO API listening on http://localhost:<port>` and returns the URL, which must have a
 * real port; `name` (`the CLI`, `the server`) is what failure messages call the process.
 */
export async function listeningUrl(cli: Cli, ms: number, name: string): Promise<string> {
  const limit = deadline(ms, `${name} did not print its URL`);
  const printed = new Promise<string>((resolveUrl, reject) => {
    const look = () => {
      const match = /TODO API listening on (http:\/\/localhost:(\d+))/.exec(cli.stdout());
      if (match?.[1]) {
        // Its answers are held to the document of its auth mode (the default is oidc).
        registerSystem(match[1], cli.env.AUTH_MODE === 'none' ? 'none' : 'oidc');
        resolveUrl(match[1]);
      }
    };
    cli.child.stdout?.on('data', look);
    look();
    cli.exited.then(
      (exit) =>
        reject(
          new Error(`${name} exited (${JSON.stringify(exit)}) before listening:\n${cli.stdout()}\n${cli.stderr()}`),
        ),
      reject,
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

/** Ctrl-C: SIGINT, then the process must exit by itself with code 0 (within `ms`). */
export async function interrupt(cli: Cli, ms: number, name: string): Promise<void> {
  assert.ok(cli.child.kill('SIGINT'), 'SIGINT was delivered');
  const exit = await exitWithin(cli, ms, `${name} did not exit after SIGINT`);
  assert.deepEqual(exit, { code: 0, signal: null }, `exit after SIGINT\n${cli.stdout()}\n${cli.stderr()}`);
}
