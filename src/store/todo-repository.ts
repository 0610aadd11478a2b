import { NotFoundError, PreconditionFailedError } from '../todos/errors.js';
import type { Todo, TodoPage, TodoRepository } from '../todos/todo.js';
import { backoff, ConditionalCheckFailedError, type DynamoDbClient, type Item } from './dynamodb.js';
import {
  BATCH_SIZE,
  batchDeleteRequest,
  deleteTodoRequest,
  fromItem,
  getTodoRequest,
  putTodoRequest,
  queryKeysRequest,
  queryTodosRequest,
  toItem,
  updateTodoRequest,
} from './requests.js';

/** How many times a batch's unprocessed deletes are sent again before giving up. */
export const MAX_BATCH_ATTEMPTS = 8;
/** Batches of one delete-all that run at once: fast, without bursting a cold table. */
const BATCH_CONCURRENCY = 4;

/** The `TodoRepository` port over one DynamoDB table. */
export function createDynamoTodoRepository(client: DynamoDbClient, table: string): TodoRepository {
  async function deleteBatch(owner: string, ids: string[]): Promise<void> {
    let request = batchDeleteRequest(table, owner, ids);
    for (let attempt = 1; ; attempt++) {
      const output = await client.send('BatchWriteItem', request);
      const left = output.UnprocessedItems?.[table];
      if (!left || left.length === 0) return;
      if (attempt >= MAX_BATCH_ATTEMPTS) {
        throw new Error(`BatchWriteItem left ${left.length} deletes unprocessed after ${attempt} attempts`);
      }
      // DynamoDB returns unprocessed items when throttled: back off before sending them again.
      await backoff(attempt, 50, 1000);
      request = { RequestItems: { [table]: left } };
    }
  }

  return {
    async create(todo: Todo): Promise<void> {
      try {
        await client.send('PutItem', putTodoRequest(table, todo));
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedError)) throw error;
        // The id is new, so a failed "does not exist yet" condition can only mean that an earlier attempt of this
        // very call was stored and its answer lost (the client retries timeouts): that is a success. DynamoDB
        // returned the stored item with the failure, so telling the two apart costs no read.
        if (!error.item || !sameItem(error.item, toItem(todo))) {
          throw new Error(`Todo id ${todo.id} is already taken by another item`, { cause: error });
        }
      }
    },

    async get(owner: string, id: string): Promise<Todo | undefined> {
      const output = await client.send('GetItem', getTodoRequest(table, owner, id));
      return output.Item ? fromItem(output.Item) : undefined;
    },

    async list(owner: string, limit: number, afterId?: string): Promise<TodoPage> {
      // One extra item tells whether another page exists, so the last page never links to an empty one.
      const output = await client.send('Query', queryTodosRequest(table, owner, limit + 1, afterId));
      const all = (output.Items ?? []).map(fromItem);
      const items = all.slice(0, limit);
      const last = items.at(-1);
      // More follow when the extra item came back, or when DynamoDB cut the page at 1 MB.
      const more = all.length > limit || (output.LastEvaluatedKey !== undefined && all.length > 0);
      return more && last ? { items, lastId: last.id } : { items };
    },

    async update(owner, id, patch, stamp, expected): Promise<Todo> {
      try {
        const output = await client.send('UpdateItem', updateTodoRequest(table, owner, id, patch, stamp, expected));
        if (!output.Attributes) throw new Error('UpdateItem returned no attributes despite ReturnValues ALL_NEW');
        return fromItem(output.Attributes);
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedError)) throw error;
        // The client retries an attempt whose answer was lost: if that attempt was applied, the stored todo carries
        // this very write's new version, and the write succeeded.
        if (error.item?.version?.S === stamp.version) return fromItem(error.item);
        throw refusal(id, error);
      }
    },

    async delete(owner, id, expected): Promise<void> {
      try {
        await client.send('DeleteItem', deleteTodoRequest(table, owner, id, expected));
      } catch (error) {
        if (error instanceof ConditionalCheckFailedError) throw refusal(id, error);
        throw error;
      }
    },

    async deleteAll(owner: string): Promise<number> {
      let deleted = 0;
      let afterId: string | undefined;
      do {
        const output = await client.send('Query', queryKeysRequest(table, owner, afterId));
        const ids = (output.Items ?? []).map(idOf);
        const batches: string[][] = [];
        for (let i = 0; i < ids.length; i += BATCH_SIZE) batches.push(ids.slice(i, i + BATCH_SIZE));
        for (let i = 0; i < batches.length; i += BATCH_CONCURRENCY) {
          await Promise.all(batches.slice(i, i + BATCH_CONCURRENCY).map((batch) => deleteBatch(owner, batch)));
        }
        deleted += ids.length;
        afterId = output.LastEvaluatedKey ? idOf(output.LastEvaluatedKey) : undefined;
      } while (afterId !== undefined);
      return deleted;
    },
  };
}

/** Why DynamoDB refused a write to an existing todo, from the item it returned: there was none, or another version. */
function refusal(id: string, error: ConditionalCheckFailedError): NotFoundError | PreconditionFailedError {
  return error.item
    ? new PreconditionFailedError(fromItem(error.item), { cause: error })
    : new NotFoundError(id, { cause: error });
}

function idOf(key: Item): string {
  const id = key.id?.S;
  if (id === undefined) throw new Error('Stored todo key has no id');
  return id;
}

/** The same attributes with the same values (DynamoDB JSON compares as text, attribute by attribute). */
function sameItem(a: Item, b: Item): boolean {
  const names = Object.keys(a);
  return names.length === Object.keys(b).length && names.every((n) => JSON.stringify(a[n]) === JSON.stringify(b[n]));
}
