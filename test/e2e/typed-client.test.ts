/**
 * The OpenAPI document used for real by a real generator: a client typed by openapi-typescript (from the document,
 * test/support/api-types.ts) and driven by openapi-fetch, against the local system with a token. Its calls compile
 * only if the document describes them, and its answers are held to the document like every other.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import createClient from 'openapi-fetch';
import type { paths } from '../support/api-types.js';
import { checkAnswer } from '../support/contract.js';
import { useLocalSystem } from './support.js';

let client: ReturnType<typeof createClient<paths>>;
let base: string;

useLocalSystem('oidc', async (system) => {
  base = system.url;
  const token = await system.issueToken('typed-client');
  client = createClient<paths>({
    baseUrl: base,
    headers: { authorization: `Bearer ${token}` },
    fetch: async (request) => {
      const response = await fetch(request);
      checkAnswer(request.method, request.url, {
        status: response.status,
        headers: response.headers,
        text: await response.clone().text(),
      });
      return response;
    },
  });
});

describe('a client generated from the OpenAPI document', () => {
  it('creates, lists, reads, updates with If-Match and deletes, all typed', async () => {
    const created = await client.POST('/todos', {
      body: { title: 'typed', order: 2 },
      params: { header: { 'Idempotency-Key': 'typed-client-1' } },
    });
    assert.equal(created.response.status, 201);
    assert.ok(created.data);
    const todo = created.data;
    assert.equal(todo.title, 'typed');
    const etag = created.response.headers.get('etag') ?? '';

    const listed = await client.GET('/todos', { params: { query: { limit: 10, completed: false } } });
    assert.deepEqual(
      listed.data?.map((t) => t.id),
      [todo.id],
    );

    const read = await client.GET('/todos/{id}', { params: { path: { id: todo.id } } });
    assert.deepEqual(read.data, todo);

    const updated = await client.PATCH('/todos/{id}', {
      params: { path: { id: todo.id }, header: { 'If-Match': etag } },
      body: { completed: true, order: null },
    });
    assert.equal(updated.data?.completed, true);
    assert.equal(updated.data?.order, undefined);

    // The same If-Match again is stale: the error is the document's problem type.
    const stale = await client.PATCH('/todos/{id}', {
      params: { path: { id: todo.id }, header: { 'If-Match': etag } },
      body: { title: 'stale' },
    });
    assert.equal(stale.response.status, 412);
    assert.ok(stale.error && 'type' in stale.error, 'a problem document, not a gateway message');
    assert.equal(stale.error.type, 'urn:todo-api:problem:precondition-failed');

    const deleted = await client.DELETE('/todos/{id}', { params: { path: { id: todo.id } } });
    assert.equal(deleted.response.status, 204);
    const gone = await client.GET('/todos/{id}', { params: { path: { id: todo.id } } });
    assert.equal(gone.response.status, 404);
    assert.ok(gone.error && 'status' in gone.error);
    assert.equal(gone.error.status, 404);
  });

  it('reads the index and the document of the public routes', async () => {
    const index = await client.GET('/');
    assert.ok(typeof index.data === 'object', 'JSON, not the page for browsers');
    assert.equal(index.data.todos, `${base}/todos`);
    const document = await client.GET('/openapi.json');
    assert.equal(document.response.status, 200);
  });
});
