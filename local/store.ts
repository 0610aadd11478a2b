/**
 * The embedded DynamoDB-compatible store (dynalite: LevelDB on disk, no Java,
 * no Docker) and the creation of the tables that serverless.yml declares.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { createDynamoDbClient, DynamoDbError } from '../src/store/dynamodb.js';
import type { Json, TableModel } from './service-config.js';

/** Credentials for a local store: it checks that requests are signed, not by whom. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface Store {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts dynalite on `port` (0 picks a free one), persisting under `dataDir`
 * or, without one, in memory.
 */
export async function startStore(options: { port: number; dataDir?: string; host?: string }): Promise<Store> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
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

/** Creates each declared table that does not exist yet at `endpoint`. */
export async function ensureTables(endpoint: string, tables: TableModel[], region = 'us-east-1'): Promise<void> {
  const client = createDynamoDbClient({ endpoint, region, credentials: LOCAL_CREDENTIALS });
  for (const table of tables) {
    const input: Record<string, Json> = {};
    for (const field of CREATE_TABLE_FIELDS) {
      const value = table.properties[field];
      if (value !== undefined) input[field] = value;
    }
    if (typeof input.TableName !== 'string') {
      throw new Error(`serverless.yml: table ${table.logicalId} needs a TableName for the local store`);
    }
    try {
      await client.send('CreateTable', input);
    } catch (error) {
      if (!(error instanceof DynamoDbError && error.name === 'ResourceInUseException')) throw error;
    }
  }
}
