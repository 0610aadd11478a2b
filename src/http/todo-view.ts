/** How a todo looks over HTTP: its representation and its URL. */
import type { Todo } from '../todos/todo.js';

/** A todo as clients see it (also the shape Todo-Backend clients expect). */
export interface TodoView {
  id: string;
  title: string;
  completed: boolean;
  order?: number;
  url: string;
  createdAt: string;
  updatedAt: string;
}

/** The public representation: storage keys stay out, the absolute URL goes in. */
export function toView(todo: Todo, baseUrl: string): TodoView {
  const view: TodoView = {
    id: todo.id,
    title: todo.title,
    completed: todo.completed,
    url: todoUrl(baseUrl, todo.id),
    createdAt: todo.createdAt,
    updatedAt: todo.updatedAt,
  };
  if (todo.order !== undefined) view.order = todo.order;
  return view;
}

function todoUrl(baseUrl: string, id: string): string {
  return `${baseUrl}/todos/${encodeURIComponent(id)}`;
}
