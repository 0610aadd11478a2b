import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { HttpError } from './problem.js';

/** Bodies are small JSON documents; anything larger is refused before parsing. */
export const MAX_BODY_BYTES = 16 * 1024;

// Matched in lower case rather than with the i flag: the first case-insensitive pattern with a character class costs a
// cold start 0.2 ms (V8 builds its case tables). Only printable ASCII can match either way.
const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
// Refuses bytes that are not UTF-8 rather than replacing them; a byte order mark is not part of the text.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * The request body as a parsed JSON value. Refuses, in this order: a content
 * type that is not JSON (415), a body over 16 KiB (413), bytes that are not
 * UTF-8 and text that is not JSON (400). Whether the value has the right shape
 * is the schema's business.
 */
export function readJsonBody(event: APIGatewayProxyEventV2): unknown {
  const mediaType = (event.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
  if (!PRINTABLE_ASCII.test(mediaType) || !JSON_MEDIA_TYPE.test(mediaType.toLowerCase())) {
    throw new HttpError(
      415,
      'unsupported-media-type',
      'Unsupported Media Type',
      'Send the body as JSON with the header Content-Type: application/json.',
    );
  }
  const raw =
    event.body === undefined ? Buffer.alloc(0) : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
  if (raw.length > MAX_BODY_BYTES) {
    throw new HttpError(
      413,
      'payload-too-large',
      'Payload Too Large',
      `The body may be at most ${MAX_BODY_BYTES} bytes.`,
    );
  }
  let text: string;
  try {
    text = UTF8.decode(raw);
  } catch {
    // JSON text is UTF-8 (RFC 8259); decoding it leniently would store U+FFFD in place of what was sent.
    throw new HttpError(400, 'invalid-json', 'Invalid JSON', 'The request body is not valid UTF-8.');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid-json', 'Invalid JSON', 'The request body is not valid JSON.');
  }
}

/** A path parameter as the route declares it (API Gateway always sets declared ones). */
export function pathParameter(event: APIGatewayProxyEventV2, name: string): string {
  const value = event.pathParameters?.[name];
  if (value === undefined) throw new Error(`Route has no path parameter ${name}`);
  return value;
}

/**
 * Refuses a query parameter the route does not take, naming it: a misspelt or unsupported parameter is a 400,
 * never silently ignored (`?complete=true` must not list everything).
 */
export function refuseUnknownQueryParameters(event: APIGatewayProxyEventV2, known: readonly string[]): void {
  if (!event.rawQueryString) return;
  for (const name of new URLSearchParams(event.rawQueryString).keys()) {
    if (known.includes(name)) continue;
    const takes =
      known.length === 0 ? 'This route takes no query parameters.' : `This route takes ${known.join(', ')}.`;
    throw new HttpError(
      400,
      'invalid-query',
      'Invalid query parameter',
      `Unknown query parameter ${JSON.stringify(name)}. ${takes}`,
    );
  }
}

/** A single-valued query parameter; repeating it is a client error. */
export function queryParameter(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const values = new URLSearchParams(event.rawQueryString ?? '').getAll(name);
  if (values.length > 1) {
    throw new HttpError(400, 'invalid-query', 'Invalid query parameter', `Send ${name} at most once.`);
  }
  return values[0];
}

const HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The absolute URL the API is reached at: the configured public base URL, or
 * the request's forwarded protocol and Host (API Gateway sets both). A Host
 * that is not a plain host name is not echoed into links.
 */
export function baseUrl(event: APIGatewayProxyEventV2, publicBaseUrl: string | undefined): string {
  if (publicBaseUrl) return publicBaseUrl;
  const proto = event.headers['x-forwarded-proto'] === 'http' ? 'http' : 'https';
  const host = event.headers.host;
  return `${proto}://${host && HOST.test(host) ? host : event.requestContext.domainName}`;
}

/** The longest idempotency key taken (Stripe's and the IETF draft's examples are UUIDs, 36 characters). */
const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/**
 * The `Idempotency-Key` of a create, if it has one: 1 to 255 printable ASCII characters, sent as is (as Stripe
 * does) or as a quoted string (as the IETF httpapi draft's structured field does; the quotes are not part of it).
 */
export function idempotencyKey(event: APIGatewayProxyEventV2): string | undefined {
  const raw = event.headers['idempotency-key'];
  if (raw === undefined) return undefined;
  const value = raw.trim();
  const quoted = /^"((?:[^"\\]|\\.)*)"$/.exec(value);
  const key = quoted ? (quoted[1] ?? '').replace(/\\(.)/g, '$1') : value;
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH || !/^[\x20-\x7e]+$/.test(key)) {
    throw new HttpError(
      400,
      'invalid-idempotency-key',
      'Invalid Idempotency-Key',
      `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters, such as a UUID.`,
    );
  }
  return key;
}
