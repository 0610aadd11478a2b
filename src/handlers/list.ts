import { config, todos } from '../app.js';
import { httpHandler } from '../http/handler.js';
import { ownerOf } from '../http/owner.js';
import { parseLimit } from '../http/pagination.js';
import { baseUrl, queryParameter } from '../http/request.js';
import { json } from '../http/responses.js';
import { toView } from '../todos/todo.js';

/** `GET /todos?limit=N&cursor=C`: one page, oldest first; a `Link: rel="next"` header when more remain. */
export const handler = httpHandler(async (event) => {
  const limit = parseLimit(queryParameter(event, 'limit'));
  const cursor = queryParameter(event, 'cursor');
  const base = baseUrl(event, config.publicBaseUrl);
  const page = await todos.list(ownerOf(event, config.authMode), limit, cursor);
  const headers: Record<string, string> = {};
  if (page.nextCursor !== undefined) {
    headers.link = `<${base}/todos?limit=${limit}&cursor=${page.nextCursor}>; rel="next"`;
  }
  return json(
    200,
    page.items.map((todo) => toView(todo, base)),
    headers,
  );
});
