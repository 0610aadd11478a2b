/** A response on its way out of the local gateway, whoever made it (a function, the gateway itself, CORS). */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface GatewayResponse {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
  /** Set on what a handler returned, whose CORS headers API Gateway replaces. */
  fromIntegration?: boolean;
}

/** A response API Gateway makes itself: `{"message": …}` as JSON, plus any extra headers. */
export function gatewayMessage(
  statusCode: number,
  text: string,
  headers: Record<string, string> = {},
): GatewayResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    cookies: [],
    body: Buffer.from(JSON.stringify({ message: text })),
  };
}

/** Sends `response` as the answer to `req` (without a body for HEAD). */
export function writeResponse(req: IncomingMessage, res: ServerResponse, response: GatewayResponse): void {
  res.statusCode = response.statusCode;
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  if (response.cookies.length > 0) res.setHeader('set-cookie', response.cookies);
  // A 204 or 304 has no content, and a 304's Content-Length would have to be the 200's (RFC 9110 §8.6).
  if (response.statusCode !== 204 && response.statusCode !== 304) res.setHeader('content-length', response.body.length);
  res.end(req.method === 'HEAD' ? undefined : response.body);
}
