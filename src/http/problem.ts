import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type * as z from 'zod/mini';
import {
  IdempotencyKeyInUseError,
  PreconditionFailedError,
  StoreUnavailableError,
  TodoError,
  type TodoErrorCode,
  ValidationError,
} from '../todos/errors.js';
import type { problemSchema } from './contract.js';
import { todoEtag } from './etag.js';

/** An RFC 9457 problem document (its schema is in contract.ts). */
export type Problem = z.infer<typeof problemSchema>;

/** A client error found by the HTTP layer itself (the request, not the domain, is wrong); it carries its status. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    /** The last part of the problem type, e.g. `invalid-json`. */
    readonly slug: string,
    readonly title: string,
    detail: string,
    /** Headers the answer carries besides the problem (a 412's current ETag, say). */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

/** Every kind of domain refusal as HTTP shows it (the compiler requires a row for each kind). */
const DOMAIN_PROBLEMS: Record<TodoErrorCode, { status: number; title: string }> = {
  validation: { status: 400, title: 'Invalid request body' },
  'not-found': { status: 404, title: 'Not Found' },
  'invalid-cursor': { status: 400, title: 'Invalid cursor' },
  'precondition-failed': { status: 412, title: 'Precondition Failed' },
  'idempotency-key-in-use': { status: 409, title: 'Conflict' },
  'idempotency-key-reused': { status: 422, title: 'Unprocessable Content' },
  unavailable: { status: 503, title: 'Service Unavailable' },
};

const problemType = (slug: string) => `urn:todo-api:problem:${slug}`;

/**
 * The one place errors become responses. Known client errors keep their
 * message; anything else is a fault and says only "Internal Server Error"
 * with the request id (the details go to the log, never to the client).
 */
export function toProblem(error: unknown, requestId: string): Problem {
  if (error instanceof HttpError) {
    return {
      type: problemType(error.slug),
      title: error.title,
      status: error.status,
      detail: error.message,
      requestId,
    };
  }
  if (error instanceof StoreUnavailableError) {
    // A fault of the system, not of the request: only when to retry, and the request id (the cause is logged).
    return {
      type: problemType(error.code),
      title: DOMAIN_PROBLEMS[error.code].title,
      status: DOMAIN_PROBLEMS[error.code].status,
      detail:
        `The service is briefly unavailable: retry after ${error.retryAfterSeconds} s. ` +
        'Quote the request id if it persists.',
      requestId,
    };
  }
  if (error instanceof TodoError) {
    const { status, title } = DOMAIN_PROBLEMS[error.code];
    const errors = error instanceof ValidationError && error.errors.length > 0 ? { errors: error.errors } : {};
    return { type: problemType(error.code), title, status, detail: error.message, ...errors, requestId };
  }
  return {
    type: problemType('internal'),
    title: 'Internal Server Error',
    status: 500,
    detail: 'The server failed to handle the request. Quote the request id when reporting it.',
    requestId,
  };
}

/**
 * What an error adds to its response besides the problem: a refused precondition says which version is current (so
 * the client can compare, or retry with it once it has merged), and a create still under way says when to retry.
 */
export function problemHeaders(error: unknown): Record<string, string> {
  if (error instanceof HttpError) return error.headers;
  if (error instanceof PreconditionFailedError) return { etag: todoEtag(error.current.version) };
  if (error instanceof IdempotencyKeyInUseError || error instanceof StoreUnavailableError) {
    return { 'retry-after': String(error.retryAfterSeconds) };
  }
  return {};
}

export function problemResponse(
  problem: Problem,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: problem.status,
    headers: { ...headers, 'content-type': 'application/problem+json', 'cache-control': 'no-store' },
    body: JSON.stringify(problem),
  };
}
