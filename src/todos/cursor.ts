import { createHash } from 'node:crypto';
import { InvalidCursorError } from './errors.js';
import { isId } from './todo.js';

const VERSION = 'v1';

// The checksum binds a cursor to the owner and the position it was issued for:
// any edited byte, or another caller's cursor, fails it. It is a plain hash,
// not a MAC: nothing here is secret (listing only ever reads the caller's own
// partition, so a forged cursor could reveal nothing); it makes a wrong cursor
// an explicit refusal instead of a silently different page.
function checksum(owner: string, lastId: string): string {
  return createHash('sha256').update(`todo-cursor\0${VERSION}\0${owner}\0${lastId}`).digest('base64url').slice(0, 16);
}

/** An opaque cursor for the page that follows `lastId` in `owner`'s listing. */
export function encodeCursor(owner: string, lastId: string): string {
  return Buffer.from(`${VERSION}.${lastId}.${checksum(owner, lastId)}`).toString('base64url');
}

/** The id after which the next page starts; throws `InvalidCursorError` for anything this server did not issue to `owner`. */
export function decodeCursor(owner: string, cursor: string): string {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw new InvalidCursorError();
  const [version, lastId, sum, ...extra] = Buffer.from(cursor, 'base64url').toString('utf8').split('.');
  if (
    version !== VERSION ||
    lastId === undefined ||
    !isId(lastId) ||
    extra.length > 0 ||
    sum !== checksum(owner, lastId)
  ) {
    throw new InvalidCursorError();
  }
  // base64url has spare bits in its last character: only the exact text this server issued is accepted.
  if (encodeCursor(owner, lastId) !== cursor) throw new InvalidCursorError();
  return lastId;
}
