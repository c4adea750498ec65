// Enforcement benchmark: forward-auth decisions for a signed-in user at CONNECTIONS connections
// against `portcullis serve` (SQLite, its own process), side by side in the same run with a bare
// fastify route answering a constant 200 (its own process too). Also the server's resident memory
// through the run, to see it does not grow: sampled every second, its growth is the trend over
// the run (least squares), so that where a sample falls in a garbage collection's sawtooth does
// not count as growth. Progress goes to stderr; the last stdout line is one JSON object with
// gate_rps, bare_rps, gate_fraction_of_bare, gate_p99_ms, rss_growth_mib.
// Targets (docs/benchmarks.md): at least half the bare route's rate, p99 ≤ 5 ms, no RSS growth.
// ACCOUNTS=N serves N accounts, each with an application on a host of its own (the requests go
// to the first account's), to see what the other accounts cost each decision; DB=postgres://…
// keeps the server's data in PostgreSQL instead of SQLite.
//
//   npm run bench:gate            (CONNECTIONS=50 DURATION=60 ACCOUNTS=1)

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startServerProcess } from '../test/support/server-process.js';
import { startBareRoute } from './support/bare-route.js';
import { dropSchema, freshSchema } from './support/fresh-schema.js';

const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const DURATION = Number(process.env.DURATION ?? 60);
const WARM_UP = 15;
const ACCOUNTS = Math.max(1, Number(process.env.ACCOUNTS ?? 1));
const DB = process.env.DB !== undefined && /^postgres(ql)?:/.test(process.env.DB) ? freshSchema(process.env.DB) : undefined;
const log = (msg: string) => process.stderr.write(`[bench:gate] ${msg}\n`);

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/** Growth over the samples' span by their least-squares line (samples one second apart). */
function trendGrowth(samples: readonly number[]): number {
  const n = samples.length;
  if (n < 2) return 0;
  const meanX = (n - 1) / 2;
  const meanY = samples.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  samples.forEach((y, x) => {
    sxy += (x - meanX) * (y - meanY);
    sxx += (x - meanX) ** 2;
  });
  return (sxy / sxx) * (n - 1);
}

async function run(title: string, options: autocannon.Options, expected: number) {
  log(`${title}: ${CONNECTIONS} connections for ${DURATION} s`);
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...options });
  const unexpected = result.errors + result.timeouts + (expected === 200 ? result.non2xx : 0);
  log(`${title}: ${Math.round(result.requests.average)} req/s, p99 ${result.latency.p99} ms, ${unexpected} failed`);
  if (unexpected > 0) throw new Error(`${title}: ${unexpected} requests failed`);
  return { rps: Math.round(result.requests.average), p99: result.latency.p99 };
}

const dir = mkdtempSync(join(tmpdir(), 'portcullis-bench-gate-'));
const server = await startServerProcess(dir, { PORTCULLIS_RATE_LIMIT: '0' }, ['--dev-login', ...(DB !== undefined ? ['--db', DB.url] : [])]);
try {
  const headers = { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' };
  const A = `${server.apiUrl}/accounts/${server.accountId}/access`;
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${A}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const json = (await res.json()) as { result: { id: string } };
    if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json.result;
  };
  const group = await post('/groups', { name: 'Engineering', include: [{ email_domain: { domain: 'example.com' } }] });
  const staff = await post('/policies', { name: 'Engineers with MFA', decision: 'allow', include: [{ group: { id: group.id } }], exclude: [{ ip: { ip: '203.0.113.0/24' } }] });
  await post('/apps', { type: 'self_hosted', name: 'Wiki', domain: 'wiki.test', policies: [{ id: staff.id, precedence: 1 }] });
  // The other accounts, each an application of its own on its own host: decisions on wiki.test
  // must not pay for them.
  for (let i = 2; i <= ACCOUNTS; i++) {
    const res = await fetch(`${server.apiUrl}/accounts`, { method: 'POST', headers, body: JSON.stringify({ name: `Tenant ${i}` }) });
    const account = (await res.json()) as { result: { id: string } };
    if (!res.ok) throw new Error(`POST /accounts: ${res.status} ${JSON.stringify(account)}`);
    const apps = await fetch(`${server.apiUrl}/accounts/${account.result.id}/access/apps`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ type: 'self_hosted', name: `Tenant ${i} wiki`, domain: `wiki-${i}.test`, policies: [{ name: 'Everyone', decision: 'allow', include: [{ everyone: {} }] }] }),
    });
    if (!apps.ok) throw new Error(`POST apps of account ${i}: ${apps.status} ${await apps.text()}`);
    if (i % 100 === 0) log(`${i} of ${ACCOUNTS} accounts made`);
  }
  const login = await fetch(`${server.url}/cdn-cgi/access/login/wiki.test`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: 'ada@example.com', redirect_url: 'http://wiki.test/' }).toString(),
  });
  const token = new URL(login.headers.get('location')!).searchParams.get('token');
  if (token === null) throw new Error(`the development login answered ${login.status}`);
  const gateHeaders = { 'x-forwarded-host': 'wiki.test', 'x-forwarded-uri': '/page', 'x-forwarded-for': '192.0.2.10', cookie: `CF_Authorization=${token}` };
  const check = await fetch(`${server.url}/cdn-cgi/access/authorize`, { headers: gateHeaders });
  if (check.status !== 200) throw new Error(`the gate answered ${check.status} for the signed-in user`);

  const bareRoute = await startBareRoute({});
  let bare;
  try {
    bare = await run('bare fastify route', { url: bareRoute.url }, 200);
  } finally {
    await bareRoute.stop();
  }
  // Warm up long enough for the heap to regrow to its working size (the server idled during
  // the bare route's run, and V8 shrinks an idle heap), then sample memory through the run.
  await autocannon({ url: `${server.url}/cdn-cgi/access/authorize`, headers: gateHeaders, connections: CONNECTIONS, duration: WARM_UP });
  const rss = [rssMiB(server.child.pid!)];
  const sampler = setInterval(() => rss.push(rssMiB(server.child.pid!)), 1000);
  let gate;
  try {
    gate = await run('forward auth (signed-in user)', { url: `${server.url}/cdn-cgi/access/authorize`, headers: gateHeaders }, 200);
  } finally {
    clearInterval(sampler);
  }
  rss.push(rssMiB(server.child.pid!));
  const growth = trendGrowth(rss);
  log(`server RSS ${rss[0]!.toFixed(1)} → ${rss.at(-1)!.toFixed(1)} MiB (between ${Math.min(...rss).toFixed(1)} and ${Math.max(...rss).toFixed(1)}), trend ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MiB`);
  console.log(
    JSON.stringify({
      bench: 'gate',
      store: DB !== undefined ? 'postgres' : 'sqlite',
      accounts: ACCOUNTS,
      connections: CONNECTIONS,
      duration_s: DURATION,
      gate_rps: gate.rps,
      bare_rps: bare.rps,
      gate_fraction_of_bare: Math.round((gate.rps / bare.rps) * 1000) / 1000,
      gate_p99_ms: gate.p99,
      bare_p99_ms: bare.p99,
      rss_before_mib: Math.round(rss[0]!),
      rss_after_mib: Math.round(rss.at(-1)!),
      rss_max_mib: Math.round(Math.max(...rss)),
      rss_growth_mib: Math.round(growth * 10) / 10,
    }),
  );
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
  if (DB !== undefined) await dropSchema(DB.url, DB.schema).catch((err: Error) => log(`could not drop schema ${DB.schema}: ${err.message}`));
}
