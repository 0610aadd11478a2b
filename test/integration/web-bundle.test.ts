/**
 * The web app as the functions serve it from source: built by esbuild (plugins/web-app.cjs) on first use, named
 * after its content, and rebuilt when its source changes. (The packaged functions carry the same build: the package
 * tests hold them to it.)
 */
import assert from 'node:assert/strict';
import { stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { PROJECT_ROOT } from '../../local/paths.js';
import { webBundle } from '../../src/web/bundle.js';
import { webPage } from '../../src/web/page.js';

describe('the web page (GET / for browsers)', () => {
  test("names the current build's files, is never cached, and lets nothing but its own files run", async () => {
    const bundle = await webBundle();
    const page = webPage(bundle, { connectSources: ['https://auth.example.com'] });
    const html = String(page.body);
    assert.ok(html.includes(`<script type="module" src="app/${bundle.script}"></script>`));
    assert.ok(html.includes(`<link rel="stylesheet" href="app/${bundle.style}">`));
    for (const name of ['todoapp', 'new-todo', 'main', 'toggle-all', 'todo-list', 'footer', 'todo-count']) {
      assert.match(html, new RegExp(`class="${name}"`), name);
    }
    assert.match(html, /class="filters"/);
    assert.match(html, /class="clear-completed"/);
    assert.equal(page.headers?.['cache-control'], 'no-cache');
    const csp = String(page.headers?.['content-security-policy']);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self';/);
    assert.match(csp, /connect-src 'self' https:\/\/auth\.example\.com;/);
    assert.match(csp, /frame-ancestors 'none'/);
  });

  test('the files are named after their content, minified, and carry their licences', async () => {
    const bundle = await webBundle();
    assert.match(bundle.script, /^app\.[\w-]{12}\.js$/);
    assert.match(bundle.style, /^app\.[\w-]{12}\.css$/);
    assert.deepEqual(Object.keys(bundle.files).sort(), [bundle.script, bundle.style].sort());
    const script = bundle.files[bundle.script]?.body ?? '';
    assert.match(script, /oauth4webapi \S+, MIT/);
    assert.ok(script.split('\n').length < 20, 'minified');
    // The built script never holds this module's own source (the server side stays out of the browser's file).
    assert.ok(!script.includes('node:'), 'no Node.js module in the browser bundle');
    const style = bundle.files[bundle.style]?.body ?? '';
    assert.match(style, /\.todoapp/);
    // Small: what a browser downloads first, compressed (the browser test measures the whole first load).
    const compressed = gzipSync(script).length + gzipSync(style).length;
    assert.ok(compressed < 40 * 1024, `script and style are ${compressed} bytes gzipped`);
  });

  test('is built once, and again when a source file changes (npm start never serves a stale page)', async () => {
    const bundle = await webBundle();
    assert.equal(await webBundle(), bundle, 'nothing changed: the same build');
    const source = join(PROJECT_ROOT, 'web', 'app.css');
    const { atime, mtime } = await stat(source);
    try {
      await utimes(source, atime, new Date(mtime.getTime() + 5000));
      const rebuilt = await webBundle();
      assert.notEqual(rebuilt, bundle, 'a source file changed: a new build');
      assert.deepEqual(rebuilt, bundle, 'of the same content');
    } finally {
      await utimes(source, atime, mtime);
    }
  });
});
