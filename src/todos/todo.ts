/** A todo as stored: the owner is part of its key and never leaves the server. */
export interface Todo {
  owner: string;
  id: string;
  title: string;
  completed: boolean;
  order?: number;
  createdAt: string;
  updatedAt: string;
  /** Changes with every write: what a client names to say "only if nobody changed it since I read it". */
  version: string;
}

/** The version of a todo stored before todos had versions (every write gives it a real one). */
export const LEGACY_VERSION = '0';

export interface NewTodo {
  title: string;
  completed: boolean;
  order?: number;
}

/** The fields a PATCH may change; at least one is present. An `order` of `null` removes the todo's order. */
export interface TodoPatch {
  title?: string;
  completed?: boolean;
  order?: number | null;
}

/** One page of a listing; `lastId` is set when more todos may follow it (the position the next page starts after). */
export interface TodoPage {
  items: Todo[];
  lastId?: string;
}

/** Which of the owner's todos a listing returns (all when empty). */
export interface TodoFilter {
  completed?: boolean;
}

// A ULID (https://github.com/ulid/spec) in its canonical upper-case form: 48 bits of milliseconds, then 80 random
// bits, so ids sort in creation order.
const ID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

/** Whether `id` has the form of an id this service issues (anything else names no todo). */
export function isId(id: string): boolean {
  return ID_PATTERN.test(id);
}

/**
 * What a write requires of the stored version, as the client stated it (RFC 9110 If-Match and If-None-Match). The
 * write applies only if the todo exists and its version is `oneOf` the listed (when given; an empty list matches
 * nothing) and `noneOf` the listed (when given; `'any'` matches every existing todo, so the write never applies).
 */
export interface VersionPrecondition {
  oneOf?: readonly string[];
  noneOf?: readonly string[] | 'any';
}

/** What a write changes besides the patched fields. */
export interface WriteStamp {
  updatedAt: string;
  /** The version the todo gets. */
  version: string;
}

/** The storage port: what the domain needs from a database, nothing more. */
export interface TodoRepository {
  /** Stores a new todo; the id must not exist yet. */
  create(todo: Todo): Promise<void>;
  /** The owner's todo, or `undefined` when it has none with this id. */
  get(owner: string, id: string): Promise<Todo | undefined>;
  /** Up to `limit` of the owner's todos that pass the filter, in id (creation) order, after `afterId` when given. */
  list(owner: string, limit: number, afterId?: string, filter?: TodoFilter): Promise<TodoPage>;
  /**
   * Applies the patch to an existing todo and returns it, in one atomic write that checks the precondition against
   * the stored version. `NotFoundError` when there is no such todo (it never creates one); `PreconditionFailedError`
   * with the stored todo when its version does not satisfy the precondition.
   */
  update(
    owner: string,
    id: string,
    patch: TodoPatch,
    stamp: WriteStamp,
    precondition: VersionPrecondition | undefined,
  ): Promise<Todo>;
  /** Deletes an existing todo, in one atomic write checking the precondition; the same errors as `update`. */
  delete(owner: string, id: string, precondition: VersionPrecondition | undefined): Promise<void>;
  /** Deletes every todo of the owner and returns how many there were. */
  deleteAll(owner: string): Promise<number>;
}
