/**
 * plugins/esbuild-bundle.cjs bundles each function as an ES module without a `require` of its own (the usual banner
 * that makes one loads node:module in every cold start): a CommonJS dependency's require() of a Node.js built-in must
 * become an import of it, or the bundle would throw "Dynamic require … is not supported" when it runs.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import esbuild from 'esbuild';

const { builtinsAsImports } = createRequire(import.meta.url)('../../plugins/esbuild-bundle.cjs') as {
  builtinsAsImports(): esbuild.Plugin;
};

test("a CommonJS dependency's require() of built-ins works in the ES module bundle, with no createRequire", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'todo-builtins-'));
  try {
    await writeFile(
      join(dir, 'dependency.cjs'),
      [
        "const crypto = require('crypto');",
        "const { sep } = require('node:path');",
        "module.exports = (text) => crypto.createHash('sha256').update(text).digest('hex') + sep;",
      ].join('\n'),
    );
    await writeFile(join(dir, 'entry.mjs'), "import hash from './dependency.cjs';\nexport const value = hash('x');\n");
    const result = await esbuild.build({
      entryPoints: [join(dir, 'entry.mjs')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      outfile: join(dir, 'bundle.mjs'),
      logLevel: 'silent',
      plugins: [builtinsAsImports()],
    });
    const code = result.outputFiles[0]?.text ?? '';
    assert.doesNotMatch(code, /createRequire/);
    assert.match(code, /from\s*"node:crypto"/);
    await writeFile(join(dir, 'bundle.mjs'), code);
    const { value } = (await import(pathToFileURL(join(dir, 'bundle.mjs')).href)) as { value: string };
    assert.equal(value, createHash('sha256').update('x').digest('hex') + sep);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
