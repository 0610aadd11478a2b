/** The bench's CPU split charges each profile sample to the nearest frame of ours up its stack. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isStoreThread, perRequest, splitProfile } from '../../bench/cpu-split.js';

const frame = (id: number, url: string, children: number[] = [], functionName = 'f') => ({
  id,
  callFrame: { url, functionName },
  children,
});

// root → gateway (local/gateway.ts) → jose → JSON.parse (no url); gateway → src handler → dynalite; idle; gc;
// a Node internal frame with nothing of ours above it.
const PROFILE = {
  nodes: [
    frame(1, '', [2, 7, 8, 9], '(root)'),
    frame(2, 'file:///p/local/gateway.ts', [3, 5]),
    frame(3, 'file:///p/node_modules/jose/dist/webapi/jws.js', [4]),
    frame(4, '', [], 'parse'),
    frame(5, 'file:///p/src/handlers/list.ts', [6]),
    frame(6, 'file:///p/node_modules/dynalite/db/index.js'),
    frame(7, '', [], '(idle)'),
    frame(8, '', [], '(garbage collector)'),
    frame(9, 'node:internal/http', []),
  ],
  startTime: 1000,
  // One sample each, 10 µs apart: at 1010, 1020, … 1070.
  samples: [2, 4, 5, 6, 7, 8, 9],
  timeDeltas: [10, 10, 10, 10, 10, 10, 10],
};

describe('bench: CPU split', () => {
  test('each sample goes to the nearest frame of ours; idle counts nothing', () => {
    const split = splitProfile(PROFILE, 0, 10_000);
    assert.deepEqual(split, {
      gateway: 10,
      authorizer: 10,
      handler: 10,
      store: 10,
      node: 10,
      gc: 10,
      'off-thread': 0,
    });
  });

  test('only the samples inside the window count', () => {
    const split = splitProfile(PROFILE, 1015, 1045);
    assert.deepEqual(
      Object.entries(split).filter(([, us]) => us > 0),
      [
        ['authorizer', 10],
        ['handler', 10],
        ['store', 10],
      ],
    );
  });

  test("the main thread's /proc time is split by its profile's shares; the store's thread and process count whole", () => {
    // The store's thread: dynalite's frames and Node's HTTP server under them, and no gateway frame.
    const thread = {
      nodes: [
        frame(1, '', [2, 4], '(root)'),
        frame(2, 'file:///p/node_modules/dynalite/index.js', [3]),
        frame(3, 'node:internal/http', []),
        frame(4, 'node:_http_server', []),
      ],
      startTime: 1000,
      samples: [2, 3, 4],
      timeDeltas: [10, 10, 10],
    };
    assert.equal(isStoreThread(thread), true);
    assert.equal(isStoreThread(PROFILE), false, "the API's thread runs the gateway");
    const loader = { ...thread, nodes: [frame(1, '', [2], '(root)'), frame(2, 'node:internal/modules', [])] };
    assert.equal(isStoreThread(loader), false, 'a thread with no store frame is not the store');
    // The main thread (100) used 120 µs, shared by its profile's six busy categories alike; the store's thread is
    // the busiest of the others (300 µs, whatever its own profile's samples add up to); the other two are
    // off-thread; a process of the store's own adds 30 µs. Two requests.
    const split = perRequest(
      [PROFILE, thread],
      { from: 0, to: 10_000 },
      {
        requests: 2,
        mainTid: 100,
        threads: new Map([
          [100, 120],
          [101, 40],
          [102, 300],
          [103, 20],
        ]),
        otherProcesses: 30,
      },
    );
    assert.deepEqual(split, {
      gateway: 10,
      authorizer: 10,
      handler: 10,
      store: (20 + 300 + 30) / 2,
      node: 10,
      gc: 10,
      'off-thread': (40 + 20) / 2,
    });
  });

  test('without a store thread in the process, all its other threads are off-thread', () => {
    const split = perRequest(
      [PROFILE],
      { from: 0, to: 10_000 },
      {
        requests: 1,
        mainTid: 100,
        threads: new Map([
          [100, 60],
          [101, 300],
        ]),
        otherProcesses: 0,
      },
    );
    assert.equal(split.store, 10);
    assert.equal(split['off-thread'], 300);
  });

  test("only the main thread's samples inside the window give its shares; none is an error", () => {
    const usage = { requests: 1, mainTid: 100, threads: new Map([[100, 30]]), otherProcesses: 0 };
    const split = perRequest([PROFILE], { from: 1015, to: 1045 }, usage);
    assert.deepEqual(
      Object.entries(split).filter(([, us]) => us > 0),
      [
        ['authorizer', 10],
        ['handler', 10],
        ['store', 10],
      ],
    );
    assert.throws(() => perRequest([PROFILE], { from: 0, to: 10 }, usage), /no samples/);
  });
});
