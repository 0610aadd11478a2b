'use strict';
/**
 * osls plugin: bundles each function's handler with esbuild into its own zip
 * (ESM, minified, tree-shaken, dependencies included), so every Lambda ships
 * only the code it runs. The handler `src/handlers/create.handler` is built
 * from src/handlers/create.ts into src/handlers/create.mjs inside the zip, so
 * the handler string works unchanged on AWS.
 *
 * Written for this project (rather than serverless-esbuild) to keep the
 * dependency tree free of plugins that pull in other frameworks.
 */
const fs = require('node:fs');
const path = require('node:path');
const { splitHandler } = require('./handler-path.cjs');
const { buildWebApp } = require('./web-app.cjs');

/** The module that, run from source, builds the web app on demand; in a bundle it is the app built at package time. */
const WEB_BUNDLE_MODULE = path.join('src', 'web', 'bundle.ts');

const FIXED_MTIME = new Date('2020-01-01T00:00:00Z'); // same input, same zip

/** How every function is bundled (the bench builds its comparisons with the same options). */
const FUNCTION_BUILD = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  mainFields: ['module', 'main'],
  minify: true,
  treeShaking: true,
  legalComments: 'none',
};

class EsbuildBundle {
  constructor(serverless, options, utils) {
    this.serverless = serverless;
    this.options = options;
    this.log = utils?.log ?? { notice: console.log, info: console.log };
    this.hooks = {
      'before:package:createDeploymentArtifacts': () => this.bundleAll(),
      'before:deploy:function:packageFunction': () => this.bundle(this.options.function),
    };
  }

  async bundleAll() {
    const names = this.serverless.service.getAllFunctions();
    const sizes = await Promise.all(names.map((name) => this.bundle(name)));
    for (const [i, name] of names.entries())
      this.log.notice(`esbuild: ${name} ${(sizes[i] / 1024).toFixed(1)} KiB zipped`);
  }

  /**
   * An esbuild plugin that replaces src/web/bundle.ts by the web app built now (once per packaging, whichever
   * functions import it): a Lambda function serves the files it was deployed with and never runs a build.
   */
  prebuiltWebApp(servicePath) {
    // Compared as real paths: esbuild reports them so, and tools/package.ts runs osls in a directory of links.
    const file = fs.realpathSync(path.join(servicePath, WEB_BUNDLE_MODULE));
    return {
      name: 'prebuilt-web-app',
      setup: (build) => {
        build.onLoad({ filter: /[\\/]src[\\/]web[\\/]bundle\.ts$/ }, async (args) => {
          if (fs.realpathSync(args.path) !== file) return undefined;
          this.webApp ??= buildWebApp(servicePath);
          const { script, style, files } = await this.webApp;
          // Two constants, so that a function that only names the files (GET /) is bundled without them.
          const contents = [
            `const NAMES = ${JSON.stringify({ script, style })};`,
            `const FILES = ${JSON.stringify(files)};`,
            'export async function webBundleNames() { return NAMES; }',
            'export async function webBundle() { return { ...NAMES, files: FILES }; }',
          ].join('\n');
          return { contents, loader: 'js' };
        });
      },
    };
  }

  /** Builds one function's zip and points its `package.artifact` at it; returns the zip's size. */
  async bundle(name) {
    const esbuild = require('esbuild');
    const servicePath = this.serverless.serviceDir;
    const fn = this.serverless.service.getFunction(name);
    const modulePath = splitHandler(fn.handler).module;
    const entry = ['.ts', '.mts', '.js', '.mjs']
      .map((ext) => path.join(servicePath, modulePath + ext))
      .find((file) => fs.existsSync(file));
    if (!entry) throw new this.serverless.classes.Error(`esbuild-bundle: no source for handler ${fn.handler}`);

    const result = await esbuild.build({
      ...FUNCTION_BUILD,
      entryPoints: [entry],
      write: false,
      outfile: `${modulePath}.mjs`,
      logLevel: 'warning',
      plugins: [this.prebuiltWebApp(servicePath), builtinsAsImports()],
    });
    const [output] = result.outputFiles;

    // Files the function reads at run time go into its zip under the same path as in the project, so that a path
    // relative to the handler's module finds them in both places.
    const assets = this.serverless.service.custom?.esbuildBundle?.assets?.[name] ?? [];
    const entries = [[`${modulePath}.mjs`, Buffer.from(output.contents)]];
    for (const asset of assets) {
      const file = path.join(servicePath, asset);
      if (!fs.existsSync(file))
        throw new this.serverless.classes.Error(`esbuild-bundle: no asset ${asset} for ${name}`);
      entries.push([asset, fs.readFileSync(file)]);
    }

    // osls builds everything in <service>/.serverless/, which it empties first and, with --package, moves to that
    // directory afterwards: a zip written straight into the --package directory would be deleted by that move. (The
    // tests and the bench keep the project's own .serverless/ intact by running osls in a service directory of their
    // own: tools/package.ts.)
    const zipPath = path.join(servicePath, '.serverless', `${name}.zip`);
    fs.mkdirSync(path.dirname(zipPath), { recursive: true });
    await writeZip(zipPath, entries);
    fn.package = { ...fn.package, artifact: zipPath };
    return fs.statSync(zipPath).size;
  }
}

/**
 * An esbuild plugin for CommonJS dependencies: their require() of a Node.js built-in becomes an import of it. An ES
 * module has no `require`; the usual banner that makes one (`createRequire(import.meta.url)`) loads node:module in
 * every cold start, for every function, whether a dependency needs it or not.
 */
function builtinsAsImports() {
  const builtins = new Set(require('node:module').builtinModules);
  return {
    name: 'builtins-as-imports',
    setup: (build) => {
      build.onResolve({ filter: /^[\w:/]+$/ }, (args) => {
        const name = args.path.replace(/^node:/, '');
        if (args.kind !== 'require-call' || !builtins.has(name)) return undefined;
        return { path: name, namespace: 'builtin-as-import' };
      });
      build.onLoad({ filter: /.*/, namespace: 'builtin-as-import' }, (args) => ({
        contents: `import builtin from "node:${args.path}"; module.exports = builtin;`,
        loader: 'js',
      }));
    },
  };
}

/** Writes `entries` ([path in the zip, contents]) into a zip whose bytes depend on the entries only. */
function writeZip(zipPath, entries) {
  const yazl = require('yazl');
  const zip = new yazl.ZipFile();
  for (const [entryName, contents] of entries) {
    zip.addBuffer(contents, entryName.split(path.sep).join('/'), { mtime: FIXED_MTIME, mode: 0o644 });
  }
  zip.end();
  return new Promise((resolve, reject) => {
    zip.outputStream.pipe(fs.createWriteStream(zipPath)).on('close', resolve).on('error', reject);
  });
}

module.exports = EsbuildBundle;
module.exports.builtinsAsImports = builtinsAsImports;
module.exports.FUNCTION_BUILD = FUNCTION_BUILD;
