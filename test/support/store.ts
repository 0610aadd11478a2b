/**
 * A real dynalite for integration tests: in memory, on a free port, with the
 * tables serverless.yml declares. Handlers find it through the same
 * environment variables Lambda and the local gateway set.
 */
import { functionEnvironment, type LocalAuth, loadLocalModel } from '../../local/server.js';
import { ensureTables, LOCAL_CREDENTIALS, type Store, startStore } from '../../local/store.js';

export interface TestStore extends Store {
  /** Environment for handlers: table name, region, credentials and endpoint. */
  env: Record<string, string>;
  tableName: string;
}

/** `auth` picks the serverless.yml auth mode whose environment handlers get (`jwt`: AUTH_MODE=oidc). */
export async function startTestStore(auth: LocalAuth = 'none'): Promise<TestStore> {
  const model = loadLocalModel(auth);
  const store = await startStore({ port: 0 });
  await ensureTables(store.endpoint, model.tables, model.region);
  const env: Record<string, string> = {
    AWS_REGION: model.region,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: store.endpoint,
    ...functionEnvironment(model),
  };
  return { ...store, env, tableName: String(env.TABLE_NAME) };
}
