// A worker thread that runs the SQLite reads that may take long (a substring search over a
// million users, counting them, numbering a directory for a policy test) on a connection of
// its own, so that better-sqlite3, which blocks the thread it runs on, never blocks the
// server's event loop with them. WAL lets it read the last committed state alongside the writer.

import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

export interface ScanWorkerData {
  readonly path: string;
}

export interface ScanRequest {
  readonly id: number;
  readonly method: 'all' | 'get';
  readonly sql: string;
  readonly params: readonly unknown[];
}

export type ScanReply = { readonly id: number; readonly rows: unknown } | { readonly id: number; readonly error: { readonly message: string; readonly code?: string } };

const { path } = workerData as ScanWorkerData;
const db = new Database(path, { readonly: true });
db.pragma('busy_timeout = 10000');
// The same Unicode-aware lower case as the server's own connections (see dialect.ts).
db.function('unicode_lower', { deterministic: true }, (text: unknown) => (typeof text === 'string' ? text.toLowerCase() : text));

type Statement = Database.Statement<unknown[], unknown>;
const statements = new Map<string, Statement>();

parentPort!.on('message', (request: ScanRequest | 'stop') => {
  if (request === 'stop') {
    db.close();
    parentPort!.close();
    return;
  }
  try {
    let statement = statements.get(request.sql);
    if (statement === undefined) {
      statement = db.prepare(request.sql);
      statements.set(request.sql, statement);
    }
    const rows = request.method === 'all' ? statement.all(...request.params) : statement.get(...request.params);
    parentPort!.postMessage({ id: request.id, rows } satisfies ScanReply);
  } catch (err) {
    const { message, code } = err as { message: string; code?: string };
    parentPort!.postMessage({ id: request.id, error: { message, ...(typeof code === 'string' ? { code } : {}) } } satisfies ScanReply);
  }
});
