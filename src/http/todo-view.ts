/** How a todo looks over HTTP: its representation and its URL. */
import type { Todo } from '../todos/todo.js';
import type { TodoView } from './contract.js';
import { todoEtag } from './etag.js';
import { type HttpResponse, json } from './responses.js';

/** The public representation: storage keys stay out, the absolute URL goes in. */
export function toView(todo: Todo, baseUrl: string): TodoView {
  const view: TodoView = {
    id: todo.id,
    title: todo.title,
    completed: todo.completed,
    url: todoUrl(baseUrl, todo.id),
    createdAt: todo.createdAt,
    updatedAt: todo.updatedAt,
    etag: todoEtag(todo.version),
  };
  if (todo.order !== undefined) view.order = todo.order;
  return view;
}

export function todoUrl(baseUrl: string, id: string): string {
  return `${baseUrl}/todos/${encodeURIComponent(id)}`;
}

/** A todo as the answer to a write, with its ETag (a write's answer is never cached). */
export function todoResponse(
  statusCode: number,
  todo: Todo,
  baseUrl: string,
  headers: Record<string, string> = {},
): HttpResponse {
  return json(statusCode, toView(todo, baseUrl), { ...headers, etag: todoEtag(todo.version) });
}
