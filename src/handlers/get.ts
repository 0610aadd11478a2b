import { config, todos } from '../app.js';
import { httpHandler } from '../http/handler.js';
import { ownerOf } from '../http/owner.js';
import { baseUrl, pathParameter } from '../http/request.js';
import { json } from '../http/responses.js';
import { toView } from '../todos/todo.js';

/** `GET /todos/{id}` */
export const handler = httpHandler(async (event) => {
  const todo = await todos.get(ownerOf(event, config.authMode), pathParameter(event, 'id'));
  return json(200, toView(todo, baseUrl(event, config.publicBaseUrl)));
});
