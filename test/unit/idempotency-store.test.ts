/** The DynamoDB idempotency store against a scripted client. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DynamoDbError, type Operations } from '../../src/store/dynamodb.js';
import { createDynamoIdempotencyStore } from '../../src/store/idempotency-store.js';
import { claimKeyRequest, toItem } from '../../src/store/requests.js';
import type { IdempotencyRecord } from '../../src/todos/idempotency.js';
import { conditionFailed, scripted } from '../support/scripted-client.js';

const TABLE = 'todos';
const record: IdempotencyRecord = {
  owner: 'alice',
  key: 'key-1',
  fingerprint: 'fp',
  todo: {
    owner: 'alice',
    id: '01J00000000000000000000001',
    title: 'once',
    completed: false,
    createdAt: '2026-11-27T13:00:00.000Z',
    updatedAt: '2026-11-27T13:00:00.000Z',
    version: 'v1',
  },
  state: 'in-progress',
  leaseUntil: 1_800_000_000_000,
  expiresAt: 1_800_086_400,
};
const stored = claimKeyRequest(TABLE, record, 0).Item ?? {};
const fault = new DynamoDbError('InternalServerError', 'boom', 500);

describe('idempotency store', () => {
  test('a claim that DynamoDB accepts returns nothing, in one request', async () => {
    const client = scripted({ PutItem: () => ({}) });
    assert.equal(await createDynamoIdempotencyStore(client, TABLE).claim(record, 1_800_000_000), undefined);
    assert.deepEqual(client.calls, [{ operation: 'PutItem', input: claimKeyRequest(TABLE, record, 1_800_000_000) }]);
  });

  test('a refused claim returns the record that holds the key, from the refusal itself', async () => {
    // Another call's record: its todo has another id.
    const first = { ...record.todo, id: '01KB0N6ZQ3Y1V9W7F8H2J4M5P7', title: 'first' };
    const completed = { ...stored, state: { S: 'completed' }, todo: { M: toItem(first) } };
    const client = scripted({
      PutItem: () => {
        throw conditionFailed(completed);
      },
    });
    const existing = await createDynamoIdempotencyStore(client, TABLE).claim(record, 1_800_000_000);
    assert.equal(existing?.state, 'completed');
    assert.equal(existing?.todo.title, 'first');
    assert.equal(client.calls.length, 1);
  });

  test('a refusal without a record, or any other error, is a fault', async () => {
    const bare = scripted({
      PutItem: () => {
        throw conditionFailed();
      },
    });
    await assert.rejects(createDynamoIdempotencyStore(bare, TABLE).claim(record, 0), /returned no record/);
    const broken = scripted({
      PutItem: () => {
        throw fault;
      },
    });
    await assert.rejects(createDynamoIdempotencyStore(broken, TABLE).claim(record, 0), (e) => e === fault);
  });

  test('take-over is true when the lease was still the one expected, false when another attempt moved it', async () => {
    let taken = false;
    const client = scripted({
      UpdateItem: () => {
        if (taken) throw conditionFailed(stored);
        taken = true;
        return {};
      },
    });
    const store = createDynamoIdempotencyStore(client, TABLE);
    assert.equal(await store.takeOver(record, 1_900_000_000_000), true);
    assert.equal(await store.takeOver(record, 1_900_000_000_000), false);
  });

  test('a take-over refused because it was applied already (its answer was lost, the client retried) is ours', async () => {
    const client = scripted({
      UpdateItem: () => {
        throw conditionFailed({ ...stored, leaseUntil: { N: '1900000000000' } });
      },
    });
    assert.equal(await createDynamoIdempotencyStore(client, TABLE).takeOver(record, 1_900_000_000_000), true);
    const failing = scripted({
      UpdateItem: () => {
        throw fault;
      },
    });
    await assert.rejects(createDynamoIdempotencyStore(failing, TABLE).takeOver(record, 1), (e) => e === fault);
  });

  test('complete and abandon send their conditional writes; a refused abandon is not an error', async () => {
    let updates = 0;
    const client = scripted({
      UpdateItem: () => {
        if (++updates === 2) throw conditionFailed(stored);
        return {};
      },
    });
    const store = createDynamoIdempotencyStore(client, TABLE);
    await store.complete('alice', 'key-1');
    await store.abandon('alice', 'key-1', record.leaseUntil, 1);
    assert.equal(client.calls.length, 2);
    const failing = scripted({
      UpdateItem: () => {
        throw fault;
      },
    });
    await assert.rejects(
      createDynamoIdempotencyStore(failing, TABLE).abandon('alice', 'key-1', 1, 2),
      (e) => e === fault,
    );
  });

  test("forgetting all of an owner's records deletes their partition", async () => {
    const client = scripted({
      Query: () => ({ Items: [{ id: { S: 'key-1' } }, { id: { S: 'key-2' } }] }),
      BatchWriteItem: () => ({}),
    });
    await createDynamoIdempotencyStore(client, TABLE).forgetAll('alice');
    const query = client.calls[0]?.input as Operations['Query']['input'] | undefined;
    const batch = client.calls[1]?.input as Operations['BatchWriteItem']['input'] | undefined;
    assert.deepEqual(query?.ExpressionAttributeValues, { ':owner': { S: '#idempotency#alice' } });
    assert.deepEqual(batch?.RequestItems?.[TABLE], [
      { DeleteRequest: { Key: { owner: { S: '#idempotency#alice' }, id: { S: 'key-1' } } } },
      { DeleteRequest: { Key: { owner: { S: '#idempotency#alice' }, id: { S: 'key-2' } } } },
    ]);
  });
});
