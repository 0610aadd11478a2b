/**
 * A file whose name changes with its content (the docs' viewer, the web app): cached for a year and never
 * revalidated, and gzipped when the browser takes it (API Gateway's HTTP API does not compress; the function does).
 */
import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { acceptsGzip } from './negotiation.js';
import type { HttpResponse } from './responses.js';

export interface StaticFile {
  contentType: string;
  body: Buffer;
  /** The body gzipped, made on the first request that takes it. */
  gzipped?: Buffer;
}

export function staticFileResponse(event: APIGatewayProxyEventV2, file: StaticFile): HttpResponse {
  const headers = {
    'content-type': file.contentType,
    'cache-control': 'public, max-age=31536000, immutable',
    'x-content-type-options': 'nosniff',
    vary: 'Accept-Encoding',
  };
  if (acceptsGzip(event.headers['accept-encoding'])) {
    file.gzipped ??= gzipSync(file.body);
    return {
      statusCode: 200,
      headers: { ...headers, 'content-encoding': 'gzip' },
      body: file.gzipped.toString('base64'),
      isBase64Encoded: true,
    };
  }
  return { statusCode: 200, headers, body: file.body.toString('utf8') };
}
