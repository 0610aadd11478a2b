/**
 * An in-memory `TodoRepository` for unit tests of the service: it keeps the port's promises (create never
 * overwrites, update never creates, pages in id order) and records every call, so a test can tell that a request
 * was refused before any storage was touched.
 */
import { NotFoundError, PreconditionFailedError } from '../../src/todos/errors.js';
import type { IdempotencyRecord, IdempotencyStore } from '../../src/todos/idempotency.js';
import type { ExpectedVersions, Todo, TodoPage, TodoRepository } from '../../src/todos/todo.js';

export interface FakeRepository extends TodoRepository {
  /** Every call, as `[method, ...arguments]`. */
  calls: Array<[string, ...unknown[]]>;
  /** The stored todos, by `owner#id`. */
  stored: Map<string, Todo>;
  /** Makes the next create throw `error` (a store fault), storing nothing. */
  failNextCreate(error: Error): void;
}

export function createFakeRepository(): FakeRepository {
  const stored = new Map<string, Todo>();
  const calls: Array<[string, ...unknown[]]> = [];
  let createFailure: Error | undefined;
  const key = (owner: string, id: string) => `${owner}#${id}`;
  /** The stored todo a write may change, as DynamoDB's condition would decide it. */
  const existing = (owner: string, id: string, expected: ExpectedVersions): Todo => {
    const todo = stored.get(key(owner, id));
    if (!todo) throw new NotFoundError(id);
    if (expected !== undefined && !expected.includes(todo.version)) {
      throw new PreconditionFailedError(structuredClone(todo));
    }
    return todo;
  };
  const ownedBy = (owner: string) =>
    [...stored.values()].filter((todo) => todo.owner === owner).sort((a, b) => (a.id < b.id ? -1 : 1));

  return {
    calls,
    stored,
    failNextCreate(error) {
      createFailure = error;
    },
    async create(todo) {
      calls.push(['create', todo]);
      const failure = createFailure;
      createFailure = undefined;
      if (failure) throw failure;
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
    async update(owner, id, patch, stamp, expected) {
      calls.push(['update', owner, id, patch, stamp, expected]);
      const todo = existing(owner, id, expected);
      Object.assign(todo, patch, stamp);
      return structuredClone(todo);
    },
    async delete(owner, id, expected) {
      calls.push(['delete', owner, id, expected]);
      existing(owner, id, expected);
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
  failNext(method: 'claim' | 'takeOver' | 'complete' | 'release', error: Error): void;
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
    async release(owner, idempotencyKey, leaseUntil) {
      enter('release');
      const held = records.get(key(owner, idempotencyKey));
      if (held?.state === 'in-progress' && held.leaseUntil === leaseUntil) records.delete(key(owner, idempotencyKey));
    },
  };
}
