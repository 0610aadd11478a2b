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
  /** Adds to one of the request's metrics (published with its log line). */
  count(metric: RequestMetric, value?: number): void;
}

/** What a request counts besides its status: what it changed, and how the store treated it. */
export type RequestMetric = 'TodosCreated' | 'TodosUpdated' | 'TodosDeleted' | 'StoreRetries' | 'StoreUnavailable';

/**
 * What one request was, once answered: the makings of its log line and metrics. It holds nothing a client sent
 * (no token, no title); `owner` is the partition, which the observer must not log as it is.
 */
export interface RequestRecord {
  /** API Gateway's id of the request (what the client sees in a problem). */
  requestId: string;
  /** Lambda's id of the invocation, when there is one. */
  awsRequestId?: string;
  /** `GET /todos/{id}`: the route, never the path (which holds ids). */
  routeKey: string;
  status: number;
  latencyMs: number;
  /** The first request of this execution environment. */
  coldStart: boolean;
  owner?: string;
  /** For an error answer: the last part of its problem type (`validation`, `not-found`, `internal`…). */
  problem?: string;
  counts: Partial<Record<RequestMetric, number>>;
  /** What was thrown, for a 5xx (its details go to the log only). */
  fault?: unknown;
}

/** Where each answered request is reported (the log line and metrics); it must not throw. */
export type RequestObserver = (record: RequestRecord) => void;

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
  observe: RequestObserver = () => {},
): (route: RouteHandler, options?: RouteOptions) => RouteLambdaHandler {
  return (route, { query = [] } = {}) =>
    Object.assign(
      answering(observe, async (event, context, record) => {
        const owner = ownerOf(event, settings.authMode);
        record.owner = owner;
        refuseUnknownQueryParameters(event, query);
        return route({
          event,
          owner,
          baseUrl: baseUrl(event, settings.publicBaseUrl),
          deadline: Date.now() + (context?.getRemainingTimeInMillis?.() ?? DEFAULT_REMAINING_MS),
          writePrecondition: () => writePrecondition(event, settings.requireIfMatch === true),
          count: (metric, value = 1) => {
            if (value > 0) record.counts[metric] = (record.counts[metric] ?? 0) + value;
          },
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
  observe: RequestObserver = () => {},
): (route: PublicRouteHandler, options?: RouteOptions) => RouteLambdaHandler {
  return (route, { query = [] } = {}) =>
    Object.assign(
      answering(observe, async (event) => {
        refuseUnknownQueryParameters(event, query);
        return route({ event, baseUrl: baseUrl(event, settings.publicBaseUrl) });
      }),
      { queryParameters: query },
    );
}

/** Whether no request has been answered yet in this execution environment. */
let coldStart = true;

/**
 * Runs `handle`, turning anything it throws into its HTTP answer, and reports the answered request to `observe`
 * (which cannot change or fail the answer).
 */
function answering(
  observe: RequestObserver,
  handle: (event: APIGatewayProxyEventV2, context: Context | undefined, record: RequestRecord) => Promise<HttpResponse>,
): LambdaHandler {
  return async (event, context) => {
    // process.hrtime rather than performance.now(): the first use of `performance` loads perf_hooks, which cost a
    // cold start about 1 ms.
    const started = process.hrtime.bigint();
    const requestId = event.requestContext?.requestId ?? context?.awsRequestId ?? 'unknown';
    const record: RequestRecord = {
      requestId,
      routeKey: event.routeKey ?? 'unknown',
      status: 0,
      latencyMs: 0,
      coldStart,
      counts: {},
    };
    coldStart = false;
    if (context?.awsRequestId) record.awsRequestId = context.awsRequestId;
    let response: HttpResponse;
    try {
      response = await handle(event, context, record);
    } catch (error) {
      const problem = toProblem(error, requestId);
      record.problem = problem.type.slice(problem.type.lastIndexOf(':') + 1);
      if (problem.status >= 500) record.fault = error;
      response = problemResponse(problem, problemHeaders(error));
    }
    record.status = response.statusCode ?? 200;
    record.latencyMs = Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10;
    try {
      observe(record);
    } catch {
      // A broken log line must never cost the client its answer.
    }
    return response;
  };
}
