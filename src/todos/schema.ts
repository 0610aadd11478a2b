/**
 * The rules of a request's body, declared with zod: the OpenAPI document is generated from these schemas
 * (`src/http/openapi.ts`). The routes check bodies with `validation.ts`, which implements the same rules without
 * zod (zod cost a cold start 3 to 5 ms); `test/unit/validation.test.ts` holds the two to the same answers. A new
 * field or rule goes into both.
 */
import * as z from 'zod/mini';
import { MAX_TITLE_LENGTH, MESSAGES } from './validation.js';

const title = z.string({ error: (issue) => (issue.input === undefined ? MESSAGES.required : MESSAGES.notText) }).check(
  // DynamoDB stores UTF-8: a lone surrogate is not text and would make the write fail.
  z.refine((value) => value.isWellFormed(), { error: MESSAGES.malformed }),
  z.trim(),
  z.minLength(1, { error: MESSAGES.blank }),
  z.maxLength(MAX_TITLE_LENGTH, { error: MESSAGES.tooLong }),
);
const completed = z.boolean({ error: MESSAGES.notBoolean });
// null means "no order": it clears the order of a todo that has one.
const order = z.nullable(z.int({ error: MESSAGES.notOrder }));

/** The body of a create. */
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
