import { NotFoundError, PreconditionFailedError } from '../todos/errors.js';
import type { Todo, TodoPage, TodoRepository } from '../todos/todo.js';
import { ConditionalCheckFailedError, type DynamoDbClient, type Item } from './dynamodb.js';
import { deletePartition, idOf } from './partition.js';
import {
  deleteTodoRequest,
  fromItem,
  getTodoRequest,
  putTodoRequest,
  queryTodosRequest,
  toItem,
  updateTodoRequest,
} from './requests.js';

/** Items a filtered list reads at once (most may not pass the filter). */
const FILTERED_READ = 100;
/** Reads one list request may make before it answers with what it has and a link to the rest. */
export const MAX_LIST_READS = 5;

/** The `TodoRepository` port over one DynamoDB table. */
export function createDynamoTodoRepository(client: DynamoDbClient, table: string): TodoRepository {
  return {
    // Every write below is safe for the client to send again after a lost answer; each says why.
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

    async list(owner, limit, afterId, filter = {}): Promise<TodoPage> {
      const filtered = filter.completed !== undefined;
      const found: Todo[] = [];
      let start = afterId;
      for (let read = 1; ; read++) {
        // One extra item tells whether another page exists, so the last page never links to an empty one. A
        // filtered read evaluates more at once, as many of the items it reads may not pass.
        const wanted = limit + 1 - found.length;
        const size = filtered ? Math.max(wanted, FILTERED_READ) : wanted;
        const output = await client.send('Query', queryTodosRequest(table, owner, size, start, filter));
        found.push(...(output.Items ?? []).map(fromItem));
        if (found.length > limit) {
          const items = found.slice(0, limit);
          return { items, lastId: items.at(-1)?.id ?? '' };
        }
        // DynamoDB stops at its Limit, or at 1 MB: then LastEvaluatedKey says where to go on.
        if (!output.LastEvaluatedKey) return { items: found };
        start = idOf(output.LastEvaluatedKey);
        // Each request does bounded work: past a few reads, a short page links to the rest from where it stopped.
        if (read === MAX_LIST_READS) return { items: found, lastId: start };
      }
    },

    async update(owner, id, patch, stamp, expected): Promise<Todo> {
      try {
        const output = await client.send('UpdateItem', updateTodoRequest(table, owner, id, patch, stamp, expected));
        if (!output.Attributes) throw new Error('UpdateItem returned no attributes despite ReturnValues ALL_NEW');
        return fromItem(output.Attributes);
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedError)) throw error;
        // Safe to retry: the update sets the same values and the same new version each time. Without If-Match, a
        // retry after a lost answer simply applies them again. With If-Match, the retry's condition fails on the
        // version the first attempt wrote: the stored todo carries this very write's new version, and the write
        // succeeded.
        if (error.item?.version?.S === stamp.version) return fromItem(error.item);
        throw refusal(id, error);
      }
    },

    async delete(owner, id, expected): Promise<void> {
      try {
        await client.send('DeleteItem', deleteTodoRequest(table, owner, id, expected));
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedError)) throw error;
        // Safe to retry: a delete applied twice deletes once. But when an earlier attempt may have been applied
        // (its answer was lost), the retry finds no todo, and that is this very delete's doing: done, not a 404.
        // (Had the todo never existed, 204 is still a true answer: it does not exist now.) A todo still there
        // means no attempt was applied, and its version says why (412).
        if (!error.item && error.afterUncertainAttempt) return;
        throw refusal(id, error);
      }
    },

    deleteAll: (owner) => deletePartition(client, table, owner),
  };
}

/** Why DynamoDB refused a write to an existing todo, from the item it returned: there was none, or another version. */
function refusal(id: string, error: ConditionalCheckFailedError): NotFoundError | PreconditionFailedError {
  return error.item
    ? new PreconditionFailedError(fromItem(error.item), { cause: error })
    : new NotFoundError(id, { cause: error });
}

/** The same attributes with the same values (DynamoDB JSON compares as text, attribute by attribute). */
function sameItem(a: Item, b: Item): boolean {
  const names = Object.keys(a);
  return names.length === Object.keys(b).length && names.every((n) => JSON.stringify(a[n]) === JSON.stringify(b[n]));
}
