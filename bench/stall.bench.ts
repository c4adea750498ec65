// Stall benchmark: does one client's heavy request stop the server for everyone else? A
// `portcullis serve` in its own process holds USERS users (1,000,000 by default) and one
// finished policy test over them. /healthz is probed every 10 ms, first alone (the baseline of
// this run), then while four clients keep the server busy for DURATION seconds: two searching
// the directory (a substring no user has, and one many have), one asking the policy test for
// users it never had, and one importing IMPORT users (100,000) over and over (CLIENTS picks some). Run for SQLite
// and, when PORTCULLIS_TEST_POSTGRES_URL is set, PostgreSQL. Progress goes to stderr; the last
// stdout line is one JSON object of figures. Target (docs/benchmarks.md): /healthz p99 ≤ 50 ms
// under load on both stores.
//
//   npm run bench:stall            (USERS=1000000 IMPORT=100000 DURATION=30 STORES=sqlite,postgres)

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { postgresDatabase, postgresUnavailable, type TestDatabase } from '../test/support/databases.js';
import { startServerProcess, type ServerProcess } from '../test/support/server-process.js';

const USERS = Number(process.env.USERS ?? 1_000_000);
const IMPORT = Number(process.env.IMPORT ?? 100_000);
const DURATION_S = Number(process.env.DURATION ?? 30);
const PROBE_EVERY_MS = 10;
type ClientName = 'search_miss' | 'search_hit' | 'unknown_result_user' | 'imports';
/** Which of the four clients run (all by default); one at a time shows which stalls the server. */
const CLIENTS = (process.env.CLIENTS ?? 'search_miss,search_hit,unknown_result_user,imports').split(',').map((c) => c.trim() as ClientName);
const SEED_BATCH = 100_000;
const log = (msg: string) => process.stderr.write(`[bench:stall] ${msg}\n`);

function ndjson(from: number, count: number, domain: string): string {
  const lines: string[] = [];
  for (let i = from; i < from + count; i++) {
    lines.push(JSON.stringify({ email: `user${i}@${domain}`, name: `User ${i}`, identity: { ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, groups: [{ name: `team-${i % 20}` }] } }));
  }
  return lines.join('\n');
}

interface Client {
  readonly call: (method: string, path: string, body?: string, contentType?: string) => Promise<{ status: number; json: any }>;
}

function clientOf(server: ServerProcess): Client {
  return {
    async call(method, path, body, contentType = 'application/json') {
      const res = await fetch(`${server.apiUrl}${path}`, { method, headers: { authorization: `Bearer ${server.token}`, 'content-type': contentType }, ...(body === undefined ? {} : { body }) });
      const text = await res.text();
      return { status: res.status, json: text === '' ? undefined : JSON.parse(text) };
    },
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * Probe /healthz every 10 ms until `until` settles; latencies in ms. The prober is a thread of
 * its own, so that the load clients' work in this process (building import bodies, reading
 * answers) is never counted as the server's latency.
 */
async function probe(server: ServerProcess, until: Promise<unknown>): Promise<{ p50: number; p99: number; max: number; count: number }> {
  const prober = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     let stop = false;
     parentPort.on('message', () => (stop = true));
     (async () => {
       const latencies = [];
       while (!stop) {
         const started = performance.now();
         const res = await fetch(workerData.url);
         await res.arrayBuffer();
         latencies.push(performance.now() - started);
         const wait = workerData.every - (performance.now() - started);
         if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
       }
       parentPort.postMessage(latencies);
     })();`,
    { eval: true, workerData: { url: `${server.url}/healthz`, every: PROBE_EVERY_MS } },
  );
  const measured = new Promise<number[]>((resolve, reject) => {
    prober.once('message', resolve);
    prober.once('error', reject);
  });
  await until.catch(() => undefined);
  prober.postMessage('stop');
  const latencies = (await measured).sort((a, b) => a - b);
  await prober.terminate();
  const round = (n: number) => Math.round(n * 10) / 10;
  return { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)), max: round(latencies.at(-1) ?? 0), count: latencies.length };
}

async function benchStore(store: 'sqlite' | 'postgres') {
  const dir = mkdtempSync(join(tmpdir(), `portcullis-bench-stall-${store}-`));
  const database: TestDatabase | undefined = store === 'postgres' ? await postgresDatabase() : undefined;
  const server = await startServerProcess(join(dir, 'data'), { PORTCULLIS_IMPORT_MAX_USERS: String(Math.max(SEED_BATCH, IMPORT)), PORTCULLIS_IMPORT_LIMIT_MB: '256' }, database === undefined ? [] : ['--db', database.url]);
  const client = clientOf(server);
  const A = `/accounts/${server.accountId}/access`;
  try {
    const seedStarted = performance.now();
    for (let from = 0; from < USERS; from += SEED_BATCH) {
      const res = await client.call('POST', `${A}/users/import`, ndjson(from, Math.min(SEED_BATCH, USERS - from), 'example.com'), 'application/x-ndjson');
      if (res.status !== 200) throw new Error(`seeding answered ${res.status}: ${JSON.stringify(res.json?.errors)}`);
      log(`${store}: seeded ${Math.min(from + SEED_BATCH, USERS).toLocaleString('en-US')} users`);
    }
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const started = await client.call('POST', `${A}/policy-tests`, JSON.stringify({ policies: [{ name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] }] }));
    if (started.status !== 200) throw new Error(`the policy test answered ${started.status}: ${JSON.stringify(started.json?.errors)}`);
    const testId = started.json.result.id as string;
    for (;;) {
      const progress = await client.call('GET', `${A}/policy-tests/${testId}`);
      if (progress.json.result.status !== 'processing') break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    log(`${store}: policy test ${testId.slice(0, 8)} done; baseline probe for 5 s`);

    const baseline = await probe(server, new Promise((resolve) => setTimeout(resolve, 5000)));
    log(`${store}: baseline /healthz p50 ${baseline.p50} ms, p99 ${baseline.p99} ms, max ${baseline.max} ms`);

    // Built beforehand: the first round of each creates IMPORT users, later rounds update them.
    const importBodies = [0, 1, 2].map((round) => ndjson(0, IMPORT, `round${round}.example.org`));
    const deadline = performance.now() + DURATION_S * 1000;
    const counts = { search_miss: 0, search_hit: 0, unknown_result_user: 0, imports: 0, failed: 0 };
    const loop = async (name: keyof typeof counts, request: (i: number) => Promise<{ status: number }>, expected: number) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const res = await request(i);
        if (res.status === expected) counts[name]++;
        else counts.failed++;
      }
    };
    const clients = {
      search_miss: () => loop('search_miss', () => client.call('GET', `${A}/users?search=zzz&per_page=50`), 200),
      search_hit: () => loop('search_hit', (i) => client.call('GET', `${A}/users?search=user${i % 97}&per_page=50`), 200),
      unknown_result_user: () =>
        loop('unknown_result_user', () => client.call('GET', `${A}/policy-tests/${testId}/users/6f1c3a5e-0000-4000-8000-${String(Math.floor(Math.random() * 1e12)).padStart(12, '0')}`), 404),
      imports: () => loop('imports', (i) => client.call('POST', `${A}/users/import`, importBodies[i % importBodies.length]!, 'application/x-ndjson'), 200),
    };
    const load = Promise.all(CLIENTS.map((name) => clients[name]()));
    log(`${store}: ${CLIENTS.join(', ')} for ${DURATION_S} s, /healthz probed every ${PROBE_EVERY_MS} ms`);
    const loaded = await probe(server, load);
    await load;
    log(`${store}: under load /healthz p50 ${loaded.p50} ms, p99 ${loaded.p99} ms, max ${loaded.max} ms; ${JSON.stringify(counts)}`);
    return {
      store,
      users: USERS,
      seed_seconds: Math.round(seedSeconds),
      healthz_baseline_p99_ms: baseline.p99,
      healthz_p50_ms: loaded.p50,
      healthz_p99_ms: loaded.p99,
      healthz_max_ms: loaded.max,
      healthz_probes: loaded.count,
      healthz_p99_over_baseline: Math.round((loaded.p99 / Math.max(baseline.p99, 0.1)) * 10) / 10,
      ...counts,
    };
  } finally {
    await server.stop();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const wanted = (process.env.STORES ?? 'sqlite,postgres').split(',').map((s) => s.trim());
const results = [];
for (const store of ['sqlite', 'postgres'] as const) {
  if (!wanted.includes(store)) continue;
  if (store === 'postgres') {
    const why = await postgresUnavailable();
    if (why !== undefined) {
      log(`postgres skipped: ${why}`);
      continue;
    }
  }
  results.push(await benchStore(store));
}
console.log(JSON.stringify({ bench: 'stall', target_healthz_p99_ms: 50, results }));
