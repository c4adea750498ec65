// One policy test of N generated users measured both ways in the same run: the offline CLI
// (`portcullis test` over an NDJSON export of the users, as bench/cli.bench.ts runs it) and
// the API (`portcullis serve` on SQLite or PostgreSQL, from POST /access/policy-tests until
// `complete`, with the server's peak RSS sampled meanwhile). Same users, same policies, same
// groups and lists; the counts of both sides must agree or no figures are given.
//
// With `instances: 2` (PostgreSQL only), the API side is measured twice: by one server, then
// by two server processes sharing the work of one test (leases on the shared database).

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServerProcess, type ServerProcess } from '../../test/support/server-process.js';
import { seededRandom } from '../../test/support/random.js';
import { measurePaging, type PagingFigures } from './paging.js';
import { policies, userLine, type Setup } from './generated-users.js';
import { accountApi as api } from './account-api.js';
import { dropSchema, withSchema } from './fresh-schema.js';

export interface PolicyTestMeasureOptions {
  readonly users: number;
  /** A postgres:// URL (a schema of its own is created and dropped); default SQLite in a temporary directory. */
  readonly db?: string;
  /** 2: also measure two server processes sharing the test (PostgreSQL only). */
  readonly instances?: 1 | 2;
  /** Runs of each side; the best is reported (default 1). */
  readonly rounds?: number;
  /** Quiet time before each API round after the first (default 0): a test after a pause, as an operator's next test comes. */
  readonly pauseMs?: number;
  /** Progress lines (default: stderr). */
  readonly log?: (message: string) => void;
  /** Also measure paging of the users and of the results, on the server that ran the test. */
  readonly paging?: boolean;
}

export interface PolicyTestFigures {
  readonly users: number;
  readonly store: 'sqlite' | 'postgres';
  readonly policies: number;
  /** Every API round's time, in order (test_ms is the best). */
  readonly api_rounds_ms: readonly number[];
  /** API policy test, one server: start to `complete`. */
  readonly test_ms: number;
  /** `portcullis test` over the NDJSON export, wall time of the process. */
  readonly cli_ms: number;
  readonly test_over_cli: number;
  /** The server's peak resident memory while testing (sampled every 25 ms). */
  readonly test_peak_rss_mib: number;
  readonly server_rss_mib_before_test: number;
  readonly cli_peak_rss_mib: number | null;
  readonly import_ms: number;
  readonly approved: number;
  readonly blocked: number;
  readonly errored: number;
  /** instances: 2 only: the same test by two server processes sharing the work. */
  readonly two_instances_test_ms?: number;
  readonly two_instances_over_one?: number;
  readonly two_instances_peak_rss_mib?: number;
  readonly paging?: PagingFigures;
  readonly cores: number;
  readonly load_average_at_start: number;
  readonly node: string;
}

const BIN = fileURLToPath(new URL('../../../bin/portcullis.js', import.meta.url));
const TIME = '/usr/bin/time';
const IMPORT_BATCH = 100_000;

export async function measurePolicyTest(options: PolicyTestMeasureOptions): Promise<PolicyTestFigures> {
  const log = options.log ?? ((message: string) => process.stderr.write(`[policy-test] ${message}\n`));
  const instances = options.instances ?? 1;
  const rounds = options.rounds ?? 1;
  if (instances === 2 && options.db === undefined) throw new Error('instances: 2 needs PostgreSQL (db: postgres://...)');
  const loadAtStart = (await import('node:os')).loadavg()[0];
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-bench-policy-test-'));
  const schema = options.db === undefined ? undefined : `bench_${randomBytes(6).toString('hex')}`;
  const dbArgs = options.db === undefined ? [] : ['--db', withSchema(options.db, schema!)];
  const env = { PORTCULLIS_LOG_LEVEL: 'warn', PORTCULLIS_API_TOKEN: randomBytes(30).toString('base64url'), PORTCULLIS_ACCOUNT_ID: randomBytes(16).toString('hex') };
  const servers: ServerProcess[] = [];
  try {
    const first = await startServerProcess(join(dir, 'data'), env, dbArgs);
    servers.push(first);
    const setup = await prepareAccount(first);
    const files = writeAccountFiles(dir, setup);

    // The users: imported through the API and written to the CLI's NDJSON file, line for line.
    const random = seededRandom(7);
    const fd = openSync(files.users, 'w');
    let importMs = 0;
    for (let from = 0; from < options.users; from += IMPORT_BATCH) {
      const lines: string[] = [];
      for (let i = from; i < Math.min(options.users, from + IMPORT_BATCH); i++) lines.push(userLine(i, random, setup));
      const body = lines.join('\n');
      writeSync(fd, body + '\n');
      const start = performance.now();
      await api(first, 'POST', '/access/users/import', body, 'application/x-ndjson');
      importMs += performance.now() - start;
      log(`imported ${Math.min(options.users, from + IMPORT_BATCH)} of ${options.users} users`);
    }
    closeSync(fd);

    let cli: CliRun | undefined;
    let one: ApiRun | undefined;
    const apiRoundsMs: number[] = [];
    for (let r = 1; r <= rounds; r++) {
      const c = runCli(files);
      log(`CLI round ${r}: ${c.ms.toFixed(0)} ms, peak RSS ${c.rssMiB ?? '?'} MiB`);
      if (cli === undefined || c.ms < cli.ms) cli = c;
      if (r > 1 && (options.pauseMs ?? 0) > 0) {
        log(`waiting ${options.pauseMs} ms before the next API round`);
        await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
      }
      const a = await runApiTest([first], setup, log);
      log(`API round ${r}: ${a.ms.toFixed(0)} ms, peak RSS ${a.peakRssMiB} MiB`);
      apiRoundsMs.push(Math.round(a.ms));
      if (one === undefined || a.ms < one.ms) one = a;
    }
    const counts = [one!.counts.approved, one!.counts.blocked, one!.counts.errored];
    const cliCounts = [cli!.counts.users_approved, cli!.counts.users_blocked, cli!.counts.users_errored];
    if (JSON.stringify(counts) !== JSON.stringify(cliCounts) || cli!.counts.total_users !== options.users) {
      throw new Error(`the API and the CLI disagree: API ${JSON.stringify(counts)}, CLI ${JSON.stringify(cli!.counts)}`);
    }

    let two: ApiRun | undefined;
    if (instances === 2) {
      servers.push(await startServerProcess(join(dir, 'data'), env, dbArgs));
      for (let r = 1; r <= rounds; r++) {
        const a = await runApiTest(servers, setup, log);
        log(`API, two instances, round ${r}: ${a.ms.toFixed(0)} ms, peak RSS ${a.peakRssMiB} MiB`);
        if (JSON.stringify([a.counts.approved, a.counts.blocked, a.counts.errored]) !== JSON.stringify(counts)) throw new Error('two instances counted otherwise than one');
        if (two === undefined || a.ms < two.ms) two = a;
      }
    }

    const paging = options.paging === true ? await measurePaging(first, options.users) : undefined;
    if (paging !== undefined) log(`paging: ${JSON.stringify(paging)}`);

    return {
      users: options.users,
      store: options.db === undefined ? 'sqlite' : 'postgres',
      policies: policies(setup).length,
      test_ms: Math.round(one!.ms),
      api_rounds_ms: apiRoundsMs,
      cli_ms: Math.round(cli!.ms),
      test_over_cli: round(one!.ms / cli!.ms),
      test_peak_rss_mib: one!.peakRssMiB,
      server_rss_mib_before_test: one!.rssBeforeMiB,
      cli_peak_rss_mib: cli!.rssMiB,
      import_ms: Math.round(importMs),
      approved: one!.counts.approved,
      blocked: one!.counts.blocked,
      errored: one!.counts.errored,
      ...(two !== undefined ? { two_instances_test_ms: Math.round(two.ms), two_instances_over_one: round(two.ms / one!.ms), two_instances_peak_rss_mib: two.peakRssMiB } : {}),
      ...(paging !== undefined ? { paging } : {}),
      cores: (await import('node:os')).availableParallelism(),
      load_average_at_start: round(loadAtStart),
      node: process.version,
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
    if (options.db !== undefined) await dropSchema(options.db, schema!).catch((err: Error) => log(`could not drop schema ${schema}: ${err.message}`));
  }
}

// ---- the account: the same objects on the server and in the CLI's files

type AccountIds = Setup & { readonly watch: string };

async function prepareAccount(server: ServerProcess): Promise<AccountIds> {
  const google = (await api(server, 'POST', '/access/identity_providers', { name: 'Google Workspace', type: 'google-apps', config: { client_id: 'x', client_secret: 'y', apps_domain: 'example.com' } })).id;
  const okta = (await api(server, 'POST', '/access/identity_providers', { name: 'Okta', type: 'okta', config: { client_id: 'x', client_secret: 'y', okta_account: 'https://example.okta.com' } })).id;
  const officeList = (await api(server, 'POST', '/gateway/lists', { name: 'Office', type: 'IP', items: OFFICE.map((value) => ({ value })) })).id;
  const watchList = (await api(server, 'POST', '/gateway/lists', { name: 'Watch list', type: 'EMAIL', items: WATCHED.map((value) => ({ value })) })).id;
  // Each group's body refers to the ones created before it.
  const ids = { google, okta, officeList, watchList, watch: '', risky: '', contractors: '' };
  ids.watch = (await api(server, 'POST', '/access/groups', groupBodies(ids).watch)).id;
  ids.risky = (await api(server, 'POST', '/access/groups', groupBodies(ids).risky)).id;
  ids.contractors = (await api(server, 'POST', '/access/groups', groupBodies(ids).contractors)).id;
  return ids;
}

const OFFICE = ['198.51.100.0/24', '192.0.2.10', '10.20.0.0/16'];
const WATCHED = Array.from({ length: 200 }, (_, i) => `suspect${i}@example.com`);

function groupBodies(s: AccountIds) {
  return {
    watch: { name: 'Watch list', include: [{ email_list: { id: s.watchList } }] },
    risky: { name: 'Risky', include: [{ user_risk_score: { user_risk_score: ['high'] } }, { group: { id: s.watch } }] },
    contractors: { name: 'Contractors', include: [{ email_domain: { domain: 'contractor.io' } }] },
  };
}

interface AccountFiles {
  readonly policies: string;
  readonly groups: string;
  readonly lists: string;
  readonly users: string;
}

function writeAccountFiles(dir: string, s: AccountIds): AccountFiles {
  const files = { policies: join(dir, 'policies.json'), groups: join(dir, 'groups.json'), lists: join(dir, 'lists.json'), users: join(dir, 'users.ndjson') };
  writeFileSync(files.policies, JSON.stringify(policies(s), null, 2));
  const bodies = groupBodies(s);
  writeFileSync(files.groups, JSON.stringify([{ id: s.watch, ...bodies.watch }, { id: s.risky, ...bodies.risky }, { id: s.contractors, ...bodies.contractors }], null, 2));
  writeFileSync(
    files.lists,
    JSON.stringify([
      { id: s.officeList, name: 'Office', type: 'IP', items: OFFICE },
      { id: s.watchList, name: 'Watch list', type: 'EMAIL', items: WATCHED },
    ]),
  );
  return files;
}

// ---- the two sides

interface CliRun {
  readonly ms: number;
  readonly rssMiB: number | null;
  readonly counts: Record<string, number>;
}

/** The real binary, as CI would run it (GNU time for its peak RSS when installed). */
function runCli(files: AccountFiles): CliRun {
  const args = [BIN, 'test', '--policies', files.policies, '--groups', files.groups, '--lists', files.lists, '--users', files.users, '--json', '--limit', '0'];
  const useTime = (() => {
    try {
      readFileSync(TIME);
      return true;
    } catch {
      return false;
    }
  })();
  const start = performance.now();
  const r = useTime
    ? spawnSync(TIME, ['-f', 'peak_rss_kb=%M', process.execPath, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 })
    : spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`portcullis test failed (exit ${r.status}): ${r.stderr}`);
  const rss = /peak_rss_kb=(\d+)/.exec(r.stderr);
  return { ms, rssMiB: rss === null ? null : Math.round(Number(rss[1]) / 1024), counts: JSON.parse(r.stdout) as Record<string, number> };
}

interface ApiRun {
  readonly ms: number;
  readonly peakRssMiB: number;
  readonly rssBeforeMiB: number;
  readonly counts: { approved: number; blocked: number; errored: number };
}

/** One policy test started on servers[0]; every server's runner may take chunks of it. */
async function runApiTest(servers: readonly ServerProcess[], setup: Setup, log: (message: string) => void): Promise<ApiRun> {
  const rssBefore = Math.max(...servers.map(rssMiB));
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, ...servers.map(rssMiB))), 25);
  try {
    const start = performance.now();
    const { id } = await api(servers[0], 'POST', '/access/policy-tests', { policies: policies(setup) });
    let progress: any;
    let lastLogged = -1;
    for (;;) {
      progress = await api(servers[0], 'GET', `/access/policy-tests/${id}`);
      if (progress.status !== 'processing') break;
      if (progress.percent_users_processed >= lastLogged + 25) {
        lastLogged = progress.percent_users_processed;
        log(`test ${progress.percent_users_processed}% processed`);
      }
      await new Promise((ok) => setTimeout(ok, 20));
    }
    const ms = performance.now() - start;
    if (progress.status !== 'complete') throw new Error(`the test ended ${progress.status}: ${progress.reason ?? ''}`);
    peak = Math.max(peak, ...servers.map(rssMiB));
    return { ms, peakRssMiB: peak, rssBeforeMiB: rssBefore, counts: { approved: progress.users_approved, blocked: progress.users_blocked, errored: progress.users_errored } };
  } finally {
    clearInterval(sampler);
  }
}

function rssMiB(server: ServerProcess): number {
  try {
    const status = readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
    return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}

const round = (x: number) => Math.round(x * 100) / 100;
