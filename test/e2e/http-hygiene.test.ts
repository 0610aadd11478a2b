/**
 * The local gateway as an attacker or a broken client meets it, over raw sockets (so that a request can carry what
 * fetch never sends): a repeated Authorization or Host header, clients that send their request one byte at a time,
 * and more requests at once than the server takes. Short timeouts and a small cap are given to this file's server,
 * so that each case is quick; the defaults are the same code with larger numbers.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LocalSystem } from '../../local/server.js';
import { deadline } from './cli.js';
import { call, jsonBody, useLocalSystem } from './support.js';

const HEADERS_TIMEOUT_MS = 600;
const REQUEST_TIMEOUT_MS = 2500;
const MAX_IN_FLIGHT = 4;
/** How long any one case may take before the test gives up on it (never a bar on speed: a bound on a hang). */
const CASE_DEADLINE_MS = 15_000;
/** How long an answer that says `connection: close` may take to be followed by the close (it ends the wait at once). */
const ANNOUNCED_CLOSE_MS = 5_000;

let system: LocalSystem;
let port: number;
let alice: string;
let bob: string;

useLocalSystem(
  'oidc',
  async (started) => {
    system = started;
    port = Number(new URL(system.url).port);
    alice = await system.issueToken('alice');
    bob = await system.issueToken('bob');
    // Alice has a todo, so that reading her list as her would show it.
    const created = await call(system.url, 'POST', '/todos', {
      json: { title: 'alice only' },
      headers: { authorization: `Bearer ${alice}` },
    });
    assert.equal(created.status, 201, created.text);
  },
  { headersTimeoutMs: HEADERS_TIMEOUT_MS, requestTimeoutMs: REQUEST_TIMEOUT_MS, maxInFlight: MAX_IN_FLIGHT },
);

interface RawAnswer {
  status: number;
  head: string;
  body: string;
  /** Whether the server closed the connection after the answer. */
  closed: boolean;
}

/** Opens a connection to the server. */
function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * Everything the server sends on `socket` until it closes it, or until one whole answer has arrived and the server
 * kept the connection open (the socket is then closed here). Fails after CASE_DEADLINE_MS.
 */
function readAnswer(socket: Socket): Promise<RawAnswer> {
  const limit = deadline(CASE_DEADLINE_MS, 'no answer');
  const answer = new Promise<RawAnswer>((resolve, reject) => {
    let received = '';
    let waiting: NodeJS.Timeout | undefined;
    const parse = (closed: boolean): RawAnswer | undefined => {
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return undefined;
      const head = received.slice(0, end);
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      const body = received.slice(end + 4);
      if (!closed && Buffer.byteLength(body) < length) return undefined;
      return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), head, body, closed };
    };
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
      const whole = parse(false);
      if (!whole || waiting) return;
      // Give the server a moment to close after its answer, if it means to: a long one if its answer says it will
      // (the close then ends the wait at once), a short one if not (to see a close it did not announce).
      const wait = /\r\nconnection: *close\r\n/i.test(`${whole.head}\r\n`) ? ANNOUNCED_CLOSE_MS : 200;
      waiting = setTimeout(() => resolve({ ...whole, closed: socket.destroyed || socket.readableEnded }), wait);
    });
    socket.on('close', () => {
      clearTimeout(waiting);
      const whole = parse(true);
      if (whole) resolve(whole);
      else reject(new Error(`the server closed the connection after ${JSON.stringify(received)}`));
    });
    socket.on('error', () => {});
  });
  return Promise.race([answer, limit.expired]).finally(() => {
    limit.cancel();
    socket.destroy();
  });
}

/** Sends `request` (CRLF line ends added) on a new connection and reads the answer. */
async function raw(lines: string[], body = ''): Promise<RawAnswer> {
  const socket = await open();
  const answer = readAnswer(socket);
  socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
  return answer;
}

const host = () => `Host: localhost:${port}`;

describe('repeated headers', () => {
  it('two Authorization headers are refused with 401, whether they name two users or the same one', async () => {
    for (const [first, second] of [
      [alice, bob],
      [alice, alice],
    ]) {
      const answer = await raw([
        'GET /todos HTTP/1.1',
        host(),
        `Authorization: Bearer ${first}`,
        `Authorization: Bearer ${second}`,
        'Connection: close',
      ]);
      assert.equal(answer.status, 401, answer.head);
      assert.deepEqual(JSON.parse(answer.body), { message: 'Unauthorized' });
      assert.doesNotMatch(answer.body, /alice only/);
    }
    // One of them alone is served, as that user.
    const alone = await raw(['GET /todos HTTP/1.1', host(), `Authorization: Bearer ${alice}`, 'Connection: close']);
    assert.equal(alone.status, 200, alone.head);
    assert.match(alone.body, /alice only/);
  });

  it('two Host headers are refused with 400 and the connection is closed (RFC 9112 §3.2)', async () => {
    const socket = await open();
    const answer = readAnswer(socket);
    // A second request follows on the same connection: it must not be served.
    socket.write(
      `GET /todos HTTP/1.1\r\n${host()}\r\nHost: evil.example\r\nAuthorization: Bearer ${alice}\r\n\r\n` +
        `GET /todos HTTP/1.1\r\n${host()}\r\nAuthorization: Bearer ${alice}\r\n\r\n`,
    );
    const { status, head, body, closed } = await answer;
    assert.equal(status, 400, head);
    assert.deepEqual(JSON.parse(body.slice(0, body.indexOf('}') + 1)), { message: 'Bad Request' });
    assert.equal(closed, true, 'the connection is closed after the 400');
    assert.doesNotMatch(body, /HTTP\/1\.1 200|alice only/, 'the request behind it was not served');
  });

  it('two Host headers with the same value are refused too', async () => {
    const answer = await raw(['GET /todos HTTP/1.1', host(), host(), `Authorization: Bearer ${alice}`]);
    assert.equal(answer.status, 400, answer.head);
  });
});

describe('slow clients', () => {
  /** A client that sends `text` one byte every `everyMs`, for as long as the server lets it; resolves how it ended. */
  function trickle(socket: Socket, text: string, everyMs: number): Promise<{ sent: number; answer: string }> {
    return new Promise((resolve) => {
      let sent = 0;
      let answer = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        answer += chunk;
      });
      socket.on('error', () => {});
      const timer = setInterval(() => {
        if (socket.destroyed || sent >= text.length) return;
        socket.write(text[sent] ?? '');
        sent++;
      }, everyMs);
      socket.on('close', () => {
        clearInterval(timer);
        resolve({ sent, answer });
      });
    });
  }

  it('clients sending their headers a byte at a time are dropped with 408, while others are served', async () => {
    const limit = deadline(CASE_DEADLINE_MS, 'the slow clients were never dropped');
    try {
      const request = `GET /todos HTTP/1.1\r\n${host()}\r\nAuthorization: Bearer ${alice}\r\n\r\n`;
      // Sent whole, it would take about request.length × 50 ms: far longer than the headers timeout.
      const sockets = await Promise.all(Array.from({ length: 40 }, open));
      const slow = sockets.map((socket) => trickle(socket, request, 50));
      // While they crawl, an ordinary client is served (more than the in-flight cap: they hold no slot).
      for (let i = 0; i < MAX_IN_FLIGHT + 2; i++) {
        const reply = await call(system.url, 'GET', '/todos', { headers: { authorization: `Bearer ${alice}` } });
        assert.equal(reply.status, 200, reply.text);
        assert.equal((jsonBody(reply) as unknown[]).length, 1);
      }
      const ended = await Promise.race([Promise.all(slow), limit.expired]);
      for (const { sent, answer } of ended) {
        assert.ok(sent < request.length, `dropped before its headers were whole (${sent}/${request.length} bytes)`);
        assert.match(answer, /^HTTP\/1\.1 408 /, 'told why');
      }
    } finally {
      limit.cancel();
    }
  });

  it('a client that sends its headers and then its body a byte at a time is dropped with 408', async () => {
    const body = JSON.stringify({ title: 'never stored, sent far too slowly' });
    const socket = await open();
    socket.write(
      `POST /todos HTTP/1.1\r\n${host()}\r\nAuthorization: Bearer ${alice}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    // The headers went at once; the body crawls at 200 ms a byte (about 8 s in all, far past the request timeout).
    const limit = deadline(CASE_DEADLINE_MS, 'the slow body was never dropped');
    try {
      const { sent, answer } = await Promise.race([trickle(socket, body, 200), limit.expired]);
      assert.ok(sent < body.length, `dropped before the body was whole (${sent}/${body.length} bytes)`);
      assert.match(answer, /^HTTP\/1\.1 408 /);
    } finally {
      limit.cancel();
    }
    const list = await call(system.url, 'GET', '/todos', { headers: { authorization: `Bearer ${alice}` } });
    assert.doesNotMatch(list.text, /sent far too slowly/, 'nothing was stored');
  });
});

describe('more requests than the server takes at once', () => {
  it(`beyond ${MAX_IN_FLIGHT} in flight: 503 with Retry-After and API Gateway's message; served again after`, async () => {
    const body = JSON.stringify({ title: 'held' });
    // Each of these sends its headers and holds its body back: in flight until it sends it.
    const held = await Promise.all(
      Array.from({ length: MAX_IN_FLIGHT }, async () => {
        const socket = await open();
        const answer = readAnswer(socket);
        socket.write(
          `POST /todos HTTP/1.1\r\n${host()}\r\nAuthorization: Bearer ${bob}\r\n` +
            `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
        );
        return { socket, answer };
      }),
    );
    // The server holds them all once it has parsed their headers, which a busy machine may take a moment to do:
    // until then a probe is still served (a GET, harmless), after that it must be refused.
    let refused = await raw(['GET /todos HTTP/1.1', host(), `Authorization: Bearer ${alice}`]);
    for (let probe = 1; refused.status === 200 && probe < 50; probe++) {
      await sleep(100);
      refused = await raw(['GET /todos HTTP/1.1', host(), `Authorization: Bearer ${alice}`]);
    }
    assert.equal(refused.status, 503, refused.head);
    assert.match(refused.head, /\r\nretry-after: 1\r\n/i);
    assert.deepEqual(JSON.parse(refused.body), { message: 'Service Unavailable' });
    assert.equal(refused.closed, true, 'the connection is closed after a 503 of overload');

    for (const { socket } of held) socket.write(body);
    for (const { answer } of held) assert.equal((await answer).status, 201);
    const served = await call(system.url, 'GET', '/todos', { headers: { authorization: `Bearer ${bob}` } });
    assert.equal(served.status, 200);
    assert.equal((jsonBody(served) as unknown[]).length, MAX_IN_FLIGHT, 'every held request was stored once');
  });
});
