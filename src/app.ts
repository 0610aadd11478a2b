/**
 * The composition root: configuration is read and the client created once per
 * Lambda execution environment (module scope), then reused by every request.
 */
import { readConfig } from './config.js';
import { createDynamoDbClient } from './store/dynamodb.js';
import { createDynamoTodoRepository } from './store/todo-repository.js';
import { createTodoService } from './todos/service.js';

export const config = readConfig(process.env);

const client = createDynamoDbClient({
  region: config.region,
  credentials: config.credentials,
  ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
});

export const todos = createTodoService({ repository: createDynamoTodoRepository(client, config.tableName) });
