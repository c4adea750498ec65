// How close a user import comes to the store's floor, measured in one run: (a) our import, one
// NDJSON request to a real `portcullis serve` process on a fresh database, timed from its first
// byte sent to the answer; (b) a bare loop over the same file: each line JSON.parse'd and the
// same rows (same table, columns and values as the import writes) inserted with the same driver
// on another fresh database of the same schema: better-sqlite3 multi-row prepared inserts in one
// transaction (no checkpoint at its commit, as the server's), or PostgreSQL COPY; no validation,
// no HTTP, no worker thread.

import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import pg from 'pg';
import { postgresDatabase, type TestDatabase } from '../../test/support/databases.js';
import { seededRandom } from '../../test/support/random.js';
import { startServerProcess } from '../../test/support/server-process.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { openDriver } from '../../src/store/open.js';
import { copyFrom } from './copy-from.js';
import { timeOrderedUuid } from '../../src/store/time-ordered-id.js';
import { userLine } from './generated-users.js';

export type ImportStore = 'sqlite' | 'postgres';

export interface ImportFloor {
  readonly users: number;
  readonly store: ImportStore;
  readonly bytes: number;
  /** Our import: first byte sent to the answer. */
  readonly import_ms: number;
  /** The bare loop: first line read to commit. */
  readonly bare_ms: number;
  readonly import_over_bare: number;
  readonly server_peak_rss_mib: number;
  readonly result: { readonly created: number; readonly updated: number };
}

const log = (msg: string) => process.stderr.write(`[bench:import] ${msg}\n`);
const PROVIDERS = { google: '8e3f1a52-0000-4000-8000-000000000001', okta: '8e3f1a52-0000-4000-8000-000000000002' };

/** N generated users as an NDJSON file (written once per size and reused by the stores measured). */
async function ndjsonFile(dir: string, users: number): Promise<string> {
  const path = join(dir, `users-${users}.ndjson`);
  const out = createWriteStream(path);
  const random = seededRandom(7);
  let text = '';
  for (let i = 0; i < users; i++) {
    text += userLine(i, random, PROVIDERS) + '\n';
    if (text.length > 1 << 20) {
      if (!out.write(text)) await once(out, 'drain');
      text = '';
    }
  }
  out.end(text);
  await once(out, 'finish');
  return path;
}

/** POST the file as one NDJSON request; ms from the first byte written to the whole answer. */
function postFile(url: string, token: string, path: string): Promise<{ ms: number; status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson', 'content-length': statSync(path).size },
    });
    let started = 0;
    request.on('error', reject);
    request.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ ms: performance.now() - started, status: response.statusCode ?? 0, body }));
    });
    const file = createReadStream(path, { highWaterMark: 1 << 20 });
    file.once('data', () => (started = performance.now()));
    file.pipe(request);
  });
}

/** The same values the import writes, from one parsed line (see src/store/sql/user-import-writer.ts). */
function row(accountId: string, entry: { email: string; name?: string; identity?: Record<string, unknown> }, at: string): (string | null)[] {
  const identity = entry.identity === undefined ? null : JSON.stringify(typeof entry.identity.email === 'string' ? entry.identity : { ...entry.identity, email: entry.email });
  return [accountId, timeOrderedUuid(), entry.email, entry.email.toLowerCase(), entry.name ?? '', identity, at, at, identity === null ? null : at];
}
const COLUMNS = 'account_id, id, email, email_key, name, identity, created_at, updated_at, last_seen_at';
const ROWS_PER_INSERT = 250;

async function bareSqlite(dir: string, path: string, accountId: string): Promise<number> {
  const file = join(dir, 'bare.db');
  const driver = openDriver(`sqlite:${file}`);
  await driver.migrate(MIGRATIONS);
  await driver.close();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // As the server's import: the copy of the WAL into the database file is not part of the
  // time (portcullis leaves it to its checkpointer thread, after the answer).
  db.pragma('wal_autocheckpoint = 0');
  const placeholders = (n: number) => Array(n).fill(`(${COLUMNS.split(', ').map(() => '?').join(', ')})`).join(', ');
  const full = db.prepare(`INSERT INTO users (${COLUMNS}) VALUES ${placeholders(ROWS_PER_INSERT)}`);
  const started = performance.now();
  const at = new Date().toISOString();
  db.prepare('BEGIN').run();
  let params: (string | null)[] = [];
  for await (const line of createInterface({ input: createReadStream(path, { highWaterMark: 1 << 20 }), crlfDelay: Infinity })) {
    if (line === '') continue;
    params.push(...row(accountId, JSON.parse(line), at));
    if (params.length === ROWS_PER_INSERT * 9) {
      full.run(params);
      params = [];
    }
  }
  if (params.length > 0) db.prepare(`INSERT INTO users (${COLUMNS}) VALUES ${placeholders(params.length / 9)}`).run(params);
  db.prepare('COMMIT').run();
  const ms = performance.now() - started;
  db.close();
  return ms;
}

async function barePostgres(database: TestDatabase, path: string, accountId: string): Promise<number> {
  const driver = openDriver(database.url);
  await driver.migrate(MIGRATIONS);
  await driver.close();
  const url = new URL(database.url);
  const schema = url.searchParams.get('schema')!;
  url.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`SET search_path = ${schema}`);
    const copyValue = (v: string | null) => (v === null ? '\\N' : v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')));
    async function* chunks(): AsyncGenerator<string> {
      const at = new Date().toISOString();
      let text = '';
      for await (const line of createInterface({ input: createReadStream(path, { highWaterMark: 1 << 20 }), crlfDelay: Infinity })) {
        if (line === '') continue;
        text += row(accountId, JSON.parse(line), at).map(copyValue).join('\t') + '\n';
        if (text.length > 1 << 20) {
          yield text;
          text = '';
        }
      }
      yield text;
    }
    const started = performance.now();
    await client.query('BEGIN');
    await copyFrom(client, `COPY users (${COLUMNS}) FROM STDIN`, chunks());
    await client.query('COMMIT');
    return performance.now() - started;
  } finally {
    await client.end();
  }
}

async function ourImport(dir: string, store: ImportStore, path: string): Promise<{ ms: number; accountId: string; rss: number; result: ImportFloor['result'] }> {
  const database = store === 'postgres' ? await postgresDatabase() : undefined;
  const dataDir = join(dir, 'server');
  const server = await startServerProcess(dataDir, { PORTCULLIS_LOG_LEVEL: 'warn' }, database !== undefined ? ['--db', database.url] : []);
  try {
    const answer = await postFile(`${server.apiUrl}/accounts/${server.accountId}/access/users/import`, server.token, path);
    if (answer.status !== 200) throw new Error(`the import answered ${answer.status}: ${answer.body.slice(0, 500)}`);
    return { ms: answer.ms, accountId: server.accountId, rss: server.peakRssMiB(), result: (JSON.parse(answer.body) as { result: ImportFloor['result'] }).result };
  } finally {
    await server.stop();
    await database?.drop();
  }
}

/** Both sides of the ratio for `users` generated users on `store`, in this run. */
export async function measureImport({ users, store }: { users: number; store: ImportStore }): Promise<ImportFloor> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-bench-import-'));
  try {
    const path = await ndjsonFile(dir, users);
    const bytes = statSync(path).size;
    log(`${store}: ${users} users, ${(bytes / 1024 / 1024).toFixed(1)} MiB of NDJSON`);
    const ours = await ourImport(dir, store, path);
    log(`${store}: import ${Math.round(ours.ms)} ms ${JSON.stringify(ours.result)}, server peak RSS ${ours.rss} MiB`);
    let bare: number;
    if (store === 'sqlite') {
      bare = await bareSqlite(dir, path, ours.accountId);
    } else {
      const database = await postgresDatabase();
      try {
        bare = await barePostgres(database, path, ours.accountId);
      } finally {
        await database.drop();
      }
    }
    log(`${store}: bare loop ${Math.round(bare)} ms`);
    return {
      users,
      store,
      bytes,
      import_ms: Math.round(ours.ms),
      bare_ms: Math.round(bare),
      import_over_bare: Math.round((ours.ms / bare) * 100) / 100,
      server_peak_rss_mib: ours.rss,
      result: ours.result,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
