/**
 * The alternative measured by `npm run bench`, line (g): the same todo service as ours.ts, made idempotent with AWS
 * Powertools' idempotency utility over this project's DynamoDB client (the utility's own DynamoDB layer needs the
 * AWS SDK) instead of with the project's idempotency store. Bundled and imported in a fresh process, like ours.ts.
 */
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { BasePersistenceLayer, IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import { createDynamoDbClient } from '../../src/store/dynamodb.js';
import { createDynamoTodoRepository } from '../../src/store/todo-repository.js';
import { createTodoService } from '../../src/todos/service.js';

const client = createDynamoDbClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
});
const TABLE = 'bench';

/** The four operations the utility needs, over our client (enough for its cost to be the utility's). */
class OurClientPersistence extends BasePersistenceLayer {
  protected async _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    const { Item } = await client.send('GetItem', { TableName: TABLE, Key: { id: { S: idempotencyKey } } });
    return new IdempotencyRecord({
      idempotencyKey,
      status: (Item?.status?.S ?? 'EXPIRED') as 'EXPIRED',
      expiryTimestamp: Number(Item?.expiration?.N),
    });
  }
  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    await client.send('PutItem', {
      TableName: TABLE,
      Item: { id: { S: record.idempotencyKey }, status: { S: record.getStatus() } },
      ConditionExpression: 'attribute_not_exists(id)',
    });
  }
  protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
    await client.send('UpdateItem', {
      TableName: TABLE,
      Key: { id: { S: record.idempotencyKey } },
      UpdateExpression: 'SET #s = :s',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': { S: record.getStatus() } },
    });
  }
  protected async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    await client.send('DeleteItem', { TableName: TABLE, Key: { id: { S: record.idempotencyKey } } });
  }
}

const service = createTodoService({ repository: createDynamoTodoRepository(client, TABLE) });

export const create = makeIdempotent(
  async (input: { owner: string; key: string; title: string }) =>
    service.create(input.owner, { title: input.title, completed: false }),
  {
    persistenceStore: new OurClientPersistence(),
    config: new IdempotencyConfig({ eventKeyJmesPath: '[owner, key]', payloadValidationJmesPath: 'title' }),
  },
);
