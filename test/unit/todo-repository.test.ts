/**
 * The DynamoDB repository against a scripted client: every answer DynamoDB can give, including the rare ones a
 * local store never gives (a page cut at 1 MB, throttled batches, lost answers), without a network.
 */
import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import { DynamoDbError, type Item, type Operations } from '../../src/store/dynamodb.js';
import { MAX_BATCH_ATTEMPTS } from '../../src/store/partition.js';
import { toItem } from '../../src/store/requests.js';
import { createDynamoTodoRepository, MAX_LIST_READS } from '../../src/store/todo-repository.js';
import { NotFoundError, PreconditionFailedError, StoreUnavailableError } from '../../src/todos/errors.js';
import type { Todo } from '../../src/todos/todo.js';
import { type Answer, conditionFailed, scripted } from '../support/scripted-client.js';

const TABLE = 'todos';
const OWNER = 'alice';
const AT = '2026-11-27T13:00:00.000Z';

const todo = (n: number, owner = OWNER): Todo => ({
  owner,
  id: `01J00000000000000000000${String(n).padStart(3, '0')}`,
  title: `todo ${n}`,
  completed: false,
  createdAt: AT,
  updatedAt: AT,
  version: `version${String(n).padStart(5, '0')}`,
});
const items = (from: number, count: number) => Array.from({ length: count }, (_, i) => toItem(todo(from + i)));
const key = (n: number): Item => ({ owner: { S: OWNER }, id: { S: todo(n).id } });

/** Runs `promise` while stepping mocked timers forward, so that backoff waits pass at once. */
async function withTimersRunning<T>(t: TestContext, promise: Promise<T>): Promise<T> {
  let settled = false;
  const done = promise.finally(() => {
    settled = true;
  });
  done.catch(() => undefined);
  while (!settled) {
    await new Promise((resolve) => setImmediate(resolve));
    t.mock.timers.tick(1000);
  }
  return promise;
}

describe('list', () => {
  test('asks for one more than the page and returns the page with the last id when the extra one came', async () => {
    const client = scripted({ Query: () => ({ Items: items(1, 4) }) });
    const page = await createDynamoTodoRepository(client, TABLE).list(OWNER, 3);
    assert.deepEqual(page, { items: [todo(1), todo(2), todo(3)], lastId: todo(3).id });
    assert.equal((client.calls[0]?.input as Operations['Query']['input'] | undefined)?.Limit, 4);
  });

  test('a short page without LastEvaluatedKey is the last one', async () => {
    const client = scripted({ Query: () => ({ Items: items(1, 2) }) });
    assert.deepEqual(await createDynamoTodoRepository(client, TABLE).list(OWNER, 3, todo(0).id), {
      items: [todo(1), todo(2)],
    });
    assert.deepEqual((client.calls[0]?.input as Operations['Query']['input'] | undefined)?.ExclusiveStartKey, key(0));
  });

  /**
   * A partition answering Queries as DynamoDB does: from ExclusiveStartKey, evaluating at most Limit items (and at
   * most `cutAfter`, as DynamoDB stops at 1 MB), returning those that pass the filter, and LastEvaluatedKey when
   * it stopped before the end.
   */
  function partition(todos: Todo[], cutAfter = Number.POSITIVE_INFINITY): Answer<'Query'> {
    return (input) => {
      const startId = input.ExclusiveStartKey?.id?.S;
      const rest = todos.filter((t) => startId === undefined || t.id > startId);
      const evaluated = rest.slice(0, Math.min(input.Limit ?? Number.POSITIVE_INFINITY, cutAfter));
      const completed = input.ExpressionAttributeValues?.[':completed']?.BOOL;
      const passed = evaluated.filter((t) => completed === undefined || t.completed === completed);
      const last = evaluated.at(-1);
      return {
        Items: passed.map(toItem),
        ...(last && evaluated.length < rest.length ? { LastEvaluatedKey: key(Number(last.id.slice(-3))) } : {}),
      };
    };
  }
  const many = (count: number, completed = (_n: number) => false) =>
    Array.from({ length: count }, (_, i) => ({ ...todo(i + 1), completed: completed(i + 1) }));

  test('a page DynamoDB cut short at 1 MB is filled by reading on from where it stopped', async () => {
    const todos = many(5);
    const client = scripted({ Query: partition(todos, 2) });
    assert.deepEqual(await createDynamoTodoRepository(client, TABLE).list(OWNER, 10), { items: todos });
    assert.equal(client.calls.length, 3);
    const page = await createDynamoTodoRepository(scripted({ Query: partition(todos, 2) }), TABLE).list(OWNER, 3);
    assert.deepEqual(page, { items: todos.slice(0, 3), lastId: todos[2]?.id });
  });

  test(`after ${MAX_LIST_READS} reads a short page links to the rest from where the reading stopped`, async () => {
    const todos = many(10);
    const client = scripted({ Query: partition(todos, 1) });
    assert.deepEqual(await createDynamoTodoRepository(client, TABLE).list(OWNER, 10), {
      items: todos.slice(0, MAX_LIST_READS),
      lastId: todos[MAX_LIST_READS - 1]?.id,
    });
    assert.equal(client.calls.length, MAX_LIST_READS);
  });

  test('a filtered page reads on until it has a page and one more, then links after the last it returns', async () => {
    // Every third todo is completed.
    const todos = many(30, (n) => n % 3 === 0);
    const client = scripted({ Query: partition(todos, 4) });
    const page = await createDynamoTodoRepository(client, TABLE).list(OWNER, 2, undefined, { completed: true });
    assert.deepEqual(
      page.items.map((t) => t.id),
      [todos[2]?.id, todos[5]?.id],
    );
    assert.equal(page.lastId, todos[5]?.id);
    const query = client.calls[0]?.input as Operations['Query']['input'] | undefined;
    assert.equal(query?.FilterExpression, '#completed = :completed');
    assert.equal(query?.KeyConditionExpression, '#owner = :owner');
    // A filtered read asks DynamoDB to evaluate a whole page's worth at once (it stops at 1 MB, here 4 items).
    assert.equal(query?.Limit, 100);
    const rest = await createDynamoTodoRepository(scripted({ Query: partition(todos) }), TABLE).list(
      OWNER,
      100,
      page.lastId,
      { completed: true },
    );
    assert.deepEqual(
      rest.items.map((t) => t.id),
      todos
        .filter((t) => t.completed)
        .slice(2)
        .map((t) => t.id),
    );
    assert.equal(rest.lastId, undefined);
  });

  test('an empty answer is an empty last page', async () => {
    for (const output of [{}, { Items: [] }]) {
      const client = scripted({ Query: () => output });
      assert.deepEqual(await createDynamoTodoRepository(client, TABLE).list(OWNER, 10), { items: [] });
    }
  });

  test('a malformed stored item is a fault, not a silently wrong todo', async () => {
    const broken = { ...toItem(todo(1)), completed: { S: 'yes' } };
    const client = scripted({ Query: () => ({ Items: [broken] }) });
    await assert.rejects(createDynamoTodoRepository(client, TABLE).list(OWNER, 10), /no boolean attribute completed/);
  });
});

describe('create', () => {
  test('puts the item on condition that the id is new', async () => {
    const client = scripted({ PutItem: () => ({}) });
    await createDynamoTodoRepository(client, TABLE).create(todo(1));
    assert.deepEqual(client.calls[0], {
      operation: 'PutItem',
      input: {
        TableName: TABLE,
        Item: toItem(todo(1)),
        ConditionExpression: 'attribute_not_exists(#id)',
        ExpressionAttributeNames: { '#id': 'id' },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    });
  });

  test('a refusal that returns this very item (an earlier attempt stored it) is a success, with no read', async () => {
    const client = scripted({
      PutItem: () => {
        throw conditionFailed(toItem(todo(1)));
      },
    });
    await createDynamoTodoRepository(client, TABLE).create(todo(1));
    assert.deepEqual(
      client.calls.map((c) => c.operation),
      ['PutItem'],
    );
  });

  test('a refusal over another item, or one that says nothing, is a fault with the refusal as cause', async () => {
    const other = { ...todo(1), title: 'someone else' };
    for (const item of [toItem(other), { ...toItem(todo(1)), extra: { S: 'x' } }, undefined]) {
      const refusal = conditionFailed(item);
      const client = scripted({
        PutItem: () => {
          throw refusal;
        },
      });
      await assert.rejects(createDynamoTodoRepository(client, TABLE).create(todo(1)), (error: unknown) => {
        assert.ok(error instanceof Error && !(error instanceof NotFoundError));
        assert.match(error.message, /already taken/);
        assert.equal(error.cause, refusal);
        return true;
      });
    }
  });

  test('any other error is thrown as it is', async () => {
    const throttled = new DynamoDbError('ThrottlingException', 'slow down', 400);
    const client = scripted({
      PutItem: () => {
        throw throttled;
      },
    });
    await assert.rejects(createDynamoTodoRepository(client, TABLE).create(todo(1)), (error) => error === throttled);
  });
});

describe('get', () => {
  test('maps the item, or undefined when there is none', async () => {
    let item: Item | undefined = toItem(todo(1));
    const client = scripted({ GetItem: () => (item ? { Item: item } : {}) });
    const repository = createDynamoTodoRepository(client, TABLE);
    assert.deepEqual(await repository.get(OWNER, todo(1).id), todo(1));
    item = undefined;
    assert.equal(await repository.get(OWNER, todo(1).id), undefined);
    assert.deepEqual(client.calls[0]?.input, { TableName: TABLE, Key: key(1), ConsistentRead: true });
  });
});

describe('update and delete', () => {
  const stamp = { updatedAt: '2026-11-27T14:00:00.000Z', version: 'NEWVERSION00' };

  test('update returns the todo DynamoDB returned', async () => {
    const updated = { ...todo(1), completed: true, ...stamp };
    const client = scripted({ UpdateItem: () => ({ Attributes: toItem(updated) }) });
    const repository = createDynamoTodoRepository(client, TABLE);
    assert.deepEqual(await repository.update(OWNER, todo(1).id, { completed: true }, stamp, undefined), updated);
  });

  test('the precondition goes into the write itself: one request, no read', async () => {
    const client = scripted({ UpdateItem: () => ({ Attributes: toItem(todo(1)) }), DeleteItem: () => ({}) });
    const repository = createDynamoTodoRepository(client, TABLE);
    await repository.update(OWNER, todo(1).id, { completed: true }, stamp, { oneOf: [todo(1).version] });
    await repository.delete(OWNER, todo(1).id, { oneOf: [todo(1).version] });
    assert.deepEqual(
      client.calls.map((c) => c.operation),
      ['UpdateItem', 'DeleteItem'],
    );
    for (const { input } of client.calls) {
      const request = input as Operations['UpdateItem']['input'];
      assert.match(String(request.ConditionExpression), /#version IN \(:oneOf0\)/);
      assert.deepEqual(request.ExpressionAttributeValues?.[':oneOf0'], { S: todo(1).version });
    }
  });

  test('a refusal without an item (there is no such todo) is a NotFoundError whose cause is the refusal', async () => {
    const refusal = conditionFailed();
    const client = scripted({
      UpdateItem: () => {
        throw refusal;
      },
      DeleteItem: () => {
        throw refusal;
      },
    });
    const repository = createDynamoTodoRepository(client, TABLE);
    for (const attempt of [
      () => repository.update(OWNER, todo(1).id, { completed: true }, stamp, { oneOf: ['x'] }),
      () => repository.delete(OWNER, todo(1).id, { oneOf: ['x'] }),
    ]) {
      await assert.rejects(attempt(), (error: unknown) => {
        assert.ok(error instanceof NotFoundError);
        assert.equal(error.message, `No todo with id "${todo(1).id}".`);
        assert.equal(error.cause, refusal);
        return true;
      });
    }
  });

  test('a refusal that returns another version is a PreconditionFailedError carrying the stored todo', async () => {
    const current = { ...todo(1), title: 'changed by someone else', version: 'THEIRVERSION' };
    const refusal = conditionFailed(toItem(current));
    const client = scripted({
      UpdateItem: () => {
        throw refusal;
      },
      DeleteItem: () => {
        throw refusal;
      },
    });
    const repository = createDynamoTodoRepository(client, TABLE);
    for (const attempt of [
      () => repository.update(OWNER, todo(1).id, { completed: true }, stamp, { oneOf: [todo(1).version] }),
      () => repository.delete(OWNER, todo(1).id, { oneOf: [todo(1).version] }),
    ]) {
      await assert.rejects(attempt(), (error: unknown) => {
        assert.ok(error instanceof PreconditionFailedError);
        assert.deepEqual(error.current, current);
        assert.equal(error.cause, refusal);
        return true;
      });
    }
  });

  test('a refusal that returns this very write (an earlier attempt was applied, its answer lost) is a success', async () => {
    const applied = { ...todo(1), completed: true, ...stamp };
    const client = scripted({
      UpdateItem: () => {
        throw conditionFailed(toItem(applied));
      },
    });
    const repository = createDynamoTodoRepository(client, TABLE);
    assert.deepEqual(
      await repository.update(OWNER, todo(1).id, { completed: true }, stamp, { oneOf: [todo(1).version] }),
      applied,
    );
  });

  test('a delete refused for want of a todo after an attempt that may have been applied is done (204, not 404)', async () => {
    for (const precondition of [undefined, { oneOf: [todo(1).version] }]) {
      const client = scripted({
        DeleteItem: () => {
          throw conditionFailed(undefined, true);
        },
      });
      await createDynamoTodoRepository(client, TABLE).delete(OWNER, todo(1).id, precondition);
    }
    // Without an uncertain attempt before, no todo is a 404; after one, a todo still there is not this delete's.
    const certain = scripted({
      DeleteItem: () => {
        throw conditionFailed();
      },
    });
    await assert.rejects(
      createDynamoTodoRepository(certain, TABLE).delete(OWNER, todo(1).id, undefined),
      NotFoundError,
    );
    const stillThere = scripted({
      DeleteItem: () => {
        throw conditionFailed(toItem(todo(1)), true);
      },
    });
    await assert.rejects(
      createDynamoTodoRepository(stillThere, TABLE).delete(OWNER, todo(1).id, { oneOf: ['other'] }),
      PreconditionFailedError,
    );
  });

  test('other errors are thrown as they are', async () => {
    const fault = new DynamoDbError('InternalServerError', 'boom', 500);
    const client = scripted({
      UpdateItem: () => {
        throw fault;
      },
      DeleteItem: () => {
        throw fault;
      },
    });
    const repository = createDynamoTodoRepository(client, TABLE);
    await assert.rejects(
      repository.update(OWNER, todo(1).id, { completed: true }, stamp, undefined),
      (e) => e === fault,
    );
    await assert.rejects(repository.delete(OWNER, todo(1).id, undefined), (e) => e === fault);
  });

  test('an update answer without attributes is a fault', async () => {
    const client = scripted({ UpdateItem: () => ({}) });
    await assert.rejects(
      createDynamoTodoRepository(client, TABLE).update(OWNER, todo(1).id, { completed: true }, stamp, undefined),
      /no attributes/,
    );
  });

  test('delete sends a conditional DeleteItem', async () => {
    const client = scripted({ DeleteItem: () => ({}) });
    await createDynamoTodoRepository(client, TABLE).delete(OWNER, todo(1).id, undefined);
    assert.deepEqual(client.calls[0]?.input, {
      TableName: TABLE,
      Key: key(1),
      ConditionExpression: 'attribute_exists(#id)',
      ExpressionAttributeNames: { '#id': 'id' },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });
});

describe('deleteAll', () => {
  /** Keys of `count` todos, served `pageSize` at a time with LastEvaluatedKey, as DynamoDB pages a Query. */
  function keyPages(count: number, pageSize: number): Answer<'Query'> {
    return (input) => {
      const start = input.ExclusiveStartKey ? Number(input.ExclusiveStartKey.id?.S?.slice(-3)) + 1 : 1;
      const end = Math.min(count, start + pageSize - 1);
      const page = Array.from({ length: Math.max(0, end - start + 1) }, (_, i) => ({ id: { S: todo(start + i).id } }));
      return end < count ? { Items: page, LastEvaluatedKey: key(end) } : { Items: page };
    };
  }

  test('deletes every key of every page in batches of at most 25, and counts them', async () => {
    const deleted: string[] = [];
    const client = scripted({
      Query: keyPages(130, 60),
      BatchWriteItem: (input) => {
        const writes = input.RequestItems?.[TABLE] ?? [];
        assert.ok(writes.length >= 1 && writes.length <= 25, `a batch of ${writes.length}`);
        for (const write of writes) deleted.push(String(write.DeleteRequest?.Key?.id?.S));
        return {};
      },
    });
    assert.equal(await createDynamoTodoRepository(client, TABLE).deleteAll(OWNER), 130);
    assert.deepEqual(
      deleted.sort(),
      Array.from({ length: 130 }, (_, i) => todo(i + 1).id),
    );
    assert.equal(client.calls.filter((c) => c.operation === 'Query').length, 3);
  });

  test('an owner without todos costs one Query', async () => {
    const client = scripted({ Query: () => ({ Items: [] }) });
    assert.equal(await createDynamoTodoRepository(client, TABLE).deleteAll(OWNER), 0);
    assert.equal(client.calls.length, 1);
  });

  test('unprocessed deletes are sent again, alone, until none are left', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const sent: number[] = [];
    const client = scripted({
      Query: keyPages(6, 100),
      BatchWriteItem: (input) => {
        const writes = input.RequestItems?.[TABLE] ?? [];
        sent.push(writes.length);
        // DynamoDB, throttled, processes only the first write of each batch.
        return writes.length > 1 ? { UnprocessedItems: { [TABLE]: writes.slice(1) } } : {};
      },
    });
    const repository = createDynamoTodoRepository(client, TABLE);
    assert.equal(await withTimersRunning(t, repository.deleteAll(OWNER)), 6);
    assert.deepEqual(sent, [6, 5, 4, 3, 2, 1]);
  });

  test(`gives up after ${MAX_BATCH_ATTEMPTS} attempts that leave deletes unprocessed: retry in 1 s`, async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    let attempts = 0;
    const client = scripted({
      Query: keyPages(3, 100),
      BatchWriteItem: (input) => {
        attempts++;
        return { UnprocessedItems: { [TABLE]: input.RequestItems?.[TABLE] ?? [] } };
      },
    });
    await assert.rejects(withTimersRunning(t, createDynamoTodoRepository(client, TABLE).deleteAll(OWNER)), (error) => {
      assert.ok(error instanceof StoreUnavailableError);
      assert.equal(error.retryAfterSeconds, 1);
      assert.match(
        String((error.cause as Error).message),
        new RegExp(`left 3 deletes unprocessed after ${MAX_BATCH_ATTEMPTS}`),
      );
      return true;
    });
    assert.equal(attempts, MAX_BATCH_ATTEMPTS);
  });

  test('an error from a batch is thrown as it is', async () => {
    const fault = new DynamoDbError('InternalServerError', 'boom', 500);
    const client = scripted({
      Query: keyPages(3, 100),
      BatchWriteItem: () => {
        throw fault;
      },
    });
    await assert.rejects(createDynamoTodoRepository(client, TABLE).deleteAll(OWNER), (e) => e === fault);
  });

  test('a key without an id is a fault', async () => {
    const client = scripted({ Query: () => ({ Items: [{ owner: { S: OWNER } }] }) });
    await assert.rejects(createDynamoTodoRepository(client, TABLE).deleteAll(OWNER), /no id/);
  });
});
