/**
 * `npm start`: the local server (local/cli.ts), run from a bundle that esbuild makes of the source and keeps in
 * node_modules/.cache/todo-api-local/<a hash of the project's directory>/, so that nothing is compiled while it
 * starts; plain JavaScript, run by node itself (no tsx in between).
 *
 * The bundle is never stale: before it runs, every file it was built from (esbuild's metafile lists them: local/,
 * src/, and serverless.yml, package.json, tsconfig.json and this file besides) is compared by its size and
 * modification time with what they were at the build, and any difference (or another Node.js, esbuild or project
 * directory) rebuilds it first, which says so in one line. The check stats about 80 files: a few milliseconds. The
 * web page's files (web/) are not in it: the server builds them itself, from the current source (src/web/bundle.ts).
 *
 * Besides the server, the bundle holds the embedded store's thread (local/dynalite-worker.ts), which this file starts
 * first thing, so that it boots while the server loads; and the handler modules that serverless.yml names, which the
 * server imports once it has set their environment, as Lambda would (each is evaluated only then).
 *
 * Each bundle is written next to a source map (server.mjs.map) and keeps a `// local/gateway.ts` line before each
 * module's code: run with NODE_OPTIONS=--enable-source-maps, stack traces name the TypeScript files.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The bundles of this copy of the project (another copy may share its node_modules, through a link). */
const CACHE = join(
  ROOT,
  'node_modules',
  '.cache',
  'todo-api-local',
  createHash('sha256').update(ROOT).digest('hex').slice(0, 12),
);
const MANIFEST = join(CACHE, 'manifest.json');
const require = createRequire(import.meta.url);
/** Files every build depends on besides the modules it bundles. */
const ALWAYS = ['local/start.mjs', 'serverless.yml', 'package.json', 'tsconfig.json'];
/**
 * A file changed less than this before a build began may have changed again while esbuild read it (or its file
 * system may keep coarse times): its time is not recorded, so that the next start builds again.
 */
const RACY_MS = 2000;

/** What a bundle depends on besides its files: where the project is, and the tools that made it. */
function buildKey() {
  const esbuild = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'esbuild', 'package.json'), 'utf8')).version;
  return { root: ROOT, node: process.version, esbuild };
}

/** A file's size and modification time, or undefined if it does not exist. */
function stamp(file) {
  try {
    const { size, mtimeMs } = statSync(join(ROOT, file));
    return [size, mtimeMs];
  } catch (error) {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/** Why the bundle of `manifest` is stale (the first difference found), or undefined if it is current. */
function staleness(manifest) {
  if (!Array.isArray(manifest?.inputs) || !Array.isArray(manifest.absent)) return 'first build';
  if (JSON.stringify(manifest.key) !== JSON.stringify(buildKey())) return 'Node.js, esbuild or the project moved';
  if (!existsSync(join(CACHE, manifest.dir))) return 'bundle missing';
  for (const [file, size, mtimeMs] of manifest.inputs) {
    const now = stamp(file);
    if (!now || now[0] !== size || now[1] !== mtimeMs) return `${file} changed`;
  }
  // An import of `./x.js` that esbuild resolved to x.ts would find x.js first, once there is one.
  for (const file of manifest.absent) if (stamp(file)) return `${file} appeared`;
  return undefined;
}

function readManifest() {
  try {
    return JSON.parse(readFileSync(MANIFEST, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The handler modules serverless.yml names (`src/handlers/create` for `src/handlers/create.handler`). */
function handlerModules() {
  const { parse } = require('yaml');
  const { splitHandler } = require('../plugins/handler-path.cjs');
  // Its CloudFormation tags (!Ref…) are not read here: only the functions' handlers are.
  const config = parse(readFileSync(join(ROOT, 'serverless.yml'), 'utf8'), { logLevel: 'silent' });
  const handlers = Object.values(config.functions ?? {}).map((fn) => fn.handler);
  return [...new Set(handlers.map((handler) => splitHandler(String(handler)).module))];
}

/**
 * The server's entry: local/cli.ts's main, and a lazy import of each handler module (esbuild wraps each one, and
 * what only it imports, to run when it is first imported, not when the bundle loads).
 */
function serverEntry() {
  const modules = handlerModules().map(
    (module) => `  ${JSON.stringify(module)}: () => import(${JSON.stringify(`./${module}.ts`)}),`,
  );
  return `export { main } from './local/cli.ts';\nexport const handlerModules = {\n${modules.join('\n')}\n};\n`;
}

/** A module made of `contents`, named `name` for esbuild (the server's entry). */
function generated(name, contents) {
  return {
    name,
    setup(build) {
      build.onResolve({ filter: new RegExp(`^${name}$`) }, () => ({ path: name, namespace: 'generated' }));
      build.onLoad({ filter: /.*/, namespace: 'generated' }, () => ({
        contents: contents(),
        resolveDir: ROOT,
        loader: 'js',
      }));
    },
  };
}

/**
 * The server reads serverless.yml as this build read it (serverless.json, next to the bundle): the YAML parser (a
 * third of the bundle, and tens of milliseconds of parsing) stays out of it, as a module that says so if called.
 */
const noYaml = {
  name: 'no-yaml',
  setup(build) {
    build.onResolve({ filter: /^yaml$/ }, () => ({ path: 'yaml', namespace: 'no-yaml' }));
    build.onLoad({ filter: /.*/, namespace: 'no-yaml' }, () => ({
      contents:
        'export function parse() { throw new Error("The prebuilt local server reads serverless.yml as it was when built (serverless.json)"); }',
      loader: 'js',
    }));
  },
};

/**
 * `import.meta.url` as in the source file (a bundle's own would be the bundle's, and a CommonJS one has none): modules
 * find files next to them with it (local/paths.ts the project, src/handlers/docs.ts the API reference's files).
 */
const sourceUrls = {
  name: 'source-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.includes('/node_modules/')) return undefined;
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      return {
        contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
        loader: 'ts',
      };
    });
  },
};

/** The files every input of `metafile` imports as `./x.js` that esbuild found as x.ts (there is no x.js). */
function shadowing(metafile) {
  const absent = [];
  for (const [file, input] of Object.entries(metafile.inputs)) {
    for (const { original, path } of input.imports) {
      if (original?.startsWith('.') && original.endsWith('.js') && path.endsWith('.ts')) {
        absent.push(relative(ROOT, resolve(ROOT, file, '..', original)));
      }
    }
  }
  return absent;
}

/**
 * Builds into a directory of its own: server.mjs (ES module), dynalite-worker.cjs and service-config.cjs (CommonJS:
 * dynalite is, and is loaded faster without the ES module loader in between; service-config.cjs reads serverless.yml
 * into serverless.json, now). Then points the manifest at it; returns the manifest.
 */
async function build(reason) {
  const started = Date.now();
  const esbuild = await import('esbuild');
  mkdirSync(CACHE, { recursive: true });
  const temporary = join(CACHE, `tmp-${process.pid}-${started}`);
  const common = {
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    outdir: temporary,
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'silent',
  };
  let results;
  try {
    results = await Promise.all([
      esbuild.build({
        ...common,
        entryPoints: [{ in: 'local-server-entry', out: 'server' }],
        plugins: [generated('local-server-entry', serverEntry), noYaml, sourceUrls],
        format: 'esm',
        outExtension: { '.js': '.mjs' },
        // What local/server.ts's web page module loads at run time (plugins/web-app.cjs) needs esbuild itself.
        external: ['esbuild'],
      }),
      esbuild.build({
        ...common,
        entryPoints: ['local/dynalite-worker.ts', 'local/service-config.ts'],
        plugins: [sourceUrls],
        format: 'cjs',
        outExtension: { '.js': '.cjs' },
        // dynalite loads from node_modules, as from source: it must be the copy local/dynalite-compat.ts patches.
        external: ['dynalite'],
      }),
    ]);
    const { readServiceDocument } = require(join(temporary, 'service-config.cjs'));
    writeFileSync(
      join(temporary, 'serverless.json'),
      JSON.stringify(readServiceDocument(join(ROOT, 'serverless.yml'))),
    );
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    const messages = (error.errors ?? []).map((e) =>
      e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ${e.text}` : e.text,
    );
    throw new Error(`The local server does not build: ${messages.join('; ') || error.message}`);
  }
  const files = new Set(ALWAYS);
  for (const { metafile } of results) {
    for (const file of Object.keys(metafile.inputs)) if (!file.includes(':')) files.add(file);
  }
  const absent = [...new Set(results.flatMap(({ metafile }) => shadowing(metafile)))].sort();
  const inputs = [...files].sort().map((file) => {
    const [size, mtimeMs] = stamp(file) ?? [-1, -1];
    return [file, size, mtimeMs > started - RACY_MS ? -1 : mtimeMs];
  });
  const key = buildKey();
  const dir = createHash('sha256').update(JSON.stringify({ key, inputs })).digest('hex').slice(0, 16);
  try {
    renameSync(temporary, join(CACHE, dir));
  } catch {
    // Built meanwhile by another start from the same files: theirs is as good.
    rmSync(temporary, { recursive: true, force: true });
  }
  const manifest = { key, dir, inputs, absent };
  const written = `${MANIFEST}.${process.pid}.tmp`;
  writeFileSync(written, JSON.stringify(manifest));
  renameSync(written, MANIFEST);
  // Older bundles go, once no start can still be loading them.
  for (const entry of readdirSync(CACHE)) {
    if (entry === dir || !/^([0-9a-f]{16}|tmp-.*)$/.test(entry)) continue;
    const path = join(CACHE, entry);
    // Another start may have renamed or removed it since the listing.
    const stats = statSync(path, { throwIfNoEntry: false });
    if (stats && stats.mtimeMs < started - 60_000) rmSync(path, { recursive: true, force: true });
  }
  console.log(`Built the local server in ${Date.now() - started} ms (${reason})`);
  return manifest;
}

async function start() {
  let manifest = readManifest();
  const reason = staleness(manifest);
  if (reason) manifest = await build(reason);
  const dir = join(CACHE, manifest.dir);
  const wantsHelp = process.argv.some((arg) => arg === '--help' || arg === '-h');
  // The store's thread loads while this one does (with this process's flags: `--cpu-prof` profiles it too).
  const storeThread = wantsHelp ? undefined : new Worker(join(dir, 'dynalite-worker.cjs'));
  const server = await import(pathToFileURL(join(dir, 'server.mjs')).href);
  await server.main({
    ...(storeThread ? { storeThread } : {}),
    handlerModules: server.handlerModules,
    serviceDocument: JSON.parse(readFileSync(join(dir, 'serverless.json'), 'utf8')),
  });
}

start().catch((error) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
