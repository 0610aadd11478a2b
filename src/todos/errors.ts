/**
 * The domain's refusals. Each names its kind in `code`; the HTTP layer maps each kind to a status and problem type
 * in one table (src/http/problem.ts), so a new kind is a new class here plus one row there, and the compiler
 * insists on the row. Anything thrown that is not a `TodoError` is a fault.
 */

import type { Todo } from './todo.js';

/** One problem with one field of the input. */
export interface FieldError {
  field: string;
  message: string;
}

export type TodoErrorCode =
  | 'validation'
  | 'not-found'
  | 'invalid-cursor'
  | 'precondition-failed'
  | 'idempotency-key-in-use'
  | 'idempotency-key-reused'
  | 'unavailable';

export abstract class TodoError extends Error {
  abstract readonly code: TodoErrorCode;
}

/** The input breaks the rules; nothing was changed. */
export class ValidationError extends TodoError {
  override readonly name = 'ValidationError';
  readonly code = 'validation';
  constructor(
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
  }
}

/** The todo does not exist for this owner (whether or not it exists for another). */
export class NotFoundError extends TodoError {
  override readonly name = 'NotFoundError';
  readonly code = 'not-found';
  constructor(id: string, options?: { cause?: unknown }) {
    super(`No todo with id ${JSON.stringify(id)}.`, options);
  }
}

/** The todo changed since the version the writer named: nothing was written. `current` is what is stored now. */
export class PreconditionFailedError extends TodoError {
  override readonly name = 'PreconditionFailedError';
  readonly code = 'precondition-failed';
  constructor(
    readonly current: Todo,
    options?: { cause?: unknown },
  ) {
    super(`The todo ${JSON.stringify(current.id)} has changed since the version you named; read it again.`, options);
  }
}

/** A create with this idempotency key is still under way; try again once it has had time to finish. */
export class IdempotencyKeyInUseError extends TodoError {
  override readonly name = 'IdempotencyKeyInUseError';
  readonly code = 'idempotency-key-in-use';
  constructor(
    /** When a retry may succeed: the attempt under way has finished or may be taken over by then. */
    readonly retryAfterSeconds: number,
  ) {
    super('A request with this idempotency key is still being processed; retry it in a moment.');
  }
}

/** The idempotency key was used before for a different create. */
export class IdempotencyKeyReusedError extends TodoError {
  override readonly name = 'IdempotencyKeyReusedError';
  readonly code = 'idempotency-key-reused';
  constructor() {
    super('This idempotency key was already used with a different body; use a new key for a new todo.');
  }
}

/** A pagination cursor that this server did not issue for this caller. */
export class InvalidCursorError extends TodoError {
  override readonly name = 'InvalidCursorError';
  readonly code = 'invalid-cursor';
  constructor() {
    super('The cursor is not valid for this listing; start again without it.');
  }
}

/**
 * The store did not answer in time, or said it was overloaded, through every attempt the time budget allowed: the
 * request may well succeed if sent again a little later. (Writes are safe to send again: see src/store.)
 */
export class StoreUnavailableError extends TodoError {
  override readonly name = 'StoreUnavailableError';
  readonly code = 'unavailable';
  constructor(
    /** When a retry is likely to be answered. */
    readonly retryAfterSeconds: number,
    options?: { cause?: unknown },
  ) {
    super(`The service is briefly unavailable; retry in ${retryAfterSeconds} s.`, options);
  }
}
