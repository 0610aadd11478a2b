/**
 * How the web page signs in, from the function's environment (serverless.yml sets it per auth mode, under
 * custom.webSignIn): what `GET /config.json` tells the page, and which origins the page may call for it.
 */
import { ConfigError } from '../config.js';
import type { WebConfig } from '../http/contract.js';
import type { AuthMode } from '../http/owner.js';

type Env = Record<string, string | undefined>;

function absolute(name: string, value: string): string {
  try {
    return new URL(value).href;
  } catch {
    throw new ConfigError(`${name} must be an absolute URL, got ${JSON.stringify(value)}`);
  }
}

/**
 * `none`: no sign-in. Otherwise OIDC_ISSUER and OIDC_CLIENT_ID, and either the endpoints (OIDC_AUTHORIZATION_ENDPOINT
 * and OIDC_TOKEN_ENDPOINT, optionally OIDC_LOGOUT_ENDPOINT: Cognito's hosted UI) or the issuer's discovery document
 * (OIDC_DISCOVERY_URL, by default the issuer's /.well-known/openid-configuration).
 */
export function readWebConfig(authMode: AuthMode, env: Env): WebConfig {
  if (authMode === 'none') return { auth: 'none' };
  const missing = ['OIDC_ISSUER', 'OIDC_CLIENT_ID'].filter((name) => !env[name]);
  if (missing.length > 0) throw new ConfigError(`Missing environment variables: ${missing.join(', ')}`);
  const issuer = env.OIDC_ISSUER as string;
  const clientId = env.OIDC_CLIENT_ID as string;
  const { OIDC_AUTHORIZATION_ENDPOINT: authorization, OIDC_TOKEN_ENDPOINT: token, OIDC_LOGOUT_ENDPOINT: logout } = env;
  if (authorization || token) {
    if (!authorization || !token) {
      throw new ConfigError('OIDC_AUTHORIZATION_ENDPOINT and OIDC_TOKEN_ENDPOINT go together: set both or neither');
    }
    const endpoints = {
      authorization: absolute('OIDC_AUTHORIZATION_ENDPOINT', authorization),
      token: absolute('OIDC_TOKEN_ENDPOINT', token),
      ...(logout ? { logout: absolute('OIDC_LOGOUT_ENDPOINT', logout) } : {}),
    };
    return { auth: authMode, issuer, clientId, endpoints };
  }
  const discovery = env.OIDC_DISCOVERY_URL || `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  return { auth: authMode, issuer, clientId, discovery };
}

/**
 * What the page's Content-Security-Policy must let it fetch, besides its own origin: the token endpoint's origin,
 * or, when the endpoints come from a discovery document elsewhere, any https origin (that document may name any).
 */
export function signInConnectSources(config: WebConfig): string[] {
  if (config.auth === 'none') return [];
  if (config.endpoints) return [new URL(config.endpoints.token).origin];
  return /^https?:\/\//i.test(config.discovery ?? '') ? ['https:'] : [];
}
