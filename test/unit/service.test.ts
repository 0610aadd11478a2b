/** The todo rules, against an in-memory repository, with the clock and the ids under the test's control. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeTime } from 'ulid';
import { encodeCursor } from '../../src/todos/cursor.js';
import {
  IdempotencyKeyInUseError,
  IdempotencyKeyReusedError,
  InvalidCursorError,
  NotFoundError,
  PreconditionFailedError,
} from '../../src/todos/errors.js';
import { fingerprint, IDEMPOTENCY_TTL_SECONDS } from '../../src/todos/idempotency.js';
import { createTodoService, DEFAULT_LEASE_MS } from '../../src/todos/service.js';
import { isId } from '../../src/todos/todo.js';
import { createFakeIdempotencyStore, createFakeRepository } from '../support/fake-repository.js';

const T0 = new Date('2026-11-27T13:00:00.000Z');

/**
 * A service whose clock reads `T0 + n seconds` at its n-th reading, whose ids are 01J…001, 01J…002… and whose
 * versions are v1, v2…
 */
function setup() {
  const repository = createFakeRepository();
  const idempotency = createFakeIdempotencyStore();
  const recovered: string[] = [];
  let ticks = 0;
  let ids = 0;
  let versions = 0;
  const service = createTodoService({
    repository,
    idempotency,
    now: () => new Date(T0.getTime() + 1000 * ticks++),
    newId: () => `01J00000000000000000000${String(++ids).padStart(3, '0')}`,
    newVersion: () => `v${++versions}`,
    onRecoveredFault: (what) => recovered.push(what),
  });
  return { repository, idempotency, service, recovered };
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
      version: 'v1',
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

  test('update applies the patch at the time of the call with a new version, and keeps createdAt', async () => {
    const { repository, service } = setup();
    const todo = await service.create('alice', { title: 'before', completed: false });
    const updated = await service.update('alice', todo.id, { title: 'after', completed: true });
    assert.deepEqual(updated, {
      ...todo,
      title: 'after',
      completed: true,
      updatedAt: '2026-11-27T13:00:01.000Z',
      version: 'v2',
    });
    assert.deepEqual(repository.calls.at(-1), [
      'update',
      'alice',
      todo.id,
      { title: 'after', completed: true },
      { updatedAt: '2026-11-27T13:00:01.000Z', version: 'v2' },
      undefined,
    ]);
  });

  test('a write naming the current version succeeds; naming another changes nothing and says what is current', async () => {
    const { repository, service } = setup();
    const todo = await service.create('alice', { title: 'shared', completed: false });
    const mine = await service.update('alice', todo.id, { title: 'mine' }, { oneOf: ['other', todo.version] });
    assert.equal(mine.version, 'v2');
    assert.deepEqual(repository.calls.at(-1)?.[5], { oneOf: ['other', todo.version] });
    const before = structuredClone([...repository.stored.values()]);
    const stales = [
      { oneOf: [todo.version] },
      { oneOf: [] },
      { oneOf: ['nope'] },
      { noneOf: [mine.version] },
      { noneOf: 'any' as const },
      { oneOf: [mine.version], noneOf: [mine.version] },
    ];
    for (const stale of stales) {
      await assert.rejects(service.update('alice', todo.id, { title: 'theirs' }, stale), (error: unknown) => {
        assert.ok(error instanceof PreconditionFailedError);
        assert.deepEqual(error.current, mine);
        return true;
      });
      await assert.rejects(service.delete('alice', todo.id, stale), PreconditionFailedError);
    }
    assert.deepEqual([...repository.stored.values()], before);
    await service.delete('alice', todo.id, { oneOf: [mine.version], noneOf: ['other'] });
    assert.equal(repository.stored.size, 0);
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
    assert.deepEqual(repository.calls.at(-1), ['list', 'alice', 2, '01J00000000000000000000002', {}]);
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

describe('idempotent create', () => {
  const input = { title: 'once', completed: false };
  const T0_MS = T0.getTime();

  test('the first request creates the todo and completes its key; a repeat replays it and creates nothing', async () => {
    const { repository, idempotency, service } = setup();
    const first = await service.createIdempotent('alice', input, { key: 'k1', leaseUntil: T0_MS + 10_000 });
    assert.equal(first.replayed, false);
    assert.deepEqual(idempotency.calls, ['claim', 'complete']);
    assert.deepEqual(idempotency.records.get('alice#k1'), {
      owner: 'alice',
      key: 'k1',
      fingerprint: fingerprint(input),
      todo: first.todo,
      state: 'completed',
      leaseUntil: T0_MS + 10_000,
      expiresAt: T0_MS / 1000 + IDEMPOTENCY_TTL_SECONDS,
    });
    const again = await service.createIdempotent('alice', { ...input }, { key: 'k1' });
    assert.deepEqual(again, { todo: first.todo, replayed: true });
    assert.equal(repository.stored.size, 1);
    assert.equal(repository.calls.filter(([method]) => method === 'create').length, 1);
  });

  test("a claim that comes back as the attempt's own (its answer was lost, then retried) counts as claimed", async () => {
    const { repository, idempotency, service } = setup();
    const claim = idempotency.claim.bind(idempotency);
    idempotency.claim = async (record, now) => {
      await claim(record, now);
      return claim(record, now);
    };
    const created = await service.createIdempotent('alice', input, { key: 'k1' });
    assert.equal(created.replayed, false);
    assert.equal(repository.stored.size, 1);
    assert.equal(idempotency.records.get('alice#k1')?.state, 'completed');
  });

  test('the same key with another input is refused, and nothing is created', async () => {
    const { repository, service } = setup();
    await service.createIdempotent('alice', input, { key: 'k1' });
    for (const other of [
      { ...input, title: 'twice' },
      { ...input, completed: true },
      { ...input, order: 1 },
    ]) {
      await assert.rejects(service.createIdempotent('alice', other, { key: 'k1' }), IdempotencyKeyReusedError);
    }
    assert.equal(repository.stored.size, 1);
  });

  test('a repeat while the first is still under way is refused as in use', async () => {
    const { idempotency, service } = setup();
    // The first attempt claimed the key (and holds it for a minute) but has not finished.
    await idempotency.claim(
      {
        owner: 'alice',
        key: 'k1',
        fingerprint: fingerprint(input),
        todo: {
          owner: 'alice',
          id: '01J00000000000000000000099',
          ...input,
          createdAt: '',
          updatedAt: '',
          version: 'x',
        },
        state: 'in-progress',
        leaseUntil: T0_MS + 60_000,
        expiresAt: T0_MS / 1000 + IDEMPOTENCY_TTL_SECONDS,
      },
      T0_MS / 1000,
    );
    await assert.rejects(service.createIdempotent('alice', input, { key: 'k1' }), (error: unknown) => {
      assert.ok(error instanceof IdempotencyKeyInUseError);
      // Retry when the lease ends (the clock read T0 when the repeat came).
      assert.equal(error.retryAfterSeconds, 60);
      return true;
    });
  });

  test('keys are per owner: the same key for another owner is another create', async () => {
    const { repository, service } = setup();
    const alice = await service.createIdempotent('alice', input, { key: 'k1' });
    const bob = await service.createIdempotent('bob', input, { key: 'k1' });
    assert.equal(bob.replayed, false);
    assert.notEqual(bob.todo.id, alice.todo.id);
    assert.equal(bob.todo.owner, 'bob');
    assert.equal(repository.stored.size, 2);
  });

  test('a record past its day no longer counts: the key creates a new todo', async () => {
    const { idempotency, service } = setup();
    const first = await service.createIdempotent('alice', input, { key: 'k1' });
    const record = idempotency.records.get('alice#k1');
    assert.ok(record);
    record.expiresAt = T0_MS / 1000 - 1;
    const later = await service.createIdempotent('alice', input, { key: 'k1' });
    assert.equal(later.replayed, false);
    assert.notEqual(later.todo.id, first.todo.id);
  });

  test('when the create fails, the lease ends at once: the retry takes over and makes the decided todo', async () => {
    const { repository, idempotency, service } = setup();
    const fault = new Error('store down');
    repository.failNextCreate(fault);
    await assert.rejects(service.createIdempotent('alice', input, { key: 'k1' }), (e) => e === fault);
    const held = idempotency.records.get('alice#k1');
    assert.equal(held?.state, 'in-progress');
    assert.deepEqual(repository.stored.size, 0);
    const retry = await service.createIdempotent('alice', input, { key: 'k1' });
    // This answer is the one that created it.
    assert.deepEqual(retry, { todo: held?.todo, replayed: false });
    assert.deepEqual([...repository.stored.values()], [held?.todo]);
    assert.equal(idempotency.records.get('alice#k1')?.state, 'completed');
  });

  test('a create applied but answered with an error (outcome unknown): the retry finds it, never makes a second', async () => {
    const { repository, idempotency, service } = setup();
    repository.failNextCreate(new Error('answer lost, retries throttled'), { applied: true });
    await assert.rejects(service.createIdempotent('alice', input, { key: 'k1' }), /answer lost/);
    const retry = await service.createIdempotent('alice', input, { key: 'k1' });
    assert.equal(retry.replayed, true);
    assert.equal(repository.stored.size, 1);
    assert.deepEqual([...repository.stored.values()], [retry.todo]);
    assert.equal(idempotency.records.get('alice#k1')?.state, 'completed');
  });

  test('a failed abandon is reported, and the key waits for its lease instead', async () => {
    const { repository, idempotency, service, recovered } = setup();
    repository.failNextCreate(new Error('store down'));
    idempotency.failNext('abandon', new Error('throttled too'));
    await assert.rejects(service.createIdempotent('alice', input, { key: 'k1', leaseUntil: T0_MS + 30_000 }));
    assert.deepEqual(recovered, ['abandon']);
    await assert.rejects(service.createIdempotent('alice', input, { key: 'k1' }), (error: unknown) => {
      assert.ok(error instanceof IdempotencyKeyInUseError);
      // The clock read T0 at the create, T0+1s at the abandon, T0+2s at the retry: 28 s of the lease were left.
      assert.equal(error.retryAfterSeconds, 28);
      return true;
    });
  });

  test('a failed completion still answers with the created todo, and is reported', async () => {
    const { repository, idempotency, service, recovered } = setup();
    idempotency.failNext('complete', new Error('throttled'));
    const created = await service.createIdempotent('alice', input, { key: 'k1' });
    assert.equal(created.replayed, false);
    assert.equal(repository.stored.size, 1);
    assert.deepEqual(recovered, ['complete']);
    assert.equal(idempotency.records.get('alice#k1')?.state, 'in-progress');
  });

  test('an attempt that stopped before creating is taken over once its lease ran out: its own todo is created', async () => {
    const { repository, idempotency, service } = setup();
    repository.failNextCreate(new Error('the function died here'));
    idempotency.failNext('abandon', new Error('and could not end its lease'));
    const dead = service.createIdempotent('alice', input, { key: 'k1', leaseUntil: T0_MS - 1 });
    await assert.rejects(dead, /died/);
    const held = idempotency.records.get('alice#k1');
    assert.equal(held?.state, 'in-progress');
    const taken = await service.createIdempotent('alice', input, { key: 'k1', leaseUntil: T0_MS + 60_000 });
    assert.deepEqual(taken, { todo: held?.todo, replayed: false });
    assert.deepEqual([...repository.stored.values()], [held?.todo]);
    assert.equal(idempotency.records.get('alice#k1')?.state, 'completed');
  });

  test('an attempt that stopped after creating is taken over without creating the todo again', async () => {
    const { repository, idempotency, service } = setup();
    idempotency.failNext('complete', new Error('the function died before completing'));
    const first = await service.createIdempotent('alice', input, { key: 'k1', leaseUntil: T0_MS - 1 });
    const taken = await service.createIdempotent('alice', input, { key: 'k1' });
    assert.deepEqual(taken, { todo: first.todo, replayed: true });
    assert.equal(repository.calls.filter(([method]) => method === 'create').length, 1);
    assert.equal(idempotency.records.get('alice#k1')?.state, 'completed');
  });

  test('two retries racing to take over: the loser is told the key is in use', async () => {
    const { idempotency, service } = setup();
    idempotency.failNext('complete', new Error('died'));
    await service.createIdempotent('alice', input, { key: 'k1', leaseUntil: T0_MS - 1 });
    const takeOver = idempotency.takeOver.bind(idempotency);
    idempotency.takeOver = async () => {
      await takeOver(structuredClone(idempotency.records.get('alice#k1') as never), T0_MS + 1);
      return false;
    };
    await assert.rejects(service.createIdempotent('alice', input, { key: 'k1' }), IdempotencyKeyInUseError);
  });

  test('without a deadline, an attempt holds its key for the default lease', async () => {
    const { idempotency, service } = setup();
    idempotency.failNext('complete', new Error('x'));
    await service.createIdempotent('alice', input, { key: 'k1' });
    assert.equal(idempotency.records.get('alice#k1')?.leaseUntil, T0_MS + DEFAULT_LEASE_MS);
  });

  test("deleting all of an owner's todos forgets their keys too (the records hold copies of the todos)", async () => {
    const { idempotency, service } = setup();
    await service.createIdempotent('alice', input, { key: 'k1' });
    await service.createIdempotent('bob', input, { key: 'k1' });
    assert.equal(await service.deleteAll('alice'), 1);
    assert.deepEqual([...idempotency.records.keys()], ['bob#k1']);
  });

  test('a service without an idempotency store refuses idempotent creates', async () => {
    const service = createTodoService({ repository: createFakeRepository() });
    await assert.rejects(service.createIdempotent('alice', input, { key: 'k' }), /needs an idempotency store/);
  });

  test('the fingerprint is the input, whatever its spelling: equal inputs agree, different ones do not', () => {
    assert.equal(fingerprint({ title: 'a', completed: false }), fingerprint({ completed: false, title: 'a' }));
    const all = [
      { title: 'a', completed: false },
      { title: 'a', completed: true },
      { title: 'a', completed: false, order: 0 },
      { title: 'a', completed: false, order: 1 },
      { title: 'b', completed: false },
    ].map(fingerprint);
    assert.equal(new Set(all).size, all.length);
  });
});
