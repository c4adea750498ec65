import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compilePolicySet } from './compile.js';
import { buildListIndex, type EvalEnv } from './env.js';
import { amrBit } from './amr.js';
import { prepareIdentity, type Identity } from './identity.js';
import { GROUP_NAMES, NO_KEY, VALUES } from './intern.js';
import { explain } from './interpreter.js';
import { resultAccess, type Access } from './outcome.js';
import type { Policy, Rule } from './rules.js';
import { parseRule } from './validate.js';

// ---------------------------------------------------------------- helpers

function rule(wire: unknown): Rule {
  const r = parseRule(wire);
  if (!r.ok) assert.fail(`fixture rule should be valid: ${JSON.stringify(r.issues)}`);
  return r.value;
}

/** One rule per selector that reads the identity, each matched by GOOD below. */
const RULES = {
  email: rule({ email: { email: 'alice@example.com' } }),
  email_domain: rule({ email_domain: { domain: 'example.com' } }),
  email_list: rule({ email_list: { id: 'list-emails' } }),
  login_method: rule({ login_method: { id: 'idp-1' } }),
  auth_method: rule({ auth_method: { auth_method: 'mfa' } }),
  auth_context: rule({ auth_context: { ac_id: 'c1', id: 'ctx-1', identity_provider_id: 'idp-1' } }),
  azureAD: rule({ azureAD: { id: 'azure-group-1', identity_provider_id: 'idp-1' } }),
  gsuite: rule({ gsuite: { email: 'eng@example.com', identity_provider_id: 'idp-1' } }),
  okta: rule({ okta: { name: 'Engineering', identity_provider_id: 'idp-1' } }),
  github: rule({ 'github-organization': { name: 'acme', team: 'core', identity_provider_id: 'idp-1' } }),
  saml: rule({ saml: { attribute_name: 'dept', attribute_value: 'eng', identity_provider_id: 'idp-1' } }),
  oidc: rule({ oidc: { claim_name: 'level', claim_value: '5', identity_provider_id: 'idp-1' } }),
  geo: rule({ geo: { country_code: 'US' } }),
  ip: rule({ ip: { ip: '10.0.0.0/8' } }),
  ip_list: rule({ ip_list: { id: 'list-ips' } }),
  device_posture: rule({ device_posture: { integration_uid: 'posture-1' } }),
  certificate: rule({ certificate: {} }),
  common_name: rule({ common_name: { common_name: 'svc.example.com' } }),
  service_token: rule({ service_token: { token_id: 'tok-1' } }),
  any_valid_service_token: rule({ any_valid_service_token: {} }),
  linked_app_token: rule({ linked_app_token: { app_uid: 'app-1' } }),
  user_risk_score: rule({ user_risk_score: { user_risk_score: ['high'] } }),
  cloudflare_account_member: rule({ cloudflare_account_member: { account_id: 'acct-1' } }),
} as const;
type RuleName = keyof typeof RULES;

const ENV: EvalEnv = {
  list: (id) =>
    id === 'list-emails'
      ? buildListIndex(id, 'EMAIL', ['Alice@Example.com'])
      : id === 'list-ips'
        ? buildListIndex(id, 'IP', ['10.0.0.0/8'])
        : undefined,
};

/** An identity that every rule of RULES matches; the tests break one field at a time. */
function good(): Identity {
  return {
    email: 'Alice@Example.COM',
    name: 'Alice',
    idp: { id: 'idp-1', type: 'azureAD' },
    groups: [
      { id: 'azure-group-1', name: 'Engineering', email: 'Eng@Example.com' },
      { name: 'ACME', teams: ['Core', 'infra'] },
    ],
    amr: ['pwd', 'mfa'],
    auth_contexts: ['c1'],
    oidc_fields: { level: 5 },
    saml_attributes: { dept: ['ops', 'eng'] },
    geo: { country: 'us' },
    ip: '::ffff:10.1.2.3',
    devicePosture: { 'posture-1': { success: true, input: {} } },
    mtls_auth: { cert_presented: true, auth_status: 'OK' },
    common_name: 'svc.example.com',
    service_token_id: 'tok-1',
    service_token_status: true,
    linked_app_token: { app_uid: 'app-1' },
    user_risk_score: 'HIGH',
    cloudflare_account_ids: ['acct-1'],
  };
}

function policyOf(r: Rule): Policy {
  // non_identity accepts every selector (linked_app_token included) and grants on a match.
  return { name: 'p', decision: 'non_identity', include: [r], require: [], exclude: [], settings: {} };
}

/** Evaluate one rule on an identity with both evaluators; they must agree. */
function access(r: Rule, identity: unknown, env: EvalEnv = ENV): Access {
  const prepared = prepareIdentity(identity as Identity);
  const policies = [policyOf(r)];
  const interpreted = explain(policies, prepared, env).access;
  const compiled = resultAccess(compilePolicySet(policies, env).evaluate(prepared));
  assert.equal(compiled, interpreted, `interpreter and compiled evaluator disagree on ${r.kind}`);
  return interpreted;
}

function matches(name: RuleName, identity: unknown, env: EvalEnv = ENV): boolean {
  const a = access(RULES[name], identity, env);
  assert.notEqual(a, 'unknown', `${name} should be decided, not unknown`);
  return a === 'granted';
}

function withField(field: string, value: unknown): Record<string, unknown> {
  const id: Record<string, unknown> = { ...good() };
  id[field] = value;
  return id;
}

// ---------------------------------------------------------------- tests

describe('prepareIdentity: the fixture identity matches every selector', () => {
  for (const name of Object.keys(RULES) as RuleName[]) {
    test(name, () => {
      assert.equal(matches(name, good()), true);
    });
  }
});

describe('prepareIdentity: normalization', () => {
  test('email is lower-cased', () => {
    const p = prepareIdentity({ email: 'Alice@Example.COM' });
    assert.equal(p.email, 'alice@example.com');
    assert.equal(p.emailDomain, 'example.com');
  });

  test('the email domain is the part after the LAST @', () => {
    assert.equal(prepareIdentity({ email: '"a@b"@Corp.Example' }).emailDomain, 'corp.example');
    assert.equal(prepareIdentity({ email: 'x@evil.com@Example.com' }).emailDomain, 'example.com');
    assert.equal(matches('email_domain', { email: 'mallory@example.com@evil.com' }), false);
    assert.equal(matches('email_domain', { email: 'mallory@evil.com@example.com' }), true);
  });

  test('an email without @ has no domain; an empty email is no email', () => {
    const p = prepareIdentity({ email: 'no-at-sign' });
    assert.equal(p.email, 'no-at-sign');
    assert.equal(p.emailDomain, undefined);
    const e = prepareIdentity({ email: '' });
    assert.equal(e.email, undefined);
    assert.equal(e.emailDomain, undefined);
    assert.equal(matches('email_domain', { email: '' }), false);
  });

  test('email_domain does not match subdomains', () => {
    assert.equal(matches('email_domain', { email: 'bob@sub.example.com' }), false);
    assert.equal(matches('email_domain', { email: 'bob@EXAMPLE.com' }), true);
  });

  test('country is upper-cased', () => {
    assert.equal(prepareIdentity({ geo: { country: 'us' } }).country, 'US');
    assert.equal(prepareIdentity({ geo: { country: 'Us' } }).country, 'US');
    assert.equal(matches('geo', { geo: { country: 'us' } }), true);
  });

  test('IPv4-mapped IPv6 becomes IPv4', () => {
    assert.deepEqual(prepareIdentity({ ip: '::ffff:10.1.2.3' }).ip, { v: 4, n: 0x0a010203 });
    assert.deepEqual(prepareIdentity({ ip: '10.1.2.3' }).ip, { v: 4, n: 0x0a010203 });
    assert.equal(prepareIdentity({ ip: '2001:db8::1' }).ip?.v, 6);
    assert.equal(matches('ip', { ip: '::ffff:10.9.9.9' }), true);
    assert.equal(matches('ip_list', { ip: '::ffff:10.9.9.9' }), true);
  });

  test('risk level defaults to unscored and is lower-cased', () => {
    assert.equal(prepareIdentity({}).riskLevel, 'unscored');
    assert.equal(prepareIdentity({ user_risk_score: 'HIGH' }).riskLevel, 'high');
    assert.equal(prepareIdentity({ user_risk_score: 'Medium' }).riskLevel, 'medium');
    const unscored = rule({ user_risk_score: { user_risk_score: ['unscored'] } });
    assert.equal(access(unscored, {}), 'granted');
    assert.equal(access(unscored, { user_risk_score: 'low' }), 'blocked');
  });

  test('IdP group fields: gsuite and GitHub case-insensitive, Azure and Okta exact', () => {
    const p = prepareIdentity({
      groups: [
        { id: 'Azure-ID', name: 'Okta Name', email: 'Group@Example.COM' },
        { name: 'Acme', teams: ['Core'] },
        { name: 'ACME', teams: ['Infra'] }, // the same org twice: teams merge
      ],
    });
    assert.deepEqual([...p.gsuiteGroupEmails()], ['group@example.com']);
    assert.deepEqual([...p.azureGroupIds()], ['Azure-ID']);
    assert.deepEqual([...p.oktaGroupNames()].sort(), ['ACME', 'Acme', 'Okta Name']);
    assert.deepEqual([...(p.githubOrgTeams().get('acme') ?? [])].sort(), ['core', 'infra']);
    assert.equal(p.githubOrgTeams().has('Acme'), false);
    // Okta compares exactly.
    assert.equal(matches('okta', { idp: { id: 'idp-1' }, groups: [{ name: 'engineering' }] }), false);
    assert.equal(matches('azureAD', { idp: { id: 'idp-1' }, groups: [{ id: 'AZURE-GROUP-1' }] }), false);
  });

  test('the fields a compiled set reads: keys of the string fields, NO_KEY when absent', () => {
    const p = prepareIdentity({ email: 'a@Example.COM', idp: { id: 'idp-1' }, geo: { country: 'us' }, user_risk_score: 'High' });
    assert.equal(p.emailDomainKey, VALUES.key('example.com'));
    assert.equal(p.idpKey, VALUES.key('idp-1'));
    assert.equal(p.countryKey, VALUES.key('US'));
    assert.equal(p.riskLevelKey, VALUES.key('high'));
    const q = prepareIdentity({ email: 'b@example.com' });
    assert.equal(q.emailDomainKey, p.emailDomainKey);
    assert.equal(q.emailDomain, p.emailDomain, 'one canonical string');
    assert.equal(q.idpKey, NO_KEY);
    assert.equal(q.countryKey, NO_KEY);
    assert.equal(q.riskLevelKey, VALUES.key('unscored'));
    assert.equal(prepareIdentity({ email: 'no-at-sign' }).emailDomainKey, NO_KEY);
  });

  test('amr answers by bit mask for registered values; the list stays as it was', () => {
    const p = prepareIdentity({ amr: ['pwd', 'mfa', 'custom', 42] as unknown as string[] });
    assert.deepEqual(['pwd', 'mfa', 'otp', 'hwk'].map((m) => p.hasAmrBit(amrBit(m))), [true, true, false, false]);
    assert.deepEqual(p.amr, ['pwd', 'mfa', 'custom']);
    assert.equal(prepareIdentity({ amr: 'mfa' as unknown as string[] }).hasAmrBit(amrBit('mfa')), false);
    assert.equal(prepareIdentity({}).hasAmrBit(amrBit('pwd')), false);
    const custom = rule({ auth_method: { auth_method: 'custom' } });
    assert.equal(access(custom, { amr: ['custom'] }), 'granted');
    assert.equal(access(custom, { amr: ['Custom'] }), 'blocked');
    const mfa = rule({ auth_method: { auth_method: 'mfa' } });
    assert.equal(access(mfa, { amr: ['MFA'] }), 'blocked');
  });

  test('IPv4 is held as a signed 32-bit integer; the ip view gives the usual unsigned address', () => {
    const top = prepareIdentity({ ip: '255.255.255.255' });
    assert.equal(top.ipVersion, 4);
    assert.equal(top.ipv4, -1);
    assert.deepEqual(top.ip, { v: 4, n: 0xffffffff });
    assert.equal(prepareIdentity({ ip: '203.0.113.5' }).ipv4, 0xcb007105 | 0);
    assert.equal(prepareIdentity({ ip: '0.0.0.0' }).ipVersion, 4);
    const v6 = prepareIdentity({ ip: '2001:db8::1' });
    assert.equal(v6.ipVersion, 6);
    assert.equal(v6.ipv4, 0);
    assert.equal(v6.ip, v6.ipv6);
    const none = prepareIdentity({ ip: 'not an address' });
    assert.equal(none.ipVersion, 0);
    assert.equal(none.ip, undefined);
    // High addresses (negative when signed) against ranges, single CIDRs and lists alike.
    for (const [cidr, ip, want] of [
      ['255.255.255.0/24', '255.255.255.7', 'granted'],
      ['255.255.255.0/24', '255.255.254.7', 'blocked'],
      ['128.0.0.0/1', '200.1.1.1', 'granted'],
      ['128.0.0.0/1', '127.255.255.255', 'blocked'],
      ['0.0.0.0/0', '255.255.255.255', 'granted'],
      ['0.0.0.0/0', '2001:db8::1', 'blocked'],
    ] as const) {
      assert.equal(access(rule({ ip: { ip: cidr } }), { ip }), want, `${ip} in ${cidr}`);
    }
    const highList: EvalEnv = { list: (id) => (id === 'high' ? buildListIndex('high', 'IP', ['255.255.255.0/24', '200.0.0.1', '2001:db8::/32']) : undefined) };
    const inList = rule({ ip_list: { id: 'high' } });
    assert.equal(access(inList, { ip: '255.255.255.9' }, highList), 'granted');
    assert.equal(access(inList, { ip: '200.0.0.1' }, highList), 'granted');
    assert.equal(access(inList, { ip: '200.0.0.2' }, highList), 'blocked');
    assert.equal(access(inList, { ip: '2001:db8::7' }, highList), 'granted');
    assert.equal(access(inList, {}, highList), 'blocked');
  });

  test('group membership by key agrees with the string sets, also for hundreds of groups', () => {
    const groups = Array.from({ length: 300 }, (_, i) => ({ id: `AZ-${i}`, name: `Team ${i}`, email: `G${i}@Example.com` }));
    // Keys in the reverse of the list's order, so that a long list must be sorted to be searched.
    for (let i = 299; i >= 0; i--) [`g${i}@example.com`, `AZ-${i}`, `Team ${i}`].forEach((v) => GROUP_NAMES.key(v));
    const p = prepareIdentity({ groups: [...groups, null, 'junk', { email: 42 }] as unknown as Identity['groups'] });
    for (let i = 0; i < 300; i += 7) {
      assert.equal(p.inGsuiteGroup(GROUP_NAMES.key(`g${i}@example.com`)), true, `gsuite ${i}`);
      assert.equal(p.inAzureGroup(GROUP_NAMES.key(`AZ-${i}`)), true, `azure ${i}`);
      assert.equal(p.inOktaGroup(GROUP_NAMES.key(`Team ${i}`)), true, `okta ${i}`);
    }
    for (const absent of ['g300@example.com', 'az-1', 'team 1', 'G1@Example.com']) {
      const key = GROUP_NAMES.key(absent);
      assert.equal(p.inGsuiteGroup(key) || p.inAzureGroup(key) || p.inOktaGroup(key), false, absent);
      assert.equal(p.gsuiteGroupEmails().has(absent) || p.azureGroupIds().has(absent) || p.oktaGroupNames().has(absent), false);
    }
    assert.equal(p.inGsuiteGroup(NO_KEY), false);
    assert.equal(prepareIdentity({}).inGsuiteGroup(GROUP_NAMES.key('g1@example.com')), false);
  });

  test('claim values: strings, and numbers and booleans as strings', () => {
    const p = prepareIdentity({ saml_attributes: { a: 'x', n: 5, b: false, list: ['y', 7, true] }, oidc_fields: { level: 5.5 } });
    assert.deepEqual(p.claimValues('saml', 'a'), ['x']);
    assert.deepEqual(p.claimValues('saml', 'n'), ['5']);
    assert.deepEqual(p.claimValues('saml', 'b'), ['false']);
    assert.deepEqual(p.claimValues('saml', 'list'), ['y', '7', 'true']);
    assert.deepEqual(p.claimValues('oidc', 'level'), ['5.5']);
    assert.deepEqual(p.claimValues('oidc', 'a'), []); // saml and oidc are separate bags
  });

  test('certificate requires cert_presented === true and auth_status "OK"', () => {
    assert.equal(prepareIdentity({ mtls_auth: { cert_presented: true, auth_status: 'OK' } }).certificateValid, true);
    assert.equal(prepareIdentity({ mtls_auth: { cert_presented: true, auth_status: 'FAIL' } }).certificateValid, false);
    assert.equal(prepareIdentity({ mtls_auth: { cert_presented: false, auth_status: 'OK' } }).certificateValid, false);
  });

  test('preparation does not change the raw identity', () => {
    const raw = good();
    const copy = structuredClone(raw);
    const p = prepareIdentity(raw);
    p.gsuiteGroupEmails();
    p.githubOrgTeams();
    p.claimValues('saml', 'dept');
    assert.deepEqual(raw, copy);
    assert.equal(p.raw, raw);
  });
});

describe('prepareIdentity: ill-typed fields never throw and make their selectors false', () => {
  // [field, ill-typed value, selectors that read the field]
  const cases: [string, unknown, RuleName[]][] = [];
  const add = (field: string, values: unknown[], selectors: RuleName[]): void => {
    for (const v of values) cases.push([field, v, selectors]);
  };
  add('email', [42, null, true, ['alice@example.com'], { email: 'alice@example.com' }, ''], ['email', 'email_domain', 'email_list']);
  add('idp', ['idp-1', 42, null, [{ id: 'idp-1' }], { id: 1 }, { id: ['idp-1'] }, { id: null }], [
    'login_method',
    'auth_context',
    'azureAD',
    'gsuite',
    'okta',
    'github',
    'saml',
    'oidc',
  ]);
  add(
    'groups',
    [
      'Engineering',
      42,
      null,
      {},
      { 0: { id: 'azure-group-1', name: 'Engineering', email: 'eng@example.com' }, length: 1 },
      [null, 1, 'eng@example.com', ['azure-group-1'], true],
      [{ id: 5, name: ['Engineering'], email: { value: 'eng@example.com' } }, { name: { org: 'acme' }, teams: ['core'] }],
    ],
    ['azureAD', 'gsuite', 'okta', 'github'],
  );
  add('amr', ['mfa', 42, null, { 0: 'mfa' }, [1, null, {}, ['mfa']]], ['auth_method']);
  add('auth_contexts', ['c1', null, { c1: true }, [1, ['c1']]], ['auth_context']);
  add('oidc_fields', [null, 'level=5', 5, ['5'], { level: null }, { level: { value: 5 } }, { level: [[5]] }, { level: Infinity }], ['oidc']);
  add('saml_attributes', [null, 'dept=eng', ['eng'], { dept: null }, { dept: { eng: true } }, { dept: [['eng']] }, { dept: [null, {}, 1] }], ['saml']);
  add('geo', ['US', 42, null, ['US'], { country: 1 }, { country: ['US'] }, { country: null }], ['geo']);
  add('ip', [167837955, null, ['10.1.2.3'], { ip: '10.1.2.3' }, '10.1.2.3 ', 'garbage', '010.1.2.3', '10.1.2.3/32', ''], ['ip', 'ip_list']);
  add(
    'devicePosture',
    [
      null,
      'posture-1',
      ['posture-1'],
      { 'posture-1': true },
      { 'posture-1': null },
      { 'posture-1': 'success' },
      { 'posture-1': { success: 'true' } },
      { 'posture-1': { success: 1 } },
      { 'posture-1': [{ success: true }] },
      { 'posture-1': { status: true } },
      { other: { success: true } },
    ],
    ['device_posture'],
  );
  add(
    'mtls_auth',
    [null, 'OK', true, { cert_presented: 'true', auth_status: 'OK' }, { cert_presented: 1, auth_status: 'OK' }, { cert_presented: true, auth_status: 'ok' }, { cert_presented: true }, [true, 'OK']],
    // A common name counts only with a valid certificate.
    ['certificate', 'common_name'],
  );
  add('common_name', [5, null, ['svc.example.com'], { common_name: 'svc.example.com' }], ['common_name']);
  add('service_token_id', [5, null, ['tok-1'], { id: 'tok-1' }], ['service_token', 'any_valid_service_token']);
  add('service_token_status', ['true', 1, null, [true], {}], ['service_token', 'any_valid_service_token']);
  add('linked_app_token', ['app-1', null, ['app-1'], { app_uid: 1 }, { app_uid: ['app-1'] }], ['linked_app_token']);
  add('user_risk_score', [['high'], 3, null, { level: 'high' }, true], ['user_risk_score']);
  add('cloudflare_account_ids', ['acct-1', null, [1, null], { 0: 'acct-1' }, [['acct-1']]], ['cloudflare_account_member']);

  for (const [field, value, selectors] of cases) {
    test(`${field} = ${describeValue(value)}`, () => {
      const identity = withField(field, value);
      for (const name of selectors) {
        assert.equal(matches(name, identity), false, `${name} must be false when ${field} is ${describeValue(value)}`);
      }
      // The other selectors are unaffected (the field is read by its own selectors only).
      for (const name of Object.keys(RULES) as RuleName[]) {
        if (selectors.includes(name)) continue;
        assert.equal(matches(name, identity), true, `${name} should still match when ${field} is ${describeValue(value)}`);
      }
    });
  }

  test('an ill-typed risk level counts as absent, i.e. unscored', () => {
    for (const v of [['high'], 3, null, { level: 'high' }, true]) {
      assert.equal(prepareIdentity(withField('user_risk_score', v) as Identity).riskLevel, 'unscored');
    }
  });

  test('an unknown risk level string matches no rule', () => {
    const all = rule({ user_risk_score: { user_risk_score: ['low', 'medium', 'high', 'unscored'] } });
    assert.equal(access(all, { user_risk_score: 'extreme' }), 'blocked');
  });

  test('arrays of mixed junk keep only their strings', () => {
    const p = prepareIdentity({
      amr: ['mfa', 1, null, {}, ['pwd'], 'pwd'],
      auth_contexts: [true, 'c1'],
      cloudflare_account_ids: [null, 'acct-1', 7],
    } as unknown as Identity);
    assert.deepEqual(p.amr, ['mfa', 'pwd']);
    assert.deepEqual(p.authContexts, ['c1']);
    assert.deepEqual(p.accountIds, ['acct-1']);
  });

  test('groups of mixed junk: only well-typed members count', () => {
    const p = prepareIdentity({
      groups: [null, 1, 'x', [], { email: 5 }, { email: 'A@B.com', id: 7, name: null }, { id: 'g', teams: 'core' }, { name: 'org', teams: [1, 'T'] }],
    } as unknown as Identity);
    assert.deepEqual([...p.gsuiteGroupEmails()], ['a@b.com']);
    assert.deepEqual([...p.azureGroupIds()], ['g']);
    assert.deepEqual([...p.oktaGroupNames()], ['org']);
    assert.deepEqual([...(p.githubOrgTeams().get('org') ?? [])], ['t']);
  });

  test('SAML attribute values of mixed types: scalars as strings, the rest ignored', () => {
    const values = (v: unknown) => prepareIdentity({ saml_attributes: { dept: v } }).claimValues('saml', 'dept');
    assert.deepEqual(values(['eng', 5, true, null, { x: 1 }, ['nested'], 2.5, false]), ['eng', '5', 'true', '2.5', 'false']);
    assert.deepEqual(values({ eng: true }), []);
    assert.deepEqual(values(null), []);
    assert.deepEqual(values(Infinity), []);
    assert.deepEqual(values(NaN), []);
    const r = (value: string) => rule({ saml: { attribute_name: 'dept', attribute_value: value, identity_provider_id: 'idp-1' } });
    const id = { idp: { id: 'idp-1' }, saml_attributes: { dept: ['eng', 5, true, null, { x: 1 }] } };
    assert.equal(access(r('5'), id), 'granted');
    assert.equal(access(r('true'), id), 'granted');
    assert.equal(access(r('null'), id), 'blocked');
    assert.equal(access(r('[object Object]'), id), 'blocked');
  });

  test('a SAML/OIDC bag that is an array is not a bag: index and length are no attributes', () => {
    const samlAt = (name: string, value: string) => rule({ saml: { attribute_name: name, attribute_value: value, identity_provider_id: 'idp-1' } });
    const oidcAt = (name: string, value: string) => rule({ oidc: { claim_name: name, claim_value: value, identity_provider_id: 'idp-1' } });
    assert.equal(access(samlAt('0', 'eng'), { idp: { id: 'idp-1' }, saml_attributes: ['eng'] }), 'blocked');
    assert.equal(access(samlAt('length', '1'), { idp: { id: 'idp-1' }, saml_attributes: ['eng'] }), 'blocked');
    assert.equal(access(oidcAt('0', 'x'), { idp: { id: 'idp-1' }, oidc_fields: ['x'] }), 'blocked');
    assert.equal(access(oidcAt('length', '1'), { idp: { id: 'idp-1' }, oidc_fields: ['x'] }), 'blocked');
  });

  test('claim names that are Object.prototype members are not claims', () => {
    for (const name of ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf']) {
      const r = rule({ oidc: { claim_name: name, claim_value: 'x', identity_provider_id: 'idp-1' } });
      assert.equal(access(r, { idp: { id: 'idp-1' }, oidc_fields: {} }), 'blocked', name);
      const p = prepareIdentity({ oidc_fields: {}, saml_attributes: {} });
      assert.deepEqual(p.claimValues('oidc', name), [], name);
      assert.deepEqual(p.claimValues('saml', name), [], name);
    }
  });

  test('a bag whose own hasOwnProperty is overridden is still read safely', () => {
    const id = { idp: { id: 'idp-1' }, oidc_fields: { hasOwnProperty: 'nope', level: '5' } };
    assert.equal(matches('oidc', id), true);
  });

  test('devicePosture with prototype keys: only own entries count', () => {
    const byId = (id: string) => rule({ device_posture: { integration_uid: id } });
    for (const key of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      assert.equal(access(byId(key), { devicePosture: {} }), 'blocked', key);
      assert.equal(prepareIdentity({ devicePosture: {} }).postureSucceeded(key), false, key);
    }
    // An entry inherited through the prototype chain is not the device's own result.
    const inherited = Object.create({ 'posture-1': { success: true } }) as Record<string, { success?: boolean }>;
    assert.equal(prepareIdentity({ devicePosture: inherited }).postureSucceeded('posture-1'), false);
    assert.equal(matches('device_posture', { devicePosture: inherited }), false);
    // Objects without a prototype work.
    const bare = Object.create(null) as Record<string, { success?: boolean }>;
    bare['posture-1'] = { success: true };
    assert.equal(matches('device_posture', { devicePosture: bare }), true);
    // A JSON "__proto__" key is an own data property, not a prototype.
    const parsed = JSON.parse('{"__proto__": {"posture-1": {"success": true}}, "constructor": {"success": true}}');
    assert.equal(prepareIdentity({ devicePosture: parsed }).postureSucceeded('posture-1'), false);
    assert.equal(access(byId('constructor'), { devicePosture: parsed }), 'granted');
  });

  test('devicePosture that is an array is no posture map', () => {
    const r = rule({ device_posture: { integration_uid: '0' } });
    assert.equal(access(r, { devicePosture: [{ success: true }] }), 'blocked');
    assert.equal(prepareIdentity({ devicePosture: [{ success: true }] } as unknown as Identity).postureSucceeded('0'), false);
  });

  test('IPs with a zone index or leading zeros are no IPs', () => {
    assert.equal(prepareIdentity({ ip: 'fe80::1%eth0' }).ip, undefined);
    assert.equal(prepareIdentity({ ip: '010.1.2.3' }).ip, undefined);
    assert.equal(prepareIdentity({ ip: '::ffff:010.1.2.3' }).ip, undefined);
  });

  for (const junk of [null, undefined, 42, 'alice@example.com', true, [], [good()]]) {
    test(`a whole identity of ${describeValue(junk)}: everything false except everyone and unscored`, () => {
      for (const name of Object.keys(RULES) as RuleName[]) {
        assert.equal(matches(name, junk), false, name);
      }
      assert.equal(access(rule({ everyone: {} }), junk), 'granted');
      assert.equal(access(rule({ user_risk_score: { user_risk_score: ['unscored'] } }), junk), 'granted');
      const p = prepareIdentity(junk as unknown as Identity);
      assert.equal(p.email, undefined);
      assert.equal(p.ip, undefined);
      assert.equal(p.riskLevel, 'unscored');
    });
  }

  test('property: arbitrary identities never throw, and both evaluators agree on every selector', () => {
    const fields = [
      'email', 'idp', 'groups', 'amr', 'auth_contexts', 'oidc_fields', 'saml_attributes', 'geo', 'ip', 'devicePosture',
      'mtls_auth', 'common_name', 'service_token_id', 'service_token_status', 'linked_app_token', 'user_risk_score',
      'cloudflare_account_ids',
    ];
    // Either a good identity with some fields replaced by junk, or junk of any shape.
    const mutated = fc
      .array(fc.tuple(fc.constantFrom(...fields), fc.anything({ withNullPrototype: true, withObjectString: true })), { maxLength: 6 })
      .map((pairs) => {
        const id: Record<string, unknown> = { ...good() };
        for (const [k, v] of pairs) id[k] = v;
        return id;
      });
    const external = rule({ external_evaluation: { evaluate_url: 'https://eval.example/', keys_url: 'https://eval.example/keys' } });
    const all = [...Object.values(RULES), rule({ everyone: {} }), external];
    fc.assert(
      fc.property(fc.oneof(mutated, fc.anything({ withNullPrototype: true })), fc.boolean(), (identity, answer) => {
        for (const r of all) {
          const prepared = prepareIdentity(identity as Identity);
          const policies = [policyOf(r)];
          const x = () => answer;
          const interpreted = explain(policies, prepared, ENV, { external: x }).access;
          const compiled = resultAccess(compilePolicySet(policies, ENV).evaluate(prepared, x));
          assert.equal(compiled, interpreted, r.kind);
          assert.notEqual(interpreted, 'unknown', r.kind);
        }
      }),
      { numRuns: 300 },
    );
  });
});

function describeValue(v: unknown): string {
  if (v === undefined) return 'undefined';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}
