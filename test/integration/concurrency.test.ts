/**
 * Versions, conditional requests and idempotent creates, through the handlers against a real dynalite: what a
 * client sees, and what the table holds.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { DynamoDbClient, Item } from '../../src/store/dynamodb.js';
import { createDynamoIdempotencyStore } from '../../src/store/idempotency-store.js';
import { idempotencyPartition, toItem } from '../../src/store/requests.js';
import { createDynamoTodoRepository } from '../../src/store/todo-repository.js';
import { PreconditionFailedError } from '../../src/todos/errors.js';
import { fingerprint } from '../../src/todos/idempotency.js';
import { createTodoService } from '../../src/todos/service.js';
import type { EventInput } from '../support/events.js';
import { type Invoke, type Invoked, importHandlers } from '../support/handlers.js';
import { startTestStore, type TestStore } from '../support/store.js';

const OWNER = 'anonymous';

let store: TestStore;
let call: Invoke;

before(async () => {
  store = await startTestStore();
  call = await importHandlers(store.env);
});

after(async () => {
  await store?.close();
});

beforeEach(async () => {
  assert.equal((await call({ routeKey: 'DELETE /todos' })).statusCode, 204);
});

/** Every item of a partition, straight from the table. */
async function partition(owner: string): Promise<Item[]> {
  const out = await store.client.send('Query', {
    TableName: store.tableName,
    KeyConditionExpression: '#o = :o',
    ExpressionAttributeNames: { '#o': 'owner' },
    ExpressionAttributeValues: { ':o': { S: owner } },
  });
  return out.Items ?? [];
}

const create = (body: unknown, headers: Record<string, string> = {}) =>
  call({ routeKey: 'POST /todos', body, headers });
const one = (id: string, input: Omit<EventInput, 'routeKey'> & { routeKey?: string } = {}) =>
  call({ routeKey: 'GET /todos/{id}', ...input, pathParameters: { id } });
const patch = (id: string, body: unknown, headers: Record<string, string> = {}) =>
  call({ routeKey: 'PATCH /todos/{id}', pathParameters: { id }, body, headers });
const remove = (id: string, headers: Record<string, string> = {}) =>
  call({ routeKey: 'DELETE /todos/{id}', pathParameters: { id }, headers });
const etagOf = (res: Invoked) => String(res.headers?.etag);

describe('ETags and If-Match', () => {
  test('every answer with a todo carries its ETag; every write changes it', async () => {
    const created = await create({ title: 'v1' });
    const tag1 = etagOf(created);
    assert.match(tag1, /^"[A-Za-z0-9_-]{12}"$/);
    const got = await one(created.json.id);
    assert.equal(etagOf(got), tag1);
    assert.equal(got.headers?.['cache-control'], 'private, no-cache');
    const changed = await patch(created.json.id, { title: 'v2' });
    assert.notEqual(etagOf(changed), tag1);
    assert.equal(etagOf(await one(created.json.id)), etagOf(changed));
  });

  test('a PATCH naming the current ETag applies; one naming an old ETag is 412 with the current one, and changes nothing', async () => {
    const { json: todo, headers } = await create({ title: 'shared' });
    const first = String(headers?.etag);
    const mine = await patch(todo.id, { title: 'mine' }, { 'if-match': first });
    assert.equal(mine.statusCode, 200);
    const stale = await patch(todo.id, { title: 'theirs' }, { 'if-match': first });
    assert.equal(stale.statusCode, 412);
    assert.equal(stale.headers?.['content-type'], 'application/problem+json');
    assert.equal(stale.json.type, 'urn:todo-api:problem:precondition-failed');
    assert.equal(etagOf(stale), etagOf(mine));
    const stored = await one(todo.id);
    assert.equal(stored.json.title, 'mine');
    assert.equal(etagOf(stored), etagOf(mine));
  });

  test('several ETags, *, and weak tags in If-Match', async () => {
    const { json: todo, headers } = await create({ title: 'x' });
    const current = String(headers?.etag);
    assert.equal((await patch(todo.id, { completed: true }, { 'if-match': `"old", ${current}` })).statusCode, 200);
    assert.equal((await patch(todo.id, { completed: false }, { 'if-match': '*' })).statusCode, 200);
    const now = etagOf(await one(todo.id));
    // A weak tag never matches for a write, even of the current version.
    assert.equal((await patch(todo.id, { completed: true }, { 'if-match': `W/${now}` })).statusCode, 412);
    assert.equal((await patch(todo.id, { completed: true }, { 'if-match': 'nonsense' })).statusCode, 400);
  });

  test('If-Match with weak tags only can never match a write: 412 for an existing todo, 404 for a missing one', async () => {
    const { json: todo, headers } = await create({ title: 'weak' });
    const weak = `W/${String(headers?.etag)}`;
    assert.equal((await remove(todo.id, { 'if-match': weak })).statusCode, 412);
    assert.equal((await patch(todo.id, { title: 'x' }, { 'if-match': weak })).statusCode, 412);
    assert.equal((await remove('01J000000000000000000000ZZ', { 'if-match': weak })).statusCode, 404);
    assert.equal((await one(todo.id)).json.title, 'weak');
  });

  test('If-None-Match on a write: it applies only if the todo is not one of the named versions (* : never)', async () => {
    const { json: todo, headers } = await create({ title: 'inm' });
    const current = String(headers?.etag);
    for (const value of [current, `W/${current}`, `"other", ${current}`, '*']) {
      const refused = await patch(todo.id, { title: 'x' }, { 'if-none-match': value });
      assert.equal(refused.statusCode, 412, value);
      assert.equal(etagOf(refused), current);
      assert.equal((await remove(todo.id, { 'if-none-match': value })).statusCode, 412, value);
    }
    assert.equal((await patch(todo.id, { title: 'y' }, { 'if-none-match': '"other"' })).statusCode, 200);
    assert.equal((await remove('01J000000000000000000000ZZ', { 'if-none-match': '*' })).statusCode, 404);
  });

  test('GET with an If-Match that does not name the current version is a 412 with the current ETag', async () => {
    const { json: todo, headers } = await create({ title: 'read' });
    const current = String(headers?.etag);
    const refused = await one(todo.id, { headers: { 'if-match': '"other"' } });
    assert.equal(refused.statusCode, 412);
    assert.equal(etagOf(refused), current);
    assert.equal((await one(todo.id, { headers: { 'if-match': current } })).statusCode, 200);
    const list = await call({ routeKey: 'GET /todos', headers: { 'if-match': '"other"' } });
    assert.equal(list.statusCode, 412);
    // Empty list elements are allowed (RFC 9110 §5.6.1.2); a malformed value is a 400.
    assert.equal((await one(todo.id, { headers: { 'if-match': `, ${current} ,` } })).statusCode, 200);
    assert.equal((await one(todo.id, { headers: { 'if-none-match': 'bare' } })).statusCode, 400);
  });

  test('DELETE honours If-Match too; a missing todo stays a 404 whatever the precondition', async () => {
    const { json: todo, headers } = await create({ title: 'doomed' });
    const first = String(headers?.etag);
    await patch(todo.id, { completed: true });
    assert.equal((await remove(todo.id, { 'if-match': first })).statusCode, 412);
    assert.equal((await one(todo.id)).statusCode, 200);
    const current = etagOf(await one(todo.id));
    assert.equal((await remove(todo.id, { 'if-match': current })).statusCode, 204);
    assert.equal((await remove(todo.id, { 'if-match': current })).statusCode, 404);
    assert.equal((await patch(todo.id, { completed: true }, { 'if-match': current })).statusCode, 404);
    assert.equal((await patch(todo.id, { completed: true }, { 'if-match': '*' })).statusCode, 404);
    assert.deepEqual(await partition(OWNER), []);
  });

  test('a todo stored before versions existed has the ETag "0" until its next write', async () => {
    const id = '01J000000000000000000000AB';
    const { version: _, ...legacy } = toItem({
      owner: OWNER,
      id,
      title: 'old',
      completed: false,
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-01T00:00:00.000Z',
      version: 'unused',
    });
    await store.client.send('PutItem', { TableName: store.tableName, Item: legacy });
    assert.equal(etagOf(await one(id)), '"0"');
    assert.equal((await patch(id, { title: 'new' }, { 'if-match': '"other"' })).statusCode, 412);
    const updated = await patch(id, { title: 'new' }, { 'if-match': '"0"' });
    assert.equal(updated.statusCode, 200);
    assert.notEqual(etagOf(updated), '"0"');
  });
});

describe('If-None-Match', () => {
  test('GET of a todo the client has is 304 with no body, until it changes', async () => {
    const { json: todo, headers } = await create({ title: 'cached' });
    const tag = String(headers?.etag);
    const fresh = await one(todo.id, { headers: { 'if-none-match': tag } });
    assert.equal(fresh.statusCode, 304);
    assert.equal(fresh.body, undefined);
    assert.equal(etagOf(fresh), tag);
    await patch(todo.id, { completed: true });
    const changed = await one(todo.id, { headers: { 'if-none-match': tag } });
    assert.equal(changed.statusCode, 200);
    assert.equal(changed.json.completed, true);
  });

  test('a list page the client has is 304; a new todo on it, or a next page appearing, makes it 200', async () => {
    await create({ title: 'a' });
    const list = (query: string, headers: Record<string, string> = {}) =>
      call({ routeKey: 'GET /todos', query, headers });
    const first = await list('limit=2');
    const tag = etagOf(first);
    assert.equal((await list('limit=2', { 'if-none-match': tag })).statusCode, 304);
    await create({ title: 'b' });
    const two = await list('limit=2', { 'if-none-match': tag });
    assert.equal(two.statusCode, 200);
    assert.equal(two.json.length, 2);
    // The same two todos, but now with a next page: another answer, another tag.
    await create({ title: 'c' });
    const withNext = await list('limit=2', { 'if-none-match': etagOf(two) });
    assert.equal(withNext.statusCode, 200);
    assert.match(String(withNext.headers?.link), /rel="next"/);
    const repeat = await list('limit=2', { 'if-none-match': etagOf(withNext) });
    assert.equal(repeat.statusCode, 304);
    assert.equal(repeat.headers?.link, withNext.headers?.link);
  });
});

describe('a lost answer to a conditional write', () => {
  test('an update applied, then retried by the client after a lost answer, is a success, not a 412', async () => {
    const { json: todo, headers } = await create({ title: 'retried' });
    const lostAnswer: DynamoDbClient = {
      async send(operation, input) {
        if (operation === 'UpdateItem') await store.client.send(operation, input);
        return store.client.send(operation, input);
      },
    };
    const service = createTodoService({ repository: createDynamoTodoRepository(lostAnswer, store.tableName) });
    const version = String(headers?.etag).slice(1, -1);
    const updated = await service.update(OWNER, todo.id, { title: 'once' }, { oneOf: [version] });
    assert.equal(updated.title, 'once');
    // A genuinely stale write still fails.
    await assert.rejects(
      service.update(OWNER, todo.id, { title: 'stale' }, { oneOf: [version] }),
      PreconditionFailedError,
    );
  });
});

describe('Idempotency-Key', () => {
  // A new key for each test, so that no test can pass on a record another one left.
  let KEY: { 'idempotency-key': string };
  let keys = 0;
  beforeEach(() => {
    KEY = { 'idempotency-key': `a4f5b1c2-0d1e-4f00-9a8b-7c6d5e4f3a${String(++keys).padStart(2, '0')}` };
  });

  test('a create repeated with the same key and body answers with the same todo and stores it once', async () => {
    const first = await create({ title: 'pay rent', order: 1 }, KEY);
    assert.equal(first.statusCode, 201);
    assert.equal(first.headers?.['idempotent-replayed'], undefined);
    // The client lost that answer and sends the same request again; the body may be spelt differently.
    const again = await call({ routeKey: 'POST /todos', body: '{ "order": 1, "title": "pay rent" }', headers: KEY });
    assert.equal(again.statusCode, 201);
    assert.equal(again.headers?.['idempotent-replayed'], 'true');
    assert.deepEqual(again.json, first.json);
    assert.equal(etagOf(again), etagOf(first));
    assert.equal(again.headers?.location, first.headers?.location);
    // The tutorial's route with the same content is the same create.
    const tutorial = await call({ routeKey: 'POST /', body: { todo: 'pay rent', order: 1 }, headers: KEY });
    assert.deepEqual(tutorial.json, first.json);
    assert.equal((await partition(OWNER)).length, 1);
    // The record is kept apart from the todos: listing never shows it.
    assert.equal((await call({ routeKey: 'GET /todos' })).json.length, 1);
    const record = (await partition(idempotencyPartition(OWNER))).find((r) => r.id?.S === KEY['idempotency-key']);
    assert.equal(record?.state?.S, 'completed');
    assert.ok(Number(record?.expiresAt?.N) > Date.now() / 1000 + 23 * 3600);
  });

  test('the same key with another body is a 422, and stores nothing', async () => {
    await create({ title: 'one' }, KEY);
    const other = await create({ title: 'two' }, KEY);
    assert.equal(other.statusCode, 422);
    assert.equal(other.json.type, 'urn:todo-api:problem:idempotency-key-reused');
    assert.equal((await partition(OWNER)).length, 1);
  });

  test('a repeat while the first is still under way is a 409 with Retry-After', async () => {
    const idempotency = createDynamoIdempotencyStore(store.client, store.tableName);
    // A first attempt that has claimed the key and holds it for a minute, but has not created its todo yet.
    const claimed = await idempotency.claim(
      {
        owner: OWNER,
        key: KEY['idempotency-key'],
        fingerprint: fingerprint({ title: 'slow', completed: false }),
        todo: {
          owner: OWNER,
          id: '01J0000000000000000000SLOW',
          title: 'slow',
          completed: false,
          createdAt: new Date().toISOString(),
          updatedAt: new Date().toISOString(),
          version: 'v',
        },
        state: 'in-progress',
        leaseUntil: Date.now() + 60_000,
        expiresAt: Math.floor(Date.now() / 1000) + 3600,
      },
      Math.floor(Date.now() / 1000),
    );
    assert.equal(claimed, undefined);
    const repeat = await create({ title: 'slow' }, KEY);
    assert.equal(repeat.statusCode, 409);
    // Retry when the first attempt's lease (a minute) runs out.
    const retryAfter = Number(repeat.headers?.['retry-after']);
    assert.ok(retryAfter > 50 && retryAfter <= 60, String(retryAfter));
    assert.equal(repeat.json.type, 'urn:todo-api:problem:idempotency-key-in-use');
    assert.deepEqual(await partition(OWNER), []);
  });

  test('a record past its day counts as absent, although dynalite never deletes it', async () => {
    const first = await create({ title: 'old' }, KEY);
    const record = (await partition(idempotencyPartition(OWNER))).find((r) => r.id?.S === KEY['idempotency-key']);
    assert.ok(record);
    await store.client.send('PutItem', {
      TableName: store.tableName,
      Item: { ...record, expiresAt: { N: String(Math.floor(Date.now() / 1000) - 1) } },
    });
    const later = await create({ title: 'old' }, KEY);
    assert.equal(later.statusCode, 201);
    assert.notEqual(later.json.id, first.json.id);
    assert.equal(later.headers?.['idempotent-replayed'], undefined);
  });

  test('an invalid key is a 400 and stores nothing', async () => {
    for (const key of ['', 'k'.repeat(256), 'ключ']) {
      const res = await create({ title: 'x' }, { 'idempotency-key': key });
      assert.equal(res.statusCode, 400, JSON.stringify(key));
      assert.equal(res.json.type, 'urn:todo-api:problem:invalid-idempotency-key');
    }
    assert.deepEqual(await partition(OWNER), []);
    const records = await partition(idempotencyPartition(OWNER));
    assert.ok(records.every((record) => record.id?.S?.startsWith('a4f5b1c2') || record.id?.S === 'lost-1'));
  });

  test('a todo write applied whose answer was lost, then failing: the 500 is retried and stores one todo', async () => {
    // The first todo PutItem is applied, then DynamoDB's answers are lost until the client gives up (a 500).
    let failures = 0;
    const unclear: DynamoDbClient = {
      async send(operation, input) {
        const result = await store.client.send(operation, input);
        const item = (input as { Item?: Item }).Item;
        if (operation === 'PutItem' && item?.owner?.S === OWNER && failures++ === 0) {
          throw new Error('socket hang up');
        }
        return result;
      },
    };
    const service = createTodoService({
      repository: createDynamoTodoRepository(unclear, store.tableName),
      idempotency: createDynamoIdempotencyStore(unclear, store.tableName),
    });
    const request = { key: KEY['idempotency-key'] };
    await assert.rejects(service.createIdempotent(OWNER, { title: 'unclear', completed: false }, request), /hang up/);
    const retried = await service.createIdempotent(OWNER, { title: 'unclear', completed: false }, request);
    assert.equal(retried.replayed, true);
    assert.deepEqual(
      (await partition(OWNER)).map((item) => item.id?.S),
      [retried.todo.id],
    );
  });

  test("DELETE /todos also deletes the caller's idempotency records, which hold copies of todos", async () => {
    await create({ title: 'kept a copy' }, KEY);
    assert.ok((await partition(idempotencyPartition(OWNER))).length > 0);
    assert.equal((await call({ routeKey: 'DELETE /todos' })).statusCode, 204);
    assert.deepEqual(await partition(idempotencyPartition(OWNER)), []);
  });

  test('a claim whose answer was lost and retried by the client is still the one create', async () => {
    const lostAnswer: DynamoDbClient = {
      async send(operation, input) {
        if (operation === 'PutItem') await store.client.send(operation, input);
        return store.client.send(operation, input);
      },
    };
    const service = createTodoService({
      repository: createDynamoTodoRepository(lostAnswer, store.tableName),
      idempotency: createDynamoIdempotencyStore(lostAnswer, store.tableName),
    });
    const created = await service.createIdempotent(OWNER, { title: 'lost', completed: false }, { key: 'lost-1' });
    assert.equal(created.replayed, false);
    assert.equal((await partition(OWNER)).length, 1);
  });
});
