import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Context } from 'aws-lambda';
import { createHttpHandler, type RequestRecord, type RouteInput } from '../../src/http/handler.js';
import { HttpError } from '../../src/http/problem.js';
import { json } from '../../src/http/responses.js';
import { NotFoundError, PreconditionFailedError, ValidationError } from '../../src/todos/errors.js';
import { httpEvent } from '../support/events.js';

const SECRET = 'connection string postgres://admin:s3cr3t@db.internal';

/** What the handlers reported, in order. */
const records: RequestRecord[] = [];
const httpHandler = createHttpHandler({ authMode: 'none' }, (record) => records.push(record));
/** The record of the last request answered. */
const lastRecord = (): RequestRecord => {
  const record = records.at(-1);
  assert.ok(record, 'the request was reported');
  return record;
};

function parseBody(body: string | undefined): Record<string, unknown> {
  assert.ok(body !== undefined, 'response has no body');
  return JSON.parse(body) as Record<string, unknown>;
}

describe('createHttpHandler', () => {
  test("returns the route's response as it is, and reports the request once", async () => {
    const response = json(201, { id: 'a' }, { location: '/todos/a' });
    const handler = httpHandler(async ({ count }) => {
      count('TodosCreated');
      count('StoreRetries', 0);
      return response;
    });
    const reported = records.length;
    const event = httpEvent({ routeKey: 'POST /todos', body: {} });
    assert.equal(await handler(event), response);
    assert.equal(records.length, reported + 1);
    const record = lastRecord();
    assert.equal(record.requestId, event.requestContext.requestId);
    assert.equal(record.routeKey, 'POST /todos');
    assert.equal(record.status, 201);
    assert.equal(record.owner, 'anonymous');
    assert.ok(record.latencyMs >= 0);
    assert.equal(record.problem, undefined);
    assert.equal(record.fault, undefined);
    // A zero is not worth a metric.
    assert.deepEqual(record.counts, { TodosCreated: 1 });
  });

  test('only the first request of an execution environment is a cold start', async () => {
    const handler = createHttpHandler({ authMode: 'none' }, (record) => records.push(record))(async () =>
      json(200, {}),
    );
    await handler(httpEvent({ routeKey: 'GET /todos' }));
    assert.equal(lastRecord().coldStart, false, 'earlier tests already served this module');
    assert.equal(records[0]?.coldStart, true);
    assert.equal(records.filter((record) => record.coldStart).length, 1);
  });

  test('an observer that throws costs the client nothing', async () => {
    const handler = createHttpHandler({ authMode: 'none' }, () => {
      throw new Error('log sink broken');
    })(async () => json(200, { ok: true }));
    const response = await handler(httpEvent({ routeKey: 'GET /todos' }));
    assert.equal(response.statusCode, 200);
    assert.deepEqual(parseBody(response.body), { ok: true });
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

  test('a ValidationError becomes a 400 problem+json and is not reported as a fault', async () => {
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
    assert.equal(lastRecord().status, 400);
    assert.equal(lastRecord().problem, 'validation');
    assert.equal(lastRecord().fault, undefined);
  });

  test('client errors keep their status: 404 and HttpError', async () => {
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
    assert.equal(lastRecord().problem, 'unsupported-media-type');
  });

  test('a plain Error is a generic 500 with the request id, reported with the error, leaking nothing', async () => {
    const thrown = new Error(SECRET, { cause: new TypeError('the cause') });
    const handler = httpHandler(async () => {
      throw thrown;
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
    // The operator gets it all (src/telemetry.ts logs it; test/unit/telemetry.test.ts checks how).
    assert.equal(lastRecord().fault, thrown);
    assert.equal(lastRecord().problem, 'internal');
    assert.equal(lastRecord().requestId, requestId);
  });

  test('a thrown non-Error is a 500 too, and its value is reported', async () => {
    const response = await httpHandler(async () => {
      throw SECRET;
    })(httpEvent({ routeKey: 'GET /todos' }));
    assert.equal(response.statusCode, 500);
    assert.equal(String(response.body).includes('s3cr3t'), false);
    assert.equal(lastRecord().fault, SECRET);
  });

  test("without a request id in the event, the Lambda context's id is used", async () => {
    const event = httpEvent({ routeKey: 'GET /todos' });
    const withoutId: typeof event = { ...event, requestContext: { ...event.requestContext, requestId: '' } };
    Reflect.deleteProperty(withoutId.requestContext, 'requestId');
    const context = { awsRequestId: 'lambda-request-1' } as Context;
    const response = await httpHandler(async () => {
      throw new Error('boom');
    })(withoutId, context);
    assert.equal(parseBody(response.body).requestId, 'lambda-request-1');
    assert.equal(lastRecord().requestId, 'lambda-request-1');
    assert.equal(lastRecord().awsRequestId, 'lambda-request-1');
  });
});
