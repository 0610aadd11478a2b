/**
 * Cold imports measured side by side, for the parts of the functions the project wrote itself rather than take from
 * a library, because a cold start paid for the library: each pair is bundled as the functions are
 * (plugins/esbuild-bundle.cjs's options) and imported by fresh processes, alternately, medians of 3 × BENCH_ROUNDS;
 * each process times the import itself (with the work the entry does as it loads), not its whole life.
 *
 *  validationImport: a create's body checked with zod (the schemas of src/todos/schema.ts) ÷ with
 *                    src/todos/validation.ts, which the routes use
 *  signingImport:    a PutItem signed with aws4 ÷ with src/store/sigv4.ts, which the DynamoDB client uses
 *
 * Each returns a row of `npm run bench`'s table: `ours` is the library's time (as in lines (g) and (h)), `baseline`
 * the project's own, `ratio` the first ÷ the second.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../../local/paths.js';
import { median, type Result } from '../result.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7) * 3;

/**
 * Milliseconds a fresh `node` (running `timer`) takes to import `file` (which does its work as it loads), timed in that
 * process around the import alone: the rest of a process's life is the same for both sides, and only adds noise.
 * node:crypto and node:http are loaded first, as every function has them loaded by then.
 */
function timeImport(timer: string, file: string): Promise<number> {
  return new Promise((resolveTime, reject) => {
    let output = '';
    const child = spawn(process.execPath, [timer, pathToFileURL(file).href], {
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('close', (code) => {
      if (code === 0) resolveTime(Number(output));
      else reject(new Error(`importing ${file} exited with ${code}`));
    });
  });
}

/** Bundles `entry` (relative to the project) into `work` with the functions' esbuild options; its file and size. */
async function bundle(entry: string, work: string): Promise<{ file: string; bytes: number }> {
  const fromProject = createRequire(join(PROJECT_ROOT, 'package.json'));
  const esbuild = (await import('esbuild')).default;
  const { builtinsAsImports, FUNCTION_BUILD } = fromProject('./plugins/esbuild-bundle.cjs') as {
    builtinsAsImports(): import('esbuild').Plugin;
    FUNCTION_BUILD: import('esbuild').BuildOptions;
  };
  const file = join(work, `${entry.replace(/[/\\.]/g, '-')}.mjs`);
  const result = await esbuild.build({
    ...FUNCTION_BUILD,
    entryPoints: [resolve(PROJECT_ROOT, entry)],
    outfile: file,
    metafile: true,
    logLevel: 'warning',
    plugins: [builtinsAsImports()],
  });
  return { file, bytes: Object.values(result.metafile.outputs)[0]?.bytes ?? 0 };
}

/** The script each process runs: argv[2] is the URL of the module to import. */
const TIMER = [
  "import 'node:crypto';",
  "import 'node:http';",
  'const started = process.hrtime.bigint();',
  'await import(process.argv[2]);',
  'process.stdout.write(String(Number(process.hrtime.bigint() - started) / 1e6));',
].join('\n');

/** What a pair compares: the library's entry and ours (relative to the project), and how the row names them. */
interface Pair {
  name: string;
  library: string;
  ours: string;
  /** The project's module the entry `ours` runs. */
  module: string;
}

/** The median cold import of the library's entry and of ours, alternating: a reported row. */
async function pair(work: string, { name, library, ours, module }: Pair): Promise<Result> {
  const files = { library: await bundle(library, work), ours: await bundle(ours, work) };
  const timer = join(work, 'time-import.mjs');
  await writeFile(timer, TIMER);
  const samples = { library: [] as number[], ours: [] as number[] };
  // Once each first, to warm the file cache.
  await timeImport(timer, files.library.file);
  await timeImport(timer, files.ours.file);
  for (let i = 0; i < ROUNDS; i++) {
    samples.library.push(await timeImport(timer, files.library.file));
    samples.ours.push(await timeImport(timer, files.ours.file));
  }
  const row = (side: keyof typeof files) =>
    `${median(samples[side]).toFixed(1)} ms (${(files[side].bytes / 1024).toFixed(0)} KiB)`;
  return {
    name,
    ours: row('library'),
    baseline: `${row('ours')} (${module})`,
    ratio: median(samples.library) / median(samples.ours),
    bar: 'reported',
    pass: true,
    informational: true,
  };
}

/** zod ÷ src/todos/validation.ts: a fresh process importing the check of a create's body and checking one. */
export function validationImport(work: string): Promise<Result> {
  process.stdout.write('measuring the cold import of the body check: zod vs ours...\n');
  return pair(work, {
    name: '(j) cold import + first body check, zod',
    library: 'bench/coldstart/validation/zod.ts',
    ours: 'bench/coldstart/validation/ours.ts',
    module: 'src/todos/validation.ts',
  });
}

/** aws4 ÷ src/store/sigv4.ts: a fresh process importing the signer and signing one PutItem. */
export function signingImport(work: string): Promise<Result> {
  process.stdout.write('measuring the cold import of the request signing: aws4 vs ours...\n');
  return pair(work, {
    name: '(k) cold import + first signature, aws4',
    library: 'bench/coldstart/signing/aws4.ts',
    ours: 'bench/coldstart/signing/ours.ts',
    module: 'src/store/sigv4.ts',
  });
}
