/**
 * A minimal OpenID Connect provider for `npm start` with AUTH_MODE=oidc: the local issuer's sign-in, so that the web
 * page signs in locally as it does on AWS with Cognito's hosted UI (the authorization code flow with PKCE, a public
 * client, no secret). It exists only in the local server: serverless.yml knows nothing of it, and with
 * AUTH_MODE=none its paths are the gateway's plain 404.
 *
 * On the API's own origin:
 *   GET  /.well-known/openid-configuration   the discovery document (the issuer stays LOCAL_ISSUER, a URN)
 *   GET  /oauth2/authorize                   the sign-in page: any user name, no password
 *   POST /oauth2/authorize                   its form: 303 back to the client with a code
 *   POST /oauth2/token                       a code and its PKCE verifier for an ID token and an access token
 *
 * There is no session (every sign-in asks for the name, so there is no end_session_endpoint) and one client,
 * LOCAL_AUDIENCE, whose redirect URIs are not registered: any http(s) URL on a loopback host, or on the host the
 * request was sent to, is accepted instead. Codes live in memory for 60 s and are used once. Tokens are
 * stateless JWTs: a code used twice is refused, but the tokens of its first use cannot be revoked.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { issueAccessToken, issueToken, JWKS_PATH, LOCAL_AUDIENCE, LOCAL_ISSUER, type SigningKey } from './issuer.js';

export const DISCOVERY_PATH = '/.well-known/openid-configuration';
const AUTHORIZE_PATH = '/oauth2/authorize';
const TOKEN_PATH = '/oauth2/token';

/** How long a code may wait for its token request (RFC 6749 §4.1.2: short, at most 10 minutes). */
const CODE_TTL_MS = 60_000;
/** Codes waiting at once; beyond it the oldest is dropped, so that no client can fill the memory. */
const MAX_PENDING_CODES = 1000;
/** The largest form body taken (the sign-in form, a token request). */
const MAX_FORM_BYTES = 16 * 1024;
/** The tokens' lifetime, in seconds (issueToken's default, 1 h). */
const TOKEN_LIFETIME_S = 3600;
/** The scopes granted, when asked for: an ID token, and the user's name in it. */
const SCOPES = ['openid', 'profile'];
/** Where a redirect URI may lead without being the request's own host: this machine. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
/** A PKCE code_challenge or code_verifier (RFC 7636 §4.1): 43 to 128 unreserved characters. */
const PKCE_VALUE = /^[A-Za-z0-9\-._~]{43,128}$/;
const MAX_USER_LENGTH = 64;

/** The parameters of an authorization request that are carried from the sign-in page to its form. */
const AUTHORIZATION_PARAMETERS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'response_mode',
  'prompt',
] as const;

export interface OidcProviderOptions {
  key: SigningKey;
  /** The server's own URL, for a request whose Host header is no usable host[:port] (known once it listens). */
  ownUrl: () => string;
  /** Where faults are reported. */
  log: (line: string) => void;
  /** Milliseconds a code stays valid (default 60 s). */
  codeTtlMs?: number;
  /** The clock codes expire by, in epoch milliseconds (default Date.now; tests move it). */
  now?: () => number;
}

/**
 * Answers the provider's paths, as the gateway's `serveLocal` hook: true when the request is one of them. The
 * answer may follow later (a body to read, tokens to sign); the request is then this module's to finish.
 */
export type LocalRoutes = (req: IncomingMessage, res: ServerResponse) => boolean;

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What the authorization endpoint grants, waiting for its token request. */
interface Grant {
  clientId: string;
  /** As the client sent it: the token request must send it again, the same (RFC 6749 §4.1.3). */
  redirectUri: string;
  codeChallenge: string;
  user: string;
  nonce?: string;
  scope: string;
  expiresAt: number;
}

/** What a request needs to know about where it was sent. */
interface Context {
  /** `http://` + the request's Host, or the server's own URL when that Host is unusable. */
  origin: string;
  /** The request's Host, normalized (lower case, no default port); undefined when unusable. */
  host: string | undefined;
}

interface Route {
  methods: readonly string[];
  /** Whether other origins may read it (CORS, preflight included). */
  cors: boolean;
  handle(req: IncomingMessage, context: Context): Promise<Answer>;
}

export function createOidcProvider(options: OidcProviderOptions): LocalRoutes {
  const codes = codeStore(options.codeTtlMs ?? CODE_TTL_MS, options.now ?? Date.now);
  const routes = new Map<string, Route>([
    [DISCOVERY_PATH, { methods: ['GET', 'HEAD'], cors: true, handle: async (_req, context) => discovery(context) }],
    [AUTHORIZE_PATH, { methods: ['GET', 'HEAD', 'POST'], cors: false, handle: (req, c) => authorize(req, c, codes) }],
    [TOKEN_PATH, { methods: ['POST'], cors: true, handle: (req) => token(req, options.key, codes) }],
  ]);
  return (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    const route = routes.get(path);
    if (!route && !path.startsWith('/oauth2/')) return false;
    answer(req, route, context(req, options.ownUrl())).then(
      (answered) => send(req, res, answered),
      (error: unknown) => {
        // A client that went away before its request was whole is nobody's fault.
        if (!req.complete || res.destroyed) return;
        options.log(JSON.stringify({ level: 'error', message: 'local OIDC provider fault', error: String(error) }));
        if (res.headersSent) res.destroy();
        else send(req, res, json(500, { message: 'Internal Server Error' }));
      },
    );
    return true;
  };
}

async function answer(req: IncomingMessage, route: Route | undefined, context: Context): Promise<Answer> {
  if (!route) return json(404, { message: 'Not Found' });
  const answered = await answerRoute(req, route, context);
  if (route.cors) answered.headers['access-control-allow-origin'] = '*';
  return answered;
}

function answerRoute(req: IncomingMessage, route: Route, context: Context): Answer | Promise<Answer> {
  const method = req.method ?? 'GET';
  if (route.cors && method === 'OPTIONS') return preflight(route);
  if (route.methods.includes(method)) return route.handle(req, context);
  const allow = [...route.methods, ...(route.cors ? ['OPTIONS'] : [])];
  return json(405, { message: 'Method Not Allowed' }, { allow: allow.join(', ') });
}

/** A CORS preflight (or a plain OPTIONS): 204 with what other origins may send. */
function preflight(route: Route): Answer {
  return {
    status: 204,
    headers: {
      allow: [...route.methods, 'OPTIONS'].join(', '),
      'access-control-allow-methods': route.methods.join(', '),
      'access-control-allow-headers': 'content-type, accept',
      'access-control-max-age': '600',
    },
    body: '',
  };
}

function send(req: IncomingMessage, res: ServerResponse, answer: Answer): void {
  const body = Buffer.from(answer.body);
  // Nothing the provider says may be kept by a cache: pages with a user's parameters, codes, tokens.
  const headers: Record<string, string> = {
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...answer.headers,
  };
  if (answer.status !== 204) headers['content-length'] = String(body.length);
  res.writeHead(answer.status, headers);
  res.end(req.method === 'HEAD' || answer.status === 204 ? undefined : body);
}

function json(status: number, value: unknown, headers: Record<string, string> = {}): Answer {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value) };
}

/**
 * Where the request was sent: its Host when that is a plain host[:port] (the endpoints are then on the origin the
 * client already uses: localhost, 127.0.0.1, a LAN address with HOST=0.0.0.0), else the server's own URL.
 */
function context(req: IncomingMessage, ownUrl: string): Context {
  const raw = req.headers.host ?? '';
  if (/^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(raw)) {
    try {
      const host = new URL(`http://${raw}`).host;
      return { origin: `http://${host}`, host };
    } catch {
      // A port over 65535, an IPv6 address that is none: as if there were no Host.
    }
  }
  return { origin: new URL(ownUrl).origin, host: undefined };
}

function discovery({ origin }: Context): Answer {
  return json(200, {
    issuer: LOCAL_ISSUER,
    authorization_endpoint: `${origin}${AUTHORIZE_PATH}`,
    token_endpoint: `${origin}${TOKEN_PATH}`,
    jwks_uri: `${origin}${JWKS_PATH}`,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none'],
    scopes_supported: SCOPES,
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'nonce', 'preferred_username', 'cognito:username'],
    authorization_response_iss_parameter_supported: true,
  });
}

// ---- Codes ----------------------------------------------------------------------------------------------------

interface CodeStore {
  /** A new code for `grant`, valid for the store's TTL. */
  issue(grant: Omit<Grant, 'expiresAt'>): string;
  /** The grant of `code`, which is removed: a code is used once, whatever comes of that use. */
  take(code: string): Grant | undefined;
}

function codeStore(ttlMs: number, now: () => number): CodeStore {
  // In insertion order, which is also the order they expire in (one TTL for all).
  const codes = new Map<string, Grant>();
  return {
    issue(grant) {
      for (const [code, pending] of codes) {
        if (pending.expiresAt > now() && codes.size < MAX_PENDING_CODES) break;
        codes.delete(code);
      }
      const code = randomBytes(32).toString('base64url');
      codes.set(code, { ...grant, expiresAt: now() + ttlMs });
      return code;
    },
    take(code) {
      const grant = codes.get(code);
      codes.delete(code);
      return grant && grant.expiresAt > now() ? grant : undefined;
    },
  };
}

// ---- The authorization endpoint -------------------------------------------------------------------------------

/** A valid authorization request. */
interface AuthorizationRequest {
  redirectUri: string;
  /** redirect_uri, parsed: where the answer goes. */
  target: URL;
  state?: string;
  nonce?: string;
  codeChallenge: string;
  /** The scopes granted: those asked for that the provider knows. */
  scope: string;
  /** What the sign-in page's form carries back (the known parameters, as sent). */
  carried: Array<[string, string]>;
}

/**
 * What comes of an authorization request's parameters: a request to serve; an error to send back to the client
 * at its (checked) redirect URI; or, when the client or its redirect URI is not to be trusted, a refusal shown to
 * the person, never a redirect (RFC 6749 §4.1.2.1).
 */
type Checked =
  | { request: AuthorizationRequest }
  | { error: string; description: string; target: URL; state?: string }
  | { refused: string };

/** A parameter's value; `twice` when it was sent more than once (RFC 6749 §3.1 forbids it). */
function single(params: URLSearchParams, name: string): string | undefined | { twice: true } {
  const values = params.getAll(name);
  return values.length > 1 ? { twice: true } : values[0];
}

function checkAuthorization(params: URLSearchParams, host: string | undefined): Checked {
  const clientId = single(params, 'client_id');
  if (typeof clientId !== 'string') {
    return { refused: clientId ? 'client_id was sent more than once.' : 'client_id is missing.' };
  }
  if (clientId !== LOCAL_AUDIENCE) {
    return {
      refused: `client_id ${JSON.stringify(clientId)} is unknown: the local issuer has one client, ${LOCAL_AUDIENCE}.`,
    };
  }
  const redirectUri = single(params, 'redirect_uri');
  if (typeof redirectUri !== 'string') {
    return { refused: redirectUri ? 'redirect_uri was sent more than once.' : 'redirect_uri is missing.' };
  }
  const target = URL.canParse(redirectUri) ? new URL(redirectUri) : undefined;
  if (!target || (target.protocol !== 'http:' && target.protocol !== 'https:')) {
    return { refused: 'redirect_uri must be an absolute http or https URL.' };
  }
  // `#` alone parses to an empty hash: look at the URL as sent.
  if (redirectUri.includes('#')) return { refused: 'redirect_uri must not have a fragment (#).' };
  if (!LOOPBACK_HOSTS.has(target.hostname) && target.host !== host) {
    return {
      refused: `redirect_uri must lead to this machine (localhost, 127.0.0.1 or [::1]) or to ${host ?? 'this server'}, not to ${target.host}.`,
    };
  }

  // From here on the client is known and its redirect URI is safe: errors go back to it.
  const state = single(params, 'state');
  const fail = (error: string, description: string): Checked => ({
    error,
    description,
    target,
    ...(typeof state === 'string' ? { state } : {}),
  });
  const values: Record<string, string | undefined> = {};
  for (const name of AUTHORIZATION_PARAMETERS) {
    const value = single(params, name);
    if (typeof value === 'object') return fail('invalid_request', `${name} was sent more than once.`);
    values[name] = value;
  }
  const { response_type, scope, nonce, code_challenge, code_challenge_method, response_mode, prompt } = values;
  if (!response_type) return fail('invalid_request', 'response_type is missing.');
  if (response_type !== 'code') return fail('unsupported_response_type', 'Only response_type=code is supported.');
  if (response_mode !== undefined && response_mode !== 'query') {
    return fail('invalid_request', 'Only response_mode=query is supported.');
  }
  const scopes = (scope ?? '').split(' ').filter(Boolean);
  if (!scopes.includes('openid')) return fail('invalid_scope', 'scope must include openid.');
  if (!code_challenge) return fail('invalid_request', 'code_challenge is required (PKCE with S256).');
  if (!PKCE_VALUE.test(code_challenge)) {
    return fail('invalid_request', 'code_challenge must be 43 to 128 characters of A-Z, a-z, 0-9, -, ., _ and ~.');
  }
  if (code_challenge_method !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256.');
  // There is no session to sign in silently with: every sign-in asks for the name.
  if (prompt?.split(' ').includes('none')) return fail('login_required', 'The local sign-in always asks for a name.');
  return {
    request: {
      redirectUri,
      target,
      ...(typeof state === 'string' ? { state } : {}),
      ...(nonce === undefined ? {} : { nonce }),
      codeChallenge: code_challenge,
      scope: SCOPES.filter((known) => scopes.includes(known)).join(' '),
      carried: AUTHORIZATION_PARAMETERS.flatMap((name) => {
        const value = values[name];
        return value === undefined ? [] : [[name, value] as [string, string]];
      }),
    },
  };
}

/** `target` with the answer's parameters added (its own query kept, RFC 6749 §3.1.2). */
function redirect(status: 302 | 303, target: URL, parameters: Record<string, string | undefined>): Answer {
  const location = new URL(target);
  for (const [name, value] of Object.entries({ ...parameters, iss: LOCAL_ISSUER })) {
    if (value !== undefined) location.searchParams.set(name, value);
  }
  // The code in the Location is not for the Referer of whatever the client's page loads.
  return { status, headers: { location: location.href, 'referrer-policy': 'no-referrer' }, body: '' };
}

async function authorize(req: IncomingMessage, context: Context, codes: CodeStore): Promise<Answer> {
  const posted = req.method === 'POST';
  let params: URLSearchParams;
  if (posted) {
    const form = await readForm(req);
    if ('refused' in form) return closing(refusalPage(form.refused.status, form.refused.message));
    params = form.params;
  } else {
    params = new URL(req.url ?? '/', 'http://localhost').searchParams;
  }
  const checked = checkAuthorization(params, context.host);
  if ('refused' in checked) return refusalPage(400, checked.refused);
  if ('error' in checked) {
    const { error, description, target, state } = checked;
    return redirect(posted ? 303 : 302, target, { error, error_description: description, state });
  }
  const { request } = checked;
  if (!posted) return signInPage(200, request, '');

  const typed = params.getAll('user');
  const user = (typed[0] ?? '').trim();
  const problem = typed.length > 1 ? 'Send one user name.' : userNameProblem(user);
  if (problem) return signInPage(400, request, typed[0] ?? '', problem);
  const code = codes.issue({
    clientId: LOCAL_AUDIENCE,
    redirectUri: request.redirectUri,
    codeChallenge: request.codeChallenge,
    user,
    scope: request.scope,
    ...(request.nonce === undefined ? {} : { nonce: request.nonce }),
  });
  // 303: the browser follows with a GET, whatever the form's method was.
  return redirect(303, request.target, { code, state: request.state });
}

/** What is wrong with a (trimmed) user name, in words for the sign-in page; undefined when nothing is. */
function userNameProblem(user: string): string | undefined {
  if (user === '') return 'Enter a user name.';
  // Characters as a person counts them (code points), not UTF-16 units.
  if ([...user].length > MAX_USER_LENGTH) return `A user name has at most ${MAX_USER_LENGTH} characters.`;
  if (/\p{Cc}/u.test(user)) return 'A user name cannot contain control characters.';
  return undefined;
}

/**
 * A form body: its parameters, or why it was refused (its status and a message). A refused body is left unread, so
 * its answer must close the connection (`closing`).
 */
async function readForm(
  req: IncomingMessage,
): Promise<{ params: URLSearchParams } | { refused: { status: 413 | 415; message: string } }> {
  const type = (req.headers['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    return { refused: { status: 415, message: 'The form must be sent as application/x-www-form-urlencoded.' } };
  }
  const body = await readBody(req, MAX_FORM_BYTES);
  if (body === undefined) {
    return { refused: { status: 413, message: `The form is over ${MAX_FORM_BYTES / 1024} KiB.` } };
  }
  return { params: new URLSearchParams(body.toString('utf8')) };
}

/**
 * The whole body, or undefined as soon as it is over `limit` bytes (the rest is left unread). Rejects when the client
 * goes away first.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        resolve(undefined);
      } else chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('the client went away'));
    });
  });
}

// ---- Pages ----------------------------------------------------------------------------------------------------

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
  :root { color-scheme: light; font: 1rem/1.5 system-ui, sans-serif; color: #1b1b1b; background: #f6f6f6; }
  body { margin: 0; padding: 1rem; }
  main { max-width: 28rem; margin: 2rem auto; padding: 1.5rem; background: #fff; border: 1px solid #d0d0d0;
    border-radius: 8px; }
  h1 { font-size: 1.5rem; margin: 0 0 0.25rem; }
  .local { margin: 0 0 1.5rem; padding: 0.75rem 1rem; background: #fff3cd; color: #4d3a00; border: 2px solid #b38600;
    border-radius: 6px; }
  .error { margin: 1rem 0; padding: 0.5rem 0.75rem; background: #fde8e8; color: #8a1c1c; border-left: 4px solid #b42318; }
  label { display: block; font-weight: 600; margin: 1rem 0 0.25rem; }
  input[type=text] { box-sizing: border-box; width: 100%; min-height: 2.75rem; padding: 0.5rem; font: inherit;
    border: 1px solid #6b6b6b; border-radius: 4px; }
  input[aria-invalid=true] { border: 2px solid #b42318; }
  .hint { margin: 0.25rem 0 0; color: #4a4a4a; font-size: 0.9rem; }
  button { margin-top: 1.25rem; min-height: 2.75rem; padding: 0.5rem 1.5rem; font: inherit; font-weight: 600;
    color: #fff; background: #1f5fbf; border: 0; border-radius: 4px; cursor: pointer; }
  button:hover { background: #174a96; }
  :focus-visible { outline: 3px solid #1f5fbf; outline-offset: 2px; }
  code { font-size: 0.95em; }
`;

const BANNER = `<p class="local" id="local-only"><strong>Local development only.</strong> This page stands in for Cognito's
  sign-in page while you run <code>npm start</code>: it accepts any user name, with no password. Each name is a user
  of its own, the same one <code>npm run token -- &lt;name&gt;</code> makes tokens for.</p>`;

function html(status: number, title: string, main: string, formAction: string): Answer {
  const body = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${main}
</main>
</body>
</html>
`;
  return {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      // No script at all; the form may only go to this server, and on to where the sign-in answers (Chromium holds
      // the redirect after the POST to form-action too).
      'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
      'referrer-policy': 'no-referrer',
    },
    body,
  };
}

function signInPage(status: number, request: AuthorizationRequest, user: string, problem?: string): Answer {
  const hidden = request.carried
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n  ');
  const error = problem ? `<p class="error" id="user-error" role="alert">${escapeHtml(problem)}</p>` : '';
  const describedBy = ['local-only', 'user-hint', ...(problem ? ['user-error'] : [])].join(' ');
  const main = `${BANNER}
<h1>Sign in</h1>
<p>to continue to <strong>${escapeHtml(request.target.origin)}</strong></p>
${error}
<form method="post" action="${AUTHORIZE_PATH}">
  ${hidden}
  <label for="user">User name</label>
  <input type="text" id="user" name="user" value="${escapeHtml(user)}" autocomplete="username" autocapitalize="none"
    spellcheck="false" autofocus required maxlength="${MAX_USER_LENGTH}" aria-describedby="${describedBy}"${problem ? ' aria-invalid="true"' : ''}>
  <p class="hint" id="user-hint">Any name, such as alice; up to ${MAX_USER_LENGTH} characters.</p>
  <button type="submit">Sign in</button>
</form>`;
  return html(status, 'Sign in · TODO API (local development)', main, `'self' ${formTarget(request.target)}`);
}

/** `answer`, after which the connection is closed: what is left of the request's body is never read. */
function closing(answer: Answer): Answer {
  answer.headers.connection = 'close';
  return answer;
}

/**
 * The CSP source that lets the sign-in's redirect reach `target`: its origin, or, for an IPv6 address (which CSP
 * cannot name), its scheme.
 */
function formTarget(target: URL): string {
  return target.hostname.startsWith('[') ? target.protocol : target.origin;
}

/** A request the provider will not answer with a redirect: the person sees why. */
function refusalPage(status: number, message: string): Answer {
  const main = `${BANNER}
<h1>This sign-in request cannot be served</h1>
<p class="error" role="alert">${escapeHtml(message)}</p>
<p>The application that sent you here asked for something the local issuer does not do. Go back to it and try again;
if this page comes back, its sign-in settings need fixing.</p>`;
  return html(status, 'Sign-in refused · TODO API (local development)', main, "'none'");
}

// ---- The token endpoint ---------------------------------------------------------------------------------------

/** An error of the token endpoint (RFC 6749 §5.2), always a 400 here: no client authenticates. */
function tokenError(error: string, description: string): Answer {
  return json(400, { error, error_description: description }, { pragma: 'no-cache' });
}

async function token(req: IncomingMessage, key: SigningKey, codes: CodeStore): Promise<Answer> {
  const form = await readForm(req);
  if ('refused' in form) return closing(tokenError('invalid_request', form.refused.message));
  const { params } = form;
  const values: Record<string, string | undefined> = {};
  for (const name of ['grant_type', 'code', 'redirect_uri', 'client_id', 'code_verifier']) {
    const value = single(params, name);
    if (typeof value === 'object') return tokenError('invalid_request', `${name} was sent more than once.`);
    values[name] = value;
  }
  const { grant_type, code, redirect_uri, client_id, code_verifier } = values;
  // A code is used by the first token request that names it, whatever comes of that request (RFC 6749 §4.1.2).
  const grant = code ? codes.take(code) : undefined;
  if (!grant_type) return tokenError('invalid_request', 'grant_type is missing.');
  if (grant_type !== 'authorization_code') {
    return tokenError('unsupported_grant_type', 'Only grant_type=authorization_code is supported.');
  }
  if (!client_id) return tokenError('invalid_client', 'client_id is missing (the client is public: no secret).');
  if (client_id !== LOCAL_AUDIENCE) {
    return tokenError('invalid_client', `client_id ${JSON.stringify(client_id)} is unknown.`);
  }
  if (!code) return tokenError('invalid_request', 'code is missing.');
  if (!redirect_uri) return tokenError('invalid_request', 'redirect_uri is missing.');
  if (!code_verifier) return tokenError('invalid_request', 'code_verifier is missing (PKCE).');
  if (!PKCE_VALUE.test(code_verifier)) {
    return tokenError('invalid_request', 'code_verifier must be 43 to 128 characters of A-Z, a-z, 0-9, -, ., _ and ~.');
  }
  if (!grant) return tokenError('invalid_grant', 'The code is unknown, expired or already used.');
  if (grant.clientId !== client_id) return tokenError('invalid_grant', 'The code was issued to another client.');
  if (grant.redirectUri !== redirect_uri) {
    return tokenError('invalid_grant', 'redirect_uri is not the one of the authorization request.');
  }
  if (!sameText(pkceChallenge(code_verifier), grant.codeChallenge)) {
    return tokenError('invalid_grant', 'code_verifier does not match the code_challenge.');
  }
  const [idToken, accessToken] = await Promise.all([
    issueToken(key, grant.user, grant.nonce === undefined ? {} : { nonce: grant.nonce }),
    issueAccessToken(key, grant.user, grant.scope),
  ]);
  return json(
    200,
    {
      access_token: accessToken,
      id_token: idToken,
      token_type: 'Bearer',
      expires_in: TOKEN_LIFETIME_S,
      scope: grant.scope,
    },
    { pragma: 'no-cache' },
  );
}

/** BASE64URL(SHA256(verifier)), the S256 challenge of a verifier (RFC 7636 §4.2). */
function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
