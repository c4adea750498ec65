// A PostgreSQL schema of a benchmark's own, so that a run starts on empty tables whatever an
// earlier run (or another benchmark) left in the database, and leaves nothing behind.

import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A new schema name, and the URL that selects it (the server creates it when it starts). */
export function freshSchema(url: string): { readonly schema: string; readonly url: string } {
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  return { schema, url: withSchema(url, schema) };
}

export function withSchema(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('schema', schema);
  return parsed.toString();
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  const parsed = new URL(url);
  parsed.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: parsed.toString() });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
