// CLI benchmark: `portcullis test` over a generated 1,000,000-user NDJSON directory and a
// realistic 10-policy set (several selectors, a nested group, an IP list and an email list),
// run as a subprocess exactly as CI would run it. Prints progress to stderr and, as its last
// line on stdout, one JSON object of figures.
//
//   npm run bench:cli            (USERS=1000000 ROUNDS=3 by default)
//
// Each round runs the real binary under /usr/bin/time (GNU time) for its peak RSS: the default
// output, --json listing every user, and for comparison one thread (--workers 0). Before
// timing, one run's counts are checked against the engine evaluated in this process while the
// users were generated; figures are refused when they disagree.

import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../test/support/random.js';
import {
  buildListIndex,
  compilePolicySet,
  parseGroup,
  parsePolicy,
  prepareIdentity,
  resultAccess,
  type Group,
  type Identity,
  type Policy,
} from '../src/engine/index.js';

const USERS = Number(process.env.USERS ?? 1_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const BIN = fileURLToPath(new URL('../../bin/portcullis.js', import.meta.url));
const TIME = '/usr/bin/time';
const log = (msg: string) => process.stderr.write(`[bench:cli] ${msg}\n`);

// ---- the policy set
const IDP = { google: 'idp-google', okta: 'idp-okta', github: 'idp-github', azure: 'idp-azure', saml: 'idp-saml', otp: 'idp-otp' };
const policies = [
  { name: 'Block high-risk users', decision: 'deny', include: [{ group: { id: 'g-risky' } }] },
  { name: 'Block embargoed countries', decision: 'deny', include: [{ geo: { country_code: 'KP' } }, { geo: { country_code: 'IR' } }, { geo: { country_code: 'SY' } }] },
  { name: 'Status page from the office', decision: 'bypass', include: [{ ip_list: { id: 'l-office' } }], require: [{ geo: { country_code: 'US' } }] },
  { name: 'CI deploy token', decision: 'non_identity', include: [{ service_token: { token_id: 'tok-ci' } }] },
  {
    name: 'Employees with MFA',
    decision: 'allow',
    include: [{ email_domain: { domain: 'example.com' } }, { gsuite: { email: 'eng@example.com', identity_provider_id: IDP.google } }],
    require: [{ auth_method: { auth_method: 'mfa' } }],
    exclude: [{ ip: { ip: '203.0.113.0/24' } }],
  },
  { name: 'Contractors from the office', decision: 'allow', include: [{ group: { id: 'g-contractors' } }], require: [{ ip_list: { id: 'l-office' } }] },
  {
    name: 'Platform team on GitHub',
    decision: 'allow',
    include: [{ 'github-organization': { identity_provider_id: IDP.github, name: 'acme', team: 'platform' } }],
    require: [{ auth_method: { auth_method: 'mfa' } }],
  },
  { name: 'Finance in Germany', decision: 'allow', include: [{ azureAD: { id: 'aad-finance', identity_provider_id: IDP.azure } }], require: [{ geo: { country_code: 'DE' } }] },
  {
    name: 'SAML admins, low risk',
    decision: 'allow',
    include: [{ saml: { attribute_name: 'role', attribute_value: 'admin', identity_provider_id: IDP.saml } }],
    require: [{ user_risk_score: { user_risk_score: ['low', 'medium'] } }],
  },
  { name: 'Partners by one-time PIN', decision: 'allow', include: [{ email_list: { id: 'l-partners' } }], require: [{ login_method: { id: IDP.otp } }] },
];
const groups = [
  { id: 'g-risky', name: 'Risky', include: [{ user_risk_score: { user_risk_score: ['high'] } }, { group: { id: 'g-watchlist' } }] },
  { id: 'g-watchlist', name: 'Watch list', include: [{ email_list: { id: 'l-watchlist' } }] },
  { id: 'g-contractors', name: 'Contractors', include: [{ email_domain: { domain: 'contractor.io' } }, { okta: { identity_provider_id: IDP.okta, name: 'Contractors' } }] },
];
const lists = [
  { id: 'l-office', name: 'Office egress', type: 'IP', items: ['198.51.100.0/24', '192.0.2.0/26', '2001:db8:10::/48'] },
  { id: 'l-watchlist', name: 'Watch list', type: 'EMAIL', items: Array.from({ length: 200 }, (_, i) => `user${i * 4999}@example.com`) },
  { id: 'l-partners', name: 'Partners', type: 'EMAIL', items: Array.from({ length: 500 }, (_, i) => `partner${i}@partner.net`) },
];

// ---- deterministic users
const random = seededRandom(7);
const rand = random.next;
const pick = random.pick;

function generateUser(i: number): { id: string; email: string; name: string; identity: Identity } {
  const kind = pick(['google', 'google', 'google', 'okta', 'github', 'azure', 'saml', 'otp'] as const);
  const domain = kind === 'okta' ? 'contractor.io' : kind === 'otp' ? 'partner.net' : pick(['example.com', 'example.com', 'other.org']);
  const email = kind === 'otp' ? `partner${i % 700}@${domain}` : `user${i}@${domain}`;
  const name = `User ${i}`;
  const identity: Identity = {
    email,
    name,
    idp: { id: IDP[kind], type: kind === 'google' ? 'google-apps' : kind === 'otp' ? 'onetimepin' : kind === 'azure' ? 'azureAD' : kind },
    amr: rand() < 0.75 ? ['pwd', 'mfa'] : ['pwd'],
    geo: { country: pick(['US', 'US', 'US', 'DE', 'GB', 'IN', 'IR']) },
    ip: rand() < 0.15 ? `198.51.100.${i % 250}` : rand() < 0.05 ? `203.0.113.${i % 250}` : `100.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    user_risk_score: pick(['low', 'low', 'low', 'medium', 'high']),
  };
  if (kind === 'google') identity.groups = rand() < 0.3 ? [{ email: 'eng@example.com' }, { email: 'all@example.com' }] : [{ email: 'all@example.com' }];
  if (kind === 'okta') identity.groups = rand() < 0.5 ? [{ name: 'Contractors' }] : [{ name: 'Everyone' }];
  if (kind === 'github') identity.groups = [{ name: 'acme', teams: rand() < 0.5 ? ['platform', 'web'] : ['web'] }];
  if (kind === 'azure') identity.groups = [{ id: rand() < 0.4 ? 'aad-finance' : 'aad-sales' }];
  if (kind === 'saml') identity.saml_attributes = { role: rand() < 0.3 ? ['admin', 'user'] : 'user' };
  if (rand() < 0.01) identity.service_token_id = 'tok-ci';
  if (identity.service_token_id !== undefined) identity.service_token_status = true;
  return { id: `u${i}`, email, name, identity };
}

function must<T>(r: { ok: true; value: T } | { ok: false; issues: unknown }): T {
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

// ---- write the files, deciding every user in-process as a reference
const dir = mkdtempSync(join(tmpdir(), 'portcullis-bench-cli-'));
const files = {
  policies: join(dir, 'policies.json'),
  groups: join(dir, 'groups.json'),
  lists: join(dir, 'lists.json'),
  users: join(dir, 'users.ndjson'),
};
writeFileSync(files.policies, JSON.stringify(policies, null, 2));
writeFileSync(files.groups, JSON.stringify(groups, null, 2));
writeFileSync(files.lists, JSON.stringify(lists, null, 2));

const parsedGroups = new Map<string, Group>(groups.map((g) => [g.id, must(parseGroup(g, { id: g.id }))]));
const parsedLists = new Map(lists.map((l) => [l.id, buildListIndex(l.id, l.type, l.items)]));
const parsedPolicies: Policy[] = policies.map((p) => must(parsePolicy(p)));
const reference = compilePolicySet(parsedPolicies, { group: (id) => parsedGroups.get(id), list: (id) => parsedLists.get(id) });
const expected = { approved: 0, blocked: 0, error: 0 };

log(`writing ${USERS.toLocaleString('en-US')} users to ${files.users}`);
// Partners log in repeatedly under the same email; keep only the first occurrence of each.
const seen = new Set<string>();
const fd = openSync(files.users, 'w');
let batch: string[] = [];
let written = 0;
for (let i = 0; written < USERS; i++) {
  const user = generateUser(i);
  if (seen.has(user.email)) continue;
  seen.add(user.email);
  written++;
  const access = resultAccess(reference.evaluate(prepareIdentity(user.identity)));
  expected[access === 'granted' ? 'approved' : access === 'blocked' ? 'blocked' : 'error']++;
  batch.push(JSON.stringify(user));
  if (batch.length === 20_000) {
    writeSync(fd, batch.join('\n') + '\n');
    batch = [];
  }
}
if (batch.length > 0) writeSync(fd, batch.join('\n') + '\n');
closeSync(fd);
const fileBytes = statSync(files.users).size;
log(`users file: ${(fileBytes / 1e6).toFixed(0)} MB; expected ${JSON.stringify(expected)}`);

const args = ['test', '--policies', files.policies, '--groups', files.groups, '--lists', files.lists, '--users', files.users];

interface Run {
  readonly seconds: number;
  readonly rssMb: number | null;
  readonly stdout: string;
}

/** One run of the real binary; peak RSS from GNU time when it is installed. */
function run(extra: string[]): Run {
  const useTime = existsSync(TIME);
  const command = useTime ? TIME : process.execPath;
  const argv = useTime ? ['-f', 'peak_rss_kb=%M', process.execPath, BIN, ...args, ...extra] : [BIN, ...args, ...extra];
  const start = process.hrtime.bigint();
  const r = spawnSync(command, argv, { encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) {
    log(`run failed (exit ${r.status}): ${r.stderr}`);
    process.exit(1);
  }
  const rss = /peak_rss_kb=(\d+)/.exec(r.stderr);
  return { seconds, rssMb: rss === null ? null : Math.round(Number(rss[1]) / 1024), stdout: r.stdout };
}

try {
  // Correctness first: the CLI's counts must be the engine's.
  const check = JSON.parse(run(['--json', '--limit', '0']).stdout) as Record<string, number>;
  const got = { approved: check.users_approved, blocked: check.users_blocked, error: check.users_errored };
  if (check.total_users !== USERS || JSON.stringify(got) !== JSON.stringify(expected)) {
    log(`the CLI disagrees with the engine: got ${JSON.stringify(check)}, expected ${JSON.stringify(expected)}`);
    process.exit(1);
  }
  log('counts agree with the engine evaluated in-process');

  const measure = (label: string, extra: string[]) => {
    const runs: Run[] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      const one = run(extra);
      runs.push(one);
      log(`${label} round ${r}: ${one.seconds.toFixed(2)} s, peak RSS ${one.rssMb ?? '?'} MB, ${(one.stdout.length / 1e6).toFixed(1)} MB of output`);
    }
    const seconds = runs.map((x) => x.seconds).sort((a, b) => a - b);
    const rss = runs.map((x) => x.rssMb).filter((x): x is number => x !== null);
    return {
      wall_seconds: round(seconds[0]),
      wall_seconds_range: [round(seconds[0]), round(seconds[seconds.length - 1])],
      users_per_second: Math.round(USERS / seconds[0]),
      peak_rss_mb: rss.length > 0 ? Math.max(...rss) : null,
    };
  };
  const table = measure('table (default output)', []);
  const json = measure('--json (every user listed)', ['--json']);
  // For comparison: the same run without worker threads (the hidden --workers flag).
  const singleThread = measure('table, one thread (--workers 0)', ['--workers', '0']);
  console.log(
    JSON.stringify({
      benchmark: 'cli',
      command: 'portcullis test (NDJSON users, 10 policies, 3 groups, 3 lists)',
      users: USERS,
      users_file_mb: Math.round(fileBytes / 1e6),
      rounds: ROUNDS,
      statistic: 'best of rounds (range in *_range), peak RSS is the largest of the rounds',
      node: process.version,
      approved: expected.approved,
      blocked: expected.blocked,
      errored: expected.error,
      ...table,
      json_output: json,
      single_thread: singleThread,
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
