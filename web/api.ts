/**
 * The TODO API as the page uses it: every call carries the signed-in user's token, every error becomes a
 * `Problem` with the server's own words (RFC 9457 `detail`), and every write names the version the page showed
 * (`If-Match`), so that a change made elsewhere is never overwritten unseen.
 */

import type { TodoView } from '../src/http/contract.js';

/** A todo as the API answers it (the API's own type, erased at build); its `etag` is the todo's current ETag. */
export type Todo = TodoView;

/** An error answer of the API (or no answer at all), with what to tell the person. */
export class Problem extends Error {
  constructor(
    /** The HTTP status; 0 when the API could not be reached. */
    readonly status: number,
    /** The problem type's last segment (`not-found`, `precondition-failed`…), or the status for other answers. */
    readonly kind: string,
    /** What to show: the problem's `detail` (or a plain sentence when the answer is not a problem document). */
    readonly detail: string,
    readonly requestId?: string,
    /** The current todo, when the server refused a write because it changed meanwhile (412). */
    readonly current?: Todo,
  ) {
    super(detail);
  }
}

export interface ApiOptions {
  /** The token to send, or undefined when nobody is signed in (auth=none). */
  token(): string | undefined;
}

/** The most todos the page asks for at a time (the API's page size limit). */
const PAGE_SIZE = 100;

/** The next page's URL from a `Link` header (RFC 8288), if there is one. */
export function nextLink(link: string | null): string | undefined {
  for (const part of (link ?? '').split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (match && /;\s*rel="?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)/i.test(match[2] ?? '')) return match[1];
  }
  return undefined;
}

/** A validation problem's detail with what it says of each field ("title: must be at most 1000 characters"). */
function withFieldErrors(detail: string, errors: unknown): string {
  if (!Array.isArray(errors)) return detail;
  const fields = errors
    .filter(
      (e): e is { field: string; message: string } => typeof e?.field === 'string' && typeof e?.message === 'string',
    )
    .map((e) => `${e.field} ${e.message}`);
  return fields.length > 0 ? `${detail} (${fields.join('; ')})` : detail;
}

async function problemOf(response: Response): Promise<Problem> {
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (body && typeof body.detail === 'string') {
      const kind = typeof body.type === 'string' ? (body.type.split(/[/:]/).pop() ?? '') : String(response.status);
      const requestId = typeof body.requestId === 'string' ? body.requestId : undefined;
      return new Problem(response.status, kind, withFieldErrors(body.detail, body.errors), requestId);
    }
    // API Gateway's own answers ({"message": "Unauthorized"}…) carry no detail.
    if (body && typeof body.message === 'string') {
      return new Problem(response.status, String(response.status), `The API answered: ${body.message}.`);
    }
  }
  return new Problem(response.status, String(response.status), `The API answered ${response.status}.`);
}

export function createApi(base: URL, options: ApiOptions) {
  async function send(method: string, url: string | URL, init: { body?: unknown; ifMatch?: string } = {}) {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = options.token();
    if (token) headers.authorization = `Bearer ${token}`;
    if (init.ifMatch) headers['if-match'] = init.ifMatch;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        // GETs are answered `private, no-cache`: the browser asks again every time, with the ETag it holds.
        headers,
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      });
    } catch {
      throw new Problem(0, 'offline', 'The API cannot be reached. Check your connection and try again.');
    }
    if (!response.ok) throw await problemOf(response);
    return response;
  }

  /** A write the server refused because the todo changed meanwhile: the problem, with the todo as it is now. */
  async function withCurrent(problem: unknown, todo: Todo): Promise<never> {
    if (!(problem instanceof Problem) || problem.status !== 412) throw problem;
    const current = await send('GET', todo.url).then(
      (response) => response.json() as Promise<Todo>,
      (error: unknown) => {
        if (error instanceof Problem && error.status === 404) return undefined;
        throw error;
      },
    );
    throw new Problem(412, problem.kind, problem.detail, problem.requestId, current);
  }

  return {
    /** All the user's todos, oldest first: every page, following `Link: rel="next"`. */
    async list(): Promise<Todo[]> {
      const todos: Todo[] = [];
      let url: string | undefined = new URL(`todos?limit=${PAGE_SIZE}`, base).href;
      const seen = new Set<string>();
      while (url && !seen.has(url)) {
        seen.add(url);
        const response = await send('GET', url);
        todos.push(...((await response.json()) as Todo[]));
        const next = nextLink(response.headers.get('link'));
        url = next ? new URL(next, url).href : undefined;
      }
      return todos;
    },

    async create(title: string): Promise<Todo> {
      const response = await send('POST', new URL('todos', base), { body: { title } });
      return (await response.json()) as Todo;
    },

    /** Changes a todo only if it is still the version the page showed; a 412 comes with the current todo. */
    async update(todo: Todo, patch: Partial<Pick<Todo, 'title' | 'completed'>>): Promise<Todo> {
      try {
        const response = await send('PATCH', todo.url, { body: patch, ifMatch: todo.etag });
        return (await response.json()) as Todo;
      } catch (error) {
        return withCurrent(error, todo);
      }
    },

    /** Deletes a todo only if it is still the version the page showed; one already gone counts as deleted. */
    async remove(todo: Todo): Promise<void> {
      try {
        await send('DELETE', todo.url, { ifMatch: todo.etag });
      } catch (error) {
        if (error instanceof Problem && error.status === 404) return;
        await withCurrent(error, todo);
      }
    },
  };
}

export type Api = ReturnType<typeof createApi>;
