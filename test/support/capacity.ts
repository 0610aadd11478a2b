/**
 * What each DynamoDB request of a service operation costs, in read and write units, for docs/costs.md.
 *
 * `meterClient` wraps a DynamoDbClient: it asks every request for `ReturnConsumedCapacity: 'TOTAL'` and keeps what
 * the store reports, and it also works the units out by DynamoDB's documented rules from the items each request
 * touched, read behind the request's back (uncounted): the item before and after every write, and, for a Query, the
 * very items it evaluated (its projection and filter do not change what DynamoDB charges). Against dynalite the two
 * agree except where dynalite departs from DynamoDB, which `divergence` names, so the rules' figure is the one to
 * bill by and dynalite's report is its cross-check.
 *
 * The rules (DynamoDB Developer Guide, "DynamoDB read and write operations" and "Item sizes and formats"):
 * - an item's size is the UTF-8 bytes of its attribute names plus its values' sizes (strings: UTF-8 bytes; numbers:
 *   1 byte per two significant digits, plus 1; booleans and nulls: 1; lists and maps: 3, plus 1 per element, plus
 *   the elements, a map's keys counted as names);
 * - GetItem: the item's size rounded up to 4 KB, 1 unit per 4 KB strongly consistent, half eventually consistent; an
 *   item that does not exist costs the same as a small one;
 * - Query: the sizes of all items it evaluated summed, then rounded up to 4 KB; one that finds nothing is still
 *   charged (one 4 KB unit on one partition);
 * - PutItem, UpdateItem: the larger of the item before and after, rounded up to 1 KB; DeleteItem: the deleted
 *   item's; 1 unit at least. A write whose condition fails still costs the larger of the stored item and the item it
 *   tried to write (1 when neither exists). BatchWriteItem: each item on its own, as PutItem or DeleteItem.
 */
import type {
  AttributeValue,
  BatchWriteItemInput,
  ConsumedCapacity,
  DeleteItemInput,
  GetItemInput,
  PutItemInput,
  QueryInput,
  UpdateItemInput,
} from '@aws-sdk/client-dynamodb';
import {
  ConditionalCheckFailedError,
  type DynamoDbClient,
  type Item,
  type Operation,
  type Operations,
} from '../../src/store/dynamodb.js';

const READ_UNIT_BYTES = 4096;
const WRITE_UNIT_BYTES = 1024;

/** One DynamoDB request as it was billed. */
export interface MeteredCall {
  operation: Operation;
  /** Read units by DynamoDB's rules. */
  rcu: number;
  /** Write units by DynamoDB's rules. */
  wcu: number;
  /** What the store reported in ConsumedCapacity (summed over tables), absent when it reported nothing. */
  reported?: number;
  /** Whether the write's condition failed (DynamoDB reports no ConsumedCapacity with the error either). */
  failedCondition: boolean;
  /** A Query that evaluated no item. */
  empty: boolean;
}

export interface Metered {
  /** The client to build the service over. */
  client: DynamoDbClient;
  /** Every request sent since the last `reset`, in order of completion. */
  calls: MeteredCall[];
  reset(): void;
}

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

/** The size DynamoDB bills a number by: 1 byte per two significant digits, plus 1. */
function numberSize(text: string): number {
  const digits = text
    .replace(/^[-+]/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(digits.length / 2) + 1;
}

function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.B !== undefined) return Buffer.from(value.B as unknown as string, 'base64').length;
  if (value.L !== undefined) return 3 + value.L.reduce((sum, element) => sum + 1 + valueSize(element), 0);
  if (value.M !== undefined) return 3 + Object.keys(value.M).length + itemSize(value.M);
  if (value.SS !== undefined) return value.SS.reduce((sum, element) => sum + utf8(element), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, element) => sum + numberSize(element), 0);
  throw new Error(`No size rule for ${JSON.stringify(value)}`);
}

/** An item's size as DynamoDB counts it for capacity: its attribute names plus its values. */
function itemSize(item: Item | undefined): number {
  if (!item) return 0;
  return Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueSize(value), 0);
}

/** Read units of one read that looked at `bytes` (at least one unit: a read of nothing still costs). */
function readUnits(bytes: number, consistent: boolean): number {
  return Math.max(1, Math.ceil(bytes / READ_UNIT_BYTES)) * (consistent ? 1 : 0.5);
}

/** Write units of one item write whose larger image is `bytes`. */
function writeUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / WRITE_UNIT_BYTES));
}

function reportedUnits(capacity: ConsumedCapacity | ConsumedCapacity[] | undefined): number | undefined {
  if (capacity === undefined) return undefined;
  const all = Array.isArray(capacity) ? capacity : [capacity];
  return all.reduce((sum, one) => sum + (one.CapacityUnits ?? 0), 0);
}

/** The names (`#x`) and values (`:x`) that `expression` uses, of those given. */
function usedBy<T>(expression: string, given: Record<string, T> | undefined): Record<string, T> | undefined {
  if (!given) return undefined;
  const used = Object.entries(given).filter(([placeholder]) =>
    new RegExp(`${placeholder}(?![A-Za-z0-9_])`).test(expression),
  );
  return used.length > 0 ? Object.fromEntries(used) : undefined;
}

/**
 * Meters `inner`. `keyNames` are the table's partition and sort key attributes (to read a write's item before and
 * after it).
 */
export function meterClient(inner: DynamoDbClient, keyNames: readonly [string, string]): Metered {
  const calls: MeteredCall[] = [];
  const keyOf = (item: Item): Item => {
    const key: Item = {};
    for (const name of keyNames) {
      const value = item[name];
      if (value === undefined) throw new Error(`Item has no key attribute ${name}`);
      key[name] = value;
    }
    return key;
  };
  /** The stored item, read without being counted. */
  const stored = async (table: string, key: Item): Promise<Item | undefined> =>
    (await inner.send('GetItem', { TableName: table, Key: key, ConsistentRead: true })).Item;

  /** The items a Query evaluates: the same Query without its projection and filter, read without being counted. */
  async function evaluated(input: QueryInput): Promise<Item[]> {
    const condition = input.KeyConditionExpression ?? '';
    const names = usedBy(condition, input.ExpressionAttributeNames);
    const values = usedBy(condition, input.ExpressionAttributeValues);
    const shadow: QueryInput = {
      TableName: input.TableName,
      KeyConditionExpression: condition,
      ...(names ? { ExpressionAttributeNames: names } : {}),
      ...(values ? { ExpressionAttributeValues: values } : {}),
      ...(input.ExclusiveStartKey ? { ExclusiveStartKey: input.ExclusiveStartKey } : {}),
      ...(input.Limit === undefined ? {} : { Limit: input.Limit }),
      ...(input.ScanIndexForward === undefined ? {} : { ScanIndexForward: input.ScanIndexForward }),
      ...(input.ConsistentRead === undefined ? {} : { ConsistentRead: input.ConsistentRead }),
    };
    return (await inner.send('Query', shadow)).Items ?? [];
  }

  /** One single-item write: its item before and after, or the failed condition's cost. */
  async function write(
    operation: 'PutItem' | 'UpdateItem' | 'DeleteItem',
    input: PutItemInput | UpdateItemInput | DeleteItemInput,
  ) {
    const table = input.TableName ?? '';
    const newItem = operation === 'PutItem' ? (input as PutItemInput).Item : undefined;
    const key = newItem ? keyOf(newItem) : ((input as UpdateItemInput | DeleteItemInput).Key ?? {});
    const before = await stored(table, key);
    let output: { ConsumedCapacity?: ConsumedCapacity | undefined };
    try {
      output = await inner.send(operation, { ...input, ReturnConsumedCapacity: 'TOTAL' } as never);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedError) {
        const wcu = writeUnits(Math.max(itemSize(before), itemSize(newItem)));
        calls.push({ operation, rcu: 0, wcu, failedCondition: true, empty: false });
      }
      throw error;
    }
    const after = operation === 'DeleteItem' ? undefined : await stored(table, key);
    const wcu = writeUnits(Math.max(itemSize(before), itemSize(after)));
    const reported = reportedUnits(output.ConsumedCapacity);
    calls.push({
      operation,
      rcu: 0,
      wcu,
      ...(reported === undefined ? {} : { reported }),
      failedCondition: false,
      empty: false,
    });
    return output;
  }

  async function meteredSend(operation: Operation, input: unknown): Promise<unknown> {
    switch (operation) {
      case 'GetItem': {
        const request = input as GetItemInput;
        const output = await inner.send('GetItem', { ...request, ReturnConsumedCapacity: 'TOTAL' });
        const rcu = readUnits(itemSize(output.Item), request.ConsistentRead === true);
        const reported = reportedUnits(output.ConsumedCapacity);
        calls.push({
          operation,
          rcu,
          wcu: 0,
          ...(reported === undefined ? {} : { reported }),
          failedCondition: false,
          empty: false,
        });
        return output;
      }
      case 'Query': {
        const request = input as QueryInput;
        const output = await inner.send('Query', { ...request, ReturnConsumedCapacity: 'TOTAL' });
        const items = await evaluated(request);
        if (output.ScannedCount !== undefined && output.ScannedCount !== items.length) {
          throw new Error(`The Query evaluated ${output.ScannedCount} items, its shadow ${items.length}`);
        }
        const bytes = items.reduce((sum, item) => sum + itemSize(item), 0);
        const rcu = readUnits(bytes, request.ConsistentRead === true);
        const reported = reportedUnits(output.ConsumedCapacity);
        calls.push({
          operation,
          rcu,
          wcu: 0,
          ...(reported === undefined ? {} : { reported }),
          failedCondition: false,
          empty: items.length === 0,
        });
        return output;
      }
      case 'PutItem':
      case 'UpdateItem':
      case 'DeleteItem':
        return write(operation, input as PutItemInput);
      case 'BatchWriteItem': {
        const request = input as BatchWriteItemInput;
        const requests = Object.entries(request.RequestItems ?? {}).flatMap(([table, writes]) =>
          writes.map((one) => ({
            table,
            key: one.PutRequest?.Item ? keyOf(one.PutRequest.Item) : (one.DeleteRequest?.Key ?? {}),
            newItem: one.PutRequest?.Item,
          })),
        );
        const before = await Promise.all(requests.map(({ table, key }) => stored(table, key)));
        const output = await inner.send('BatchWriteItem', { ...request, ReturnConsumedCapacity: 'TOTAL' });
        const unprocessed = new Set(
          Object.entries(output.UnprocessedItems ?? {}).flatMap(([table, writes]) =>
            writes.map(
              (one) =>
                `${table} ${JSON.stringify(one.PutRequest?.Item ? keyOf(one.PutRequest.Item) : one.DeleteRequest?.Key)}`,
            ),
          ),
        );
        const wcu = requests.reduce((sum, { table, key, newItem }, i) => {
          if (unprocessed.has(`${table} ${JSON.stringify(key)}`)) return sum;
          return sum + writeUnits(Math.max(itemSize(before[i]), itemSize(newItem)));
        }, 0);
        const reported = reportedUnits(output.ConsumedCapacity);
        calls.push({
          operation,
          rcu: 0,
          wcu,
          ...(reported === undefined ? {} : { reported }),
          failedCondition: false,
          empty: false,
        });
        return output;
      }
      default:
        return inner.send(operation, input as never);
    }
  }

  return {
    client: {
      send: <O extends Operation>(operation: O, input: Operations[O]['input']) =>
        meteredSend(operation, input) as Promise<Operations[O]['output']>,
    },
    calls,
    reset: () => {
      calls.length = 0;
    },
  };
}

/**
 * Where dynalite's report departs from DynamoDB's rules for this call, and why; `undefined` when they agree. A write
 * whose condition failed reports nothing (nor does DynamoDB, in the error), so it has no report to compare.
 */
export function divergence(call: MeteredCall): string | undefined {
  if (call.failedCondition) return call.reported === undefined ? undefined : 'a failed write reported capacity';
  const units = call.rcu + call.wcu;
  if (call.reported === units) return undefined;
  if (call.operation === 'Query' && call.empty && call.reported === 0) return 'empty Query';
  return `${call.operation}: dynalite reported ${call.reported}, the rules give ${units}`;
}
