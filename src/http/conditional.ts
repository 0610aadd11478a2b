/**
 * HTTP conditional requests (RFC 9110 §13): entity tags for todos and pages, `If-Match` for writes, and
 * `If-None-Match` for reads.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { ExpectedVersions } from '../todos/todo.js';
import { HttpError } from './problem.js';
import { type HttpResponse, jsonText } from './responses.js';

interface EntityTag {
  weak: boolean;
  /** The opaque tag with its quotes, e.g. `"abc"`. */
  opaque: string;
}

/** `*`, or the entity tags of an If-Match / If-None-Match value. */
type Condition = '*' | EntityTag[];

/** More tags than any client needs; it bounds the size of the condition sent to DynamoDB. */
const MAX_TAGS = 20;

// One entity-tag and what follows it: `W/"x"`, then a comma or the end.
const ENTITY_TAG = /^\s*(W\/)?("[!#-~\u0080-\uffff]*")\s*(?:,|$)/;

function parseCondition(name: string, value: string | undefined): Condition | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '*') return '*';
  const tags: EntityTag[] = [];
  let rest = value;
  while (rest.trim() !== '') {
    const match = ENTITY_TAG.exec(rest);
    if (!match || tags.length === MAX_TAGS) {
      throw new HttpError(
        400,
        'invalid-precondition',
        'Invalid precondition',
        `${name} must be * or a list of at most ${MAX_TAGS} entity tags such as "abc" or W/"abc".`,
      );
    }
    tags.push({ weak: match[1] !== undefined, opaque: match[2] ?? '' });
    rest = rest.slice(match[0].length);
  }
  if (tags.length === 0) throw new HttpError(400, 'invalid-precondition', 'Invalid precondition', `${name} is empty.`);
  return tags;
}

/**
 * The versions a write (PATCH, DELETE) may apply to, from `If-Match`: `undefined` without the header (or with `*`:
 * any version, and every write here needs the todo to exist anyway). Weak tags never match for a write (RFC 9110
 * strong comparison), so `W/"x"` alone names no version. When `required`, a write without the header is refused
 * with 428, so that no client can overwrite a change it has not seen.
 */
export function expectedVersions(event: APIGatewayProxyEventV2, required: boolean): ExpectedVersions {
  const condition = parseCondition('If-Match', event.headers['if-match']);
  if (condition === undefined && required) {
    throw new HttpError(
      428,
      'precondition-required',
      'Precondition Required',
      'This API requires If-Match on writes: send the ETag of the todo as you last read it.',
    );
  }
  if (condition === undefined || condition === '*') return undefined;
  return condition.filter((tag) => !tag.weak).map((tag) => tag.opaque.slice(1, -1));
}

/** Whether `If-None-Match` names `etag` (weak comparison, as RFC 9110 asks for it), or is `*`. */
function matchesNoneMatch(event: APIGatewayProxyEventV2, etag: string): boolean {
  const condition = parseCondition('If-None-Match', event.headers['if-none-match']);
  if (condition === undefined) return false;
  return condition === '*' || condition.some((tag) => tag.opaque === etag);
}

/**
 * The answer to a read: 200 with the JSON body and its ETag, or 304 without a body when the client already has it
 * (its If-None-Match names the ETag). A 304 saves the response's bytes, not the DynamoDB read behind it (the ETag
 * comes from what was just read), which is still worth it for a page that polls every few seconds: most polls then
 * carry no body, and the client does not re-render. `private, no-cache` lets a browser keep the answer and ask
 * again with its ETag each time; no shared cache keeps anyone's todos.
 */
export function readResponse(
  event: APIGatewayProxyEventV2,
  body: string,
  etag: string,
  headers: Record<string, string> = {},
): HttpResponse {
  const validators = { etag, 'cache-control': 'private, no-cache' };
  if (matchesNoneMatch(event, etag)) return { statusCode: 304, headers: { ...headers, ...validators } };
  return jsonText(200, body, { ...headers, ...validators });
}
