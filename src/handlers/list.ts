import { route, todos } from '../app.js';
import { preconditions, readResponse } from '../http/conditional.js';
import { pageEtag } from '../http/etag.js';
import { LIST_QUERY_PARAMETERS, pageLinks, parseCompleted, parseLimit } from '../http/pagination.js';
import { queryParameter } from '../http/request.js';
import { toView } from '../http/todo-view.js';
import type { TodoFilter } from '../todos/todo.js';

/**
 * `GET /todos?limit=N&completed=true|false&cursor=C`: one page, oldest first; a `Link: rel="next"` header when more
 * remain; 304 when the client's If-None-Match names this exact page.
 */
export const handler = route(
  async ({ event, owner, baseUrl }) => {
    const limit = parseLimit(queryParameter(event, 'limit'));
    const completed = parseCompleted(queryParameter(event, 'completed'));
    const filter: TodoFilter = completed === undefined ? {} : { completed };
    const conditions = preconditions(event);
    const page = await todos.list(owner, limit, queryParameter(event, 'cursor'), filter);
    const body = JSON.stringify(page.items.map((todo) => toView(todo, baseUrl)));
    const links = pageLinks(baseUrl, limit, page.nextCursor, filter);
    return readResponse(conditions, body, pageEtag(body, links.link), links);
  },
  { query: LIST_QUERY_PARAMETERS },
);
