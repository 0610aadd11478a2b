/** The handler modules, invoked with payload v2 events, against a real dynalite. */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { TodoView } from '../../src/http/contract.js';
import type { DynamoDbClient, Item } from '../../src/store/dynamodb.js';
import { encodeCursor } from '../../src/todos/cursor.js';
import { type Invoke, importHandlers } from '../support/handlers.js';
import { startTestStore, type TestStore } from '../support/store.js';

type TodoJson = TodoView;

let store: TestStore;
let raw: DynamoDbClient;
let call: Invoke;

const create = async (body: unknown) => call({ routeKey: 'POST /todos', body });
const list = async (query = '') => call({ routeKey: 'GET /todos', query });

/** Every stored item, read straight from the table (not through the API). */
async function storedItems(): Promise<Item[]> {
  const out = await raw.send('Query', {
    TableName: store.tableName,
    KeyConditionExpression: '#o = :o',
    ExpressionAttributeNames: { '#o': 'owner' },
    ExpressionAttributeValues: { ':o': { S: 'anonymous' } },
  });
  return out.Items ?? [];
}

before(async () => {
  store = await startTestStore();
  call = await importHandlers(store.env);
  raw = store.client;
});

after(async () => {
  await store?.close();
});

beforeEach(async () => {
  assert.equal((await call({ routeKey: 'DELETE /todos' })).statusCode, 204);
});

describe('create', () => {
  test('stores exactly the validated fields under the caller, and returns 201 with Location', async () => {
    const res = await create({ title: '  Write tests  ', completed: true, order: 3 });
    assert.equal(res.statusCode, 201);
    const todo = res.json as TodoJson;
    assert.equal(res.headers?.location, `https://api.example.test/todos/${todo.id}`);
    assert.deepEqual(Object.keys(todo).sort(), [
      'completed',
      'createdAt',
      'etag',
      'id',
      'order',
      'title',
      'updatedAt',
      'url',
    ]);
    assert.equal(todo.title, 'Write tests');
    assert.equal(todo.createdAt, todo.updatedAt);
    assert.match(todo.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    const items = await storedItems();
    assert.equal(items.length, 1);
    const version = items[0]?.version?.S ?? '';
    assert.match(version, /^[A-Za-z0-9_-]{12}$/);
    // The todo's etag is its stored version, as its ETag header says.
    assert.equal(todo.etag, `"${version}"`);
    assert.equal(res.headers?.etag, `"${version}"`);
    assert.deepEqual(items[0], {
      owner: { S: 'anonymous' },
      id: { S: todo.id },
      title: { S: 'Write tests' },
      completed: { BOOL: true },
      order: { N: '3' },
      createdAt: { S: todo.createdAt },
      updatedAt: { S: todo.updatedAt },
      version: { S: version },
    });
    // The version is the ETag, and the representation does not show it.
    assert.equal(res.headers?.etag, `"${version}"`);
    assert.equal(res.headers?.['cache-control'], 'no-store');
  });

  test('a rejected body stores nothing', async () => {
    for (const body of [{ title: 'x', owner: 'mallory' }, { title: '' }, '{"title":', [1], { title: 'x', id: 'y' }]) {
      const res = await create(body);
      assert.equal(res.statusCode, 400, JSON.stringify(body));
    }
    assert.deepEqual(await storedItems(), []);
  });

  test('the tutorial route accepts {"todo": "text"}', async () => {
    const res = await call({ routeKey: 'POST /', body: { todo: 'tutorial style' } });
    assert.equal(res.statusCode, 201);
    assert.equal(res.json.title, 'tutorial style');
  });
});

describe('list', () => {
  test('returns the todos oldest first, and pages through them with the Link header', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) ids.push((await create({ title: `todo ${i}` })).json.id);

    const seen: string[] = [];
    let query = 'limit=10';
    let pages = 0;
    for (;;) {
      const res = await list(query);
      assert.equal(res.statusCode, 200);
      pages++;
      seen.push(...(res.json as TodoJson[]).map((t) => t.id));
      const link = res.headers?.link;
      if (link === undefined) break;
      const match = /^<https:\/\/api\.example\.test\/todos\?([^>]+)>; rel="next"$/.exec(String(link));
      assert.ok(match, `Link header ${link}`);
      query = match[1] ?? '';
    }
    assert.equal(pages, 3);
    assert.deepEqual(seen, ids);
  });

  test('a page that ends exactly at the last todo has no next link', async () => {
    for (let i = 0; i < 4; i++) await create({ title: `todo ${i}` });
    const res = await list('limit=4');
    assert.equal(res.json.length, 4);
    assert.equal(res.headers?.link, undefined);
  });

  test('defaults to 100 per page', async () => {
    for (let i = 0; i < 101; i++) await create({ title: `todo ${i}` });
    const res = await list();
    assert.equal(res.json.length, 100);
    assert.match(String(res.headers?.link), /limit=100&cursor=/);
  });

  test("another owner's cursor, or a tampered one, is a 400", async () => {
    const id = (await create({ title: 'a' })).json.id as string;
    await create({ title: 'b' });
    const foreign = await list(`limit=1&cursor=${encodeCursor('someone-else', id)}`);
    assert.equal(foreign.statusCode, 400);
    assert.equal(foreign.json.type, 'urn:todo-api:problem:invalid-cursor');

    const own = encodeCursor('anonymous', id);
    const tampered = `${own.slice(0, 5)}${own[5] === 'A' ? 'B' : 'A'}${own.slice(6)}`;
    assert.equal((await list(`cursor=${tampered}`)).statusCode, 400);
    assert.equal((await list(`cursor=${own}`)).statusCode, 200);
  });
});

describe('get, update, delete', () => {
  test('update changes only the sent fields and updatedAt', async () => {
    const todo = (await create({ title: 'before', order: 1 })).json as TodoJson;
    await new Promise((resolve) => setTimeout(resolve, 5));
    const res = await call({
      routeKey: 'PATCH /todos/{id}',
      pathParameters: { id: todo.id },
      body: { title: 'after' },
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json.title, 'after');
    assert.equal(res.json.order, 1);
    assert.equal(res.json.completed, false);
    assert.equal(res.json.createdAt, todo.createdAt);
    assert.ok(res.json.updatedAt > todo.updatedAt);
    const got = await call({ routeKey: 'GET /todos/{id}', pathParameters: { id: todo.id } });
    assert.deepEqual(got.json, res.json);
  });

  test('PATCH of a missing todo is 404 and creates nothing', async () => {
    const missing = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
    const res = await call({
      routeKey: 'PATCH /todos/{id}',
      pathParameters: { id: missing },
      body: { completed: true },
    });
    assert.equal(res.statusCode, 404);
    assert.equal(res.headers?.['content-type'], 'application/problem+json');
    assert.deepEqual(await storedItems(), []);
  });

  test('DELETE removes the todo; a second DELETE and a GET are 404', async () => {
    const { id } = (await create({ title: 'doomed' })).json as TodoJson;
    const del = () => call({ routeKey: 'DELETE /todos/{id}', pathParameters: { id } });
    assert.equal((await del()).statusCode, 204);
    assert.equal((await del()).statusCode, 404);
    assert.equal((await call({ routeKey: 'GET /todos/{id}', pathParameters: { id } })).statusCode, 404);
  });

  test('an id that is not a todo id is a 404, not a fault', async () => {
    for (const id of ['nope', '../../etc', '01ARZ3NDEKTSV4RRFFQ69G5FA']) {
      assert.equal((await call({ routeKey: 'GET /todos/{id}', pathParameters: { id } })).statusCode, 404);
    }
  });

  test('DELETE /todos removes every todo, across many batches', async () => {
    for (let i = 0; i < 130; i++) await create({ title: `todo ${i}` });
    assert.equal((await call({ routeKey: 'DELETE /todos' })).statusCode, 204);
    assert.deepEqual(await storedItems(), []);
  });
});
