import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pageLinks, parseCompleted, parseLimit } from '../../src/http/pagination.js';
import { HttpError, problemResponse, toProblem } from '../../src/http/problem.js';
import {
  IdempotencyKeyInUseError,
  IdempotencyKeyReusedError,
  InvalidCursorError,
  NotFoundError,
  PreconditionFailedError,
  ValidationError,
} from '../../src/todos/errors.js';

const REQUEST_ID = 'req-abc-123';

describe('toProblem', () => {
  test('ValidationError is a 400 with its message and field errors', () => {
    const errors = [{ field: 'title', message: 'is required' }];
    assert.deepEqual(toProblem(new ValidationError('The request body has invalid fields.', errors), REQUEST_ID), {
      type: 'urn:todo-api:problem:validation',
      title: 'Invalid request body',
      status: 400,
      detail: 'The request body has invalid fields.',
      errors,
      requestId: REQUEST_ID,
    });
  });

  test('a ValidationError without field errors has no errors member', () => {
    const problem = toProblem(new ValidationError('The request body must be a JSON object.'), REQUEST_ID);
    assert.equal(problem.status, 400);
    assert.equal(problem.detail, 'The request body must be a JSON object.');
    assert.equal(Object.hasOwn(problem, 'errors'), false);
  });

  test('NotFoundError is a 404 naming the id; its cause stays out of the answer', () => {
    const cause = new Error('ConditionalCheckFailedException on table secret-table');
    assert.deepEqual(toProblem(new NotFoundError('x', { cause }), REQUEST_ID), {
      type: 'urn:todo-api:problem:not-found',
      title: 'Not Found',
      status: 404,
      detail: 'No todo with id "x".',
      requestId: REQUEST_ID,
    });
  });

  test('InvalidCursorError is a 400 with its message', () => {
    const error = new InvalidCursorError();
    assert.deepEqual(toProblem(error, REQUEST_ID), {
      type: 'urn:todo-api:problem:invalid-cursor',
      title: 'Invalid cursor',
      status: 400,
      detail: error.message,
      requestId: REQUEST_ID,
    });
  });

  test('concurrency and idempotency refusals are 412, 409 and 422 with their own types', () => {
    const current = { owner: 'o', id: 'i', title: 't', completed: false, createdAt: '', updatedAt: '', version: 'v' };
    for (const [error, status, slug, title] of [
      [new PreconditionFailedError(current), 412, 'precondition-failed', 'Precondition Failed'],
      [new IdempotencyKeyInUseError(1), 409, 'idempotency-key-in-use', 'Conflict'],
      [new IdempotencyKeyReusedError(), 422, 'idempotency-key-reused', 'Unprocessable Content'],
    ] as const) {
      assert.deepEqual(toProblem(error, REQUEST_ID), {
        type: `urn:todo-api:problem:${slug}`,
        title,
        status,
        detail: error.message,
        requestId: REQUEST_ID,
      });
    }
  });

  test('HttpError keeps its status, slug, title and message', () => {
    for (const [status, slug, title] of [
      [400, 'invalid-json', 'Invalid JSON'],
      [413, 'payload-too-large', 'Payload Too Large'],
      [415, 'unsupported-media-type', 'Unsupported Media Type'],
    ] as const) {
      assert.deepEqual(toProblem(new HttpError(status, slug, title, `detail of ${status}`), REQUEST_ID), {
        type: `urn:todo-api:problem:${slug}`,
        title,
        status,
        detail: `detail of ${status}`,
        requestId: REQUEST_ID,
      });
    }
  });

  test('any other error is a generic 500 that leaks neither message nor stack', () => {
    const secret = 'password=hunter2 at arn:aws:dynamodb:eu-west-1:123456789012:table/secret-table';
    const error = new Error(secret);
    error.stack = `Error: ${secret}\n    at secretFunction (/var/task/secret-file.mjs:1:1)`;
    const problem = toProblem(error, REQUEST_ID);
    assert.equal(problem.status, 500);
    assert.equal(problem.title, 'Internal Server Error');
    assert.equal(problem.type, 'urn:todo-api:problem:internal');
    assert.equal(problem.requestId, REQUEST_ID);
    const body = JSON.stringify(problemResponse(problem));
    for (const leak of ['hunter2', 'secret-table', 'secretFunction', 'secret-file', '123456789012']) {
      assert.equal(body.includes(leak), false, `${leak} leaked`);
    }
    assert.ok(body.includes(REQUEST_ID));
  });

  test('thrown non-errors and look-alikes are faults too', () => {
    const lookAlike = { name: 'ValidationError', code: 'validation', message: 'secret', status: 400 };
    for (const thrown of [lookAlike, 'secret', 42, null, undefined, new TypeError('secret')]) {
      const problem = toProblem(thrown, REQUEST_ID);
      assert.equal(problem.status, 500);
      assert.equal(JSON.stringify(problem).includes('secret'), false);
    }
  });
});

describe('problemResponse', () => {
  test('is problem+json, not cached, with the problem as body', () => {
    const problem = toProblem(new NotFoundError('gone'), REQUEST_ID);
    const response = problemResponse(problem);
    assert.equal(response.statusCode, 404);
    assert.deepEqual(response.headers, { 'content-type': 'application/problem+json', 'cache-control': 'no-store' });
    assert.deepEqual(JSON.parse(String(response.body)), problem);
  });
});

describe('parseCompleted and pageLinks', () => {
  test('completed is true, false or absent; anything else is a 400 naming the value', () => {
    assert.equal(parseCompleted('true'), true);
    assert.equal(parseCompleted('false'), false);
    assert.equal(parseCompleted(undefined), undefined);
    for (const raw of ['', 'TRUE', '1', 'yes', 'true ']) {
      assert.throws(
        () => parseCompleted(raw),
        (error: unknown) =>
          error instanceof HttpError && error.status === 400 && error.message.includes(JSON.stringify(raw)),
        raw,
      );
    }
  });

  test('the next link keeps the limit and the filter', () => {
    assert.deepEqual(pageLinks('https://x', 5, undefined), {});
    assert.deepEqual(pageLinks('https://x', 5, 'c1'), { link: '<https://x/todos?limit=5&cursor=c1>; rel="next"' });
    assert.deepEqual(pageLinks('https://x', 5, 'c1', { completed: false }), {
      link: '<https://x/todos?limit=5&completed=false&cursor=c1>; rel="next"',
    });
  });
});

describe('parseLimit', () => {
  test('absent means a full page of 100', () => {
    assert.equal(parseLimit(undefined), 100);
  });

  test('accepts whole numbers from 1 to 100', () => {
    assert.equal(parseLimit('1'), 1);
    assert.equal(parseLimit('42'), 42);
    assert.equal(parseLimit('100'), 100);
  });

  test('refuses anything else with 400', () => {
    for (const raw of [
      '0',
      '101',
      '-1',
      '1.5',
      '1.0',
      'abc',
      '',
      ' ',
      '01e2',
      '1e2',
      '0x10',
      '+5',
      ' 5',
      '5 ',
      '1000',
      'Infinity',
      'NaN',
      '١٠',
    ]) {
      assert.throws(
        () => parseLimit(raw),
        (error: unknown) => {
          assert.ok(error instanceof HttpError, `${JSON.stringify(raw)}: ${String(error)}`);
          assert.equal(error.status, 400);
          assert.equal(error.slug, 'invalid-query');
          assert.ok(error.message.includes(JSON.stringify(raw)));
          return true;
        },
        JSON.stringify(raw),
      );
    }
  });
});
