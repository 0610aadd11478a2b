/**
 * API Gateway's HTTP API JWT authorizer, locally: the token from the identity
 * source, an RS256 signature checked against the issuer's keys (by `kid`),
 * `iss`, `aud` (or `client_id`), `exp`, `nbf` and `iat`. Whatever fails, the
 * answer is the same 401 API Gateway gives; the handler never runs. Unlike API Gateway, it says why, to whoever
 * runs `npm start` (never to the client): a developer whose saved token expired should not have to guess.
 *
 * A token it accepted is remembered (by its exact text) until its `exp`, so that a client sending the same token with
 * every request does not pay for the signature check each time: the same answer, as long as the token would pass
 * the check again. Nothing else that the check depends on changes while the server runs (the issuer's keys, the
 * issuer, the audiences), and a token past its `exp` (or before its `nbf`) is checked again, and refused.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { decodeProtectedHeader, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';

export interface JwtAuthorizerConfig {
  /** `$request.header.Authorization` and the like. */
  identitySource: string[];
  issuer: string;
  audience: string[];
  keys: JWTVerifyGetKey;
  /** Accepted tokens remembered at most (the oldest unused one is forgotten first); 0 checks every token anew. */
  maxCachedTokens?: number;
}

/** Enough for every user of a development server, small enough to never matter: about 2 KB each. */
const DEFAULT_MAX_CACHED_TOKENS = 1000;

/** What API Gateway puts in `requestContext.authorizer.jwt`. */
export interface JwtContext {
  claims: Record<string, string>;
  scopes: string[] | null;
}

/**
 * Checks a request's headers. A header sent more than once is an array of its values (as in `headersDistinct`);
 * an identity source sent more than once is refused.
 */
export type Authorize = (headers: IncomingHttpHeaders) => Promise<Authorization>;

/** The claims of a token the authorizer accepted, or why it refused the request (for the server's log only). */
export type Authorization = { jwt: JwtContext } | { refused: string };

const refuse = (reason: string): Authorization => ({ refused: reason });

/** The token of the identity source, or why there is none. */
function tokenFrom(headers: IncomingHttpHeaders, identitySource: string[]): { token: string } | { refused: string } {
  for (const source of identitySource) {
    const header = /^\$request\.header\.(.+)$/i.exec(source)?.[1]?.toLowerCase();
    if (!header) throw new Error(`Unsupported identity source for a JWT authorizer: ${source}`);
    const value = headers[header];
    // Sent twice, it names no one token: API Gateway joins repeated headers with commas, which no token survives.
    if (Array.isArray(value)) return { refused: `${header} sent ${value.length} times` };
    if (typeof value !== 'string' || value.trim() === '') continue;
    // API Gateway takes the token with or without the Bearer prefix.
    const match = /^\s*(?:Bearer\s+)?(\S+)\s*$/i.exec(value);
    if (match?.[1]) return { token: match[1] };
    return { refused: `${header} holds no token` };
  }
  return {
    refused: `no token (send ${identitySource.map((s) => s.replace(/^\$request\.header\./i, '')).join(' or ')}: Bearer <token>)`,
  };
}

/** Why jose refused a token, in a developer's words. */
function joseReason(error: unknown, issuer: string): string {
  if (error instanceof errors.JWTExpired) {
    const exp = typeof error.payload.exp === 'number' ? new Date(error.payload.exp * 1000).toISOString() : '?';
    return `token expired at ${exp}`;
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') {
      return `wrong issuer ${JSON.stringify(error.payload.iss ?? null)} (expected ${JSON.stringify(issuer)})`;
    }
    if (error.claim === 'nbf') return 'token not valid yet (nbf is in the future)';
    return `claim ${error.claim}: ${error.message}`;
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return "signed with a key this issuer does not have (a token of another DATA_DIR, or another issuer's?)";
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad signature';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'algorithm not allowed (RS256 only)';
  if (error instanceof errors.JWTInvalid || error instanceof errors.JWSInvalid || error instanceof TypeError) {
    return 'not a well-formed JWT';
  }
  return error instanceof Error ? error.message : String(error);
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

/** An accepted token's claims, and the times that bound its validity (seconds since the epoch). */
interface Accepted {
  jwt: JwtContext;
  exp: number;
  nbf?: number;
  iat?: number;
}

/**
 * Whether an accepted token would still pass the checks that depend on the time, as jose makes them (`now` in whole
 * seconds; expired once `exp <= now`, not yet valid while `nbf > now`) and as the authorizer makes its own (`iat`).
 */
function stillValid(accepted: Accepted): boolean {
  const now = Math.floor(Date.now() / 1000);
  if (accepted.exp <= now) return false;
  if (accepted.nbf !== undefined && accepted.nbf > now) return false;
  return accepted.iat === undefined || accepted.iat <= Date.now() / 1000;
}

/** A copy of the context for one request's event (a function may change its event; the next one gets its own). */
function copyContext({ claims, scopes }: JwtContext): JwtContext {
  return { claims: { ...claims }, scopes: scopes ? [...scopes] : null };
}

/**
 * The tokens an authorizer accepted, by their exact text, in the order of their last use: at most `max` of them;
 * one that would no longer pass is never returned (it is forgotten, and checked again).
 */
function acceptedTokens(max: number) {
  const accepted = new Map<string, Accepted>();
  return {
    get(token: string): JwtContext | undefined {
      const found = accepted.get(token);
      if (!found) return undefined;
      accepted.delete(token);
      if (!stillValid(found)) return undefined;
      accepted.set(token, found);
      return copyContext(found.jwt);
    },
    remember(token: string, entry: Accepted): void {
      if (max <= 0) return;
      accepted.delete(token);
      while (accepted.size >= max) {
        const oldest = accepted.keys().next().value;
        if (oldest === undefined) break;
        accepted.delete(oldest);
      }
      accepted.set(token, entry);
    },
  };
}

export function createJwtAuthorizer(config: JwtAuthorizerConfig): Authorize {
  const cache = acceptedTokens(config.maxCachedTokens ?? DEFAULT_MAX_CACHED_TOKENS);
  return async (headers) => {
    const found = tokenFrom(headers, config.identitySource);
    if (!('token' in found)) return found;
    const { token } = found;
    const known = cache.get(token);
    if (known) return { jwt: known };
    let payload: JWTPayload;
    try {
      // API Gateway picks the key by `kid`: a token that names none is refused, even if some key would verify it.
      if (typeof decodeProtectedHeader(token).kid !== 'string') return refuse('the token names no key (kid)');
      ({ payload } = await jwtVerify(token, config.keys, {
        algorithms: ['RS256'],
        issuer: config.issuer,
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      if (error instanceof errors.JOSEError || error instanceof TypeError)
        return refuse(joseReason(error, config.issuer));
      throw error;
    }
    // `aud` (ID tokens) decides when present; only without it does `client_id` (Cognito access tokens) count.
    const audiences = payload.aud === undefined ? [payload.client_id] : [payload.aud].flat();
    if (!audiences.some((a) => typeof a === 'string' && config.audience.includes(a))) {
      return refuse(
        `wrong audience ${JSON.stringify(payload.aud ?? payload.client_id ?? null)} (expected ${config.audience.join(' or ')})`,
      );
    }
    if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000) {
      return refuse('token issued in the future (iat)');
    }
    const scope = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
    const jwt = { claims: claimsAsStrings(payload), scopes: scope.length > 0 ? scope : null };
    // jose required `exp`, and checked that `exp`, `nbf` and `iat`, when present, are numbers.
    cache.remember(token, {
      jwt: copyContext(jwt),
      exp: payload.exp as number,
      ...(payload.nbf === undefined ? {} : { nbf: payload.nbf }),
      ...(payload.iat === undefined ? {} : { iat: payload.iat }),
    });
    return { jwt };
  };
}
