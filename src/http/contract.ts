/**
 * The shapes of what the API answers, as zod schemas: the OpenAPI document (src/http/openapi.ts) turns them into
 * JSON Schema, and the types the functions answer with are inferred from them (`import type`, so the functions'
 * bundles do not carry zod for it).
 */
import * as z from 'zod/mini';
import type { FieldError } from '../todos/errors.js';
import { MAX_TITLE_LENGTH } from '../todos/validation.js';

const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

export const todoViewSchema = z.strictObject({
  id: z.string().check(z.regex(ULID)),
  title: z.string().check(z.minLength(1), z.maxLength(MAX_TITLE_LENGTH)),
  completed: z.boolean(),
  order: z.optional(z.int()),
  url: z.url(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  // The todo's current ETag (as in the `ETag` header of GET /todos/{id}), so that a client holding a list can send
  // If-Match on a write without reading each todo first.
  etag: z.string().check(z.regex(/^"[^"]+"$/)),
});
/** A todo as clients see it (also the shape Todo-Backend clients expect). */
export type TodoView = z.infer<typeof todoViewSchema>;

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

/**
 * What an OAuth 2.0 authorization server adds to the web page's address when it sends a person back after sign-in
 * (RFC 6749 §4.1.2, RFC 9207's `iss`): `GET /` takes them (the page reads them; the function ignores them).
 */
export const SIGN_IN_RETURN_PARAMETERS = ['code', 'state', 'iss', 'error', 'error_description', 'error_uri'] as const;

/**
 * `GET /config.json`: how the web page signs in. `none`: it does not. Otherwise with OpenID Connect's authorization
 * code flow and PKCE, as the public client `clientId` of `issuer`, at the `endpoints` given (Cognito's hosted UI),
 * or at those its `discovery` document names (relative to the page when it is a path).
 */
export const webConfigSchema = z.union([
  z.strictObject({ auth: z.literal('none') }),
  z.strictObject({
    auth: z.enum(['cognito', 'oidc']),
    issuer: z.string().check(z.minLength(1)),
    clientId: z.string().check(z.minLength(1)),
    discovery: z.optional(z.string().check(z.minLength(1))),
    endpoints: z.optional(z.strictObject({ authorization: z.url(), token: z.url(), logout: z.optional(z.url()) })),
  }),
]);
export type WebConfig = z.infer<typeof webConfigSchema>;

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
