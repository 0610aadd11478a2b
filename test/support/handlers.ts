/**
 * Invoking handler modules directly, as Lambda would, with payload v2 events from `httpEvent`. Which function
 * serves a route is read from serverless.yml, as API Gateway would read it: tests name routes, never functions.
 */
import assert from 'node:assert/strict';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { importHandler, loadLocalModel } from '../../local/server.js';
import type { FunctionModel } from '../../local/service-config.js';
import { type EventInput, httpEvent } from './events.js';

export type Handler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

// biome-ignore lint/suspicious/noExplicitAny: a parsed JSON body, which each test reads as it expects
export type Invoked = APIGatewayProxyStructuredResultV2 & { json: any };

/** Calls the handler of `input.routeKey` with the event `input` describes; `json` is the parsed JSON body, if any. */
export type Invoke = (input: EventInput) => Promise<Invoked>;

/** The functions serverless.yml declares (routes and handlers are the same in every auth mode). */
export function declaredFunctions(): FunctionModel[] {
  return loadLocalModel('none').functions;
}

/** Routes each request to the handler that `load` gives for the function declaring its route. */
export async function routeHandlers(load: (fn: FunctionModel) => Promise<unknown>): Promise<Invoke> {
  const byRoute = new Map<string, Handler>();
  for (const fn of declaredFunctions()) {
    const handler = await load(fn);
    assert.equal(typeof handler, 'function', `${fn.handler} is a function`);
    for (const route of fn.routes) byRoute.set(route.routeKey, handler as Handler);
  }
  return async (input) => {
    const handler = byRoute.get(input.routeKey);
    assert.ok(handler, `serverless.yml declares a function for ${input.routeKey}`);
    const response = await handler(httpEvent(input));
    const isJson = /json/.test(String(response.headers?.['content-type'] ?? ''));
    return { ...response, json: response.body && isJson ? JSON.parse(response.body) : undefined };
  };
}

/**
 * The handlers of src/, imported after putting `env` in the environment: handlers read their configuration once,
 * at import, as on Lambda (so one configuration per test process).
 */
export function importHandlers(env: Record<string, string>): Promise<Invoke> {
  Object.assign(process.env, env);
  return routeHandlers(importHandler);
}
