/** The todo rules, against an in-memory repository, with the clock and the ids under the test's control. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeTime } from 'ulid';
import { encodeCursor } from '../../src/todos/cursor.js';
import { InvalidCursorError, NotFoundError } from '../../src/todos/errors.js';
import { createTodoService } from '../../src/todos/service.js';
import { isId } from '../../src/todos/todo.js';
import { createFakeRepository } from '../support/fake-repository.js';

const T0 = new Date('2026-11-27T13:00:00.000Z');

/** A service whose clock reads `T0 + n seconds` at its n-th reading and whose ids are id-0001, id-0002… in ULID form. */
function setup() {
  const repository = createFakeRepository();
  let ticks = 0;
  let ids = 0;
  const service = createTodoService({
    repository,
    now: () => new Date(T0.getTime() + 1000 * ticks++),
    newId: () => `01J00000000000000000000${String(++ids).padStart(3, '0')}`,
  });
  return { repository, service };
}

const NOT_AN_ID = ['nope', '', '../../etc/passwd', '01j00000000000000000000001', '01J0000000000000000000000'];

describe('todo service', () => {
  test('create stores the input under the owner with a new id and the time of the call', async () => {
    const { repository, service } = setup();
    const todo = await service.create('alice', { title: 'Buy milk', completed: false, order: 3 });
    assert.deepEqual(todo, {
      owner: 'alice',
      id: '01J00000000000000000000001',
      title: 'Buy milk',
      completed: false,
      order: 3,
      createdAt: '2026-11-27T13:00:00.000Z',
      updatedAt: '2026-11-27T13:00:00.000Z',
    });
    assert.deepEqual(repository.calls, [['create', todo]]);

    const plain = await service.create('alice', { title: 'No order', completed: true });
    assert.equal(Object.hasOwn(plain, 'order'), false);
    assert.equal(plain.id, '01J00000000000000000000002');
    assert.equal(plain.createdAt, '2026-11-27T13:00:01.000Z');
  });

  test('get returns the todo of its owner only', async () => {
    const { service } = setup();
    const todo = await service.create('alice', { title: 'mine', completed: false });
    assert.deepEqual(await service.get('alice', todo.id), todo);
    await assert.rejects(service.get('bob', todo.id), NotFoundError);
    await assert.rejects(service.get('alice', '01J00000000000000000000999'), {
      name: 'NotFoundError',
      message: 'No todo with id "01J00000000000000000000999".',
    });
  });

  test('an id that is not one of ours is a NotFoundError without touching the repository', async () => {
    const { repository, service } = setup();
    for (const id of NOT_AN_ID) {
      await assert.rejects(service.get('alice', id), NotFoundError, `get ${JSON.stringify(id)}`);
      await assert.rejects(service.update('alice', id, { completed: true }), NotFoundError, `update ${id}`);
      await assert.rejects(service.delete('alice', id), NotFoundError, `delete ${id}`);
    }
    assert.deepEqual(repository.calls, []);
  });

  test('update applies the patch at the time of the call and keeps createdAt', async () => {
    const { repository, service } = setup();
    const todo = await service.create('alice', { title: 'before', completed: false });
    const updated = await service.update('alice', todo.id, { title: 'after', completed: true });
    assert.deepEqual(updated, {
      ...todo,
      title: 'after',
      completed: true,
      updatedAt: '2026-11-27T13:00:01.000Z',
    });
    assert.deepEqual(repository.calls.at(-1), [
      'update',
      'alice',
      todo.id,
      { title: 'after', completed: true },
      '2026-11-27T13:00:01.000Z',
    ]);
  });

  test("update and delete of a missing or someone else's todo are NotFoundError, and change nothing", async () => {
    const { repository, service } = setup();
    const todo = await service.create('alice', { title: 'mine', completed: false });
    const before = structuredClone([...repository.stored.values()]);
    await assert.rejects(service.update('bob', todo.id, { title: 'taken' }), NotFoundError);
    await assert.rejects(service.delete('bob', todo.id), NotFoundError);
    await assert.rejects(service.update('alice', '01J00000000000000000000999', { title: 'x' }), NotFoundError);
    assert.deepEqual([...repository.stored.values()], before);
  });

  test('delete removes the todo; deleteAll removes only the owner’s and counts them', async () => {
    const { service } = setup();
    const first = await service.create('alice', { title: 'a', completed: false });
    await service.create('alice', { title: 'b', completed: false });
    await service.create('bob', { title: 'c', completed: false });
    await service.delete('alice', first.id);
    await assert.rejects(service.get('alice', first.id), NotFoundError);
    assert.equal(await service.deleteAll('alice'), 1);
    assert.deepEqual(
      (await service.list('bob', 10)).items.map((t) => t.title),
      ['c'],
    );
  });

  test('list pages with an owner-bound cursor and ends without one', async () => {
    const { repository, service } = setup();
    for (const title of ['a', 'b', 'c', 'd', 'e']) await service.create('alice', { title, completed: false });
    const first = await service.list('alice', 2);
    assert.deepEqual(
      first.items.map((t) => t.title),
      ['a', 'b'],
    );
    assert.equal(first.nextCursor, encodeCursor('alice', '01J00000000000000000000002'));
    const second = await service.list('alice', 2, first.nextCursor);
    assert.deepEqual(
      second.items.map((t) => t.title),
      ['c', 'd'],
    );
    assert.deepEqual(repository.calls.at(-1), ['list', 'alice', 2, '01J00000000000000000000002']);
    const last = await service.list('alice', 2, second.nextCursor);
    assert.deepEqual(
      last.items.map((t) => t.title),
      ['e'],
    );
    assert.equal(Object.hasOwn(last, 'nextCursor'), false);
  });

  test('a cursor issued to someone else, or made up, is refused before the repository is asked', async () => {
    const { repository, service } = setup();
    const cursors = [encodeCursor('bob', '01J00000000000000000000001'), 'made-up', ''];
    for (const cursor of cursors) {
      await assert.rejects(service.list('alice', 10, cursor), InvalidCursorError, JSON.stringify(cursor));
    }
    assert.deepEqual(repository.calls, []);
  });

  test('by default ids are ULIDs of the creation time, increasing strictly even within one millisecond', async () => {
    let time = T0.getTime();
    // Every todo below is created in the same millisecond, until the clock moves on.
    const service = createTodoService({ repository: createFakeRepository(), now: () => new Date(time) });
    const todos = [];
    for (let i = 0; i < 500; i++) todos.push(await service.create('alice', { title: `${i}`, completed: false }));
    for (const { id, createdAt } of todos) {
      assert.ok(isId(id), id);
      assert.equal(decodeTime(id), Date.parse(createdAt), id);
    }
    for (let i = 1; i < todos.length; i++) {
      assert.ok((todos[i - 1]?.id ?? '') < (todos[i]?.id ?? ''), `${todos[i - 1]?.id} < ${todos[i]?.id}`);
    }
    time += 1;
    const later = await service.create('alice', { title: 'later', completed: false });
    assert.equal(decodeTime(later.id), T0.getTime() + 1);
    assert.ok(later.id > (todos.at(-1)?.id ?? ''));
    // The random part is random: two services (two Lambda containers) do not make the same ids.
    const other = createTodoService({ repository: createFakeRepository(), now: () => new Date(time) });
    assert.notEqual((await other.create('alice', { title: 'x', completed: false })).id, later.id);
  });
});

describe('isId', () => {
  test('accepts canonical ULIDs only', () => {
    for (const id of ['01ARZ3NDEKTSV4RRFFQ69G5FAV', '7ZZZZZZZZZZZZZZZZZZZZZZZZZ', '00000000000000000000000000']) {
      assert.equal(isId(id), true, id);
    }
    for (const id of [
      ...NOT_AN_ID,
      '81ARZ3NDEKTSV4RRFFQ69G5FAV', // past the 48-bit time
      '01ARZ3NDEKTSV4RRFFQ69G5FAVX',
      '01ARZ3NDEKTSV4RRFFQ69G5FAI', // I, L, O, U are not Crockford base32
      '01ARZ3NDEKTSV4RRFFQ69G5FAU',
      ' 01ARZ3NDEKTSV4RRFFQ69G5FA',
    ]) {
      assert.equal(isId(id), false, id);
    }
  });
});
