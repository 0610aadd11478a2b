import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Item } from '../../src/store/dynamodb.js';
import {
  abandonKeyRequest,
  BATCH_SIZE,
  batchDeleteRequest,
  claimKeyRequest,
  completeKeyRequest,
  deleteTodoRequest,
  fromItem,
  fromRecordItem,
  getTodoRequest,
  idempotencyPartition,
  putTodoRequest,
  queryKeysRequest,
  queryTodosRequest,
  takeOverKeyRequest,
  toItem,
  updateTodoRequest,
} from '../../src/store/requests.js';
import type { IdempotencyRecord } from '../../src/todos/idempotency.js';
import { LEGACY_VERSION, type Todo } from '../../src/todos/todo.js';

const TABLE = 'todo-api-test-todos';
const OWNER = 'anonymous';
const ID = '01J0000000000000000000000A';
const AT = '2026-11-27T13:00:00.000Z';

const todo: Todo = {
  owner: OWNER,
  id: ID,
  title: 'Buy milk',
  completed: false,
  createdAt: AT,
  updatedAt: '2026-11-27T13:05:00.000Z',
  version: 'v1v1v1v1v1v1',
};

describe('toItem / fromItem', () => {
  test('map a todo without order to DynamoDB JSON and back', () => {
    const item = toItem(todo);
    assert.deepEqual(item, {
      owner: { S: OWNER },
      id: { S: ID },
      title: { S: 'Buy milk' },
      completed: { BOOL: false },
      createdAt: { S: AT },
      updatedAt: { S: '2026-11-27T13:05:00.000Z' },
      version: { S: 'v1v1v1v1v1v1' },
    });
    const back = fromItem(item);
    assert.deepEqual(back, todo);
    assert.equal(Object.hasOwn(back, 'order'), false);
  });

  test('map a todo with order (including 0 and negatives) and back', () => {
    for (const order of [0, 5, -3, 2 ** 40]) {
      const withOrder: Todo = { ...todo, completed: true, order };
      const item = toItem(withOrder);
      assert.deepEqual(item.order, { N: String(order) });
      assert.deepEqual(item.completed, { BOOL: true });
      assert.deepEqual(fromItem(item), withOrder);
    }
  });

  test('keep titles with any characters', () => {
    const odd: Todo = { ...todo, title: 'ünïcödé 😀 "quotes" \\ \n new line' };
    assert.deepEqual(fromItem(toItem(odd)), odd);
  });

  test('a todo stored before versions existed has the legacy version', () => {
    const { version: _, ...old } = toItem(todo);
    assert.deepEqual(fromItem(old), { ...todo, version: LEGACY_VERSION });
    assert.throws(() => fromItem({ ...old, version: { N: '1' } }), /version/);
  });

  test('fromItem throws on a malformed item', () => {
    const good = toItem(todo);
    const without = (name: string): Item => Object.fromEntries(Object.entries(good).filter(([key]) => key !== name));
    for (const name of ['owner', 'id', 'title', 'completed', 'createdAt', 'updatedAt']) {
      assert.throws(() => fromItem(without(name)), Error, `missing ${name}`);
    }
    assert.throws(() => fromItem({ ...good, title: { N: '1' } }), /title/);
    assert.throws(() => fromItem({ ...good, completed: { S: 'true' } }), /completed/);
    assert.throws(() => fromItem({ ...good, id: { NULL: true } }), /id/);
    assert.throws(() => fromItem({}), Error);
  });

  test('fromItem throws on an order that is not a number', () => {
    // The service only ever stores order as N; anything else is a malformed item, not a todo without order.
    const good = toItem({ ...todo, order: 1 });
    assert.throws(() => fromItem({ ...good, order: { S: '1' } }), /order/);
    assert.throws(() => fromItem({ ...good, order: { BOOL: true } }), /order/);
  });
});

describe('request builders', () => {
  test('putTodoRequest creates, never overwrites, and asks for what is stored when refused', () => {
    assert.deepEqual(putTodoRequest(TABLE, todo), {
      TableName: TABLE,
      Item: toItem(todo),
      ConditionExpression: 'attribute_not_exists(#id)',
      ExpressionAttributeNames: { '#id': 'id' },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  test('getTodoRequest is a consistent read of the owner and id', () => {
    assert.deepEqual(getTodoRequest(TABLE, OWNER, ID), {
      TableName: TABLE,
      Key: { owner: { S: OWNER }, id: { S: ID } },
      ConsistentRead: true,
    });
  });

  test("queryTodosRequest reads one page of the owner's partition, oldest first", () => {
    const first = queryTodosRequest(TABLE, OWNER, 11);
    assert.deepEqual(first, {
      TableName: TABLE,
      KeyConditionExpression: '#owner = :owner',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':owner': { S: OWNER } },
      ScanIndexForward: true,
      ConsistentRead: true,
      Limit: 11,
    });
    assert.equal(Object.hasOwn(first, 'ExclusiveStartKey'), false);

    assert.deepEqual(queryTodosRequest(TABLE, 'bob', 101, ID), {
      TableName: TABLE,
      KeyConditionExpression: '#owner = :owner',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':owner': { S: 'bob' } },
      ScanIndexForward: true,
      ConsistentRead: true,
      Limit: 101,
      ExclusiveStartKey: { owner: { S: 'bob' }, id: { S: ID } },
    });
  });

  test('a filtered query keeps to the partition and filters on completed', () => {
    const request = queryTodosRequest(TABLE, OWNER, 100, ID, { completed: false });
    assert.equal(request.KeyConditionExpression, '#owner = :owner');
    assert.equal(request.FilterExpression, '#completed = :completed');
    assert.deepEqual(request.ExpressionAttributeNames, { '#owner': 'owner', '#completed': 'completed' });
    assert.deepEqual(request.ExpressionAttributeValues, { ':owner': { S: OWNER }, ':completed': { BOOL: false } });
    assert.equal(Object.hasOwn(queryTodosRequest(TABLE, OWNER, 10, ID, {}), 'FilterExpression'), false);
  });

  test("queryKeysRequest reads only the ids of the owner's partition", () => {
    const first = queryKeysRequest(TABLE, OWNER);
    assert.deepEqual(first, {
      TableName: TABLE,
      KeyConditionExpression: '#owner = :owner',
      ProjectionExpression: '#id',
      ExpressionAttributeNames: { '#owner': 'owner', '#id': 'id' },
      ExpressionAttributeValues: { ':owner': { S: OWNER } },
      ConsistentRead: true,
    });
    assert.equal(Object.hasOwn(first, 'ExclusiveStartKey'), false);
    assert.deepEqual(queryKeysRequest(TABLE, OWNER, ID).ExclusiveStartKey, {
      owner: { S: OWNER },
      id: { S: ID },
    });
  });

  test('updateTodoRequest sets only the patched fields, updatedAt and a new version on an existing todo', () => {
    const stamp = { updatedAt: '2026-11-28T00:00:00.000Z', version: 'NEWVERSION00' };
    assert.deepEqual(updateTodoRequest(TABLE, OWNER, ID, { completed: true }, stamp, undefined), {
      TableName: TABLE,
      Key: { owner: { S: OWNER }, id: { S: ID } },
      UpdateExpression: 'SET #updatedAt = :updatedAt, #version = :version, #completed = :completed',
      ConditionExpression: 'attribute_exists(#id)',
      ExpressionAttributeNames: {
        '#id': 'id',
        '#updatedAt': 'updatedAt',
        '#version': 'version',
        '#completed': 'completed',
      },
      ExpressionAttributeValues: {
        ':updatedAt': { S: stamp.updatedAt },
        ':version': { S: stamp.version },
        ':completed': { BOOL: true },
      },
      ReturnValues: 'ALL_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });

    const all = updateTodoRequest(TABLE, OWNER, ID, { title: 'New', completed: false, order: 0 }, stamp, undefined);
    assert.equal(
      all.UpdateExpression,
      'SET #updatedAt = :updatedAt, #version = :version, #title = :title, #completed = :completed, #order = :order',
    );
    assert.deepEqual(all.ExpressionAttributeValues, {
      ':updatedAt': { S: stamp.updatedAt },
      ':version': { S: stamp.version },
      ':title': { S: 'New' },
      ':completed': { BOOL: false },
      ':order': { N: '0' },
    });

    // A null order removes the attribute.
    const cleared = updateTodoRequest(TABLE, OWNER, ID, { order: null }, stamp, undefined);
    assert.equal(cleared.UpdateExpression, 'SET #updatedAt = :updatedAt, #version = :version REMOVE #order');
    assert.equal(cleared.ExpressionAttributeNames?.['#order'], 'order');
    assert.equal(Object.hasOwn(cleared.ExpressionAttributeValues ?? {}, ':order'), false);

    const title = updateTodoRequest(TABLE, OWNER, ID, { title: 'Only' }, stamp, undefined);
    // Server-owned fields are never written by an update.
    assert.doesNotMatch(title.UpdateExpression ?? '', /createdAt|owner|#id =/);
  });

  test("a write's precondition is checked in its own condition, with only the names it uses", () => {
    const stamp = { updatedAt: AT, version: 'NEWVERSION00' };
    const one = updateTodoRequest(TABLE, OWNER, ID, { completed: true }, stamp, { oneOf: ['abc'] });
    assert.equal(one.ConditionExpression, 'attribute_exists(#id) AND #version IN (:oneOf0)');
    assert.deepEqual(one.ExpressionAttributeValues?.[':oneOf0'], { S: 'abc' });
    assert.equal(one.ExpressionAttributeNames?.['#version'], 'version');

    const two = deleteTodoRequest(TABLE, OWNER, ID, { oneOf: ['abc', 'def'] });
    assert.deepEqual(two, {
      TableName: TABLE,
      Key: { owner: { S: OWNER }, id: { S: ID } },
      ConditionExpression: 'attribute_exists(#id) AND #version IN (:oneOf0, :oneOf1)',
      ExpressionAttributeNames: { '#id': 'id', '#version': 'version' },
      ExpressionAttributeValues: { ':oneOf0': { S: 'abc' }, ':oneOf1': { S: 'def' } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });

    const both = deleteTodoRequest(TABLE, OWNER, ID, { oneOf: ['a'], noneOf: ['b', LEGACY_VERSION] });
    assert.equal(
      both.ConditionExpression,
      'attribute_exists(#id) AND #version IN (:oneOf0) AND NOT (#version IN (:noneOf0) OR attribute_not_exists(#version))',
    );
    assert.deepEqual(both.ExpressionAttributeValues, { ':oneOf0': { S: 'a' }, ':noneOf0': { S: 'b' } });
  });

  test('the legacy version matches a todo stored without one; an empty list or If-None-Match * matches nothing', () => {
    assert.equal(
      deleteTodoRequest(TABLE, OWNER, ID, { oneOf: [LEGACY_VERSION] }).ConditionExpression,
      'attribute_exists(#id) AND attribute_not_exists(#version)',
    );
    assert.equal(
      deleteTodoRequest(TABLE, OWNER, ID, { oneOf: ['abc', LEGACY_VERSION] }).ConditionExpression,
      'attribute_exists(#id) AND (#version IN (:oneOf0) OR attribute_not_exists(#version))',
    );
    for (const impossible of [{ oneOf: [] }, { noneOf: 'any' as const }]) {
      const none = deleteTodoRequest(TABLE, OWNER, ID, impossible);
      assert.equal(none.ConditionExpression, 'attribute_exists(#id) AND attribute_not_exists(#id)');
      // DynamoDB refuses names and values that the expressions do not use.
      assert.deepEqual(none.ExpressionAttributeNames, { '#id': 'id' });
      assert.equal(Object.hasOwn(none, 'ExpressionAttributeValues'), false);
    }
  });

  test('deleteTodoRequest deletes only an existing todo, and returns it when refused', () => {
    assert.deepEqual(deleteTodoRequest(TABLE, OWNER, ID, undefined), {
      TableName: TABLE,
      Key: { owner: { S: OWNER }, id: { S: ID } },
      ConditionExpression: 'attribute_exists(#id)',
      ExpressionAttributeNames: { '#id': 'id' },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  test('batchDeleteRequest holds 1 to 25 deletes of the owner', () => {
    assert.equal(BATCH_SIZE, 25);
    assert.throws(() => batchDeleteRequest(TABLE, OWNER, []), RangeError);
    const ids = Array.from({ length: 26 }, (_, i) => `01J00000000000000000000${String(i).padStart(3, '0')}`);
    assert.throws(() => batchDeleteRequest(TABLE, OWNER, ids), RangeError);

    const one = batchDeleteRequest(TABLE, OWNER, [ID]);
    assert.deepEqual(one, {
      RequestItems: { [TABLE]: [{ DeleteRequest: { Key: { owner: { S: OWNER }, id: { S: ID } } } }] },
    });

    const full = batchDeleteRequest(TABLE, OWNER, ids.slice(0, 25));
    assert.deepEqual(Object.keys(full.RequestItems ?? {}), [TABLE]);
    assert.deepEqual(
      full.RequestItems?.[TABLE],
      ids.slice(0, 25).map((id) => ({ DeleteRequest: { Key: { owner: { S: OWNER }, id: { S: id } } } })),
    );
  });

  test('no builder produces a Scan or reads outside the owner partition', () => {
    const requests: object[] = [
      putTodoRequest(TABLE, todo),
      getTodoRequest(TABLE, OWNER, ID),
      queryTodosRequest(TABLE, OWNER, 10),
      queryTodosRequest(TABLE, OWNER, 10, ID),
      queryKeysRequest(TABLE, OWNER),
      queryKeysRequest(TABLE, OWNER, ID),
      updateTodoRequest(
        TABLE,
        OWNER,
        ID,
        { title: 'x', completed: true, order: 1 },
        { updatedAt: AT, version: 'v' },
        { oneOf: ['a'] },
      ),
      deleteTodoRequest(TABLE, OWNER, ID, { oneOf: ['a'] }),
      batchDeleteRequest(TABLE, OWNER, [ID]),
    ];
    for (const request of requests) {
      const text = JSON.stringify(request);
      // Scan-only parameters; a Query always has a KeyConditionExpression on the owner.
      for (const scanOnly of ['Segment', 'TotalSegments', 'ScanFilter', 'FilterExpression', 'IndexName']) {
        assert.equal(text.includes(`"${scanOnly}"`), false, `${scanOnly} in ${text}`);
      }
      assert.match(text, /"owner"/, `no owner in ${text}`);
      if (text.includes('"Limit"') || text.includes('"ProjectionExpression"')) {
        assert.match(text, /"KeyConditionExpression":"#owner = :owner"/);
      }
    }
  });

  test('no source file sends a Scan', () => {
    const src = fileURLToPath(new URL('../../src', import.meta.url));
    const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
    assert.ok(files.length > 10, `found only ${files.length} source files`);
    for (const file of files) {
      const text = readFileSync(join(src, file), 'utf8');
      assert.doesNotMatch(text, /['"`]Scan['"`]/, file);
      assert.doesNotMatch(text, /dynamodb:Scan/, file);
    }
  });
});

describe('idempotency records', () => {
  const record: IdempotencyRecord = {
    owner: OWNER,
    key: 'key-1',
    fingerprint: 'fp',
    todo,
    state: 'in-progress',
    leaseUntil: 1_800_000_000_000,
    expiresAt: 1_800_086_400,
  };
  const recordKey = { owner: { S: '#idempotency#anonymous' }, id: { S: 'key-1' } };

  test("live in a partition of their own per owner, which no owner's todos can share", () => {
    assert.equal(idempotencyPartition('https://issuer.example.com#sub'), '#idempotency#https://issuer.example.com#sub');
    assert.notEqual(idempotencyPartition(OWNER), OWNER);
  });

  test('a claim puts the record unless one that has not expired holds the key, and returns that one', () => {
    assert.deepEqual(claimKeyRequest(TABLE, record, 1_800_000_000), {
      TableName: TABLE,
      Item: {
        ...recordKey,
        fingerprint: { S: 'fp' },
        state: { S: 'in-progress' },
        todo: { M: toItem(todo) },
        leaseUntil: { N: '1800000000000' },
        expiresAt: { N: '1800086400' },
      },
      ConditionExpression: 'attribute_not_exists(#id) OR #expiresAt < :now',
      ExpressionAttributeNames: { '#id': 'id', '#expiresAt': 'expiresAt' },
      ExpressionAttributeValues: { ':now': { N: '1800000000' } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  test('take-over, completion and abandoning are conditional on the state and lease they expect', () => {
    const takeOver = takeOverKeyRequest(TABLE, record, 1_900_000_000_000);
    assert.deepEqual(takeOver.Key, recordKey);
    assert.equal(takeOver.ConditionExpression, '#state = :inProgress AND #leaseUntil = :old');
    assert.deepEqual(takeOver.ExpressionAttributeValues, {
      ':new': { N: '1900000000000' },
      ':old': { N: '1800000000000' },
      ':inProgress': { S: 'in-progress' },
    });
    const complete = completeKeyRequest(TABLE, OWNER, 'key-1');
    assert.equal(complete.UpdateExpression, 'SET #state = :completed');
    assert.equal(complete.ConditionExpression, 'attribute_exists(#id)');
    const abandon = abandonKeyRequest(TABLE, OWNER, 'key-1', record.leaseUntil, 1_800_000_000_500);
    assert.deepEqual(abandon.Key, recordKey);
    assert.equal(abandon.UpdateExpression, 'SET #leaseUntil = :now');
    assert.equal(abandon.ConditionExpression, '#state = :inProgress AND #leaseUntil = :lease');
    assert.deepEqual(abandon.ExpressionAttributeValues?.[':now'], { N: '1800000000500' });
  });

  test('a stored record maps back; a malformed one is a fault', () => {
    const item = claimKeyRequest(TABLE, record, 0).Item ?? {};
    assert.deepEqual(fromRecordItem(OWNER, item), record);
    assert.deepEqual(fromRecordItem(OWNER, { ...item, state: { S: 'completed' } }).state, 'completed');
    assert.throws(() => fromRecordItem(OWNER, { ...item, state: { S: 'done' } }), /unknown state/);
    assert.throws(() => fromRecordItem(OWNER, { ...item, todo: { S: 'x' } }), /no todo/);
    assert.throws(() => fromRecordItem(OWNER, { ...item, leaseUntil: { S: '1' } }), /leaseUntil/);
  });
});
