import { MAX_PAGE_SIZE } from '../todos/service.js';
import { HttpError } from './problem.js';

/** `limit` as sent in the query: absent means a full page; otherwise a whole number from 1 to 100. */
export function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return MAX_PAGE_SIZE;
  const limit = /^\d{1,3}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_PAGE_SIZE)) {
    throw new HttpError(
      400,
      'invalid-query',
      'Invalid query parameter',
      `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${JSON.stringify(raw)}.`,
    );
  }
  return limit;
}

/** The `Link` header of a list page: `rel="next"` when another page follows (RFC 8288). */
export function pageLinks(baseUrl: string, limit: number, nextCursor: string | undefined): Record<string, string> {
  if (nextCursor === undefined) return {};
  return { link: `<${baseUrl}/todos?limit=${limit}&cursor=${nextCursor}>; rel="next"` };
}
