import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** What a handler returns to API Gateway (payload format 2.0). */
export type HttpResponse = APIGatewayProxyStructuredResultV2;

/** A JSON response; per-user data is never stored by any cache unless `headers` say otherwise. */
export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return jsonText(statusCode, JSON.stringify(body), headers);
}

/** A response whose body is JSON text already. */
export function jsonText(statusCode: number, body: string, headers: Record<string, string> = {}): HttpResponse {
  return { statusCode, headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers }, body };
}

export function noContent(): HttpResponse {
  return { statusCode: 204, headers: { 'cache-control': 'no-store' } };
}
