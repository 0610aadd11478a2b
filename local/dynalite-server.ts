/**
 * dynalite, the embedded DynamoDB-compatible server (LevelDB on disk, no Java, no Docker). `npm start` runs it in a
 * thread of its own (local/dynalite-thread.ts); some tests start it in theirs. (Not to be confused with
 * src/store, the functions' DynamoDB adapter.)
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { closeIteratorsOnDestroy, teachReturnValuesOnConditionCheckFailure } from './dynalite-compat.js';

/** A running dynalite. */
export interface Dynalite {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts dynalite on `port` (0 picks a free one), persisting under `dataDir`
 * or, without one, in memory.
 */
export async function startDynalite(options: { port: number; dataDir?: string; host?: string }): Promise<Dynalite> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  teachReturnValuesOnConditionCheckFailure();
  closeIteratorsOnDestroy();
  const server = dynalite({
    ...(options.dataDir ? { path: options.dataDir } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${host}:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
