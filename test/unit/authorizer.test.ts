/**
 * The local JWT authorizer (local/authorizer.ts) against what API Gateway's HTTP API JWT authorizer accepts and
 * refuses: RS256 only, the key chosen by `kid`, `iss`, `aud` (or `client_id` when there is no `aud`), `exp`, `nbf`,
 * `iat`. Every refusal says why (the gateway turns it into the 401, and logs the reason for the developer).
 */
import assert from 'node:assert/strict';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { afterEach, before, describe, it, mock } from 'node:test';
import {
  type CryptoKey,
  createLocalJWKSet,
  exportJWK,
  exportPKCS8,
  exportSPKI,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
  SignJWT,
} from 'jose';
import { type Authorize, createJwtAuthorizer, type JwtContext } from '../../local/authorizer.js';
import { b64url, compact, hs256, rs256 as rs256By, unsigned, withClaimsChanged } from '../support/jwt.js';

const ISSUER = 'https://issuer.example.test/pool-1';
const AUDIENCE = 'client-one';
const OTHER_ALLOWED_AUDIENCE = 'client-two';
const KID = 'key-2026-01';
const SUB = '3f0c2d9e-7b1a-4c55-9e0f-1a2b3c4d5e6f';

interface Keys {
  privateKey: CryptoKey;
  /** The same private key as a node:crypto KeyObject, to sign tokens by hand. */
  privateKeyObject: KeyObject;
  publicJwk: JWK;
  publicPem: string;
}

let keys: Keys;
let foreign: Keys;
let authorize: Authorize;

async function rsaKeys(kid: string): Promise<Keys> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return {
    privateKey,
    privateKeyObject: createPrivateKey(await exportPKCS8(privateKey)),
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' },
    publicPem: await exportSPKI(publicKey),
  };
}

before(async () => {
  keys = await rsaKeys(KID);
  foreign = await rsaKeys(KID);
  authorize = createJwtAuthorizer({
    identitySource: ['$request.header.Authorization'],
    issuer: ISSUER,
    audience: [AUDIENCE, OTHER_ALLOWED_AUDIENCE],
    keys: createLocalJWKSet({ keys: [keys.publicJwk] }),
  });
});

const now = () => Math.floor(Date.now() / 1000);

/** Valid claims, with `changes` applied; a change to `undefined` removes the claim. */
function claims(changes: Record<string, unknown> = {}): JWTPayload {
  const t = now();
  const all: Record<string, unknown> = { sub: SUB, iss: ISSUER, aud: AUDIENCE, iat: t, exp: t + 600, ...changes };
  return Object.fromEntries(Object.entries(all).filter(([, value]) => value !== undefined)) as JWTPayload;
}

/** A token signed with jose, RS256 by default, with the test key and its kid unless told otherwise. */
function signed(
  payload: JWTPayload = claims(),
  options: { key?: CryptoKey | KeyObject; header?: Record<string, unknown> } = {},
): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', kid: KID, typ: 'JWT', ...options.header })
    .sign(options.key ?? keys.privateKey);
}

/** An RS256 signature by the test key. */
const rs256 = (input: string) => rs256By(keys.privateKeyObject)(input);

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function accepted(headers: Record<string, string>): Promise<JwtContext> {
  const result = await authorize(headers);
  assert.ok(
    'jwt' in result,
    `expected the token to be accepted: ${JSON.stringify(headers)}, got ${JSON.stringify(result)}`,
  );
  return result.jwt;
}

/** A readable account of what was sent: the header and payload of a token rather than its bytes. */
function describeHeaders(headers: Record<string, string>): string {
  const value = headers.authorization ?? '';
  const [header, payload] = value.replace(/^\s*bearer\s+/i, '').split('.');
  const decode = (part: string | undefined) => {
    try {
      return JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as unknown;
    } catch {
      return part;
    }
  };
  return JSON.stringify({ headers: Object.keys(headers), header: decode(header), payload: decode(payload) });
}

/** The request is refused, for a reason that matches `why` when given. */
async function refused(headers: Record<string, string>, why?: RegExp): Promise<void> {
  const result = await authorize(headers);
  assert.ok('refused' in result, `expected a refusal for ${describeHeaders(headers)}`);
  if (why) assert.match(result.refused, why);
}

describe('a valid RS256 token', () => {
  it('is accepted: claims as strings (arrays as "[a b]"), no scope → scopes null', async () => {
    const payload = claims({
      'cognito:groups': ['admins', 'editors'],
      email_verified: true,
      auth_time: 1_700_000_000,
      token_use: 'id',
    });
    const context = await accepted(bearer(await signed(payload)));
    for (const [name, value] of Object.entries(context.claims)) {
      assert.equal(typeof value, 'string', `claim ${name} is a string, got ${JSON.stringify(value)}`);
    }
    assert.equal(context.claims.sub, SUB);
    assert.equal(context.claims.iss, ISSUER);
    assert.equal(context.claims.aud, AUDIENCE);
    assert.equal(context.claims.token_use, 'id');
    assert.equal(context.claims['cognito:groups'], '[admins editors]');
    assert.equal(context.claims.email_verified, 'true');
    assert.equal(context.claims.auth_time, '1700000000');
    assert.equal(context.claims.exp, String(payload.exp));
    assert.equal(context.claims.iat, String(payload.iat));
    assert.deepEqual(Object.keys(context.claims).sort(), Object.keys(payload).sort());
    assert.equal(context.scopes, null);
  });

  it('scopes come from the `scope` claim', async () => {
    const context = await accepted(bearer(await signed(claims({ scope: 'todos/read  todos/write' }))));
    assert.deepEqual(context.scopes, ['todos/read', 'todos/write']);
    assert.equal(context.claims.scope, 'todos/read  todos/write');
  });

  it('an `aud` list is accepted when one entry is allowed', async () => {
    const context = await accepted(bearer(await signed(claims({ aud: ['someone-else', OTHER_ALLOWED_AUDIENCE] }))));
    assert.equal(context.claims.aud, `[someone-else ${OTHER_ALLOWED_AUDIENCE}]`);
  });

  it('is accepted with or without the Bearer prefix, in any case (as API Gateway does)', async () => {
    const token = await signed();
    for (const value of [`Bearer ${token}`, token, `bearer ${token}`, `BEARER ${token}`, `  Bearer   ${token}  `]) {
      const context = await accepted({ authorization: value });
      assert.equal(context.claims.sub, SUB, value);
    }
  });

  it('a token signed by hand (the forgery helpers) with the right key is accepted', async () => {
    // The control for the hand-built forgeries below: the helper itself produces valid tokens.
    const token = compact({ alg: 'RS256', kid: KID, typ: 'JWT' }, claims(), rs256);
    assert.equal((await accepted(bearer(token))).claims.sub, SUB);
  });

  it('no `aud` but a matching `client_id` is accepted (Cognito access tokens)', async () => {
    const payload = claims({ aud: undefined, client_id: AUDIENCE, token_use: 'access', scope: 'openid' });
    const context = await accepted(bearer(await signed(payload)));
    assert.equal(context.claims.client_id, AUDIENCE);
    assert.equal(context.claims.aud, undefined);
    assert.deepEqual(context.scopes, ['openid']);
  });
});

describe('refused: no usable token', () => {
  const cases: Array<[string, Record<string, string>]> = [
    ['no Authorization header', {}],
    ['the token in another header', { 'x-authorization': 'Bearer abc.def.ghi' }],
    ['an empty header', { authorization: '' }],
    ['blanks only', { authorization: '   ' }],
    ['"Bearer" alone', { authorization: 'Bearer' }],
    ['"Bearer " and nothing', { authorization: 'Bearer ' }],
    ['garbage', { authorization: 'Bearer not-a-jwt' }],
    ['three parts of garbage', { authorization: 'Bearer aaa.bbb.ccc' }],
    ['two tokens', { authorization: 'Bearer a.b.c d.e.f' }],
    ['Basic credentials', { authorization: `Basic ${Buffer.from('alice:secret').toString('base64')}` }],
  ];
  for (const [what, headers] of cases) {
    it(what, async () => {
      await refused(headers);
    });
  }
});

describe('refused: forged or tampered tokens', () => {
  it('alg none (unsigned)', async () => {
    await refused(bearer(compact({ alg: 'none', typ: 'JWT' }, claims(), unsigned)));
    await refused(bearer(compact({ alg: 'none', kid: KID, typ: 'JWT' }, claims(), unsigned)));
    await refused(bearer(compact({ alg: 'None', kid: KID }, claims(), unsigned)));
  });

  it('HS256 signed with the public key (PEM) as the HMAC secret, same kid', async () => {
    await refused(
      bearer(compact({ alg: 'HS256', kid: KID, typ: 'JWT' }, claims(), hs256(keys.publicPem))),
      /algorithm not allowed/,
    );
    await refused(bearer(compact({ alg: 'HS256', kid: KID, typ: 'JWT' }, claims(), hs256(keys.publicPem.trim()))));
  });

  it('HS256 signed with the JWK `n` (text and bytes) as the HMAC secret, same kid', async () => {
    const n = keys.publicJwk.n;
    assert.ok(typeof n === 'string' && n.length > 0, 'the public JWK has a modulus');
    await refused(bearer(compact({ alg: 'HS256', kid: KID, typ: 'JWT' }, claims(), hs256(n))));
    await refused(
      bearer(compact({ alg: 'HS256', kid: KID, typ: 'JWT' }, claims(), hs256(Buffer.from(n, 'base64url')))),
    );
  });

  it('payload changed after signing (another sub, same signature)', async () => {
    const token = await signed();
    await refused(bearer(withClaimsChanged(token, { sub: 'mallory' })), /^bad signature$/);
    // And the untouched token is fine, even taken apart and put together again: the change alone is refused.
    await accepted(bearer(token));
    await accepted(bearer(withClaimsChanged(token, {})));
  });

  it('header changed after signing (same alg and kid, another typ; same signature)', async () => {
    const token = await signed();
    const [, payload, signature] = token.split('.');
    const header = b64url(JSON.stringify({ alg: 'RS256', kid: KID, typ: 'at+jwt' }));
    await refused(bearer(`${header}.${payload}.${signature}`));
  });

  it('signature removed or altered', async () => {
    const token = await signed();
    const [header, payload, signature] = token.split('.');
    assert.ok(signature);
    await refused(bearer(`${header}.${payload}.`));
    await refused(bearer(`${header}.${payload}`), /^not a well-formed JWT$/);
    const flipped = Buffer.from(signature, 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    await refused(bearer(`${header}.${payload}.${flipped.toString('base64url')}`));
  });

  it('signed by a different RSA key carrying the same kid (foreign key)', async () => {
    await refused(bearer(await signed(claims(), { key: foreign.privateKey })), /^bad signature$/);
  });

  it('an unknown kid, even with the right signature', async () => {
    await refused(
      bearer(await signed(claims(), { header: { kid: 'unknown-key' } })),
      /a key this issuer does not have/,
    );
  });

  it('no kid at all (API Gateway: the token must name the key that signed it)', async () => {
    const token = compact({ alg: 'RS256', typ: 'JWT' }, claims(), rs256);
    await refused(bearer(token), /^the token names no key \(kid\)$/);
  });

  it('an RS256 signature whose header says RS384, RS512, PS256 or ES256', async () => {
    for (const alg of ['RS384', 'RS512', 'PS256', 'ES256', 'HS256']) {
      await refused(bearer(compact({ alg, kid: KID, typ: 'JWT' }, claims(), rs256)));
    }
  });

  it('genuine RS384 / PS256 signatures by the right key (only RS256 is allowed)', async () => {
    for (const alg of ['RS384', 'PS256']) {
      const token = await signed(claims(), { key: keys.privateKeyObject, header: { alg } });
      await refused(bearer(token));
    }
  });

  it('a genuine ES256 token carrying the kid', async () => {
    const ec = await generateKeyPair('ES256');
    await refused(bearer(await signed(claims(), { key: ec.privateKey, header: { alg: 'ES256' } })));
  });
});

describe('refused: claims', () => {
  it('expired (exp in the past)', async () => {
    await refused(bearer(await signed(claims({ iat: now() - 3600, exp: now() - 60 }))), /^token expired at \d{4}-/);
  });

  it('exp is the current second (a token is valid strictly before its exp)', async () => {
    await refused(bearer(await signed(claims({ iat: now() - 3600, exp: now() }))));
  });

  it('missing exp', async () => {
    await refused(bearer(await signed(claims({ exp: undefined }))));
  });

  it('exp that is not a number', async () => {
    await refused(bearer(await signed(claims({ exp: String(now() + 600) }))));
  });

  it('nbf in the future', async () => {
    await refused(bearer(await signed(claims({ nbf: now() + 600 }))), /not valid yet/);
  });

  it('iat in the future', async () => {
    await refused(bearer(await signed(claims({ iat: now() + 600 }))), /issued in the future/);
  });

  it('nbf and iat in the past are fine', async () => {
    await accepted(bearer(await signed(claims({ nbf: now() - 60, iat: now() - 60 }))));
  });

  it('wrong iss, or none', async () => {
    await refused(
      bearer(await signed(claims({ iss: 'https://evil.example' }))),
      /^wrong issuer "https:\/\/evil\.example"/,
    );
    await refused(bearer(await signed(claims({ iss: `${ISSUER}/` }))));
    await refused(bearer(await signed(claims({ iss: undefined }))));
  });

  it('wrong aud', async () => {
    await refused(bearer(await signed(claims({ aud: 'someone-else' }))), /^wrong audience "someone-else" \(expected /);
    await refused(bearer(await signed(claims({ aud: ['someone-else', 'another'] }))));
    await refused(bearer(await signed(claims({ aud: [] }))));
  });

  it('no aud and no client_id, or a client_id that is not allowed', async () => {
    await refused(bearer(await signed(claims({ aud: undefined }))));
    await refused(bearer(await signed(claims({ aud: undefined, client_id: 'someone-else' }))));
  });

  it('a wrong aud is not rescued by a matching client_id (API Gateway reads client_id only without aud)', async () => {
    await refused(bearer(await signed(claims({ aud: 'someone-else', client_id: AUDIENCE }))));
  });
});

describe('configuration', () => {
  it('reads the header named by the identity source, whatever its case', async () => {
    const custom = createJwtAuthorizer({
      identitySource: ['$request.header.X-Api-Token'],
      issuer: ISSUER,
      audience: [AUDIENCE],
      keys: createLocalJWKSet({ keys: [keys.publicJwk] }),
    });
    const token = await signed();
    const found = await custom({ 'x-api-token': token });
    assert.equal('jwt' in found && found.jwt.claims.sub, SUB);
    assert.deepEqual(await custom({ authorization: `Bearer ${token}` }), {
      refused: 'no token (send X-Api-Token: Bearer <token>)',
    });
  });

  it('an identity source that is not a header is a configuration error', async () => {
    const wrong = createJwtAuthorizer({
      identitySource: ['$request.querystring.token'],
      issuer: ISSUER,
      audience: [AUDIENCE],
      keys: createLocalJWKSet({ keys: [keys.publicJwk] }),
    });
    await assert.rejects(wrong({ authorization: `Bearer ${await signed()}` }), /identity source/i);
  });
});

describe('accepted tokens are remembered, never past their validity', () => {
  /** An authorizer whose key lookups are counted: each lookup is one full check of a token's signature. */
  function counting(maxCachedTokens?: number) {
    const jwks = createLocalJWKSet({ keys: [keys.publicJwk] });
    const counter = { checks: 0 };
    const lookUp: JWTVerifyGetKey = (header, token) => {
      counter.checks++;
      return jwks(header, token);
    };
    const check = createJwtAuthorizer({
      identitySource: ['$request.header.Authorization'],
      issuer: ISSUER,
      audience: [AUDIENCE],
      keys: lookUp,
      ...(maxCachedTokens === undefined ? {} : { maxCachedTokens }),
    });
    const sub = async (token: string) => {
      const result = await check(bearer(token));
      return 'jwt' in result ? (result.jwt.claims.sub ?? '(no sub)') : result.refused;
    };
    return { check, counter, sub };
  }

  afterEach(() => mock.timers.reset());

  it('the same token again is answered without checking its signature again, with the same claims', async () => {
    const { check, counter } = counting();
    const token = await signed(claims({ scope: 'a b' }));
    const first = await check(bearer(token));
    const again = await check({ authorization: token });
    assert.equal(counter.checks, 1, 'checked once');
    assert.deepEqual(again, first);
    // Another token (even of the same user) is checked on its own.
    await check(bearer(await signed(claims({ scope: 'a b', jti: 'other' }))));
    assert.equal(counter.checks, 2);
  });

  it('each request gets its own copy of the claims: what one handler changes, the next one does not see', async () => {
    const { check } = counting();
    const token = await signed(claims({ scope: 'a b' }));
    // The first answer (checked), then the remembered one, each changed by the request it went to.
    for (let request = 1; request <= 3; request++) {
      const result = await check(bearer(token));
      assert.ok('jwt' in result);
      assert.equal(result.jwt.claims.sub, SUB, `request ${request}`);
      assert.deepEqual(result.jwt.scopes, ['a', 'b'], `request ${request}`);
      result.jwt.claims.sub = 'changed';
      result.jwt.scopes?.push('admin');
    }
  });

  it('a remembered token is refused from its exp on, as if it had never been seen', async () => {
    const start = Date.now();
    const exp = now() + 60;
    const token = await signed(claims({ iat: now() - 10, exp }));
    const { counter, sub } = counting();
    mock.timers.enable({ apis: ['Date'], now: start });
    assert.equal(await sub(token), SUB);
    // In the last millisecond before exp: still remembered, no new check.
    mock.timers.setTime(exp * 1000 - 1);
    assert.equal(await sub(token), SUB);
    assert.equal(counter.checks, 1);
    // At exp: refused, with the reason a fresh check gives.
    mock.timers.setTime(exp * 1000);
    assert.match(await sub(token), /^token expired at /);
    assert.equal(counter.checks, 2, 'checked again');
  });

  it('a remembered token is refused while the clock is before its nbf (or its iat)', async () => {
    const start = Date.now();
    const token = await signed(claims({ nbf: now(), iat: now() }));
    const { sub } = counting();
    mock.timers.enable({ apis: ['Date'], now: start });
    assert.equal(await sub(token), SUB);
    // The clock set back (a VM resumed, an NTP correction) before the token's nbf: not valid yet.
    mock.timers.setTime(start - 120_000);
    assert.match(await sub(token), /not valid yet/);
    mock.timers.setTime(start);
    assert.equal(await sub(token), SUB);
  });

  it('a refused token is not remembered: it is checked, and refused, every time', async () => {
    const { counter, sub } = counting();
    const foreignToken = await signed(claims(), { key: foreign.privateKey });
    assert.match(await sub(foreignToken), /signature/);
    assert.match(await sub(foreignToken), /signature/);
    assert.equal(counter.checks, 2);
  });

  it('remembers at most maxCachedTokens tokens, forgetting the one used longest ago', async () => {
    const { counter, sub } = counting(2);
    const a = await signed(claims({ jti: 'a' }));
    const b = await signed(claims({ jti: 'b' }));
    const c = await signed(claims({ jti: 'c' }));
    for (const token of [a, b, c]) assert.equal(await sub(token), SUB);
    assert.equal(counter.checks, 3);
    // b and c are remembered; a was forgotten to make room for c.
    assert.equal(await sub(c), SUB);
    assert.equal(await sub(b), SUB);
    assert.equal(counter.checks, 3, 'b and c remembered');
    assert.equal(await sub(a), SUB);
    assert.equal(counter.checks, 4, 'a checked again');
    // a took the place of c, the one used longest ago: b is still remembered.
    assert.equal(await sub(b), SUB);
    assert.equal(counter.checks, 4);
    assert.equal(await sub(c), SUB);
    assert.equal(counter.checks, 5);
  });

  it('maxCachedTokens 0 checks every token every time', async () => {
    const { counter, sub } = counting(0);
    const token = await signed();
    await sub(token);
    await sub(token);
    assert.equal(counter.checks, 2);
  });
});
