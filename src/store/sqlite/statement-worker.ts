// A worker thread that runs SQLite statements that may take long on a connection of its own,
// so that better-sqlite3, which blocks the thread it runs on, never blocks the server's event
// loop with them: reads (a substring search over a million users, counting them, numbering a
// directory for a policy test), which WAL lets run beside the writer, and, on a writable
// connection, the statements of a bulk transaction (a user import) while the main writer waits.

import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { PACKED, unpackParams } from './packed-params.js';

export interface StatementWorkerData {
  readonly path: string;
  /** A connection that may write (for bulk transactions); else read-only. */
  readonly writable: boolean;
  /** The writer's durability setting (writable connections only). */
  readonly synchronous?: string;
  /** A writable connection that leaves checkpoints to the driver's checkpointer thread. */
  readonly noAutoCheckpoint?: boolean;
}

export interface StatementRequest {
  readonly id: number;
  readonly method: 'all' | 'get' | 'run' | 'runEach';
  readonly sql: string;
  /** For runEach: one JSON text, an array holding an array of parameters per run; or PACKED and packedParams' text. */
  readonly params: readonly unknown[];
}

export type StatementReply = { readonly id: number; readonly rows: unknown } | { readonly id: number; readonly error: { readonly message: string; readonly code?: string } };

const { path, writable, synchronous, noAutoCheckpoint } = workerData as StatementWorkerData;
const db = new Database(path, { readonly: !writable });
db.pragma('busy_timeout = 10000');
if (writable) db.pragma(`synchronous = ${synchronous ?? 'NORMAL'}`);
if (writable && noAutoCheckpoint === true) db.pragma('wal_autocheckpoint = 0');
// The same Unicode-aware lower case as the server's own connections (see dialect.ts).
db.function('unicode_lower', { deterministic: true }, (text: unknown) => (typeof text === 'string' ? text.toLowerCase() : text));

type Statement = Database.Statement<unknown[], unknown>;
const statements = new Map<string, Statement>();

function runEach(statement: Statement, paramSets: readonly unknown[][]): number {
  let changes = 0;
  for (const params of paramSets) changes += statement.run(...params).changes;
  return changes;
}

parentPort!.on('message', (request: StatementRequest | 'stop') => {
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
    const rows =
      request.method === 'all'
        ? statement.all(...request.params)
        : request.method === 'get'
          ? statement.get(...request.params)
          : request.method === 'run'
            ? { changes: statement.run(...request.params).changes }
            : { changes: runEach(statement, request.params[0] === PACKED ? unpackParams(request.params[1] as string) : (JSON.parse(request.params[0] as string) as unknown[][])) };
    parentPort!.postMessage({ id: request.id, rows } satisfies StatementReply);
  } catch (err) {
    const { message, code } = err as { message: string; code?: string };
    parentPort!.postMessage({ id: request.id, error: { message, ...(typeof code === 'string' ? { code } : {}) } } satisfies StatementReply);
  }
});
