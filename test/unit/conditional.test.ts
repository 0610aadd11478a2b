/** Entity tags, If-Match and If-None-Match (RFC 9110 §13), and the Idempotency-Key header. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { preconditions, readResponse, writePrecondition } from '../../src/http/conditional.js';
import { pageEtag, todoEtag } from '../../src/http/etag.js';
import { HttpError, problemHeaders } from '../../src/http/problem.js';
import { idempotencyKey } from '../../src/http/request.js';
import { IdempotencyKeyInUseError, NotFoundError, PreconditionFailedError } from '../../src/todos/errors.js';
import { httpEvent } from '../support/events.js';

const withHeaders = (headers: Record<string, string>) => httpEvent({ routeKey: 'PATCH /todos/{id}', headers });

function refusedWith(status: number, slug: string) {
  return (error: unknown) => {
    assert.ok(error instanceof HttpError, String(error));
    assert.equal(error.status, status);
    assert.equal(error.slug, slug);
    return true;
  };
}

describe('entity tags', () => {
  test('a todo is tagged with its version, strongly', () => {
    assert.equal(todoEtag('abc123'), '"abc123"');
  });

  test('a page is tagged by its exact body and next link', () => {
    const tag = pageEtag('[{"id":"a"}]', undefined);
    assert.match(tag, /^"[A-Za-z0-9_-]{27}"$/);
    assert.equal(pageEtag('[{"id":"a"}]', undefined), tag);
    assert.notEqual(pageEtag('[{"id":"b"}]', undefined), tag);
    assert.notEqual(pageEtag('[{"id":"a"}]', '<https://x/todos?cursor=c>; rel="next"'), tag);
    assert.notEqual(pageEtag('[{"id":"a"} ]', undefined), tag);
  });
});

describe('writePrecondition (If-Match and If-None-Match on PATCH and DELETE)', () => {
  const write = (headers: Record<string, string>, required = false) =>
    writePrecondition(withHeaders(headers), required);

  test('none of them, or If-Match *, means any version', () => {
    assert.equal(write({}), undefined);
    assert.equal(write({ 'if-match': '*' }), undefined);
    assert.equal(write({ 'if-match': ' * ' }), undefined);
  });

  test('If-Match names the versions by strong comparison: weak tags never match a write', () => {
    assert.deepEqual(write({ 'if-match': '"abc"' }), { oneOf: ['abc'] });
    assert.deepEqual(write({ 'if-match': '"a", "b" ,"c"' }), { oneOf: ['a', 'b', 'c'] });
    assert.deepEqual(write({ 'if-match': 'W/"a", "b"' }), { oneOf: ['b'] });
    assert.deepEqual(write({ 'if-match': 'W/"a"' }), { oneOf: [] });
    assert.deepEqual(write({ 'if-match': '""' }), { oneOf: [''] });
  });

  test('If-None-Match names the versions the write must not apply to, by weak comparison; * refuses any', () => {
    assert.deepEqual(write({ 'if-none-match': 'W/"a", "b"' }), { noneOf: ['a', 'b'] });
    assert.deepEqual(write({ 'if-none-match': '*' }), { noneOf: 'any' });
    assert.deepEqual(write({ 'if-match': '"a"', 'if-none-match': '"b"' }), { oneOf: ['a'], noneOf: ['b'] });
  });

  test('empty list elements are ignored, as RFC 9110 asks', () => {
    assert.deepEqual(write({ 'if-match': '"a", , "b",' }), { oneOf: ['a', 'b'] });
    assert.deepEqual(write({ 'if-match': ', "a"' }), { oneOf: ['a'] });
  });

  test('a malformed value is a 400, never a write without its condition', () => {
    for (const value of ['abc', '"abc', 'abc"', '"a" "b"', ',', '', ' ', '"a b"', '*, "a"', 'w/"a"']) {
      assert.throws(
        () => write({ 'if-match': value }),
        refusedWith(400, 'invalid-precondition'),
        JSON.stringify(value),
      );
      assert.throws(() => write({ 'if-none-match': value }), refusedWith(400, 'invalid-precondition'), value);
    }
    const many = Array.from({ length: 21 }, (_, i) => `"${i}"`).join(', ');
    assert.throws(() => write({ 'if-match': many }), /at most 20/);
    assert.equal(write({ 'if-match': Array.from({ length: 20 }, (_, i) => `"${i}"`).join(',') })?.oneOf?.length, 20);
  });

  test('when the deployment requires it, a write that names no version (no If-Match, or *) is a 428', () => {
    assert.throws(() => write({}, true), refusedWith(428, 'precondition-required'));
    assert.throws(() => write({ 'if-match': '*' }, true), refusedWith(428, 'precondition-required'));
    assert.throws(() => write({ 'if-none-match': '"a"' }, true), refusedWith(428, 'precondition-required'));
    assert.deepEqual(write({ 'if-match': '"v"' }, true), { oneOf: ['v'] });
  });
});

describe('readResponse (If-Match and If-None-Match on GET)', () => {
  const read = (headers: Record<string, string>) =>
    readResponse(preconditions(httpEvent({ routeKey: 'GET /todos', headers })), '[1]', '"tag"', {
      link: '<x>; rel="next"',
    });

  test('without them, or naming another tag: 200 with the body, ETag and revalidation required', () => {
    for (const headers of [{}, { 'if-none-match': '"other"' }, { 'if-none-match': '"tag2", W/"tag3"' }]) {
      const response = read(headers);
      assert.equal(response.statusCode, 200);
      assert.equal(response.body, '[1]');
      assert.deepEqual(response.headers, {
        'content-type': 'application/json',
        etag: '"tag"',
        'cache-control': 'private, no-cache',
        link: '<x>; rel="next"',
      });
    }
  });

  test('If-None-Match naming the tag, weakly or strongly, or *: 304 with no body and the same validators', () => {
    for (const value of ['"tag"', 'W/"tag"', '"a", "tag"', '*']) {
      const response = read({ 'if-none-match': value });
      assert.equal(response.statusCode, 304, value);
      assert.equal(response.body, undefined);
      assert.deepEqual(response.headers, {
        etag: '"tag"',
        'cache-control': 'private, no-cache',
        link: '<x>; rel="next"',
      });
    }
  });

  test('If-Match that does not name the tag (strongly) is a 412 with the current ETag; * or the tag pass', () => {
    for (const value of ['"other"', 'W/"tag"']) {
      assert.throws(
        () => read({ 'if-match': value }),
        (error: unknown) => {
          assert.ok(error instanceof HttpError);
          assert.equal(error.status, 412);
          assert.equal(error.slug, 'precondition-failed');
          assert.deepEqual(problemHeaders(error), { etag: '"tag"' });
          return true;
        },
        value,
      );
    }
    assert.equal(read({ 'if-match': '"tag"' }).statusCode, 200);
    assert.equal(read({ 'if-match': '*' }).statusCode, 200);
    // If-Match is evaluated first, then If-None-Match.
    assert.equal(read({ 'if-match': '"tag"', 'if-none-match': '"tag"' }).statusCode, 304);
  });

  test('a malformed precondition is a 400, found before anything is read', () => {
    const event = httpEvent({ routeKey: 'GET /todos', headers: { 'if-none-match': 'tag' } });
    assert.throws(() => preconditions(event), refusedWith(400, 'invalid-precondition'));
  });
});

describe('problem headers', () => {
  test('a refused precondition names the current version; a key in use says when to retry', () => {
    const current = {
      owner: 'o',
      id: 'i',
      title: 't',
      completed: false,
      createdAt: '',
      updatedAt: '',
      version: 'now',
    };
    assert.deepEqual(problemHeaders(new PreconditionFailedError(current)), { etag: '"now"' });
    assert.deepEqual(problemHeaders(new IdempotencyKeyInUseError(7)), { 'retry-after': '7' });
    assert.deepEqual(problemHeaders(new NotFoundError('x')), {});
    assert.deepEqual(problemHeaders(new Error('x')), {});
  });
});

describe('Idempotency-Key', () => {
  const key = (value?: string) =>
    idempotencyKey(
      httpEvent({ routeKey: 'POST /todos', headers: value === undefined ? {} : { 'idempotency-key': value } }),
    );

  test('absent is no key; 1 to 255 printable ASCII characters are the key, as sent or as a quoted string', () => {
    assert.equal(key(), undefined);
    assert.equal(key('8e03978e-40d5-43e8-bc93-6894a57f9324'), '8e03978e-40d5-43e8-bc93-6894a57f9324');
    assert.equal(key('"8e03978e-40d5-43e8-bc93-6894a57f9324"'), '8e03978e-40d5-43e8-bc93-6894a57f9324');
    assert.equal(key('  spaced key  '), 'spaced key');
    assert.equal(key('"with \\"quotes\\""'), 'with "quotes"');
    assert.equal(key('x'), 'x');
    assert.equal(key('k'.repeat(255)), 'k'.repeat(255));
    assert.equal(key('~!@#$%^&*()'), '~!@#$%^&*()');
  });

  test('empty, too long or not printable ASCII is a 400', () => {
    for (const value of ['', '   ', '""', 'k'.repeat(256), 'ключ', 'tab\there', 'nul\u0000', 'é']) {
      assert.throws(() => key(value), refusedWith(400, 'invalid-idempotency-key'), JSON.stringify(value));
    }
  });
});
