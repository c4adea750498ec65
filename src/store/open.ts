// Open the store a database URL names: `sqlite:PATH` (or a bare path) or `postgres://...`.

import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PostgresDriver } from './postgres/driver.js';
import { SqliteDriver } from './sqlite/driver.js';
import { SqlStore } from './sql-store.js';
import type { Driver } from './driver.js';
import type { KeyRingSource } from './secret-sealer.js';
import type { Store } from './store.js';

export interface OpenStoreOptions {
  /** The keys that seal secret fields at rest (see secret-box.ts). */
  readonly secrets: KeyRingSource;
  /** SQLite durability (see SqliteOptions). */
  readonly sqliteSynchronous?: 'normal' | 'full';
  readonly postgresMaxConnections?: number;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** The driver for a database URL, without a store over it (tools that read rows as stored). */
export function openDriver(url: string, options: Omit<OpenStoreOptions, 'secrets'> = {}): Driver {
  if (isPostgresUrl(url)) {
    return new PostgresDriver({ url, ...(options.postgresMaxConnections !== undefined ? { maxConnections: options.postgresMaxConnections } : {}) });
  }
  const path = sqlitePath(url);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  return new SqliteDriver({ path, ...(options.sqliteSynchronous !== undefined ? { synchronous: options.sqliteSynchronous } : {}) });
}

/** The file a SQLite database URL (`sqlite:PATH` or a bare path) names. */
export function sqlitePath(url: string): string {
  return resolve(/^sqlite:/i.test(url) ? url.slice('sqlite:'.length) : url);
}

export async function openStore(url: string, options: OpenStoreOptions): Promise<Store> {
  return SqlStore.open(openDriver(url, options), options.secrets);
}

/** A URL safe to print: the password, if any, replaced (any `scheme://user:password@` form). */
export function redactUrl(url: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url;
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    // libpq and pg also take secrets as parameters (?password=, ?sslpassword=, ?sslkey=...).
    for (const name of [...parsed.searchParams.keys()]) if (/pass|key|secret|token/i.test(name)) parsed.searchParams.set(name, '***');
    return parsed.toString();
  } catch {
    return `${url.slice(0, url.indexOf('://'))}://(unparseable URL)`;
  }
}
