/**
 * Reading a request's body into a todo or a patch: the rules of `schema.ts`, checked without zod. The zod schemas
 * stay the rules' declaration (the OpenAPI document is generated from them); these functions are what the routes
 * run, because zod cost a cold start 3 to 5 ms more to load, build its schemas and check a first body
 * (`bench/coldstart/imports.ts`, validationImport: 5.6 to 7.4 ms against 2.1 to 2.5 ms). `test/unit/validation.test.ts` holds
 * the two to the same answers, message for message, over every combination of the fields' kinds of values.
 */
import { type FieldError, ValidationError } from './errors.js';
import type { NewTodo, TodoPatch } from './todo.js';

export const MAX_TITLE_LENGTH = 1000;

/** What each broken rule says (shared with the zod schemas of `schema.ts`). */
export const MESSAGES = {
  required: 'is required',
  notText: 'must be a string',
  malformed: 'must be valid Unicode text',
  blank: 'must not be blank',
  tooLong: `must be at most ${MAX_TITLE_LENGTH} characters`,
  notBoolean: 'must be true or false',
  notOrder: 'must be an integer or null',
  unknown: 'is not a known field',
  serverOwned: 'is set by the server and cannot be sent',
} as const;

// Fields the server sets; a client sending them is told so rather than ignored.
const SERVER_OWNED = new Set(['id', 'owner', 'url', 'createdAt', 'updatedAt', 'etag']);

/** A field's rule: its value (trimmed, for a text) and any errors, added to `errors` under `field`. */
type Rule = (value: unknown, field: string, errors: FieldError[]) => unknown;

/** A todo's text: a well-formed string, trimmed, of 1 to MAX_TITLE_LENGTH characters. */
const text: Rule = (value, field, errors) => {
  if (typeof value !== 'string') {
    errors.push({ field, message: value === undefined ? MESSAGES.required : MESSAGES.notText });
    return undefined;
  }
  // DynamoDB stores UTF-8: a lone surrogate is not text and would make the write fail.
  if (!value.isWellFormed()) errors.push({ field, message: MESSAGES.malformed });
  const trimmed = value.trim();
  if (trimmed.length < 1) errors.push({ field, message: MESSAGES.blank });
  if (trimmed.length > MAX_TITLE_LENGTH) errors.push({ field, message: MESSAGES.tooLong });
  return trimmed;
};
const completed: Rule = (value, field, errors) => {
  if (typeof value !== 'boolean') errors.push({ field, message: MESSAGES.notBoolean });
  return value;
};
// null means "no order": it clears the order of a todo that has one.
const order: Rule = (value, field, errors) => {
  if (value !== null && !Number.isSafeInteger(value)) errors.push({ field, message: MESSAGES.notOrder });
  return value;
};
/** An absent field (or one set to `undefined`) passes, as nothing. */
const optional =
  (rule: Rule): Rule =>
  (value, field, errors) =>
    value === undefined ? undefined : rule(value, field, errors);

const NEW_TODO = { title: text, completed: optional(completed), order: optional(order) };
const TUTORIAL_NEW_TODO = { todo: text, completed: optional(completed), order: optional(order) };
const TODO_PATCH = { title: optional(text), completed: optional(completed), order: optional(order) };

interface Fields {
  title?: unknown;
  todo?: unknown;
  completed?: unknown;
  order?: unknown;
}

/**
 * The body's fields checked against `rules`: the rules' fields in their order, then every other key of the body
 * (as zod's strict objects do: `for…in`, so `__proto__` and `constructor` from JSON.parse are keys like any other).
 */
function check(body: Record<string, unknown>, rules: Record<string, Rule>): Fields {
  const errors: FieldError[] = [];
  const values: Record<string, unknown> = {};
  for (const [field, rule] of Object.entries(rules)) values[field] = rule(body[field], field, errors);
  for (const key in body) {
    if (Object.hasOwn(rules, key)) continue;
    errors.push({ field: key, message: SERVER_OWNED.has(key) ? MESSAGES.serverOwned : MESSAGES.unknown });
  }
  if (errors.length > 0) throw invalid(errors);
  return values;
}

/** Validates the body of a create request. */
export function parseNewTodo(body: unknown): NewTodo {
  const { title, completed, order } = check(requireObject(body), NEW_TODO);
  return withDefaults(title as string, completed, order);
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
  const { todo, completed, order } = check(object, TUTORIAL_NEW_TODO);
  return withDefaults(todo as string, completed, order);
}

/** Validates the body of a PATCH: known fields only, at least one of them. */
export function parseTodoPatch(body: unknown): TodoPatch {
  const { title, completed, order } = check(requireObject(body), TODO_PATCH);
  const patch: TodoPatch = {};
  if (title !== undefined) patch.title = title as string;
  if (completed !== undefined) patch.completed = completed as boolean;
  if (order !== undefined) patch.order = order as number | null;
  if (Object.keys(patch).length === 0) {
    throw new ValidationError('The patch changes nothing: send at least one of title, completed, order.');
  }
  return patch;
}

function withDefaults(title: string, completed: unknown, order: unknown): NewTodo {
  const todo: NewTodo = { title, completed: (completed as boolean | undefined) ?? false };
  if (order !== undefined && order !== null) todo.order = order as number;
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
