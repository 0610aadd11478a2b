/**
 * `npm start` runs a bundle of the server that local/start.mjs builds and keeps (node_modules/.cache/todo-api-local),
 * and that must never be stale: a change to any file it was built from is picked up by the next start, with no
 * command to remember. Checked on a copy of the project's sources (its packages linked, not copied), so that the
 * changes made here touch nothing else.
 */
import assert from 'node:assert/strict';
import { cp, mkdir, readdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../local/paths.js';
import { processes } from './cli.js';

const { freshDataDir, run } = processes('todo-api-prebuild-');
const RUN_MS = 60_000;
/** What the start says when it built the server first, and why. */
const BUILT = /^Built the local server in \d+ ms \((.+)\)$/m;

/** A copy of the project's sources in a new directory, with the same modification times; its packages linked. */
async function projectCopy(): Promise<string> {
  const root = await freshDataDir();
  for (const entry of ['local', 'src', 'plugins', 'serverless.yml', 'package.json', 'tsconfig.json']) {
    await cp(join(PROJECT_ROOT, entry), join(root, entry), { recursive: true, preserveTimestamps: true });
  }
  // Its own node_modules (so its own cache), each package a link to the project's.
  await mkdir(join(root, 'node_modules'));
  for (const entry of await readdir(join(PROJECT_ROOT, 'node_modules'))) {
    if (entry === '.cache') continue;
    await symlink(join(PROJECT_ROOT, 'node_modules', entry), join(root, 'node_modules', entry));
  }
  return root;
}

/** `npm start -- --help` in `root`: it builds what is stale, then prints the help (starting nothing). */
async function help(
  root: string,
): Promise<{ built: string | undefined; stdout: string; stderr: string; code: number | null }> {
  const result = await run(process.execPath, [join(root, 'local/start.mjs'), '--help'], {}, RUN_MS);
  return { built: BUILT.exec(result.stdout)?.[1], stdout: result.stdout, stderr: result.stderr, code: result.code };
}

/** Where the start in `root` keeps its bundles: its own directory, under its node_modules/.cache. */
async function cacheOf(root: string): Promise<string> {
  const caches = join(root, 'node_modules/.cache/todo-api-local');
  const [only, ...others] = await readdir(caches);
  assert.ok(only && others.length === 0, `one project, one cache: ${[only, ...others].join(', ')}`);
  return join(caches, only);
}

/**
 * Sets a file's modification time `secondsAgo` in the past (a change that is not too recent to be trusted), or ahead
 * if negative.
 */
async function touch(file: string, secondsAgo = 30): Promise<void> {
  const when = new Date(Date.now() - secondsAgo * 1000);
  await utimes(file, when, when);
}

/** Rewrites a file, its modification time then set in the past as `touch` does. */
async function edit(file: string, change: (text: string) => string, secondsAgo = 30): Promise<void> {
  await writeFile(file, change(await readFile(file, 'utf8')));
  await touch(file, secondsAgo);
}

describe('npm start: the prebuilt server is never stale', () => {
  it('builds once; a start with nothing changed builds nothing', async () => {
    const root = await projectCopy();
    const first = await help(root);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.built, 'first build');
    assert.match(first.stdout, /usage: npm start/);
    const second = await help(root);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.built, undefined, second.stdout);
    assert.match(second.stdout, /usage: npm start/);
  });

  it('a source file touched, edited or shadowed, serverless.yml changed, another Node.js: each rebuilds', async () => {
    const root = await projectCopy();
    assert.equal((await help(root)).built, 'first build');

    await touch(join(root, 'src/handlers/list.ts'));
    assert.equal((await help(root)).built, 'src/handlers/list.ts changed');
    assert.equal((await help(root)).built, undefined, 'and only once');

    // What changed is what runs.
    await edit(join(root, 'local/cli.ts'), (text) => text.replace("'usage: npm start", "'usage (edited): npm start"));
    const edited = await help(root);
    assert.equal(edited.built, 'local/cli.ts changed');
    assert.match(edited.stdout, /usage \(edited\): npm start/);

    // gateway.ts imports './cors.js', which esbuild found as cors.ts: a cors.js would be found first.
    await writeFile(join(root, 'local/cors.js'), "export * from './cors.ts';\n");
    await touch(join(root, 'local/cors.js'));
    assert.equal((await help(root)).built, 'local/cors.js appeared');
    await rm(join(root, 'local/cors.js'));
    assert.equal((await help(root)).built, 'local/cors.js changed', 'gone again');

    await edit(join(root, 'serverless.yml'), (text) => `${text}\n# edited\n`);
    assert.equal((await help(root)).built, 'serverless.yml changed');

    // A bundle made by another Node.js (or esbuild, or for another directory) is not used.
    const manifestFile = join(await cacheOf(root), 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as { key: { node: string } };
    await writeFile(manifestFile, JSON.stringify({ ...manifest, key: { ...manifest.key, node: 'v0.0.0' } }));
    assert.equal((await help(root)).built, 'Node.js, esbuild or the project moved');
    assert.equal((await help(root)).built, undefined);
  });

  it('a file changed just before a build is not trusted: the next start builds again', async () => {
    const root = await projectCopy();
    assert.equal((await help(root)).built, 'first build');
    // Changed just now: it may be changing still while the build reads it (or its times may be coarse). Its time is
    // set 3 s ahead, so that it is still within the build's 2 s of "just now" on a machine slow to start the build.
    await edit(join(root, 'src/handlers/get.ts'), (text) => `${text}\n`, -3);
    assert.equal((await help(root)).built, 'src/handlers/get.ts changed');
    assert.equal((await help(root)).built, 'src/handlers/get.ts changed', 'its time was too recent to record');
    await touch(join(root, 'src/handlers/get.ts'));
    assert.equal((await help(root)).built, 'src/handlers/get.ts changed');
    assert.equal((await help(root)).built, undefined);
  });

  it('a source that does not build: one line that says where, exit 1; fixed, it builds and runs', async () => {
    const root = await projectCopy();
    const file = join(root, 'src/handlers/list.ts');
    const original = await readFile(file, 'utf8');
    await edit(file, (text) => `${text}\nexport const broken = ;\n`);
    const broken = await help(root);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /^The local server does not build: src\/handlers\/list\.ts:\d+:\d+: .+\n$/);
    assert.doesNotMatch(broken.stdout, /usage/);
    await writeFile(file, original);
    await touch(file);
    const fixed = await help(root);
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.equal(fixed.built, 'first build');
  });

  it('two copies of the project sharing one node_modules (a link) keep a bundle each', async () => {
    const first = await projectCopy();
    const second = await projectCopy();
    await rm(join(second, 'node_modules'), { recursive: true });
    await symlink(join(first, 'node_modules'), join(second, 'node_modules'));
    assert.equal((await help(first)).built, 'first build');
    assert.equal((await help(second)).built, 'first build');
    // Neither took the other's for its own, nor removed it.
    assert.equal((await help(first)).built, undefined);
    assert.equal((await help(second)).built, undefined);
  });

  it('starts at once on a stale build: each builds, all run, and one bundle is kept', async () => {
    const root = await projectCopy();
    const results = await Promise.all([help(root), help(root), help(root)]);
    for (const result of results) {
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.built, 'first build');
      assert.match(result.stdout, /usage: npm start/);
    }
    const cache = await cacheOf(root);
    const entries = await readdir(cache);
    const bundles = [];
    for (const entry of entries) if ((await stat(join(cache, entry))).isDirectory()) bundles.push(entry);
    assert.equal(bundles.length, 1, `one bundle (the same files make the same one): ${entries.join(', ')}`);
    assert.deepEqual(entries.sort(), [...bundles, 'manifest.json'].sort());
    assert.equal((await help(root)).built, undefined);
  });
});
