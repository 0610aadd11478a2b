/**
 * The local OpenID Connect provider of `npm start` (local/oidc-provider.ts), driven as the web page drives it, with
 * oauth4webapi as the client: discovery, the sign-in page and its form, the code for tokens, and those tokens at the
 * API; then every way a sign-in can go wrong, a code's lifetime (on a clock of the test's), and what AUTH_MODE=none
 * and the banner of `npm start` say. These routes are not the API's, so they are called with plain fetch, not
 * `call` (which holds every answer to the OpenAPI document).
 */
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, loadSigningKey, localSubject } from '../../local/issuer.js';
import { createOidcProvider } from '../../local/oidc-provider.js';
import { type LocalSystem, lambdaEnvironment, loadLocalModel } from '../../local/server.js';
import { interrupt, listeningUrl, processes } from './cli.js';
import { call, isRecord, jsonBody, useLocalSystem } from './support.js';

/** Where the web page would be: another origin on this machine, with a query of its own that must survive. */
const REDIRECT_URI = 'http://localhost:5173/callback?from=app';
const client: oauth.Client = { client_id: LOCAL_AUDIENCE };
/** oauth4webapi insists on https unless told otherwise: the local server is plain http. */
const insecure = { [oauth.allowInsecureRequests]: true } as const;
const START_DEADLINE_MS = 30_000;
const EXIT_DEADLINE_MS = 10_000;

let system: LocalSystem;
let base: string;
let as: oauth.AuthorizationServer;

useLocalSystem('oidc', async (started) => {
  system = started;
  base = system.url;
  as = await discover(base);
});

const { freshDataDir, start, run } = processes('todo-api-oidc-');

// ---- The client's side ----------------------------------------------------------------------------------------

/** The discovery document at `origin`, checked by oauth4webapi against the local issuer's identifier. */
async function discover(origin: string): Promise<oauth.AuthorizationServer> {
  const response = await fetch(new URL('/.well-known/openid-configuration', origin), {
    headers: { accept: 'application/json' },
  });
  return oauth.processDiscoveryResponse(new URL(LOCAL_ISSUER), response);
}

/** What the client keeps while the person signs in. */
interface Pending {
  verifier: string;
  state: string;
  nonce: string;
  redirectUri: string;
}

/** The authorization request the web page makes, with `changes` applied to its parameters (null leaves one out). */
async function authorizationRequest(
  server: oauth.AuthorizationServer,
  changes: Record<string, string | null> = {},
): Promise<{ url: URL; pending: Pending }> {
  const verifier = oauth.generateRandomCodeVerifier();
  const parameters: Record<string, string | null> = {
    response_type: 'code',
    client_id: LOCAL_AUDIENCE,
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile',
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
    ...changes,
  };
  const url = new URL(String(server.authorization_endpoint));
  for (const [name, value] of Object.entries(parameters)) if (value !== null) url.searchParams.append(name, value);
  const pending = {
    verifier,
    state: parameters.state ?? '',
    nonce: parameters.nonce ?? '',
    redirectUri: parameters.redirect_uri ?? '',
  };
  return { url, pending };
}

interface Page {
  status: number;
  headers: Headers;
  text: string;
}

/** A request that is never followed through a redirect (the test looks at the redirect itself). */
async function fetchPage(url: URL | string, init: RequestInit = {}): Promise<Page> {
  const response = await fetch(url, { ...init, redirect: 'manual' });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

function unescapeHtml(text: string): string {
  return text.replace(/&(?:#(\d+)|#x([0-9a-f]+)|(amp|lt|gt|quot|apos));/gi, (_, dec, hex, name) => {
    if (dec) return String.fromCodePoint(Number(dec));
    if (hex) return String.fromCodePoint(Number.parseInt(hex, 16));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[String(name).toLowerCase()] ?? '';
  });
}

/** The hidden fields of the sign-in page's form, decoded. */
function hiddenFields(html: string): URLSearchParams {
  const fields = new URLSearchParams();
  for (const match of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    fields.append(unescapeHtml(match[1] ?? ''), unescapeHtml(match[2] ?? ''));
  }
  return fields;
}

/** The value the page shows in its user name input, decoded. */
function shownUser(html: string): string | undefined {
  const value = /<input type="text" id="user" name="user" value="([^"]*)"/.exec(html)?.[1];
  return value === undefined ? undefined : unescapeHtml(value);
}

/** Posts the sign-in form as a browser would (its fields, and the user name typed). */
function submit(origin: string, fields: URLSearchParams, user?: string): Promise<Page> {
  const body = new URLSearchParams(fields);
  if (user !== undefined) body.set('user', user);
  return fetchPage(new URL('/oauth2/authorize', origin), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
}

/** Signs in as `user` on the sign-in page: returns where the provider sent the browser back, and what to redeem. */
async function signIn(
  server: oauth.AuthorizationServer,
  user: string,
  changes: Record<string, string | null> = {},
): Promise<{ location: URL; pending: Pending }> {
  const { url, pending } = await authorizationRequest(server, changes);
  const page = await fetchPage(url);
  assert.equal(page.status, 200, page.text);
  const answer = await submit(url.origin, hiddenFields(page.text), user);
  assert.equal(answer.status, 303, answer.text);
  const location = answer.headers.get('location');
  assert.ok(location, 'a Location');
  return { location: new URL(location), pending };
}

/** The code back at the client, as oauth4webapi checks it, sent to the token endpoint: its answer as sent. */
async function codeGrant(server: oauth.AuthorizationServer, location: URL, pending: Pending): Promise<Response> {
  const parameters = oauth.validateAuthResponse(server, client, location, pending.state);
  return oauth.authorizationCodeGrantRequest(
    server,
    client,
    oauth.None(),
    parameters,
    pending.redirectUri,
    pending.verifier,
    insecure,
  );
}

/** The code back at the client exchanged for tokens, as oauth4webapi checks them. */
async function redeem(
  server: oauth.AuthorizationServer,
  location: URL,
  pending: Pending,
  nonce: string | typeof oauth.expectNoNonce = pending.nonce,
): Promise<oauth.TokenEndpointResponse> {
  return oauth.processAuthorizationCodeResponse(server, client, await codeGrant(server, location, pending), {
    expectedNonce: nonce,
    requireIdToken: true,
  });
}

interface TokenReply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** A token request as sent, with plain fetch: the test decides every parameter. */
async function tokenRequest(
  origin: string,
  parameters: Record<string, string> | string,
  contentType = 'application/x-www-form-urlencoded',
): Promise<TokenReply> {
  const response = await fetch(new URL('/oauth2/token', origin), {
    method: 'POST',
    headers: { 'content-type': contentType, accept: 'application/json' },
    body: typeof parameters === 'string' ? parameters : new URLSearchParams(parameters),
  });
  const body = (await response.json()) as unknown;
  assert.ok(isRecord(body), JSON.stringify(body));
  return { status: response.status, headers: response.headers, body };
}

/** The parameters of a good token request for a code the provider sent to `location`. */
function goodTokenParameters(location: URL, pending: Pending): Record<string, string> {
  return {
    grant_type: 'authorization_code',
    code: location.searchParams.get('code') ?? '',
    redirect_uri: pending.redirectUri,
    client_id: LOCAL_AUDIENCE,
    code_verifier: pending.verifier,
  };
}

/** An RFC 6749 §5.2 error: 400, `{error, error_description}` and nothing else, never cached, readable by any page. */
function assertTokenError(reply: TokenReply, error: string, what: string): void {
  assert.equal(reply.status, 400, `${what}: ${JSON.stringify(reply.body)}`);
  assert.deepEqual(Object.keys(reply.body).sort(), ['error', 'error_description'], what);
  assert.equal(reply.body.error, error, `${what}: ${JSON.stringify(reply.body)}`);
  assert.ok(typeof reply.body.error_description === 'string' && reply.body.error_description.length > 0, what);
  assert.equal(reply.headers.get('cache-control'), 'no-store', what);
  assert.equal(reply.headers.get('access-control-allow-origin'), '*', what);
}

/** A GET with exactly the Host header given (fetch cannot send one of its own). */
function getWithHost(origin: string, path: string, host: string): Promise<Page> {
  const url = new URL(path, origin);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { hostname: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, headers: { host }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers))
            if (typeof value === 'string') headers.set(name, value);
          resolve({ status: res.statusCode ?? 0, headers, text: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Creates a todo as the token's user: its id (the todo's shape is other tests' business). */
async function create(origin: string, token: string, title: string): Promise<string> {
  const reply = await call(origin, 'POST', '/todos', { json: { title }, headers: bearer(token) });
  assert.equal(reply.status, 201, reply.text);
  const todo = jsonBody(reply);
  assert.ok(isRecord(todo) && typeof todo.id === 'string', reply.text);
  return todo.id;
}

/** The ids of every todo of the token's user (fewer than 100 here). */
async function todosOf(origin: string, token: string): Promise<string[]> {
  const reply = await call(origin, 'GET', '/todos', { headers: bearer(token) });
  assert.equal(reply.status, 200, reply.text);
  const todos = jsonBody(reply);
  assert.ok(Array.isArray(todos), reply.text);
  return todos.map((todo: unknown) => (isRecord(todo) ? String(todo.id) : ''));
}

/** A page the provider shows instead of redirecting: 400 (or `status`), HTML, no Location, no form to post. */
function assertRefusalPage(page: Page, what: string, status = 400): void {
  assert.equal(page.status, status, `${what}: ${page.text}`);
  assert.equal(page.headers.get('location'), null, `${what}: never a redirect`);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html; charset=utf-8$/, what);
  assert.match(page.headers.get('content-security-policy') ?? '', /form-action 'none'/, what);
  assert.ok(page.text.includes('Local development only'), what);
  assert.ok(!page.text.includes('<form'), `${what}: no form`);
}

// ---- Discovery ------------------------------------------------------------------------------------------------

describe('discovery', () => {
  const expected = (origin: string) => ({
    issuer: LOCAL_ISSUER,
    authorization_endpoint: `${origin}/oauth2/authorize`,
    token_endpoint: `${origin}/oauth2/token`,
    jwks_uri: `${origin}/.well-known/jwks.json`,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none'],
    scopes_supported: ['openid', 'profile'],
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'nonce', 'preferred_username', 'cognito:username'],
    authorization_response_iss_parameter_supported: true,
  });

  it('names the local issuer exactly, and endpoints on the origin the request was sent to; no end_session', async () => {
    for (const origin of [base, base.replace('localhost', '127.0.0.1')]) {
      const response = await fetch(`${origin}/.well-known/openid-configuration`);
      assert.equal(response.status, 200, origin);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/, origin);
      assert.equal(response.headers.get('access-control-allow-origin'), '*', origin);
      assert.equal(response.headers.get('cache-control'), 'no-store', origin);
      assert.deepEqual(await response.json(), expected(origin), origin);
    }
    // What the page's oauth4webapi read from it.
    assert.equal(as.issuer, LOCAL_ISSUER);
    assert.equal(as.end_session_endpoint, undefined);
  });

  it("uses the Host of the request when it is a host[:port], else the server's own URL", async () => {
    const named = await getWithHost(base, '/.well-known/openid-configuration', 'Todo.Test:8080');
    assert.equal(named.status, 200, named.text);
    assert.deepEqual(JSON.parse(named.text), expected('http://todo.test:8080'));
    for (const host of ['evil.example/x?', 'a b', 'example.com:99999', '[zz]', '"><x>']) {
      const page = await getWithHost(base, '/.well-known/openid-configuration', host);
      assert.equal(page.status, 200, `${host}: ${page.text}`);
      assert.deepEqual(JSON.parse(page.text), expected(base), host);
    }
  });

  it('the discovery document and the token endpoint answer CORS preflights', async () => {
    for (const [path, method] of [
      ['/.well-known/openid-configuration', 'GET'],
      ['/oauth2/token', 'POST'],
    ] as const) {
      const response = await fetch(`${base}${path}`, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://localhost:5173',
          'access-control-request-method': method,
          'access-control-request-headers': 'content-type, accept',
        },
      });
      assert.equal(response.status, 204, path);
      assert.equal(response.headers.get('access-control-allow-origin'), '*', path);
      const methods = (response.headers.get('access-control-allow-methods') ?? '').split(/,\s*/);
      assert.ok(methods.includes(method), `${path}: ${methods}`);
      const headers = (response.headers.get('access-control-allow-headers') ?? '').split(/,\s*/);
      assert.ok(headers.includes('content-type') && headers.includes('accept'), `${path}: ${headers}`);
      const maxAge = Number(response.headers.get('access-control-max-age'));
      assert.ok(maxAge > 0 && maxAge <= 3600, `${path}: max-age ${maxAge}`);
    }
  });

  it('a wrong method is 405 with Allow; anything else under /oauth2/ is a JSON 404', async () => {
    const wrong: Array<[string, string, string]> = [
      ['GET', '/oauth2/token', 'POST, OPTIONS'],
      ['PUT', '/oauth2/token', 'POST, OPTIONS'],
      ['DELETE', '/oauth2/authorize', 'GET, HEAD, POST'],
      ['OPTIONS', '/oauth2/authorize', 'GET, HEAD, POST'],
      ['POST', '/.well-known/openid-configuration', 'GET, HEAD, OPTIONS'],
    ];
    for (const [method, path, allow] of wrong) {
      const response = await fetch(`${base}${path}`, { method });
      assert.equal(response.status, 405, `${method} ${path}`);
      assert.equal(response.headers.get('allow'), allow, `${method} ${path}`);
      assert.deepEqual(await response.json(), { message: 'Method Not Allowed' });
    }
    for (const path of ['/oauth2/nope', '/oauth2/authorize/', '/oauth2/token/x', '/oauth2/userinfo', '/oauth2/']) {
      const response = await fetch(`${base}${path}`);
      assert.equal(response.status, 404, path);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/, path);
      assert.deepEqual(await response.json(), { message: 'Not Found' }, path);
    }
  });
});

// ---- The whole sign-in ----------------------------------------------------------------------------------------

describe('signing in as the web page does', () => {
  it('the sign-in page: marked local development only, a labelled form with the request, and locked down', async () => {
    const { url } = await authorizationRequest(as);
    const page = await fetchPage(url);
    assert.equal(page.status, 200, page.text);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(page.headers.get('cache-control'), 'no-store');
    assert.equal(
      page.headers.get('content-security-policy'),
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self' http://localhost:5173; frame-ancestors 'none'; base-uri 'none'",
    );
    assert.equal(page.headers.get('access-control-allow-origin'), null, 'no other origin reads the page');
    const { text } = page;
    assert.match(text, /^<!doctype html>\n<html lang="en">/);
    assert.match(text, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
    assert.match(text, /<title>Sign in[^<]*local development[^<]*<\/title>/);
    assert.match(text, /<strong>Local development only\.<\/strong>[^<]*Cognito's\s+sign-in page/);
    assert.match(text, /accepts any user name, with no password/);
    assert.match(text, /<form method="post" action="\/oauth2\/authorize">/);
    assert.match(text, /<label for="user">User name<\/label>/);
    const input = /<input type="text" id="user" name="user"[^>]*>/.exec(text)?.[0] ?? '';
    for (const attribute of ['autocomplete="username"', 'autofocus', 'required', 'maxlength="64"']) {
      assert.ok(input.includes(attribute), `the user name input has ${attribute}: ${input}`);
    }
    assert.match(text, /<button type="submit">Sign in<\/button>/);
    assert.ok(!/<script/i.test(text), 'no script');
    // The request's parameters, as sent, in the form.
    assert.deepEqual([...hiddenFields(text)].sort(), [...url.searchParams].sort());
  });

  it('sign in, exchange the code, and use the ID token: the same owner as `npm run token` for that name', async () => {
    const user = 'carol';
    const { location, pending } = await signIn(as, user);
    assert.equal(`${location.origin}${location.pathname}`, 'http://localhost:5173/callback');
    assert.equal(location.searchParams.get('from'), 'app', "the redirect URI's own query is kept");
    assert.match(location.searchParams.get('code') ?? '', /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');
    assert.equal(location.searchParams.get('state'), pending.state);
    assert.equal(location.searchParams.get('iss'), LOCAL_ISSUER);

    // The token response as sent, then as oauth4webapi checks it (nonce included).
    const response = await codeGrant(as, location, pending);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.equal(response.headers.get('pragma'), 'no-cache');
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    const raw = (await response.clone().json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(raw).sort(), ['access_token', 'expires_in', 'id_token', 'scope', 'token_type']);
    assert.equal(raw.token_type, 'Bearer');
    assert.equal(raw.expires_in, 3600);
    assert.equal(raw.scope, 'openid profile');
    const result = await oauth.processAuthorizationCodeResponse(as, client, response, {
      expectedNonce: pending.nonce,
      requireIdToken: true,
    });
    const claims = oauth.getValidatedIdTokenClaims(result);
    assert.ok(claims && result.id_token);
    assert.equal(claims.sub, localSubject(user));
    assert.equal(claims.nonce, pending.nonce);
    assert.equal(claims.preferred_username, user);
    assert.equal(claims.exp - claims.iat, 3600);

    // Signed by the key the discovery document names, as the ID token and an access token.
    const jwks = (await (await fetch(String(as.jwks_uri))).json()) as JSONWebKeySet;
    const keys = createLocalJWKSet(jwks);
    const id = await jwtVerify(result.id_token, keys, { issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE });
    assert.equal(id.payload.token_use, 'id');
    const access = await jwtVerify(result.access_token, keys, { issuer: LOCAL_ISSUER });
    assert.equal(access.payload.token_use, 'access');
    assert.equal(access.payload.client_id, LOCAL_AUDIENCE);
    assert.equal(access.payload.sub, localSubject(user));
    assert.equal(access.payload.aud, undefined);

    // At the API: the ID token, the access token and the issuer's token for the same name are one owner.
    const cli = await system.issueToken(user);
    assert.deepEqual(await todosOf(base, result.id_token), []);
    const mine = await create(base, result.id_token, 'signed in on the page');
    const theirs = await create(base, cli, 'made with npm run token');
    for (const token of [result.id_token, result.access_token, cli]) {
      assert.deepEqual(await todosOf(base, token), [mine, theirs]);
    }
    assert.deepEqual(await todosOf(base, await system.issueToken('someone else')), [], 'nobody else sees them');
  });

  it('without a nonce the ID token has none; only the scopes asked for (and known) are granted', async () => {
    const { location, pending } = await signIn(as, 'dave', { nonce: null, scope: 'openid email' });
    const reply = await tokenRequest(base, goodTokenParameters(location, pending));
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal(reply.body.scope, 'openid');
    const second = await signIn(as, 'dave', { nonce: null });
    const result = await redeem(as, second.location, second.pending, oauth.expectNoNonce);
    assert.equal(oauth.getValidatedIdTokenClaims(result)?.nonce, undefined);
  });
});

// ---- The token endpoint's refusals ----------------------------------------------------------------------------

describe('refused at the token endpoint', () => {
  it('a wrong code_verifier is invalid_grant, and the code is spent by it', async () => {
    const { location, pending } = await signIn(as, 'erin');
    const good = goodTokenParameters(location, pending);
    const wrong = await tokenRequest(base, { ...good, code_verifier: oauth.generateRandomCodeVerifier() });
    assertTokenError(wrong, 'invalid_grant', 'wrong verifier');
    assertTokenError(await tokenRequest(base, good), 'invalid_grant', 'the right verifier after a wrong one');
  });

  it('a code used twice is invalid_grant the second time', async () => {
    const { location, pending } = await signIn(as, 'erin');
    const good = goodTokenParameters(location, pending);
    const first = await tokenRequest(base, good);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assertTokenError(await tokenRequest(base, good), 'invalid_grant', 'reused code');
  });

  it("a redirect_uri other than the authorization request's is invalid_grant, and spends the code", async () => {
    const { location, pending } = await signIn(as, 'erin');
    const good = goodTokenParameters(location, pending);
    for (const redirectUri of ['http://localhost:5173/callback', 'http://localhost:5173/callback?from=evil']) {
      const { location: other, pending: otherPending } = await signIn(as, 'erin');
      const reply = await tokenRequest(base, {
        ...goodTokenParameters(other, otherPending),
        redirect_uri: redirectUri,
      });
      assertTokenError(reply, 'invalid_grant', redirectUri);
    }
    assertTokenError(
      await tokenRequest(base, { ...good, redirect_uri: 'http://localhost:5173/other' }),
      'invalid_grant',
      'wrong redirect_uri',
    );
    assertTokenError(await tokenRequest(base, good), 'invalid_grant', 'the right redirect_uri after a wrong one');
  });

  it('a malformed or foreign request is refused by its RFC 6749 error, and still spends the code it names', async () => {
    const { location, pending } = await signIn(as, 'erin');
    const good = goodTokenParameters(location, pending);
    const { code: _code, ...withoutCode } = good;
    const cases: Array<[string, Record<string, string> | string, string, string?]> = [
      ['another client', { ...good, client_id: 'other-client' }, 'invalid_client'],
      ['no client_id', { ...good, client_id: '' }, 'invalid_client'],
      ['another grant type', { ...good, grant_type: 'refresh_token' }, 'unsupported_grant_type'],
      ['no grant type', { ...good, grant_type: '' }, 'invalid_request'],
      ['no code', withoutCode, 'invalid_request'],
      ['no code_verifier', { ...good, code_verifier: '' }, 'invalid_request'],
      ['a code_verifier too short', { ...good, code_verifier: 'a'.repeat(42) }, 'invalid_request'],
      ['a code_verifier too long', { ...good, code_verifier: 'a'.repeat(129) }, 'invalid_request'],
      ['a code sent twice', `${new URLSearchParams(good)}&code=again`, 'invalid_request'],
      ['an unknown code', { ...good, code: 'A'.repeat(43) }, 'invalid_grant'],
      ['JSON instead of a form', JSON.stringify(good), 'invalid_request', 'application/json'],
    ];
    for (const [what, parameters, error, contentType] of cases) {
      assertTokenError(await tokenRequest(base, parameters, contentType), error, what);
    }
    // The first of them named the code: it is gone.
    assertTokenError(await tokenRequest(base, good), 'invalid_grant', 'after a refused request named the code');
  });
});

// ---- The authorization endpoint's refusals --------------------------------------------------------------------

describe('refused at the authorization endpoint', () => {
  it('an unknown client, or a redirect_uri that is not on this machine, is a 400 page and never a redirect', async () => {
    const cases: Array<[string, Record<string, string | null>, RegExp]> = [
      ['another client_id', { client_id: 'other-client' }, /client_id &#34;other-client&#34; is unknown/],
      ['no client_id', { client_id: null }, /client_id is missing/],
      ['no redirect_uri', { redirect_uri: null }, /redirect_uri is missing/],
      ['another host', { redirect_uri: 'https://evil.example/callback' }, /must lead to this machine/],
      ['a host that starts like localhost', { redirect_uri: 'http://localhost.evil.example/' }, /this machine/],
      ['a relative redirect_uri', { redirect_uri: '/callback' }, /absolute http or https URL/],
      ['another scheme', { redirect_uri: 'javascript:alert(1)//localhost' }, /absolute http or https URL/],
      ['a fragment', { redirect_uri: 'http://localhost:5173/callback#x' }, /fragment/],
      ['an empty fragment', { redirect_uri: 'http://localhost:5173/callback#' }, /fragment/],
    ];
    for (const [what, changes, reason] of cases) {
      const { url } = await authorizationRequest(as, changes);
      const page = await fetchPage(url);
      assertRefusalPage(page, what);
      assert.match(page.text, reason, what);
    }
    // The same parameter twice names no one client or redirect URI.
    const { url } = await authorizationRequest(as);
    url.searchParams.append('redirect_uri', 'https://evil.example/');
    assertRefusalPage(await fetchPage(url), 'redirect_uri twice');
  });

  it('a redirect_uri on a loopback address, or on the Host the request was sent to, is accepted', async () => {
    for (const redirectUri of ['http://127.0.0.1:9/cb', 'http://[::1]:9/cb', 'https://localhost/cb']) {
      const { url } = await authorizationRequest(as, { redirect_uri: redirectUri });
      const page = await fetchPage(url);
      assert.equal(page.status, 200, `${redirectUri}: ${page.text}`);
    }
    const { url } = await authorizationRequest(as, { redirect_uri: 'http://todo.test:3000/' });
    const own = await getWithHost(base, `${url.pathname}${url.search}`, 'todo.test:3000');
    assert.equal(own.status, 200, own.text);
    assert.match(own.headers.get('content-security-policy') ?? '', /form-action 'self' http:\/\/todo\.test:3000;/);
    const elsewhere = await getWithHost(base, `${url.pathname}${url.search}`, 'todo.test:3001');
    assertRefusalPage(elsewhere, 'another port of that host');
  });

  it('any other error goes back to the client: error, error_description, state and iss, no code', async () => {
    const cases: Array<[string, Record<string, string | null>, string]> = [
      ['no code_challenge', { code_challenge: null }, 'invalid_request'],
      ['a code_challenge too short', { code_challenge: 'a'.repeat(42) }, 'invalid_request'],
      ['a code_challenge with other characters', { code_challenge: `${'a'.repeat(42)}+` }, 'invalid_request'],
      ['no code_challenge_method', { code_challenge_method: null }, 'invalid_request'],
      ['plain PKCE', { code_challenge_method: 'plain' }, 'invalid_request'],
      ['response_type token', { response_type: 'token' }, 'unsupported_response_type'],
      ['no response_type', { response_type: null }, 'invalid_request'],
      ['a scope without openid', { scope: 'profile' }, 'invalid_scope'],
      ['no scope', { scope: null }, 'invalid_scope'],
      ['response_mode fragment', { response_mode: 'fragment' }, 'invalid_request'],
      ['prompt none', { prompt: 'none' }, 'login_required'],
    ];
    for (const [what, changes, error] of cases) {
      const { url, pending } = await authorizationRequest(as, changes);
      const page = await fetchPage(url);
      assert.equal(page.status, 302, `${what}: ${page.text}`);
      const location = new URL(page.headers.get('location') ?? '');
      assert.equal(`${location.origin}${location.pathname}`, 'http://localhost:5173/callback', what);
      assert.equal(location.searchParams.get('from'), 'app', what);
      assert.equal(location.searchParams.get('error'), error, what);
      assert.ok((location.searchParams.get('error_description') ?? '').length > 0, what);
      assert.equal(location.searchParams.get('state'), pending.state, what);
      assert.equal(location.searchParams.get('iss'), LOCAL_ISSUER, what);
      assert.equal(location.searchParams.get('code'), null, what);
      // As the web page's oauth4webapi reads it.
      assert.throws(
        () => oauth.validateAuthResponse(as, client, location, pending.state),
        (thrown: unknown) => thrown instanceof oauth.AuthorizationResponseError && thrown.error === error,
        what,
      );
    }
  });

  it('the posted form is checked again: a changed request is refused as it would be on the page', async () => {
    const { url } = await authorizationRequest(as);
    const fields = hiddenFields((await fetchPage(url)).text);
    const without = new URLSearchParams(fields);
    without.delete('code_challenge');
    const back = await submit(base, without, 'mallory');
    assert.equal(back.status, 303, back.text);
    const location = new URL(back.headers.get('location') ?? '');
    assert.equal(location.searchParams.get('error'), 'invalid_request');
    assert.equal(location.searchParams.get('code'), null);
    for (const [name, value] of [
      ['redirect_uri', 'https://evil.example/'],
      ['client_id', 'other-client'],
    ]) {
      const changed = new URLSearchParams(fields);
      changed.set(String(name), String(value));
      assertRefusalPage(await submit(base, changed, 'mallory'), `${name} changed in the form`);
    }
  });

  it('the user name is trimmed, 1 to 64 characters, without control characters; otherwise the form again, 400', async () => {
    const { url } = await authorizationRequest(as);
    const fields = hiddenFields((await fetchPage(url)).text);
    const refused: Array<[string, string | undefined, string]> = [
      ['missing', undefined, 'Enter a user name.'],
      ['empty', '', 'Enter a user name.'],
      ['blank', ' \t ', 'Enter a user name.'],
      ['65 characters', 'x'.repeat(65), 'A user name has at most 64 characters.'],
      ['a control character', 'al\u0007ice', 'A user name cannot contain control characters.'],
      ['a newline inside', 'al\nice', 'A user name cannot contain control characters.'],
    ];
    for (const [what, user, message] of refused) {
      const page = await submit(base, fields, user);
      assert.equal(page.status, 400, `${what}: ${page.text}`);
      assert.equal(page.headers.get('location'), null, what);
      assert.ok(page.text.includes(`role="alert">${message}</p>`), `${what}: ${message}`);
      assert.match(page.text, /aria-invalid="true"/, what);
      assert.deepEqual([...hiddenFields(page.text)], [...fields], `${what}: the request is carried on`);
      assert.equal(shownUser(page.text), user ?? '', `${what}: the name typed is shown again`);
    }
    const twice = new URLSearchParams(fields);
    twice.append('user', 'alice');
    twice.append('user', 'bob');
    const two = await submit(base, twice);
    assert.equal(two.status, 400, two.text);
    assert.ok(two.text.includes('role="alert">Send one user name.</p>'), two.text);

    // At the limits: 64 characters (not UTF-16 units) after trimming.
    for (const user of [`  ${'é'.repeat(64)}  `, `${'😀'.repeat(64)}`, 'a']) {
      const { location, pending } = await signIn(as, user);
      const result = await redeem(as, location, pending);
      assert.equal(oauth.getValidatedIdTokenClaims(result)?.sub, localSubject(user.trim()), user);
    }
  });

  it('what the pages echo is escaped: state, nonce and the user name', async () => {
    const state = `"><script>alert(1)</script>`;
    const nonce = `'><img src=x onerror=alert(2)>`;
    const { url, pending } = await authorizationRequest(as, { state, nonce });
    const page = await fetchPage(url);
    assert.equal(page.status, 200, page.text);
    assert.ok(!page.text.includes('<script') && !page.text.includes('<img'), page.text);
    const fields = hiddenFields(page.text);
    assert.equal(fields.get('state'), state);
    assert.equal(fields.get('nonce'), nonce);

    const hostile = '<script>alert(3)</script>\u0001';
    const again = await submit(base, fields, hostile);
    assert.equal(again.status, 400, again.text);
    assert.ok(!again.text.includes('<script'), again.text);
    assert.equal(shownUser(again.text), hostile);

    const user = '<b>bob</b> & "co"';
    const back = await submit(base, fields, user);
    assert.equal(back.status, 303, back.text);
    const location = new URL(back.headers.get('location') ?? '');
    assert.equal(location.searchParams.get('state'), state);
    const result = await redeem(as, location, pending);
    const claims = oauth.getValidatedIdTokenClaims(result);
    assert.equal(claims?.preferred_username, user);
    assert.equal(claims?.nonce, nonce);
    // Refusal pages too.
    const refused = await fetchPage((await authorizationRequest(as, { client_id: '<script>x</script>' })).url);
    assertRefusalPage(refused, 'a hostile client_id');
    assert.ok(!refused.text.includes('<script'), refused.text);
  });

  it('a form over 16 KiB is 413, one that is not form-encoded 415; neither redirects', async () => {
    const { url } = await authorizationRequest(as);
    const fields = hiddenFields((await fetchPage(url)).text);
    const big = new URLSearchParams(fields);
    big.set('padding', 'x'.repeat(16 * 1024));
    assertRefusalPage(await submit(base, big, 'alice'), 'a large form', 413);
    const json = await fetchPage(`${base}/oauth2/authorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(Object.fromEntries(fields)),
    });
    assertRefusalPage(json, 'JSON', 415);
    // The server is still well.
    const { location, pending } = await signIn(as, 'alice');
    assert.ok((await redeem(as, location, pending)).id_token);
  });
});

// ---- A code's lifetime, on a clock of the test's ---------------------------------------------------------------

describe("a code's lifetime and the number of codes waiting (the provider alone, on the test's clock)", () => {
  let clock = Date.now();
  let server: Server;
  let origin: string;
  let provider: oauth.AuthorizationServer;
  const faults: string[] = [];

  before(async () => {
    const key = await loadSigningKey();
    const routes = createOidcProvider({
      key,
      ownUrl: () => origin,
      log: (line) => faults.push(line),
      now: () => clock,
    });
    server = createServer((req, res) => {
      if (!routes(req, res)) res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    provider = await discover(origin);
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    assert.deepEqual(faults, [], 'no faults');
  });

  it('a code is good until 60 s after it was issued, not from then on', async () => {
    const early = await signIn(provider, 'frank');
    clock += 59_999;
    assert.ok((await redeem(provider, early.location, early.pending)).id_token, 'just in time');

    const late = await signIn(provider, 'frank');
    clock += 60_000;
    const reply = await tokenRequest(origin, goodTokenParameters(late.location, late.pending));
    assertTokenError(reply, 'invalid_grant', 'expired');
  });

  it('at most 1000 codes wait: the 1001st drops the oldest', async () => {
    const { url, pending } = await authorizationRequest(provider);
    const fields = hiddenFields((await fetchPage(url)).text);
    const codes: string[] = [];
    for (let i = 0; i < 1001; i++) {
      const back = await submit(origin, fields, 'grace');
      codes.push(new URL(back.headers.get('location') ?? '').searchParams.get('code') ?? '');
    }
    assert.equal(new Set(codes).size, 1001, 'every code is new');
    const redeemCode = (code: string) =>
      tokenRequest(origin, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: pending.redirectUri,
        client_id: LOCAL_AUDIENCE,
        code_verifier: pending.verifier,
      });
    assertTokenError(await redeemCode(codes[0] ?? ''), 'invalid_grant', 'the oldest');
    for (const code of [codes[1], codes[1000]]) assert.equal((await redeemCode(code ?? '')).status, 200);
  });
});

// ---- npm start ------------------------------------------------------------------------------------------------

describe('npm start', () => {
  it('the functions are told where the local discovery document is, with AUTH_MODE=oidc only', () => {
    assert.equal(process.env.OIDC_DISCOVERY_URL, '/.well-known/openid-configuration', "this file's running system");
    assert.equal(
      lambdaEnvironment(loadLocalModel('oidc'), 'http://x').OIDC_DISCOVERY_URL,
      '/.well-known/openid-configuration',
    );
    assert.equal(lambdaEnvironment(loadLocalModel('none'), 'http://x').OIDC_DISCOVERY_URL, undefined);
  });

  it('AUTH_MODE=none: the banner sends you to the page without sign-in, and the sign-in paths are 404', async () => {
    const cli = start(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
      PORT: '0',
      DYNAMODB_PORT: '0',
      DATA_DIR: await freshDataDir(),
      AUTH_MODE: 'none',
    });
    const url = await listeningUrl(cli, START_DEADLINE_MS, 'the CLI');
    assert.ok(cli.stdout().includes(`Web app: open ${url}/ in a browser (no sign-in).`), cli.stdout());
    assert.ok(!/sign in with/i.test(cli.stdout()), cli.stdout());
    const { url: authorize } = await authorizationRequest({
      issuer: LOCAL_ISSUER,
      authorization_endpoint: `${url}/oauth2/authorize`,
    });
    const requests: Array<[string, string, RequestInit]> = [
      ['GET', '/.well-known/openid-configuration', {}],
      ['GET', `${authorize.pathname}${authorize.search}`, {}],
      ['POST', '/oauth2/authorize', { body: new URLSearchParams({ user: 'alice' }) }],
      ['POST', '/oauth2/token', { body: new URLSearchParams({ grant_type: 'authorization_code', code: 'x' }) }],
      ['GET', '/oauth2/nope', {}],
    ];
    for (const [method, path, init] of requests) {
      const page = await fetchPage(`${url}${path}`, { method, ...init });
      assert.equal(page.status, 404, `${method} ${path}: ${page.text}`);
      assert.deepEqual(JSON.parse(page.text), { message: 'Not Found' }, `${method} ${path}`);
    }
    await interrupt(cli, EXIT_DEADLINE_MS, 'the CLI');
  });

  it('AUTH_MODE=oidc: the banner says where to sign in; a sign-in there and `npm run token` are one owner', async () => {
    const dataDir = await freshDataDir();
    const cli = start(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
      PORT: '0',
      DYNAMODB_PORT: '0',
      DATA_DIR: dataDir,
    });
    const url = await listeningUrl(cli, START_DEADLINE_MS, 'the CLI');
    const banner = cli.stdout();
    assert.ok(
      banner.includes(`Web app: open ${url}/ in a browser, and sign in with any user name on the local sign-in page.`),
      banner,
    );
    assert.ok(banner.includes(`/todos`) && banner.includes('npm run -s token -- alice'), 'the curl hint is kept');

    const server = await discover(url);
    const { location, pending } = await signIn(server, 'heidi');
    const idToken = (await redeem(server, location, pending)).id_token;
    assert.ok(idToken);
    const token = await run(
      process.execPath,
      ['--import', 'tsx', 'local/token.ts', 'heidi'],
      { DATA_DIR: dataDir },
      30_000,
    );
    assert.equal(token.code, 0, token.stderr);
    const cliToken = token.stdout.trim();
    const mine = await create(url, idToken, 'from the page');
    const theirs = await create(url, cliToken, 'from curl');
    assert.deepEqual(await todosOf(url, cliToken), [mine, theirs]);
    assert.deepEqual(await todosOf(url, idToken), [mine, theirs]);
    await interrupt(cli, EXIT_DEADLINE_MS, 'the CLI');
  });
});
