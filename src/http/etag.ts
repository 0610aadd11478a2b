/** Entity tags (RFC 9110 §8.8.3) of what this API returns. */
import { createHash } from 'node:crypto';

/**
 * A todo's entity tag is its version, which every write changes. It is strong: for one URL (the host is part of
 * it), a todo's representation is a function of its stored state, so the same version means the same bytes.
 */
export function todoEtag(version: string): string {
  return `"${version}"`;
}

/**
 * A list page's entity tag validates exactly the page: its body and its `Link` (a page whose todos are the same but
 * that now has a next page is a different answer).
 */
export function pageEtag(body: string, link: string | undefined): string {
  return `"${createHash('sha256')
    .update(body)
    .update('\n')
    .update(link ?? '')
    .digest('base64url')
    .slice(0, 27)}"`;
}
