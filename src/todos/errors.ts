/** One problem with one field of the input. */
export interface FieldError {
  field: string;
  message: string;
}

/** The input breaks the rules; nothing was changed. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
  }
}

/** The todo does not exist for this owner (whether or not it exists for another). */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** A pagination cursor that this server did not issue for this caller. */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  constructor(options?: { cause?: unknown }) {
    super('The cursor is not valid for this listing; start again without it.', options);
  }
}
