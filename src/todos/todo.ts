/** A todo as stored: the owner is part of its key and never leaves the server. */
export interface Todo {
  owner: string;
  id: string;
  title: string;
  completed: boolean;
  order?: number;
  createdAt: string;
  updatedAt: string;
}

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

export interface NewTodo {
  title: string;
  completed: boolean;
  order?: number;
}

/** The fields a PATCH may change; at least one is present. */
export interface TodoPatch {
  title?: string;
  completed?: boolean;
  order?: number;
}

/** One page of a listing; `lastId` is set when more todos may follow it. */
export interface TodoPage {
  items: Todo[];
  lastId?: string;
}

/** The storage port: what the domain needs from a database, nothing more. */
export interface TodoRepository {
  /** Stores a new todo; the id must not exist yet. */
  create(todo: Todo): Promise<void>;
  get(owner: string, id: string): Promise<Todo | undefined>;
  /** Up to `limit` of the owner's todos in id (creation) order, after `afterId` when given. */
  list(owner: string, limit: number, afterId?: string): Promise<TodoPage>;
  /** Applies the patch to an existing todo; `undefined` when there is none (it never creates one). */
  update(owner: string, id: string, patch: TodoPatch, updatedAt: string): Promise<Todo | undefined>;
  /** `false` when there was nothing to delete. */
  delete(owner: string, id: string): Promise<boolean>;
  /** Deletes every todo of the owner and returns how many there were. */
  deleteAll(owner: string): Promise<number>;
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

export function todoUrl(baseUrl: string, id: string): string {
  return `${baseUrl}/todos/${encodeURIComponent(id)}`;
}
