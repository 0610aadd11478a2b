/** The contract check the end-to-end tests run on every answer fails on what breaks the document. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Answer, checkAnswer, registerSystem } from '../support/contract.js';

const TODO = {
  id: '01KB0N6ZQ3Y1V9W7F8H2J4M5P6',
  title: 'Buy milk',
  completed: false,
  url: 'http://localhost/todos/01KB0N6ZQ3Y1V9W7F8H2J4M5P6',
  createdAt: '2026-11-27T13:24:25.655Z',
  updatedAt: '2026-11-27T13:24:25.655Z',
  etag: '"01KB0N6ZQ3Y1V9W7F8H2J4M5P6"',
};
const answer = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => ({
  status,
  headers: new Headers({ 'content-type': 'application/json', ...headers }),
  text: body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body),
});
const ONE = 'http://localhost/todos/01KB0N6ZQ3Y1V9W7F8H2J4M5P6';
const PUBLIC = 'http://localhost:81';
registerSystem('http://localhost', 'oidc');
registerSystem(PUBLIC, 'none');
const problemOf = (status: number) => ({
  type: 'urn:todo-api:problem:x',
  title: 'X',
  status,
  detail: 'x',
  requestId: 'r',
});
const PROBLEM = { 'content-type': 'application/problem+json' };

describe('checkAnswer', () => {
  test('passes answers the document describes', () => {
    checkAnswer('GET', ONE, answer(200, TODO, { etag: '"v1"' }));
    checkAnswer('GET', 'http://localhost/todos?limit=1', answer(200, [TODO, { ...TODO, order: 3 }], { etag: '"p"' }));
    checkAnswer('GET', ONE, { status: 304, headers: new Headers({ etag: '"v1"' }), text: '' });
    checkAnswer('POST', 'http://localhost/todos', answer(201, TODO, { etag: '"v1"', location: TODO.url }));
    checkAnswer('GET', 'http://localhost/todos', answer(401, { message: 'Unauthorized' }));
    checkAnswer('DELETE', ONE, answer(404, problemOf(404), PROBLEM));
    checkAnswer('POST', 'http://localhost/todos', answer(409, problemOf(409), { ...PROBLEM, 'retry-after': '3' }));
    checkAnswer('GET', `${PUBLIC}/todos`, answer(200, [], { etag: '"p"' }));
  });

  test("leaves preflights alone, and holds routes that do not exist to the gateway's 404", () => {
    checkAnswer('OPTIONS', ONE, answer(204, undefined));
    checkAnswer('GET', 'http://localhost/nope', answer(404, { message: 'Not Found' }));
    checkAnswer('PUT', ONE, answer(404, { message: 'Not Found' }));
    checkAnswer('HEAD', ONE, answer(404, { message: 'Not Found' }));
  });

  test('fails an undeclared status, a body that does not match, a wrong media type or header', () => {
    const refused: Array<[string, string, Answer]> = [
      ['GET', 'http://localhost/todos', answer(418, {})],
      ['GET', ONE, answer(200, { ...TODO, owner: 'leaked' })],
      ['GET', ONE, answer(200, { ...TODO, id: 'not-a-ulid' })],
      ['GET', ONE, answer(200, { ...TODO, completed: 'no' })],
      ['GET', 'http://localhost/todos', answer(200, { items: [TODO] })],
      ['GET', ONE, answer(200, TODO, { 'content-type': 'text/plain' })],
      ['GET', ONE, answer(404, { message: 'Not Found' })],
      [
        'POST',
        'http://localhost/todos',
        answer(409, {}, { 'content-type': 'application/problem+json', 'retry-after': 'soon' }),
      ],
      ['DELETE', ONE, answer(204, 'unexpected body')],
      // A required header missing: no ETag on a todo, no Location on a create.
      ['GET', ONE, answer(200, TODO)],
      ['POST', 'http://localhost/todos', answer(201, TODO, { etag: '"v1"' })],
      // A problem that names another status than the answer's.
      ['DELETE', ONE, answer(404, problemOf(500), PROBLEM)],
      // Routes or methods the document does not have, answered as if they existed.
      ['PATCH', 'http://localhost/todos', answer(200, [])],
      ['GET', `${ONE}/extra`, answer(200, TODO, { etag: '"v1"' })],
      ['HEAD', ONE, answer(200, undefined)],
      // A 401 from a system without tokens.
      ['GET', `${PUBLIC}/todos`, answer(401, { message: 'Unauthorized' })],
      // An answer from a system nobody registered.
      ['GET', 'http://localhost:82/todos', answer(200, [])],
    ];
    for (const [method, url, reply] of refused) {
      assert.throws(
        () => checkAnswer(method, url, reply),
        assert.AssertionError,
        `${method} ${url} ${reply.status} ${reply.text}`,
      );
    }
  });
});
