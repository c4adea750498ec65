// Generated users for benchmarks: one NDJSON import line per user, with a realistic identity
// (an identity provider, groups, authentication methods, country, IP, risk score, posture).
// Seeded, so every run imports the same users.

import type { SeededRandom } from '../../test/support/random.js';

/** The identity providers the generated identities name (their ids, as the account has them). */
export interface GeneratedUserProviders {
  readonly google: string;
  readonly okta: string;
}

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
