/**
 * Authentication end to end (AUTH_MODE=oidc with the local issuer, the default): each caller sees only their own
 * todos, the owner cannot be chosen by the client, and every forged or unusable token is API Gateway's plain 401 (the
 * handler never runs).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader, exportSPKI, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from '../../local/issuer.js';
import { JWKS_PATH, type LocalSystem } from '../../local/server.js';
import { b64url, compact, hs256, unsigned, withClaimsChanged } from '../support/jwt.js';
import {
  assertFieldError,
  assertNoRoute,
  assertProblem,
  asTodo,
  asTodoList,
  type CallOptions,
  call,
  isRecord,
  jsonBody,
  listAll,
  nextLink,
  type Reply,
  rawCall,
  type Todo,
  useLocalSystem,
} from './support.js';

const ORIGIN = 'https://app.example.com';
const NEVER_EXISTED = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

let system: LocalSystem;
let base: string;
let alice: string;
let bob: string;
let aliceSub: string;
let bobSub: string;
/** The server's published signing key. */
let serverJwk: JWK;
let serverKid: string;

useLocalSystem('oidc', async (started) => {
  system = started;
  base = system.url;
  alice = await system.issueToken('alice');
  bob = await system.issueToken('bob');
  const aSub = decodeJwt(alice).sub;
  const bSub = decodeJwt(bob).sub;
  assert.ok(aSub && bSub && aSub !== bSub, 'alice and bob are different subjects');
  aliceSub = aSub;
  bobSub = bSub;

  const jwks = await call(base, 'GET', JWKS_PATH);
  assert.equal(jwks.status, 200, jwks.text);
  const body = jsonBody(jwks);
  assert.ok(isRecord(body) && Array.isArray(body.keys) && body.keys.length === 1, jwks.text);
  const [key] = body.keys as unknown[];
  assert.ok(isRecord(key) && typeof key.kid === 'string', jwks.text);
  serverJwk = key as JWK;
  serverKid = key.kid;
});

const auth = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/** A request as `token`'s user. */
function as(token: string, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  return call(base, method, path, { ...options, headers: { ...auth(token), ...options.headers } });
}

async function create(token: string, input: unknown): Promise<Todo> {
  const reply = await as(token, 'POST', '/todos', { json: input });
  assert.equal(reply.status, 201, reply.text);
  const todo = asTodo(jsonBody(reply), base);
  assert.equal(reply.headers.get('location'), todo.url);
  return todo;
}

async function read(token: string, todo: Todo): Promise<Todo> {
  const reply = await as(token, 'GET', todo.url);
  assert.equal(reply.status, 200, reply.text);
  return asTodo(jsonBody(reply), base);
}

/** Every todo of `token`'s user, following the Link headers from `first`. */
const listAllOf = (token: string, first = '/todos') => listAll(base, first, auth(token));

const ids = (todos: Todo[]) => todos.map((t) => t.id);

/** A problem without its request id, to compare two answers. */
function problemShape(reply: Reply, status: number) {
  const { requestId: _requestId, ...rest } = assertProblem(reply, status);
  return rest;
}

describe('the local issuer', () => {
  it('publishes one RS256 public key at JWKS_PATH, without any private part', () => {
    assert.equal(serverJwk.kty, 'RSA');
    assert.equal(serverJwk.alg, 'RS256');
    for (const part of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']) {
      assert.equal(Object.hasOwn(serverJwk, part), false, `the JWKS must not carry ${part}`);
    }
  });

  it("its tokens are RS256 with the key's kid, the local iss and aud, and a UUID sub", () => {
    const header = decodeProtectedHeader(alice);
    assert.equal(header.alg, 'RS256');
    assert.equal(header.kid, serverKid);
    const payload = decodeJwt(alice);
    assert.equal(payload.iss, LOCAL_ISSUER);
    assert.equal(payload.aud, LOCAL_AUDIENCE);
    assert.match(aliceSub, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('a valid token is accepted with or without "Bearer", in any case', async () => {
    for (const value of [`Bearer ${alice}`, `bearer ${alice}`, `BEARER ${alice}`, alice]) {
      const reply = await call(base, 'GET', '/todos', { headers: { authorization: value } });
      assert.equal(reply.status, 200, `${value.slice(0, 12)}…: ${reply.text}`);
    }
  });
});

describe('isolation between users', () => {
  let aliceTodos: Todo[];
  let bobTodos: Todo[];

  before(async () => {
    aliceTodos = [];
    for (let i = 1; i <= 5; i++) aliceTodos.push(await create(alice, { title: `alice ${i}`, order: i }));
    bobTodos = [await create(bob, { title: 'bob 1' }), await create(bob, { title: 'bob 2', completed: true })];
  });

  it("B gets 404 (not 403) on GET, PATCH and DELETE of A's todo, the same 404 as for a todo that never existed", async () => {
    const [target] = aliceTodos;
    assert.ok(target);
    const missing = `/todos/${NEVER_EXISTED}`;
    const attempts: Array<[string, string, CallOptions]> = [
      ['GET', target.url, {}],
      ['PATCH', target.url, { json: { title: 'taken over by bob', completed: true } }],
      ['DELETE', target.url, {}],
    ];
    for (const [method, url, options] of attempts) {
      const theirs = problemShape(await as(bob, method, url, options), 404);
      const nobodys = problemShape(await as(bob, method, missing, options), 404);
      assert.deepEqual(theirs, { ...nobodys, detail: theirs.detail }, `${method}: same problem as for no todo`);
      assert.equal(theirs.detail.replace(target.id, NEVER_EXISTED), nobodys.detail, `${method}: same detail`);
    }
    // A's todo is exactly as it was.
    assert.deepEqual(await read(alice, target), target);
  });

  it("B never sees A's todos in lists, whole or paginated", async () => {
    const expectedBob = ids(bobTodos);
    assert.deepEqual(ids(asTodoList(await as(bob, 'GET', '/todos'), base)), expectedBob);
    for (const limit of [1, 2]) {
      const { todos, pages } = await listAllOf(bob, `/todos?limit=${limit}`);
      assert.deepEqual(ids(todos), expectedBob, `bob with limit=${limit}`);
      assert.ok(pages.length >= Math.ceil(expectedBob.length / limit), `bob with limit=${limit}: several pages`);
      for (const page of pages) assert.ok(page.length <= limit, `bob with limit=${limit}: page size`);
    }
    const { todos, pages } = await listAllOf(alice, '/todos?limit=2');
    assert.deepEqual(ids(todos), ids(aliceTodos));
    assert.ok(pages.length >= 3, 'alice needs several pages at limit=2');
  });

  it("A's Link cursor used by B → 400, and still works for A", async () => {
    const first = await as(alice, 'GET', '/todos?limit=2');
    const link = nextLink(first);
    assert.ok(link, 'alice has a next page');
    const problem = assertProblem(await as(bob, 'GET', link), 400);
    assert.equal(problem.type, 'urn:todo-api:problem:invalid-cursor');
    assert.deepEqual(ids(asTodoList(await as(alice, 'GET', link), base)), ids(aliceTodos.slice(2, 4)));
  });

  it('the owner cannot be set in the body: POST and PATCH with `owner` → 400, nothing changes', async () => {
    const before = await listAllOf(alice);
    const beforeBob = await listAllOf(bob);
    assertFieldError(
      assertProblem(await as(alice, 'POST', '/todos', { json: { title: 'mine?', owner: bobSub } }), 400),
      'owner',
    );
    assertFieldError(
      assertProblem(await as(alice, 'POST', '/', { json: { todo: 'mine?', owner: bobSub } }), 400),
      'owner',
    );
    const [target] = aliceTodos;
    assert.ok(target);
    assertFieldError(assertProblem(await as(alice, 'PATCH', target.url, { json: { owner: bobSub } }), 400), 'owner');
    assert.deepEqual(await listAllOf(alice), before);
    assert.deepEqual(await listAllOf(bob), beforeBob);
  });

  it('owner headers are ignored and ?owner= is refused: the todo belongs to the token', async () => {
    const spoof = (sub: string) => ({
      'x-owner': sub,
      owner: sub,
      sub,
      'x-amzn-oidc-identity': sub,
      'x-amzn-oidc-data': sub,
      'x-user-id': sub,
    });
    // No route takes an owner in the query: it is a 400, and nothing is created.
    const queried = await as(alice, 'POST', `/todos?owner=${bobSub}&sub=${bobSub}`, {
      json: { title: 'posted by alice, claiming to be bob by query' },
    });
    assertProblem(queried, 400);
    const reply = await as(alice, 'POST', '/todos', {
      json: { title: 'posted by alice, claiming to be bob' },
      headers: spoof(bobSub),
    });
    assert.equal(reply.status, 201, reply.text);
    const todo = asTodo(jsonBody(reply), base);
    aliceTodos.push(todo);
    assert.ok(ids((await listAllOf(alice)).todos).includes(todo.id), "in alice's list");
    assert.ok(!ids((await listAllOf(bob)).todos).includes(todo.id), "not in bob's list");

    // Bob claiming to be alice still sees and reaches only his own todos.
    const list = await as(bob, 'GET', '/todos', { headers: spoof(aliceSub) });
    assert.deepEqual(ids(asTodoList(list, base)), ids(bobTodos));
    assertProblem(await as(bob, 'GET', `/todos?owner=${aliceSub}`, { headers: spoof(aliceSub) }), 400);
    assertProblem(await as(bob, 'GET', todo.url, { headers: spoof(aliceSub) }), 404);
    assertProblem(await as(bob, 'PATCH', todo.url, { json: { title: 'x' }, headers: spoof(aliceSub) }), 404);
    assertProblem(await as(bob, 'DELETE', todo.url, { headers: spoof(aliceSub) }), 404);
    for (const method of ['GET', 'DELETE']) {
      assertProblem(await as(bob, method, `${todo.url}?owner=${aliceSub}`, { headers: spoof(aliceSub) }), 400);
    }
    assert.deepEqual(await read(alice, todo), todo);
  });

  it("B's DELETE /todos deletes B's todos and leaves every one of A's", async () => {
    const aliceBefore = await listAllOf(alice);
    assert.equal(aliceBefore.todos.length, aliceTodos.length);
    assertProblem(await as(bob, 'DELETE', `/todos?owner=${aliceSub}`), 400);
    assert.deepEqual(await listAllOf(alice), aliceBefore);
    const reply = await as(bob, 'DELETE', '/todos', { headers: { 'x-owner': aliceSub } });
    assert.equal(reply.status, 204, reply.text);
    assert.deepEqual((await listAllOf(bob)).todos, []);
    assert.deepEqual(await listAllOf(alice), aliceBefore);
    for (const todo of aliceTodos) assert.deepEqual(await read(alice, todo), todo);
  });
});

describe('forged and unusable tokens: 401 {"message":"Unauthorized"}, with CORS, and nothing changes', () => {
  /** Claims that would be valid for alice, had the local issuer signed them. */
  const aliceClaims = () => {
    const now = Math.floor(Date.now() / 1000);
    return { sub: aliceSub, iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, iat: now, exp: now + 600, token_use: 'id' };
  };

  /** Each variant: the headers it sends (Authorization or none). */
  const variants: Array<[string, () => Promise<Record<string, string>>]> = [
    ['missing Authorization', async () => ({})],
    ['empty Authorization', async () => ({ authorization: '' })],
    ['"Bearer " and nothing', async () => ({ authorization: 'Bearer ' })],
    ['garbage', async () => auth('not-a-jwt')],
    ['three parts of garbage', async () => auth('aaa.bbb.ccc')],
    ['Basic credentials', async () => ({ authorization: `Basic ${b64url('alice:password')}` })],
    ['alg none', async () => auth(compact({ alg: 'none', typ: 'JWT', kid: serverKid }, aliceClaims(), unsigned))],
    [
      'HS256 with the public key (PEM) as the secret',
      async () => {
        const publicKey = await importJWK(serverJwk, 'RS256');
        assert.ok(!(publicKey instanceof Uint8Array), 'an RSA public key');
        const pem = await exportSPKI(publicKey);
        return auth(compact({ alg: 'HS256', typ: 'JWT', kid: serverKid }, aliceClaims(), hs256(pem)));
      },
    ],
    [
      'HS256 with the JWK n as the secret',
      async () => {
        assert.equal(typeof serverJwk.n, 'string');
        const n = String(serverJwk.n);
        return auth(compact({ alg: 'HS256', typ: 'JWT', kid: serverKid }, aliceClaims(), hs256(n)));
      },
    ],
    [
      "bob's token with alice's sub put in (tampered payload)",
      async () => auth(withClaimsChanged(bob, { sub: aliceSub })),
    ],
    ["alice's token without its signature", async () => auth(alice.slice(0, alice.lastIndexOf('.') + 1))],
    ['expired', async () => auth(await system.issueToken('alice', { expiresIn: '-1m' }))],
    ['wrong audience', async () => auth(await system.issueToken('alice', { audience: 'other' }))],
    ['wrong issuer', async () => auth(await system.issueToken('alice', { issuer: 'https://evil.example' }))],
    [
      "signed by a foreign key carrying the server's kid",
      async () => {
        const { privateKey } = await generateKeyPair('RS256');
        const token = await new SignJWT(aliceClaims())
          .setProtectedHeader({ alg: 'RS256', kid: serverKid, typ: 'JWT' })
          .sign(privateKey);
        return auth(token);
      },
    ],
    ['a valid token in another header', async () => ({ 'x-authorization': `Bearer ${alice}`, 'x-api-key': alice })],
  ];

  let target: Todo;
  let aliceBefore: Todo[];
  let bobBefore: Todo[];

  before(async () => {
    target = await create(alice, { title: 'must survive forged tokens', order: 99 });
    await create(bob, { title: "bob's, must survive too" });
    aliceBefore = (await listAllOf(alice)).todos;
    bobBefore = (await listAllOf(bob)).todos;
  });

  const requests = (): Array<[string, string, CallOptions]> => [
    ['GET', '/todos', {}],
    ['GET', '/todos?limit=1', {}],
    ['POST', '/todos', { json: { title: 'forged' } }],
    ['POST', '/', { json: { todo: 'forged' } }],
    ['DELETE', '/todos', {}],
    ['GET', target.url, {}],
    ['PATCH', target.url, { json: { title: 'forged', completed: true } }],
    ['DELETE', target.url, {}],
  ];

  for (const [what, headers] of variants) {
    it(what, async () => {
      const sent = await headers();
      for (const [method, path, options] of requests()) {
        const reply = await call(base, method, path, { ...options, headers: { origin: ORIGIN, ...sent } });
        const label = `${what}: ${method} ${path}`;
        assert.equal(reply.status, 401, `${label}: ${reply.text}`);
        assert.deepEqual(JSON.parse(reply.text), { message: 'Unauthorized' }, label);
        assert.match(reply.headers.get('content-type') ?? '', /^application\/json/, label);
        const allowOrigin = reply.headers.get('access-control-allow-origin');
        assert.ok(
          allowOrigin === '*' || allowOrigin === ORIGIN,
          `${label}: access-control-allow-origin ${allowOrigin}`,
        );
      }
      assert.deepEqual((await listAllOf(alice)).todos, aliceBefore, `${what}: alice's todos unchanged`);
      assert.deepEqual((await listAllOf(bob)).todos, bobBefore, `${what}: bob's todos unchanged`);
    });
  }

  it('the 401 is the same without an Origin (no CORS headers then) and for exactly-sent headers', async () => {
    const reply = await rawCall(base, 'GET', '/todos', undefined, { authorization: 'Bearer ' });
    assert.equal(reply.status, 401, reply.text);
    assert.deepEqual(JSON.parse(reply.text), { message: 'Unauthorized' });
    assert.equal(reply.headers.get('access-control-allow-origin'), null, 'no CORS headers without an Origin');
    const none = await rawCall(base, 'POST', '/todos', JSON.stringify({ title: 'x' }), {
      'content-type': 'application/json',
    });
    assert.equal(none.status, 401, none.text);
    assert.deepEqual((await listAllOf(alice)).todos, aliceBefore);
  });
});

describe('what needs no token', () => {
  let todo: Todo;
  before(async () => {
    todo = await create(alice, { title: 'for preflight' });
  });

  it('CORS preflight on /todos, /todos/{id} and / → 204 without any token', async () => {
    for (const path of ['/todos', todo.url, '/']) {
      for (const method of ['GET', 'POST', 'PATCH', 'DELETE']) {
        const reply = await call(base, 'OPTIONS', path, {
          headers: {
            origin: ORIGIN,
            'access-control-request-method': method,
            'access-control-request-headers': 'authorization,content-type',
          },
        });
        const label = `OPTIONS ${path} for ${method}`;
        assert.equal(reply.status, 204, `${label}: ${reply.text}`);
        assert.equal(reply.text, '', label);
        const allowOrigin = reply.headers.get('access-control-allow-origin');
        assert.ok(allowOrigin === '*' || allowOrigin === ORIGIN, `${label}: allow-origin ${allowOrigin}`);
        const allowHeaders = (reply.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(',');
        assert.ok(allowHeaders.map((h) => h.trim()).includes('authorization'), `${label}: ${allowHeaders}`);
        const allowMethods = (reply.headers.get('access-control-allow-methods') ?? '').toUpperCase().split(',');
        assert.ok(allowMethods.map((m) => m.trim()).includes(method), `${label}: ${allowMethods}`);
      }
    }
    assert.deepEqual(await read(alice, todo), todo);
  });

  it('unknown routes are 404 without a token, with a forged one, and with a valid one', async () => {
    const unknown: Array<[string, string]> = [
      ['GET', '/nope'],
      ['DELETE', '/'],
      ['PUT', '/todos'],
      ['PATCH', '/todos'],
      ['PUT', todo.url],
      ['POST', todo.url],
      ['GET', `${todo.url}/extra`],
      ['GET', JWKS_PATH.toUpperCase()],
    ];
    for (const [method, path] of unknown) {
      for (const headers of [{}, auth('garbage'), auth(alice)]) {
        const reply = await call(base, method, path, { headers });
        assertNoRoute(reply);
      }
    }
    assert.deepEqual(await read(alice, todo), todo);
  });

  it('the index, the OpenAPI document and the docs need no token, even a forged one is ignored', async () => {
    for (const headers of [{}, auth('garbage')]) {
      for (const path of ['/', '/openapi.json', '/docs']) {
        const reply = await call(base, 'GET', path, { headers });
        assert.equal(reply.status, 200, `${path}: ${reply.text.slice(0, 200)}`);
      }
    }
  });
});
