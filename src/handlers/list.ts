import { route, todos } from '../app.js';
import { pageLinks, parseLimit } from '../http/pagination.js';
import { queryParameter } from '../http/request.js';
import { json } from '../http/responses.js';
import { toView } from '../http/todo-view.js';

/** `GET /todos?limit=N&cursor=C`: one page, oldest first; a `Link: rel="next"` header when more remain. */
export const handler = route(async ({ event, owner, baseUrl }) => {
  const limit = parseLimit(queryParameter(event, 'limit'));
  const page = await todos.list(owner, limit, queryParameter(event, 'cursor'));
  return json(
    200,
    page.items.map((todo) => toView(todo, baseUrl)),
    pageLinks(baseUrl, limit, page.nextCursor),
  );
});
