/**
 * Where the local server's CPU goes per request, for (b) and (w): the server runs with `node --cpu-prof` (every
 * process of it writes a V8 CPU profile as it exits), and each sample taken while the load ran is charged to the
 * nearest frame of ours up its stack:
 *
 *   gateway     local/ (routing, events, invocation, CORS, the access log)
 *   authorizer  local/authorizer.ts and jose (token checks)
 *   handler     src/ and the packages the functions bundle (ulid; zod in the OpenAPI document's)
 *   store       dynalite, its LevelDB stand-ins, local/dynalite*.ts; the store's own thread (npm start runs it in a
 *               worker) or process counts whole
 *   node        Node's own JavaScript with no frame of ours above it (HTTP parsing, streams, timers)
 *   gc          the garbage collector
 *
 * Each JavaScript thread writes a profile of its own, so the CPU of each process in the window is also read from
 * /proc (all its threads): what no profile saw is reported as `off-thread` (the thread pool: WebCrypto's signature
 * checks, zlib; the GC's helper threads).
 */
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CATEGORIES = ['gateway', 'authorizer', 'handler', 'store', 'node', 'gc', 'off-thread'] as const;
export type Category = (typeof CATEGORIES)[number];

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
export function splitProfile(profile: CpuProfile, from: number, to: number, wholeProcess?: Category) {
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
    else if (wholeProcess) category = wholeProcess;
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
  const micros: Record<Category, number> = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<
    Category,
    number
  >;
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
export async function processCpuMicros(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
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

export interface Window {
  /** Monotonic µs (the clock of V8's profiles and process.hrtime). */
  from: number;
  to: number;
  requests: number;
  /** CPU µs of each process of the server during the window (from /proc). */
  cpu: Map<number, number>;
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

/**
 * Microseconds per request of each category in the window. The server's main process is attributed frame by
 * frame, except the store's thread in it; any other process of the server (a store of its own) and the store's
 * thread are charged to the store whole.
 */
export function perRequest(profiles: Map<number, CpuProfile[]>, mainPid: number, window: Window) {
  const total: Record<Category, number> = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
  for (const [pid, cpu] of window.cpu) {
    let sampled = 0;
    for (const profile of profiles.get(pid) ?? []) {
      const whole = pid !== mainPid || isStoreThread(profile) ? 'store' : undefined;
      const seen = splitProfile(profile, window.from, window.to, whole);
      for (const category of CATEGORIES) {
        total[category] += seen[category];
        sampled += seen[category];
      }
    }
    // What /proc counted and the profile did not see ran off the main thread (or in a process with no profile).
    const unseen = Math.max(0, cpu - sampled);
    if (pid === mainPid) total['off-thread'] += unseen;
    else total.store += unseen;
  }
  return Object.fromEntries(CATEGORIES.map((c) => [c, total[c] / window.requests])) as Record<Category, number>;
}
