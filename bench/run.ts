/**
 * `npm run bench`: each number measured as a ratio against a baseline taken side by side in the same run
 * (A B A B …, medians), because absolute times on a small shared machine are noise.
 *
 *  (a) cold start of the packaged create handler vs. a fresh process sending the same PutItem raw
 *  (b) warm GET /todos?limit=10 throughput of `npm start` vs. its store's raw read rate
 *  (w) warm POST /todos throughput of `npm start` vs. its store's raw write rate (the same PutItem)
 *      and, for (b) and (w), the server's CPU per request split into gateway, authorizer, handler and store,
 *      from CPU profiles of a separate run (node --cpu-prof), each sample charged to the nearest project frame
 *  (c) GET /todos?limit=10 latency with 10,000 items of other owners in the table vs. 20 (`--large`: 100,000)
 *  (s) `npm start` to its first served request, and the functions' bundle sizes
 *  (d) DynamoDB requests per PATCH with If-Match vs without (no extra request: the check is in the write)
 *  (e) DynamoDB requests per create with an Idempotency-Key vs without (at most two extra)
 *  (f) POST /todos latency with an Idempotency-Key vs without (reported, no bar)
 *  (g) cold import of the todo service made idempotent with AWS Powertools' utility vs with ours (reported)
 *  (h) cold import of the request telemetry written with Powertools' Logger and Metrics vs ours, logging one request
 *  (i) client CPU per list call: ours vs aws-lite vs the AWS SDK v3
 *  (j) cold import + a create's body checked with zod vs with src/todos/validation.ts (bench/coldstart/imports.ts)
 *  (k) cold import + a PutItem signed with aws4 vs with src/store/sigv4.ts
 *
 * `npm run bench -- --only b,w,s` runs only the listed measures (a b c w s d e f g h i j k); `--large` makes (c) 100,000.
 * `npm run bench -- memory` runs only the memory measure instead (about six minutes on 2 cores): after 20,000 to warm up, 100,000
 * GET /todos?limit=10 through `npm start`, the RSS of its processes and the throughput of the first and last 10,000, with dynalite's iterators
 * left open (DYNALITE_ITERATOR_FIX=off, as dynalite 4 does by itself) and closed (local/dynalite-compat.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import awsLite from '@aws-lite/client';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { monotonicFactory } from 'ulid';
import { issueToken, LOCAL_ISSUER, loadSigningKey, localSubject } from '../local/issuer.js';
import { PROJECT_ROOT } from '../local/paths.js';
import { LOCAL_CREDENTIALS } from '../local/tables.js';
import { tokenOwner } from '../src/http/owner.js';
import { createDynamoDbClient, type DynamoDbClient, type Operation, type Operations } from '../src/store/dynamodb.js';
import { createDynamoIdempotencyStore } from '../src/store/idempotency-store.js';
import { BATCH_SIZE, putTodoRequest, queryTodosRequest, toItem } from '../src/store/requests.js';
import { createDynamoTodoRepository } from '../src/store/todo-repository.js';
import { createTodoService } from '../src/todos/service.js';
import { packageService, unpackFunction } from '../tools/package.js';
import { readZip } from '../tools/zip.js';
import { signingImport, validationImport } from './coldstart/imports.js';
import {
  CATEGORIES,
  perRequest,
  processCpuMicros,
  processTree,
  readProfiles,
  threadCpuMicros,
  type Usage,
} from './cpu-split.js';
import { median, middleHalf, type Result } from './result.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
/** `--only a,b,w`: the measures to run (all by default); `--large`: (c) with 100,000 items instead of 10,000. */
const ONLY = (() => {
  const at = process.argv.indexOf('--only');
  return at === -1 ? undefined : new Set((process.argv[at + 1] ?? '').split(','));
})();
const wanted = (measure: string) => !ONLY || ONLY.has(measure);
const LARGE = process.argv.includes('--large') ? 100_000 : 10_000;
/** Requests of each profiled load, and starts of `npm start` timed. */
const PROFILED_REQUESTS = Number(process.env.BENCH_PROFILED_REQUESTS ?? 3000);
const START_RUNS = Number(process.env.BENCH_START_RUNS ?? 11);
// Requests in flight for (b): enough to keep the server busy, so that it measures throughput, not latency.
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
/**
 * Requests each side of (b) and (w) serves before it is measured: enough for V8 to have optimised the hot code of
 * the whole request path. (Measured round by round: the API's first 1,500 requests or so run at half its warm rate,
 * still compiling in threads that compete for the CPU, and a few hundred left its first rounds measuring that.)
 */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5000);
/** Requests per measured round of (b) and (w). */
const ROUND_REQUESTS = Number(process.env.BENCH_ROUND_REQUESTS ?? 1000);
// The benchmark runs the default mode: every request carries a token of the local issuer, checked by the gateway.
const USER = 'bench';
const OWNER = tokenOwner(LOCAL_ISSUER, localSubject(USER));

interface LocalServer {
  pid: number;
  /** The Authorization header of the benchmark's user. */
  authorization: string;
  /** From spawning the process to the first answered GET /todos. */
  firstRequestMs: number;
  url: string;
  dynamodbEndpoint: string;
  tableName: string;
  stop(): Promise<void>;
}

/** Starts `npm start`'s entry point as its own process, on free ports, with its own data directory. */
async function startServer(
  dataDir: string,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<LocalServer> {
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, ...(await startCommand())], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, PORT: '0', DYNAMODB_PORT: '0', DATA_DIR: dataDir, AUTH_MODE: 'oidc', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const spawned = performance.now();
  const ready = await new Promise<{ url: string; endpoint: string }>((resolveReady, reject) => {
    const listen = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /listening on (\S+)/.exec(output)?.[1];
      const endpoint = /DynamoDB endpoint (\S+)/.exec(output)?.[1];
      if (url && endpoint) {
        // From now on it prints a line per request, which nobody reads here: drain it, keep none.
        child.stdout?.off('data', listen);
        child.stdout?.resume();
        resolveReady({ url, endpoint });
      }
    };
    child.stdout?.on('data', listen);
    child.once('exit', (code) => reject(new Error(`local server exited with ${code}: ${output}`)));
  });
  // Time to the first answered request, as a user sees it after typing `npm start` (informational).
  // (The server made the issuer's key in dataDir before it said it was listening.)
  const authorization = `Bearer ${await issueToken(await loadSigningKey(dataDir), USER, { expiresIn: '2h' })}`;
  const first = () =>
    request(`${ready.url}/todos?limit=1`, { headers: { authorization } }).catch(() => ({ status: 0 }));
  while ((await first()).status !== 200);
  const firstRequestMs = performance.now() - spawned;
  return {
    pid: child.pid ?? 0,
    firstRequestMs,
    authorization,
    url: ready.url,
    dynamodbEndpoint: ready.endpoint,
    tableName: 'todo-api-local-todos',
    stop: () =>
      new Promise((done) => {
        child.once('exit', () => done());
        child.kill('SIGINT');
      }),
  };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

function request(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<{ status: number; body: string }>((resolveRequest, reject) => {
    const req = http.request(url, { method: init.method ?? 'GET', headers: init.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolveRequest({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** The same Query the list handler sends, sent straight to the store with nothing around it. */
// The local store checks that a request is signed, not the signature: a fixed header is the cheapest "raw" request.
const RAW_QUERY_HEADERS = {
  'content-type': 'application/x-amz-json-1.0',
  'x-amz-target': 'DynamoDB_20120810.Query',
  authorization:
    'AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
  'x-amz-date': '20200101T000000Z',
};

function rawQuery(server: LocalServer) {
  const body = JSON.stringify(queryTodosRequest(server.tableName, OWNER, 11));
  return async () => {
    const res = await request(server.dynamodbEndpoint, { method: 'POST', headers: RAW_QUERY_HEADERS, body });
    if (res.status !== 200) throw new Error(`raw Query failed: ${res.status} ${res.body}`);
  };
}

/** Both sides of (b) must read the same items, or the comparison means nothing: check it once. */
async function sameItems(server: LocalServer): Promise<void> {
  const api = await request(`${server.url}/todos?limit=10`, { headers: { authorization: server.authorization } });
  const raw = await request(server.dynamodbEndpoint, {
    method: 'POST',
    headers: RAW_QUERY_HEADERS,
    body: JSON.stringify(queryTodosRequest(server.tableName, OWNER, 11)),
  });
  const apiIds = (JSON.parse(api.body) as Array<{ id: string }>).map((t) => t.id);
  const rawIds = (JSON.parse(raw.body) as { Items: Array<{ id: { S: string } }> }).Items.map((i) => i.id.S);
  if (apiIds.length !== 10 || JSON.stringify(rawIds.slice(0, 10)) !== JSON.stringify(apiIds)) {
    throw new Error(`(b) compares different reads: API ${apiIds.length} todos, raw Query ${rawIds.length} items`);
  }
}

const RAW_PUT_HEADERS = { ...RAW_QUERY_HEADERS, 'x-amz-target': 'DynamoDB_20120810.PutItem' };
const newTodoId = monotonicFactory();

/** The PutItem the create handler sends (src/store/requests.ts builds both), straight to the store. */
function rawPut(server: LocalServer) {
  return async () => {
    const at = new Date().toISOString();
    const todo = {
      owner: OWNER,
      id: newTodoId(),
      title: 'bench write',
      completed: false,
      createdAt: at,
      updatedAt: at,
    };
    const body = JSON.stringify(putTodoRequest(server.tableName, { ...todo, version: newTodoId().slice(-12) }));
    const res = await request(server.dynamodbEndpoint, { method: 'POST', headers: RAW_PUT_HEADERS, body });
    if (res.status !== 200) throw new Error(`raw PutItem failed: ${res.status} ${res.body}`);
  };
}

function apiCreate(server: LocalServer) {
  const headers = { 'content-type': 'application/json', authorization: server.authorization };
  return async () => {
    const res = await request(`${server.url}/todos`, { method: 'POST', headers, body: '{"title":"bench write"}' });
    if (res.status !== 201) throw new Error(`POST /todos failed: ${res.status} ${res.body}`);
  };
}

/** The stored item's attributes and their types, by name. */
function shape(item: Record<string, Record<string, unknown>>): string {
  return Object.entries(item)
    .map(([name, value]) => `${name}:${Object.keys(value).join('')}`)
    .sort()
    .join(',');
}

/** Both sides of (w) must write the same items, or the comparison means nothing: check it once. */
async function sameWrites(server: LocalServer): Promise<void> {
  await apiCreate(server)();
  await rawPut(server)();
  const query = JSON.stringify({ ...queryTodosRequest(server.tableName, OWNER, 2), ScanIndexForward: false });
  const listed = await request(server.dynamodbEndpoint, { method: 'POST', headers: RAW_QUERY_HEADERS, body: query });
  const items = (JSON.parse(listed.body) as { Items: Array<Record<string, Record<string, unknown>>> }).Items;
  const [raw, api] = items;
  if (!raw || !api || raw.title?.S !== 'bench write' || api.title?.S !== 'bench write' || shape(raw) !== shape(api)) {
    throw new Error(`(w) compares different writes: API ${api && shape(api)}, raw ${raw && shape(raw)}`);
  }
}

function apiList(server: LocalServer) {
  return async () => {
    const res = await request(`${server.url}/todos?limit=10`, { headers: { authorization: server.authorization } });
    if (res.status !== 200) throw new Error(`GET /todos failed: ${res.status} ${res.body}`);
  };
}

/** Requests per second for `count` calls, `concurrency` at a time. */
async function rate(call: () => Promise<void>, count: number, concurrency: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) await call();
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

/** Median latency in ms of `count` sequential calls. */
async function latency(call: () => Promise<void>, count: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await call();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

/** Wall time in ms of a fresh `node` process running `args`, which must exit 0. */
function timeProcess(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolveTime, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('exit', (code) => {
      if (code === 0) resolveTime(performance.now() - started);
      else reject(new Error(`node ${args.join(' ')} exited with ${code}`));
    });
  });
}

async function createTodos(server: LocalServer, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const res = await request(`${server.url}/todos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: server.authorization },
      body: JSON.stringify({ title: `bench ${i}` }),
    });
    if (res.status !== 201) throw new Error(`POST /todos failed: ${res.status}`);
  }
}

/** Fills the table with `count` todos spread over other owners (straight into the store, for speed). */
async function seedOthers(server: LocalServer, count: number): Promise<void> {
  const client = createDynamoDbClient({
    endpoint: server.dynamodbEndpoint,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
  const newId = monotonicFactory();
  const at = new Date().toISOString();
  const puts = Array.from({ length: count }, (_, i) => ({
    PutRequest: {
      Item: toItem({
        owner: `other-${i % 500}`,
        id: newId(),
        title: `someone else's todo ${i}`,
        completed: false,
        createdAt: at,
        updatedAt: at,
        version: 'bench',
      }),
    },
  }));
  const batches: Array<typeof puts> = [];
  for (let i = 0; i < count; i += BATCH_SIZE) batches.push(puts.slice(i, i + BATCH_SIZE));
  for (let i = 0; i < batches.length; i += 4) {
    await Promise.all(
      batches.slice(i, i + 4).map(async (batch) => {
        let items = batch;
        while (items.length > 0) {
          const out = await client.send('BatchWriteItem', { RequestItems: { [server.tableName]: items } });
          items = (out.UnprocessedItems?.[server.tableName] ?? []) as typeof puts;
        }
      }),
    );
  }
}

/** Each function's bundled code and zip, from the packaging of (a). */
const bundleSizes: string[] = [];

async function coldStart(server: LocalServer, work: string): Promise<Result> {
  process.stdout.write('(a) packaging with osls and measuring cold starts...\n');
  const packaged = await packageService('bench');
  const { file: bundle } = await unpackFunction(packaged, 'createTodo', 'src/handlers/create.handler', work);
  for (const zip of (await readdir(packaged.dir)).filter((file) => file.endsWith('.zip')).sort()) {
    const entries = await readZip(join(packaged.dir, zip));
    const code = [...entries].filter(([name]) => name.endsWith('.mjs')).reduce((n, [, body]) => n + body.length, 0);
    const zipped = (await readFile(join(packaged.dir, zip))).length;
    bundleSizes.push(
      `${zip.replace(/\.zip$/, '')} ${(code / 1024).toFixed(1)} KiB (${(zipped / 1024).toFixed(1)} KiB zipped)`,
    );
  }
  await packaged.remove();
  const env = {
    PATH: process.env.PATH ?? '',
    TABLE_NAME: server.tableName,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: server.dynamodbEndpoint,
    PUBLIC_BASE_URL: '',
    // As packaged by default (Cognito); the event carries the claims API Gateway's authorizer would pass.
    AUTH_MODE: 'cognito',
  };
  const handlerArgs = [resolve(PROJECT_ROOT, 'bench/cold-handler.mjs'), pathToFileURL(bundle).href];
  const rawArgs = [resolve(PROJECT_ROOT, 'bench/cold-raw.mjs'), server.dynamodbEndpoint, server.tableName];
  await timeProcess(handlerArgs, env); // warm the OS file cache for both
  await timeProcess(rawArgs, env);
  const ours: number[] = [];
  const raw: number[] = [];
  for (let i = 0; i < ROUNDS * 3; i++) {
    ours.push(await timeProcess(handlerArgs, env));
    raw.push(await timeProcess(rawArgs, env));
  }
  const ratio = median(ours) / median(raw);
  return {
    name: '(a) cold start: packaged create handler, fresh process',
    ours: `${median(ours).toFixed(1)} ms (${spread(ours, 1)})`,
    baseline: `${median(raw).toFixed(1)} ms (${spread(raw, 1)}; raw PutItem)`,
    ratio,
    bar: '<= 1.10x',
    pass: ratio <= 1.1,
  };
}

/** The middle half of a measure's samples, as printed beside its median ("middle half 55.2–61.0"). */
function spread(values: number[], digits: number): string {
  const [low, high] = middleHalf(values);
  return `middle half ${low.toFixed(digits)}–${high.toFixed(digits)}`;
}

/**
 * `api` ÷ `raw` in requests per second, each side warmed up equally, then alternating rounds of ROUND_REQUESTS with
 * CONCURRENCY in flight (medians); `same` first checks that both sides do the same work in the store.
 */
async function warmRates(
  name: string,
  same: () => Promise<void>,
  api: () => Promise<void>,
  raw: () => Promise<void>,
  rawName: string,
): Promise<Result> {
  await same();
  await rate(api, WARMUP, CONCURRENCY);
  await rate(raw, WARMUP, CONCURRENCY);
  const ours: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    ours.push(await rate(api, ROUND_REQUESTS, CONCURRENCY));
    base.push(await rate(raw, ROUND_REQUESTS, CONCURRENCY));
  }
  const ratio = median(ours) / median(base);
  return {
    name,
    ours: `${median(ours).toFixed(0)} req/s (${spread(ours, 0)})`,
    baseline: `${median(base).toFixed(0)} req/s (${spread(base, 0)}; ${rawName})`,
    ratio,
    bar: '>= 0.7x',
    pass: ratio >= 0.7,
  };
}

function warmThroughput(server: LocalServer): Promise<Result> {
  process.stdout.write('(b) measuring warm throughput...\n');
  const name = '(b) warm GET /todos?limit=10 through npm start';
  return warmRates(name, () => sameItems(server), apiList(server), rawQuery(server), 'raw Query');
}

function warmWrites(server: LocalServer): Promise<Result> {
  process.stdout.write('(w) measuring warm write throughput...\n');
  const name = '(w) warm POST /todos through npm start';
  return warmRates(name, () => sameWrites(server), apiCreate(server), rawPut(server), 'raw PutItem');
}

const micros = () => Number(process.hrtime.bigint() / 1000n);

/** One load of the split: its window (monotonic µs, the clock of V8's profiles) and what the server used in it. */
interface Load {
  name: string;
  from: number;
  to: number;
  usage: Usage;
}

/**
 * Runs each load on `server` and reads what CPU each thread of its process (and any other process of it) used
 * meanwhile, from /proc, after the same warm-up as (b) and (w). After only 500 requests a window still catches V8
 * optimising the request path: measured in windows of 1,500 (b) requests, the server used 1,733 µs per request in
 * the first after 500, 1,013 µs in the next, and 813–980 µs from then on.
 */
async function loadWindows(server: LocalServer): Promise<Load[]> {
  await createTodos(server, 10);
  const loads: Array<[string, () => Promise<void>]> = [
    ['(b) GET /todos?limit=10', apiList(server)],
    ['(w) POST /todos', apiCreate(server)],
  ];
  const measured: Load[] = [];
  for (const [name, call] of loads) {
    await rate(call, WARMUP, CONCURRENCY);
    const others = (await processTree(server.pid)).filter((pid) => pid !== server.pid);
    const before = { threads: await threadCpuMicros(server.pid), others: await processesCpu(others) };
    const from = micros();
    await rate(call, PROFILED_REQUESTS, CONCURRENCY);
    const to = micros();
    const after = { threads: await threadCpuMicros(server.pid), others: await processesCpu(others) };
    const threads = new Map([...after.threads].map(([tid, cpu]) => [tid, cpu - (before.threads.get(tid) ?? 0)]));
    measured.push({
      name,
      from,
      to,
      usage: {
        requests: PROFILED_REQUESTS,
        threads,
        mainTid: server.pid,
        otherProcesses: after.others - before.others,
      },
    });
  }
  return measured;
}

/** The CPU µs the processes `pids` have used, together. */
async function processesCpu(pids: number[]): Promise<number> {
  const each = await Promise.all(pids.map((pid) => processCpuMicros(pid)));
  return each.reduce<number>((sum, cpu) => sum + (cpu ?? 0), 0);
}

/**
 * (b) and (w)'s CPU per request, by part (bench/cpu-split.ts): each thread's CPU from /proc on a server run as usual,
 * and its main thread's divided by the shares of a CPU profile of a second server run with `--cpu-prof` (profiling
 * itself costs CPU, so the profiled run's own microseconds are not used).
 */
async function cpuSplit(work: string): Promise<string[]> {
  process.stdout.write("(b), (w) measuring the server's CPU per request, then profiling it...\n");
  const plain = await startServer(join(work, 'plain'));
  let usages: Load[];
  try {
    usages = await loadWindows(plain);
  } finally {
    await plain.stop();
  }
  const profiles = join(work, 'profiles');
  // (A process the server forks inherits these flags, and writes a profile of its own.)
  const server = await startServer(join(work, 'profiled'), {}, ['--cpu-prof', `--cpu-prof-dir=${profiles}`]);
  let windows: Load[];
  try {
    windows = await loadWindows(server);
  } finally {
    await server.stop();
  }
  const mainProfiles = (await readProfiles(profiles)).get(server.pid) ?? [];
  return windows.map((window, i) => {
    const usage = usages[i]?.usage;
    if (!usage) throw new Error(`cpu split: no usage measured for ${window.name}`);
    const split = perRequest(mainProfiles, window, usage);
    if (split.gateway === 0) throw new Error("cpu split: the profile of the server's process shows no gateway");
    const total = CATEGORIES.reduce((sum, category) => sum + split[category], 0);
    const parts = CATEGORIES.map((category) => `${category} ${split[category].toFixed(0)}`);
    return `${window.name} server CPU per request: ${total.toFixed(0)} µs = ${parts.join(' + ')}`;
  });
}

/** The command `npm start` runs (package.json), as arguments of this Node.js. */
async function startCommand(): Promise<string[]> {
  const { scripts } = JSON.parse(await readFile(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const [command, ...args] = scripts.start.split(' ');
  if (command === 'tsx') return ['--import', 'tsx', ...args];
  if (command === 'node') return args;
  throw new Error(`bench: cannot run the start script ${JSON.stringify(scripts.start)} without npm`);
}

/**
 * (s): `npm start`, typed as a person types it, to its first served request (GET /todos with a token), on a data
 * directory that already exists (the first start, which makes the key and the tables, is not counted).
 */
async function startTimes(work: string): Promise<{ line: string; pass: boolean }> {
  process.stdout.write('(s) timing npm start...\n');
  const dataDir = join(work, 'start');
  const once = async (): Promise<number> => {
    const started = performance.now();
    const child = spawn('npm', ['start'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, PORT: '0', DYNAMODB_PORT: '0', DATA_DIR: dataDir, AUTH_MODE: 'oidc' },
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    });
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    try {
      let output = '';
      const url = await new Promise<string>((resolveUrl, reject) => {
        child.stdout?.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const found = /listening on (\S+)/.exec(output)?.[1];
          if (found) resolveUrl(found);
        });
        child.once('exit', (code) => reject(new Error(`npm start exited with ${code}: ${output}`)));
      });
      const authorization = `Bearer ${await issueToken(await loadSigningKey(dataDir), USER)}`;
      for (;;) {
        const res = await request(`${url}/todos?limit=1`, { headers: { authorization } }).catch(() => ({ status: 0 }));
        if (res.status === 200) break;
      }
      return performance.now() - started;
    } finally {
      // npm and the server it started: the whole process group.
      if (child.pid) process.kill(-child.pid, 'SIGINT');
      await exited;
    }
  };
  await once();
  const times: number[] = [];
  for (let i = 0; i < START_RUNS; i++) times.push(await once());
  const max = Math.max(...times);
  const pass = median(times) <= 600 && max <= 1000;
  const line =
    `(s) npm start to its first served request: median ${median(times).toFixed(0)} ms, max ${max.toFixed(0)} ms ` +
    `over ${START_RUNS} starts (bar: median <= 600 ms, max <= 1000 ms) ${pass ? 'PASS' : 'FAIL'}`;
  return { line, pass };
}

async function listAsTableGrows(small: LocalServer, large: LocalServer): Promise<Result> {
  process.stdout.write(`(c) measuring list latency, 20 vs ${LARGE.toLocaleString('en')} items in the table...\n`);
  const calls = {
    small: apiList(small),
    large: apiList(large),
    smallRaw: rawQuery(small),
    largeRaw: rawQuery(large),
  };
  const ms: Record<keyof typeof calls, number[]> = { small: [], large: [], smallRaw: [], largeRaw: [] };
  // Equal warm-up, so both servers' code is equally optimised by V8 before anything is timed.
  for (const call of Object.values(calls)) await latency(call, 300);
  // Interleaved request by request, so that both tables see the same moments of a busy machine.
  for (let round = 0; round < ROUNDS; round++) {
    const samples: Record<keyof typeof calls, number[]> = { small: [], large: [], smallRaw: [], largeRaw: [] };
    for (let i = 0; i < 100; i++) {
      for (const [name, call] of Object.entries(calls))
        samples[name as keyof typeof calls].push(await latency(call, 1));
    }
    for (const name of Object.keys(ms) as Array<keyof typeof calls>) ms[name].push(median(samples[name]));
  }
  const ratio = median(ms.large) / median(ms.small);
  // The store's own Query latency over the same two tables, to tell its growth from ours.
  const storeRatio = median(ms.largeRaw) / median(ms.smallRaw);
  return {
    name: `(c) GET /todos?limit=10 latency, ${LARGE.toLocaleString('en')} vs 20 items`,
    ours: `${median(ms.large).toFixed(2)} ms`,
    baseline: `${median(ms.small).toFixed(2)} ms (20 items; store alone ${storeRatio.toFixed(2)}x)`,
    ratio,
    bar: '<= 1.1x',
    pass: ratio <= 1.1,
  };
}

/** The SDK v3 command of each operation our client sends. */
const SDK_COMMANDS = {
  BatchWriteItem: BatchWriteItemCommand,
  CreateTable: CreateTableCommand,
  DescribeTable: DescribeTableCommand,
  DeleteItem: DeleteItemCommand,
  GetItem: GetItemCommand,
  PutItem: PutItemCommand,
  Query: QueryCommand,
  UpdateItem: UpdateItemCommand,
} as const;

/**
 * The same client interface over the AWS SDK v3, for comparison only (the functions never ship it). The repository
 * sends DynamoDB JSON, which is exactly what the SDK's low-level commands take.
 */
function sdkClient(endpoint: string): DynamoDbClient {
  const sdk = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  return {
    async send<O extends Operation>(operation: O, input: Operations[O]['input']) {
      const Command = SDK_COMMANDS[operation] as unknown as new (input: Operations[O]['input']) => QueryCommand;
      return (await sdk.send(new Command(input))) as Operations[O]['output'];
    },
  };
}

/**
 * The same client interface over aws-lite's core client (the one `@aws-lite/dynamodb` is built on), sending the
 * same DynamoDB JSON with its marshalling turned off, so that only the transports differ.
 */
async function awsLiteClient(endpoint: string): Promise<DynamoDbClient> {
  const aws = await awsLite({ region: 'us-east-1', endpoint, ...LOCAL_CREDENTIALS, autoloadPlugins: false });
  return {
    async send<O extends Operation>(operation: O, input: Operations[O]['input']) {
      const response = await aws({
        service: 'dynamodb',
        path: '/',
        headers: { 'X-Amz-Target': `DynamoDB_20120810.${operation}`, 'content-type': 'application/x-amz-json-1.0' },
        payload: input,
        awsjson: false,
      });
      return response.payload as Operations[O]['output'];
    },
  };
}

/**
 * Why the functions carry their own DynamoDB client: CPU time of this process per list call (what Lambda bills)
 * through this project's client, aws-lite and the AWS SDK v3: same repository, same store, alternating rounds.
 */
async function clientCpu(server: LocalServer): Promise<string> {
  process.stdout.write('(i) measuring DynamoDB client CPU: ours vs aws-lite vs AWS SDK v3...\n');
  const clients: Record<string, DynamoDbClient> = {
    ours: createDynamoDbClient({
      endpoint: server.dynamodbEndpoint,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    }),
    'aws-lite': await awsLiteClient(server.dynamodbEndpoint),
    'AWS SDK v3': sdkClient(server.dynamodbEndpoint),
  };
  const cpuPerCall = async (client: DynamoDbClient, calls: number) => {
    const repository = createDynamoTodoRepository(client, server.tableName);
    const before = process.cpuUsage();
    for (let i = 0; i < calls; i++) {
      const page = await repository.list(OWNER, 10);
      if (page.items.length !== 10) throw new Error(`a list call read ${page.items.length} todos, not 10`);
    }
    const used = process.cpuUsage(before);
    return (used.user + used.system) / calls;
  };
  const samples = new Map(Object.keys(clients).map((name) => [name, [] as number[]]));
  for (const client of Object.values(clients)) await cpuPerCall(client, 200);
  for (let i = 0; i < ROUNDS; i++) {
    for (const [name, client] of Object.entries(clients)) samples.get(name)?.push(await cpuPerCall(client, 300));
  }
  const ours = median(samples.get('ours') ?? []);
  const others = [...samples].filter(([name]) => name !== 'ours');
  return (
    `(i) client CPU per list call: ours ${ours.toFixed(0)} µs, ` +
    others
      .map(([name, values]) => `${name} ${median(values).toFixed(0)} µs (${(median(values) / ours).toFixed(2)}x)`)
      .join(', ')
  );
}

/** A DynamoDB client that counts the requests sent through it. */
function countingClient(endpoint: string) {
  const inner = createDynamoDbClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  let sent = 0;
  const client: DynamoDbClient = {
    send(operation, input) {
      sent++;
      return inner.send(operation, input);
    },
  };
  /** The requests sent since the last call. */
  const take = () => {
    const n = sent;
    sent = 0;
    return n;
  };
  return { client, take };
}

/**
 * (d) and (e): DynamoDB requests per write, counted under the handlers' own service, repository and idempotency
 * store (each handler makes exactly one service call): a PATCH with If-Match against one without, and a create with
 * an Idempotency-Key against one without.
 */
async function storeRequests(server: LocalServer): Promise<Result[]> {
  process.stdout.write('(d, e) counting DynamoDB requests per write...\n');
  const { client, take } = countingClient(server.dynamodbEndpoint);
  const service = createTodoService({
    repository: createDynamoTodoRepository(client, server.tableName),
    idempotency: createDynamoIdempotencyStore(client, server.tableName),
  });
  const input = { title: 'counted', completed: false };
  const todo = await service.create(OWNER, input);
  const plainCreate = take();
  const patched = await service.update(OWNER, todo.id, { completed: true });
  const plainPatch = take();
  await service.update(OWNER, todo.id, { completed: false }, { oneOf: [patched.version] });
  const conditionalPatch = take();
  const key = `bench-${Date.now()}`;
  await service.createIdempotent(OWNER, input, { key });
  const keyedCreate = take();
  await service.createIdempotent(OWNER, input, { key });
  const replay = take();
  return [
    {
      name: '(d) DynamoDB requests per PATCH, with If-Match',
      ours: `${conditionalPatch}`,
      baseline: `${plainPatch} (without If-Match)`,
      ratio: conditionalPatch / plainPatch,
      bar: 'no extra',
      pass: conditionalPatch === plainPatch,
    },
    {
      name: '(e) DynamoDB requests per POST, with Idempotency-Key',
      ours: `${keyedCreate} (replay: ${replay})`,
      baseline: `${plainCreate} (without a key)`,
      ratio: keyedCreate / plainCreate,
      bar: '<= 2 extra',
      pass: keyedCreate - plainCreate <= 2,
    },
  ];
}

/** (f) What an idempotent create costs in time: POST /todos through npm start with a new key each time, or none. */
async function keyedCreateLatency(server: LocalServer): Promise<Result> {
  process.stdout.write('(f) measuring POST /todos latency with and without an Idempotency-Key...\n');
  let n = 0;
  const post = (keyed: boolean) => async () => {
    const headers: Record<string, string> = { 'content-type': 'application/json', authorization: server.authorization };
    if (keyed) headers['idempotency-key'] = `bench-latency-${process.pid}-${n++}`;
    const res = await request(`${server.url}/todos`, { method: 'POST', headers, body: '{"title":"latency"}' });
    if (res.status !== 201) throw new Error(`POST /todos failed: ${res.status} ${res.body}`);
  };
  const calls = { keyed: post(true), plain: post(false) };
  for (const call of Object.values(calls)) await latency(call, 100);
  const ms = { keyed: [] as number[], plain: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    const samples = { keyed: [] as number[], plain: [] as number[] };
    for (let i = 0; i < 50; i++) {
      samples.keyed.push(await latency(calls.keyed, 1));
      samples.plain.push(await latency(calls.plain, 1));
    }
    ms.keyed.push(median(samples.keyed));
    ms.plain.push(median(samples.plain));
  }
  return {
    name: '(f) POST /todos latency, with Idempotency-Key',
    ours: `${median(ms.keyed).toFixed(2)} ms`,
    baseline: `${median(ms.plain).toFixed(2)} ms (without a key)`,
    ratio: median(ms.keyed) / median(ms.plain),
    bar: 'reported',
    pass: true,
    informational: true,
  };
}

/**
 * (g) Why idempotency is the project's own: a fresh process importing the todo service made idempotent with AWS
 * Powertools' idempotency utility (over our client) against one importing it with the project's idempotency store,
 * both bundled as the functions are (esbuild, ESM, minified), alternating. Import is where a library's weight shows
 * in a cold start.
 */
/** Median wall time of a fresh `node` importing `bench/<dir>/ours.ts` and `powertools.ts`, each bundled as a function. */
async function coldImports(
  work: string,
  dir: string,
): Promise<Record<'ours' | 'powertools', { ms: number; kib: string }>> {
  const esbuild = await import('esbuild');
  const bundles: Record<string, { file: string; bytes: number }> = {};
  for (const name of ['ours', 'powertools']) {
    const file = join(work, `${dir}-${name}.mjs`);
    const result = await esbuild.build({
      entryPoints: [resolve(PROJECT_ROOT, `bench/${dir}/${name}.ts`)],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      minify: true,
      outfile: file,
      banner: { js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);' },
      metafile: true,
      logLevel: 'warning',
    });
    bundles[name] = { file, bytes: Object.values(result.metafile.outputs)[0]?.bytes ?? 0 };
  }
  const importArgs = (file: string) => [
    '--input-type=module',
    '-e',
    `await import(${JSON.stringify(pathToFileURL(file).href)})`,
  ];
  const env = { PATH: process.env.PATH ?? '' };
  const samples: Record<string, number[]> = { ours: [], powertools: [] };
  for (const name of Object.keys(samples)) await timeProcess(importArgs(bundles[name]?.file ?? ''), env);
  for (let i = 0; i < ROUNDS * 3; i++) {
    for (const name of Object.keys(samples))
      samples[name]?.push(await timeProcess(importArgs(bundles[name]?.file ?? ''), env));
  }
  const kib = (name: string) => `${((bundles[name]?.bytes ?? 0) / 1024).toFixed(0)} KiB`;
  return {
    ours: { ms: median(samples.ours ?? []), kib: kib('ours') },
    powertools: { ms: median(samples.powertools ?? []), kib: kib('powertools') },
  };
}

async function idempotencyImport(work: string): Promise<Result> {
  process.stdout.write('(g) measuring the cold import of an idempotency layer: Powertools vs ours...\n');
  const { ours, powertools } = await coldImports(work, 'idempotency');
  return {
    name: '(g) cold import, service + Powertools idempotency',
    ours: `${powertools.ms.toFixed(1)} ms (${powertools.kib})`,
    baseline: `${ours.ms.toFixed(1)} ms (${ours.kib}, our store)`,
    ratio: powertools.ms / ours.ms,
    bar: 'reported',
    pass: true,
    informational: true,
  };
}

/**
 * (h) The measurement behind src/telemetry.ts: a fresh process importing the telemetry and logging one request with
 * its metrics, as written with Powertools' Logger and Metrics ÷ as written in the project. Powertools is the
 * ecosystem's standard; the project writes its own lines only because this says Powertools costs a cold start more
 * than a third of a fresh process's time.
 */
async function telemetryImport(work: string): Promise<Result> {
  process.stdout.write('(h) measuring the cold import of the telemetry: Powertools vs ours...\n');
  const { ours, powertools } = await coldImports(work, 'telemetry');
  return {
    name: '(h) cold import + first log line, Powertools',
    ours: `${powertools.ms.toFixed(1)} ms (${powertools.kib})`,
    baseline: `${ours.ms.toFixed(1)} ms (${ours.kib}, src/telemetry.ts)`,
    ratio: powertools.ms / ours.ms,
    bar: 'reported',
    pass: true,
    informational: true,
  };
}

/** Resident memory, in MiB, of a process and all of its descendants (from /proc: Linux only). */
async function treeRssMiB(pid: number): Promise<number> {
  const tree = await processTree(pid);
  let kib = 0;
  for (const member of tree) {
    try {
      const status = await readFile(`/proc/${member}/status`, 'utf8');
      kib += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch {
      // Gone meanwhile.
    }
  }
  return kib / 1024;
}

const MEMORY_REQUESTS = Number(process.env.BENCH_MEMORY_REQUESTS ?? 100_000);
const MEMORY_CHUNK = 10_000;
/**
 * Requests before the measure starts: in its first 20,000 or so, a fresh server's RSS climbs by about 90 MiB as V8
 * sizes its heap and LevelDB its caches, then stays flat (measured: 153 → 247 MiB at 20,000, 277 MiB at 100,000).
 */
const MEMORY_WARMUP = Number(process.env.BENCH_MEMORY_WARMUP ?? 20_000);

/** One server's run of the memory measure: RSS and throughput over MEMORY_REQUESTS list calls. */
async function memoryRun(work: string, label: string, env: Record<string, string>) {
  const server = await startServer(join(work, label), env);
  try {
    await createTodos(server, 20);
    const api = apiList(server);
    const coldMiB = await treeRssMiB(server.pid);
    await rate(api, MEMORY_WARMUP, CONCURRENCY); // warm-up: JIT, heap sizing, caches, sockets
    const startMiB = await treeRssMiB(server.pid);
    const rates: number[] = [];
    for (let done = 0; done < MEMORY_REQUESTS; done += MEMORY_CHUNK) {
      rates.push(await rate(api, MEMORY_CHUNK, CONCURRENCY));
      process.stdout.write(
        `  ${label}: ${done + MEMORY_CHUNK} requests, ${rates.at(-1)?.toFixed(0)} req/s, ` +
          `RSS ${(await treeRssMiB(server.pid)).toFixed(0)} MiB\n`,
      );
    }
    const endMiB = await treeRssMiB(server.pid);
    return { coldMiB, startMiB, endMiB, first: rates[0] ?? 0, last: rates.at(-1) ?? 0 };
  } finally {
    await server.stop();
  }
}

/** `npm run bench -- memory`: does a long-running `npm start` keep its memory and its speed? */
async function memory(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'todo-bench-memory-'));
  try {
    process.stdout.write(
      `memory: ${MEMORY_WARMUP} GET /todos?limit=10 to warm up, then ${MEMORY_REQUESTS} measured, ` +
        `${CONCURRENCY} at a time, per server\n`,
    );
    const before = await memoryRun(work, 'iterators-left-open', { DYNALITE_ITERATOR_FIX: 'off' });
    const after = await memoryRun(work, 'iterators-closed', {});
    const row = (name: string, r: typeof before) =>
      `${name.padEnd(28)} RSS ${r.coldMiB.toFixed(0)} (started), ${r.startMiB.toFixed(0)} (warm) -> ${r.endMiB.toFixed(0)} MiB ` +
      `(+${(r.endMiB - r.startMiB).toFixed(0)}), ` +
      `first/last ${MEMORY_CHUNK}: ${r.first.toFixed(0)} -> ${r.last.toFixed(0)} req/s (${(r.last / r.first).toFixed(2)}x)`;
    const growth = after.endMiB - after.startMiB;
    const kept = after.last / after.first;
    const pass = growth <= 64 && kept >= 0.9;
    process.stdout.write(`\nnode ${process.version}\n${row('before (dynalite as is)', before)}\n`);
    process.stdout.write(`${row('after (iterators closed)', after)}\n`);
    process.stdout.write(
      `bars (after): RSS growth <= 64 MiB: ${growth.toFixed(0)} MiB; last/first >= 0.9x: ${kept.toFixed(2)}x  ` +
        `${pass ? 'PASS' : 'FAIL'}\n`,
    );
    if (!pass) process.exitCode = 1;
  } finally {
    agent.destroy();
    await rm(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'todo-bench-'));
  const smallDir = join(work, 'small');
  const largeDir = join(work, 'large');
  const running: LocalServer[] = [];
  const start = async (dir: string) => {
    const server = await startServer(dir);
    running.push(server);
    return server;
  };
  const stopAll = async () => {
    await Promise.all(running.splice(0).map((server) => server.stop()));
  };
  try {
    // Both tables hold the caller's 10 todos; the other owners' todos make up 20 and LARGE items.
    const [seedSmall, seedLarge] = [await start(smallDir), wanted('c') ? await start(largeDir) : undefined];
    await createTodos(seedSmall, 10);
    await seedOthers(seedSmall, 10);
    if (seedLarge) {
      await createTodos(seedLarge, 10);
      process.stdout.write(`seeding ${(LARGE - 10).toLocaleString('en')} todos of other owners...\n`);
      await seedOthers(seedLarge, LARGE - 10);
    }
    // Fresh processes over the seeded data, so that the two servers differ only in what their tables hold.
    await stopAll();
    const small = await start(smallDir);
    const large = seedLarge ? await start(largeDir) : undefined;

    const results: Result[] = [];
    // (c) first: the others add todos and JIT warmth to the small server only, which would tilt the comparison.
    if (large) results.push(await listAsTableGrows(small, large));
    if (wanted('a')) results.push(await coldStart(small, work));
    if (wanted('b')) results.push(await warmThroughput(small));
    if (wanted('d') || wanted('e')) results.push(...(await storeRequests(small)));
    if (wanted('f')) results.push(await keyedCreateLatency(small));
    if (wanted('g')) results.push(await idempotencyImport(work));
    if (wanted('h')) results.push(await telemetryImport(work));
    if (wanted('j')) results.push(await validationImport(work));
    if (wanted('k')) results.push(await signingImport(work));
    // (w) after the reads: its thousands of writes would change what (b) and (c) read.
    if (wanted('w')) results.push(await warmWrites(small));
    const clientLine = wanted('i') ? await clientCpu(small) : undefined;
    await stopAll();
    const split = wanted('b') || wanted('w') ? await cpuSplit(work) : [];
    const starts = wanted('s') ? await startTimes(work) : undefined;

    const rows = [
      ['measure', 'ours', 'baseline', 'ratio', 'bar', ''],
      ...results.map((r) => [
        r.name,
        r.ours,
        r.baseline,
        `${r.ratio.toFixed(2)}x`,
        r.bar,
        r.informational ? '' : r.pass ? 'PASS' : 'FAIL',
      ]),
    ];
    const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0))) ?? [];
    process.stdout.write(
      `\nnode ${process.version}, ${ROUNDS} rounds ((a): ${ROUNDS * 3}), medians ((a), (b) and (w) also show the middle half of their samples)\n`,
    );
    for (const row of rows) process.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ')}\n`);
    for (const line of split) process.stdout.write(`${line}\n`);
    if (starts) process.stdout.write(`${starts.line}\n`);
    if (clientLine) process.stdout.write(`${clientLine}\n`);
    if (bundleSizes.length > 0) process.stdout.write(`bundles (code, zip): ${bundleSizes.join('; ')}\n`);
    if (results.some((r) => !r.informational && !r.pass) || starts?.pass === false) process.exitCode = 1;
  } finally {
    agent.destroy();
    await stopAll();
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv.includes('memory')) await memory();
else await main();
