/**
 * `kill -9` in the middle of a burst of writes: after a restart on the same data directory, every write that was
 * acknowledged (a 201 reached the client) is there. Writes whose answer never came may or may not be.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exitWithin, interrupt, listeningUrl, processes } from '../e2e/cli.js';
import { call, jsonBody, listAll, type Todo } from '../e2e/support.js';

const DEADLINE_MS = 30_000;
const { freshDataDir, start } = processes('todo-api-durability-');

/** `npm start`'s entry point on `dataDir`, in the public mode. */
function startServer(dataDir: string) {
  return start(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
    PORT: '0',
    DYNAMODB_PORT: '0',
    DATA_DIR: dataDir,
    AUTH_MODE: 'none',
  });
}

describe('kill -9 during a burst of writes', () => {
  it('keeps every acknowledged write across the kill and a restart', async () => {
    const dataDir = await freshDataDir();
    const first = startServer(dataDir);
    const base = await listeningUrl(first, DEADLINE_MS, 'the server');

    const acknowledged: Todo[] = [];
    let unanswered = 0;
    let killed = false;
    // Eight writers at once, each writing until the server is gone; the kill comes once 120 writes are in.
    const writer = async (n: number) => {
      for (let i = 0; !killed || i === 0; i++) {
        try {
          const reply = await call(base, 'POST', '/todos', { json: { title: `writer ${n} write ${i}` } });
          assert.equal(reply.status, 201, reply.text);
          acknowledged.push(jsonBody(reply) as Todo);
          if (acknowledged.length === 120 && !killed) {
            killed = true;
            first.child.kill('SIGKILL');
          }
        } catch (error) {
          // The connection died with the server: this write's fate is unknown, and it is not counted.
          if (!killed) throw error;
          unanswered++;
          return;
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, n) => writer(n)));
    const exit = await exitWithin(first, DEADLINE_MS, 'the killed server');
    assert.equal(exit.signal, 'SIGKILL');
    assert.ok(acknowledged.length >= 120, `${acknowledged.length} writes acknowledged`);

    // The same data directory, after an unclean end: it starts, and every acknowledged todo is there.
    const second = startServer(dataDir);
    const again = await listeningUrl(second, DEADLINE_MS, 'the restarted server');
    const { todos } = await listAll(again, '/todos?limit=100');
    const ids = new Set(todos.map((todo) => todo.id));
    const lost = acknowledged.filter((todo) => !ids.has(todo.id));
    assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.length} acknowledged writes lost`);
    // Nothing else came into being: at most the writes in flight at the kill.
    assert.ok(todos.length <= acknowledged.length + unanswered + 8, `${todos.length} todos stored`);
    await interrupt(second, DEADLINE_MS, 'the restarted server');
  });
});
