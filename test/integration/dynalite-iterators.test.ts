/**
 * The embedded store closes every LevelDB iterator it opens (local/dynalite-compat.ts, closeIteratorsOnDestroy):
 * without it, each Query (or Scan) leaves its iterators open, attached to the database for as long as `npm start`
 * runs, and memory grows by about 20 KB per list call. Counted here exactly, in memory (memory-level) and on disk
 * (classic-level, as `npm start` keeps it): every iterator abstract-level attaches to a database, less every one it
 * detaches (which only its close() does). Run with DYNALITE_ITERATOR_FIX=off, this test fails: every one of the
 * calls' iterators is left open.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Dynalite, startDynalite } from '../../local/dynalite-server.js';
import { lambdaEnvironment, loadLocalModel } from '../../local/server.js';
import { createTables, LOCAL_CREDENTIALS } from '../../local/tables.js';
import { createDynamoDbClient, type DynamoDbClient } from '../../src/store/dynamodb.js';

const require = createRequire(import.meta.url);

interface Level {
  attachResource(resource: object): void;
  detachResource(resource: object): void;
}
interface AbstractLevelModule {
  AbstractLevel: { prototype: Level };
  AbstractIterator: { prototype: object };
}

/** Iterators attached to a database and not yet detached. */
const open = new Set<object>();
/** Iterators attached so far: proves the count sees the store's iterators at all. */
let opened = 0;
const restores: (() => void)[] = [];

/** Counts the iterators of every copy of abstract-level that dynalite's stores are built on, found independently of the shim. */
function countIterators(): void {
  const fromDynalite = createRequire(require.resolve('dynalite'));
  const fromLevel = createRequire(fromDynalite.resolve('level'));
  const stores = [
    fromDynalite.resolve('level'),
    fromDynalite.resolve('memory-level'),
    fromLevel.resolve('classic-level'),
  ];
  const copies = new Set(stores.map((store) => createRequire(store).resolve('abstract-level')));
  for (const copy of copies) {
    const { AbstractLevel, AbstractIterator } = require(copy) as AbstractLevelModule;
    // CommonIterator, the base of every iterator kind (entries, keys, values).
    const iteratorBase = Object.getPrototypeOf(AbstractIterator.prototype) as object;
    const level = AbstractLevel.prototype;
    const { attachResource, detachResource } = level;
    level.attachResource = function (resource) {
      if (Object.prototype.isPrototypeOf.call(iteratorBase, resource)) {
        open.add(resource);
        opened++;
      }
      attachResource.call(this, resource);
    };
    level.detachResource = function (resource) {
      open.delete(resource);
      detachResource.call(this, resource);
    };
    restores.push(() => Object.assign(level, { attachResource, detachResource }));
  }
}

before(countIterators);
after(() => {
  for (const restore of restores.splice(0)) restore();
});

/** Waits for the streams' destroy() to have closed what they opened (it is asynchronous, and answers do not wait). */
async function settled(): Promise<number> {
  for (let i = 0; i < 100 && open.size > 0; i++) await sleep(20);
  return open.size;
}

for (const where of ['in memory', 'on disk'] as const) {
  describe(`the embedded store, ${where}`, () => {
    let dataDir: string | undefined;
    let store: Dynalite;
    let client: DynamoDbClient;
    let tableName: string;

    before(async () => {
      if (where === 'on disk') dataDir = await mkdtemp(join(tmpdir(), 'todo-iterators-'));
      const model = loadLocalModel('none');
      store = await startDynalite({ port: 0, ...(dataDir ? { dataDir } : {}) });
      await createTables(store.endpoint, model.tables, model.region);
      tableName = String(lambdaEnvironment(model, store.endpoint).TABLE_NAME);
      client = createDynamoDbClient({ endpoint: store.endpoint, region: model.region, credentials: LOCAL_CREDENTIALS });
    });

    after(async () => {
      await store?.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    test('closes the iterators of every Query and Scan, whether it stops at Limit or reads to the end', async () => {
      const owner = 'iterators#owner';
      for (let i = 0; i < 50; i++) {
        await client.send('PutItem', {
          TableName: tableName,
          Item: { owner: { S: owner }, id: { S: `todo-${String(i).padStart(3, '0')}` }, title: { S: `todo ${i}` } },
        });
      }
      const query = (limit?: number) =>
        client.send('Query', {
          TableName: tableName,
          KeyConditionExpression: '#o = :o',
          ExpressionAttributeNames: { '#o': 'owner' },
          ExpressionAttributeValues: { ':o': { S: owner } },
          ...(limit === undefined ? {} : { Limit: limit }),
        });
      // The functions never Scan, so the client's types leave it out; on the wire it is one more operation name.
      const untyped = client.send as unknown as (operation: string, input: object) => Promise<{ Items?: unknown[] }>;
      const scan = (limit?: number) =>
        untyped('Scan', { TableName: tableName, ...(limit === undefined ? {} : { Limit: limit }) });

      const openedBefore = opened;
      let calls = 0;
      for (let i = 0; i < 200; i++, calls++) assert.equal((await query(10)).Items?.length, 10);
      for (let i = 0; i < 20; i++, calls++) assert.equal((await query()).Items?.length, 50);
      for (let i = 0; i < 10; i++, calls++) assert.equal((await scan(10)).Items?.length, 10);
      for (let i = 0; i < 5; i++, calls++) assert.equal((await scan()).Items?.length, 50);

      assert.ok(opened - openedBefore >= calls, `only ${opened - openedBefore} iterators counted for ${calls} calls`);
      const left = await settled();
      assert.equal(left, 0, `${left} of the ${opened - openedBefore} iterators of ${calls} calls are still open`);
    });
  });
}
