import { route, todos } from '../app.js';
import { readResponse } from '../http/conditional.js';
import { todoEtag } from '../http/etag.js';
import { pathParameter } from '../http/request.js';
import { toView } from '../http/todo-view.js';

/** `GET /todos/{id}`: 304 when the client's If-None-Match names the current version. */
export const handler = route(async ({ event, owner, baseUrl }) => {
  const todo = await todos.get(owner, pathParameter(event, 'id'));
  return readResponse(event, JSON.stringify(toView(todo, baseUrl)), todoEtag(todo.version));
});
