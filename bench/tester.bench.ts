// Policy-tester benchmark: a fresh `portcullis serve` (SQLite unless DB= says otherwise) gets N
// generated users through the import API, a realistic 10-policy set (several selectors, a
// nested group, an IP list), and one policy test; we time it from start to `complete` and
// sample the server's resident memory meanwhile. Progress on stderr; last stdout line: JSON.
//
//   npm run bench:tester                 (USERS=100000,1000000 by default)
//   USERS=100000 DB=postgres://postgres@127.0.0.1:5432/test?schema=bench npm run bench:tester

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess, type ServerProcess } from '../test/support/server-process.js';
import { seededRandom } from '../test/support/random.js';
import { policies, userLine, type Setup } from './support/generated-users.js';
import { accountApi as api } from './support/account-api.js';

const SIZES = (process.env.USERS ?? '100000,1000000').split(',').map(Number);
const DB = process.env.DB;
const IMPORT_BATCH = 100_000;
const log = (msg: string) => process.stderr.write(`[bench:tester] ${msg}\n`);


async function prepareAccount(server: ServerProcess): Promise<Setup> {
  const google = (await api(server, 'POST', '/access/identity_providers', { name: 'Google Workspace', type: 'google-apps', config: { client_id: 'x', client_secret: 'y', apps_domain: 'example.com' } })).id;
  const okta = (await api(server, 'POST', '/access/identity_providers', { name: 'Okta', type: 'okta', config: { client_id: 'x', client_secret: 'y', okta_account: 'https://example.okta.com' } })).id;
  const officeList = (await api(server, 'POST', '/gateway/lists', { name: 'Office', type: 'IP', items: [{ value: '198.51.100.0/24' }, { value: '192.0.2.10' }, { value: '10.20.0.0/16' }] })).id;
  const watchList = (await api(server, 'POST', '/gateway/lists', { name: 'Watch list', type: 'EMAIL', items: Array.from({ length: 200 }, (_, i) => ({ value: `suspect${i}@example.com` })) })).id;
  const watch = (await api(server, 'POST', '/access/groups', { name: 'Watch list', include: [{ email_list: { id: watchList } }] })).id;
  const risky = (await api(server, 'POST', '/access/groups', { name: 'Risky', include: [{ user_risk_score: { user_risk_score: ['high'] } }, { group: { id: watch } }] })).id;
  const contractors = (await api(server, 'POST', '/access/groups', { name: 'Contractors', include: [{ email_domain: { domain: 'contractor.io' } }] })).id;
  await api(server, 'POST', '/devices/posture', { name: 'Disk encryption', type: 'disk_encryption', input: {} }).then(() => undefined, () => undefined);
  return { google, okta, officeList, watchList, risky, contractors };
}

async function runOnce(n: number): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-bench-tester-'));
  const server = await startServerProcess(dir, { PORTCULLIS_LOG_LEVEL: 'warn' }, DB !== undefined ? ['--db', DB] : []);
  try {
    const setup = await prepareAccount(server);
    const random = seededRandom(7);
    const importStart = performance.now();
    for (let from = 0; from < n; from += IMPORT_BATCH) {
      const lines: string[] = [];
      for (let i = from; i < Math.min(n, from + IMPORT_BATCH); i++) lines.push(userLine(i, random, setup));
      await api(server, 'POST', '/access/users/import', lines.join('\n'), 'application/x-ndjson');
      log(`imported ${Math.min(n, from + IMPORT_BATCH)} of ${n} users`);
    }
    const importSeconds = (performance.now() - importStart) / 1000;
    const rssBefore = rssMiB(server);

    let peakRss = rssBefore;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMiB(server))), 25);
    const start = performance.now();
    const { id } = await api(server, 'POST', '/access/policy-tests', { policies: policies(setup) });
    let progress: any;
    let lastPercent = -1;
    for (;;) {
      progress = await api(server, 'GET', `/access/policy-tests/${id}`);
      if (progress.percent_users_processed !== lastPercent && progress.percent_users_processed % 20 === 0) log(`${n} users: ${progress.percent_users_processed}% processed`);
      lastPercent = progress.percent_users_processed;
      if (progress.status !== 'processing') break;
      await new Promise((ok) => setTimeout(ok, 20));
    }
    const seconds = (performance.now() - start) / 1000;
    clearInterval(sampler);
    if (progress.status !== 'complete' || progress.total_users !== n) throw new Error(`test ended ${progress.status} with ${progress.total_users} users`);
    log(`${n} users: complete in ${seconds.toFixed(2)} s (${progress.users_approved} approved, ${progress.users_blocked} blocked, ${progress.users_errored} errors); peak RSS ${peakRss} MiB`);
    return {
      users: n,
      seconds_to_complete: round(seconds),
      users_per_second: Math.round(n / seconds),
      server_peak_rss_mib_during_test: peakRss,
      server_rss_mib_before_test: rssBefore,
      server_peak_rss_mib_whole_run: server.peakRssMiB(),
      import_seconds: round(importSeconds),
      approved: progress.users_approved,
      blocked: progress.users_blocked,
      errored: progress.users_errored,
    };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function rssMiB(server: ServerProcess): number {
  const status = readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

const round = (x: number) => Math.round(x * 100) / 100;

const runs = [];
for (const n of SIZES) runs.push(await runOnce(n));
console.log(JSON.stringify({ benchmark: 'tester', store: DB === undefined ? 'sqlite' : 'postgres', policies: 10, node: process.version, runs }));
