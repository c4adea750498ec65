// User import benchmark: one NDJSON import of generated users (each with a small identity)
// through a real HTTP server on a fresh SQLite file (or PostgreSQL schema), then the same
// file again (all updates). Prints progress to stderr and, as its last line on stdout, one
// JSON object of figures.
//
//   npm run build:test && node dist-test/bench/user-import.bench.js    (USERS=100000, DB=sqlite|postgres)

import { postgresDatabase, sqliteDatabase } from '../test/support/databases.js';
import { startTestServer } from '../test/support/server.js';

const USERS = Number(process.env.USERS ?? 100_000);
const DB = process.env.DB ?? 'sqlite';
const log = (msg: string) => process.stderr.write(`[bench:user-import] ${msg}\n`);

function ndjson(count: number): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    lines.push(
      JSON.stringify({
        email: `user${i}@example${i % 50}.com`,
        name: `User ${i}`,
        identity: { ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, geo: { country: i % 2 === 0 ? 'US' : 'DE' }, groups: [{ name: `team-${i % 20}` }], amr: ['pwd', 'mfa'] },
      }),
    );
  }
  return lines.join('\n');
}

async function timedImport(server: Awaited<ReturnType<typeof startTestServer>>, body: string): Promise<{ ms: number; result: unknown }> {
  const started = performance.now();
  const res = await server.api('POST', `/accounts/${server.accountId}/access/users/import`, body, { 'content-type': 'application/x-ndjson' });
  const ms = performance.now() - started;
  if (res.status !== 200) throw new Error(`import answered ${res.status}: ${JSON.stringify(res.json.errors.slice(0, 3))}`);
  return { ms, result: res.json.result };
}

const server = await startTestServer({ database: DB === 'postgres' ? await postgresDatabase() : sqliteDatabase() });
try {
  const body = ndjson(USERS);
  log(`${USERS} users, ${(body.length / 1024 / 1024).toFixed(1)} MiB of NDJSON`);
  const create = await timedImport(server, body);
  log(`create: ${create.ms.toFixed(0)} ms ${JSON.stringify(create.result)}`);
  const update = await timedImport(server, body);
  log(`update: ${update.ms.toFixed(0)} ms ${JSON.stringify(update.result)}`);
  console.log(JSON.stringify({ db: DB, users: USERS, bytes: body.length, createMs: Math.round(create.ms), updateMs: Math.round(update.ms) }));
} finally {
  await server.close();
}
