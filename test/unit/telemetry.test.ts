/**
 * The functions' log lines and metrics as CloudWatch receives them (src/telemetry.ts): one JSON line per request
 * with what an operator needs, never what a client sent (token, title) nor who they are (only a hash), and the
 * metrics in CloudWatch's embedded metric format.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createHttpHandler } from '../../src/http/handler.js';
import { json } from '../../src/http/responses.js';
import { StoreUnavailableError, ValidationError } from '../../src/todos/errors.js';
import { httpEvent } from '../support/events.js';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';
const TITLE = 'buy a present for Alice';
const SUBJECT = 'alice-subject-1234';

let telemetry: typeof import('../../src/telemetry.js');
/** Everything written to stdout and stderr while a test runs, one parsed JSON document per line. */
let written: Array<Record<string, unknown>> = [];
const originals = { stdout: process.stdout.write, stderr: process.stderr.write };

before(async () => {
  process.env.POWERTOOLS_SERVICE_NAME = 'todo-api-test';
  process.env.POWERTOOLS_METRICS_NAMESPACE = 'TodoApiTest';
  process.env.LOG_LEVEL = 'INFO';
  delete process.env.POWERTOOLS_METRICS_DISABLED;
  delete process.env.POWERTOOLS_DEV;
  telemetry = await import('../../src/telemetry.js');
  const capture = (chunk: string | Uint8Array) => {
    for (const line of String(chunk).split('\n').filter(Boolean)) written.push(JSON.parse(line));
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
});

after(() => {
  process.stdout.write = originals.stdout;
  process.stderr.write = originals.stderr;
});

/** A data route of a deployment with tokens, observed by the real telemetry. */
function route(handle: Parameters<ReturnType<typeof createHttpHandler>>[0]) {
  return createHttpHandler({ authMode: 'oidc' }, telemetry.observeRequest)(handle);
}

function event(routeKey = 'POST /todos') {
  return httpEvent({
    routeKey,
    body: { title: TITLE },
    headers: { authorization: `Bearer ${TOKEN}` },
    claims: { iss: 'https://issuer.example', sub: SUBJECT },
  });
}

const logLines = () => written.filter((line) => !('_aws' in line));
const metricLines = () =>
  written.filter((line) => '_aws' in line) as Array<{
    _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> };
    [key: string]: unknown;
  }>;

describe('one log line per request', () => {
  test('a success: level, time, request id, route, status, latency, cold start, owner hash; no token, title or owner', async () => {
    written = [];
    const request = event();
    await route(async ({ count }) => {
      count('TodosCreated');
      return json(201, { title: TITLE });
    })(request);
    const [line, ...rest] = logLines();
    assert.equal(rest.length, 0, 'one line');
    assert.ok(line);
    assert.equal(line.level, 'INFO');
    assert.equal(line.message, 'Request');
    assert.equal(line.service, 'todo-api-test');
    assert.ok(!Number.isNaN(Date.parse(String(line.timestamp))), 'a timestamp');
    assert.equal(line.requestId, request.requestContext.requestId);
    assert.equal(line.route, 'POST /todos');
    assert.equal(line.status, 201);
    assert.equal(typeof line.latencyMs, 'number');
    assert.equal(typeof line.coldStart, 'boolean');
    assert.match(String(line.owner), /^[\w-]{12}$/);
    assert.deepEqual(line.counts, { TodosCreated: 1 });
    const everything = JSON.stringify(written);
    for (const secret of [TOKEN, 'Bearer', TITLE, SUBJECT, 'issuer.example']) {
      assert.equal(everything.includes(secret), false, `${secret} must not be logged`);
    }
  });

  test('the owner hash is stable per owner and differs between owners', () => {
    assert.equal(telemetry.ownerHash('a#b'), telemetry.ownerHash('a#b'));
    assert.notEqual(telemetry.ownerHash('a#b'), telemetry.ownerHash('a#c'));
  });

  test('a refusal: INFO with its problem type', async () => {
    written = [];
    await route(async () => {
      throw new ValidationError('The request body has invalid fields.', [{ field: 'title', message: TITLE }]);
    })(event());
    const [line] = logLines();
    assert.equal(line?.level, 'INFO');
    assert.equal(line?.status, 400);
    assert.equal(line?.problem, 'validation');
    assert.equal(JSON.stringify(written).includes(TITLE), false);
  });

  test('a fault: ERROR with the error, its stack and its cause, for the operator only', async () => {
    written = [];
    await route(async () => {
      throw new Error('the table is gone', { cause: new TypeError('socket hang up') });
    })(event('GET /todos'));
    const [line] = logLines();
    assert.equal(line?.level, 'ERROR');
    assert.equal(line?.message, 'Unhandled fault');
    assert.equal(line?.status, 500);
    assert.equal(line?.problem, 'internal');
    const error = line?.error as { name: string; message: string; stack: string; cause: { message: string } };
    assert.equal(error.name, 'Error');
    assert.equal(error.message, 'the table is gone');
    assert.match(error.stack, /telemetry\.test\.ts/);
    assert.equal(error.cause.message, 'socket hang up');
  });

  test("the store's unavailability: WARN, not ERROR", async () => {
    written = [];
    await route(async ({ count }) => {
      count('StoreRetries', 2);
      count('StoreUnavailable');
      throw new StoreUnavailableError(1, { cause: new Error('ThrottlingException') });
    })(event('GET /todos'));
    const [line] = logLines();
    assert.equal(line?.level, 'WARN');
    assert.equal(line?.message, 'Store unavailable');
    assert.equal(line?.status, 503);
    assert.deepEqual(line?.counts, { StoreRetries: 2, StoreUnavailable: 1 });
  });

  test('a recovered fault is a WARN line of its own', () => {
    written = [];
    telemetry.logWarning('Idempotency record complete failed', new TypeError('throttled'));
    const [line] = logLines();
    assert.equal(line?.level, 'WARN');
    assert.equal(line?.message, 'Idempotency record complete failed');
    assert.equal((line?.error as { message?: string } | undefined)?.message, 'throttled');
  });
});

describe('metrics, in the embedded metric format', () => {
  test('what a request counted, under the service dimension', async () => {
    written = [];
    await route(async ({ count }) => {
      count('TodosDeleted', 3);
      count('StoreRetries');
      return json(200, {});
    })(event('DELETE /todos'));
    const [blob, ...rest] = metricLines();
    assert.equal(rest.length, 0);
    assert.ok(blob);
    const [directive] = blob._aws.CloudWatchMetrics;
    assert.equal(directive?.Namespace, 'TodoApiTest');
    assert.deepEqual(directive?.Dimensions, [['service']]);
    assert.deepEqual(directive?.Metrics.map((m) => m.Name).sort(), ['StoreRetries', 'TodosDeleted']);
    assert.equal(blob.TodosDeleted, 3);
    assert.equal(blob.StoreRetries, 1);
  });

  test('errors by kind: ClientErrors and ServerErrors with a problem dimension', async () => {
    written = [];
    await route(async () => {
      throw new ValidationError('bad', []);
    })(event());
    await route(async () => {
      throw new Error('bug');
    })(event());
    const blobs = metricLines();
    assert.deepEqual(
      blobs.map((blob) => [blob._aws.CloudWatchMetrics[0]?.Metrics[0]?.Name, blob.problem]),
      [
        ['ClientErrors', 'validation'],
        ['ServerErrors', 'internal'],
      ],
    );
    for (const blob of blobs) assert.deepEqual(blob._aws.CloudWatchMetrics[0]?.Dimensions, [['service', 'problem']]);
  });

  test('a request that counted nothing and succeeded writes no metrics', async () => {
    written = [];
    await route(async () => json(200, {}))(event('GET /todos'));
    assert.equal(metricLines().length, 0);
    assert.equal(logLines().length, 1);
  });
});
