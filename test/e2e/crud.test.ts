/** Creating, reading, updating and deleting todos over HTTP, through the local gateway. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  assertProblem,
  asTodo,
  call,
  createTodo,
  getTodo,
  jsonBody,
  listTodos,
  type Todo,
  ULID,
  useLocalSystem,
} from './support.js';

let base: string;

useLocalSystem('none', async (started) => {
  base = started.url;
});

/** A well-formed id that names no todo. */
const MISSING_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

describe('POST /todos', () => {
  it('creates a todo: 201, Location, the todo with defaults and no storage keys', async () => {
    const reply = await call(base, 'POST', '/todos', { json: { title: 'Buy milk' } });
    assert.equal(reply.status, 201, reply.text);
    const body = jsonBody(reply);
    const todo = asTodo(body, base);
    assert.equal(reply.headers.get('location'), todo.url);
    assert.match(todo.url, /^http:\/\/localhost:\d+\/todos\/[0-9A-Z]{26}$/);
    assert.equal(todo.url, `${base}/todos/${todo.id}`);
    assert.equal(todo.id.length, 26);
    assert.match(todo.id, ULID);
    assert.equal(todo.title, 'Buy milk');
    assert.equal(todo.completed, false);
    assert.equal(todo.order, undefined);
    assert.equal(todo.createdAt, todo.updatedAt);
    assert.deepEqual(Object.keys(body as object).sort(), [
      'completed',
      'createdAt',
      'etag',
      'id',
      'title',
      'updatedAt',
      'url',
    ]);
  });

  it('keeps completed and order when they are sent', async () => {
    const todo = await createTodo(base, { title: 'Walk the dog', completed: true, order: 7 });
    assert.equal(todo.completed, true);
    assert.equal(todo.order, 7);
    assert.deepEqual(await getTodo(base, `/todos/${todo.id}`), todo);
  });

  it('trims the title, and keeps any Unicode text as it was sent', async () => {
    const trimmed = await createTodo(base, { title: '   spaced out \n' });
    assert.equal(trimmed.title, 'spaced out');
    const unicode = await createTodo(base, { title: 'Écrire 📝 日本語 — "quotes" \\ <tag>' });
    assert.equal(unicode.title, 'Écrire 📝 日本語 — "quotes" \\ <tag>');
    assert.equal((await getTodo(base, unicode.url)).title, unicode.title);
  });

  it('gives each todo its own id, increasing in creation order', async () => {
    const a = await createTodo(base, { title: 'first' });
    const b = await createTodo(base, { title: 'second' });
    const c = await createTodo(base, { title: 'second' });
    assert.notEqual(a.id, b.id);
    assert.notEqual(b.id, c.id);
    assert.ok(a.id < b.id && b.id < c.id, `${a.id} < ${b.id} < ${c.id}`);
  });

  it('accepts a JSON content type with parameters', async () => {
    const reply = await call(base, 'POST', '/todos', {
      body: JSON.stringify({ title: 'with charset' }),
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    assert.equal(reply.status, 201, reply.text);
    assert.equal(asTodo(jsonBody(reply), base).title, 'with charset');
  });
});

describe('POST / (the tutorial route)', () => {
  it('creates a todo from {"title"} like POST /todos', async () => {
    const todo = await createTodo(base, { title: 'from the root', order: 2 }, '/');
    assert.equal(todo.title, 'from the root');
    assert.equal(todo.order, 2);
    assert.deepEqual(await getTodo(base, todo.url), todo);
  });

  it('also takes {"todo": "text"} as the title', async () => {
    const todo = await createTodo(base, { todo: 'tutorial style' }, '/');
    assert.equal(todo.title, 'tutorial style');
    assert.equal(todo.completed, false);
    assert.deepEqual(await getTodo(base, todo.url), todo);
    assert.ok((await listTodos(base)).some((t) => t.id === todo.id));
  });
});

describe('GET /todos/{id}', () => {
  it('returns the todo', async () => {
    const created = await createTodo(base, { title: 'read me', order: 1 });
    const reply = await call(base, 'GET', `/todos/${created.id}`);
    assert.equal(reply.status, 200);
    assert.deepEqual(asTodo(jsonBody(reply), base), created);
  });

  it('answers 404 for a well-formed id that names no todo', async () => {
    const problem = assertProblem(await call(base, 'GET', `/todos/${MISSING_ID}`), 404);
    assert.match(problem.detail, new RegExp(MISSING_ID));
  });

  it('answers 404 for ids that are not ULIDs', async () => {
    const existing = await createTodo(base, { title: 'exists' });
    for (const id of ['abc', '1', existing.id.toLowerCase(), `${existing.id}0`, existing.id.slice(1), '%E2%98%83']) {
      assertProblem(await call(base, 'GET', `/todos/${id}`), 404);
    }
    assert.deepEqual(await getTodo(base, existing.url), existing);
  });
});

describe('PATCH /todos/{id}', () => {
  /** A todo whose updatedAt is in the past, so that a change to it is visible. */
  async function freshTodo(input: Record<string, unknown>): Promise<Todo> {
    const todo = await createTodo(base, input);
    await sleep(5);
    return todo;
  }

  function assertUpdated(updated: Todo, before: Todo): void {
    assert.equal(updated.id, before.id);
    assert.equal(updated.url, before.url);
    assert.equal(updated.createdAt, before.createdAt, 'createdAt never changes');
    assert.notEqual(updated.updatedAt, before.updatedAt, 'updatedAt changes');
    assert.ok(updated.updatedAt > before.updatedAt, `${updated.updatedAt} is later than ${before.updatedAt}`);
    assert.notEqual(updated.etag, before.etag, 'every write gives a new version');
  }

  it('changes only the title', async () => {
    const before = await freshTodo({ title: 'old', completed: true, order: 4 });
    const reply = await call(base, 'PATCH', `/todos/${before.id}`, { json: { title: '  new  ' } });
    assert.equal(reply.status, 200, reply.text);
    const updated = asTodo(jsonBody(reply), base);
    assertUpdated(updated, before);
    assert.deepEqual(
      { title: updated.title, completed: updated.completed, order: updated.order },
      { title: 'new', completed: true, order: 4 },
    );
    assert.deepEqual(await getTodo(base, before.url), updated, 'update then get sees the change');
  });

  it('changes only completed', async () => {
    const before = await freshTodo({ title: 'task', order: 1 });
    const reply = await call(base, 'PATCH', before.url, { json: { completed: true } });
    assert.equal(reply.status, 200, reply.text);
    const updated = asTodo(jsonBody(reply), base);
    assertUpdated(updated, before);
    assert.deepEqual({ ...updated, updatedAt: before.updatedAt, etag: before.etag }, { ...before, completed: true });
    assert.deepEqual(await getTodo(base, before.url), updated);
  });

  it('changes only order, and sets it on a todo that had none', async () => {
    const before = await freshTodo({ title: 'no order yet' });
    const reply = await call(base, 'PATCH', before.url, { json: { order: -3 } });
    assert.equal(reply.status, 200, reply.text);
    const updated = asTodo(jsonBody(reply), base);
    assertUpdated(updated, before);
    assert.deepEqual({ ...updated, updatedAt: before.updatedAt, etag: before.etag }, { ...before, order: -3 });
    assert.deepEqual(await getTodo(base, before.url), updated);
  });

  it('clears the order with order: null; a todo without one stays without', async () => {
    const before = await freshTodo({ title: 'ordered', order: 4 });
    const reply = await call(base, 'PATCH', before.url, { json: { order: null } });
    assert.equal(reply.status, 200, reply.text);
    const updated = asTodo(jsonBody(reply), base);
    assert.equal(Object.hasOwn(updated, 'order'), false);
    assert.deepEqual(await getTodo(base, before.url), updated);
    const again = await call(base, 'PATCH', before.url, { json: { order: null } });
    assert.equal(Object.hasOwn(asTodo(jsonBody(again), base), 'order'), false);
    // Creating with order: null is creating without one.
    assert.equal(Object.hasOwn(await createTodo(base, { title: 'none', order: null }), 'order'), false);
  });

  it('changes all three fields at once, and the list shows the change', async () => {
    const before = await freshTodo({ title: 'all', completed: true, order: 9 });
    const reply = await call(base, 'PATCH', before.url, { json: { title: 'ALL', completed: false, order: 0 } });
    assert.equal(reply.status, 200, reply.text);
    const updated = asTodo(jsonBody(reply), base);
    assertUpdated(updated, before);
    assert.deepEqual(
      { ...updated, updatedAt: before.updatedAt, etag: before.etag },
      { ...before, title: 'ALL', completed: false, order: 0 },
    );
    const listed = (await listTodos(base)).find((t) => t.id === before.id);
    assert.deepEqual(listed, updated);
  });

  it('answers 404 for a missing id and does not create the todo', async () => {
    const listBefore = await listTodos(base);
    const reply = await call(base, 'PATCH', `/todos/${MISSING_ID}`, { json: { title: 'ghost', completed: true } });
    assertProblem(reply, 404);
    assertProblem(await call(base, 'GET', `/todos/${MISSING_ID}`), 404);
    assert.deepEqual(await listTodos(base), listBefore);
  });

  it('answers 404 for an id that is not a ULID', async () => {
    const listBefore = await listTodos(base);
    assertProblem(await call(base, 'PATCH', '/todos/not-an-id', { json: { title: 'x' } }), 404);
    assert.deepEqual(await listTodos(base), listBefore);
  });
});

describe('DELETE /todos/{id}', () => {
  it('deletes: 204 with no body, then 404 on GET, PATCH and a second DELETE', async () => {
    const keep = await createTodo(base, { title: 'keep me' });
    const todo = await createTodo(base, { title: 'delete me' });
    const reply = await call(base, 'DELETE', todo.url);
    assert.equal(reply.status, 204);
    assert.equal(reply.text, '');
    assertProblem(await call(base, 'GET', todo.url), 404);
    assertProblem(await call(base, 'DELETE', todo.url), 404);
    assertProblem(await call(base, 'PATCH', todo.url, { json: { completed: true } }), 404);
    assertProblem(await call(base, 'GET', todo.url), 404);
    const list = await listTodos(base);
    assert.ok(!list.some((t) => t.id === todo.id));
    assert.deepEqual(
      list.find((t) => t.id === keep.id),
      keep,
      'deleting one todo leaves the others',
    );
  });

  it('answers 404 for a missing or malformed id and deletes nothing', async () => {
    const listBefore = await listTodos(base);
    assertProblem(await call(base, 'DELETE', `/todos/${MISSING_ID}`), 404);
    assertProblem(await call(base, 'DELETE', '/todos/nope'), 404);
    assert.deepEqual(await listTodos(base), listBefore);
  });
});

describe('consistency', () => {
  it('a created todo is in the very next listing, and an update in the very next read', async () => {
    for (let i = 0; i < 10; i++) {
      const todo = await createTodo(base, { title: `consistent ${i}` });
      const list = await listTodos(base);
      assert.deepEqual(list.at(-1), todo, 'the newest todo is last');
      const patched = await call(base, 'PATCH', todo.url, { json: { title: `changed ${i}`, completed: true } });
      assert.equal(patched.status, 200, patched.text);
      const read = await getTodo(base, todo.url);
      assert.equal(read.title, `changed ${i}`);
      assert.equal(read.completed, true);
      const deleted = await call(base, 'DELETE', todo.url);
      assert.equal(deleted.status, 204);
      assert.ok(!(await listTodos(base)).some((t) => t.id === todo.id));
    }
  });

  it('concurrent creates all get their own id and all are listed, in id order', async () => {
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) => call(base, 'POST', '/todos', { json: { title: `parallel ${i}` } })),
    );
    const created = replies.map((reply) => {
      assert.equal(reply.status, 201, reply.text);
      return asTodo(jsonBody(reply), base);
    });
    assert.equal(new Set(created.map((t) => t.id)).size, 40);
    const listed = await listTodos(base);
    const ids = new Set(listed.map((t) => t.id));
    for (const todo of created) assert.ok(ids.has(todo.id), `${todo.title} is listed`);
    const sorted = [...listed].sort((a, b) => (a.id < b.id ? -1 : 1));
    assert.deepEqual(listed, sorted);
  });

  it('concurrent deletes of one todo: exactly one 204, the others 404', async () => {
    const todo = await createTodo(base, { title: 'deleted by many' });
    const statuses = await Promise.all(
      Array.from({ length: 8 }, () => call(base, 'DELETE', todo.url).then((reply) => reply.status)),
    );
    assert.deepEqual([...statuses].sort(), [204, 404, 404, 404, 404, 404, 404, 404]);
  });

  it('a PATCH racing a DELETE never brings the todo back', async () => {
    for (let i = 0; i < 20; i++) {
      const todo = await createTodo(base, { title: `race ${i}` });
      const [deleted, patched] = await Promise.all([
        call(base, 'DELETE', todo.url),
        call(base, 'PATCH', todo.url, { json: { title: 'resurrected?' } }),
      ]);
      assert.equal(deleted.status, 204);
      assert.ok(patched.status === 200 || patched.status === 404, `PATCH ${patched.status} ${patched.text}`);
      assertProblem(await call(base, 'GET', todo.url), 404);
    }
  });

  it('lists todos oldest first', async () => {
    const list = await listTodos(base);
    assert.ok(list.length > 5);
    for (let i = 1; i < list.length; i++) {
      const [prev, cur] = [list[i - 1], list[i]];
      assert.ok(prev && cur && prev.id < cur.id && prev.createdAt <= cur.createdAt, `${prev?.id} before ${cur?.id}`);
    }
  });
});
