import { randomBytes } from 'node:crypto';
import { monotonicFactory } from 'ulid';
import { decodeCursor, encodeCursor } from './cursor.js';
import { IdempotencyKeyInUseError, IdempotencyKeyReusedError, NotFoundError } from './errors.js';
import { fingerprint, IDEMPOTENCY_TTL_SECONDS, type IdempotencyRecord, type IdempotencyStore } from './idempotency.js';
import {
  isId,
  type NewTodo,
  type Todo,
  type TodoFilter,
  type TodoPatch,
  type TodoRepository,
  type VersionPrecondition,
} from './todo.js';

export const MAX_PAGE_SIZE = 100;

/** How long an attempt holds an idempotency key when its caller sets no deadline: past any function's timeout. */
export const DEFAULT_LEASE_MS = 30_000;

export interface ListResult {
  items: Todo[];
  /** Present when more todos follow this page. */
  nextCursor?: string;
}

/** A create's outcome: `replayed` when the todo was created by an earlier request with the same idempotency key. */
export interface CreateResult {
  todo: Todo;
  replayed: boolean;
}

export interface IdempotentCreate {
  key: string;
  /** Until when (epoch ms) this attempt may run: after that, a retry may take the key over. */
  leaseUntil?: number;
}

export interface TodoServiceDeps {
  repository: TodoRepository;
  idempotency?: IdempotencyStore;
  now?: () => Date;
  /**
   * A new id for a todo created at `time` (milliseconds). Ids must sort in creation order: the default makes ULIDs
   * of that time, increasing even within one millisecond.
   */
  newId?: (time: number) => string;
  /** A version never used before for this todo; the default is 72 random bits. */
  newVersion?: () => string;
  /**
   * Told of failures the service recovers from by itself (an idempotency record it could not update): the request
   * still succeeds, but an operator should know.
   */
  onRecoveredFault?: (what: string, error: unknown) => void;
}

/**
 * Random bytes from node:crypto in blocks: ulid's default draws on Web Crypto, whose first use loads it (0.7-1 ms
 * of a cold start), and asking node:crypto for a few bytes at a time costs about 3 µs a call (both measured here).
 */
function randomSource() {
  let block = Buffer.alloc(0);
  let next = 0;
  const take = (count: number): Buffer => {
    if (next + count > block.length) {
      block = randomBytes(256);
      next = 0;
    }
    next += count;
    return block.subarray(next - count, next);
  };
  return {
    /** A uniform fraction for ulid, one byte each (ulid keeps a byte's top 5 bits per character). */
    fraction: () => (take(1)[0] ?? 0) / 256,
    token: () => take(9).toString('base64url'),
  };
}

/** The todo rules, independent of HTTP and of the database. */
export function createTodoService({
  repository,
  idempotency,
  now = () => new Date(),
  newId,
  newVersion,
  onRecoveredFault = () => undefined,
}: TodoServiceDeps) {
  const random = randomSource();
  const makeId = newId ?? monotonicFactory(random.fraction);
  const makeVersion = newVersion ?? random.token;

  // An id that is not one of ours cannot name a stored todo: it is not found, without a read.
  const requireId = (id: string) => {
    if (!isId(id)) throw new NotFoundError(id);
    return id;
  };

  function newTodo(owner: string, input: NewTodo, time: Date): Todo {
    const at = time.toISOString();
    // The id's time is the todo's createdAt, so both tell the same story.
    const todo: Todo = {
      owner,
      id: makeId(time.getTime()),
      title: input.title,
      completed: input.completed,
      createdAt: at,
      updatedAt: at,
      version: makeVersion(),
    };
    if (input.order !== undefined) todo.order = input.order;
    return todo;
  }

  /**
   * Creates the record's todo, then marks the key done; `true` when the todo existed already. After a take-over it
   * may (the attempt that stopped had created it): it is this key's todo, so it is not created again.
   */
  async function finish(store: IdempotencyStore, record: IdempotencyRecord, takingOver: boolean): Promise<boolean> {
    const { owner, key, todo } = record;
    let existed = false;
    try {
      existed = takingOver && (await repository.get(owner, todo.id)) !== undefined;
      if (!existed) await repository.create(todo);
    } catch (error) {
      // Whether the todo was stored is unknown (a write can be applied and its answer lost). So the record keeps
      // its decided todo, and only its lease ends: the client's retry takes over at once and makes that same todo,
      // or finds it made; never a second one.
      await store
        .abandon(owner, key, record.leaseUntil, now().getTime())
        .catch((fault) => onRecoveredFault('abandon', fault));
      throw error;
    }
    // The todo exists: the request has succeeded even if this mark fails. A retry would then wait for the lease,
    // find the todo and finish the mark, so no answer is ever wrong.
    await store.complete(owner, key).catch((fault) => onRecoveredFault('complete', fault));
    return existed;
  }

  return {
    async create(owner: string, input: NewTodo): Promise<Todo> {
      const todo = newTodo(owner, input, now());
      await repository.create(todo);
      return todo;
    },

    /**
     * Creates a todo once per `key` and owner: a repeat with the same input within a day answers with the same todo
     * (`replayed`); with another input it is refused (`IdempotencyKeyReusedError`); while the first is still under
     * way, `IdempotencyKeyInUseError` (saying when to retry).
     */
    async createIdempotent(owner: string, input: NewTodo, request: IdempotentCreate): Promise<CreateResult> {
      if (!idempotency) throw new Error('createIdempotent needs an idempotency store');
      const time = now();
      const attempt: IdempotencyRecord = {
        owner,
        key: request.key,
        fingerprint: fingerprint(input),
        todo: newTodo(owner, input, time),
        state: 'in-progress',
        leaseUntil: request.leaseUntil ?? time.getTime() + DEFAULT_LEASE_MS,
        expiresAt: Math.floor(time.getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS,
      };
      const existing = await idempotency.claim(attempt, Math.floor(time.getTime() / 1000));
      // Our own claim, stored by an attempt whose answer was lost and then retried by the client: it is ours.
      if (!existing || existing.todo.id === attempt.todo.id) {
        await finish(idempotency, attempt, false);
        return { todo: attempt.todo, replayed: false };
      }
      if (existing.fingerprint !== attempt.fingerprint) throw new IdempotencyKeyReusedError();
      if (existing.state === 'completed') return { todo: existing.todo, replayed: true };
      const waitMs = existing.leaseUntil - time.getTime();
      if (waitMs > 0) throw new IdempotencyKeyInUseError(Math.ceil(waitMs / 1000));
      // The attempt holding the key stopped without finishing (its function crashed, timed out or failed): finish
      // it, with the todo it had decided on.
      if (!(await idempotency.takeOver(existing, attempt.leaseUntil))) throw new IdempotencyKeyInUseError(1);
      const existed = await finish(idempotency, { ...existing, leaseUntil: attempt.leaseUntil }, true);
      return { todo: existing.todo, replayed: existed };
    },

    async get(owner: string, id: string): Promise<Todo> {
      const todo = await repository.get(owner, requireId(id));
      if (!todo) throw new NotFoundError(id);
      return todo;
    },

    /** One page, oldest first, of the todos that pass the filter. `cursor` comes from a previous page's `nextCursor`. */
    async list(owner: string, limit: number, cursor?: string, filter: TodoFilter = {}): Promise<ListResult> {
      const afterId = cursor === undefined ? undefined : decodeCursor(owner, cursor);
      const page = await repository.list(owner, limit, afterId, filter);
      return page.lastId === undefined
        ? { items: page.items }
        : { items: page.items, nextCursor: encodeCursor(owner, page.lastId) };
    },

    /** Applies the patch, if the todo's version satisfies the precondition (any version without one). */
    async update(owner: string, id: string, patch: TodoPatch, precondition?: VersionPrecondition): Promise<Todo> {
      const stamp = { updatedAt: now().toISOString(), version: makeVersion() };
      return repository.update(owner, requireId(id), patch, stamp, precondition);
    },

    /** Deletes the todo, if its version satisfies the precondition (any version without one). */
    async delete(owner: string, id: string, precondition?: VersionPrecondition): Promise<void> {
      return repository.delete(owner, requireId(id), precondition);
    },

    /** Deletes every todo of the owner, and the idempotency records that keep copies of them. */
    async deleteAll(owner: string): Promise<number> {
      const deleted = await repository.deleteAll(owner);
      await idempotency?.forgetAll(owner);
      return deleted;
    },
  };
}
