'use strict';
/**
 * Builds the web app (web/) with esbuild: one minified script and one stylesheet, each named after a hash of its
 * content, so that a browser may keep them for a year and a new build is fetched under a new name.
 *
 * Two callers, one build: the bundling plugin (esbuild-bundle.cjs) runs it at package time and puts the result in
 * the bundles of the functions that serve the page and its files; locally, src/web/bundle.ts runs it on the first
 * request (and again when a source file changed), so `npm start` always serves the current source.
 */
const fs = require('node:fs');
const path = require('node:path');
const { createHash } = require('node:crypto');

const CONTENT_TYPES = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

/** The package a bundled file comes from (its directory under node_modules), or undefined for our own files. */
function packageDirectory(input) {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  return match?.[1];
}

/**
 * Who wrote the third-party code a file carries, and under which licence: their licences (MIT, CC BY 4.0) ask
 * that this notice travels with every copy, which is each browser that loads the file.
 */
function notice(projectRoot, inputs) {
  const packages = new Set(inputs.map(packageDirectory).filter(Boolean));
  const lines = [...packages].sort().map((directory) => {
    const manifest = JSON.parse(fs.readFileSync(path.join(projectRoot, directory, 'package.json'), 'utf8'));
    const author = typeof manifest.author === 'string' ? manifest.author : manifest.author?.name;
    return ` * ${manifest.name} ${manifest.version}, ${manifest.license}${author ? `, by ${author}` : ''}`;
  });
  return lines.length > 0 ? `/*!\n * Includes:\n${lines.join('\n')}\n */\n` : '';
}

/**
 * Builds the app: `{ script, style, files, inputs }`, where `script` and `style` are the files' names, `files` maps
 * each name to its content type and text, and `inputs` lists the absolute paths of every source file read.
 */
async function buildWebApp(projectRoot) {
  const esbuild = require('esbuild');
  const result = await esbuild.build({
    absWorkingDir: projectRoot,
    entryPoints: ['web/app.ts', 'web/app.css'],
    outdir: 'out',
    bundle: true,
    format: 'esm',
    // The browsers of the last few years (ES2022: top-level await, class fields; crypto.subtle for PKCE).
    target: ['es2022'],
    minify: true,
    treeShaking: true,
    // The licence notices are written by notice() above, once per file.
    legalComments: 'none',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const files = {};
  const names = {};
  for (const output of result.outputFiles) {
    const extension = path.extname(output.path).slice(1);
    const relative = path.relative(projectRoot, output.path);
    const meta = result.metafile.outputs[relative] ?? result.metafile.outputs[relative.split(path.sep).join('/')];
    const body = notice(projectRoot, Object.keys(meta?.inputs ?? {})) + output.text;
    const hash = createHash('sha256').update(body).digest('base64url').slice(0, 12);
    const name = `app.${hash}.${extension}`;
    files[name] = { contentType: CONTENT_TYPES[extension], body };
    names[extension] = name;
  }
  if (!names.js || !names.css) throw new Error('web-app: the build made no script or no stylesheet');
  return {
    script: names.js,
    style: names.css,
    files,
    inputs: Object.keys(result.metafile.inputs).map((input) => path.resolve(projectRoot, input)),
  };
}

module.exports = { buildWebApp };
