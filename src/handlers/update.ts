import { route, todos } from '../app.js';
import { pathParameter, readJsonBody } from '../http/request.js';
import { todoResponse } from '../http/todo-view.js';
import { parseTodoPatch } from '../todos/validation.js';

/**
 * `PATCH /todos/{id}`: changes the fields sent; never creates a todo. With `If-Match`, only if the todo is still
 * the version the client names (412 with the current ETag otherwise); likewise for `If-None-Match`.
 */
export const handler = route(async ({ event, owner, baseUrl, writePrecondition, count }) => {
  const id = pathParameter(event, 'id');
  const precondition = writePrecondition();
  const patch = parseTodoPatch(readJsonBody(event));
  const todo = await todos.update(owner, id, patch, precondition);
  count('TodosUpdated');
  return todoResponse(200, todo, baseUrl);
});
