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

  test("another process of the server is the store's whole; what /proc saw beyond the profiles is off-thread", () => {
    const store = { ...PROFILE, samples: [2, 5, 8], timeDeltas: [10, 10, 10] };
    const split = perRequest(
      new Map([
        [100, [PROFILE]],
        [200, [store]],
      ]),
      100,
      {
        from: 0,
        to: 10_000,
        requests: 2,
        cpu: new Map([
          [100, 100],
          [200, 50],
        ]),
      },
    );
    // Main: 60 µs sampled (idle aside) of 100 µs: 40 off-thread. Store process: 20 store + 10 gc sampled, 20 unseen.
    assert.deepEqual(split, {
      gateway: 5,
      authorizer: 5,
      handler: 5,
      store: (10 + 20 + 20) / 2,
      node: 5,
      gc: (10 + 10) / 2,
      'off-thread': 20,
    });
  });
  test("the store's thread in the API's process is the store's whole; the API's thread is split frame by frame", () => {
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
    const split = perRequest(new Map([[100, [PROFILE, thread]]]), 100, {
      from: 0,
      to: 10_000,
      requests: 1,
      cpu: new Map([[100, 100]]),
    });
    // API thread: 10 µs in each of six categories; the store's thread: 30 µs, all store; 10 µs unseen.
    assert.deepEqual(split, {
      gateway: 10,
      authorizer: 10,
      handler: 10,
      store: 10 + 30,
      node: 10,
      gc: 10,
      'off-thread': 10,
    });
  });
});
