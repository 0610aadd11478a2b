/** Routes that do not exist, CORS as API Gateway applies it, and request ids. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertNoRoute,
  assertProblem,
  call,
  createTodo,
  listTodos,
  type Reply,
  rawCall,
  type Todo,
  useLocalSystem,
} from './support.js';

let base: string;
let todo: Todo;

const ORIGIN = 'https://app.example.com';

useLocalSystem('none', async (started) => {
  base = started.url;
  todo = await createTodo(base, { title: 'for CORS checks', order: 1 });
});

/** The comma-separated values of a header, lower case. */
function headerList(reply: Reply, name: string): string[] {
  return (reply.headers.get(name) ?? '')
    .split(',')
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean);
}

function assertCorsHeaders(reply: Reply, what: string): void {
  const origin = reply.headers.get('access-control-allow-origin');
  assert.ok(origin === '*' || origin === ORIGIN, `${what}: access-control-allow-origin, got ${origin}`);
  const exposed = headerList(reply, 'access-control-expose-headers');
  assert.ok(exposed.includes('location'), `${what}: Location is exposed, got ${exposed}`);
  assert.ok(exposed.includes('link'), `${what}: Link is exposed, got ${exposed}`);
  for (const name of ['etag', 'idempotent-replayed', 'retry-after']) {
    assert.ok(exposed.includes(name), `${what}: ${name} is exposed, got ${exposed}`);
  }
}

describe('routes that do not exist', () => {
  const unknown: Array<[string, string]> = [
    ['GET', '/nope'],
    ['GET', '/todos/a/b'],
    ['GET', `/todos/${'0'.repeat(26)}/extra`],
    ['GET', '/todo'],
    ['GET', '/TODOS'],
    ['PUT', '/todos'],
    ['PATCH', '/todos'],
    ['PUT', '/todos/01ARZ3NDEKTSV4RRFFQ69G5FAV'],
    ['POST', '/todos/01ARZ3NDEKTSV4RRFFQ69G5FAV'],
    ['DELETE', '/'],
    ['PATCH', '/'],
  ];
  for (const [method, path] of unknown) {
    it(`${method} ${path} → 404 {"message":"Not Found"} and nothing changes`, async () => {
      const before = await listTodos(base);
      const body = method === 'GET' ? {} : { json: { title: 'should not be created', completed: true } };
      const reply = await call(base, method, path, body);
      assertNoRoute(reply);
      assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
      assert.deepEqual(await listTodos(base), before);
    });
  }
});

describe('CORS preflight', () => {
  const paths = () => ['/todos', `/todos/${todo.id}`, '/'];
  for (const method of ['GET', 'POST', 'PATCH', 'DELETE']) {
    it(`OPTIONS for ${method} on /todos, /todos/{id} and / → 204 allowing it`, async () => {
      for (const path of paths()) {
        const reply = await call(base, 'OPTIONS', path, {
          headers: {
            origin: ORIGIN,
            'access-control-request-method': method,
            'access-control-request-headers': 'content-type,authorization',
          },
        });
        const what = `OPTIONS ${path} for ${method}`;
        assert.equal(reply.status, 204, `${what}: ${reply.text}`);
        assert.equal(reply.text, '');
        const origin = reply.headers.get('access-control-allow-origin');
        assert.ok(origin === '*' || origin === ORIGIN, `${what}: allow-origin ${origin}`);
        assert.ok(headerList(reply, 'access-control-allow-methods').includes(method.toLowerCase()), what);
        const allowedHeaders = headerList(reply, 'access-control-allow-headers');
        assert.ok(allowedHeaders.includes('content-type'), `${what}: allow-headers ${allowedHeaders}`);
        assert.ok(allowedHeaders.includes('authorization'), `${what}: allow-headers ${allowedHeaders}`);
        for (const name of ['if-match', 'if-none-match', 'idempotency-key']) {
          assert.ok(allowedHeaders.includes(name), `${what}: allow-headers ${allowedHeaders}`);
        }
        assert.ok(reply.headers.get('apigw-requestid'), `${what}: apigw-requestid`);
      }
    });
  }

  it('a preflight changes nothing', async () => {
    const before = await listTodos(base);
    for (const method of ['POST', 'DELETE']) {
      const reply = await call(base, 'OPTIONS', '/todos', {
        headers: { origin: ORIGIN, 'access-control-request-method': method },
      });
      assert.equal(reply.status, 204);
    }
    const reply = await call(base, 'OPTIONS', todo.url, {
      headers: { origin: ORIGIN, 'access-control-request-method': 'DELETE' },
    });
    assert.equal(reply.status, 204);
    assert.deepEqual(await listTodos(base), before);
  });
});

describe('CORS headers on every response', () => {
  const withOrigin = { origin: ORIGIN };
  const json = (body: unknown) => ({ json: body, headers: withOrigin });

  it('on successes: 201, 200, 204', async () => {
    const created = await call(base, 'POST', '/todos', json({ title: 'cors' }));
    assert.equal(created.status, 201);
    assertCorsHeaders(created, 'POST /todos 201');
    const url = created.headers.get('location');
    assert.ok(url);
    const root = await call(base, 'POST', '/', json({ todo: 'cors root' }));
    assert.equal(root.status, 201);
    assertCorsHeaders(root, 'POST / 201');
    const list = await call(base, 'GET', '/todos?limit=1', { headers: withOrigin });
    assert.equal(list.status, 200);
    assert.ok(list.headers.get('link'), 'a Link the browser can read');
    assertCorsHeaders(list, 'GET /todos 200');
    for (const [method, options, status] of [
      ['GET', { headers: withOrigin }, 200],
      ['PATCH', json({ completed: true }), 200],
      ['DELETE', { headers: withOrigin }, 204],
    ] as const) {
      const reply = await call(base, method, url, options);
      assert.equal(reply.status, status, reply.text);
      assertCorsHeaders(reply, `${method} /todos/{id} ${status}`);
    }
  });

  it('on 400, 404, 413 and 415 problems and on the 404 of an unknown route', async () => {
    const before = await listTodos(base);
    const cases: Array<[string, () => Promise<Reply>, number]> = [
      [
        '400 invalid JSON',
        () =>
          call(base, 'POST', '/todos', { body: '{', headers: { ...withOrigin, 'content-type': 'application/json' } }),
        400,
      ],
      ['400 validation', () => call(base, 'POST', '/todos', json({ title: '' })), 400],
      ['400 limit', () => call(base, 'GET', '/todos?limit=0', { headers: withOrigin }), 400],
      ['400 cursor', () => call(base, 'GET', '/todos?cursor=x', { headers: withOrigin }), 400],
      ['404 todo', () => call(base, 'GET', '/todos/01ARZ3NDEKTSV4RRFFQ69G5FAV', { headers: withOrigin }), 404],
      ['404 bad id', () => call(base, 'DELETE', '/todos/nope', { headers: withOrigin }), 404],
      ['413', () => call(base, 'POST', '/todos', json({ title: 'z'.repeat(20_000) })), 413],
      [
        '415',
        () =>
          call(base, 'POST', '/todos', {
            body: '{"title":"x"}',
            headers: { ...withOrigin, 'content-type': 'text/plain' },
          }),
        415,
      ],
      ['415 PATCH', () => rawCall(base, 'PATCH', todo.url, '{"title":"x"}', withOrigin), 415],
    ];
    for (const [what, send, status] of cases) {
      const reply = await send();
      assertProblem(reply, status);
      assertCorsHeaders(reply, what);
    }
    for (const [method, path] of [
      ['GET', '/nope'],
      ['PUT', '/todos'],
      ['GET', '/todos/a/b'],
    ]) {
      const reply = await call(base, method ?? 'GET', path ?? '/', { headers: withOrigin });
      assertNoRoute(reply);
      assertCorsHeaders(reply, `unknown route ${method} ${path}`);
    }
    assert.deepEqual(await listTodos(base), before);
  });
});

describe('request ids', () => {
  it('every response has an apigw-requestid header, unique per request', async () => {
    const replies: Reply[] = [
      await call(base, 'GET', '/todos'),
      await call(base, 'GET', todo.url),
      await call(base, 'POST', '/todos', { json: { title: 'id check' } }),
      await call(base, 'PATCH', todo.url, { json: { order: 2 } }),
      await call(base, 'GET', '/nope'),
      await call(base, 'GET', '/todos?limit=abc'),
      await call(base, 'OPTIONS', '/todos', { headers: { origin: ORIGIN, 'access-control-request-method': 'GET' } }),
      await call(base, 'POST', '/todos', { body: 'x', headers: { 'content-type': 'text/plain' } }),
      await call(base, 'DELETE', '/todos/01ARZ3NDEKTSV4RRFFQ69G5FAV'),
    ];
    const ids = replies.map((r) => r.headers.get('apigw-requestid'));
    for (const [i, id] of ids.entries()) assert.ok(id && id.length > 0, `response ${i} has an apigw-requestid`);
    assert.equal(new Set(ids).size, ids.length, 'request ids are unique');
  });

  it("a problem's requestId is its response's apigw-requestid", async () => {
    const replies = [
      await call(base, 'GET', '/todos/01ARZ3NDEKTSV4RRFFQ69G5FAV'),
      await call(base, 'POST', '/todos', { json: { nope: true } }),
      await call(base, 'PATCH', todo.url, { json: {} }),
      await call(base, 'GET', '/todos?limit=0'),
      await call(base, 'POST', '/todos', { body: '{"title":"x"}', headers: { 'content-type': 'text/plain' } }),
      await call(base, 'POST', '/todos', { json: { title: 'w'.repeat(17_000) } }),
    ];
    const statuses = [404, 400, 400, 400, 415, 413];
    for (const [i, reply] of replies.entries()) {
      // assertProblem compares body.requestId with the apigw-requestid header.
      const problem = assertProblem(reply, statuses[i] ?? 0);
      assert.equal(problem.requestId, reply.headers.get('apigw-requestid'));
    }
  });
});

describe('what the client cannot steer', () => {
  it('a Host header that is not a plain host name never reaches url, Location or Link', async () => {
    const hostile = [
      'a.test>; rel="next", <https://evil.test/x',
      'evil.example">; rel="x',
      'evil.test/path',
      'evil.test\\@x',
    ];
    for (const host of hostile) {
      const created = await rawCall(base, 'POST', '/todos', JSON.stringify({ title: 'host check' }), {
        host,
        'content-type': 'application/json',
      });
      assert.equal(created.status, 201, host);
      const location = created.headers.get('location') ?? '';
      assert.match(location, /^http:\/\/localhost:\d+\/todos\/[0-9A-Z]{26}$/, `${host} → ${location}`);
      const listed = await rawCall(base, 'GET', '/todos?limit=1', undefined, { host });
      assert.match(
        listed.headers.get('link') ?? '',
        /^<http:\/\/localhost:\d+\/todos\?limit=1&cursor=[\w-]+>; rel="next"$/,
      );
      assert.ok(!listed.text.includes('evil'), host);
    }
  });

  it('CORS headers answer cross-origin requests only (an Origin header), as on AWS', async () => {
    const plain = await rawCall(base, 'GET', '/todos?limit=1', undefined, {});
    assert.equal(plain.status, 200);
    assert.equal(plain.headers.get('access-control-allow-origin'), null);
    const crossOrigin = await rawCall(base, 'GET', '/todos?limit=1', undefined, { origin: ORIGIN });
    assert.equal(crossOrigin.headers.get('access-control-allow-origin'), '*');
  });
});
