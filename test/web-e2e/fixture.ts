// A small account for the dashboard's tests and screenshots: the account itself (in the store,
// as serve makes it), then through the API an identity provider, a group, lists, a posture rule,
// saved policies, an application and a directory of users with identities (engineers in the US
// with MFA, others not).

import assert from 'node:assert/strict';
import { importUsers, type ImportedUser } from '../support/policy-tests.js';
import type { TestServer } from '../support/server.js';
import { ACCOUNTS_SCOPE } from '../../src/store/store.js';

export interface Fixture {
  readonly idpId: string;
  readonly groupId: string;
  readonly postureRuleId: string;
  readonly employeesPolicyId: string;
  readonly contractorsPolicyId: string;
  readonly appId: string;
  /** Users by email. */
  readonly users: ReadonlyMap<string, ImportedUser>;
}

async function created(s: TestServer, path: string, body: unknown): Promise<string> {
  const res = await s.api('POST', `/accounts/${s.accountId}${path}`, body);
  assert.ok(res.status === 200 || res.status === 201, `POST ${path}: ${res.status} ${JSON.stringify(res.json.errors)}`);
  return res.json.result.id as string;
}

const FIRST_NAMES = ['Ada', 'Grace', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Frances', 'Alan', 'Radia', 'Edsger', 'Katherine'];

export async function seedAccount(s: TestServer): Promise<Fixture> {
  // The account exists explicitly, as `serve` makes its default one, so GET /accounts lists it.
  await s.store.transaction(ACCOUNTS_SCOPE, (tx) => tx.insertAccount({ id: s.accountId, name: 'Example Corp', createdAt: new Date().toISOString() }));
  const idpId = await created(s, '/access/identity_providers', { name: 'Okta', type: 'okta', config: { okta_account: 'https://example.okta.com', client_id: 'portcullis' } });
  await created(s, '/access/identity_providers', { name: 'One-time PIN', type: 'onetimepin', config: {} });
  const postureRuleId = await created(s, '/devices/posture', { name: 'Disk encryption', type: 'disk_encryption', input: {} });
  await created(s, '/gateway/lists', { name: 'Office networks', type: 'IP', items: [{ value: '192.0.2.0/24' }, { value: '198.51.100.0/24' }] });
  await created(s, '/gateway/lists', { name: 'On-call engineers', type: 'EMAIL', items: [{ value: 'ada@example.com' }, { value: 'linus@example.com' }] });
  const groupId = await created(s, '/access/groups', { name: 'Engineering', include: [{ okta: { identity_provider_id: idpId, name: 'engineering' } }] });
  const employeesPolicyId = await created(s, '/access/policies', { name: 'Employees', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
  const contractorsPolicyId = await created(s, '/access/policies', {
    name: 'Block high-risk logins',
    decision: 'deny',
    include: [{ user_risk_score: { user_risk_score: ['high'] } }],
  });
  await created(s, '/access/policies', { name: 'Office networks bypass', decision: 'bypass', include: [{ ip: { ip: '192.0.2.0/24' } }] });
  const appId = await created(s, '/access/apps', {
    name: 'Wiki',
    type: 'self_hosted',
    domain: 'wiki.example.com',
    policies: [
      { id: contractorsPolicyId, precedence: 1 },
      { id: employeesPolicyId, precedence: 2 },
    ],
  });

  const users: ImportedUser[] = [];
  FIRST_NAMES.forEach((first, i) => {
    const email = `${first.toLowerCase()}@example.com`;
    users.push({
      email,
      name: `${first} Example`,
      identity: {
        email,
        idp: { id: idpId, type: 'okta' },
        // Every third employee is abroad, every fourth logs in without MFA.
        geo: { country: i % 3 === 2 ? 'FR' : 'US' },
        amr: i % 4 === 3 ? ['pwd'] : ['pwd', 'mfa'],
        groups: i % 2 === 0 ? [{ name: 'engineering' }] : [{ name: 'sales' }],
        ip: `203.0.113.${10 + i}`,
        ...(i === 5 ? { user_risk_score: 'high' } : {}),
      },
    });
  });
  for (const name of ['Erin', 'Felix', 'Greta', 'Hugo']) {
    const email = `${name.toLowerCase()}@contractor.io`;
    users.push({ email, name: `${name} Contractor`, identity: { email, geo: { country: 'DE' }, amr: ['pwd'], ip: '198.18.0.7' } });
  }
  await importUsers(s, s.accountId, users);
  return { idpId, groupId, postureRuleId, employeesPolicyId, contractorsPolicyId, appId, users: new Map(users.map((u) => [u.email, u])) };
}

/**
 * Sign `email` in to the application on `host` through the development login (the server runs
 * with access.devLogin), as a browser sent there by the proxy would: a real sign-in, logged in
 * the access log. Returns the application token the sign-in issued (null when it refused the user).
 */
export async function devSignIn(s: TestServer, email: string, host: string): Promise<string | null> {
  const res = await fetch(`${s.baseUrl}/cdn-cgi/access/login/${host}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, redirect_url: `http://${host}/` }).toString(),
  });
  assert.equal(res.status, 302, `the development login of ${email} on ${host}`);
  // No token when the application's policies refuse the user at the sign-in.
  return new URL(res.headers.get('location')!).searchParams.get('token');
}
