/**
 * HTTP conditional requests (RFC 9110 §13): entity tags for todos and pages, `If-Match` for writes, and
 * `If-None-Match` for reads.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { VersionPrecondition } from '../todos/todo.js';
import { HttpError } from './problem.js';
import { type HttpResponse, jsonText } from './responses.js';

interface EntityTag {
  weak: boolean;
  /** The opaque tag with its quotes, e.g. `"abc"`. */
  opaque: string;
}

/** `*`, or the entity tags of an If-Match / If-None-Match value. */
type Condition = '*' | EntityTag[];

/** The preconditions a request states, parsed before anything is read or written. */
export interface Preconditions {
  ifMatch?: Condition;
  ifNoneMatch?: Condition;
}

/** More tags than any client needs; it bounds the size of the condition sent to DynamoDB. */
const MAX_TAGS = 20;

// One entity-tag and what follows it: `W/"x"`, then a comma or the end.
const ENTITY_TAG = /^\s*(W\/)?("[!#-~\u0080-\uffff]*")\s*(?:,|$)/;

function invalid(name: string, why: string): HttpError {
  return new HttpError(400, 'invalid-precondition', 'Invalid precondition', `${name} ${why}`);
}

function parseCondition(name: string, value: string | undefined): Condition | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '*') return '*';
  const tags: EntityTag[] = [];
  let rest = value;
  while (rest.trim() !== '') {
    // Empty list elements are allowed and ignored (RFC 9110 §5.6.1.2).
    const empty = /^\s*,/.exec(rest);
    if (empty) {
      rest = rest.slice(empty[0].length);
      continue;
    }
    const match = ENTITY_TAG.exec(rest);
    if (!match) throw invalid(name, 'must be * or a list of entity tags such as "abc" or W/"abc".');
    if (tags.length === MAX_TAGS) throw invalid(name, `may name at most ${MAX_TAGS} entity tags.`);
    tags.push({ weak: match[1] !== undefined, opaque: match[2] ?? '' });
    rest = rest.slice(match[0].length);
  }
  if (tags.length === 0) throw invalid(name, 'is empty.');
  return tags;
}

/** The request's If-Match and If-None-Match; a malformed one is a 400 before anything is read or written. */
export function preconditions(event: APIGatewayProxyEventV2): Preconditions {
  const ifMatch = parseCondition('If-Match', event.headers['if-match']);
  const ifNoneMatch = parseCondition('If-None-Match', event.headers['if-none-match']);
  return { ...(ifMatch ? { ifMatch } : {}), ...(ifNoneMatch ? { ifNoneMatch } : {}) };
}

const unquote = (tag: EntityTag) => tag.opaque.slice(1, -1);

/**
 * What a write (PATCH, DELETE) requires of the stored version, for the store to check in the write itself:
 * If-Match by strong comparison (a weak tag never matches a write; `*` is any version, and the todo must exist
 * anyway) and If-None-Match by weak comparison (`*` matches every existing todo, so the write is refused).
 * When `required`, a write that does not name the version it read (no If-Match, or `*`) is refused with 428, so
 * that no client can overwrite a change it has not seen.
 */
export function writePrecondition(event: APIGatewayProxyEventV2, required: boolean): VersionPrecondition | undefined {
  const { ifMatch, ifNoneMatch } = preconditions(event);
  if (required && (ifMatch === undefined || ifMatch === '*')) {
    throw new HttpError(
      428,
      'precondition-required',
      'Precondition Required',
      'This API requires If-Match on writes: send the ETag of the todo as you last read it.',
    );
  }
  const precondition: VersionPrecondition = {};
  if (ifMatch && ifMatch !== '*') precondition.oneOf = ifMatch.filter((tag) => !tag.weak).map(unquote);
  if (ifNoneMatch) precondition.noneOf = ifNoneMatch === '*' ? 'any' : ifNoneMatch.map(unquote);
  return precondition.oneOf || precondition.noneOf ? precondition : undefined;
}

/**
 * The answer to a read, given the ETag of what was read (RFC 9110 §13.2.2's order): 412 when If-Match does not
 * name it, 304 without a body when If-None-Match does (the client has it already), else 200 with the body.
 *
 * A 304 saves the response's bytes, not the DynamoDB read behind it (the ETag comes from what was just read), which
 * is still worth it for a page that polls every few seconds: most polls then carry no body, and the client does
 * not re-render. `private, no-cache` lets a browser keep the answer and ask again with its ETag each time; no
 * shared cache keeps anyone's todos.
 */
export function readResponse(
  conditions: Preconditions,
  body: string,
  etag: string,
  headers: Record<string, string> = {},
): HttpResponse {
  const { ifMatch, ifNoneMatch } = conditions;
  if (ifMatch && ifMatch !== '*' && !ifMatch.some((tag) => !tag.weak && tag.opaque === etag)) {
    throw new HttpError(
      412,
      'precondition-failed',
      'Precondition Failed',
      'If-Match does not name the current version; read it again.',
      { etag },
    );
  }
  const validators = { etag, 'cache-control': 'private, no-cache' };
  if (ifNoneMatch === '*' || ifNoneMatch?.some((tag) => tag.opaque === etag)) {
    return { statusCode: 304, headers: { ...headers, ...validators } };
  }
  return jsonText(200, body, { ...headers, ...validators });
}
