/**
 * A DynamoDB client for unit tests: each operation is answered by the script's function (which may throw, as
 * DynamoDB refuses), and every call is recorded, so a test can say both what was sent and how many requests it took.
 */
import assert from 'node:assert/strict';
import {
  ConditionalCheckFailedError,
  type DynamoDbClient,
  type Item,
  type Operation,
  type Operations,
} from '../../src/store/dynamodb.js';

export type Answer<O extends Operation> = (input: Operations[O]['input']) => Operations[O]['output'];
export type Script = { [O in Operation]?: Answer<O> };

export interface Scripted extends DynamoDbClient {
  calls: Array<{ operation: Operation; input: unknown }>;
}

export function scripted(script: Script): Scripted {
  const calls: Scripted['calls'] = [];
  return {
    calls,
    async send<O extends Operation>(operation: O, input: Operations[O]['input']): Promise<Operations[O]['output']> {
      calls.push({ operation, input: structuredClone(input) });
      const answer = script[operation] as Answer<O> | undefined;
      assert.ok(answer, `unexpected ${operation}`);
      return answer(input);
    },
  };
}

/**
 * DynamoDB's refusal of a conditional write, with the stored item it returns when asked (ALL_OLD); `afterUncertain`:
 * the client's earlier attempt of the same call may have been applied.
 */
export const conditionFailed = (item?: Item, afterUncertain = false) =>
  new ConditionalCheckFailedError('The conditional request failed', 400, item, afterUncertain);
