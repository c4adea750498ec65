// Engine benchmark: the reference policy set of issue #2 over 100,000 generated identities.
// Prints progress to stderr and, as its last line on stdout, one JSON object of figures.
//
//   npm run bench:engine            (IDENTITIES=100000 ROUNDS=7 by default)
//
// Identities are generated, written as JSON text and parsed back, because that is how the bulk
// policy tester receives them (a row's JSON column): parsed strings are not the interned
// literals of a generator, and string comparisons cost accordingly.

import { amrBit } from '../src/engine/amr.js';
import { GROUP_NAMES, NO_KEY, VALUES } from '../src/engine/intern.js';
import {
  GRANTED,
  buildListIndex,
  compilePolicySet,
  explain,
  parseGroup,
  parsePolicy,
  prepareIdentity,
  resultAccess,
  type EvalEnv,
  type Group,
  type Identity,
  type Policy,
  type PreparedIdentity,
} from '../src/engine/index.js';
import { mulberry32 } from '../test/support/random.js';

const N = Number(process.env.IDENTITIES ?? 100_000);
const ROUNDS = Number(process.env.ROUNDS ?? 7);
/** Untimed rounds first: the first passes over freshly built data are slow while caches fill. */
const WARMUP_ROUNDS = 2;
/** Identities that stay in cache, for the evaluator's own cost without memory traffic. */
const CACHE_RESIDENT = Math.min(N, 2_000);
const log = (msg: string) => process.stderr.write(`[bench:engine] ${msg}\n`);

// ---- the reference policy set
// include email_domain OR gsuite group; require country AND auth_method mfa; exclude an IP range;
// plus a nested group and an IP list.
const GOOGLE = 'idp-google';
const wirePolicies = [
  {
    name: 'Block high-risk users',
    decision: 'deny',
    include: [{ group: { id: 'g-risky' } }],
  },
  {
    name: 'Employees',
    decision: 'allow',
    include: [{ email_domain: { domain: 'example.com' } }, { gsuite: { email: 'eng@example.com', identity_provider_id: GOOGLE } }],
    require: [{ geo: { country_code: 'US' } }, { auth_method: { auth_method: 'mfa' } }],
    exclude: [{ ip: { ip: '203.0.113.0/24' } }],
  },
  {
    name: 'Contractors from the office',
    decision: 'allow',
    include: [{ group: { id: 'g-contractors' } }],
    require: [{ ip_list: { id: 'l-office' } }],
  },
];
const wireGroups: Record<string, unknown> = {
  // g-risky → g-watchlist: a nested group.
  'g-risky': { name: 'Risky', include: [{ user_risk_score: { user_risk_score: ['high'] } }, { group: { id: 'g-watchlist' } }] },
  'g-watchlist': { name: 'Watchlist', include: [{ email_list: { id: 'l-watchlist' } }] },
  'g-contractors': { name: 'Contractors', include: [{ email_domain: { domain: 'contractor.io' } }] },
};

function must<T>(r: { ok: true; value: T } | { ok: false; issues: unknown }): T {
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}
const policies: Policy[] = wirePolicies.map((p, i) => must(parsePolicy(p, { id: `p${i}` })));
const groups = new Map<string, Group>(Object.entries(wireGroups).map(([id, g]) => [id, must(parseGroup(g, { id }))]));
const officeList = buildListIndex('l-office', 'IP', ['198.51.100.0/24', '192.0.2.10', '10.20.0.0/16']);
const watchList = buildListIndex('l-watchlist', 'EMAIL', Array.from({ length: 200 }, (_, i) => `suspect${i}@example.com`));
const lists = new Map([
  ['l-office', officeList],
  ['l-watchlist', watchList],
]);
const env: EvalEnv = { group: (id) => groups.get(id), list: (id) => lists.get(id) };

// ---- generated identities (deterministic)
const rand = mulberry32(42);
const pickOf = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];

function generateIdentity(i: number): Identity {
  const domain = pickOf(['example.com', 'example.com', 'Example.com', 'contractor.io', 'other.org']);
  const local = rand() < 0.002 ? `suspect${i % 200}` : `user${i}`;
  return {
    email: `${local}@${domain}`,
    name: `User ${i}`,
    idp: { id: pickOf([GOOGLE, GOOGLE, 'idp-okta']), type: 'google-apps' },
    groups: rand() < 0.3 ? [{ email: 'eng@example.com' }, { email: 'all@example.com' }] : [{ email: 'all@example.com' }],
    amr: rand() < 0.8 ? ['pwd', 'mfa'] : ['pwd'],
    geo: { country: pickOf(['US', 'US', 'US', 'DE', 'IN']) },
    ip: rand() < 0.2 ? `198.51.100.${i % 250}` : rand() < 0.05 ? `203.0.113.${i % 250}` : `100.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    user_risk_score: pickOf(['low', 'low', 'low', 'medium', 'high']),
  };
}

// ---- the same logic, written by hand over prepared identities
// 203.0.113.0/24 as signed 32-bit integers, like PreparedIdentity.ipv4.
const EXCLUDED_MASK = 0xffffff00 | 0;
const EXCLUDED_NET = 0xcb007100 | 0;

/** Keys and bits of the values the hand-written predicates compare (see src/engine/intern.ts). */
function keyOf(table: typeof VALUES, value: string): number {
  const key = table.key(value);
  if (key === NO_KEY) throw new Error(`no key for ${value}`);
  return key;
}
const KEY = {
  high: keyOf(VALUES, 'high'),
  exampleCom: keyOf(VALUES, 'example.com'),
  contractorIo: keyOf(VALUES, 'contractor.io'),
  us: keyOf(VALUES, 'US'),
  google: keyOf(VALUES, GOOGLE),
  engGroup: keyOf(GROUP_NAMES, 'eng@example.com'),
};
const MFA = amrBit('mfa');

/** Over the same fields the compiled set reads: interned keys, the amr bit mask, the integer address. */
function handWritten(p: PreparedIdentity): boolean {
  // deny: risky (high risk, or email on the watch list)
  if (p.riskLevelKey === KEY.high || (p.email !== undefined && watchList.emails.has(p.email))) return false;
  // allow: employees
  const inExcludedRange = p.ipVersion === 4 && (p.ipv4 & EXCLUDED_MASK) === EXCLUDED_NET;
  if (
    (p.emailDomainKey === KEY.exampleCom || (p.idpKey === KEY.google && p.inGsuiteGroup(KEY.engGroup))) &&
    p.countryKey === KEY.us &&
    p.hasAmrBit(MFA) &&
    !inExcludedRange
  ) {
    return true;
  }
  // allow: contractors from the office
  return p.emailDomainKey === KEY.contractorIo && p.ipVersion === 4 && officeList.ips.hasV4(p.ipv4 >>> 0);
}

/**
 * The earlier comparison: the same logic over the string fields (string equality, the group
 * email Set, a scan of the amr list), as the compiled set read identities before interned keys.
 */
function handWrittenOverStrings(p: PreparedIdentity): boolean {
  if (p.riskLevel === 'high' || (p.email !== undefined && watchList.emails.has(p.email))) return false;
  const inExcludedRange = p.ipVersion === 4 && (p.ipv4 & EXCLUDED_MASK) === EXCLUDED_NET;
  if (
    (p.emailDomain === 'example.com' || (p.idpId === GOOGLE && p.gsuiteGroupEmails().has('eng@example.com'))) &&
    p.country === 'US' &&
    p.amr.includes('mfa') &&
    !inExcludedRange
  ) {
    return true;
  }
  return p.emailDomain === 'contractor.io' && p.ipVersion === 4 && officeList.ips.hasV4(p.ipv4 >>> 0);
}

interface Timing {
  /** Best round: the intrinsic cost, least disturbed by other work on a shared machine. */
  readonly best: number;
  readonly median: number;
}

type Contender = (i: number) => boolean;

/**
 * ns per call of each contender over identities 0..count-1, `passes` times per round. Rounds
 * alternate between contenders so that none is favoured by running first (right after the data
 * was built, while caches and the JIT settle) or last. Returns, per contender, the best and the
 * median round, and checks that every contender counted the same number of true results.
 */
function measure(contenders: Record<string, Contender>, count = N, passes = 1): Record<string, Timing> {
  const names = Object.keys(contenders);
  const rounds = new Map<string, number[]>(names.map((n) => [n, []]));
  const sinks = new Map<string, number>(names.map((n) => [n, 0]));
  for (let r = 0; r < WARMUP_ROUNDS + ROUNDS; r++) {
    for (const name of names) {
      const fn = contenders[name];
      let sink = 0;
      const start = process.hrtime.bigint();
      for (let pass = 0; pass < passes; pass++) for (let i = 0; i < count; i++) if (fn(i)) sink++;
      const ns = Number(process.hrtime.bigint() - start) / (count * passes);
      if (r >= WARMUP_ROUNDS) rounds.get(name)!.push(ns);
      sinks.set(name, sinks.get(name)! + sink);
    }
  }
  const sinkValues = new Set(sinks.values());
  if (sinkValues.size !== 1) fail(`contenders counted different results: ${JSON.stringify(Object.fromEntries(sinks))}`);
  const timings: Record<string, Timing> = {};
  for (const name of names) {
    const sorted = rounds.get(name)!.sort((a, b) => a - b);
    timings[name] = { best: sorted[0], median: sorted[Math.floor(sorted.length / 2)] };
    log(`${name}: best ${timings[name].best.toFixed(1)} ns, median ${timings[name].median.toFixed(1)} ns (${ROUNDS} rounds of ${count * passes})`);
  }
  return timings;
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

log(`generating ${N} identities`);
const texts = Array.from({ length: N }, (_, i) => JSON.stringify(generateIdentity(i)));
const raw = texts.map((t) => JSON.parse(t) as Identity);
const prepared = raw.map(prepareIdentity);
// Warm the lazily built group indexes (keys and string set) so every evaluator sees the same
// prepared state. The bulk path builds them during evaluation: see compiled_with_prepare_ns_per_eval.
for (const p of prepared) p.gsuiteGroupEmails() && p.inGsuiteGroup(KEY.engGroup);

const compiled = compilePolicySet(policies, env);
const isGranted = (packed: number): boolean => (packed & 3) === GRANTED;

// The evaluators must agree before their speed means anything.
let mismatches = 0;
let granted = 0;
for (let i = 0; i < N; i++) {
  const c = resultAccess(compiled.evaluate(prepared[i]));
  const h = handWritten(prepared[i]) ? 'granted' : 'blocked';
  if (c !== h) mismatches++;
  if (handWrittenOverStrings(prepared[i]) !== handWritten(prepared[i])) mismatches++;
  if (c === 'granted') granted++;
  if (i % 10 === 0 && explain(policies, prepared[i], env).access !== c) mismatches++;
}
log(`agreement check: ${mismatches} mismatches; ${granted} of ${N} granted`);
if (mismatches > 0) fail('evaluators disagree; figures would be meaningless');

// Evaluation only, over prepared identities (no allocation, so measured before the rest).
const evaluation = measure({
  compiled: (i) => isGranted(compiled.evaluate(prepared[i])),
  'hand-written': (i) => handWritten(prepared[i]),
  'hand-written over strings': (i) => handWrittenOverStrings(prepared[i]),
});
const cacheResident = measure(
  {
    'compiled (cache-resident)': (i) => isGranted(compiled.evaluate(prepared[i])),
    'hand-written (cache-resident)': (i) => handWritten(prepared[i]),
  },
  CACHE_RESIDENT,
  Math.ceil(N / CACHE_RESIDENT),
);
// What the bulk tester does per user: prepare (and build group indexes on first use), then
// evaluate; and the same preceded by parsing the identity's JSON text.
const preparation = measure({ 'prepare identity': (i) => prepareIdentity(raw[i]).riskLevel !== '' });
const bulk = measure({
  'compiled incl. prepare': (i) => isGranted(compiled.evaluate(prepareIdentity(raw[i]))),
  'parse + prepare + compiled': (i) => isGranted(compiled.evaluate(prepareIdentity(JSON.parse(texts[i]) as Identity))),
});
const interpretCount = Math.min(N, 20_000);
const interpreted = measure({ 'interpreter (decision)': (i) => explain(policies, prepared[i], env).access === 'granted' }, interpretCount);
const explained = measure({ 'explain (to JSON)': (i) => JSON.stringify(explain(policies, prepared[i], env)).length > 0 }, interpretCount);

const compiledNs = evaluation['compiled'];
const handNs = evaluation['hand-written'];
const interpretedNs = interpreted['interpreter (decision)'];
const figures = {
  benchmark: 'engine',
  identities: N,
  policies: policies.length,
  rounds: ROUNDS,
  statistic: 'best round (median in *_median)',
  node: process.version,
  compiled_ns_per_eval: round(compiledNs.best),
  hand_written_ns_per_eval: round(handNs.best),
  hand_written_over_strings_ns_per_eval: round(evaluation['hand-written over strings'].best),
  interpreted_ns_per_eval: round(interpretedNs.best),
  explain_ns_per_eval: round(explained['explain (to JSON)'].best),
  prepare_ns_per_identity: round(preparation['prepare identity'].best),
  compiled_with_prepare_ns_per_eval: round(bulk['compiled incl. prepare'].best),
  parse_prepare_evaluate_ns_per_identity: round(bulk['parse + prepare + compiled'].best),
  cache_resident_identities: CACHE_RESIDENT,
  compiled_cache_resident_ns_per_eval: round(cacheResident['compiled (cache-resident)'].best),
  hand_written_cache_resident_ns_per_eval: round(cacheResident['hand-written (cache-resident)'].best),
  compiled_ns_per_eval_median: round(compiledNs.median),
  hand_written_ns_per_eval_median: round(handNs.median),
  interpreted_ns_per_eval_median: round(interpretedNs.median),
  compiled_speedup_vs_interpreter: round(interpretedNs.best / compiledNs.best),
  compiled_vs_hand_written: round(compiledNs.best / handNs.best),
  granted_fraction: round(granted / N),
};
console.log(JSON.stringify(figures));

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
