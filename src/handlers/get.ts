import { route, todos } from '../app.js';
import { pathParameter } from '../http/request.js';
import { json } from '../http/responses.js';
import { toView } from '../http/todo-view.js';

/** `GET /todos/{id}` */
export const handler = route(async ({ event, owner, baseUrl }) => {
  const todo = await todos.get(owner, pathParameter(event, 'id'));
  return json(200, toView(todo, baseUrl));
});
