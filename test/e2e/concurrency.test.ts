/**
 * Concurrency end to end, over HTTP with tokens (AUTH_MODE=oidc): many clients editing one todo at once, clients
 * polling with If-None-Match, and creates retried after their answer was lost.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import type { LocalSystem } from '../../local/server.js';
import {
  assertProblem,
  asTodo,
  type CallOptions,
  call,
  jsonBody,
  listAll,
  type Reply,
  useLocalSystem,
} from './support.js';

let system: LocalSystem;
let base: string;
let alice: Record<string, string>;
let bob: Record<string, string>;

useLocalSystem('oidc', async (started) => {
  system = started;
  base = system.url;
  alice = { authorization: `Bearer ${await system.issueToken('alice')}` };
  bob = { authorization: `Bearer ${await system.issueToken('bob')}` };
});

const as = (user: Record<string, string>, method: string, path: string, options: CallOptions = {}) =>
  call(base, method, path, { ...options, headers: { ...user, ...options.headers } });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('optimistic concurrency', () => {
  it('50 clients that read a todo and PATCH it at once with If-Match: one 200, 49 × 412, the winner is stored', async () => {
    const created = await as(alice, 'POST', '/todos', { json: { title: 'contended' } });
    assert.equal(created.status, 201, created.text);
    const { url } = asTodo(jsonBody(created), base);
    // Every client reads the todo first: they all hold the same ETag.
    const reads = await Promise.all(Array.from({ length: 50 }, () => as(alice, 'GET', url)));
    const etags = new Set(reads.map((r) => r.headers.get('etag')));
    assert.equal(etags.size, 1);
    const [etag] = etags;
    assert.ok(etag);

    const writes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        as(alice, 'PATCH', url, { json: { title: `client ${i}` }, headers: { 'if-match': etag } }),
      ),
    );
    const winners = writes.filter((w) => w.status === 200);
    const refused = writes.filter((w) => w.status === 412);
    assert.equal(winners.length, 1, writes.map((w) => w.status).join(','));
    assert.equal(refused.length, 49);
    const [winner] = winners;
    assert.ok(winner);
    const won = asTodo(jsonBody(winner), base);
    for (const loser of refused) {
      const problem = assertProblem(loser, 412);
      assert.equal(problem.type, 'urn:todo-api:problem:precondition-failed');
      // Each refusal names the version that is stored now: the winner's (or one of the writes before it).
      assert.notEqual(loser.headers.get('etag'), etag);
    }
    const stored = await as(alice, 'GET', url);
    assert.deepEqual(asTodo(jsonBody(stored), base), won);
    assert.equal(stored.headers.get('etag'), winner.headers.get('etag'));
    for (const loser of refused) assert.equal(loser.headers.get('etag'), winner.headers.get('etag'));
  });

  it('a client refused with 412 reads again and succeeds with the new ETag', async () => {
    const created = await as(alice, 'POST', '/todos', { json: { title: 'v1' } });
    const { url } = asTodo(jsonBody(created), base);
    const old = created.headers.get('etag') ?? '';
    await as(alice, 'PATCH', url, { json: { title: 'v2' } });
    const refused = await as(alice, 'PATCH', url, { json: { completed: true }, headers: { 'if-match': old } });
    assertProblem(refused, 412);
    const current = refused.headers.get('etag') ?? '';
    const again = await as(alice, 'PATCH', url, { json: { completed: true }, headers: { 'if-match': current } });
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(
      { title: asTodo(jsonBody(again), base).title, completed: asTodo(jsonBody(again), base).completed },
      { title: 'v2', completed: true },
    );
  });

  it("a list's todos carry each one's ETag, good for If-Match with no read of each todo (the web page's way)", async () => {
    const made = asTodo(jsonBody(await as(alice, 'POST', '/todos', { json: { title: 'listed' } })), base);
    const listed = (await listAll(base, '/todos', alice)).todos.find((todo) => todo.id === made.id);
    assert.ok(listed, 'the new todo is listed');
    const read = await as(alice, 'GET', made.url);
    assert.equal(listed.etag, read.headers.get('etag'));
    assert.equal(made.etag, listed.etag, "a create's answer carries the same ETag");
    const patched = await as(alice, 'PATCH', made.url, {
      json: { completed: true },
      headers: { 'if-match': listed.etag },
    });
    assert.equal(patched.status, 200, patched.text);
    const after = asTodo(jsonBody(patched), base);
    assert.equal(after.etag, patched.headers.get('etag'));
    assert.notEqual(after.etag, listed.etag);
    // The list read before the change now names a stale version: refused, and nothing changes.
    const stale = await as(alice, 'PATCH', made.url, {
      json: { title: 'stale' },
      headers: { 'if-match': listed.etag },
    });
    assertProblem(stale, 412);
    assert.equal(asTodo(jsonBody(await as(alice, 'GET', made.url)), base).title, 'listed');
  });

  it("another user's ETag and todo: still a 404, never a 412 that would reveal the todo", async () => {
    const created = await as(alice, 'POST', '/todos', { json: { title: 'private' } });
    const { url } = asTodo(jsonBody(created), base);
    const etag = created.headers.get('etag') ?? '';
    assertProblem(await as(bob, 'PATCH', url, { json: { title: 'x' }, headers: { 'if-match': etag } }), 404);
    assertProblem(await as(bob, 'PATCH', url, { json: { title: 'x' }, headers: { 'if-match': '"wrong"' } }), 404);
    assertProblem(await as(bob, 'DELETE', url, { headers: { 'if-match': '"wrong"' } }), 404);
  });
});

describe('polling with If-None-Match', () => {
  it('an unchanged list and todo answer 304 with no body; a change answers 200', async () => {
    const created = await as(bob, 'POST', '/todos', { json: { title: 'polled' } });
    const { url } = asTodo(jsonBody(created), base);
    const page = await as(bob, 'GET', '/todos');
    const tag = page.headers.get('etag') ?? '';
    assert.match(tag, /^"[^"]+"$/);
    assert.equal(page.headers.get('cache-control'), 'private, no-cache');
    for (let poll = 0; poll < 3; poll++) {
      const unchanged = await as(bob, 'GET', '/todos', { headers: { 'if-none-match': tag } });
      assert.equal(unchanged.status, 304);
      assert.equal(unchanged.text, '');
      assert.equal(unchanged.headers.get('etag'), tag);
      // A 304 carries no Content-Length that would differ from the 200's (RFC 9110 §8.6).
      assert.equal(unchanged.headers.get('content-length'), null);
    }
    const todoTag = created.headers.get('etag') ?? '';
    assert.equal((await as(bob, 'GET', url, { headers: { 'if-none-match': todoTag } })).status, 304);
    await as(bob, 'PATCH', url, { json: { completed: true } });
    const changed = await as(bob, 'GET', '/todos', { headers: { 'if-none-match': tag } });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.get('etag'), tag);
    assert.equal((await as(bob, 'GET', url, { headers: { 'if-none-match': todoTag } })).status, 200);
  });
});

/** Sends a request and drops the connection at once, without reading the answer (a client whose answer was lost). */
function sendAndForget(path: string, headers: Record<string, string>, body: string): Promise<void> {
  return new Promise((resolve) => {
    const url = new URL(path, base);
    const req = request({
      hostname: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
    });
    req.on('error', () => resolve());
    req.end(body, () => {
      req.destroy();
      resolve();
    });
  });
}

/**
 * Retries a create as a careful client does: again on 409, which must say Retry-After. It waits 20 ms, not the
 * second it is told (to keep the test short), for up to 15 s: a key's lease lasts 60 s, so a key whose lease is never
 * ended still fails here, while a create that a busy machine is slow to finish does not.
 */
async function retryCreate(user: Record<string, string>, key: string, json: unknown): Promise<Reply> {
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    const reply = await as(user, 'POST', '/todos', { json, headers: { 'idempotency-key': key } });
    if (reply.status !== 409) return reply;
    assert.equal(reply.headers.get('retry-after'), '1');
    await sleep(20);
  }
  assert.fail('the key stayed in use');
}

describe('Idempotency-Key', () => {
  it('a create whose answer was lost, retried with the same key, is stored exactly once', async () => {
    const key = 'e2e-lost-answer-1';
    const body = JSON.stringify({ title: 'exactly once' });
    await sendAndForget('/todos', { ...alice, 'idempotency-key': key }, body);
    const retried = await retryCreate(alice, key, { title: 'exactly once' });
    assert.equal(retried.status, 201, retried.text);
    const todo = asTodo(jsonBody(retried), base);
    const again = await retryCreate(alice, key, { title: 'exactly once' });
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(asTodo(jsonBody(again), base), todo);
    const all = (await listAll(base, '/todos', alice)).todos.filter((t) => t.title === 'exactly once');
    assert.deepEqual(all, [todo]);
  });

  it('ten concurrent creates with one key make one todo; the others replay it or are told to retry', async () => {
    const key = 'e2e-concurrent-1';
    const replies = await Promise.all(
      Array.from({ length: 10 }, () =>
        as(alice, 'POST', '/todos', { json: { title: 'concurrent once' }, headers: { 'idempotency-key': key } }),
      ),
    );
    assert.ok(
      replies.every((r) => r.status === 201 || r.status === 409),
      replies.map((r) => r.status).join(','),
    );
    const created = replies.filter((r) => r.status === 201).map((r) => asTodo(jsonBody(r), base).id);
    assert.ok(created.length >= 1);
    assert.equal(new Set(created).size, 1);
    const final = await retryCreate(alice, key, { title: 'concurrent once' });
    assert.equal(asTodo(jsonBody(final), base).id, created[0]);
    const all = (await listAll(base, '/todos', alice)).todos.filter((t) => t.title === 'concurrent once');
    assert.equal(all.length, 1);
  });

  it('keys are per user: the same key from another user is another todo', async () => {
    const key = 'e2e-shared-key';
    const mine = await as(alice, 'POST', '/todos', {
      json: { title: 'same key' },
      headers: { 'idempotency-key': key },
    });
    const theirs = await as(bob, 'POST', '/todos', {
      json: { title: 'same key' },
      headers: { 'idempotency-key': key },
    });
    assert.equal(mine.status, 201);
    assert.equal(theirs.status, 201);
    assert.equal(theirs.headers.get('idempotent-replayed'), null);
    assert.notEqual(asTodo(jsonBody(mine), base).id, asTodo(jsonBody(theirs), base).id);
    const other = await as(bob, 'POST', '/todos', { json: { title: 'other' }, headers: { 'idempotency-key': key } });
    assert.equal(assertProblem(other, 422).type, 'urn:todo-api:problem:idempotency-key-reused');
  });
});
