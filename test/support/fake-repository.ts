/**
 * An in-memory `TodoRepository` for unit tests of the service: it keeps the port's promises (create never
 * overwrites, update never creates, pages in id order) and records every call, so a test can tell that a request
 * was refused before any storage was touched.
 */
import { NotFoundError, PreconditionFailedError } from '../../src/todos/errors.js';
import type { IdempotencyRecord, IdempotencyStore } from '../../src/todos/idempotency.js';
import type { Todo, TodoPage, TodoRepository, VersionPrecondition } from '../../src/todos/todo.js';

/** Whether `version` satisfies `precondition`, as DynamoDB's condition decides it in the real repository. */
function satisfies(version: string, precondition: VersionPrecondition | undefined): boolean {
  if (!precondition) return true;
  const { oneOf, noneOf } = precondition;
  if (oneOf && !oneOf.includes(version)) return false;
  if (noneOf === 'any') return false;
  return !noneOf?.includes(version);
}

export interface FakeRepository extends TodoRepository {
  /** Every call, as `[method, ...arguments]`. */
  calls: Array<[string, ...unknown[]]>;
  /** The stored todos, by `owner#id`. */
  stored: Map<string, Todo>;
  /**
   * Makes the next create throw `error` (a store fault), storing nothing, or, when `applied`, storing the todo first
   * (a write applied whose answer was lost, after which the client's retries failed).
   */
  failNextCreate(error: Error, options?: { applied?: boolean }): void;
}

export function createFakeRepository(): FakeRepository {
  const stored = new Map<string, Todo>();
  const calls: Array<[string, ...unknown[]]> = [];
  let createFailure: { error: Error; applied: boolean } | undefined;
  const key = (owner: string, id: string) => `${owner}#${id}`;
  /** The stored todo a write may change, as DynamoDB's condition would decide it. */
  const existing = (owner: string, id: string, precondition: VersionPrecondition | undefined): Todo => {
    const todo = stored.get(key(owner, id));
    if (!todo) throw new NotFoundError(id);
    if (!satisfies(todo.version, precondition)) {
      throw new PreconditionFailedError(structuredClone(todo));
    }
    return todo;
  };
  const ownedBy = (owner: string) =>
    [...stored.values()].filter((todo) => todo.owner === owner).sort((a, b) => (a.id < b.id ? -1 : 1));

  return {
    calls,
    stored,
    failNextCreate(error, options = {}) {
      createFailure = { error, applied: options.applied === true };
    },
    async create(todo) {
      calls.push(['create', todo]);
      const failure = createFailure;
      createFailure = undefined;
      if (failure?.applied) stored.set(key(todo.owner, todo.id), structuredClone(todo));
      if (failure) throw failure.error;
      if (stored.has(key(todo.owner, todo.id))) throw new Error(`fake: ${todo.id} exists`);
      stored.set(key(todo.owner, todo.id), structuredClone(todo));
    },
    async get(owner, id) {
      calls.push(['get', owner, id]);
      const todo = stored.get(key(owner, id));
      return todo && structuredClone(todo);
    },
    async list(owner, limit, afterId, filter = {}): Promise<TodoPage> {
      calls.push(['list', owner, limit, afterId, filter]);
      const after = ownedBy(owner).filter(
        (todo) =>
          (afterId === undefined || todo.id > afterId) &&
          (filter.completed === undefined || todo.completed === filter.completed),
      );
      const items = after.slice(0, limit).map((todo) => structuredClone(todo));
      const last = items.at(-1);
      return after.length > limit && last ? { items, lastId: last.id } : { items };
    },
    async update(owner, id, patch, stamp, precondition) {
      calls.push(['update', owner, id, patch, stamp, precondition]);
      const todo = existing(owner, id, precondition);
      const { order, ...rest } = patch;
      Object.assign(todo, rest, stamp);
      if (order === null) delete todo.order;
      else if (order !== undefined) todo.order = order;
      return structuredClone(todo);
    },
    async delete(owner, id, precondition) {
      calls.push(['delete', owner, id, precondition]);
      existing(owner, id, precondition);
      stored.delete(key(owner, id));
    },
    async deleteAll(owner) {
      calls.push(['deleteAll', owner]);
      const mine = ownedBy(owner);
      for (const todo of mine) stored.delete(key(owner, todo.id));
      return mine.length;
    },
  };
}

export interface FakeIdempotencyStore extends IdempotencyStore {
  records: Map<string, IdempotencyRecord>;
  calls: string[];
  /** Makes the next call of this method throw `error`. */
  failNext(method: 'claim' | 'takeOver' | 'complete' | 'abandon' | 'forgetAll', error: Error): void;
}

/** An in-memory `IdempotencyStore` with the conditions of the DynamoDB one. */
export function createFakeIdempotencyStore(): FakeIdempotencyStore {
  const records = new Map<string, IdempotencyRecord>();
  const calls: string[] = [];
  const failures = new Map<string, Error>();
  const key = (owner: string, idempotencyKey: string) => `${owner}#${idempotencyKey}`;
  const enter = (method: string) => {
    calls.push(method);
    const failure = failures.get(method);
    failures.delete(method);
    if (failure) throw failure;
  };
  return {
    records,
    calls,
    failNext: (method, error) => failures.set(method, error),
    async claim(record, now) {
      enter('claim');
      const held = records.get(key(record.owner, record.key));
      if (held && held.expiresAt >= now) return structuredClone(held);
      records.set(key(record.owner, record.key), structuredClone(record));
      return undefined;
    },
    async takeOver(record, leaseUntil) {
      enter('takeOver');
      const held = records.get(key(record.owner, record.key));
      if (held?.state !== 'in-progress' || held.leaseUntil !== record.leaseUntil) return false;
      held.leaseUntil = leaseUntil;
      return true;
    },
    async complete(owner, idempotencyKey) {
      enter('complete');
      const held = records.get(key(owner, idempotencyKey));
      if (!held) throw new Error('fake: complete of a missing record');
      held.state = 'completed';
    },
    async abandon(owner, idempotencyKey, leaseUntil, now) {
      enter('abandon');
      const held = records.get(key(owner, idempotencyKey));
      if (held?.state === 'in-progress' && held.leaseUntil === leaseUntil) held.leaseUntil = now;
    },
    async forgetAll(owner) {
      enter('forgetAll');
      for (const [k, record] of records) if (record.owner === owner) records.delete(k);
    },
  };
}
