// The policy-tester benchmarks' users and policies: deterministic identities (IdPs, groups, MFA, countries,
// addresses, risk scores, device posture) over the account objects a benchmark created.

import type { SeededRandom } from '../../test/support/random.js';

/** The ids of the account objects the users and policies refer to. */
export interface Setup {
  readonly google: string;
  readonly okta: string;
  readonly officeList: string;
  readonly watchList: string;
  readonly risky: string;
  readonly contractors: string;
}

/** What a user's identity names: only the identity providers (an import benchmark needs nothing else). */
export type GeneratedUserProviders = Pick<Setup, 'google' | 'okta'>;

/** User `i` as an NDJSON line of the import API ({email, name, identity}). */
export function userLine(i: number, random: SeededRandom, setup: GeneratedUserProviders): string {
  const { next: rand, pick } = random;
  const domain = pick(['example.com', 'example.com', 'example.com', 'contractor.io', 'partner.org']);
  // About 200 users are on the watch list, each once.
  const email = i % 499 === 0 && i / 499 < 200 ? `suspect${i / 499}@example.com` : `user${i}@${domain}`;
  const okta = rand() < 0.3;
  const identity = {
    email,
    name: `User ${i}`,
    idp: { id: okta ? setup.okta : setup.google, type: okta ? 'okta' : 'google-apps' },
    groups: okta ? [{ name: pick(['Engineering', 'Sales', 'Finance']) }] : rand() < 0.3 ? [{ email: 'eng@example.com' }] : [{ email: 'all@example.com' }],
    amr: rand() < 0.8 ? ['pwd', 'mfa'] : ['pwd'],
    geo: { country: pick(['US', 'US', 'US', 'DE', 'IN', 'GB']) },
    ip: rand() < 0.2 ? `198.51.100.${i % 250}` : rand() < 0.05 ? `203.0.113.${i % 250}` : `100.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    user_risk_score: pick(['low', 'low', 'low', 'medium', 'high']),
    devicePosture: { 'disk-encryption': { success: rand() < 0.9 } },
  };
  return JSON.stringify({ email, name: `User ${i}`, identity });
}

/** The benchmarks' realistic 10-policy set over the account objects of `Setup`. */
export function policies(s: Setup): unknown[] {
  return [
    { name: 'Block risky users', decision: 'deny', include: [{ group: { id: s.risky } }] },
    { name: 'Block sanctioned countries', decision: 'deny', include: [{ geo: { country_code: 'KP' } }, { geo: { country_code: 'IR' } }] },
    { name: 'Office bypass', decision: 'bypass', include: [{ ip_list: { id: s.officeList } }], require: [{ geo: { country_code: 'US' } }] },
    {
      name: 'Employees with MFA',
      decision: 'allow',
      include: [{ email_domain: { domain: 'example.com' } }, { gsuite: { email: 'eng@example.com', identity_provider_id: s.google } }],
      require: [{ geo: { country_code: 'US' } }, { auth_method: { auth_method: 'mfa' } }],
      exclude: [{ ip: { ip: '203.0.113.0/24' } }],
    },
    { name: 'Okta engineering', decision: 'allow', include: [{ okta: { identity_provider_id: s.okta, name: 'Engineering' } }], require: [{ auth_method: { auth_method: 'mfa' } }] },
    { name: 'Contractors from the office', decision: 'allow', include: [{ group: { id: s.contractors } }], require: [{ ip_list: { id: s.officeList } }] },
    { name: 'German staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }], require: [{ geo: { country_code: 'DE' } }, { login_method: { id: s.google } }] },
    { name: 'Partners, low risk', decision: 'allow', include: [{ email_domain: { domain: 'partner.org' } }], require: [{ user_risk_score: { user_risk_score: ['low'] } }] },
    { name: 'Sales on Okta', decision: 'allow', include: [{ okta: { identity_provider_id: s.okta, name: 'Sales' } }], exclude: [{ geo: { country_code: 'IN' } }] },
    { name: 'Finance from GB', decision: 'allow', include: [{ okta: { identity_provider_id: s.okta, name: 'Finance' } }], require: [{ geo: { country_code: 'GB' } }] },
  ];
}
