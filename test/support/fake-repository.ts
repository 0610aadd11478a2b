/**
 * An in-memory `TodoRepository` for unit tests of the service: it keeps the port's promises (create never
 * overwrites, update never creates, pages in id order) and records every call, so a test can tell that a request
 * was refused before any storage was touched.
 */
import { NotFoundError } from '../../src/todos/errors.js';
import type { Todo, TodoPage, TodoPatch, TodoRepository } from '../../src/todos/todo.js';

export interface FakeRepository extends TodoRepository {
  /** Every call, as `[method, ...arguments]`. */
  calls: Array<[string, ...unknown[]]>;
  /** The stored todos, by `owner#id`. */
  stored: Map<string, Todo>;
}

export function createFakeRepository(): FakeRepository {
  const stored = new Map<string, Todo>();
  const calls: Array<[string, ...unknown[]]> = [];
  const key = (owner: string, id: string) => `${owner}#${id}`;
  const ownedBy = (owner: string) =>
    [...stored.values()].filter((todo) => todo.owner === owner).sort((a, b) => (a.id < b.id ? -1 : 1));

  return {
    calls,
    stored,
    async create(todo) {
      calls.push(['create', todo]);
      if (stored.has(key(todo.owner, todo.id))) throw new Error(`fake: ${todo.id} exists`);
      stored.set(key(todo.owner, todo.id), structuredClone(todo));
    },
    async get(owner, id) {
      calls.push(['get', owner, id]);
      const todo = stored.get(key(owner, id));
      return todo && structuredClone(todo);
    },
    async list(owner, limit, afterId): Promise<TodoPage> {
      calls.push(['list', owner, limit, afterId]);
      const after = ownedBy(owner).filter((todo) => afterId === undefined || todo.id > afterId);
      const items = after.slice(0, limit).map((todo) => structuredClone(todo));
      const last = items.at(-1);
      return after.length > limit && last ? { items, lastId: last.id } : { items };
    },
    async update(owner, id, patch: TodoPatch, updatedAt) {
      calls.push(['update', owner, id, patch, updatedAt]);
      const todo = stored.get(key(owner, id));
      if (!todo) throw new NotFoundError(id);
      Object.assign(todo, patch, { updatedAt });
      return structuredClone(todo);
    },
    async delete(owner, id) {
      calls.push(['delete', owner, id]);
      if (!stored.delete(key(owner, id))) throw new NotFoundError(id);
    },
    async deleteAll(owner) {
      calls.push(['deleteAll', owner]);
      const mine = ownedBy(owner);
      for (const todo of mine) stored.delete(key(owner, todo.id));
      return mine.length;
    },
  };
}
