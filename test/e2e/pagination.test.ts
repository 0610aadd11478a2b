/** GET /todos pages and their Link headers, and DELETE /todos. */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import {
  assertProblem,
  asTodoList,
  call,
  createTodo,
  listAll,
  listTodos,
  nextLink,
  type Reply,
  type Todo,
  useLocalSystem,
} from './support.js';

let base: string;

useLocalSystem('none', async (started) => {
  base = started.url;
});

beforeEach(async () => {
  const reply = await call(base, 'DELETE', '/todos');
  assert.equal(reply.status, 204, reply.text);
  assert.deepEqual(await listTodos(base), []);
});

async function createMany(count: number, prefix = 'todo'): Promise<Todo[]> {
  const todos: Todo[] = [];
  for (let i = 0; i < count; i++) {
    todos.push(await createTodo(base, { title: `${prefix} ${String(i).padStart(3, '0')}`, order: i }));
  }
  return todos;
}

/** The cursor of a next link. */
function cursorOf(link: string): string {
  const cursor = new URL(link).searchParams.get('cursor');
  assert.ok(cursor, `a cursor in ${link}`);
  return cursor;
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** `cursor` with the character at `pos` replaced by the one whose 6-bit value differs by `mask`. */
function editCharacter(cursor: string, pos: number, mask: number): string {
  const value = BASE64URL.indexOf(cursor.charAt(pos));
  assert.ok(value >= 0, `cursor character ${cursor.charAt(pos)} is base64url`);
  return `${cursor.slice(0, pos)}${BASE64URL.charAt(value ^ mask)}${cursor.slice(pos + 1)}`;
}

async function firstPage(limit: number): Promise<{ reply: Reply; link: string }> {
  const reply = await call(base, 'GET', `/todos?limit=${limit}`);
  assert.equal(reply.status, 200, reply.text);
  const link = nextLink(reply);
  assert.ok(link, 'a next link');
  return { reply, link };
}

describe('GET /todos', () => {
  it('is a bare empty array when there are no todos, without a Link', async () => {
    const reply = await call(base, 'GET', '/todos');
    assert.deepEqual(asTodoList(reply, base), []);
    assert.equal(reply.text.trim(), '[]');
    assert.equal(reply.headers.get('link'), null);
  });

  it('lists every todo oldest first in one page when they fit', async () => {
    const created = await createMany(20);
    const reply = await call(base, 'GET', '/todos');
    assert.deepEqual(asTodoList(reply, base), created);
    assert.equal(reply.headers.get('link'), null);
  });

  it('follows Link headers through every todo exactly once, in order; the last page has no Link', async () => {
    const created = await createMany(20);
    const { todos, pages } = await listAll(base, '/todos?limit=7');
    assert.deepEqual(
      pages.map((p) => p.length),
      [7, 7, 6],
    );
    assert.deepEqual(todos, created);
    assert.equal(new Set(todos.map((t) => t.id)).size, 20);
  });

  it('has no empty last page when the count is a multiple of the limit', async () => {
    const created = await createMany(21);
    const { todos, pages } = await listAll(base, '/todos?limit=7');
    assert.deepEqual(
      pages.map((p) => p.length),
      [7, 7, 7],
    );
    assert.deepEqual(todos, created);
  });

  it('pages one todo at a time with limit=1', async () => {
    const created = await createMany(4);
    const { todos, pages } = await listAll(base, '/todos?limit=1');
    assert.deepEqual(
      pages.map((p) => p.length),
      [1, 1, 1, 1],
    );
    assert.deepEqual(todos, created);
  });

  it('keeps the limit in the next link', async () => {
    await createMany(5);
    const { link } = await firstPage(2);
    assert.equal(new URL(link).searchParams.get('limit'), '2');
    assert.equal(new URL(link).origin, base);
    assert.equal(new URL(link).pathname, '/todos');
  });

  it('defaults to pages of 100, and accepts limit=100', async () => {
    const created = await createMany(105);
    for (const first of ['/todos', '/todos?limit=100']) {
      const { todos, pages } = await listAll(base, first);
      assert.deepEqual(
        pages.map((p) => p.length),
        [100, 5],
      );
      assert.deepEqual(todos, created);
    }
  });

  it('goes on from where the cursor points even if that todo was deleted meanwhile', async () => {
    const created = await createMany(5);
    const { reply, link } = await firstPage(2);
    const page1 = asTodoList(reply, base);
    assert.deepEqual(page1, created.slice(0, 2));
    const last = page1.at(-1);
    assert.ok(last);
    assert.equal((await call(base, 'DELETE', last.url)).status, 204);
    const rest = await listAll(base, link);
    assert.deepEqual(rest.todos, created.slice(2));
  });

  it('shows todos created after the first page on later pages', async () => {
    const created = await createMany(3);
    const { link } = await firstPage(2);
    const later = await createTodo(base, { title: 'later' });
    const rest = await listAll(base, link);
    assert.deepEqual(rest.todos, [created[2], later]);
  });
});

describe('GET /todos?completed=', () => {
  it('lists only the completed, or only the open todos, paging with links that keep the filter', async () => {
    const todos: Todo[] = [];
    for (let i = 0; i < 25; i++) todos.push(await createTodo(base, { title: `t${i}`, completed: i % 4 === 0 }));
    for (const completed of [true, false]) {
      const expected = todos.filter((t) => t.completed === completed).map((t) => t.id);
      const { todos: listed, pages } = await listAll(base, `/todos?limit=3&completed=${completed}`);
      assert.deepEqual(
        listed.map((t) => t.id),
        expected,
      );
      assert.ok(listed.every((t) => t.completed === completed));
      assert.ok(pages.every((page) => page.length <= 3));
      assert.equal(pages.length, Math.ceil(expected.length / 3));
    }
    const link = nextLink(await call(base, 'GET', '/todos?limit=2&completed=false'));
    assert.match(String(link), /[?&]completed=false(&|$)/);
  });

  it('refuses a completed that is not true or false, and any unknown parameter, naming it', async () => {
    for (const query of ['completed=yes', 'completed=', 'completed=TRUE', 'completed=true&completed=false']) {
      const problem = assertProblem(await call(base, 'GET', `/todos?${query}`), 400);
      assert.match(problem.detail, /completed/, query);
    }
    for (const [path, name] of [
      ['/todos?complete=true', 'complete'],
      ['/todos?limit=5&sort=title', 'sort'],
      ['/todos/01ARZ3NDEKTSV4RRFFQ69G5FAV?verbose=1', 'verbose'],
    ]) {
      const problem = assertProblem(await call(base, 'GET', String(path)), 400);
      assert.ok(problem.detail.includes(`"${name}"`), problem.detail);
    }
  });
});

describe('GET /todos refuses a bad limit or cursor with 400', () => {
  const badLimits = ['0', '101', '1000', 'abc', '-1', '1.5', '', '%201', '1e2', '0x10', '5&limit=5', '5&limit=6'];
  for (const limit of badLimits) {
    it(`limit=${limit}`, async () => {
      await createMany(2);
      const problem = assertProblem(await call(base, 'GET', `/todos?limit=${limit}`), 400);
      assert.match(problem.detail, /limit/);
    });
  }

  it('a cursor sent twice', async () => {
    await createMany(3);
    const cursor = cursorOf((await firstPage(1)).link);
    assertProblem(await call(base, 'GET', `/todos?limit=1&cursor=${cursor}&cursor=${cursor}`), 400);
  });

  it('cursors this server did not issue', async () => {
    await createMany(3);
    const cursor = cursorOf((await firstPage(1)).link);
    const forged = [
      '',
      'abc',
      'not a cursor',
      cursor.slice(0, -1),
      cursor.slice(0, -4),
      cursor.slice(1),
      `${cursor}A`,
      `${cursor}AAAA`,
      `${cursor}=`,
      cursor.toLowerCase(),
      cursor.split('').reverse().join(''),
      Buffer.from('v1.01ARZ3NDEKTSV4RRFFQ69G5FAV.AAAAAAAAAAAAAAAA').toString('base64url'),
      Buffer.from(Buffer.from(cursor, 'base64url').toString().replace(/^v1\./, 'v2.')).toString('base64url'),
      'A'.repeat(500),
    ];
    for (const bad of forged) {
      const reply = await call(base, 'GET', `/todos?limit=1&cursor=${encodeURIComponent(bad)}`);
      assertProblem(reply, 400);
    }
  });

  it('a cursor with any one character changed', async () => {
    await createMany(3);
    const cursor = cursorOf((await firstPage(1)).link);
    for (let pos = 0; pos < cursor.length; pos++) {
      // Flipping the top bit of a character always changes the bytes it encodes.
      const tampered = editCharacter(cursor, pos, 0b100000);
      assert.notEqual(tampered, cursor);
      const reply = await call(base, 'GET', `/todos?limit=1&cursor=${tampered}`);
      assert.equal(reply.status, 400, `cursor edited at ${pos}: ${tampered} → ${reply.status} ${reply.text}`);
      assertProblem(reply, 400);
    }
  });

  it('a cursor whose last character was changed', async () => {
    await createMany(3);
    const cursor = cursorOf((await firstPage(1)).link);
    for (const mask of [0b000001, 0b000010, 0b000100, 0b001000, 0b010000, 0b100000]) {
      const tampered = editCharacter(cursor, cursor.length - 1, mask);
      assert.notEqual(tampered, cursor);
      const reply = await call(base, 'GET', `/todos?limit=1&cursor=${tampered}`);
      assert.equal(reply.status, 400, `last character edited: ${cursor} → ${tampered} was accepted (${reply.status})`);
    }
  });

  it('changes nothing: the listing is the same after bad requests', async () => {
    const created = await createMany(3);
    assertProblem(await call(base, 'GET', '/todos?limit=0'), 400);
    assertProblem(await call(base, 'GET', '/todos?cursor=abc'), 400);
    assert.deepEqual(await listTodos(base), created);
  });
});

describe('DELETE /todos', () => {
  it('deletes all 60 todos (several batches): 204, then the list is empty', async () => {
    await createMany(60);
    assert.equal((await listAll(base)).todos.length, 60);
    const reply = await call(base, 'DELETE', '/todos');
    assert.equal(reply.status, 204);
    assert.equal(reply.text, '');
    assert.deepEqual(asTodoList(await call(base, 'GET', '/todos'), base), []);
    assert.deepEqual((await listAll(base, '/todos?limit=1')).todos, []);
  });

  it('deletes more than one page worth (130 todos)', async () => {
    const created = await createMany(130);
    assert.equal((await call(base, 'DELETE', '/todos')).status, 204);
    assert.deepEqual(await listTodos(base), []);
    for (const todo of [created[0], created[64], created[129]]) {
      assert.ok(todo);
      assertProblem(await call(base, 'GET', todo.url), 404);
    }
  });

  it('answers 204 when there is nothing to delete, and new todos can be created afterwards', async () => {
    assert.equal((await call(base, 'DELETE', '/todos')).status, 204);
    assert.equal((await call(base, 'DELETE', '/todos')).status, 204);
    const todo = await createTodo(base, { title: 'after the purge' });
    assert.deepEqual(await listTodos(base), [todo]);
  });
});
