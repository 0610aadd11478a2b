import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { FieldError } from '../todos/errors.js';
import { InvalidCursorError, NotFoundError, ValidationError } from '../todos/errors.js';

/** An RFC 9457 problem document. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  requestId?: string;
}

/** A client error raised by the HTTP layer itself (the request, not the domain, is wrong). */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    detail: string,
  ) {
    super(detail);
  }
}

const problemType = (slug: string) => `urn:todo-api:problem:${slug}`;

/**
 * The one place errors become responses. Known client errors keep their
 * message; anything else is a fault and says only "Internal Server Error"
 * with the request id (the details go to the log, never to the client).
 */
export function toProblem(error: unknown, requestId: string): Problem {
  if (error instanceof ValidationError) {
    const problem: Problem = {
      type: problemType('validation'),
      title: 'Invalid request body',
      status: 400,
      detail: error.message,
      requestId,
    };
    if (error.errors.length > 0) problem.errors = error.errors;
    return problem;
  }
  if (error instanceof NotFoundError) {
    return { type: problemType('not-found'), title: 'Not Found', status: 404, detail: error.message, requestId };
  }
  if (error instanceof InvalidCursorError) {
    return {
      type: problemType('invalid-cursor'),
      title: 'Invalid cursor',
      status: 400,
      detail: error.message,
      requestId,
    };
  }
  if (error instanceof HttpError) {
    return {
      type: problemType(error.slug),
      title: error.title,
      status: error.status,
      detail: error.message,
      requestId,
    };
  }
  return {
    type: problemType('internal'),
    title: 'Internal Server Error',
    status: 500,
    detail: 'The server failed to handle the request. Quote the request id when reporting it.',
    requestId,
  };
}

export function problemResponse(problem: Problem): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: problem.status,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' },
    body: JSON.stringify(problem),
  };
}
