/** The unit tier's guard (test/support/offline.ts) really refuses every way out of the process. */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import dns from 'node:dns';
import { lookup } from 'node:dns/promises';
import { request } from 'node:http';
import { connect, createServer } from 'node:net';
import { describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';

const OFFLINE = /unit tests are offline/;

describe('the unit tier is offline', () => {
  test('the guard is loaded', () => {
    assert.ok(process.env.NODE_TEST_CONTEXT, 'run by node --test');
  });

  test('TCP, HTTP and fetch are refused', async () => {
    assert.throws(() => createServer().listen(0), OFFLINE);
    assert.throws(() => connect(1, '127.0.0.1'), OFFLINE);
    assert.throws(() => request('http://127.0.0.1:1/').end(), OFFLINE);
    await assert.rejects(async () => fetch('http://127.0.0.1:1/'), OFFLINE);
  });

  test('UDP and name lookups are refused', async () => {
    const socket = dgram.createSocket('udp4');
    assert.throws(() => socket.bind(0), OFFLINE);
    assert.throws(() => socket.send('x', 1, '127.0.0.1'), OFFLINE);
    socket.close();
    assert.throws(() => dns.lookup('localhost', () => undefined), OFFLINE);
    assert.throws(() => dns.resolve4('localhost', () => undefined), OFFLINE);
    assert.throws(() => new dns.Resolver().resolve4('localhost', () => undefined), OFFLINE);
    await assert.rejects(async () => lookup('localhost'), OFFLINE);
  });

  test('processes and worker threads are refused', () => {
    assert.throws(() => spawn('true'), OFFLINE);
    assert.throws(() => execFile('true'), OFFLINE);
    assert.throws(() => new Worker('process.exit(0)', { eval: true }), OFFLINE);
  });
});
