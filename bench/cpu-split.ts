/**
 * Where the local server's CPU goes per request, for (b) and (w). Every figure is CPU time read from /proc for each
 * thread of the server while the load ran: its main thread (the API), the store's thread (npm start runs dynalite in
 * a worker thread; a store in a process of its own counts whole), and its other threads (V8's helpers, which run
 * the garbage collector and the optimising compiler, and libuv's pool, where LevelDB reads and writes the store's
 * files). Only the main thread's time is divided further, by the shares of a V8 CPU profile of it, taken on a second
 * server run with `node --cpu-prof`: each sample is charged to the nearest frame of ours up its stack:
 *
 *   gateway     local/ (routing, events, invocation, CORS, the access log)
 *   authorizer  local/authorizer.ts and jose (token checks)
 *   handler     src/ and the packages the functions bundle (ulid; zod in the OpenAPI document's)
 *   store       local/dynalite*.ts run on the main thread; then the store's thread or process, whole
 *   node        Node's own JavaScript with no frame of ours above it (HTTP parsing, streams, timers)
 *   gc          the garbage collector, on the main thread
 *   off-thread  the server's other threads
 *
 * A profile's own figures are not used as CPU time: a sample is charged the wall time since the one before it, so a
 * thread that waits for a core (three busy threads share two here) looks busier than it is. Measured under (b), the
 * store's thread's profile read 41% above its /proc time, the main thread's 17%.
 */
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CATEGORIES = ['gateway', 'authorizer', 'handler', 'store', 'node', 'gc', 'off-thread'] as const;
export type Category = (typeof CATEGORIES)[number];

/** A figure for each category. */
const byCategory = (value: (category: Category) => number) =>
  Object.fromEntries(CATEGORIES.map((c) => [c, value(c)])) as Record<Category, number>;

interface ProfileNode {
  id: number;
  callFrame: { url: string; functionName: string; lineNumber?: number; columnNumber?: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const maps = new Map<string, SourceMap | undefined>();

/**
 * The source file of a frame: a bundle's frames (npm start runs the local server and the store's thread from esbuild
 * bundles, server.mjs and dynalite-worker.cjs) are mapped back through the source map written next to it.
 */
function sourceOf(frame: ProfileNode['callFrame']): string {
  const { url } = frame;
  if (!url.startsWith('file://') || !/\.[cm]js$/.test(url)) return url;
  if (!maps.has(url)) {
    try {
      maps.set(url, new SourceMap(JSON.parse(readFileSync(`${fileURLToPath(url)}.map`, 'utf8'))));
    } catch {
      maps.set(url, undefined);
    }
  }
  const map = maps.get(url);
  if (!map) return url;
  const entry = map.findEntry(frame.lineNumber ?? 0, frame.columnNumber ?? 0) as { originalSource?: string };
  return entry.originalSource ?? url;
}

/** The category of one frame, or undefined when it says nothing (Node's own code, an unknown package). */
function classify(url: string): Category | undefined {
  if (url === '') return undefined;
  if (/\/local\/dynalite|\/node_modules\/dynalite\//.test(url)) return 'store';
  if (/\/local\/authorizer\.|\/node_modules\/jose\//.test(url)) return 'authorizer';
  if (/\/src\/|\/node_modules\/(aws4|ulid|zod)\//.test(url)) return 'handler';
  if (/\/local\//.test(url)) return 'gateway';
  return undefined;
}

/**
 * Whether a profile is the store's own thread: it runs the store's code and never the gateway's (the API's thread
 * runs both: it starts the store's thread; a module loader's thread runs neither).
 */
export function isStoreThread(profile: CpuProfile): boolean {
  const found = new Set(profile.nodes.map((node) => classify(sourceOf(node.callFrame))));
  return found.has('store') && !found.has('gateway');
}

/** The microseconds of each category in one profile's samples between `from` and `to` (monotonic µs). */
export function splitProfile(profile: CpuProfile, from: number, to: number) {
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const charged = new Map<number, Category | 'idle'>();
  const categoryOf = (id: number): Category | 'idle' => {
    const known = charged.get(id);
    if (known) return known;
    const leaf = byId.get(id);
    let category: Category | 'idle' = 'node';
    if (leaf?.callFrame.functionName === '(idle)') category = 'idle';
    else if (leaf?.callFrame.functionName === '(garbage collector)') category = 'gc';
    else {
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const frame = byId.get(at)?.callFrame;
        const found = frame ? classify(sourceOf(frame)) : undefined;
        if (found) {
          category = found;
          break;
        }
      }
    }
    charged.set(id, category);
    return category;
  };
  const micros = byCategory(() => 0);
  let time = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    time += delta;
    if (time < from || time > to) continue;
    const category = categoryOf(profile.samples[i] ?? 0);
    if (category !== 'idle') micros[category] += delta;
  }
  return micros;
}

/** The CPU time (user + system, all threads) a process has used, in µs; undefined once it is gone. */
export function processCpuMicros(pid: number): Promise<number | undefined> {
  return statCpuMicros(`/proc/${pid}/stat`);
}

/** The CPU time in µs of a process's or a thread's stat file; undefined once it is gone. */
async function statCpuMicros(path: string): Promise<number | undefined> {
  try {
    const stat = await readFile(path, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the line, in clock ticks (100 a second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

/** The process and its descendants (the store may run in a process of its own). */
export async function processTree(pid: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const tree = [pid];
  for (let grew = true; grew; ) {
    grew = false;
    for (const [child, parentPid] of parents) {
      if (tree.includes(parentPid) && !tree.includes(child)) {
        tree.push(child);
        grew = true;
      }
    }
  }
  return tree;
}

/**
 * The profiles the server's processes wrote into `dir`, by process id: one per JavaScript thread (node names them
 * CPU.<date>.<time>.<pid>.<thread>.<n>; a process with a module loader thread, as under tsx, writes two).
 */
export async function readProfiles(dir: string): Promise<Map<number, CpuProfile[]>> {
  const profiles = new Map<number, CpuProfile[]>();
  for (const file of await readdir(dir)) {
    const pid = Number(/^CPU\.\d+\.\d+\.(\d+)\./.exec(file)?.[1]);
    if (!Number.isFinite(pid)) continue;
    const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile;
    profiles.set(pid, [...(profiles.get(pid) ?? []), profile]);
  }
  return profiles;
}

/** The CPU time, in µs, of each thread of a process (user + system, from /proc); empty once it is gone. */
export async function threadCpuMicros(pid: number): Promise<Map<number, number>> {
  const threads = new Map<number, number>();
  let tids: string[];
  try {
    tids = await readdir(`/proc/${pid}/task`);
  } catch {
    return threads;
  }
  for (const tid of tids) {
    const cpu = await statCpuMicros(`/proc/${pid}/task/${tid}/stat`);
    if (cpu !== undefined) threads.set(Number(tid), cpu);
  }
  return threads;
}

/** What the server's processes used during a load, from /proc. */
export interface Usage {
  requests: number;
  /** The CPU µs of each thread of the server's own process (its main thread's id is the process id). */
  threads: Map<number, number>;
  mainTid: number;
  /** The CPU µs of the server's other processes, if any (a store run in a process of its own). */
  otherProcesses: number;
}

/**
 * Microseconds per request of each category. The main thread's /proc time is divided by the shares of its profile
 * (`mainProfiles`: the profiles of the profiled server's own process, of which those of the store's thread are
 * ignored) over the profiled load's window; when that process runs the store in a thread, its busiest thread besides
 * the main one is the store's; its other threads are off-thread.
 */
export function perRequest(
  mainProfiles: CpuProfile[],
  window: { from: number; to: number },
  usage: Usage,
): Record<Category, number> {
  const apiProfiles = mainProfiles.filter((profile) => !isStoreThread(profile));
  const storeThread = apiProfiles.length < mainProfiles.length;
  const shares = byCategory(() => 0);
  for (const profile of apiProfiles) {
    const seen = splitProfile(profile, window.from, window.to);
    for (const category of CATEGORIES) shares[category] += seen[category];
  }
  const sampled = CATEGORIES.reduce((sum, category) => sum + shares[category], 0);
  if (sampled === 0) throw new Error('cpu split: the main thread has no samples in the window');
  const main = usage.threads.get(usage.mainTid) ?? 0;
  const others = [...usage.threads].filter(([tid]) => tid !== usage.mainTid).map(([, cpu]) => cpu);
  const store = storeThread && others.length > 0 ? Math.max(...others) : 0;
  const total = byCategory((category) => (shares[category] / sampled) * main);
  total.store += store + usage.otherProcesses;
  total['off-thread'] += others.reduce((sum, cpu) => sum + cpu, 0) - store;
  return byCategory((category) => total[category] / usage.requests);
}
