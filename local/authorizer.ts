/**
 * API Gateway's HTTP API JWT authorizer, locally: the token from the identity
 * source, an RS256 signature checked against the issuer's keys (by `kid`),
 * `iss`, `aud` (or `client_id`), `exp`, `nbf` and `iat`. Whatever fails, the
 * answer is the same 401 API Gateway gives; the handler never runs.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { decodeProtectedHeader, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';

export interface JwtAuthorizerConfig {
  /** `$request.header.Authorization` and the like. */
  identitySource: string[];
  issuer: string;
  audience: string[];
  keys: JWTVerifyGetKey;
}

/** What API Gateway puts in `requestContext.authorizer.jwt`. */
export interface JwtContext {
  claims: Record<string, string>;
  scopes: string[] | null;
}

/**
 * Checks a request's headers. A header sent more than once is an array of its values (as in `headersDistinct`);
 * an identity source sent more than once is refused.
 */
export type Authorize = (headers: IncomingHttpHeaders) => Promise<JwtContext | undefined>;

function tokenFrom(headers: IncomingHttpHeaders, identitySource: string[]): string | undefined {
  for (const source of identitySource) {
    const header = /^\$request\.header\.(.+)$/i.exec(source)?.[1]?.toLowerCase();
    if (!header) throw new Error(`Unsupported identity source for a JWT authorizer: ${source}`);
    const value = headers[header];
    // Sent twice, it names no one token: API Gateway joins repeated headers with commas, which no token survives.
    if (Array.isArray(value)) return undefined;
    if (typeof value !== 'string' || value.trim() === '') continue;
    // API Gateway takes the token with or without the Bearer prefix.
    const match = /^\s*(?:Bearer\s+)?(\S+)\s*$/i.exec(value);
    if (match) return match[1];
  }
  return undefined;
}

// API Gateway hands claims to the function as strings (arrays as "[a b]").
function claimsAsStrings(payload: JWTPayload): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (typeof value === 'string') claims[name] = value;
    else if (Array.isArray(value)) claims[name] = `[${value.join(' ')}]`;
    else if (value !== null && typeof value === 'object') claims[name] = JSON.stringify(value);
    else claims[name] = String(value);
  }
  return claims;
}

export function createJwtAuthorizer(config: JwtAuthorizerConfig): Authorize {
  return async (headers) => {
    const token = tokenFrom(headers, config.identitySource);
    if (!token) return undefined;
    let payload: JWTPayload;
    try {
      // API Gateway picks the key by `kid`: a token that names none is refused, even if some key would verify it.
      if (typeof decodeProtectedHeader(token).kid !== 'string') return undefined;
      ({ payload } = await jwtVerify(token, config.keys, {
        algorithms: ['RS256'],
        issuer: config.issuer,
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      if (error instanceof errors.JOSEError || error instanceof TypeError) return undefined;
      throw error;
    }
    // `aud` (ID tokens) decides when present; only without it does `client_id` (Cognito access tokens) count.
    const audiences = payload.aud === undefined ? [payload.client_id] : [payload.aud].flat();
    if (!audiences.some((a) => typeof a === 'string' && config.audience.includes(a))) return undefined;
    if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000) return undefined;
    const scope = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
    return { claims: claimsAsStrings(payload), scopes: scope.length > 0 ? scope : null };
  };
}
