/**
 * Sign-in with OpenID Connect: the authorization code flow with PKCE, the page being a public client (no secret),
 * done by oauth4webapi. The same flow runs against Cognito's hosted pages on AWS, any OIDC issuer with auth=oidc,
 * and the local development issuer of `npm start`.
 *
 * What is kept, and where: the ID token and the user's name in this tab's sessionStorage (a reload stays signed
 * in; another tab, another site or a closed tab has nothing), never in a cookie or localStorage; the PKCE verifier,
 * state and nonce of a sign-in under way likewise, until the issuer sends the person back.
 */
import * as oauth from 'oauth4webapi';
import type { WebConfig } from '../src/http/contract.js';

/**
 * What `GET /config.json` says about signing in (the API's own type, erased at build): with an issuer, its discovery
 * document (possibly relative to the page) when the endpoints are not given.
 */
export type SignInConfig = WebConfig;

export interface Session {
  idToken: string;
  /** What to call the person: their user name, e-mail or subject. */
  name: string;
  /** When the token expires (epoch seconds). */
  expiresAt: number;
}

const SESSION_KEY = 'todo.session';
const PENDING_KEY = 'todo.sign-in';
/** The scopes the page asks for, where the issuer supports them: an ID token, and a name to show. */
const SCOPES = ['openid', 'profile', 'email'];

interface Pending {
  verifier: string;
  state: string;
  nonce: string;
  redirectUri: string;
}

type Issuer = Extract<SignInConfig, { issuer: string }>;

/** The page's own address without query or fragment: where the issuer sends the person back. */
function redirectUri(): string {
  return `${location.origin}${location.pathname}`;
}

/** Plain http only for this machine (`npm start`); everywhere else oauth4webapi insists on https. */
function requestOptions(url: string): { [oauth.allowInsecureRequests]?: boolean } {
  const { protocol, hostname } = new URL(url);
  const loopback = hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';
  return protocol === 'http:' && loopback ? { [oauth.allowInsecureRequests]: true } : {};
}

async function authorizationServer(config: Issuer): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(config.issuer);
  if (config.endpoints) {
    return {
      issuer: issuer.href,
      authorization_endpoint: config.endpoints.authorization,
      token_endpoint: config.endpoints.token,
      ...(config.endpoints.logout ? { end_session_endpoint: config.endpoints.logout } : {}),
    };
  }
  const discovery = new URL(
    config.discovery ?? `${config.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`,
    location.href,
  );
  const response = await fetch(discovery, { headers: { accept: 'application/json' } });
  return oauth.processDiscoveryResponse(issuer, response);
}

function read<T>(key: string): T | undefined {
  try {
    const text = sessionStorage.getItem(key);
    return text ? (JSON.parse(text) as T) : undefined;
  } catch {
    return undefined;
  }
}

/** The session of this tab, if its token is still valid for a minute. */
export function currentSession(): Session | undefined {
  const session = read<Session>(SESSION_KEY);
  if (!session || session.expiresAt - 60 < Date.now() / 1000) return undefined;
  return session;
}

/** Sends the person to the issuer's sign-in page. */
export async function signIn(config: Issuer): Promise<void> {
  const as = await authorizationServer(config);
  if (!as.authorization_endpoint) throw new Error('The issuer has no authorization endpoint.');
  const pending: Pending = {
    verifier: oauth.generateRandomCodeVerifier(),
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
    redirectUri: redirectUri(),
  };
  const supported = as.scopes_supported;
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: pending.redirectUri,
    scope: SCOPES.filter((scope) => scope === 'openid' || !supported || supported.includes(scope)).join(' '),
    code_challenge: await oauth.calculatePKCECodeChallenge(pending.verifier),
    code_challenge_method: 'S256',
    state: pending.state,
    nonce: pending.nonce,
  }).toString();
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  location.assign(url.href);
}

/**
 * When the issuer has just sent the person back (`?code=…&state=…`, or `?error=…`): exchanges the code for tokens
 * and starts the session. Undefined when this load is not such a return. The query is removed from the address
 * either way, so that a reload or a bookmark never replays it.
 */
export async function completeSignIn(config: Issuer): Promise<Session | undefined> {
  const returned = new URL(location.href);
  if (!returned.searchParams.has('code') && !returned.searchParams.has('error')) return undefined;
  const pending = read<Pending>(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  history.replaceState(null, '', `${returned.pathname}${returned.hash}`);
  if (!pending) throw new Error('This sign-in was not started from this tab, or it was already used: sign in again.');

  const as = await authorizationServer(config);
  const client: oauth.Client = { client_id: config.clientId };
  let parameters: URLSearchParams;
  try {
    parameters = oauth.validateAuthResponse(as, client, returned, pending.state);
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError) {
      const description = error.error_description ? `: ${error.error_description}` : '';
      throw new Error(`The sign-in was not completed (${error.error}${description}).`);
    }
    throw error;
  }
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    parameters,
    pending.redirectUri,
    pending.verifier,
    requestOptions(String(as.token_endpoint)),
  );
  const result = await oauth.processAuthorizationCodeResponse(as, client, response, {
    expectedNonce: pending.nonce,
    requireIdToken: true,
  });
  const claims = oauth.getValidatedIdTokenClaims(result);
  if (!result.id_token || !claims) throw new Error('The issuer sent no ID token.');
  const name =
    [claims.preferred_username, claims.email, claims['cognito:username'], claims.sub].find(
      (value): value is string => typeof value === 'string' && value !== '',
    ) ?? claims.sub;
  const session: Session = { idToken: result.id_token, name, expiresAt: claims.exp };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  return session;
}

/**
 * Ends the session in this tab; where the issuer keeps one of its own (Cognito's hosted pages), ends that too, so
 * that the next sign-in asks who you are. Resolves when the page may stay; otherwise the browser leaves.
 */
export async function signOut(config: SignInConfig): Promise<void> {
  const session = read<Session>(SESSION_KEY);
  sessionStorage.removeItem(SESSION_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  if (config.auth === 'none') return;
  const as = await authorizationServer(config).catch(() => undefined);
  const logout = as?.end_session_endpoint;
  if (!logout) return;
  const url = new URL(logout);
  if (config.auth === 'cognito') {
    // Cognito's /logout takes its own parameters: the client, and where to come back to (a registered logout URL).
    url.searchParams.set('client_id', config.clientId);
    url.searchParams.set('logout_uri', redirectUri());
  } else {
    url.searchParams.set('client_id', config.clientId);
    url.searchParams.set('post_logout_redirect_uri', redirectUri());
    if (session) url.searchParams.set('id_token_hint', session.idToken);
  }
  location.assign(url.href);
}
