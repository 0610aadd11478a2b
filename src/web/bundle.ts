/**
 * The web app's files (web/, built by plugins/web-app.cjs): a script and a stylesheet named after their content.
 *
 * Run from source (`npm start`, the tests), this module builds them on first use and again whenever one of their
 * source files has changed since, so the page always shows the current code with no build step to remember. In a
 * deployed function it never runs: the bundling plugin (plugins/esbuild-bundle.cjs) replaces it by the files built
 * at package time, with the same exports (and, since `webBundleNames` names only the files, the function of the page
 * carries the names without the files).
 */
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface WebFile {
  contentType: string;
  body: string;
}

export interface WebBundle {
  /** The script's file name (app.<hash>.js). */
  script: string;
  /** The stylesheet's file name (app.<hash>.css). */
  style: string;
  files: Record<string, WebFile>;
}

interface Build extends WebBundle {
  inputs: string[];
}

interface Built {
  bundle: WebBundle;
  /** Each source file read, with its modification time then. */
  inputs: Map<string, number>;
}

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);
const { buildWebApp } = require('../../plugins/web-app.cjs') as { buildWebApp(root: string): Promise<Build> };

let current: Promise<Built> | undefined;

async function modified(file: string): Promise<number> {
  try {
    return (await stat(file)).mtimeMs;
  } catch {
    return -1;
  }
}

async function build(): Promise<Built> {
  const { inputs, ...bundle } = await buildWebApp(PROJECT_ROOT);
  const times = await Promise.all(inputs.map(modified));
  return { bundle, inputs: new Map(inputs.map((file, i) => [file, times[i] ?? -1])) };
}

async function stale(built: Built): Promise<boolean> {
  const files = [...built.inputs];
  const times = await Promise.all(files.map(([file]) => modified(file)));
  return files.some(([, time], i) => times[i] !== time);
}

/** The names of the app's script and stylesheet (what the page links to). */
export async function webBundleNames(): Promise<Pick<WebBundle, 'script' | 'style'>> {
  const { script, style } = await webBundle();
  return { script, style };
}

/** The app's files, built from the current source. */
export async function webBundle(): Promise<WebBundle> {
  const built = current ? await current.catch(() => undefined) : undefined;
  if (built && !(await stale(built))) return built.bundle;
  current = build();
  return (await current).bundle;
}
