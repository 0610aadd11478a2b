/** Entity tags, If-Match and If-None-Match (RFC 9110 §13), and the Idempotency-Key header. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expectedVersions, readResponse } from '../../src/http/conditional.js';
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

describe('If-Match (expectedVersions)', () => {
  test('absent or * means any version', () => {
    assert.equal(expectedVersions(withHeaders({}), false), undefined);
    assert.equal(expectedVersions(withHeaders({ 'if-match': '*' }), false), undefined);
    assert.equal(expectedVersions(withHeaders({ 'if-match': ' * ' }), true), undefined);
  });

  test('a list of strong tags names their versions; weak tags never match a write', () => {
    assert.deepEqual(expectedVersions(withHeaders({ 'if-match': '"abc"' }), false), ['abc']);
    assert.deepEqual(expectedVersions(withHeaders({ 'if-match': '"a", "b" ,"c"' }), false), ['a', 'b', 'c']);
    assert.deepEqual(expectedVersions(withHeaders({ 'if-match': 'W/"a", "b"' }), false), ['b']);
    assert.deepEqual(expectedVersions(withHeaders({ 'if-match': 'W/"a"' }), false), []);
    assert.deepEqual(expectedVersions(withHeaders({ 'if-match': '""' }), false), ['']);
  });

  test('a malformed value is a 400, never a write without its condition', () => {
    for (const value of ['abc', '"abc', 'abc"', '"a" "b"', '"a",,', ',', '', ' ', '"a b"', '*, "a"', 'w/"a"']) {
      assert.throws(
        () => expectedVersions(withHeaders({ 'if-match': value }), false),
        refusedWith(400, 'invalid-precondition'),
        JSON.stringify(value),
      );
    }
    const many = Array.from({ length: 21 }, (_, i) => `"${i}"`).join(', ');
    assert.throws(() => expectedVersions(withHeaders({ 'if-match': many }), false), /at most 20/);
    assert.equal(
      expectedVersions(withHeaders({ 'if-match': Array.from({ length: 20 }, (_, i) => `"${i}"`).join(',') }), false)
        ?.length,
      20,
    );
  });

  test('when the deployment requires it, a write without If-Match is a 428', () => {
    assert.throws(() => expectedVersions(withHeaders({}), true), refusedWith(428, 'precondition-required'));
    assert.deepEqual(expectedVersions(withHeaders({ 'if-match': '"v"' }), true), ['v']);
  });
});

describe('If-None-Match (readResponse)', () => {
  const read = (headers: Record<string, string>) =>
    readResponse(httpEvent({ routeKey: 'GET /todos', headers }), '[1]', '"tag"', { link: '<x>; rel="next"' });

  test('without it, or naming another tag: 200 with the body, ETag and revalidation required', () => {
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

  test('naming the tag, weakly or strongly, or *: 304 with no body and the same validators', () => {
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

  test('a malformed If-None-Match is a 400', () => {
    assert.throws(() => read({ 'if-none-match': 'tag' }), refusedWith(400, 'invalid-precondition'));
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
    assert.deepEqual(problemHeaders(new IdempotencyKeyInUseError()), { 'retry-after': '1' });
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
