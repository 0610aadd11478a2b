import * as z from 'zod/mini';
import { type FieldError, ValidationError } from './errors.js';
import type { NewTodo, TodoPatch } from './todo.js';

export const MAX_TITLE_LENGTH = 1000;

// Fields the server sets; a client sending them is told so rather than ignored.
const SERVER_OWNED = new Set(['id', 'owner', 'url', 'createdAt', 'updatedAt', 'etag']);

const title = z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') }).check(
  // DynamoDB stores UTF-8: a lone surrogate is not text and would make the write fail.
  z.refine((value) => value.isWellFormed(), { error: 'must be valid Unicode text' }),
  z.trim(),
  z.minLength(1, { error: 'must not be blank' }),
  z.maxLength(MAX_TITLE_LENGTH, { error: `must be at most ${MAX_TITLE_LENGTH} characters` }),
);
const completed = z.boolean({ error: 'must be true or false' });
// null means "no order": it clears the order of a todo that has one.
const order = z.nullable(z.int({ error: 'must be an integer or null' }));

/** The body of a create. (The OpenAPI document is generated from these schemas too.) */
export const newTodoSchema = z.strictObject({ title, completed: z.optional(completed), order: z.optional(order) });
/** The tutorial's create body, `{"todo": "text"}`, on `POST /` only. */
export const tutorialNewTodoSchema = z.strictObject({
  todo: title,
  completed: z.optional(completed),
  order: z.optional(order),
});
/** The body of a PATCH: at least one field (which the schema alone does not say). */
export const todoPatchSchema = z.strictObject({
  title: z.optional(title),
  completed: z.optional(completed),
  order: z.optional(order),
});

/** Validates the body of a create request. */
export function parseNewTodo(body: unknown): NewTodo {
  const result = newTodoSchema.safeParse(requireObject(body));
  if (!result.success) throw invalid(fieldErrors(result.error));
  return withDefaults(result.data);
}

/**
 * Validates the body of the tutorial's create route (`POST /`), which also takes the tutorial's `{"todo": "text"}`
 * form, with `todo` as the title (errors then name `todo`).
 */
export function parseTutorialNewTodo(body: unknown): NewTodo {
  const object = requireObject(body);
  if (!Object.hasOwn(object, 'todo')) return parseNewTodo(object);
  if (Object.hasOwn(object, 'title')) {
    throw invalid([{ field: 'todo', message: 'send either title or todo, not both' }]);
  }
  const result = tutorialNewTodoSchema.safeParse(object);
  if (!result.success) throw invalid(fieldErrors(result.error));
  const { todo, ...rest } = result.data;
  return withDefaults({ ...rest, title: todo });
}

/** Validates the body of a PATCH: known fields only, at least one of them. */
export function parseTodoPatch(body: unknown): TodoPatch {
  const object = requireObject(body);
  const result = todoPatchSchema.safeParse(object);
  if (!result.success) throw invalid(fieldErrors(result.error));
  const patch: TodoPatch = {};
  if (result.data.title !== undefined) patch.title = result.data.title;
  if (result.data.completed !== undefined) patch.completed = result.data.completed;
  if (result.data.order !== undefined) patch.order = result.data.order;
  if (Object.keys(patch).length === 0) {
    throw new ValidationError('The patch changes nothing: send at least one of title, completed, order.');
  }
  return patch;
}

function withDefaults(input: z.infer<typeof newTodoSchema>): NewTodo {
  const todo: NewTodo = { title: input.title, completed: input.completed ?? false };
  if (input.order !== undefined && input.order !== null) todo.order = input.order;
  return todo;
}

function requireObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError('The request body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}

function invalid(errors: FieldError[]): ValidationError {
  return new ValidationError('The request body has invalid fields.', errors);
}

function fieldErrors(error: z.core.$ZodError): FieldError[] {
  return error.issues.flatMap((issue): FieldError[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: key,
        message: SERVER_OWNED.has(key) ? 'is set by the server and cannot be sent' : 'is not a known field',
      }));
    }
    return [{ field: issue.path.join('.'), message: issue.message }];
  });
}
