/**
 * Idempotent creates: a client that does not know whether its create went through (a timeout, a lost answer)
 * sends it again with the same key, and gets the same todo instead of a second one.
 *
 * The states are those of AWS Powertools' idempotency utility (in progress, completed, expired), with one change
 * that makes a retry exact: the todo is decided, id included, when the key is first claimed, and kept in the
 * record. An attempt that takes over from one that died mid-way therefore creates that same todo (a create of an
 * existing id is recognised as done), never a second one.
 */
import { createHash } from 'node:crypto';
import type { NewTodo, Todo } from './todo.js';

/** How long a key counts: a retry within a day gets the first answer. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

export interface IdempotencyRecord {
  owner: string;
  key: string;
  /** Identifies the create's input: the same key with another input is refused. */
  fingerprint: string;
  /** The todo this create makes, fixed when the key was first claimed. */
  todo: Todo;
  state: 'in-progress' | 'completed';
  /** Until when (epoch ms) the attempt holding an in-progress key may still be running. */
  leaseUntil: number;
  /** When (epoch seconds) the record stops counting; the store may delete it any time after. */
  expiresAt: number;
}

/** The storage port for idempotency records (kept apart from the todos: listing never sees them). */
export interface IdempotencyStore {
  /**
   * Records an in-progress create under its key and returns `undefined`, unless a record that still counts at `now`
   * (epoch seconds) holds the key: then that record is returned, unchanged.
   */
  claim(record: IdempotencyRecord, now: number): Promise<IdempotencyRecord | undefined>;
  /** Gives an in-progress record whose lease ran out to a new attempt; `false` when another attempt took it first. */
  takeOver(record: IdempotencyRecord, leaseUntil: number): Promise<boolean>;
  /** Marks the create done: from now on the key answers with its todo. */
  complete(owner: string, key: string): Promise<void>;
  /**
   * Ends the lease of the in-progress record this attempt holds (its create failed, maybe after being applied), at
   * `now` (epoch ms), keeping the record: a retry takes it over at once.
   */
  abandon(owner: string, key: string, leaseUntil: number, now: number): Promise<void>;
  /** Deletes every record of the owner (they keep copies of todos). */
  forgetAll(owner: string): Promise<void>;
}

/** The same input always gives the same fingerprint, whatever JSON spelling it arrived in. */
export function fingerprint(input: NewTodo): string {
  const canonical = JSON.stringify([input.title, input.completed, input.order ?? null]);
  return createHash('sha256').update(canonical).digest('base64url');
}
