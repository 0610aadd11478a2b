/** Handlers in an authenticated mode (AUTH_MODE=oidc, as the local stage runs), against a real dynalite. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EventInput } from '../support/events.js';
import { type Invoke, importHandlers } from '../support/handlers.js';
import { startTestStore, type TestStore } from '../support/store.js';

const ISS = 'urn:todo-api:local-issuer';
const ALICE = { iss: ISS, sub: 'b1f1c0de-0000-4000-8000-00000000a11c', 'cognito:username': 'alice' };
const BOB = { iss: ISS, sub: 'b1f1c0de-0000-4000-8000-000000000b0b', 'cognito:username': 'bob' };

let store: TestStore;
let call: Invoke;

const titles = async (claims: Record<string, string>) =>
  ((await call({ routeKey: 'GET /todos', claims })).json as Array<{ title: string }>).map((t) => t.title);

before(async () => {
  store = await startTestStore('oidc');
  assert.equal(store.env.AUTH_MODE, 'oidc');
  call = await importHandlers(store.env);
});

after(async () => {
  await store?.close();
});

describe('handlers behind a JWT authorizer', () => {
  test('a request without a verified sub is refused with 401 by every handler, and changes nothing', async () => {
    const id = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
    const requests: EventInput[] = [
      { routeKey: 'POST /todos', body: { title: 'x' } },
      { routeKey: 'POST /', body: { todo: 'x' } },
      { routeKey: 'GET /todos' },
      { routeKey: 'DELETE /todos' },
      { routeKey: 'GET /todos/{id}', pathParameters: { id } },
      { routeKey: 'PATCH /todos/{id}', pathParameters: { id }, body: { completed: true } },
      { routeKey: 'DELETE /todos/{id}', pathParameters: { id } },
      // Claims without a usable sub are no identity either.
      { routeKey: 'GET /todos', claims: { 'cognito:username': 'alice' } },
      { routeKey: 'GET /todos', claims: { iss: ISS, sub: '' } },
      { routeKey: 'GET /todos', claims: { sub: ALICE.sub } },
    ];
    for (const input of requests) {
      const res = await call(input);
      assert.equal(res.statusCode, 401, input.routeKey);
      assert.equal(res.headers?.['content-type'], 'application/problem+json');
      assert.equal(res.json.status, 401);
      assert.ok(res.json.requestId);
    }
    assert.deepEqual(await titles(ALICE), []);
  });

  test("the owner is the token's sub: each user sees, changes and deletes only their own todos", async () => {
    const mine = await call({ routeKey: 'POST /todos', claims: ALICE, body: { title: "alice's" } });
    assert.equal(mine.statusCode, 201);
    await call({ routeKey: 'POST /todos', claims: BOB, body: { title: "bob's" } });
    const id = mine.json.id as string;

    assert.deepEqual(await titles(ALICE), ["alice's"]);
    assert.deepEqual(await titles(BOB), ["bob's"]);
    for (const input of [
      { routeKey: 'GET /todos/{id}', pathParameters: { id } },
      { routeKey: 'PATCH /todos/{id}', pathParameters: { id }, body: { title: 'taken over' } },
      { routeKey: 'DELETE /todos/{id}', pathParameters: { id } },
    ] as EventInput[]) {
      assert.equal((await call({ ...input, claims: BOB })).statusCode, 404, input.routeKey);
    }
    assert.equal((await call({ routeKey: 'DELETE /todos', claims: BOB })).statusCode, 204);
    assert.deepEqual(await titles(ALICE), ["alice's"]);
    assert.deepEqual(await titles(BOB), []);
  });

  test('nothing the client sends chooses the owner', async () => {
    const asBob = await call({
      routeKey: 'POST /todos',
      claims: BOB,
      body: { title: 'smuggled', owner: ALICE.sub },
    });
    assert.equal(asBob.statusCode, 400);
    // A query naming the owner is refused (no route takes one), and changes nothing.
    const queried = await call({
      routeKey: 'POST /todos',
      claims: BOB,
      query: `owner=${ALICE.sub}&sub=${ALICE.sub}`,
      body: { title: 'smuggled by query' },
    });
    assert.equal(queried.statusCode, 400);
    await call({
      routeKey: 'POST /todos',
      claims: BOB,
      headers: { 'x-owner': ALICE.sub, 'x-amzn-oidc-identity': ALICE.sub, sub: ALICE.sub },
      body: { title: 'still bob' },
    });
    assert.ok(!(await titles(ALICE)).includes('smuggled by query'));
    assert.ok(!(await titles(BOB)).includes('smuggled by query'));
    assert.ok((await titles(BOB)).includes('still bob'));
    assert.ok(!(await titles(ALICE)).includes('still bob'));
  });
});
