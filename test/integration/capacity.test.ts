/**
 * The cost model of docs/costs.md, measured: the DynamoDB requests and read/write units of every operation the
 * routes call, through the real service over a metered client (test/support/capacity.ts) against dynalite. The
 * doc's tables between `<!-- generated:NAME -->` markers must be exactly what this test renders, so they cannot
 * drift from the code; `UPDATE_COSTS_DOC=1` rewrites them. `COSTS_DURATIONS=1` also times the warm handlers and
 * prints the medians (never asserted: timing is no test's business), to copy into LAMBDA below.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { monotonicFactory } from 'ulid';
import { PROJECT_ROOT } from '../../local/paths.js';
import { lambdaEnvironment, loadLocalModel } from '../../local/server.js';
import { createTables, LOCAL_CREDENTIALS } from '../../local/tables.js';
import { createDynamoDbClient, type DynamoDbClient } from '../../src/store/dynamodb.js';
import { createDynamoIdempotencyStore } from '../../src/store/idempotency-store.js';
import { BATCH_SIZE, toItem } from '../../src/store/requests.js';
import { createDynamoTodoRepository } from '../../src/store/todo-repository.js';
import { createTodoService } from '../../src/todos/service.js';
import type { Todo } from '../../src/todos/todo.js';
import { divergence, type MeteredCall, meterClient } from '../support/capacity.js';
import { type Invoke, importHandlers } from '../support/handlers.js';
import { startTestStore, type TestStore } from '../support/store.js';

const DOC = resolve(PROJECT_ROOT, 'docs/costs.md');

/** An owner as Cognito makes it (`<iss>#<sub>`, 100 bytes): the partition key is part of every item's size. */
const owner = (n: number) =>
  `https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI#${String(n).padStart(8, '0')}-4b1d-4e6a-9c3f-7a2e5d8b1c40`;
const SMALL_TITLE = 'Buy oat milk and bread tonight'; // 30 bytes
const LARGE_TITLE = 'x'.repeat(1000); // the longest title the API accepts
const KEY = (n: number) => `6f1c2a7e-3b4d-4c5e-8f90-${String(n).padStart(12, '0')}`; // an Idempotency-Key (UUID)

/** Prices in us-east-1 (USD), as of 2026-11-28; sources in docs/costs.md. */
const PRICE = {
  apiGatewayPerMillion: 1.0,
  lambdaPerMillion: 0.2,
  lambdaPerGbSecond: 0.0000133334,
  readRequestUnitPerMillion: 0.125,
  writeRequestUnitPerMillion: 0.625,
  logsPerGb: 0.5,
};
const LAMBDA_MEMORY_GB = 256 / 1024;
/**
 * Per request of each route, measured locally on warm handlers (COSTS_DURATIONS=1; see the doc): the median
 * duration rounded up to whole milliseconds, as Lambda bills it, and the bytes the function logs (its JSON line, and
 * for writes the metrics line).
 */
const LAMBDA = {
  list: { ms: 3, logBytes: 229 },
  get: { ms: 2, logBytes: 233 },
  create: { ms: 2, logBytes: 463 },
  patch: { ms: 2, logBytes: 470 },
  delete: { ms: 2, logBytes: 470 },
  deleteAll: { ms: 4, logBytes: 468 },
};
/** What Lambda itself logs per invocation: its START, END and REPORT lines (an estimate, in its text format). */
const PLATFORM_LOG_BYTES = 270;

let store: TestStore;
let table: string;
let seeding: ReturnType<typeof createTodoService>;
let metered: ReturnType<typeof meterClient>;
let todos: ReturnType<typeof createTodoService>;
const newId = monotonicFactory();

/** The service as src/app.ts wires it, over `client`. */
function service(client: DynamoDbClient) {
  return createTodoService({
    repository: createDynamoTodoRepository(client, table),
    idempotency: createDynamoIdempotencyStore(client, table),
    onRecoveredFault: (what, error) => {
      throw new Error(`Unexpected recovered fault: ${what}`, { cause: error });
    },
  });
}

/** `count` todos of `who`, written straight to the table (not metered), as the service would store them. */
async function seed(who: string, count: number, title: string): Promise<Todo[]> {
  const made: Todo[] = [];
  const at = new Date().toISOString();
  for (let i = 0; i < count; i++) {
    made.push({
      owner: who,
      id: newId(),
      title,
      completed: false,
      createdAt: at,
      updatedAt: at,
      version: 'AbCdEfGhIjKl',
    });
  }
  for (let i = 0; i < made.length; i += BATCH_SIZE) {
    const batch = made.slice(i, i + BATCH_SIZE).map((todo) => ({ PutRequest: { Item: toItem(todo) } }));
    await store.client.send('BatchWriteItem', { RequestItems: { [table]: batch } });
  }
  return made;
}

interface Measured {
  requests: string;
  rcu: number;
  wcu: number;
  calls: MeteredCall[];
}

/** Runs `work` through the metered service and sums what its DynamoDB requests cost. */
async function measure(work: (service: typeof todos) => Promise<unknown>): Promise<Measured> {
  metered.reset();
  await work(todos);
  const calls = [...metered.calls];
  const counts = new Map<string, number>();
  for (const call of calls) counts.set(call.operation, (counts.get(call.operation) ?? 0) + 1);
  const requests = [...counts].map(([operation, n]) => `${operation} ×${n}`).join(', ') || 'none';
  const sum = (pick: (call: MeteredCall) => number) => calls.reduce((total, call) => total + pick(call), 0);
  return { requests, rcu: sum((call) => call.rcu), wcu: sum((call) => call.wcu), calls };
}

const rejects = (name: string) => (promise: Promise<unknown>) => assert.rejects(promise, { name });

let nextOwner = 1000;
/** A fresh owner, for a case that must start from an empty partition. */
const fresh = () => owner(nextOwner++);

/** Measures `work` on a todo of a fresh owner, stored beforehand (not metered). */
async function onSeeded(title: string, work: (service: typeof todos, todo: Todo) => Promise<unknown>) {
  const [todo] = await seed(fresh(), 1, title);
  assert.ok(todo);
  return measure((s) => work(s, todo));
}

interface Case {
  id: string;
  route: string;
  what: string;
  run: () => Promise<Measured>;
}

/** The operations the routes call, each from a known state. */
const CASES: Case[] = [
  {
    id: 'create',
    route: 'POST /todos',
    what: 'title 30 B',
    run: () => measure((s) => s.create(fresh(), { title: SMALL_TITLE, completed: false })),
  },
  {
    id: 'create-large',
    route: 'POST /todos',
    what: 'title 1,000 B',
    run: () => measure((s) => s.create(fresh(), { title: LARGE_TITLE, completed: false })),
  },
  {
    id: 'create-key',
    route: 'POST /todos',
    what: 'with Idempotency-Key, title 30 B',
    run: () => measure((s) => s.createIdempotent(fresh(), { title: SMALL_TITLE, completed: false }, { key: KEY(1) })),
  },
  {
    id: 'create-key-large',
    route: 'POST /todos',
    what: 'with Idempotency-Key, title 1,000 B',
    run: () => measure((s) => s.createIdempotent(fresh(), { title: LARGE_TITLE, completed: false }, { key: KEY(2) })),
  },
  {
    id: 'create-key-replay',
    route: 'POST /todos',
    what: 'the same key and body again (201, replayed)',
    run: async () => {
      const who = fresh();
      await seeding.createIdempotent(who, { title: SMALL_TITLE, completed: false }, { key: KEY(3) });
      return measure(async (s) => {
        assert.equal(
          (await s.createIdempotent(who, { title: SMALL_TITLE, completed: false }, { key: KEY(3) })).replayed,
          true,
        );
      });
    },
  },
  {
    id: 'create-key-reused',
    route: 'POST /todos',
    what: 'the same key, another body (422)',
    run: async () => {
      const who = fresh();
      await seeding.createIdempotent(who, { title: SMALL_TITLE, completed: false }, { key: KEY(4) });
      return measure((s) =>
        rejects('IdempotencyKeyReusedError')(
          s.createIdempotent(who, { title: 'other', completed: false }, { key: KEY(4) }),
        ),
      );
    },
  },
  {
    id: 'get',
    route: 'GET /todos/{id}',
    what: 'title 30 B (or 1,000 B: the same)',
    run: () => onSeeded(SMALL_TITLE, (s, todo) => s.get(todo.owner, todo.id)),
  },
  {
    id: 'get-missing',
    route: 'GET /todos/{id}',
    what: 'no such todo (404)',
    run: () => measure((s) => rejects('NotFoundError')(s.get(fresh(), newId()))),
  },
  {
    id: 'get-malformed',
    route: 'GET /todos/{id}',
    what: 'an id that is no ULID (404, no read)',
    run: () => measure((s) => rejects('NotFoundError')(s.get(fresh(), 'not-an-id'))),
  },
  {
    id: 'list-empty',
    route: 'GET /todos',
    what: 'no todos',
    run: () => measure((s) => s.list(fresh(), 100)),
  },
  {
    id: 'list-filtered',
    route: 'GET /todos',
    what: '`?completed=true&limit=20`, 1,000 open todos of 30 B (empty page + Link)',
    run: async () => {
      const who = fresh();
      await seed(who, 1000, SMALL_TITLE);
      return measure(async (s) =>
        assert.equal((await s.list(who, 20, undefined, { completed: true })).items.length, 0),
      );
    },
  },
  {
    id: 'patch',
    route: 'PATCH /todos/{id}',
    what: '`completed`, title 30 B',
    run: () => onSeeded(SMALL_TITLE, (s, todo) => s.update(todo.owner, todo.id, { completed: true })),
  },
  {
    id: 'patch-large',
    route: 'PATCH /todos/{id}',
    what: '`completed`, title 1,000 B',
    run: () => onSeeded(LARGE_TITLE, (s, todo) => s.update(todo.owner, todo.id, { completed: true })),
  },
  {
    id: 'patch-if-match',
    route: 'PATCH /todos/{id}',
    what: 'with If-Match, title 30 B',
    run: () =>
      onSeeded(SMALL_TITLE, (s, todo) => s.update(todo.owner, todo.id, { completed: true }, { oneOf: [todo.version] })),
  },
  {
    id: 'patch-stale',
    route: 'PATCH /todos/{id}',
    what: 'If-Match of an older version (412)',
    run: () =>
      onSeeded(SMALL_TITLE, (s, todo) =>
        rejects('PreconditionFailedError')(s.update(todo.owner, todo.id, { completed: true }, { oneOf: ['old'] })),
      ),
  },
  {
    id: 'patch-missing',
    route: 'PATCH /todos/{id}',
    what: 'no such todo (404)',
    run: () => measure((s) => rejects('NotFoundError')(s.update(fresh(), newId(), { completed: true }))),
  },
  {
    id: 'delete',
    route: 'DELETE /todos/{id}',
    what: 'title 30 B',
    run: () => onSeeded(SMALL_TITLE, (s, todo) => s.delete(todo.owner, todo.id)),
  },
  {
    id: 'delete-large',
    route: 'DELETE /todos/{id}',
    what: 'title 1,000 B',
    run: () => onSeeded(LARGE_TITLE, (s, todo) => s.delete(todo.owner, todo.id)),
  },
  {
    id: 'delete-if-match',
    route: 'DELETE /todos/{id}',
    what: 'with If-Match, title 30 B',
    run: () => onSeeded(SMALL_TITLE, (s, todo) => s.delete(todo.owner, todo.id, { oneOf: [todo.version] })),
  },
  {
    id: 'delete-stale',
    route: 'DELETE /todos/{id}',
    what: 'If-Match of an older version (412)',
    run: () =>
      onSeeded(SMALL_TITLE, (s, todo) =>
        rejects('PreconditionFailedError')(s.delete(todo.owner, todo.id, { oneOf: ['old'] })),
      ),
  },
  {
    id: 'delete-missing',
    route: 'DELETE /todos/{id}',
    what: 'no such todo (404)',
    run: () => measure((s) => rejects('NotFoundError')(s.delete(fresh(), newId()))),
  },
  ...[0, 1, 20, 100, 1000].map(
    (n): Case => ({
      id: `delete-all-${n}`,
      route: 'DELETE /todos',
      what: `${n.toLocaleString('en-US')} ${n === 1 ? 'todo' : 'todos'} of 30 B`,
      run: async () => {
        const who = fresh();
        await seed(who, n, SMALL_TITLE);
        return measure(async (s) => assert.equal(await s.deleteAll(who), n));
      },
    }),
  ),
  {
    id: 'delete-all-20-large',
    route: 'DELETE /todos',
    what: '20 todos of 1,000 B',
    run: async () => {
      const who = fresh();
      await seed(who, 20, LARGE_TITLE);
      return measure((s) => s.deleteAll(who));
    },
  },
  {
    id: 'delete-all-20-keyed',
    route: 'DELETE /todos',
    what: '20 todos of 30 B, each created with an Idempotency-Key in the last 24 h',
    run: async () => {
      const who = fresh();
      for (let i = 0; i < 20; i++) {
        await seeding.createIdempotent(who, { title: SMALL_TITLE, completed: false }, { key: KEY(100 + i) });
      }
      return measure((s) => s.deleteAll(who));
    },
  },
];

const PAGE_SIZES = [10, 20, 50, 100];
const LIST_USERS = [10, 100, 1000];

/** The generated blocks of the doc, rendered from what was measured. */
function renderOperations(results: Map<string, Measured>): string {
  const rows = CASES.map(({ id, route, what }) => {
    const m = results.get(id);
    assert.ok(m, id);
    return `| \`${route}\` | ${what} | ${m.requests} | ${m.rcu} | ${m.wcu} | ${source(m.calls)} |`;
  });
  return ['| route | case | DynamoDB requests | RCU | WCU | source |', '|---|---|---|--:|--:|---|', ...rows].join('\n');
}

/** Where a case's figures come from: dynalite's report, or DynamoDB's rules where dynalite reports none or less. */
function source(calls: MeteredCall[]): string {
  if (calls.length === 0) return '—';
  const failed = calls.filter((call) => call.failedCondition).length;
  const empty = calls.filter((call) => divergence(call) === 'empty Query').length;
  if (failed === calls.length) return 'rules (failed condition)';
  if (empty === 0) return 'dynalite';
  return `dynalite + ${empty} empty ${empty === 1 ? 'Query' : 'Queries'}`;
}

function renderList(results: Map<string, Measured>): string {
  const header = `| todos of the user | ${PAGE_SIZES.map((l) => `\`limit=${l}\``).join(' | ')} |`;
  const rows = LIST_USERS.flatMap((n) =>
    [SMALL_TITLE, LARGE_TITLE].map((title) => {
      const cells = PAGE_SIZES.map((limit) => {
        const m = results.get(listId(n, limit, title));
        assert.ok(m);
        assert.equal(m.requests, 'Query ×1');
        return String(m.rcu);
      });
      return `| ${n.toLocaleString('en-US')} × ${title === SMALL_TITLE ? '30 B' : '1,000 B'} | ${cells.join(' | ')} |`;
    }),
  );
  return [header, `|---|${PAGE_SIZES.map(() => '---:').join('|')}|`, ...rows].join('\n');
}

const listId = (n: number, limit: number, title: string) => `list-${n}-${limit}-${title === SMALL_TITLE ? 's' : 'l'}`;

/** The typical mix: share of requests, the case that stands for it, and its route's Lambda duration. */
const MIX = [
  {
    share: 0.6,
    label: 'list (`GET /todos`, default page of 100, user with 100 todos of 30 B)',
    id: listId(100, 100, SMALL_TITLE),
    lambda: LAMBDA.list,
  },
  { share: 0.15, label: 'get', id: 'get', lambda: LAMBDA.get },
  { share: 0.1, label: 'create (no Idempotency-Key)', id: 'create', lambda: LAMBDA.create },
  { share: 0.1, label: 'patch with If-Match', id: 'patch-if-match', lambda: LAMBDA.patch },
  { share: 0.04, label: 'delete one', id: 'delete', lambda: LAMBDA.delete },
  { share: 0.01, label: 'delete all (20 todos)', id: 'delete-all-20', lambda: LAMBDA.deleteAll },
];

const usd = (value: number) => `$${value.toFixed(value < 0.1 ? 4 : 3)}`;
const fixed = (value: number, digits = 2) => value.toFixed(digits).replace(/\.?0+$/, '');

function renderMix(results: Map<string, Measured>): string {
  const rows = MIX.map(({ share, label, id, lambda }) => {
    const m = results.get(id);
    assert.ok(m, id);
    return `| ${share * 100}% | ${label} | ${m.rcu} | ${m.wcu} | ${lambda.ms} | ${lambda.logBytes + PLATFORM_LOG_BYTES} |`;
  });
  const per = (pick: (m: Measured) => number) =>
    MIX.reduce((sum, { share, id }) => sum + share * pick(results.get(id) as Measured), 0);
  const rru = per((m) => m.rcu);
  const wru = per((m) => m.wcu);
  const ms = MIX.reduce((sum, { share, lambda }) => sum + share * lambda.ms, 0);
  const logBytes = MIX.reduce((sum, { share, lambda }) => sum + share * (lambda.logBytes + PLATFORM_LOG_BYTES), 0);
  const gbSeconds = (LAMBDA_MEMORY_GB * ms) / 1000;
  const logGb = logBytes / 2 ** 30;
  const lines: [string, string, number][] = [
    ['API Gateway HTTP API', `1 request × $${PRICE.apiGatewayPerMillion.toFixed(2)}/M`, PRICE.apiGatewayPerMillion],
    ['Lambda requests', `1 invocation × $${PRICE.lambdaPerMillion.toFixed(2)}/M`, PRICE.lambdaPerMillion],
    [
      'Lambda duration',
      `${fixed(ms)} ms × 0.25 GB = ${fixed(gbSeconds * 1e6)} GB-s/M × $${PRICE.lambdaPerGbSecond}`,
      gbSeconds * 1e6 * PRICE.lambdaPerGbSecond,
    ],
    [
      'DynamoDB reads',
      `${fixed(rru)} RRU × $${PRICE.readRequestUnitPerMillion}/M`,
      rru * PRICE.readRequestUnitPerMillion,
    ],
    [
      'DynamoDB writes',
      `${fixed(wru)} WRU × $${PRICE.writeRequestUnitPerMillion}/M`,
      wru * PRICE.writeRequestUnitPerMillion,
    ],
    [
      'CloudWatch Logs',
      `${fixed(logBytes, 0)} B = ${fixed(logGb * 1e6)} GB/M × $${PRICE.logsPerGb.toFixed(2)}/GB`,
      logGb * 1e6 * PRICE.logsPerGb,
    ],
  ];
  const total = lines.reduce((sum, [, , cost]) => sum + cost, 0);
  const cost = (name: string) => lines.filter(([what]) => what.startsWith(name)).reduce((sum, [, , c]) => sum + c, 0);
  const [dynamodb, lambda, logs] = [cost('DynamoDB'), cost('Lambda'), cost('CloudWatch')];
  const percent = (part: number) => `${Math.round((100 * part) / total)}%`;
  const creates = MIX.find(({ id }) => id === 'create')?.share ?? 0;
  const keyed = results.get('create-key') as Measured;
  const plain = results.get('create') as Measured;
  return [
    '| share | operation | RCU | WCU | Lambda ms | log bytes |',
    '|---:|---|---:|---:|---:|---:|',
    ...rows,
    `| | **per request, weighted** | **${fixed(rru)}** | **${fixed(wru)}** | **${fixed(ms)}** | **${fixed(logBytes, 0)}** |`,
    '',
    '| per million requests | arithmetic (per request) | cost |',
    '|---|---|---:|',
    ...lines.map(([what, how, cost]) => `| ${what} | ${how} | ${usd(cost)} |`),
    `| **total** | | **${usd(total)}** |`,
    '',
    `Of the total: API Gateway ${percent(PRICE.apiGatewayPerMillion)}, DynamoDB ${percent(dynamodb)}, Lambda ` +
      `${percent(lambda)}, CloudWatch Logs ${percent(logs)}. With an Idempotency-Key on every create ` +
      `(${keyed.wcu} WCU instead of ${plain.wcu}), writes cost ` +
      `${creates} × ${keyed.wcu - plain.wcu} × $${PRICE.writeRequestUnitPerMillion} = ` +
      `${usd(creates * (keyed.wcu - plain.wcu) * PRICE.writeRequestUnitPerMillion)} more per million requests.`,
  ].join('\n');
}

/** The doc with each `<!-- generated:NAME -->…<!-- /generated -->` block replaced by `blocks[NAME]`. */
function withBlocks(doc: string, blocks: Record<string, string>): string {
  return doc.replace(
    /(<!-- generated:(\w+) -->\n)(?:[\s\S]*?\n)??(<!-- \/generated -->)/g,
    (whole, open: string, name: string, close: string) =>
      blocks[name] === undefined ? whole : `${open}${blocks[name]}\n${close}`,
  );
}

before(async () => {
  store = await startTestStore();
  table = store.tableName;
  metered = meterClient(store.client, ['owner', 'id']);
  todos = service(metered.client);
  seeding = service(store.client);
});

after(async () => {
  await store?.close();
});

describe('capacity per operation', () => {
  const results = new Map<string, Measured>();

  before(async () => {
    for (const one of CASES) results.set(one.id, await one.run());
    for (const n of LIST_USERS) {
      for (const title of [SMALL_TITLE, LARGE_TITLE]) {
        const who = fresh();
        await seed(who, n, title);
        for (const limit of PAGE_SIZES) {
          results.set(listId(n, limit, title), await measure((s) => s.list(who, limit)));
        }
      }
    }
  });

  test('dynalite reports ConsumedCapacity, and it agrees with DynamoDB’s rules except where DynamoDB says otherwise', () => {
    const calls = [...results.values()].flatMap((m) => m.calls);
    assert.ok(calls.some((call) => call.reported !== undefined && call.reported > 0));
    const departures = new Set(calls.map(divergence).filter((why) => why !== undefined));
    // dynalite charges nothing for a Query that finds nothing; DynamoDB charges one read unit. Nothing else differs.
    assert.deepEqual([...departures], ['empty Query']);
    assert.ok(calls.some((call) => call.failedCondition && call.reported === undefined));
  });

  test('a filtered list stops after 5 reads of 100 items', () => {
    assert.equal(results.get('list-filtered')?.requests, 'Query ×5');
  });

  test('docs/costs.md holds exactly the measured figures', () => {
    const blocks = { operations: renderOperations(results), list: renderList(results), mix: renderMix(results) };
    if (process.env.UPDATE_COSTS_DOC === '1') writeFileSync(DOC, withBlocks(readFileSync(DOC, 'utf8'), blocks));
    const doc = readFileSync(DOC, 'utf8');
    const expected = withBlocks(doc, blocks);
    for (const name of Object.keys(blocks)) assert.match(doc, new RegExp(`<!-- generated:${name} -->`), name);
    assert.equal(doc, expected, 'docs/costs.md differs from the measurement: run with UPDATE_COSTS_DOC=1');
  });
});

// Timing is reported, never asserted (see ARCHITECTURE.md): run with COSTS_DURATIONS=1 to print it.
if (process.env.COSTS_DURATIONS === '1') {
  describe('warm handler durations (printed, not asserted)', () => {
    let child: ReturnType<typeof spawn> | undefined;
    let call: Invoke;
    let client: DynamoDbClient;

    before(async () => {
      // The store runs in a process of its own, so that the CPU time measured here is the handler's alone.
      child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          '-e',
          "import('./local/dynalite-server.ts').then((m) => m.startDynalite({ port: 0 })).then((d) => console.log(d.endpoint))",
        ],
        { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const endpoint = await new Promise<string>((resolveEndpoint, reject) => {
        child?.stdout?.once('data', (chunk: Buffer) => resolveEndpoint(chunk.toString().trim()));
        child?.once('exit', (code) => reject(new Error(`dynalite exited with ${code}`)));
      });
      const model = loadLocalModel('none');
      await createTables(endpoint, model.tables, model.region);
      client = createDynamoDbClient({ endpoint, region: model.region, credentials: LOCAL_CREDENTIALS });
      call = await importHandlers(lambdaEnvironment(model, endpoint));
    });

    after(() => {
      child?.kill();
    });

    test('median wall and CPU time per warm invocation, and log bytes per request', async (t) => {
      const ROUNDS = Number(process.env.COSTS_ROUNDS ?? 200);
      const created = async () =>
        (await call({ routeKey: 'POST /todos', body: { title: SMALL_TITLE } })).json as { id: string };
      const envTable = String(lambdaEnvironment(loadLocalModel('none'), 'http://x').TABLE_NAME);
      const seedAnonymous = async (n: number) => {
        const at = new Date().toISOString();
        const items = Array.from({ length: n }, () =>
          toItem({
            owner: 'anonymous',
            id: newId(),
            title: SMALL_TITLE,
            completed: false,
            createdAt: at,
            updatedAt: at,
            version: 'AbCdEfGhIjKl',
          }),
        );
        for (let i = 0; i < items.length; i += BATCH_SIZE) {
          const batch = items.slice(i, i + BATCH_SIZE).map((Item) => ({ PutRequest: { Item } }));
          await client.send('BatchWriteItem', { RequestItems: { [envTable]: batch } });
        }
      };
      const routes: [string, () => Promise<() => Promise<unknown>>][] = [
        ['create', async () => () => call({ routeKey: 'POST /todos', body: { title: SMALL_TITLE } })],
        [
          'create with Idempotency-Key',
          async () => () =>
            call({
              routeKey: 'POST /todos',
              body: { title: SMALL_TITLE },
              headers: { 'idempotency-key': crypto.randomUUID() },
            }),
        ],
        [
          'get',
          async () => {
            const { id } = await created();
            return () => call({ routeKey: 'GET /todos/{id}', pathParameters: { id } });
          },
        ],
        [
          'patch',
          async () => {
            const { id } = await created();
            return () => call({ routeKey: 'PATCH /todos/{id}', pathParameters: { id }, body: { completed: true } });
          },
        ],
        [
          'delete',
          async () => {
            const { id } = await created();
            return () => call({ routeKey: 'DELETE /todos/{id}', pathParameters: { id } });
          },
        ],
        [
          'list (limit 100 of 100)',
          async () => {
            await call({ routeKey: 'DELETE /todos' });
            await seedAnonymous(100);
            return () => call({ routeKey: 'GET /todos', query: 'limit=100' });
          },
        ],
        [
          'delete all (20)',
          async () => {
            await call({ routeKey: 'DELETE /todos' });
            await seedAnonymous(20);
            return () => call({ routeKey: 'DELETE /todos' });
          },
        ],
      ];
      const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)] ?? 0;
      const WARM_UP = 20;
      const report: Record<string, string> = {};
      // The functions' log lines are counted (what CloudWatch would ingest), not shown; setup's are dropped.
      const write = process.stdout.write;
      let logged = 0;
      process.stdout.write = ((chunk: string | Uint8Array) => {
        logged += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
        return true;
      }) as typeof process.stdout.write;
      try {
        for (const [name, prepare] of routes) {
          const wall: number[] = [];
          const cpu: number[] = [];
          let logBytes = 0;
          for (let round = 0; round < WARM_UP + ROUNDS; round++) {
            const invoke = await prepare();
            logged = 0;
            const cpuStart = process.cpuUsage();
            const started = performance.now();
            await invoke();
            const elapsed = performance.now() - started;
            const used = process.cpuUsage(cpuStart);
            // The first rounds warm the code (V8 optimises it, the connections open), as earlier requests would.
            if (round >= WARM_UP) {
              wall.push(elapsed);
              cpu.push((used.user + used.system) / 1000);
              logBytes += logged;
            }
          }
          report[name] =
            `wall ${median(wall).toFixed(2)} ms, CPU ${median(cpu).toFixed(2)} ms, log ${Math.round(logBytes / ROUNDS)} B/request`;
        }
      } finally {
        process.stdout.write = write;
      }
      t.diagnostic(`warm handler medians over ${ROUNDS} invocations (node ${process.version}):`);
      for (const [name, line] of Object.entries(report)) t.diagnostic(`${name}: ${line}`);
    });
  });
}
