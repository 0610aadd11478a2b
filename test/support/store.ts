/**
 * A real dynalite for integration tests: in memory, on a free port, with the
 * tables serverless.yml declares. Handlers find it through the same
 * environment variables Lambda and the local gateway set.
 */
import { type Dynalite, startDynalite } from '../../local/dynalite-server.js';
import { type LocalAuthMode, lambdaEnvironment, loadLocalModel } from '../../local/server.js';
import { createTables, LOCAL_CREDENTIALS } from '../../local/tables.js';
import { createDynamoDbClient, type DynamoDbClient } from '../../src/store/dynamodb.js';

export interface TestStore extends Dynalite {
  /** Environment for handlers: table name, region, credentials and endpoint. */
  env: Record<string, string>;
  tableName: string;
  /** A client of this store, for reading and writing the table behind the handlers' backs. */
  client: DynamoDbClient;
}

/** `authMode` picks the serverless.yml auth mode whose environment handlers get (AUTH_MODE). */
export async function startTestStore(authMode: LocalAuthMode = 'none'): Promise<TestStore> {
  const model = loadLocalModel(authMode);
  const dynalite = await startDynalite({ port: 0 });
  await createTables(dynalite.endpoint, model.tables, model.region);
  const env = lambdaEnvironment(model, dynalite.endpoint);
  const client = createDynamoDbClient({
    endpoint: dynalite.endpoint,
    region: model.region,
    credentials: LOCAL_CREDENTIALS,
  });
  return { ...dynalite, env, tableName: String(env.TABLE_NAME), client };
}
