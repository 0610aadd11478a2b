/**
 * The embedded store in a thread of its own: dynalite (local/dynalite-worker.ts) in a worker thread of the API's
 * process, so that the store and the API do not share one event loop (each request runs through both), as DynamoDB
 * and API Gateway do not share a machine. A thread rather than a process: it starts in a third of the time (it needs
 * no Node.js of its own), serves as fast (measured side by side), and ends with the process whatever ends it, kill -9
 * included, with nothing left behind.
 *
 * The thread is started first and told later what to do: `start` (port, data directory), then `close`. `npm start`
 * (local/start.mjs) starts it before it even loads the API, so that both load at once; the API then checks its
 * options and takes the data directory's lock before the store opens it.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Dynalite } from './dynalite-server.js';
import type { FromStore, ToStore } from './dynalite-worker.js';
import { PROJECT_ROOT } from './paths.js';

/** How long the store may take to close its data before its thread is stopped. */
const CLOSE_DEADLINE_MS = 10_000;

/**
 * Starts the store's thread from source (through tsx, as this process runs), waiting for its `start`. (`npm start`
 * starts the prebuilt one instead.)
 */
export function dynaliteWorker(): Worker {
  // A worker runs JavaScript: tsx, imported into it, compiles the TypeScript it imports.
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(pathToFileURL(resolve(PROJECT_ROOT, 'local/dynalite-worker.ts')).href);
  return new Worker(`import(${tsx}).then(({ tsImport }) => tsImport(${entry}, ${entry}))`, { eval: true });
}

/** The store's thread failed to start: its error, with the code and syscall that say what it was (EADDRINUSE…). */
class StoreStartError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly syscall: string | undefined,
  ) {
    super(message);
  }
}

/**
 * Has `worker` (from dynaliteWorker, or local/start.mjs) start dynalite, and resolves once it listens. A failure to
 * listen rejects with an error whose `syscall` and `code` are those of `listen()`. `onGone` is told if the thread
 * ends before close() was called (an uncaught error in the store).
 */
export function startDynaliteThread(
  worker: Worker,
  options: { port: number; host?: string; dataDir?: string },
  onGone: (why: string) => void,
): Promise<Dynalite> {
  let closing = false;
  let error: Error | undefined;
  const exited = new Promise<number>((done) => worker.once('exit', done));
  return new Promise<Dynalite>((resolveStart, reject) => {
    let started = false;
    const onMessage = (message: FromStore) => {
      worker.off('message', onMessage);
      if (message.type === 'failed') {
        reject(new StoreStartError(message.message, message.code, message.syscall));
        void worker.terminate();
        return;
      }
      started = true;
      resolveStart({
        endpoint: message.endpoint,
        close: async () => {
          closing = true;
          worker.postMessage({ type: 'close' } satisfies ToStore);
          const stop = setTimeout(() => void worker.terminate(), CLOSE_DEADLINE_MS);
          await exited;
          clearTimeout(stop);
        },
      });
    };
    worker.on('message', onMessage);
    worker.once('error', (thrown) => {
      error = thrown;
    });
    void exited.then((code) => {
      const why = `the embedded DynamoDB stopped (${error ? `${error.name}: ${error.message}` : `exit code ${code}`})`;
      if (!started) reject(error ?? new Error(why));
      else if (!closing) onGone(why);
    });
    worker.postMessage({
      type: 'start',
      port: options.port,
      host: options.host ?? '127.0.0.1',
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    } satisfies ToStore);
  });
}
