import { config, todos } from '../app.js';
import { httpHandler } from '../http/handler.js';
import { ownerOf } from '../http/owner.js';
import { baseUrl, readJsonBody } from '../http/request.js';
import { json } from '../http/responses.js';
import { parseNewTodo } from '../todos/schema.js';
import { toView } from '../todos/todo.js';

/** `POST /todos`, and the tutorial's `POST /` (which also takes `{"todo": "text"}`). */
export const handler = httpHandler(async (event) => {
  const owner = ownerOf(event, config.authMode);
  const input = parseNewTodo(readJsonBody(event), { tutorialBody: event.routeKey === 'POST /' });
  const todo = toView(await todos.create(owner, input), baseUrl(event, config.publicBaseUrl));
  return json(201, todo, { location: todo.url });
});
