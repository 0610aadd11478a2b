/**
 * On Lambda a function has its own deadline (`context.getRemainingTimeInMillis()`): whatever the store does, the
 * handler answers before it, with a 503 that says when to retry, rather than being killed (API Gateway's bare 500).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Context } from 'aws-lambda';
import { importHandler, lambdaEnvironment, loadLocalModel } from '../../local/server.js';
import { STORE_BUDGET } from '../../src/store/dynamodb.js';
import { httpEvent } from '../support/events.js';

// A store that accepts connections and never says a word.
let silent: Server;
let endpoint: string;

before(async () => {
  silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const address = silent.address();
  assert.ok(address && typeof address === 'object');
  endpoint = `http://127.0.0.1:${address.port}`;
});

after(async () => {
  silent.unref();
  await new Promise<void>((resolve) => {
    silent.close(() => resolve());
    setTimeout(resolve, 100).unref();
  });
});

/** A Lambda context whose function has `ms` left. */
function contextWith(ms: number): Context {
  const deadline = Date.now() + ms;
  return {
    awsRequestId: 'deadline-test',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  } as unknown as Context;
}

describe("the function's own deadline", () => {
  test('caps the time spent on a silent store: a 503 with Retry-After, answered before the deadline', async (t) => {
    const model = loadLocalModel('none');
    Object.assign(process.env, lambdaEnvironment(model, endpoint));
    const fn = model.functions.find((f) => f.routes.some((r) => r.routeKey === 'GET /todos'));
    assert.ok(fn);
    const handler = (await importHandler(fn)) as unknown as (
      event: unknown,
      context: Context,
    ) => Promise<{ statusCode: number; headers?: Record<string, string> }>;
    t.mock.method(console, 'error', () => undefined);

    // Far less time left than the store budget: the deadline decides.
    const left = STORE_BUDGET.answerMarginMs + 400;
    const started = Date.now();
    const response = await handler(httpEvent({ routeKey: 'GET /todos' }), contextWith(left));
    const took = Date.now() - started;
    assert.equal(response.statusCode, 503);
    assert.equal(response.headers?.['retry-after'], '2');
    assert.ok(took < left, `answered after ${took} ms, with ${left} ms to live`);

    // Less time left than the margin: no attempt at all, still an answer.
    const none = await handler(httpEvent({ routeKey: 'GET /todos' }), contextWith(STORE_BUDGET.answerMarginMs));
    assert.equal(none.statusCode, 503);
  });
});
