/**
 * Loaded into every unit test file's process (`npm run test:unit`): the unit tier is pure, so a unit test that
 * opens a socket (TCP, UDP, HTTP, fetch), looks up a name, starts a process or a worker thread fails at once,
 * naming what it tried. Such a test belongs in test/integration.
 */
import childProcess from 'node:child_process';
import dgram from 'node:dgram';
import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import workerThreads from 'node:worker_threads';

function refuse(what: string): never {
  throw new Error(`A unit test tried to ${what}; unit tests are offline (move this test to test/integration)`);
}

/** Replaces each function of `target` whose name `names` matches with one that refuses. */
function refuseAll(target: object, names: RegExp, what: string): void {
  const record = target as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(target)) {
    if (names.test(name) && typeof record[name] === 'function') record[name] = () => refuse(`${what}.${name}`);
  }
}

// Only in the test files' own processes: the runner that starts them needs child processes.
if (process.env.NODE_TEST_CONTEXT) {
  net.Socket.prototype.connect = () => refuse('open a socket');
  net.Server.prototype.listen = () => refuse('listen on a port');
  refuseAll(dgram.Socket.prototype, /^(bind|send|connect)$/, 'use UDP: dgram.Socket');
  refuseAll(dns, /^(lookup|lookupService|resolve|reverse)/, 'look up a name: dns');
  refuseAll(dns.promises, /^(lookup|lookupService|resolve|reverse)/, 'look up a name: dns.promises');
  refuseAll(dns.Resolver.prototype, /^(resolve|reverse)/, 'look up a name: dns.Resolver');
  refuseAll(dns.promises.Resolver.prototype, /^(resolve|reverse)/, 'look up a name: dns.promises.Resolver');
  refuseAll(
    childProcess,
    /^(spawn|spawnSync|exec|execSync|execFile|execFileSync|fork)$/,
    'start a process: child_process',
  );
  (workerThreads as { Worker: unknown }).Worker = class {
    constructor() {
      refuse('start a worker thread');
    }
  };
  syncBuiltinESMExports();
  globalThis.fetch = () => refuse('fetch');
}
