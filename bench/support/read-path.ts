// The read path against the wire: autocannon at `GET` of one reusable policy and at a list of 50,
// each beside a bare fastify route answering the same bytes as a constant, all in one run, so
// each read is a fraction of what this machine's Node.js and fastify can answer at that moment.
// The server under test runs in its own process (SQLite in its data directory, or the
// PostgreSQL database given, in a schema of the run's own), the caller is a scoped API token as a real client's would be (so
// the token check and the per-token rate limit are measured: the limit is set high enough
// never to refuse), and every request must succeed.
//
// measureReads() is called by `npm run bench:reads` (bench/reads.bench.ts) and the lead's
// scale benchmark; the order bare/ours/bare/ours keeps each pair close in time on a shared
// machine.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { findPermissionGroup } from '../../src/api/auth/permissions.js';
import { startServerProcess } from '../../test/support/server-process.js';
import { startBareRoute } from './bare-route.js';
import { dropSchema, freshSchema } from './fresh-schema.js';

export interface ReadOptions {
  /** Where the server keeps its data: a PostgreSQL URL (`postgres://…`), else SQLite in a temporary directory. */
  readonly db?: string;
  readonly connections?: number;
  readonly durationSeconds?: number;
  /** Also measure reads whose answers are never kept (each asks with a query of its own): default true. */
  readonly unkept?: boolean;
  /** Progress lines (default: stderr). */
  readonly log?: (message: string) => void;
}

export interface ReadFigures {
  readonly store: 'sqlite' | 'postgres';
  readonly connections: number;
  readonly duration_s: number;
  readonly get_rps: number;
  readonly bare_get_rps: number;
  readonly get_fraction_of_bare: number;
  readonly get_p50_ms: number;
  readonly get_p99_ms: number;
  readonly bare_get_p99_ms: number;
  readonly list_rps: number;
  readonly bare_list_rps: number;
  readonly list_fraction_of_bare: number;
  readonly list_p50_ms: number;
  readonly list_p99_ms: number;
  readonly bare_list_p99_ms: number;
  readonly get_bytes: number;
  readonly list_bytes: number;
  readonly server_peak_rss_mib: number;
  /** CPU time (user + system) each process spent per request answered: steadier than req/s on a shared machine. */
  /** Reads the server cannot answer from a kept answer (a fresh query each): the store read and serialisation every time. */
  readonly get_unkept_rps?: number;
  readonly get_unkept_p99_ms?: number;
  readonly get_unkept_cpu_us_per_request?: number;
  readonly list_unkept_rps?: number;
  readonly list_unkept_p99_ms?: number;
  readonly list_unkept_cpu_us_per_request?: number;
  readonly get_cpu_us_per_request: number;
  readonly bare_get_cpu_us_per_request: number;
  readonly list_cpu_us_per_request: number;
  readonly bare_list_cpu_us_per_request: number;
}

/** CPU time a process has used so far, in µs (from /proc: user + system clock ticks). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  // After the name: state is field 3, utime field 14 and stime field 15 (1-based, man 5 proc).
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / 100;
}

const POLICY = {
  name: 'Engineers with MFA',
  decision: 'allow',
  include: [{ email_domain: { domain: 'example.com' } }],
  require: [{ geo: { country_code: 'US' } }, { auth_method: { auth_method: 'mfa' } }],
  exclude: [{ ip: { ip: '203.0.113.0/24' } }],
  session_duration: '12h',
};

interface Run {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuUsPerRequest: number;
}

export async function measureReads(options: ReadOptions = {}): Promise<ReadFigures> {
  const connections = options.connections ?? 50;
  const duration = options.durationSeconds ?? 10;
  const log = options.log ?? ((message: string) => process.stderr.write(`[reads] ${message}\n`));
  const postgres = options.db !== undefined && /^postgres(ql)?:/.test(options.db);

  async function run(title: string, url: string, pid: number, headers: Record<string, string> = {}, fresh = false): Promise<Run> {
    log(`${title}: ${connections} connections for ${duration} s`);
    const cpuBefore = cpuMicros(pid);
    let n = 0;
    // fresh: every request with a query parameter of its own, so that no answer is kept for it.
    const requests = fresh ? [{ setupRequest: (request: autocannon.Request) => ({ ...request, path: `${request.path ?? ""}${request.path?.includes('?') ? '&' : '?'}fresh=${n++}` }) }] : undefined;
    const result = await autocannon({ url, headers, connections, duration, ...(requests !== undefined ? { requests } : {}) });
    const cpuUsPerRequest = Math.round((cpuMicros(pid) - cpuBefore) / Math.max(1, result.requests.total));
    const failed = result.non2xx + result.errors + result.timeouts;
    log(`${title}: ${Math.round(result.requests.average)} req/s, p99 ${result.latency.p99} ms, ${cpuUsPerRequest} µs CPU a request, ${failed} failed`);
    if (failed > 0) throw new Error(`${title}: ${failed} requests failed`);
    return { rps: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99, cpuUsPerRequest };
  }

  /** Our route, then the bare one answering the same bytes. */
  async function pair(title: string, url: string, headers: Record<string, string>): Promise<{ ours: Run; bare: Run; bytes: number }> {
    const body = await (await fetch(url, { headers })).json();
    const bareRoute = await startBareRoute(body);
    let bare: Run;
    try {
      bare = await run(`bare route, ${title}`, bareRoute.url, bareRoute.pid);
    } finally {
      await bareRoute.stop();
    }
    const ours = await run(title, url, server.child.pid!, headers);
    return { ours, bare, bytes: Buffer.byteLength(JSON.stringify(body)) };
  }

  const dir = mkdtempSync(join(tmpdir(), 'portcullis-bench-reads-'));
  // A limit that never refuses here, so that the per-token limiter runs as it would in service.
  // On PostgreSQL, a schema of the run's own: what earlier runs left in the database (accounts,
  // policies, tests) is not in the tables this run reads.
  const schema = postgres ? freshSchema(options.db!) : undefined;
  const server = await startServerProcess(dir, { PORTCULLIS_RATE_LIMIT: '1000000000' }, schema !== undefined ? ['--db', schema.url] : []);
  try {
    const root = { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' };
    const policies = `${server.apiUrl}/accounts/${server.accountId}/access/policies`;
    let firstId = '';
    for (let i = 0; i < 50; i++) {
      const created = await fetch(policies, { method: 'POST', headers: root, body: JSON.stringify({ ...POLICY, name: `${POLICY.name} ${i}` }) });
      if (!created.ok) throw new Error(`could not create benchmark policy ${i}: ${created.status}`);
      if (i === 0) firstId = ((await created.json()) as { result: { id: string } }).result.id;
    }
    const read = findPermissionGroup('Access: Apps and Policies Read')!;
    const tokenAnswer = await fetch(`${server.apiUrl}/user/tokens`, {
      method: 'POST',
      headers: root,
      body: JSON.stringify({ name: 'reads benchmark', policies: [{ effect: 'allow', permission_groups: [{ id: read.id }], resources: { [`com.cloudflare.api.account.${server.accountId}`]: '*' } }] }),
    });
    if (!tokenAnswer.ok) throw new Error(`could not create the benchmark's API token: ${tokenAnswer.status}`);
    const secret = ((await tokenAnswer.json()) as { result: { value: string } }).result.value;
    const headers = { authorization: `Bearer ${secret}` };

    const get = await pair('GET one policy', `${policies}/${firstId}`, headers);
    const list = await pair('list 50 policies', `${policies}?per_page=50`, headers);
    const pid = server.child.pid!;
    const getUnkept = options.unkept === false ? undefined : await run('GET one policy, never kept', `${policies}/${firstId}`, pid, headers, true);
    const listUnkept = options.unkept === false ? undefined : await run('list 50 policies, never kept', `${policies}?per_page=50`, pid, headers, true);
    return {
      store: postgres ? 'postgres' : 'sqlite',
      connections,
      duration_s: duration,
      get_rps: get.ours.rps,
      bare_get_rps: get.bare.rps,
      get_fraction_of_bare: Number((get.ours.rps / get.bare.rps).toFixed(3)),
      get_p50_ms: get.ours.p50,
      get_p99_ms: get.ours.p99,
      bare_get_p99_ms: get.bare.p99,
      list_rps: list.ours.rps,
      bare_list_rps: list.bare.rps,
      list_fraction_of_bare: Number((list.ours.rps / list.bare.rps).toFixed(3)),
      list_p50_ms: list.ours.p50,
      list_p99_ms: list.ours.p99,
      bare_list_p99_ms: list.bare.p99,
      get_bytes: get.bytes,
      list_bytes: list.bytes,
      server_peak_rss_mib: server.peakRssMiB(),
      ...(getUnkept !== undefined ? { get_unkept_rps: getUnkept.rps, get_unkept_p99_ms: getUnkept.p99, get_unkept_cpu_us_per_request: getUnkept.cpuUsPerRequest } : {}),
      ...(listUnkept !== undefined ? { list_unkept_rps: listUnkept.rps, list_unkept_p99_ms: listUnkept.p99, list_unkept_cpu_us_per_request: listUnkept.cpuUsPerRequest } : {}),
      get_cpu_us_per_request: get.ours.cpuUsPerRequest,
      bare_get_cpu_us_per_request: get.bare.cpuUsPerRequest,
      list_cpu_us_per_request: list.ours.cpuUsPerRequest,
      bare_list_cpu_us_per_request: list.bare.cpuUsPerRequest,
    };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
    if (schema !== undefined) await dropSchema(schema.url, schema.schema).catch((err: Error) => log(`could not drop schema ${schema.schema}: ${err.message}`));
  }
}
