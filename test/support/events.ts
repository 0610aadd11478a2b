/** Payload v2 events for handler tests, shaped as API Gateway's HTTP API sends them. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

export interface EventInput {
  routeKey: string; // "GET /todos/{id}"
  path?: string; // the concrete path; defaults to the route's path with parameters filled in
  pathParameters?: Record<string, string>;
  query?: string; // raw query string, without '?'
  headers?: Record<string, string>;
  body?: unknown; // objects are JSON-encoded; strings are sent as they are
  isBase64Encoded?: boolean;
  /** Claims of a token API Gateway's JWT authorizer verified (sets requestContext.authorizer.jwt). */
  claims?: Record<string, string>;
}

let counter = 0;

export function httpEvent(input: EventInput): APIGatewayProxyEventV2 {
  const [method = 'GET', template = '/'] = input.routeKey.split(' ');
  const rawPath =
    input.path ??
    template.replace(/\{(\w+)\+?\}/g, (_, name: string) => encodeURIComponent(input.pathParameters?.[name] ?? name));
  const hasBody = input.body !== undefined;
  const headers: Record<string, string> = {
    host: 'api.example.test',
    'x-forwarded-proto': 'https',
    ...(hasBody ? { 'content-type': 'application/json' } : {}),
    ...Object.fromEntries(Object.entries(input.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
  };
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: input.routeKey,
    rawPath,
    rawQueryString: input.query ?? '',
    headers,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.test',
      domainPrefix: 'api',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.1', userAgent: 'test' },
      requestId: `req-${++counter}`,
      routeKey: input.routeKey,
      stage: '$default',
      time: '27/Nov/2026:00:00:00 +0000',
      timeEpoch: 0,
    },
    isBase64Encoded: input.isBase64Encoded ?? false,
  };
  if (input.pathParameters) event.pathParameters = input.pathParameters;
  if (input.query) {
    event.queryStringParameters = Object.fromEntries(new URLSearchParams(input.query));
  }
  if (hasBody) event.body = typeof input.body === 'string' ? input.body : JSON.stringify(input.body);
  if (input.claims)
    Object.assign(event.requestContext, { authorizer: { jwt: { claims: input.claims, scopes: null } } });
  return event;
}
