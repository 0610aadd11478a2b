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

// A ULID (https://github.com/ulid/spec) in its canonical upper-case form: 48 bits of milliseconds, then 80 random
// bits, so ids sort in creation order.
const ID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

/** Whether `id` has the form of an id this service issues (anything else names no todo). */
export function isId(id: string): boolean {
  return ID_PATTERN.test(id);
}

/** The storage port: what the domain needs from a database, nothing more. */
export interface TodoRepository {
  /** Stores a new todo; the id must not exist yet. */
  create(todo: Todo): Promise<void>;
  /** The owner's todo, or `undefined` when it has none with this id. */
  get(owner: string, id: string): Promise<Todo | undefined>;
  /** Up to `limit` of the owner's todos in id (creation) order, after `afterId` when given. */
  list(owner: string, limit: number, afterId?: string): Promise<TodoPage>;
  /** Applies the patch to an existing todo and returns it; `NotFoundError` when there is none (it never creates one). */
  update(owner: string, id: string, patch: TodoPatch, updatedAt: string): Promise<Todo>;
  /** `NotFoundError` when there is nothing to delete. */
  delete(owner: string, id: string): Promise<void>;
  /** Deletes every todo of the owner and returns how many there were. */
  deleteAll(owner: string): Promise<number>;
}
