/**
 * The local gateway's parts, each on its own and without a socket: the payload 2.0 event built from a request,
 * the invocation of a function and the mapping of its result, and CORS.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { allowedOrigin, applyCors, isPreflight, preflight } from '../../local/cors.js';
import { buildEvent, type EventParts, type RequestHead } from '../../local/event.js';
import { type Invocable, invoke, toGatewayResponse } from '../../local/invoke.js';
import type { GatewayResponse } from '../../local/response.js';
import type { CorsModel, FunctionModel, ServiceModel } from '../../local/service-config.js';

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

/** A request as its head would arrive (`METHOD target HTTP/x.y`, then `Name: value` lines), on port 3000. */
function request(text: string): { head: RequestHead; target: string } {
  const [requestLine = '', ...lines] = text.trim().split('\n');
  const [method = '', target = '', protocol = ''] = requestLine.split(' ');
  const rawHeaders = lines.flatMap((line) => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon), line.slice(colon + 1).trim()];
  });
  return {
    head: {
      method,
      httpVersion: protocol.replace('HTTP/', ''),
      rawHeaders,
      socket: { remoteAddress: '::ffff:127.0.0.1', localPort: 3000 },
    },
    target,
  };
}

const RECEIVED_AT = new Date(Date.UTC(2026, 10, 27, 13, 16, 46, 789));

/** The event built from a request's text, with the route and body of a matched `POST /todos/{id}` unless told. */
function eventFor(text: string, body: Buffer | string = '', route: Partial<EventParts> = {}): APIGatewayProxyEventV2 {
  const { head, target } = request(text);
  const queryAt = target.indexOf('?');
  return buildEvent(head, {
    requestId: 'rid-1',
    receivedAt: RECEIVED_AT,
    routeKey: 'POST /todos/{id}',
    rawPath: queryAt === -1 ? target : target.slice(0, queryAt),
    rawQueryString: queryAt === -1 ? '' : target.slice(queryAt + 1),
    pathParameters: { id: 'a b' },
    body: Buffer.isBuffer(body) ? body : Buffer.from(body),
    ...route,
  });
}

describe('buildEvent', () => {
  test('sets the payload 2.0 fields from the request and the route', () => {
    const event = eventFor(
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
    // The time the gateway received the request, in API Gateway's two forms.
    assert.equal(context.timeEpoch, RECEIVED_AT.getTime());
    assert.equal(context.time, '27/Nov/2026:13:16:46 +0000');
  });

  test('the time is day/Mon/year:hh:mm:ss +0000 in UTC, zero-padded', () => {
    const receivedAt = new Date(Date.UTC(2027, 0, 5, 3, 4, 5));
    const event = eventFor('GET /todos HTTP/1.1\nHost: localhost:3000', '', { receivedAt });
    assert.equal(event.requestContext.time, '05/Jan/2027:03:04:05 +0000');
    assert.equal(event.requestContext.timeEpoch, receivedAt.getTime());
  });

  test('lower-cases header names and joins repeated headers with commas', () => {
    const event = eventFor(`GET /todos HTTP/1.1
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
    assert.equal(event.headers['x-forwarded-port'], '3000');
  });

  test("a client's X-Forwarded-For is kept, with the source address appended", () => {
    const event = eventFor('GET /todos HTTP/1.1\nHost: localhost:3000\nX-Forwarded-For: 203.0.113.7');
    assert.equal(event.headers['x-forwarded-for'], '203.0.113.7, 127.0.0.1');
  });

  test('moves cookies out of the headers into cookies', () => {
    const event = eventFor(`GET /todos HTTP/1.1
Host: localhost:3000
Cookie: a=1; b=2
Cookie: c=3`);
    assert.deepEqual(event.cookies, ['a=1', 'b=2', 'c=3']);
    assert.equal(Object.hasOwn(event.headers, 'cookie'), false);
  });

  test('without a query string there are no queryStringParameters; repeated ones are comma-joined', () => {
    const plain = eventFor('GET /todos HTTP/1.1\nHost: localhost:3000');
    assert.equal(plain.rawQueryString, '');
    assert.equal(Object.hasOwn(plain, 'queryStringParameters'), false);
    assert.equal(Object.hasOwn(plain, 'body'), false);

    const repeated = eventFor('GET /todos?limit=1&limit=2&q=a+b HTTP/1.1\nHost: localhost:3000');
    assert.equal(repeated.rawQueryString, 'limit=1&limit=2&q=a+b');
    assert.deepEqual(repeated.queryStringParameters, { limit: '1,2', q: 'a b' });
  });

  test('a route without parameters has no pathParameters', () => {
    const event = eventFor('GET /todos HTTP/1.1\nHost: localhost:3000', '', {
      routeKey: 'GET /todos',
      pathParameters: {},
    });
    assert.equal(Object.hasOwn(event, 'pathParameters'), false);
  });

  test('text bodies stay text; other bodies are base64-encoded', () => {
    const binary = Buffer.from([0x00, 0xff, 0x10, 0x80, 0x7f]);
    const octets = eventFor(
      'POST /todos HTTP/1.1\nHost: localhost:3000\nContent-Type: application/octet-stream',
      binary,
    );
    assert.equal(octets.isBase64Encoded, true);
    assert.deepEqual(Buffer.from(octets.body ?? '', 'base64'), binary);

    const untyped = eventFor('POST /todos HTTP/1.1\nHost: localhost:3000', '{"title":"a"}');
    assert.equal(untyped.isBase64Encoded, true);
    assert.equal(Buffer.from(untyped.body ?? '', 'base64').toString('utf8'), '{"title":"a"}');

    for (const type of [
      'application/json',
      'application/json; charset=utf-8',
      'application/merge-patch+json',
      'text/plain',
      'application/x-www-form-urlencoded',
    ]) {
      const event = eventFor(`POST /todos HTTP/1.1\nHost: localhost:3000\nContent-Type: ${type}`, 'ü=1');
      assert.equal(event.isBase64Encoded, false, type);
      assert.equal(event.body, 'ü=1', type);
    }
  });

  test("the domain name is the API's own, localhost and the port, whatever Host the client sent (or none)", () => {
    for (const host of ['localhost:3000', 'api.example.com', 'a.test>; rel="next", <https://evil.test/x', undefined]) {
      const event = eventFor(`GET /todos HTTP/1.1${host === undefined ? '' : `\nHost: ${host}`}`);
      assert.equal(event.requestContext.domainName, 'localhost:3000', String(host));
      // The Host header itself is passed on as sent.
      assert.equal(event.headers.host, host, String(host));
    }
    const http10 = eventFor('GET /todos HTTP/1.0');
    assert.equal(http10.requestContext.domainName, 'localhost:3000');
    assert.equal(http10.requestContext.http.protocol, 'HTTP/1.0');
  });
});

const MODEL: ServiceModel = {
  service: 'todo-api',
  stage: 'local',
  region: 'eu-west-3',
  functions: [],
  authorizers: new Map(),
  tables: [],
  resolved: {},
};

const FUNCTION: FunctionModel = {
  name: 'getTodo',
  handler: 'src/handlers/get.handler',
  handlerModule: 'src/handlers/get',
  handlerExport: 'handler',
  timeoutSeconds: 6,
  memorySize: 256,
  environment: {},
  routes: [{ method: 'GET', path: '/todos/{id}', routeKey: 'GET /todos/{id}' }],
};

describe('invoke', () => {
  const event = eventFor('GET /todos/x HTTP/1.1\nHost: localhost:3000', '', { routeKey: 'GET /todos/{id}' });

  /** Invokes `handler` as FUNCTION (with `changes`), collecting the log lines. */
  async function run(handler: Invocable, changes: Partial<FunctionModel> = {}) {
    const lines: string[] = [];
    const response = await invoke(
      { model: MODEL, fn: { ...FUNCTION, ...changes }, handler, log: (line) => lines.push(line) },
      event,
    );
    return { response, logged: lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
  }

  test("passes the event and a Lambda context, and maps the handler's result", async () => {
    let seen: { event: APIGatewayProxyEventV2; context: Context } | undefined;
    const { response, logged } = await run(async (received, context) => {
      seen = { event: received, context };
      return { statusCode: 200, body: '{"id":"x"}' };
    });
    assert.equal(seen?.event, event);
    const context = seen?.context;
    assert.equal(context?.functionName, 'todo-api-local-getTodo');
    assert.equal(context?.invokedFunctionArn, 'arn:aws:lambda:eu-west-3:000000000000:function:todo-api-local-getTodo');
    assert.equal(context?.memoryLimitInMB, '256');
    assert.equal(context?.logGroupName, '/aws/lambda/todo-api-local-getTodo');
    assert.match(context?.awsRequestId ?? '', /^[0-9a-f-]{36}$/);
    const remaining = context?.getRemainingTimeInMillis();
    assert.ok(remaining !== undefined && remaining >= 0 && remaining <= 6000, `remaining ${remaining}`);
    assert.deepEqual(response, {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      cookies: [],
      body: Buffer.from('{"id":"x"}'),
      fromIntegration: true,
    });
    assert.deepEqual(logged, []);
  });

  test("a handler that throws is API Gateway's plain 500; the error goes to the log only", async () => {
    const { response, logged } = await run(() => {
      throw new Error('secret detail');
    });
    assert.equal(response.statusCode, 500);
    assert.deepEqual(JSON.parse(response.body.toString('utf8')), { message: 'Internal Server Error' });
    assert.equal(response.fromIntegration, undefined, 'the 500 is the gateway’s own');
    assert.equal(logged.length, 1);
    assert.equal(logged[0]?.function, 'getTodo');
    assert.equal(logged[0]?.requestId, 'rid-1');
    assert.match(JSON.stringify(logged[0]?.error), /secret detail/);
  });

  test('a malformed result, or a rejected promise, is a 500 too', async () => {
    for (const handler of [async () => ({ statusCode: 'ok' }), async () => undefined, () => Promise.reject('no')]) {
      const { response, logged } = await run(handler);
      assert.equal(response.statusCode, 500);
      assert.equal(logged.length, 1);
    }
  });

  test("a handler that never answers is stopped at the function's timeout: 500, and Lambda's message in the log", async () => {
    const { response, logged } = await run(() => new Promise(() => undefined), { timeoutSeconds: 0.01 });
    assert.equal(response.statusCode, 500);
    assert.match(JSON.stringify(logged[0]?.error), /Task timed out after 0\.01 seconds/);
  });
});

const CORS: CorsModel = {
  allowedOrigins: ['*'],
  allowedMethods: ['GET', 'POST', 'PATCH', 'DELETE'],
  allowedHeaders: ['Content-Type', 'Authorization'],
  exposedResponseHeaders: ['Location', 'Link'],
  allowCredentials: false,
  maxAge: 600,
};
const ORIGIN = 'https://app.example.com';

const answer = (headers: Record<string, string>, fromIntegration?: boolean): GatewayResponse => ({
  statusCode: 200,
  headers,
  cookies: [],
  body: Buffer.alloc(0),
  ...(fromIntegration === undefined ? {} : { fromIntegration }),
});

describe('CORS', () => {
  test('a preflight is an OPTIONS request with an Origin and Access-Control-Request-Method', () => {
    const preflightHeaders = { origin: ORIGIN, 'access-control-request-method': 'POST' };
    assert.equal(isPreflight('OPTIONS', preflightHeaders), true);
    assert.equal(isPreflight('GET', preflightHeaders), false);
    assert.equal(isPreflight('OPTIONS', { origin: ORIGIN }), false);
    assert.equal(isPreflight('OPTIONS', { 'access-control-request-method': 'POST' }), false);
  });

  test('an allowed preflight gets the methods, the headers (lower-cased) and the max age', () => {
    const response = preflight(CORS, { origin: ORIGIN, 'access-control-request-method': 'patch' });
    assert.equal(response.statusCode, 204);
    assert.equal(response.body.length, 0);
    assert.deepEqual(response.headers, {
      'access-control-allow-methods': 'GET,POST,PATCH,DELETE',
      'access-control-allow-headers': 'content-type,authorization',
      'access-control-max-age': '600',
    });
  });

  test('a preflight for another method or origin is a 204 that allows nothing', () => {
    assert.deepEqual(preflight(CORS, { origin: ORIGIN, 'access-control-request-method': 'PUT' }).headers, {});
    const listed = { ...CORS, allowedOrigins: ['https://other.example'] };
    assert.deepEqual(preflight(listed, { origin: ORIGIN, 'access-control-request-method': 'GET' }).headers, {});
  });

  test('the allowed origin: * for any origin, the origin itself when listed or with credentials, none without one', () => {
    assert.equal(allowedOrigin(CORS, ORIGIN), '*');
    assert.equal(allowedOrigin(CORS, undefined), undefined);
    assert.equal(allowedOrigin({ ...CORS, allowCredentials: true }, ORIGIN), ORIGIN);
    assert.equal(allowedOrigin({ ...CORS, allowedOrigins: [ORIGIN] }, ORIGIN), ORIGIN);
    assert.equal(allowedOrigin({ ...CORS, allowedOrigins: [ORIGIN] }, 'https://evil.example'), undefined);
  });

  test("a cross-origin response gets the gateway's CORS headers in place of the function's", () => {
    const response = answer({ 'access-control-allow-origin': 'https://evil.example', 'x-kept': '1' }, true);
    applyCors(CORS, ORIGIN, response);
    assert.deepEqual(response.headers, {
      'x-kept': '1',
      'access-control-allow-origin': '*',
      'access-control-expose-headers': 'location,link',
    });
    const listed = answer({});
    applyCors({ ...CORS, allowedOrigins: [ORIGIN], allowCredentials: true }, ORIGIN, listed);
    assert.equal(listed.headers['access-control-allow-origin'], ORIGIN);
    assert.equal(listed.headers.vary, 'Origin');
    assert.equal(listed.headers['access-control-allow-credentials'], 'true');
  });

  test('without an Origin nothing is added, and a function still cannot set CORS headers itself', () => {
    const response = answer({ 'access-control-allow-origin': '*', 'content-type': 'application/json' }, true);
    applyCors(CORS, undefined, response);
    assert.deepEqual(response.headers, { 'content-type': 'application/json' });
    // The gateway's own answers (a preflight, a 401) keep theirs.
    const own = answer({ 'access-control-allow-methods': 'GET' });
    applyCors(CORS, undefined, own);
    assert.deepEqual(own.headers, { 'access-control-allow-methods': 'GET' });
  });
});
