// Enforcement benchmark: forward-auth decisions for a signed-in user at CONNECTIONS connections
// against `portcullis serve` (SQLite, its own process), side by side in the same run with a bare
// fastify route answering a constant 200 (its own process too). Also the server's resident memory
// through the run, to see it does not grow: sampled every second, its growth is the trend over
// the run (least squares), so that where a sample falls in a garbage collection's sawtooth does
// not count as growth. Progress goes to stderr; the last stdout line is one JSON object with
// gate_rps, bare_rps, gate_fraction_of_bare, gate_p99_ms, rss_growth_mib.
// Targets (docs/benchmarks.md): at least half the bare route's rate, p99 ≤ 5 ms, no RSS growth.
//
//   npm run bench:gate            (CONNECTIONS=50 DURATION=60)

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startServerProcess } from '../test/support/server-process.js';
import { startBareRoute } from './support/bare-route.js';

const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const DURATION = Number(process.env.DURATION ?? 60);
const WARM_UP = 15;
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
const server = await startServerProcess(dir, { PORTCULLIS_RATE_LIMIT: '0' }, ['--dev-login']);
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
}
