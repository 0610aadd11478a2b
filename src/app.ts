/**
 * The composition root: configuration is read and the client created once per
 * Lambda execution environment (module scope), then reused by every request.
 */
import { readConfig } from './config.js';
import { createHttpHandler, type RouteHandler, type RouteOptions } from './http/handler.js';
import { createDynamoDbClient, withStoreDeadline } from './store/dynamodb.js';
import { createDynamoIdempotencyStore } from './store/idempotency-store.js';
import { createDynamoTodoRepository } from './store/todo-repository.js';
import { logWarning, observeRequest } from './telemetry.js';
import { createTodoService } from './todos/service.js';

const config = readConfig(process.env);

const client = createDynamoDbClient({
  region: config.region,
  credentials: config.credentials,
  ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
});

export const todos = createTodoService({
  repository: createDynamoTodoRepository(client, config.tableName),
  idempotency: createDynamoIdempotencyStore(client, config.tableName),
  onRecoveredFault: (what, error) =>
    logWarning(`Idempotency record ${what} failed; the request still succeeded`, error),
});

const httpHandler = createHttpHandler(config, observeRequest);

/**
 * Wraps a route into this deployment's Lambda handler (its auth mode, public URL and If-Match requirement). Every
 * store call the route makes is bounded by the function's own deadline (src/store/dynamodb.ts, STORE_BUDGET), and
 * what the store did to it (retries, unavailability) goes into the request's metrics, whatever the answer.
 */
export const route = (handle: RouteHandler, options?: RouteOptions) =>
  httpHandler(async (input) => {
    const store = { retries: 0, unavailable: 0 };
    try {
      return await withStoreDeadline(input.deadline, () => handle(input), store);
    } finally {
      input.count('StoreRetries', store.retries);
      input.count('StoreUnavailable', store.unavailable);
    }
  }, options);
