/** The payload format 2.0 event that API Gateway's HTTP API hands a function, built from a received request. */
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** What an event is made of from the request itself: an IncomingMessage has all of it. */
export type RequestHead = Pick<IncomingMessage, 'method' | 'httpVersion' | 'rawHeaders'> & {
  socket: { remoteAddress?: string | undefined; localPort?: number | undefined };
};

/** What the gateway adds: its request id, the time it received the request, the matched route, the body. */
export interface EventParts {
  requestId: string;
  receivedAt: Date;
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  body: Buffer;
  pathParameters: Record<string, string>;
}

/** A payload format 2.0 event, as API Gateway's HTTP API builds it. */
export function buildEvent(req: RequestHead, parts: EventParts): APIGatewayProxyEventV2 {
  const { headers, cookies } = splitHeaders(req.rawHeaders);
  const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  const port = String(req.socket.localPort ?? '');
  addForwardedHeaders(headers, sourceIp, port);
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: parts.routeKey,
    rawPath: parts.rawPath,
    rawQueryString: parts.rawQueryString,
    headers,
    requestContext: requestContext(req, parts, { sourceIp, port, userAgent: headers['user-agent'] ?? '' }),
    isBase64Encoded: false,
  };
  if (cookies.length > 0) event.cookies = cookies;
  const query = queryParameters(parts.rawQueryString);
  if (query) event.queryStringParameters = query;
  if (Object.keys(parts.pathParameters).length > 0) event.pathParameters = parts.pathParameters;
  if (parts.body.length > 0) Object.assign(event, eventBody(parts.body, headers['content-type']));
  return event;
}

/** API Gateway joins repeated headers with commas, lower-cases their names and moves cookies to their own field. */
function splitHeaders(rawHeaders: string[]): { headers: Record<string, string>; cookies: string[] } {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase();
    const value = rawHeaders[i + 1] ?? '';
    if (name === 'cookie') {
      cookies.push(...value.split(';').map((c) => c.trim()));
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  return { headers, cookies: cookies.filter(Boolean) };
}

function addForwardedHeaders(headers: Record<string, string>, sourceIp: string, port: string): void {
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${sourceIp}` : sourceIp;
  headers['x-forwarded-proto'] = 'http';
  headers['x-forwarded-port'] = port;
}

function requestContext(
  req: RequestHead,
  parts: EventParts,
  connection: { sourceIp: string; port: string; userAgent: string },
): APIGatewayProxyEventV2['requestContext'] {
  // On AWS the domain name is the API's own, whatever Host the client sent.
  const domainName = `localhost:${connection.port}`;
  return {
    accountId: '000000000000',
    apiId: 'local',
    domainName,
    // The first label of the domain name: `localhost:<port>` has just the one.
    domainPrefix: domainName,
    http: {
      method: (req.method ?? 'GET').toUpperCase(),
      path: parts.rawPath,
      protocol: `HTTP/${req.httpVersion}`,
      sourceIp: connection.sourceIp,
      userAgent: connection.userAgent,
    },
    requestId: parts.requestId,
    routeKey: parts.routeKey,
    stage: '$default',
    time: apiGatewayTime(parts.receivedAt),
    timeEpoch: parts.receivedAt.getTime(),
  };
}

function queryParameters(raw: string): Record<string, string> | undefined {
  if (!raw) return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(raw)) {
    out[name] = name in out ? `${out[name]},${value}` : value;
  }
  return out;
}

const TEXT_TYPES = /^(text\/|application\/(?:[\w.+-]+\+)?(?:json|xml|javascript|x-www-form-urlencoded)\b)/i;

/**
 * Text stays text; anything else arrives base64-encoded, and so do bytes that claim to be text but are not UTF-8,
 * so that the function sees exactly what was sent (decoding them here would replace them with U+FFFD, and the
 * function could not tell).
 */
function eventBody(body: Buffer, contentType: string | undefined): { body: string; isBase64Encoded: boolean } {
  return TEXT_TYPES.test(contentType ?? '') && isUtf8(body)
    ? { body: body.toString('utf8'), isBase64Encoded: false }
    : { body: body.toString('base64'), isBase64Encoded: true };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// 27/Nov/2026:13:16:46 +0000
function apiGatewayTime(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}
