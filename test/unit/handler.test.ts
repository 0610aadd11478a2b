import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Context } from 'aws-lambda';
import { createHttpHandler, logWarning, type RouteInput } from '../../src/http/handler.js';
import { HttpError } from '../../src/http/problem.js';
import { json } from '../../src/http/responses.js';
import { NotFoundError, PreconditionFailedError, ValidationError } from '../../src/todos/errors.js';
import { httpEvent } from '../support/events.js';

const SECRET = 'connection string postgres://admin:s3cr3t@db.internal';

const httpHandler = createHttpHandler({ authMode: 'none' });

function parseBody(body: string | undefined): Record<string, unknown> {
  assert.ok(body !== undefined, 'response has no body');
  return JSON.parse(body) as Record<string, unknown>;
}

describe('createHttpHandler', () => {
  test("returns the route's response as it is", async (t) => {
    const error = t.mock.method(console, 'error', () => undefined);
    const response = json(201, { id: 'a' }, { location: '/todos/a' });
    const handler = httpHandler(async () => response);
    assert.equal(await handler(httpEvent({ routeKey: 'POST /todos', body: {} })), response);
    assert.equal(error.mock.callCount(), 0);
  });

  test('hands the route its event, its owner, the base URL and the deadline', async () => {
    const seen: RouteInput[] = [];
    const route = async (input: RouteInput) => {
      seen.push(input);
      return json(200, {});
    };
    const event = httpEvent({ routeKey: 'GET /todos', claims: { iss: 'https://issuer.test', sub: 'alice' } });
    const context = { getRemainingTimeInMillis: () => 5000 } as Context;
    const before = Date.now();
    await createHttpHandler({ authMode: 'oidc' })(route)(event, context);
    await createHttpHandler({ authMode: 'none', publicBaseUrl: 'https://todos.example.com/v1' })(route)(event);
    const [withContext, withoutContext] = seen;
    assert.equal(withContext?.event, event);
    assert.equal(withContext?.owner, 'https://issuer.test#alice');
    assert.equal(withContext?.baseUrl, 'https://api.example.test');
    assert.equal(withoutContext?.owner, 'anonymous');
    assert.equal(withoutContext?.baseUrl, 'https://todos.example.com/v1');
    // Lambda's remaining time from the call, or the longest function timeout without a context.
    const deadline = withContext?.deadline ?? 0;
    assert.ok(deadline >= before + 5000 && deadline <= Date.now() + 5000, String(deadline));
    assert.ok((withoutContext?.deadline ?? 0) >= before + 29_000);
  });

  test("a route's If-Match follows the deployment: optional by default, 428 when required", async () => {
    const route = async ({ writePrecondition }: RouteInput) =>
      json(200, { expected: writePrecondition()?.oneOf ?? null });
    const bare = httpEvent({ routeKey: 'PATCH /todos/{id}', body: {} });
    const conditional = httpEvent({ routeKey: 'PATCH /todos/{id}', body: {}, headers: { 'if-match': '"v1"' } });
    const optional = createHttpHandler({ authMode: 'none' })(route);
    const required = createHttpHandler({ authMode: 'none', requireIfMatch: true })(route);
    assert.deepEqual(parseBody((await optional(bare)).body), { expected: null });
    assert.deepEqual(parseBody((await optional(conditional)).body), { expected: ['v1'] });
    const refused = await required(bare);
    assert.equal(refused.statusCode, 428);
    assert.equal(parseBody(refused.body).type, 'urn:todo-api:problem:precondition-required');
    assert.deepEqual(parseBody((await required(conditional)).body), { expected: ['v1'] });
  });

  test('a refused precondition answers 412 with the current ETag', async () => {
    const current = { owner: 'o', id: 'i', title: 't', completed: false, createdAt: '', updatedAt: '', version: 'now' };
    const response = await httpHandler(async () => {
      throw new PreconditionFailedError(current);
    })(httpEvent({ routeKey: 'PATCH /todos/{id}', body: {} }));
    assert.equal(response.statusCode, 412);
    assert.equal(response.headers?.etag, '"now"');
    assert.equal(response.headers?.['content-type'], 'application/problem+json');
  });

  test('a request without a verified identity is a 401 and the route never runs', async () => {
    let ran = false;
    const handler = createHttpHandler({ authMode: 'cognito' })(async () => {
      ran = true;
      return json(200, {});
    });
    const response = await handler(httpEvent({ routeKey: 'POST /todos', body: 'not even JSON' }));
    assert.equal(response.statusCode, 401);
    assert.equal(parseBody(response.body).type, 'urn:todo-api:problem:unauthorized');
    assert.equal(ran, false);
  });

  test('a ValidationError becomes a 400 problem+json and is not logged as a fault', async (t) => {
    const error = t.mock.method(console, 'error', () => undefined);
    const handler = httpHandler(async () => {
      throw new ValidationError('The request body has invalid fields.', [{ field: 'title', message: 'is required' }]);
    });
    const event = httpEvent({ routeKey: 'POST /todos', body: {} });
    const response = await handler(event);
    assert.equal(response.statusCode, 400);
    assert.equal(response.headers?.['content-type'], 'application/problem+json');
    assert.deepEqual(parseBody(response.body), {
      type: 'urn:todo-api:problem:validation',
      title: 'Invalid request body',
      status: 400,
      detail: 'The request body has invalid fields.',
      errors: [{ field: 'title', message: 'is required' }],
      requestId: event.requestContext.requestId,
    });
    assert.equal(error.mock.callCount(), 0);
  });

  test('client errors keep their status: 404 and HttpError', async (t) => {
    t.mock.method(console, 'error', () => undefined);
    const notFound = await httpHandler(async () => {
      throw new NotFoundError('x');
    })(httpEvent({ routeKey: 'GET /todos/{id}', pathParameters: { id: 'x' } }));
    assert.equal(notFound.statusCode, 404);
    assert.equal(parseBody(notFound.body).detail, 'No todo with id "x".');

    const unsupported = await httpHandler(async () => {
      throw new HttpError(415, 'unsupported-media-type', 'Unsupported Media Type', 'Send JSON.');
    })(httpEvent({ routeKey: 'POST /todos', body: 'x' }));
    assert.equal(unsupported.statusCode, 415);
    assert.equal(parseBody(unsupported.body).detail, 'Send JSON.');
  });

  test('a plain Error is a generic 500 with the request id, logged in full with its cause, leaking nothing', async (t) => {
    const logged = t.mock.method(console, 'error', () => undefined);
    const handler = httpHandler(async () => {
      throw new Error(SECRET, { cause: new TypeError('the cause') });
    });
    const event = httpEvent({ routeKey: 'GET /todos' });
    const requestId = event.requestContext.requestId;
    const response = await handler(event);

    assert.equal(response.statusCode, 500);
    assert.equal(response.headers?.['content-type'], 'application/problem+json');
    assert.equal(response.headers?.['cache-control'], 'no-store');
    const body = parseBody(response.body);
    assert.equal(body.status, 500);
    assert.equal(body.title, 'Internal Server Error');
    assert.equal(body.requestId, requestId);
    const text = String(response.body);
    for (const leak of ['s3cr3t', 'postgres://', 'db.internal', 'handler.test', '    at ', 'the cause']) {
      assert.equal(text.includes(leak), false, `${leak} leaked into the response`);
    }

    assert.equal(logged.mock.callCount(), 1);
    const [line] = logged.mock.calls[0]?.arguments ?? [];
    assert.equal(typeof line, 'string');
    const entry = JSON.parse(String(line)) as {
      level: string;
      requestId: string;
      routeKey: string;
      error: { name: string; message: string; stack: string; cause: { name: string; message: string } };
    };
    assert.equal(entry.level, 'error');
    assert.equal(entry.requestId, requestId);
    assert.equal(entry.routeKey, 'GET /todos');
    assert.equal(entry.error.name, 'Error');
    assert.equal(entry.error.message, SECRET);
    assert.match(entry.error.stack, /handler\.test\.ts/);
    assert.deepEqual(entry.error.cause, { name: 'TypeError', message: 'the cause' });
  });

  test('a thrown non-Error is a 500 too, and its value is logged', async (t) => {
    const logged = t.mock.method(console, 'error', () => undefined);
    const response = await httpHandler(async () => {
      throw SECRET;
    })(httpEvent({ routeKey: 'GET /todos' }));
    assert.equal(response.statusCode, 500);
    assert.equal(String(response.body).includes('s3cr3t'), false);
    assert.equal(logged.mock.callCount(), 1);
    assert.ok(String(logged.mock.calls[0]?.arguments[0]).includes('s3cr3t'));
  });

  test("without a request id in the event, the Lambda context's id is used", async (t) => {
    const logged = t.mock.method(console, 'error', () => undefined);
    const event = httpEvent({ routeKey: 'GET /todos' });
    const withoutId: typeof event = { ...event, requestContext: { ...event.requestContext, requestId: '' } };
    Reflect.deleteProperty(withoutId.requestContext, 'requestId');
    const context = { awsRequestId: 'lambda-request-1' } as Context;
    const response = await httpHandler(async () => {
      throw new Error('boom');
    })(withoutId, context);
    assert.equal(parseBody(response.body).requestId, 'lambda-request-1');
    assert.ok(String(logged.mock.calls[0]?.arguments[0]).includes('lambda-request-1'));
  });
});

describe('logWarning', () => {
  test('logs one JSON line with the level, the message and the error', (t) => {
    const logged = t.mock.method(console, 'error', () => undefined);
    logWarning('Idempotency record complete failed', new TypeError('throttled'));
    logWarning('something odd', 'a string');
    assert.deepEqual(
      logged.mock.calls.map((call) => JSON.parse(String(call.arguments[0]))),
      [
        {
          level: 'warn',
          message: 'Idempotency record complete failed',
          error: { name: 'TypeError', message: 'throttled' },
        },
        { level: 'warn', message: 'something odd', error: { name: 'value', message: 'a string' } },
      ],
    );
  });
});
