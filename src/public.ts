/**
 * The composition root of the public routes (the index, the OpenAPI document and the docs page): configuration
 * read and checked once per execution environment. They need no table and no DynamoDB client, so they load none.
 */
import { readConfig, readPublicConfig } from './config.js';
import { createPublicHttpHandler } from './http/handler.js';
import { logWarning, observeRequest } from './telemetry.js';
import { StoreUnavailableError } from './todos/errors.js';

export const publicConfig = readPublicConfig(process.env);

/**
 * Whether the store answers, for `GET /health`, where the function is allowed to ask (HEALTH_CHECK_STORE=true,
 * which `npm start` sets; on AWS the public functions have no access to the table): one read of a key that never
 * exists, bounded to about a second. Undefined where it is not asked. The store's code loads on first use only.
 */
export function storeProbe(): (() => Promise<StoreHealth>) | undefined {
  if (process.env.HEALTH_CHECK_STORE !== 'true') return undefined;
  probe ??= makeProbe();
  return probe;
}

/** ok; unavailable for a while (worth a retry: throttled, down, not answering); or failing (a missing table…). */
export type StoreHealth = 'ok' | 'unavailable' | 'failing';

let probe: (() => Promise<StoreHealth>) | undefined;

function makeProbe(): () => Promise<StoreHealth> {
  const config = readConfig(process.env);
  const store = import('./store/dynamodb.js').then(({ createDynamoDbClient, withStoreDeadline }) => ({
    withStoreDeadline,
    transient: (error: unknown) => error instanceof StoreUnavailableError,
    client: createDynamoDbClient({
      region: config.region,
      credentials: config.credentials,
      ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
    }),
  }));
  return async () => {
    const { client, withStoreDeadline, transient } = await store;
    try {
      await withStoreDeadline(Date.now() + PROBE_DEADLINE_MS, () =>
        client.send('GetItem', { TableName: config.tableName, Key: { owner: { S: '#health' }, id: { S: '#health' } } }),
      );
      return 'ok';
    } catch (error) {
      logWarning('Health check: the store does not answer', error);
      return transient(error) ? 'unavailable' : 'failing';
    }
  };
}

/** How long the health check waits for the store, all attempts together (less the margin to answer). */
const PROBE_DEADLINE_MS = 1500;

/** Wraps a public route into this deployment's Lambda handler. */
export const publicRoute = createPublicHttpHandler(publicConfig, observeRequest);
