import { StoreUnavailableError } from '../todos/errors.js';
import { backoff, type DynamoDbClient, type Item, STORE_BUDGET } from './dynamodb.js';
import { BATCH_SIZE, batchDeleteRequest, queryKeysRequest } from './requests.js';

/** How many times a batch's unprocessed deletes are sent again before giving up. */
export const MAX_BATCH_ATTEMPTS = 8;
/** Batches of one partition's deletion that run at once: fast, without bursting a cold table. */
const BATCH_CONCURRENCY = 4;

/**
 * Deletes every item of one partition (an owner's todos, or their idempotency records) and returns how many there
 * were: its keys page by page, in batches of 25, re-sending what DynamoDB leaves unprocessed.
 */
export async function deletePartition(client: DynamoDbClient, table: string, partition: string): Promise<number> {
  async function deleteBatch(ids: string[]): Promise<void> {
    let request = batchDeleteRequest(table, partition, ids);
    for (let attempt = 1; ; attempt++) {
      const output = await client.send('BatchWriteItem', request);
      const left = output.UnprocessedItems?.[table];
      if (!left || left.length === 0) return;
      if (attempt >= MAX_BATCH_ATTEMPTS) {
        // Throttled all along: the caller may send the whole deletion again (it is safe to retry: deleting what is
        // already deleted changes nothing).
        const cause = new Error(`BatchWriteItem left ${left.length} deletes unprocessed after ${attempt} attempts`);
        throw new StoreUnavailableError(STORE_BUDGET.throttledRetryAfterS, { cause });
      }
      // DynamoDB returns unprocessed items when throttled: back off before sending them again.
      await backoff(attempt, 50, 1000);
      request = { RequestItems: { [table]: left } };
    }
  }

  let deleted = 0;
  let afterId: string | undefined;
  do {
    const output = await client.send('Query', queryKeysRequest(table, partition, afterId));
    const ids = (output.Items ?? []).map(idOf);
    const batches: string[][] = [];
    for (let i = 0; i < ids.length; i += BATCH_SIZE) batches.push(ids.slice(i, i + BATCH_SIZE));
    for (let i = 0; i < batches.length; i += BATCH_CONCURRENCY) {
      await Promise.all(batches.slice(i, i + BATCH_CONCURRENCY).map(deleteBatch));
    }
    deleted += ids.length;
    afterId = output.LastEvaluatedKey ? idOf(output.LastEvaluatedKey) : undefined;
  } while (afterId !== undefined);
  return deleted;
}

/** The id of a stored key. */
export function idOf(key: Item): string {
  const id = key.id?.S;
  if (id === undefined) throw new Error('Stored item key has no id');
  return id;
}
