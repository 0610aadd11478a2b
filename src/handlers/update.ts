import { config, todos } from '../app.js';
import { httpHandler } from '../http/handler.js';
import { ownerOf } from '../http/owner.js';
import { baseUrl, pathParameter, readJsonBody } from '../http/request.js';
import { json } from '../http/responses.js';
import { parseTodoPatch } from '../todos/schema.js';
import { toView } from '../todos/todo.js';

/** `PATCH /todos/{id}`: changes the fields sent; never creates a todo. */
export const handler = httpHandler(async (event) => {
  const owner = ownerOf(event, config.authMode);
  const id = pathParameter(event, 'id');
  const patch = parseTodoPatch(readJsonBody(event));
  const todo = await todos.update(owner, id, patch);
  return json(200, toView(todo, baseUrl(event, config.publicBaseUrl)));
});
