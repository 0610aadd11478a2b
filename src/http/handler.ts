import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { VersionPrecondition } from '../todos/todo.js';
import { writePrecondition } from './conditional.js';
import { type AuthMode, ownerOf } from './owner.js';
import { problemHeaders, problemResponse, toProblem } from './problem.js';
import { baseUrl, refuseUnknownQueryParameters } from './request.js';
import type { HttpResponse } from './responses.js';

/** What every route gets besides the event: who is calling, and where the API is reached. */
export interface RouteInput {
  event: APIGatewayProxyEventV2;
  /** The partition the caller may read and write (see `ownerOf`). */
  owner: string;
  /** The API's absolute URL, for links and `Location`, without a trailing slash. */
  baseUrl: string;
  /** Until when (epoch ms) the function may run (Lambda's deadline). */
  deadline: number;
  /** What a write requires of the stored version, from If-Match and If-None-Match, as this deployment requires it. */
  writePrecondition(): VersionPrecondition | undefined;
}

/** One route: the event, the caller and the base URL in, a response out; anything it throws becomes an HTTP answer. */
export type RouteHandler = (input: RouteInput) => Promise<HttpResponse>;
export type LambdaHandler = (event: APIGatewayProxyEventV2, context?: Context) => Promise<HttpResponse>;

/** A route's Lambda handler, which says what query parameters it takes (the OpenAPI test reads them). */
export type RouteLambdaHandler = LambdaHandler & { readonly queryParameters: readonly string[] };

export interface HttpSettings {
  authMode: AuthMode;
  publicBaseUrl?: string | undefined;
  /** Writes to a todo without `If-Match` are refused with 428. */
  requireIfMatch?: boolean | undefined;
}

export interface RouteOptions {
  /** The query parameters the route takes; any other is refused with 400 (none by default). */
  query?: readonly string[];
}

/** When the Lambda context gives no deadline (tests), the functions' longest timeout. */
const DEFAULT_REMAINING_MS = 29_000;

/**
 * Makes Lambda handlers of routes, for one deployment's settings. The caller is identified before the route runs
 * (so a request without an identity is a 401 before anything else is looked at), and every failure is an HTTP
 * answer: client errors as problem+json with their message, faults as a generic 500 with the request id, logged in
 * full for the operator.
 */
export function createHttpHandler(
  settings: HttpSettings,
): (route: RouteHandler, options?: RouteOptions) => RouteLambdaHandler {
  return (route, { query = [] } = {}) =>
    Object.assign(
      answering(async (event, context) => {
        const owner = ownerOf(event, settings.authMode);
        refuseUnknownQueryParameters(event, query);
        return route({
          event,
          owner,
          baseUrl: baseUrl(event, settings.publicBaseUrl),
          deadline: Date.now() + (context?.getRemainingTimeInMillis?.() ?? DEFAULT_REMAINING_MS),
          writePrecondition: () => writePrecondition(event, settings.requireIfMatch === true),
        });
      }),
      { queryParameters: query },
    );
}

/** What a public route gets: the event and where the API is reached (no caller: it serves everyone the same). */
export interface PublicRouteInput {
  event: APIGatewayProxyEventV2;
  baseUrl: string;
}

export type PublicRouteHandler = (input: PublicRouteInput) => Promise<HttpResponse>;

/**
 * Makes Lambda handlers of public routes (the index, the OpenAPI document, the docs page): no identity is asked
 * for (serverless.yml gives them no authorizer), and they touch no data. Failures are answered as for any route.
 */
export function createPublicHttpHandler(
  settings: Pick<HttpSettings, 'publicBaseUrl'>,
): (route: PublicRouteHandler, options?: RouteOptions) => RouteLambdaHandler {
  return (route, { query = [] } = {}) =>
    Object.assign(
      answering(async (event) => {
        refuseUnknownQueryParameters(event, query);
        return route({ event, baseUrl: baseUrl(event, settings.publicBaseUrl) });
      }),
      { queryParameters: query },
    );
}

/** Runs `handle`, turning anything it throws into its HTTP answer. */
function answering(
  handle: (event: APIGatewayProxyEventV2, context: Context | undefined) => Promise<HttpResponse>,
): LambdaHandler {
  return async (event, context) => {
    try {
      return await handle(event, context);
    } catch (error) {
      const requestId = event.requestContext?.requestId ?? context?.awsRequestId ?? 'unknown';
      const problem = toProblem(error, requestId);
      if (problem.status >= 500) logFault(error, problem.status, event, requestId, context);
      return problemResponse(problem, problemHeaders(error));
    }
  };
}

function logFault(
  error: unknown,
  status: number,
  event: APIGatewayProxyEventV2,
  requestId: string,
  context?: Context,
): void {
  const detail =
    error instanceof Error
      ? { name: error.name, message: error.message, stack: error.stack, cause: describeCause(error.cause) }
      : { value: String(error) };
  console.error(
    JSON.stringify({
      // A 503 is the store's passing trouble (throttled, slow, unreachable), not a bug: a warning.
      level: status === 503 ? 'warn' : 'error',
      message: status === 503 ? 'Store unavailable' : 'Unhandled fault',
      requestId,
      awsRequestId: context?.awsRequestId,
      routeKey: event.routeKey,
      error: detail,
    }),
  );
}

function describeCause(cause: unknown): { name: string; message: string } | undefined {
  if (cause === undefined) return undefined;
  return cause instanceof Error
    ? { name: cause.name, message: cause.message }
    : { name: 'value', message: String(cause) };
}

/** A fault the code recovered from by itself: the request succeeded, but an operator should know. */
export function logWarning(message: string, error: unknown): void {
  console.error(JSON.stringify({ level: 'warn', message, error: describeCause(error) }));
}
