import { route, todos } from '../app.js';
import type { RouteInput } from '../http/handler.js';
import { idempotencyKey, readJsonBody } from '../http/request.js';
import { todoResponse, todoUrl } from '../http/todo-view.js';
import type { NewTodo } from '../todos/todo.js';
import { parseNewTodo, parseTutorialNewTodo } from '../todos/validation.js';

/** Creates the todo, once per `Idempotency-Key` when the client sends one. */
async function create({ event, owner, baseUrl, deadline, count }: RouteInput, parse: (body: unknown) => NewTodo) {
  const key = idempotencyKey(event);
  const input = parse(readJsonBody(event));
  const { todo, replayed } =
    key === undefined
      ? { todo: await todos.create(owner, input), replayed: false }
      : await todos.createIdempotent(owner, input, { key, leaseUntil: deadline });
  const headers: Record<string, string> = { location: todoUrl(baseUrl, todo.id) };
  // As Stripe marks it: this is the answer to an earlier request with the same key, not a new todo.
  if (replayed) headers['idempotent-replayed'] = 'true';
  else count('TodosCreated');
  return todoResponse(201, todo, baseUrl, headers);
}

/** `POST /todos` */
export const handler = route((request) => create(request, parseNewTodo));

/** `POST /`, the tutorial's create route, which also takes `{"todo": "text"}`. */
export const tutorialHandler = route((request) => create(request, parseTutorialNewTodo));
