import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { problemResponse, toProblem } from './problem.js';
import type { Response } from './responses.js';

export type Route = (event: APIGatewayProxyEventV2) => Promise<Response>;
export type LambdaHandler = (event: APIGatewayProxyEventV2, context?: Context) => Promise<Response>;

/**
 * Wraps a route into a Lambda handler whose every failure is an HTTP answer:
 * client errors as problem+json with their message, faults as a generic 500
 * with the request id, logged in full for the operator.
 */
export function httpHandler(route: Route): LambdaHandler {
  return async (event, context) => {
    try {
      return await route(event);
    } catch (error) {
      const requestId = event.requestContext?.requestId ?? context?.awsRequestId ?? 'unknown';
      const problem = toProblem(error, requestId);
      if (problem.status >= 500) logFault(error, event, requestId, context);
      return problemResponse(problem);
    }
  };
}

function logFault(error: unknown, event: APIGatewayProxyEventV2, requestId: string, context?: Context): void {
  const detail =
    error instanceof Error
      ? { name: error.name, message: error.message, stack: error.stack }
      : { value: String(error) };
  console.error(
    JSON.stringify({
      level: 'error',
      message: 'Unhandled fault',
      requestId,
      awsRequestId: context?.awsRequestId,
      routeKey: event.routeKey,
      error: detail,
    }),
  );
}
