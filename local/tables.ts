/**
 * The tables serverless.yml declares, created at a DynamoDB endpoint (the embedded store's, or DYNAMODB_ENDPOINT's).
 * Apart from local/dynalite-server.ts, so that the API's process, which only talks to the store, never loads it.
 */
import type { CreateTableInput } from '@aws-sdk/client-dynamodb';
import { createDynamoDbClient, DynamoDbError } from '../src/store/dynamodb.js';
import type { Json, TableModel } from './service-config.js';

/** Credentials for a local server: it checks that requests are signed, not by whom. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

// The CloudFormation properties that are also CreateTable parameters.
const CREATE_TABLE_FIELDS = [
  'TableName',
  'AttributeDefinitions',
  'KeySchema',
  'BillingMode',
  'ProvisionedThroughput',
  'GlobalSecondaryIndexes',
  'LocalSecondaryIndexes',
];

/** The CreateTable request for a declared table: the CloudFormation properties that CreateTable also takes. */
function createTableInput(table: TableModel): CreateTableInput {
  const input: Record<string, Json> = {};
  for (const field of CREATE_TABLE_FIELDS) {
    const value = table.properties[field];
    if (value !== undefined) input[field] = value;
  }
  if (typeof input.TableName !== 'string') {
    throw new Error(`serverless.yml: table ${table.logicalId} needs a TableName for the local store`);
  }
  // These properties have the same names and shapes in CloudFormation and in CreateTable; whatever is wrong with
  // them, the server refuses with DynamoDB's own message, as CloudFormation would.
  return input as unknown as CreateTableInput;
}

/**
 * Creates each declared table that does not exist yet at `endpoint`, and waits until each is ACTIVE: a table is
 * CREATING for a moment (dynalite too, however short it makes it), and a request in that moment finds no table.
 * A table that is there already costs one request.
 */
export async function createTables(endpoint: string, tables: TableModel[], region = 'us-east-1'): Promise<void> {
  const client = createDynamoDbClient({ endpoint, region, credentials: LOCAL_CREDENTIALS });
  const status = async (TableName: string): Promise<string | undefined> => {
    try {
      return (await client.send('DescribeTable', { TableName })).Table?.TableStatus;
    } catch (error) {
      if (error instanceof DynamoDbError && error.name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  };
  for (const table of tables) {
    const input = createTableInput(table);
    const name = String(input.TableName);
    let current = await status(name);
    if (current === undefined) {
      try {
        await client.send('CreateTable', input);
      } catch (error) {
        if (!(error instanceof DynamoDbError && error.name === 'ResourceInUseException')) throw error;
      }
    }
    for (let attempt = 0; current !== 'ACTIVE'; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      current = await status(name);
      if (attempt >= 200) throw new Error(`Table ${name} is still ${current} after 10 s`);
    }
  }
}
