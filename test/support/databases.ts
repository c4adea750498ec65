// Databases for tests: a SQLite file in a fresh temporary directory, or a fresh schema on the
// PostgreSQL server named by PORTCULLIS_TEST_POSTGRES_URL (default: the local one). Where no
// PostgreSQL answers, PostgreSQL tests are skipped with the reason printed, unless
// PORTCULLIS_TEST_POSTGRES_REQUIRED=1 (as .ci/run sets), which makes that a failure.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const TEST_POSTGRES_URL = process.env.PORTCULLIS_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REQUIRED = process.env.PORTCULLIS_TEST_POSTGRES_REQUIRED === '1';

export interface TempDir {
  readonly path: string;
  remove(): void;
}

export function tempDir(prefix = 'portcullis-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface TestDatabase {
  /** The URL to hand to openStore / the server's --db. */
  readonly url: string;
  drop(): Promise<void>;
}

export function sqliteDatabase(): TestDatabase {
  const dir = tempDir('portcullis-sqlite-');
  return { url: `sqlite:${join(dir.path, 'portcullis.db')}`, drop: async () => dir.remove() };
}

let probe: Promise<string | undefined> | undefined;

/** undefined when PostgreSQL answers; otherwise why PostgreSQL tests are skipped. */
export function postgresUnavailable(): Promise<string | undefined> {
  probe ??= (async () => {
    // A refused connection fails at once; the long timeout is for a machine so loaded that PostgreSQL
    // answers late (3 s expired in a CI run beside other work, failing a whole file).
    const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 20_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return undefined;
    } catch (err) {
      const reason = `no PostgreSQL at ${TEST_POSTGRES_URL} (${(err as Error).message}); set PORTCULLIS_TEST_POSTGRES_URL to run these tests`;
      if (REQUIRED) throw new Error(`PORTCULLIS_TEST_POSTGRES_REQUIRED=1 but ${reason}`);
      console.log(`# skipping PostgreSQL tests: ${reason}`);
      return reason;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return probe;
}

/** A fresh, empty schema on the test server; drop() removes it. */
export async function postgresDatabase(): Promise<TestDatabase> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const url = new URL(TEST_POSTGRES_URL);
  url.searchParams.set('schema', schema);
  // Lets a test find (and kill) exactly this database's connections.
  url.searchParams.set('application_name', schema);
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

export interface DatabaseKind {
  readonly name: 'sqlite' | 'postgres';
  /** Why this kind's tests are skipped, if they are. */
  readonly skip: string | undefined;
  create(): Promise<TestDatabase>;
}

/** Both kinds, for suites that run against each (PostgreSQL skipped with a reason when absent). */
export async function databaseKinds(): Promise<DatabaseKind[]> {
  return [
    { name: 'sqlite', skip: undefined, create: async () => sqliteDatabase() },
    { name: 'postgres', skip: await postgresUnavailable(), create: postgresDatabase },
  ];
}
