/** The DynamoDB repository and the fault path, against a real dynalite. */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createHttpHandler, type RequestRecord } from '../../src/http/handler.js';
import { json } from '../../src/http/responses.js';
import {
  ConditionalCheckFailedError,
  createDynamoDbClient,
  type DynamoDbClient,
  type Operations,
} from '../../src/store/dynamodb.js';
import { createDynamoTodoRepository } from '../../src/store/todo-repository.js';
import { createTodoService } from '../../src/todos/service.js';
import { httpEvent } from '../support/events.js';
import { startTestStore, type TestStore } from '../support/store.js';

let store: TestStore;
let client: DynamoDbClient;

before(async () => {
  store = await startTestStore();
  client = store.client;
});

after(async () => {
  await store?.close();
});

describe('repository', () => {
  test("deleting all of one owner's todos leaves every other owner's", async () => {
    const todos = createTodoService({ repository: createDynamoTodoRepository(client, store.tableName) });
    for (let i = 0; i < 40; i++) await todos.create('alice', { title: `a${i}`, completed: false });
    for (let i = 0; i < 3; i++) await todos.create('bob', { title: `b${i}`, completed: false });
    assert.equal(await todos.deleteAll('alice'), 40);
    assert.equal((await todos.list('alice', 100)).items.length, 0);
    assert.deepEqual(
      (await todos.list('bob', 100)).items.map((t) => t.title),
      ['b0', 'b1', 'b2'],
    );
  });

  test("one owner cannot read, change or delete another owner's todo by id", async () => {
    const todos = createTodoService({ repository: createDynamoTodoRepository(client, store.tableName) });
    const todo = await todos.create('carol', { title: 'private', completed: false });
    await assert.rejects(todos.get('dave', todo.id), { name: 'NotFoundError' });
    await assert.rejects(todos.update('dave', todo.id, { completed: true }), { name: 'NotFoundError' });
    await assert.rejects(todos.delete('dave', todo.id), { name: 'NotFoundError' });
    assert.equal((await todos.get('carol', todo.id)).completed, false);
  });

  test('a create whose first answer was lost, and whose retry hits its own item, succeeds', async () => {
    // The client retries a timed-out PutItem; if the first attempt was stored, the retry fails its condition.
    const lostAnswer: DynamoDbClient = {
      async send(operation, input) {
        if (operation === 'PutItem') await client.send(operation, input);
        return client.send(operation, input);
      },
    };
    const todos = createTodoService({ repository: createDynamoTodoRepository(lostAnswer, store.tableName) });
    const todo = await todos.create('frank', { title: 'once', completed: false });
    assert.deepEqual(await todos.get('frank', todo.id), todo);

    // A condition failure on another item with the same key is still an error, caused by the refusal.
    const clash = createDynamoTodoRepository(client, store.tableName);
    await assert.rejects(clash.create({ ...todo, title: 'another' }), (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.match(error.message, /already taken/);
      assert.ok(error.cause instanceof ConditionalCheckFailedError);
      // The store returned what it holds with the refusal.
      assert.equal(error.cause.item?.title?.S, 'once');
      return true;
    });
  });

  test('unprocessed batch deletes are sent again until done', async () => {
    // DynamoDB may leave part of a batch unprocessed when throttled; simulate it on every other call.
    let held = 0;
    let batchCalls = 0;
    const flaky: DynamoDbClient = {
      async send(operation, input) {
        if (operation !== 'BatchWriteItem') return client.send(operation, input);
        batchCalls++;
        const request = input as Operations['BatchWriteItem']['input'];
        const [table, writes = []] = Object.entries(request.RequestItems ?? {})[0] ?? [];
        if (table && writes.length > 1 && batchCalls % 2 === 1) {
          const left = writes.slice(1);
          held += left.length;
          await client.send('BatchWriteItem', { RequestItems: { [table]: writes.slice(0, 1) } });
          return { UnprocessedItems: { [table]: left } };
        }
        return client.send(operation, input);
      },
    };
    const todos = createTodoService({ repository: createDynamoTodoRepository(flaky, store.tableName) });
    for (let i = 0; i < 30; i++) await todos.create('erin', { title: `e${i}`, completed: false });
    assert.equal(await todos.deleteAll('erin'), 30);
    assert.ok(held > 0 && batchCalls > 2, 'some deletes were held back and retried');
    assert.equal((await todos.list('erin', 100)).items.length, 0);
  });
});

describe('faults', () => {
  test('a store that cannot be reached gives a 503 with Retry-After and the request id, and leaks nothing', async () => {
    // A port with nothing listening: the connection is refused.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));

    const broken = createDynamoDbClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 2,
    });
    const todos = createTodoService({ repository: createDynamoTodoRepository(broken, 'todos') });
    const reported: RequestRecord[] = [];
    const handler = createHttpHandler({ authMode: 'none' }, (record) => reported.push(record))(async ({ owner }) =>
      json(200, await todos.list(owner, 10)),
    );
    const event = httpEvent({ routeKey: 'GET /todos' });
    const res = await handler(event);

    assert.equal(res.statusCode, 503);
    assert.equal(res.headers?.['retry-after'], '2');
    const body = JSON.parse(String(res.body));
    assert.equal(body.requestId, event.requestContext.requestId);
    assert.equal(body.title, 'Service Unavailable');
    assert.equal(body.type, 'urn:todo-api:problem:unavailable');
    assert.ok(!String(res.body).includes('ECONNREFUSED'));
    assert.ok(!String(res.body).includes(String(port)));
    // The operator learns what happened (src/telemetry.ts logs it as a warning); the client only when to retry.
    assert.equal(reported.length, 1);
    assert.equal(reported[0]?.status, 503);
    assert.match(String((reported[0]?.fault as Error | undefined)?.cause), /ECONNREFUSED/);
  });
});
