import { route, todos } from '../app.js';
import { preconditions, readResponse } from '../http/conditional.js';
import { todoEtag } from '../http/etag.js';
import { pathParameter } from '../http/request.js';
import { toView } from '../http/todo-view.js';

/** `GET /todos/{id}`: 304 when the client's If-None-Match names the current version (412 if If-Match does not). */
export const handler = route(async ({ event, owner, baseUrl }) => {
  const conditions = preconditions(event);
  const todo = await todos.get(owner, pathParameter(event, 'id'));
  return readResponse(conditions, JSON.stringify(toView(todo, baseUrl)), todoEtag(todo.version));
});
