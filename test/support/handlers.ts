/** Invoking handler modules directly, as Lambda would, with payload v2 events from `httpEvent`. */
import assert from 'node:assert/strict';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type EventInput, httpEvent } from './events.js';

export type Handler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/** Calls `handler` with the event `input` describes; `json` is the parsed body, if any. */
export async function invoke(handler: Handler | undefined, input: EventInput) {
  assert.ok(handler, `a handler for ${input.routeKey}`);
  const response = await handler(httpEvent(input));
  return { ...response, json: response.body ? JSON.parse(response.body) : undefined };
}

/**
 * Imports every module of src/handlers after putting `env` in the environment: handlers read their configuration
 * once, at import, as on Lambda (so one configuration per test process).
 */
export async function importHandlers(env: Record<string, string>): Promise<Record<string, Handler>> {
  Object.assign(process.env, env);
  const handlers: Record<string, Handler> = {};
  for (const name of ['create', 'list', 'get', 'update', 'delete', 'delete-all']) {
    handlers[name] = ((await import(`../../src/handlers/${name}.js`)) as { handler: Handler }).handler;
  }
  return handlers;
}
