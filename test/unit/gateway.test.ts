import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { buildEvent, toGatewayResponse } from '../../local/gateway.js';

describe('toGatewayResponse', () => {
  test('a value without statusCode is a 200 JSON document of that value', () => {
    for (const value of [{ id: 'a', done: false }, [1, 2], 'text', 42, true, null, { body: 'x', headers: {} }]) {
      const response = toGatewayResponse(value);
      assert.equal(response.statusCode, 200);
      assert.deepEqual(response.headers, { 'content-type': 'application/json' });
      assert.deepEqual(response.cookies, []);
      assert.equal(response.body.toString('utf8'), JSON.stringify(value));
    }
  });

  test('undefined cannot be sent', () => {
    assert.throws(() => toGatewayResponse(undefined), /no value/);
  });

  test('a structured response keeps status, lower-cased headers, cookies and body', () => {
    const response = toGatewayResponse({
      statusCode: 201,
      headers: { 'Content-Type': 'text/plain', Location: '/todos/a', 'X-Count': 3, 'X-Flag': true },
      cookies: ['a=1; HttpOnly', 'b=2'],
      body: 'created',
    });
    assert.equal(response.statusCode, 201);
    assert.deepEqual(response.headers, {
      'content-type': 'text/plain',
      location: '/todos/a',
      'x-count': '3',
      'x-flag': 'true',
    });
    assert.deepEqual(response.cookies, ['a=1; HttpOnly', 'b=2']);
    assert.equal(response.body.toString('utf8'), 'created');
  });

  test('a body without content-type is sent as JSON; no body means no content-type', () => {
    assert.equal(toGatewayResponse({ statusCode: 200, body: '{}' }).headers['content-type'], 'application/json');
    const empty = toGatewayResponse({ statusCode: 204 });
    assert.equal(empty.body.length, 0);
    assert.deepEqual(empty.headers, {});
  });

  test('isBase64Encoded bodies are decoded', () => {
    const bytes = Buffer.from([0, 1, 2, 253, 254, 255]);
    const response = toGatewayResponse({
      statusCode: 200,
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    });
    assert.deepEqual(response.body, bytes);
    // Without the flag the text is sent as it is.
    assert.equal(toGatewayResponse({ statusCode: 200, body: 'AAEC' }).body.toString('utf8'), 'AAEC');
  });

  test('an invalid statusCode is a fault', () => {
    for (const statusCode of ['200', 99, 600, 200.5, null, Number.NaN, undefined]) {
      assert.throws(() => toGatewayResponse({ statusCode, body: '{}' }), /statusCode/, String(statusCode));
    }
  });

  test('a body that is not a string is a fault', () => {
    for (const body of [{ a: 1 }, 42, null, ['x'], Buffer.from('x')]) {
      assert.throws(() => toGatewayResponse({ statusCode: 200, body }), /body/);
    }
  });

  test('bad headers or cookies are a fault', () => {
    for (const headers of [null, 'content-type: x', 42, ['x']]) {
      assert.throws(() => toGatewayResponse({ statusCode: 200, headers }), /headers/);
    }
    for (const value of [null, undefined, { a: 1 }, ['a', 'b']]) {
      assert.throws(() => toGatewayResponse({ statusCode: 200, headers: { 'x-bad': value } }), /x-bad/);
    }
    for (const cookies of ['a=1', [1], [null], { a: 1 }]) {
      assert.throws(() => toGatewayResponse({ statusCode: 200, cookies }), /cookies/);
    }
  });
});

/** buildEvent on real requests: a loopback server turns each raw HTTP request into an event. */
describe('buildEvent', () => {
  let server: Server;
  let port: number;
  let onEvent: ((event: APIGatewayProxyEventV2, req: IncomingMessage) => void) | undefined;
  let parts: { routeKey: string; rawPath: string; rawQueryString: string; pathParameters: Record<string, string> };

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        onEvent?.(buildEvent(req, { ...parts, requestId: 'rid-1', body: Buffer.concat(chunks) }), req);
        res.writeHead(204, { connection: 'close' });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** Sends raw request bytes and returns the event built from them. */
  async function eventFor(
    head: string,
    body: Buffer | string = '',
    routeParts: Partial<typeof parts> = {},
  ): Promise<APIGatewayProxyEventV2> {
    const target = /^\S+ (\S+)/.exec(head)?.[1] ?? '/';
    const queryAt = target.indexOf('?');
    parts = {
      routeKey: 'POST /todos/{id}',
      rawPath: queryAt === -1 ? target : target.slice(0, queryAt),
      rawQueryString: queryAt === -1 ? '' : target.slice(queryAt + 1),
      pathParameters: { id: 'a b' },
      ...routeParts,
    };
    const built = new Promise<APIGatewayProxyEventV2>((resolve) => {
      onEvent = (event) => resolve(event);
    });
    const socket = connect(port, '127.0.0.1');
    socket.on('data', () => undefined);
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
    const lines = head.trim().split('\n');
    if (bytes.length > 0) lines.push(`Content-Length: ${bytes.length}`);
    socket.write(`${lines.join('\r\n')}\r\nConnection: close\r\n\r\n`);
    socket.end(bytes);
    const event = await built;
    await new Promise<void>((resolve) => socket.on('close', () => resolve()));
    return event;
  }

  test('sets the payload 2.0 fields from the request and the route', async () => {
    const event = await eventFor(
      `PATCH /todos/a%20b?limit=5&x=%C3%BC HTTP/1.1
Host: localhost:3000
User-Agent: test-agent/1.0
Content-Type: application/json`,
      '{"completed":true}',
      { routeKey: 'PATCH /todos/{id}' },
    );
    assert.equal(event.version, '2.0');
    assert.equal(event.routeKey, 'PATCH /todos/{id}');
    assert.equal(event.rawPath, '/todos/a%20b');
    assert.equal(event.rawQueryString, 'limit=5&x=%C3%BC');
    assert.deepEqual(event.queryStringParameters, { limit: '5', x: 'ü' });
    assert.deepEqual(event.pathParameters, { id: 'a b' });
    assert.equal(event.body, '{"completed":true}');
    assert.equal(event.isBase64Encoded, false);
    assert.equal(Object.hasOwn(event, 'cookies'), false);

    const context = event.requestContext;
    assert.equal(context.requestId, 'rid-1');
    assert.equal(context.routeKey, 'PATCH /todos/{id}');
    assert.equal(context.domainName, 'localhost:3000');
    assert.equal(context.stage, '$default');
    assert.deepEqual(context.http, {
      method: 'PATCH',
      path: '/todos/a%20b',
      protocol: 'HTTP/1.1',
      sourceIp: '127.0.0.1',
      userAgent: 'test-agent/1.0',
    });
    assert.ok(Math.abs(context.timeEpoch - Date.now()) < 10_000);
    assert.match(context.time, /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
  });

  test('lower-cases header names and joins repeated headers with commas', async () => {
    const event = await eventFor(`GET /todos HTTP/1.1
Host: localhost:3000
X-Custom-Header: one
x-custom-header: two
X-CUSTOM-HEADER: three
Accept: application/json`);
    assert.equal(event.headers['x-custom-header'], 'one,two,three');
    assert.equal(event.headers.accept, 'application/json');
    assert.equal(event.headers.host, 'localhost:3000');
    for (const name of Object.keys(event.headers)) assert.equal(name, name.toLowerCase());
    assert.equal(event.headers['x-forwarded-proto'], 'http');
    assert.equal(event.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(event.headers['x-forwarded-port'], String(port));
  });

  test('moves cookies out of the headers into cookies', async () => {
    const event = await eventFor(`GET /todos HTTP/1.1
Host: localhost:3000
Cookie: a=1; b=2
Cookie: c=3`);
    assert.deepEqual(event.cookies, ['a=1', 'b=2', 'c=3']);
    assert.equal(Object.hasOwn(event.headers, 'cookie'), false);
  });

  test('without a query string there are no queryStringParameters; repeated ones are comma-joined', async () => {
    const plain = await eventFor('GET /todos HTTP/1.1\nHost: localhost:3000');
    assert.equal(plain.rawQueryString, '');
    assert.equal(Object.hasOwn(plain, 'queryStringParameters'), false);
    assert.equal(Object.hasOwn(plain, 'body'), false);

    const repeated = await eventFor('GET /todos?limit=1&limit=2&q=a+b HTTP/1.1\nHost: localhost:3000');
    assert.equal(repeated.rawQueryString, 'limit=1&limit=2&q=a+b');
    assert.deepEqual(repeated.queryStringParameters, { limit: '1,2', q: 'a b' });
  });

  test('a route without parameters has no pathParameters', async () => {
    const event = await eventFor('GET /todos HTTP/1.1\nHost: localhost:3000', '', {
      routeKey: 'GET /todos',
      pathParameters: {},
    });
    assert.equal(Object.hasOwn(event, 'pathParameters'), false);
  });

  test('text bodies stay text; other bodies are base64-encoded', async () => {
    const binary = Buffer.from([0x00, 0xff, 0x10, 0x80, 0x7f]);
    const octets = await eventFor(
      'POST /todos HTTP/1.1\nHost: localhost:3000\nContent-Type: application/octet-stream',
      binary,
    );
    assert.equal(octets.isBase64Encoded, true);
    assert.deepEqual(Buffer.from(octets.body ?? '', 'base64'), binary);

    const untyped = await eventFor('POST /todos HTTP/1.1\nHost: localhost:3000', '{"title":"a"}');
    assert.equal(untyped.isBase64Encoded, true);
    assert.equal(Buffer.from(untyped.body ?? '', 'base64').toString('utf8'), '{"title":"a"}');

    for (const type of [
      'application/json',
      'application/json; charset=utf-8',
      'application/merge-patch+json',
      'text/plain',
      'application/x-www-form-urlencoded',
    ]) {
      const event = await eventFor(`POST /todos HTTP/1.1\nHost: localhost:3000\nContent-Type: ${type}`, 'ü=1');
      assert.equal(event.isBase64Encoded, false, type);
      assert.equal(event.body, 'ü=1', type);
    }
  });

  test('the domain name falls back to localhost and the port without a Host header', async () => {
    const event = await eventFor('GET /todos HTTP/1.0');
    assert.equal(event.requestContext.domainName, `localhost:${port}`);
    assert.equal(event.requestContext.http.protocol, 'HTTP/1.0');
  });
});
