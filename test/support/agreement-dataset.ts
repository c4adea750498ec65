// A directory and a policy set that exercise most of the engine at once, for tests that compare
// two ways of deciding the same users (the offline CLI and the server's policy tester, a source
// server and the server it was synced to): the examples of examples/, plus identity providers of
// every group-reporting kind, nested groups three deep, IP and email lists, a policy of every
// decision, an external evaluation that cannot be decided (so some users are `error`), and
// generated users whose identities vary every field a selector reads. Deterministic: the same
// seed gives the same users.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

type Json = Record<string, unknown>;

const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url));
const example = (name: string): Json[] => JSON.parse(readFileSync(EXAMPLES + name, 'utf8')) as Json[];
const exampleUsers = (): Json[] =>
  readFileSync(EXAMPLES + 'users.ndjson', 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Json);

export interface Dataset {
  readonly identity_providers: Json[];
  readonly lists: Json[];
  readonly groups: Json[];
  readonly policies: Json[];
  readonly users: Json[];
}

const IDPS: Json[] = [
  { id: 'azure', name: 'Azure AD', type: 'azureAD', config: { client_id: 'c', directory_id: 'd' } },
  { id: 'github', name: 'GitHub', type: 'github', config: { client_id: 'c' } },
  { id: 'saml-idp', name: 'Corporate SAML', type: 'saml', config: { issuer_url: 'https://idp.example.com' } },
  { id: 'oidc-idp', name: 'Partner OIDC', type: 'oidc', config: { client_id: 'c' } },
];

const LISTS: Json[] = [
  { id: 'partner-ips', name: 'Partner networks', type: 'IP', items: ['203.0.113.128/25', '2001:db8:77::/48', '192.0.2.200'] },
  { id: 'vip-emails', name: 'VIPs', type: 'EMAIL', items: ['Boss@Example.com', 'ceo@partner.org'] },
];

const GROUPS: Json[] = [
  // Three levels: trusted engineers ⊂ all engineers ⊃ core engineers.
  { id: 'eng-trusted', name: 'Trusted engineers', include: [{ group: { id: 'eng-all' } }], require: [{ auth_method: { auth_method: 'mfa' } }], exclude: [{ geo: { country_code: 'RU' } }] },
  { id: 'eng-all', name: 'All engineers', include: [{ group: { id: 'eng-core' } }, { 'github-organization': { identity_provider_id: 'github', name: 'acme', team: 'platform' } }] },
  {
    id: 'eng-core',
    name: 'Core engineers',
    include: [{ gsuite: { email: 'eng@example.com', identity_provider_id: 'google-workspace' } }, { okta: { identity_provider_id: 'okta', name: 'Engineering' } }, { azureAD: { id: 'grp-eng', identity_provider_id: 'azure' } }],
  },
  { id: 'partners', name: 'Partners', include: [{ ip_list: { id: 'partner-ips' } }, { email_domain: { domain: 'partner.org' } }] },
];

const POLICIES: Json[] = [
  { name: 'Kiosks by certificate', decision: 'non_identity', include: [{ common_name: { common_name: 'kiosk-01' } }], require: [{ certificate: {} }] },
  { name: 'Partner veto', decision: 'deny', include: [{ group: { id: 'partners' } }], require: [{ external_evaluation: { evaluate_url: 'https://veto.example.com/', keys_url: 'https://veto.example.com/keys' } }] },
  { name: 'Trusted engineers', decision: 'allow', include: [{ group: { id: 'eng-trusted' } }] },
  { name: 'SAML admins', decision: 'allow', include: [{ saml: { attribute_name: 'role', attribute_value: 'admin', identity_provider_id: 'saml-idp' } }] },
  { name: 'OIDC level 3', decision: 'allow', include: [{ oidc: { claim_name: 'level', claim_value: '3', identity_provider_id: 'oidc-idp' } }], require: [{ auth_method: { auth_method: 'mfa' } }] },
  { name: 'Azure conditional access', decision: 'allow', include: [{ azureAD: { id: 'grp-other', identity_provider_id: 'azure' } }], require: [{ auth_context: { ac_id: 'c1', id: 'ctx', identity_provider_id: 'azure' } }, { login_method: { id: 'azure' } }] },
  { name: 'VIPs by one-time PIN', decision: 'allow', include: [{ email_list: { id: 'vip-emails' } }], require: [{ login_method: { id: 'otp' } }] },
  { name: 'Low-risk named people', decision: 'allow', include: [{ email: { email: 'pat@other.org' } }, { ip: { ip: '10.0.0.0/8' } }], require: [{ user_risk_score: { user_risk_score: ['low', 'unscored'] } }] },
  { name: 'Nobody from RU', decision: 'deny', include: [{ geo: { country_code: 'RU' } }] },
  { name: 'Everyone else on the VPN', decision: 'allow', include: [{ everyone: {} }], require: [{ ip: { ip: '2001:db8:ffff::/48' } }] },
];

/** mulberry32: small, fast, and the same everywhere. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DOMAINS = ['example.com', 'Example.COM', 'contractor.io', 'partner.org', 'other.org'];
const COUNTRIES = ['US', 'us', 'DE', 'IN', 'RU', 'FR'];
const IPS = ['192.0.2.10', '198.51.100.7', '203.0.113.5', '203.0.113.200', '2001:db8:77::1', '2001:db8:ffff::9', '10.1.2.3', '::ffff:10.9.9.9', '192.0.2.200'];

/** One generated identity: each field present or absent at random, groups as its IdP reports them. */
function identityFor(pick: <T>(values: readonly T[]) => T, chance: (p: number) => boolean): Json {
  const identity: Json = {};
  const idp = pick(['google-workspace', 'okta', 'otp', 'azure', 'github', 'saml-idp', 'oidc-idp', 'unknown-idp']);
  identity.idp = { id: idp, type: idp };
  if (idp === 'google-workspace') identity.groups = chance(0.5) ? [{ email: pick(['eng@example.com', 'ENG@example.com', 'sales@example.com']) }] : [];
  if (idp === 'okta') identity.groups = [{ name: pick(['Engineering', 'engineering', 'Contractors', 'Sales']) }];
  if (idp === 'azure') identity.groups = [{ id: pick(['grp-eng', 'grp-other']) }];
  if (idp === 'github') identity.groups = [{ name: pick(['acme', 'ACME', 'other']), teams: chance(0.6) ? [pick(['platform', 'Platform', 'web'])] : [] }];
  if (chance(0.8)) identity.amr = chance(0.5) ? ['pwd', 'mfa'] : ['pwd'];
  if (chance(0.5)) identity.auth_contexts = [pick(['c1', 'c2'])];
  if (chance(0.85)) identity.geo = { country: pick(COUNTRIES) };
  if (chance(0.85)) identity.ip = pick(IPS);
  if (chance(0.6)) identity.user_risk_score = pick(['low', 'medium', 'high']);
  if (chance(0.35)) identity.mtls_auth = { cert_presented: chance(0.7), auth_status: pick(['OK', 'FAIL']) };
  if (chance(0.35)) identity.common_name = pick(['kiosk-01', 'kiosk-02']);
  if (idp === 'saml-idp' || chance(0.1)) identity.saml_attributes = { role: chance(0.5) ? pick(['admin', 'user']) : ['user', pick(['admin', 'auditor'])] };
  if (idp === 'oidc-idp' || chance(0.1)) identity.oidc_fields = { level: pick([3, '3', 2, [1, 3], true]) };
  return identity;
}

export function agreementDataset(userCount = 300, seed = 20240501): Dataset {
  const next = random(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)];
  const chance = (p: number): boolean => next() < p;
  const users: Json[] = exampleUsers();
  for (let i = 0; i < userCount; i++) {
    const email = `${pick(['pat', 'sam', 'lee', 'ceo', 'boss', 'kim'])}${i}@${pick(DOMAINS)}`;
    const user: Json = { email, name: `Generated ${i}` };
    // Some users have no identity at all: they are decided on their email and name only.
    if (!chance(0.1)) user.identity = identityFor(pick, chance);
    users.push(user);
  }
  users.push({ email: 'pat@other.org', identity: { user_risk_score: 'low' } }, { email: 'boss@example.com', identity: { idp: { id: 'otp', type: 'onetimepin' } } });
  return {
    identity_providers: [...example('idps.json'), ...IDPS],
    lists: [...example('lists.json'), ...LISTS],
    groups: [...example('groups.json'), ...GROUPS],
    policies: [...example('policies.json'), ...POLICIES],
    users,
  };
}
