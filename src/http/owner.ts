import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { HttpError } from './problem.js';

/**
 * How callers are identified: `cognito` and `oidc` by the JWT that API
 * Gateway's authorizer verified; `none` not at all (the tutorial's public API).
 */
export type AuthMode = 'cognito' | 'oidc' | 'none';
export const AUTH_MODES: readonly AuthMode[] = ['cognito', 'oidc', 'none'];

/** The owner of every todo when the API runs without authentication. */
export const ANONYMOUS_OWNER = 'anonymous';

/**
 * The owner of a verified user: their `sub`, namespaced by the issuer that vouched for it. Two issuers' users with
 * the same `sub` stay apart, and no user (not even one whose `sub` is "anonymous") meets the public mode's todos.
 */
export function tokenOwner(iss: string, sub: string): string {
  return `${iss}#${sub}`;
}

/** The part of the request context that API Gateway's JWT authorizer fills in. */
interface JwtRequestContext {
  authorizer?: { jwt?: { claims?: Record<string, unknown> } };
}

/**
 * Who is calling: the partition the request may read and write. This is the
 * only place that decides it, and only from the verified token's `sub` (with its `iss`):
 * nothing the client sends (body, query, headers) takes part. A request that
 * reaches a handler without one is refused, never served as someone.
 */
export function ownerOf(event: APIGatewayProxyEventV2, mode: AuthMode): string {
  if (mode === 'none') return ANONYMOUS_OWNER;
  const context: unknown = event.requestContext;
  const claims = (context as JwtRequestContext).authorizer?.jwt?.claims;
  const { iss, sub } = claims ?? {};
  if (typeof iss !== 'string' || iss === '' || typeof sub !== 'string' || sub === '') {
    throw new HttpError(401, 'unauthorized', 'Unauthorized', 'The request carries no verified identity.');
  }
  return tokenOwner(iss, sub);
}
