import { route, todos } from '../app.js';
import { pathParameter, readJsonBody } from '../http/request.js';
import { json } from '../http/responses.js';
import { toView } from '../http/todo-view.js';
import { parseTodoPatch } from '../todos/schema.js';

/** `PATCH /todos/{id}`: changes the fields sent; never creates a todo. */
export const handler = route(async ({ event, owner, baseUrl }) => {
  const id = pathParameter(event, 'id');
  const patch = parseTodoPatch(readJsonBody(event));
  return json(200, toView(await todos.update(owner, id, patch), baseUrl));
});
