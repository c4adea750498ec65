// API load benchmark: autocannon against `portcullis serve` (SQLite, its own process) for
// GET of one reusable policy, a list of 50 policies and POST of new policies, 50 connections
// each, beside a bare fastify route that answers the same policy's envelope as a constant (its
// own process too), so the reads are read as fractions of what the wire allows on this machine
// in the same run. Prints progress to stderr and, as its last stdout line, one JSON object of
// figures.
//
//   npm run bench:api            (CONNECTIONS=50 DURATION=10 by default)

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startServerProcess } from '../test/support/server-process.js';
import { startBareRoute } from './support/bare-route.js';

const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const DURATION = Number(process.env.DURATION ?? 10);
const log = (msg: string) => process.stderr.write(`[bench:api] ${msg}\n`);

const POLICY = {
  name: 'Engineers with MFA',
  decision: 'allow',
  include: [{ email_domain: { domain: 'example.com' } }, { gsuite: { email: 'eng@example.com', identity_provider_id: 'x' } }],
  require: [{ geo: { country_code: 'US' } }, { auth_method: { auth_method: 'mfa' } }],
  exclude: [{ ip: { ip: '203.0.113.0/24' } }],
  session_duration: '12h',
};

async function run(title: string, options: autocannon.Options) {
  log(`${title}: ${CONNECTIONS} connections for ${DURATION} s`);
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...options });
  const non2xx = result.non2xx + result.errors + result.timeouts;
  log(`${title}: ${Math.round(result.requests.average)} req/s, p99 ${result.latency.p99} ms, ${non2xx} failed`);
  if (non2xx > 0) throw new Error(`${title}: ${non2xx} requests failed`);
  return { rps: Math.round(result.requests.average), p99: result.latency.p99, p50: result.latency.p50, total: result.requests.total };
}

const dir = mkdtempSync(join(tmpdir(), 'portcullis-bench-api-'));
const server = await startServerProcess(dir);
try {
  const headers = { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' };
  const policies = `${server.apiUrl}/accounts/${server.accountId}/access/policies`;
  // The gsuite rule names an IdP, which must exist: the benchmark policy leaves it out.
  const body = JSON.stringify({ ...POLICY, include: POLICY.include.slice(0, 1) });
  const created = await fetch(policies, { method: 'POST', headers, body });
  const { result } = (await created.json()) as { result: { id: string } };
  if (!created.ok) throw new Error(`could not create the benchmark policy: ${created.status}`);

  for (let i = 1; i < 50; i++) {
    const more = await fetch(policies, { method: 'POST', headers, body: JSON.stringify({ ...POLICY, name: `${POLICY.name} ${i}`, include: POLICY.include.slice(0, 1) }) });
    if (!more.ok) throw new Error(`could not create benchmark policy ${i}: ${more.status}`);
  }
  const one = await (await fetch(`${policies}/${result.id}`, { headers })).json();
  const bareRoute = await startBareRoute(one);
  let bare;
  try {
    bare = await run('bare fastify route', { url: bareRoute.url });
  } finally {
    await bareRoute.stop();
  }
  const get = await run('GET policy', { url: `${policies}/${result.id}`, headers });
  const list = await run('list 50 policies', { url: `${policies}?per_page=50`, headers });
  const post = await run('POST policy', { url: policies, method: 'POST', headers, body });
  const figures = {
    benchmark: 'api',
    store: 'sqlite',
    connections: CONNECTIONS,
    duration_s: DURATION,
    node: process.version,
    bare_rps: bare.rps,
    bare_p99_ms: bare.p99,
    get_policy_rps: get.rps,
    get_fraction_of_bare: Number((get.rps / bare.rps).toFixed(3)),
    get_policy_p50_ms: get.p50,
    get_policy_p99_ms: get.p99,
    list_policies_rps: list.rps,
    list_policies_p99_ms: list.p99,
    list_fraction_of_bare: Number((list.rps / bare.rps).toFixed(3)),
    create_policy_rps: post.rps,
    create_policy_p50_ms: post.p50,
    create_policy_p99_ms: post.p99,
    policies_created: post.total,
    server_peak_rss_mib: server.peakRssMiB(),
  };
  console.log(JSON.stringify(figures));
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
