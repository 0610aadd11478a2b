import { AUTH_MODES, type AuthMode } from './http/owner.js';
import type { Credentials } from './store/dynamodb.js';

export interface Config {
  tableName: string;
  /** How callers are identified (see `ownerOf`). */
  authMode: AuthMode;
  region: string;
  /** A DynamoDB-compatible endpoint to use instead of AWS's (local runs and tests). */
  dynamodbEndpoint?: string;
  credentials: Credentials;
  /** The API's public URL (no trailing slash) when links must not come from the Host header. */
  publicBaseUrl?: string;
  /** Refuse (428) writes to a todo that do not say which version they change (`If-Match`). */
  requireIfMatch: boolean;
}

/** What the public routes (index, OpenAPI document, docs) need: no table, no credentials. */
export interface PublicConfig {
  authMode: AuthMode;
  publicBaseUrl?: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function readAuthMode(env: Record<string, string | undefined>): AuthMode {
  const authMode = env.AUTH_MODE as AuthMode;
  if (!AUTH_MODES.includes(authMode)) {
    throw new ConfigError(`AUTH_MODE must be one of ${AUTH_MODES.join(', ')}, got ${JSON.stringify(authMode)}`);
  }
  return authMode;
}

/** The configuration of the public routes, read and checked once like `readConfig`'s. */
export function readPublicConfig(env: Record<string, string | undefined>): PublicConfig {
  if (!env.AUTH_MODE) throw new ConfigError('Missing environment variables: AUTH_MODE');
  const config: PublicConfig = { authMode: readAuthMode(env) };
  if (env.PUBLIC_BASE_URL) config.publicBaseUrl = absoluteUrl('PUBLIC_BASE_URL', env.PUBLIC_BASE_URL);
  return config;
}

/**
 * Reads and checks the environment once, at start-up, so that a missing or
 * malformed variable stops the function before it serves anything.
 */
export function readConfig(env: Record<string, string | undefined>): Config {
  const missing = ['TABLE_NAME', 'AUTH_MODE', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'].filter(
    (name) => !env[name],
  );
  if (missing.length > 0) throw new ConfigError(`Missing environment variables: ${missing.join(', ')}`);
  const config: Config = {
    tableName: env.TABLE_NAME as string,
    authMode: readAuthMode(env),
    region: env.AWS_REGION as string,
    requireIfMatch: flag('REQUIRE_IF_MATCH', env.REQUIRE_IF_MATCH),
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID as string,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY as string,
    },
  };
  if (env.AWS_SESSION_TOKEN) config.credentials.sessionToken = env.AWS_SESSION_TOKEN;
  const endpointVariable = env.AWS_ENDPOINT_URL_DYNAMODB ? 'AWS_ENDPOINT_URL_DYNAMODB' : 'AWS_ENDPOINT_URL';
  const endpoint = env[endpointVariable];
  if (endpoint) config.dynamodbEndpoint = absoluteUrl(endpointVariable, endpoint);
  if (env.PUBLIC_BASE_URL) config.publicBaseUrl = absoluteUrl('PUBLIC_BASE_URL', env.PUBLIC_BASE_URL);
  return config;
}

/** `true` or `false`; unset or empty is `false`. Anything else is a mistake worth stopping for. */
function flag(name: string, value: string | undefined): boolean {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  throw new ConfigError(`${name} must be true or false, got ${JSON.stringify(value)}`);
}

function absoluteUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be an absolute URL, got ${JSON.stringify(value)}`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash || url.username) {
    throw new ConfigError(
      `${name} must be an http(s) URL without query, fragment or credentials, got ${JSON.stringify(value)}`,
    );
  }
  return value.replace(/\/+$/, '');
}
