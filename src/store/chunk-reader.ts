// A policy-test chunk's users read on a connection of the calling thread's own: the tester's
// worker threads read, decode and decide their chunks without the event loop's connection,
// so a large test neither blocks nor loads the thread that answers HTTP. Rows come as tuples
// (UserRow), not objects: for a million users that is a measurable part of a test's time.

import Database from 'better-sqlite3';
import pg from 'pg';
import type { ThreadConnection } from './driver.js';
import { boundedConnection, DEFAULT_STATEMENT_TIMEOUT_MS, parsePostgresUrl, pgTypes, preparedName, SESSION_NAME } from './postgres/driver.js';
import { sqlFor } from './dialect.js';
import { userRowsInRangeSql } from './sql/policy-tests.js';
import type { UserRow } from './store.js';

export interface ChunkReader {
  /** The users of PolicyTestStore.usersInRange, in the same order. */
  userRows(accountId: string, seqFrom: number, seqTo: number): Promise<UserRow[]>;
  /** Open the connection ahead of the first read (a failure is left for that read to report). */
  connect(): Promise<void>;
  close(): Promise<void>;
}

export function openChunkReader(connection: ThreadConnection): ChunkReader {
  return connection.dialect === 'sqlite' ? sqliteReader(connection.path) : postgresReader(connection.url);
}

function sqliteReader(path: string): ChunkReader {
  // Read-only: WAL lets it read the last committed state beside the server's writer.
  const db = new Database(path, { readonly: true });
  db.pragma('busy_timeout = 10000');
  const statement = db.prepare<[string, number, number], UserRow>(userRowsInRangeSql(sqlFor('sqlite'))).raw(true);
  return {
    userRows: async (accountId, seqFrom, seqTo) => statement.all(accountId, seqFrom, seqTo) as UserRow[],
    connect: async () => undefined,
    close: async () => void db.close(),
  };
}

function postgresReader(url: string): ChunkReader {
  const { connectionString, schema } = parsePostgresUrl(url);
  let n = 0;
  const text = userRowsInRangeSql(sqlFor('postgres')).replace(/\?/g, () => `$${++n}`);
  // Prepared once on the thread's connection, run for every chunk.
  const name = preparedName(text);
  // The session lasts as long as the thread (a server keeps its threads, chunk-pool.ts, so that
  // the next test finds them warm): node-postgres would otherwise close it after 10 idle seconds.
  const pool = new pg.Pool({ connectionString, max: 1, idleTimeoutMillis: 0, types: pgTypes, application_name: SESSION_NAME.tester, ...boundedConnection(), options: [`-c statement_timeout=${DEFAULT_STATEMENT_TIMEOUT_MS}`, ...(schema !== undefined ? [`-c search_path=${schema}`] : [])].join(' ') });
  // An idle connection that drops must not end the thread; the next query reconnects.
  pool.on('error', () => undefined);
  return {
    userRows: async (accountId, seqFrom, seqTo) => (await pool.query<UserRow>({ name, text, values: [accountId, seqFrom, seqTo], rowMode: 'array' } as pg.QueryArrayConfig)).rows,
    connect: () =>
      pool.connect().then(
        (client) => client.release(),
        () => undefined,
      ),
    close: () => pool.end(),
  };
}
