/**
 * Pure builders of DynamoDB requests and the item mapping: no I/O here, so
 * every request the service sends is unit-tested as data.
 *
 * Table layout: partition key `owner`, sort key `id` (a ULID, so the sort
 * order is creation order). One owner's todos are one partition, and every
 * read is a Query or GetItem on it: the cost of a request is the page, not
 * the table. Idempotency records live in the same table, in a partition of
 * their own per owner (see `idempotencyPartition`), so no todo query meets them.
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
import type { IdempotencyRecord } from '../todos/idempotency.js';
import {
  LEGACY_VERSION,
  type Todo,
  type TodoFilter,
  type TodoPatch,
  type VersionPrecondition,
  type WriteStamp,
} from '../todos/todo.js';
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
    version: { S: todo.version },
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
    // Todos stored before versions existed have none until their next write.
    version: item.version === undefined ? LEGACY_VERSION : str(item, 'version'),
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
  throw new Error(`Stored item has no string attribute ${name}`);
}

function num(item: Item, name: string): number {
  const value = Number(item[name]?.N);
  if (Number.isSafeInteger(value)) return value;
  throw new Error(`Stored item has no integer attribute ${name}`);
}

function bool(item: Item, name: string): boolean {
  const value = item[name]?.BOOL;
  if (value !== undefined) return value;
  throw new Error(`Stored item has no boolean attribute ${name}`);
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

/**
 * Up to `limit` of the owner's todos, oldest first, starting after `afterId`. With a filter, DynamoDB still reads
 * `limit` items of the partition and returns those that pass: the repository asks again until the page is full.
 */
export function queryTodosRequest(
  table: string,
  owner: string,
  limit: number,
  afterId?: string,
  filter: TodoFilter = {},
): QueryInput {
  const names: Record<string, string> = { '#owner': 'owner' };
  const values: Record<string, AttributeValue> = { ':owner': { S: owner } };
  const request: QueryInput = {
    TableName: table,
    KeyConditionExpression: '#owner = :owner',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ScanIndexForward: true,
    ConsistentRead: true,
    Limit: limit,
    ...(afterId === undefined ? {} : { ExclusiveStartKey: key(owner, afterId) }),
  };
  if (filter.completed !== undefined) {
    names['#completed'] = 'completed';
    values[':completed'] = { BOOL: filter.completed };
    request.FilterExpression = '#completed = :completed';
  }
  return request;
}

/** Only the keys of a partition (an owner's todos, or their idempotency records), for deleting them all. */
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

/** DynamoDB condition text and the names and values it uses. */
interface Condition {
  expression: string;
  names: Record<string, string>;
  values: Record<string, AttributeValue>;
}

/** `#version IN (...)` for the versions (a todo stored before versions existed has none: the legacy version). */
function versionIn(versions: readonly string[], prefix: string, values: Record<string, AttributeValue>): string {
  const stored = versions.filter((version) => version !== LEGACY_VERSION);
  const alternatives: string[] = [];
  if (stored.length > 0) {
    const placeholders = stored.map((version, i) => {
      values[`:${prefix}${i}`] = { S: version };
      return `:${prefix}${i}`;
    });
    alternatives.push(`#version IN (${placeholders.join(', ')})`);
  }
  if (stored.length < versions.length) alternatives.push('attribute_not_exists(#version)');
  // No version can match: a condition that contradicts the attribute_exists(#id) it is joined to.
  if (alternatives.length === 0) return 'attribute_not_exists(#id)';
  return alternatives.length === 1 ? (alternatives[0] ?? '') : `(${alternatives.join(' OR ')})`;
}

/**
 * The condition of a write to an existing todo: that it exists (a write never creates one) and that its version
 * satisfies the client's precondition. Checked by DynamoDB in the write itself, so nothing can slip in between a
 * check and the write; when it fails, DynamoDB returns the stored item, which says why.
 */
function existingTodoCondition(precondition: VersionPrecondition | undefined): Condition {
  const values: Record<string, AttributeValue> = {};
  const parts = ['attribute_exists(#id)'];
  if (precondition?.oneOf) parts.push(versionIn(precondition.oneOf, 'oneOf', values));
  if (precondition?.noneOf === 'any') parts.push('attribute_not_exists(#id)');
  else if (precondition?.noneOf) parts.push(`NOT ${versionIn(precondition.noneOf, 'noneOf', values)}`);
  const expression = parts.join(' AND ');
  const names: Record<string, string> = { '#id': 'id' };
  // DynamoDB refuses a name the expressions do not use.
  if (expression.includes('#version')) names['#version'] = 'version';
  return { expression, names, values };
}

/** Changes only the patched fields, `updatedAt` and the version; never creates a todo. */
export function updateTodoRequest(
  table: string,
  owner: string,
  id: string,
  patch: TodoPatch,
  stamp: WriteStamp,
  precondition: VersionPrecondition | undefined,
): UpdateItemInput {
  const { expression: condition, names, values } = existingTodoCondition(precondition);
  const sets: string[] = [];
  const set = (field: string, value: AttributeValue) => {
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    sets.push(`#${field} = :${field}`);
  };
  set('updatedAt', { S: stamp.updatedAt });
  set('version', { S: stamp.version });
  if (patch.title !== undefined) set('title', { S: patch.title });
  if (patch.completed !== undefined) set('completed', { BOOL: patch.completed });
  if (patch.order !== undefined && patch.order !== null) set('order', { N: String(patch.order) });
  // A null order removes the attribute: the todo has no order, as if it never had one.
  const removes = patch.order === null ? ' REMOVE #order' : '';
  if (removes) names['#order'] = 'order';
  return {
    TableName: table,
    Key: key(owner, id),
    UpdateExpression: `SET ${sets.join(', ')}${removes}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ReturnValues: 'ALL_NEW',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/** Deletes only an existing todo (so a missing one is told apart: 404) whose version satisfies the precondition. */
export function deleteTodoRequest(
  table: string,
  owner: string,
  id: string,
  precondition: VersionPrecondition | undefined,
): DeleteItemInput {
  const { expression: condition, names, values } = existingTodoCondition(precondition);
  return {
    TableName: table,
    Key: key(owner, id),
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/** Up to 25 deletes of a partition's items in one BatchWriteItem. */
export function batchDeleteRequest(table: string, owner: string, ids: string[]): BatchWriteItemInput {
  if (ids.length === 0 || ids.length > BATCH_SIZE) throw new RangeError(`A batch holds 1 to ${BATCH_SIZE} ids`);
  return {
    RequestItems: { [table]: ids.map((id) => ({ DeleteRequest: { Key: key(owner, id) } })) },
  };
}

/**
 * The partition of an owner's idempotency records. Owners begin with a letter (`anonymous`, or an issuer URL), so
 * no owner's todo partition can be this one.
 */
export function idempotencyPartition(owner: string): string {
  return `#idempotency#${owner}`;
}

const IN_PROGRESS = 'in-progress';
const COMPLETED = 'completed';

/** Records a create under its key, unless a record that has not expired holds it: DynamoDB then returns that one. */
export function claimKeyRequest(table: string, record: IdempotencyRecord, nowSeconds: number): PutItemInput {
  return {
    TableName: table,
    Item: {
      ...key(idempotencyPartition(record.owner), record.key),
      fingerprint: { S: record.fingerprint },
      state: { S: record.state },
      todo: { M: toItem(record.todo) },
      leaseUntil: { N: String(record.leaseUntil) },
      // The table's TTL attribute: DynamoDB deletes the record some time after (the condition does not wait for it).
      expiresAt: { N: String(record.expiresAt) },
    },
    ConditionExpression: 'attribute_not_exists(#id) OR #expiresAt < :now',
    ExpressionAttributeNames: { '#id': 'id', '#expiresAt': 'expiresAt' },
    ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/** Moves an in-progress record's lease to a new attempt, only if nobody else has since. */
export function takeOverKeyRequest(table: string, record: IdempotencyRecord, leaseUntil: number): UpdateItemInput {
  return {
    TableName: table,
    Key: key(idempotencyPartition(record.owner), record.key),
    UpdateExpression: 'SET #leaseUntil = :new',
    ConditionExpression: '#state = :inProgress AND #leaseUntil = :old',
    ExpressionAttributeNames: { '#state': 'state', '#leaseUntil': 'leaseUntil' },
    ExpressionAttributeValues: {
      ':new': { N: String(leaseUntil) },
      ':old': { N: String(record.leaseUntil) },
      ':inProgress': { S: IN_PROGRESS },
    },
    // A retry after a lost answer finds its own lease there: the returned record says so.
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/** Marks a claimed key's create done (never creates a record). */
export function completeKeyRequest(table: string, owner: string, idempotencyKey: string): UpdateItemInput {
  return {
    TableName: table,
    Key: key(idempotencyPartition(owner), idempotencyKey),
    UpdateExpression: 'SET #state = :completed',
    ConditionExpression: 'attribute_exists(#id)',
    ExpressionAttributeNames: { '#id': 'id', '#state': 'state' },
    ExpressionAttributeValues: { ':completed': { S: COMPLETED } },
  };
}

/** Ends an in-progress record's lease at `now`, only while this attempt (its lease) still holds it. */
export function abandonKeyRequest(
  table: string,
  owner: string,
  idempotencyKey: string,
  leaseUntil: number,
  now: number,
): UpdateItemInput {
  return {
    TableName: table,
    Key: key(idempotencyPartition(owner), idempotencyKey),
    UpdateExpression: 'SET #leaseUntil = :now',
    ConditionExpression: '#state = :inProgress AND #leaseUntil = :lease',
    ExpressionAttributeNames: { '#state': 'state', '#leaseUntil': 'leaseUntil' },
    ExpressionAttributeValues: {
      ':inProgress': { S: IN_PROGRESS },
      ':lease': { N: String(leaseUntil) },
      ':now': { N: String(now) },
    },
  };
}

/** Maps a stored idempotency record back (for `owner`, whose partition it is in). */
export function fromRecordItem(owner: string, item: Item): IdempotencyRecord {
  const state = str(item, 'state');
  if (state !== IN_PROGRESS && state !== COMPLETED) throw new Error(`Stored record has an unknown state ${state}`);
  const todo = item.todo?.M;
  if (!todo) throw new Error('Stored record has no todo');
  return {
    owner,
    key: str(item, 'id'),
    fingerprint: str(item, 'fingerprint'),
    todo: fromItem(todo),
    state,
    leaseUntil: num(item, 'leaseUntil'),
    expiresAt: num(item, 'expiresAt'),
  };
}
