/**
 * This project's idempotency layer over its DynamoDB client, bundled and imported in a fresh process by
 * `npm run bench`, line (g), against powertools.ts.
 */
import { createDynamoDbClient } from '../../src/store/dynamodb.js';
import { createDynamoIdempotencyStore } from '../../src/store/idempotency-store.js';
import { createDynamoTodoRepository } from '../../src/store/todo-repository.js';
import { createTodoService } from '../../src/todos/service.js';

const client = createDynamoDbClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
});

export const service = createTodoService({
  repository: createDynamoTodoRepository(client, 'bench'),
  idempotency: createDynamoIdempotencyStore(client, 'bench'),
});
