import { decodeCursor, encodeCursor } from './cursor.js';
import { NotFoundError } from './errors.js';
import { isId, newId } from './ids.js';
import type { NewTodo, Todo, TodoPatch, TodoRepository } from './todo.js';

export const MAX_PAGE_SIZE = 100;

export interface ListResult {
  items: Todo[];
  /** Present when more todos follow this page. */
  nextCursor?: string;
}

export interface TodoServiceDeps {
  repository: TodoRepository;
  now?: () => Date;
  newId?: () => string;
}

/** The todo rules, independent of HTTP and of the database. */
export function createTodoService({ repository, now = () => new Date(), newId: makeId = newId }: TodoServiceDeps) {
  // An id that is not one of ours cannot name a stored todo: answer 404 without a read.
  const notFound = (id: string) => new NotFoundError(`No todo with id ${JSON.stringify(id)}.`);
  const requireId = (id: string) => {
    if (!isId(id)) throw notFound(id);
    return id;
  };

  return {
    async create(owner: string, input: NewTodo): Promise<Todo> {
      const at = now().toISOString();
      const todo: Todo = {
        owner,
        id: makeId(),
        title: input.title,
        completed: input.completed,
        createdAt: at,
        updatedAt: at,
      };
      if (input.order !== undefined) todo.order = input.order;
      await repository.create(todo);
      return todo;
    },

    async get(owner: string, id: string): Promise<Todo> {
      const todo = await repository.get(owner, requireId(id));
      if (!todo) throw notFound(id);
      return todo;
    },

    /** One page, oldest first. `cursor` comes from a previous page's `nextCursor`. */
    async list(owner: string, limit: number, cursor?: string): Promise<ListResult> {
      const afterId = cursor === undefined ? undefined : decodeCursor(owner, cursor);
      const page = await repository.list(owner, limit, afterId);
      return page.lastId === undefined
        ? { items: page.items }
        : { items: page.items, nextCursor: encodeCursor(owner, page.lastId) };
    },

    async update(owner: string, id: string, patch: TodoPatch): Promise<Todo> {
      const todo = await repository.update(owner, requireId(id), patch, now().toISOString());
      if (!todo) throw notFound(id);
      return todo;
    },

    async delete(owner: string, id: string): Promise<void> {
      if (!(await repository.delete(owner, requireId(id)))) throw notFound(id);
    },

    async deleteAll(owner: string): Promise<number> {
      return repository.deleteAll(owner);
    },
  };
}

export type TodoService = ReturnType<typeof createTodoService>;
