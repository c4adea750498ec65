// A worker thread that checkpoints the SQLite WAL from a connection of its own. Checkpoints
// copy committed pages from the WAL into the database file and fsync both; run by the writer
// (SQLite's automatic checkpoint) they block the server's event loop for milliseconds at a time,
// every few megabytes written. A PASSIVE checkpoint here never waits for the writer, which
// keeps committing meanwhile. The writer keeps a far larger automatic threshold as a safety net.

import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

export interface CheckpointerData {
  readonly path: string;
  readonly intervalMs: number;
}

const { path, intervalMs } = workerData as CheckpointerData;
const db = new Database(path);
db.pragma('busy_timeout = 1000');
db.pragma('synchronous = NORMAL');

const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    // Busy or failing: the next round (or the writer's own checkpoint) catches up.
    parentPort?.postMessage({ error: (err as Error).message });
  }
}, intervalMs);

parentPort?.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort?.close();
});
