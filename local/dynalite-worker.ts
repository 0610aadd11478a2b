/**
 * The embedded store's own thread (see local/dynalite-thread.ts): dynalite, started when the API's thread says so,
 * and closed when it says so. It ends with the process, however that ends (Ctrl-C, a crash, kill -9).
 */
import { parentPort } from 'node:worker_threads';
import { type Dynalite, startDynalite } from './dynalite-server.js';

/** What the API's thread tells the store's. */
export type ToStore = { type: 'start'; port: number; host: string; dataDir?: string } | { type: 'close' };

/** What the store's thread answers. */
export type FromStore =
  | { type: 'listening'; endpoint: string }
  | { type: 'failed'; message: string; code?: string; syscall?: string };

if (!parentPort) throw new Error('local/dynalite-worker.ts runs as a worker thread (local/dynalite-thread.ts)');
const port = parentPort;
const tell = (message: FromStore) => port.postMessage(message);

let store: Promise<Dynalite | undefined> | undefined;

port.on('message', (message: ToStore) => {
  if (message.type === 'close') {
    // Everything written is on disk once dynalite has closed; then the thread ends.
    void (store ?? Promise.resolve(undefined)).then((started) => started?.close()).finally(() => process.exit(0));
    return;
  }
  if (store) return;
  const { host, dataDir } = message;
  store = startDynalite({ port: message.port, host, ...(dataDir ? { dataDir } : {}) }).then(
    (started) => {
      tell({ type: 'listening', endpoint: started.endpoint });
      return started;
    },
    (error: unknown) => {
      const { code, syscall } = error as NodeJS.ErrnoException;
      tell({
        type: 'failed',
        message: error instanceof Error ? error.message : String(error),
        ...(typeof code === 'string' ? { code } : {}),
        ...(typeof syscall === 'string' ? { syscall } : {}),
      });
      return undefined;
    },
  );
});
