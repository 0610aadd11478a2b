import { MAX_PAGE_SIZE } from '../todos/service.js';
import type { TodoFilter } from '../todos/todo.js';
import { HttpError } from './problem.js';

/** The query parameters of `GET /todos`. */
export const LIST_QUERY_PARAMETERS = ['limit', 'completed', 'cursor'] as const;

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

/** `completed` as sent in the query: absent means all todos; otherwise `true` or `false`. */
export function parseCompleted(raw: string | undefined): boolean | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw new HttpError(
    400,
    'invalid-query',
    'Invalid query parameter',
    `completed must be true or false, got ${JSON.stringify(raw)}.`,
  );
}

/** The `Link` header of a list page: `rel="next"` when another page follows (RFC 8288), with the same filter. */
export function pageLinks(
  baseUrl: string,
  limit: number,
  nextCursor: string | undefined,
  filter: TodoFilter = {},
): Record<string, string> {
  if (nextCursor === undefined) return {};
  const completed = filter.completed === undefined ? '' : `&completed=${filter.completed}`;
  return { link: `<${baseUrl}/todos?limit=${limit}${completed}&cursor=${nextCursor}>; rel="next"` };
}
