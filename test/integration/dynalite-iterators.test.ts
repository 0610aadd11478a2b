/**
 * The embedded store closes every LevelDB iterator it opens (local/dynalite-compat.ts, closeIteratorsOnDestroy):
 * without it, each Query (or Scan) leaves one open, attached to the database for as long as `npm start` runs, and
 * memory grows by about 20 KB per list call. Counted here exactly: every iterator abstract-level attaches to a
 * database, less every one it detaches (which only its close() does). Run with DYNALITE_ITERATOR_FIX=off, this
 * test fails: every one of the calls' iterators is left open.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestStore, type TestStore } from '../support/store.js';

const require = createRequire(import.meta.url);

interface Level {
  attachResource(resource: object): void;
  detachResource(resource: object): void;
}

/** Iterators attached to a database and not yet detached. */
const open = new Set<object>();
let store: TestStore;
let restore: () => void;

before(async () => {
  // The copy dynalite's stores are built on (there is one: package-lock.json dedupes it).
  const fromDynalite = createRequire(require.resolve('dynalite'));
  const abstractLevel = createRequire(fromDynalite.resolve('memory-level'))('abstract-level') as {
    AbstractLevel: { prototype: Level };
    AbstractIterator: { prototype: object };
  };
  const iteratorBase = Object.getPrototypeOf(abstractLevel.AbstractIterator.prototype) as object;
  const level = abstractLevel.AbstractLevel.prototype;
  const { attachResource, detachResource } = level;
  level.attachResource = function (resource) {
    if (Object.prototype.isPrototypeOf.call(iteratorBase, resource)) open.add(resource);
    attachResource.call(this, resource);
  };
  level.detachResource = function (resource) {
    open.delete(resource);
    detachResource.call(this, resource);
  };
  restore = () => Object.assign(level, { attachResource, detachResource });
  store = await startTestStore();
});

after(async () => {
  await store?.close();
  restore?.();
});

/** Waits for the streams' destroy() to have closed what they opened (it is asynchronous). */
async function settled(): Promise<number> {
  for (let i = 0; i < 50 && open.size > 0; i++) await sleep(10);
  return open.size;
}

describe('the embedded store', () => {
  test('closes the iterator of every Query, whether it reads a page or to the end', async () => {
    const owner = 'iterators#owner';
    for (let i = 0; i < 50; i++) {
      await store.client.send('PutItem', {
        TableName: store.tableName,
        Item: { owner: { S: owner }, id: { S: `todo-${String(i).padStart(3, '0')}` }, title: { S: `todo ${i}` } },
      });
    }
    const query = (limit?: number) =>
      store.client.send('Query', {
        TableName: store.tableName,
        KeyConditionExpression: '#o = :o',
        ExpressionAttributeNames: { '#o': 'owner' },
        ExpressionAttributeValues: { ':o': { S: owner } },
        ...(limit === undefined ? {} : { Limit: limit }),
      });
    const before = open.size;
    let calls = 0;
    for (let i = 0; i < 200; i++, calls++) assert.equal((await query(10)).Items?.length, 10);
    for (let i = 0; i < 20; i++, calls++) assert.equal((await query()).Items?.length, 50);
    assert.equal(await settled(), before, `${open.size - before} of ${calls} calls' iterators are still open`);
  });
});
