/** API Gateway's CORS, as serverless.yml's `httpApi.cors` configures it: preflights and response headers. */
import type { IncomingHttpHeaders } from 'node:http';
import type { GatewayResponse } from './response.js';
import type { CorsModel } from './service-config.js';

/** A CORS preflight, which API Gateway answers itself, before routing and without any authorizer. */
export function isPreflight(method: string, headers: IncomingHttpHeaders): boolean {
  return method === 'OPTIONS' && Boolean(headers.origin) && Boolean(headers['access-control-request-method']);
}

/** The Access-Control-Allow-Origin for a request; none without an Origin header, as on AWS. */
export function allowedOrigin(cors: CorsModel, origin: string | undefined): string | undefined {
  if (!origin) return undefined;
  if (cors.allowedOrigins.includes('*')) return cors.allowCredentials ? origin : '*';
  return cors.allowedOrigins.includes(origin) ? origin : undefined;
}

/** The answer to a preflight: 204, with the allowed methods and headers only for an allowed origin and method. */
export function preflight(cors: CorsModel, headers: IncomingHttpHeaders): GatewayResponse {
  const response: GatewayResponse = { statusCode: 204, headers: {}, cookies: [], body: Buffer.alloc(0) };
  const requested = String(headers['access-control-request-method']).toUpperCase();
  if (!allowedOrigin(cors, headers.origin) || !cors.allowedMethods.includes(requested)) return response;
  response.headers['access-control-allow-methods'] = cors.allowedMethods.join(',');
  response.headers['access-control-allow-headers'] = cors.allowedHeaders.join(',').toLowerCase();
  if (cors.maxAge !== undefined) response.headers['access-control-max-age'] = String(cors.maxAge);
  return response;
}

/** API Gateway's CORS headers replace whatever the integration returned. */
export function applyCors(cors: CorsModel, origin: string | undefined, response: GatewayResponse): void {
  if (response.fromIntegration) {
    for (const name of Object.keys(response.headers)) {
      if (name.startsWith('access-control-')) delete response.headers[name];
    }
  }
  const allowed = allowedOrigin(cors, origin);
  if (!allowed) return;
  response.headers['access-control-allow-origin'] = allowed;
  if (allowed !== '*') response.headers.vary = 'Origin';
  if (cors.allowCredentials) response.headers['access-control-allow-credentials'] = 'true';
  if (cors.exposedResponseHeaders.length > 0) {
    response.headers['access-control-expose-headers'] = cors.exposedResponseHeaders.join(',').toLowerCase();
  }
}
