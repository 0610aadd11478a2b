/**
 * The shapes of what the API answers, as zod schemas: the OpenAPI document (src/http/openapi.ts) turns them into
 * JSON Schema, and the types the functions answer with are inferred from them (`import type`, so the functions'
 * bundles do not carry zod for it).
 */
import * as z from 'zod/mini';
import type { FieldError } from '../todos/errors.js';
import { MAX_TITLE_LENGTH } from '../todos/schema.js';

const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

export const todoViewSchema = z.strictObject({
  id: z.string().check(z.regex(ULID)),
  title: z.string().check(z.minLength(1), z.maxLength(MAX_TITLE_LENGTH)),
  completed: z.boolean(),
  order: z.optional(z.int()),
  url: z.url(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

const fieldErrorSchema = z.strictObject({ field: z.string(), message: z.string() });

/** An RFC 9457 problem document, as every error a function returns is. */
export const problemSchema = z.strictObject({
  type: z.string(),
  title: z.string(),
  status: z.int().check(z.minimum(400), z.maximum(599)),
  detail: z.string(),
  errors: z.optional(z.array(fieldErrorSchema)),
  requestId: z.string(),
});

/** What API Gateway answers by itself (no function ran): `{"message": "Unauthorized"}` and the like. */
export const gatewayMessageSchema = z.strictObject({ message: z.string() });

/** `GET /`: where to go from the API's root. */
export const apiIndexSchema = z.strictObject({
  name: z.string(),
  docs: z.url(),
  openapi: z.url(),
  todos: z.url(),
});
export type ApiIndex = z.infer<typeof apiIndexSchema>;

/** The API's version: package.json's (a unit test holds them together), in the document and `GET /health`. */
export const API_VERSION = '1.0.0';

/** `GET /health`: whether the function runs (and, where it may look, whether the store answers). */
export const healthSchema = z.strictObject({
  status: z.enum(['ok', 'unavailable']),
  version: z.string(),
  store: z.optional(z.enum(['ok', 'unavailable'])),
});
export type Health = z.infer<typeof healthSchema>;

// The domain's field errors are what the problem's `errors` say.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const fieldErrorsAgree: Same<z.infer<typeof fieldErrorSchema>, FieldError> = true;
void fieldErrorsAgree;
