/**
 * Pure builders of DynamoDB requests and the item mapping: no I/O here, so
 * every request the service sends is unit-tested as data.
 *
 * Table layout: partition key `owner`, sort key `id` (a ULID, so the sort
 * order is creation order). One owner's todos are one partition, and every
 * read is a Query or GetItem on it: the cost of a request is the page, not
 * the table.
 */
import type {
  AttributeValue,
  BatchWriteItemInput,
  DeleteItemInput,
  GetItemInput,
  PutItemInput,
  QueryInput,
  UpdateItemInput,
} from '@aws-sdk/client-dynamodb';
import type { Todo, TodoPatch } from '../todos/todo.js';
import type { Item } from './dynamodb.js';

/** BatchWriteItem takes at most 25 requests. */
export const BATCH_SIZE = 25;

export function toItem(todo: Todo): Item {
  const item: Item = {
    owner: { S: todo.owner },
    id: { S: todo.id },
    title: { S: todo.title },
    completed: { BOOL: todo.completed },
    createdAt: { S: todo.createdAt },
    updatedAt: { S: todo.updatedAt },
  };
  if (todo.order !== undefined) item.order = { N: String(todo.order) };
  return item;
}

/** Maps a stored item back; a malformed item is a fault (not the client's), so it throws. */
export function fromItem(item: Item): Todo {
  const todo: Todo = {
    owner: str(item, 'owner'),
    id: str(item, 'id'),
    title: str(item, 'title'),
    completed: bool(item, 'completed'),
    createdAt: str(item, 'createdAt'),
    updatedAt: str(item, 'updatedAt'),
  };
  const order = item.order;
  if (order !== undefined) {
    const value = order.N === undefined ? Number.NaN : Number(order.N);
    if (!Number.isSafeInteger(value)) throw new Error('Stored todo has a malformed order attribute');
    todo.order = value;
  }
  return todo;
}

function str(item: Item, name: string): string {
  const value = item[name]?.S;
  if (value !== undefined) return value;
  throw new Error(`Stored todo has no string attribute ${name}`);
}

function bool(item: Item, name: string): boolean {
  const value = item[name]?.BOOL;
  if (value !== undefined) return value;
  throw new Error(`Stored todo has no boolean attribute ${name}`);
}

const key = (owner: string, id: string): Item => ({ owner: { S: owner }, id: { S: id } });

/**
 * Creates, never overwrites: a second todo with the same key is refused by DynamoDB, which then returns the stored
 * item, so that a retried create can tell its own earlier write from someone else's without a second read.
 */
export function putTodoRequest(table: string, todo: Todo): PutItemInput {
  return {
    TableName: table,
    Item: toItem(todo),
    ConditionExpression: 'attribute_not_exists(#id)',
    ExpressionAttributeNames: { '#id': 'id' },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

export function getTodoRequest(table: string, owner: string, id: string): GetItemInput {
  return { TableName: table, Key: key(owner, id), ConsistentRead: true };
}

/** One page of the owner's todos, oldest first, starting after `afterId`. */
export function queryTodosRequest(table: string, owner: string, limit: number, afterId?: string): QueryInput {
  return {
    TableName: table,
    KeyConditionExpression: '#owner = :owner',
    ExpressionAttributeNames: { '#owner': 'owner' },
    ExpressionAttributeValues: { ':owner': { S: owner } },
    ScanIndexForward: true,
    ConsistentRead: true,
    Limit: limit,
    ...(afterId === undefined ? {} : { ExclusiveStartKey: key(owner, afterId) }),
  };
}

/** Only the keys of the owner's todos, for deleting them all. */
export function queryKeysRequest(table: string, owner: string, afterId?: string): QueryInput {
  return {
    TableName: table,
    KeyConditionExpression: '#owner = :owner',
    ProjectionExpression: '#id',
    ExpressionAttributeNames: { '#owner': 'owner', '#id': 'id' },
    ExpressionAttributeValues: { ':owner': { S: owner } },
    ConsistentRead: true,
    ...(afterId === undefined ? {} : { ExclusiveStartKey: key(owner, afterId) }),
  };
}

/** Changes only the patched fields and `updatedAt`; the condition makes a missing todo fail instead of appearing. */
export function updateTodoRequest(
  table: string,
  owner: string,
  id: string,
  patch: TodoPatch,
  updatedAt: string,
): UpdateItemInput {
  const names: Record<string, string> = { '#id': 'id', '#updatedAt': 'updatedAt' };
  const values: Record<string, AttributeValue> = { ':updatedAt': { S: updatedAt } };
  const sets = ['#updatedAt = :updatedAt'];
  const set = (field: keyof TodoPatch, value: AttributeValue) => {
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    sets.push(`#${field} = :${field}`);
  };
  if (patch.title !== undefined) set('title', { S: patch.title });
  if (patch.completed !== undefined) set('completed', { BOOL: patch.completed });
  if (patch.order !== undefined) set('order', { N: String(patch.order) });
  return {
    TableName: table,
    Key: key(owner, id),
    UpdateExpression: `SET ${sets.join(', ')}`,
    ConditionExpression: 'attribute_exists(#id)',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ReturnValues: 'ALL_NEW',
  };
}

/** Deletes only an existing todo, so that deleting a missing one can be told apart (404). */
export function deleteTodoRequest(table: string, owner: string, id: string): DeleteItemInput {
  return {
    TableName: table,
    Key: key(owner, id),
    ConditionExpression: 'attribute_exists(#id)',
    ExpressionAttributeNames: { '#id': 'id' },
  };
}

/** Up to 25 deletes of the owner's todos in one BatchWriteItem. */
export function batchDeleteRequest(table: string, owner: string, ids: string[]): BatchWriteItemInput {
  if (ids.length === 0 || ids.length > BATCH_SIZE) throw new RangeError(`A batch holds 1 to ${BATCH_SIZE} ids`);
  return {
    RequestItems: { [table]: ids.map((id) => ({ DeleteRequest: { Key: key(owner, id) } })) },
  };
}
