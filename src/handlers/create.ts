import { route, todos } from '../app.js';
import type { RouteInput } from '../http/handler.js';
import { readJsonBody } from '../http/request.js';
import { json } from '../http/responses.js';
import { toView } from '../http/todo-view.js';
import { parseNewTodo, parseTutorialNewTodo } from '../todos/schema.js';
import type { NewTodo } from '../todos/todo.js';

async function create({ owner, baseUrl }: RouteInput, input: NewTodo) {
  const todo = toView(await todos.create(owner, input), baseUrl);
  return json(201, todo, { location: todo.url });
}

/** `POST /todos` */
export const handler = route(async (request) => create(request, parseNewTodo(readJsonBody(request.event))));

/** `POST /`, the tutorial's create route, which also takes `{"todo": "text"}`. */
export const tutorialHandler = route(async (request) =>
  create(request, parseTutorialNewTodo(readJsonBody(request.event))),
);
