/**
 * dynalite, the embedded DynamoDB-compatible server (LevelDB on disk, no Java, no Docker), and the creation of the
 * tables that serverless.yml declares. (Not to be confused with src/store, the functions' DynamoDB adapter.)
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { CreateTableInput } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { createDynamoDbClient, DynamoDbError } from '../src/store/dynamodb.js';
import { closeIteratorsOnDestroy, teachReturnValuesOnConditionCheckFailure } from './dynalite-compat.js';
import type { Json, TableModel } from './service-config.js';

/** Credentials for a local server: it checks that requests are signed, not by whom. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** A running dynalite. */
export interface Dynalite {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts dynalite on `port` (0 picks a free one), persisting under `dataDir`
 * or, without one, in memory.
 */
export async function startDynalite(options: { port: number; dataDir?: string; host?: string }): Promise<Dynalite> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  teachReturnValuesOnConditionCheckFailure();
  closeIteratorsOnDestroy();
  const server = dynalite({
    ...(options.dataDir ? { path: options.dataDir } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${host}:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

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
 */
export async function createTables(endpoint: string, tables: TableModel[], region = 'us-east-1'): Promise<void> {
  const client = createDynamoDbClient({ endpoint, region, credentials: LOCAL_CREDENTIALS });
  for (const table of tables) {
    const input = createTableInput(table);
    try {
      await client.send('CreateTable', input);
    } catch (error) {
      if (!(error instanceof DynamoDbError && error.name === 'ResourceInUseException')) throw error;
    }
    for (let attempt = 0; ; attempt++) {
      const { Table } = await client.send('DescribeTable', { TableName: input.TableName });
      if (Table?.TableStatus === 'ACTIVE') break;
      if (attempt >= 200) throw new Error(`Table ${input.TableName} is still ${Table?.TableStatus} after 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
