import type { IdempotencyRecord, IdempotencyStore } from '../todos/idempotency.js';
import { ConditionalCheckFailedError, type DynamoDbClient } from './dynamodb.js';
import { deletePartition } from './partition.js';
import {
  abandonKeyRequest,
  claimKeyRequest,
  completeKeyRequest,
  fromRecordItem,
  idempotencyPartition,
  takeOverKeyRequest,
} from './requests.js';

/** The `IdempotencyStore` port over the todos' table (in partitions of their own). */
export function createDynamoIdempotencyStore(client: DynamoDbClient, table: string): IdempotencyStore {
  /** Sends a conditional write; `false` when its condition did not hold. */
  async function conditionally(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedError) return false;
      throw error;
    }
  }

  return {
    async claim(record, nowSeconds): Promise<IdempotencyRecord | undefined> {
      try {
        await client.send('PutItem', claimKeyRequest(table, record, nowSeconds));
        return undefined;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedError)) throw error;
        // The record that holds the key came back with the refusal: no second read.
        if (!error.item) throw new Error('A refused claim returned no record', { cause: error });
        // Safe to retry: the todo id in the record was minted for this very call, so the service recognises its own
        // claim in the record a retry after a lost answer finds.
        return fromRecordItem(record.owner, error.item);
      }
    },

    async takeOver(record, leaseUntil) {
      try {
        await client.send('UpdateItem', takeOverKeyRequest(table, record, leaseUntil));
        return true;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedError)) throw error;
        // Refused because this very take-over was applied by an attempt whose answer was lost: it is ours.
        return error.item?.leaseUntil?.N === String(leaseUntil);
      }
    },

    async complete(owner, key) {
      // Safe to retry: it sets the same state again.
      await client.send('UpdateItem', completeKeyRequest(table, owner, key));
    },

    async abandon(owner, key, leaseUntil, now) {
      // Refused when another attempt has taken the key over since: then it is theirs. Safe to retry: a retry after
      // a lost answer is refused (the lease already ended), which changes nothing.
      await conditionally(() => client.send('UpdateItem', abandonKeyRequest(table, owner, key, leaseUntil, now)));
    },

    // Safe to retry: deleting what is already deleted changes nothing.
    async forgetAll(owner) {
      await deletePartition(client, table, idempotencyPartition(owner));
    },
  };
}
