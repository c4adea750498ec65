import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VALIDATION_CODES, type Issue, type ParseResult, type ValidationCode } from './issues.js';
import type { Policy, Rule } from './rules.js';
import { SELECTORS } from './selectors.js';
import { MAX_RULE_STRING, MAX_TEXT, parseGroup, parsePolicy, parseRule } from './validate.js';
import type { Decision, Selector } from './wire.js';

// ---------------------------------------------------------------- helpers

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Expected = [ValidationCode, string];

/** A minimal valid policy with some fields replaced. */
function policy(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'Test policy', decision: 'allow', include: [{ everyone: {} }], ...over };
}

function issuesOf<T>(result: ParseResult<T>): Issue[] {
  if (result.ok) assert.fail(`expected issues, got a valid result: ${safeJson(result.value)}`);
  return result.issues;
}

function valueOf<T>(result: ParseResult<T>): T {
  if (!result.ok) assert.fail(`expected a valid result, got ${JSON.stringify(result.issues)}`);
  return result.value;
}

/** Exactly these issues (code and pointer), in any order; every issue carries a message. */
function assertIssues<T>(result: ParseResult<T>, expected: Expected[]): Issue[] {
  const issues = issuesOf(result);
  for (const i of issues) assert.ok(typeof i.message === 'string' && i.message.length > 0, `issue ${i.code} at ${i.pointer} has no message`);
  const key = ([code, pointer]: Expected) => `${code} @ ${pointer}`;
  assert.deepEqual(issues.map((i) => key([i.code, i.pointer])).sort(), expected.map(key).sort());
  return issues;
}

function safeJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));
}

const REFERENCE_CODES: readonly ValidationCode[] = [
  'unknown_group',
  'unknown_list',
  'list_type_mismatch',
  'unknown_identity_provider',
  'unknown_service_token',
  'unknown_posture_rule',
  'unknown_app',
  'group_cycle',
  'group_too_deep',
];
type LocalCode = Exclude<
  ValidationCode,
  | 'unknown_group'
  | 'unknown_list'
  | 'list_type_mismatch'
  | 'unknown_identity_provider'
  | 'unknown_service_token'
  | 'unknown_posture_rule'
  | 'unknown_app'
  | 'group_cycle'
  | 'group_too_deep'
>;

// ---------------------------------------------------------------- the 26 selectors

/** A valid rule of every selector, with the normalized fields it must produce. */
const VALID: Record<Selector, { wire: Record<string, Record<string, Json>>; fields: Record<string, unknown> }> = {
  group: { wire: { group: { id: 'grp-1' } }, fields: { groupId: 'grp-1' } },
  any_valid_service_token: { wire: { any_valid_service_token: {} }, fields: {} },
  auth_context: {
    wire: { auth_context: { ac_id: 'c1', id: 'ctx-1', identity_provider_id: 'idp-az' } },
    fields: { acId: 'c1', contextId: 'ctx-1', idpId: 'idp-az' },
  },
  auth_method: { wire: { auth_method: { auth_method: 'mfa' } }, fields: { method: 'mfa' } },
  azureAD: { wire: { azureAD: { id: 'Az-Group-ID', identity_provider_id: 'idp-az' } }, fields: { groupId: 'Az-Group-ID', idpId: 'idp-az' } },
  certificate: { wire: { certificate: {} }, fields: {} },
  common_name: { wire: { common_name: { common_name: 'Svc.Example.com' } }, fields: { commonName: 'Svc.Example.com' } },
  geo: { wire: { geo: { country_code: 'us' } }, fields: { country: 'US' } },
  device_posture: { wire: { device_posture: { integration_uid: 'posture-1' } }, fields: { postureRuleId: 'posture-1' } },
  email_domain: { wire: { email_domain: { domain: '@Example.COM' } }, fields: { domain: 'example.com' } },
  email_list: { wire: { email_list: { id: 'list-e' } }, fields: { listId: 'list-e' } },
  email: { wire: { email: { email: 'Alice@Example.COM' } }, fields: { email: 'alice@example.com' } },
  everyone: { wire: { everyone: {} }, fields: {} },
  external_evaluation: {
    wire: { external_evaluation: { evaluate_url: 'https://eval.example.com/check', keys_url: 'https://eval.example.com/keys' } },
    fields: { evaluateUrl: 'https://eval.example.com/check', keysUrl: 'https://eval.example.com/keys' },
  },
  'github-organization': {
    wire: { 'github-organization': { identity_provider_id: 'idp-gh', name: 'AcMe-Corp', team: 'Core-Team' } },
    fields: { idpId: 'idp-gh', org: 'acme-corp', team: 'core-team' },
  },
  gsuite: { wire: { gsuite: { email: 'Eng@Example.com', identity_provider_id: 'idp-g' } }, fields: { groupEmail: 'eng@example.com', idpId: 'idp-g' } },
  login_method: { wire: { login_method: { id: 'idp-okta' } }, fields: { idpId: 'idp-okta' } },
  ip_list: { wire: { ip_list: { id: 'list-i' } }, fields: { listId: 'list-i' } },
  ip: { wire: { ip: { ip: '10.0.0.0/8' } }, fields: {} },
  okta: { wire: { okta: { identity_provider_id: 'idp-okta', name: 'Engineering' } }, fields: { idpId: 'idp-okta', groupName: 'Engineering' } },
  saml: {
    wire: { saml: { attribute_name: 'Department', attribute_value: 'Eng', identity_provider_id: 'idp-saml' } },
    fields: { attributeName: 'Department', attributeValue: 'Eng', idpId: 'idp-saml' },
  },
  oidc: {
    wire: { oidc: { claim_name: 'level', claim_value: '5', identity_provider_id: 'idp-oidc' } },
    fields: { claimName: 'level', claimValue: '5', idpId: 'idp-oidc' },
  },
  service_token: { wire: { service_token: { token_id: 'tok-1' } }, fields: { tokenId: 'tok-1' } },
  linked_app_token: { wire: { linked_app_token: { app_uid: 'app-1' } }, fields: { appUid: 'app-1' } },
  user_risk_score: { wire: { user_risk_score: { user_risk_score: ['high', 'low'] } }, fields: { levels: ['high', 'low'] } },
  cloudflare_account_member: { wire: { cloudflare_account_member: { account_id: 'acct-1' } }, fields: { accountId: 'acct-1' } },
};

/** Required inner fields per selector, as Cloudflare's API reference lists them (docs/selectors.md). */
const REQUIRED: Record<Selector, string[]> = {
  group: ['id'],
  any_valid_service_token: [],
  auth_context: ['ac_id', 'id', 'identity_provider_id'],
  auth_method: ['auth_method'],
  azureAD: ['id', 'identity_provider_id'],
  certificate: [],
  common_name: ['common_name'],
  geo: ['country_code'],
  device_posture: ['integration_uid'],
  email_domain: ['domain'],
  email_list: ['id'],
  email: ['email'],
  everyone: [],
  external_evaluation: ['evaluate_url', 'keys_url'],
  'github-organization': ['identity_provider_id', 'name'],
  gsuite: ['email', 'identity_provider_id'],
  login_method: ['id'],
  ip_list: ['id'],
  ip: ['ip'],
  okta: ['identity_provider_id', 'name'],
  saml: ['attribute_name', 'attribute_value', 'identity_provider_id'],
  oidc: ['claim_name', 'claim_value', 'identity_provider_id'],
  service_token: ['token_id'],
  linked_app_token: ['app_uid'],
  user_risk_score: ['user_risk_score'],
  cloudflare_account_member: [],
};
const OPTIONAL: Partial<Record<Selector, string[]>> = {
  'github-organization': ['team'],
  cloudflare_account_member: ['account_id'],
};

/** Identity selectors, as docs/semantics.md "Where selectors may appear" lists them. */
const IDENTITY_SELECTORS: Selector[] = [
  'email',
  'email_domain',
  'email_list',
  'gsuite',
  'azureAD',
  'okta',
  'github-organization',
  'saml',
  'oidc',
  'login_method',
  'auth_method',
  'auth_context',
  'user_risk_score',
  'cloudflare_account_member',
  'external_evaluation',
];
const NON_IDENTITY_SELECTORS: Selector[] = [
  'everyone',
  'ip',
  'ip_list',
  'geo',
  'certificate',
  'common_name',
  'device_posture',
  'service_token',
  'any_valid_service_token',
  'linked_app_token',
  'group', // a group's contents are checked by the reference pass, not here
];

const ALL_SELECTORS = Object.keys(VALID) as Selector[];

function validRule(selector: Selector): Record<string, Record<string, Json>> {
  return structuredClone(VALID[selector].wire);
}

/** A decision under which the selector is allowed. */
function decisionFor(selector: Selector): Decision {
  return selector === 'linked_app_token' ? 'non_identity' : 'allow';
}

// ---------------------------------------------------------------- every code

/** One document per issue code that validate.ts produces, with the one issue it must yield. */
const CODE_CASES: Record<LocalCode, { input: Record<string, unknown>; pointer: string }> = {
  invalid_type: { input: policy({ require: { everyone: {} } }), pointer: '/require' },
  required: { input: policy({ include: [{ email: {} }] }), pointer: '/include/0/email/email' },
  unknown_field: { input: policy({ includes: [] }), pointer: '/includes' },
  invalid_enum: { input: policy({ decision: 'block' }), pointer: '/decision' },
  empty_string: { input: policy({ include: [{ email_list: { id: '' } }] }), pointer: '/include/0/email_list/id' },
  too_long: { input: policy({ include: [{ common_name: { common_name: 'x'.repeat(MAX_RULE_STRING + 1) } }] }), pointer: '/include/0/common_name/common_name' },
  empty_include: { input: policy({ include: [] }), pointer: '/include' },
  rule_not_object: { input: policy({ include: [{ everyone: {} }, 'everyone'] }), pointer: '/include/1' },
  rule_empty: { input: policy({ exclude: [{}] }), pointer: '/exclude/0' },
  rule_multiple_selectors: { input: policy({ require: [{ everyone: {}, certificate: {} }] }), pointer: '/require/0' },
  rule_unknown_selector: { input: policy({ include: [{ everyone: {} }, { email_domian: { domain: 'example.com' } }] }), pointer: '/include/1/email_domian' },
  invalid_email: {
    input: policy({ include: [{ everyone: {} }, { certificate: {} }, { email: { email: 'alice at example.com' } }] }),
    pointer: '/include/2/email/email',
  },
  invalid_domain: { input: policy({ include: [{ email_domain: { domain: 'example..com' } }] }), pointer: '/include/0/email_domain/domain' },
  invalid_cidr: { input: policy({ include: [{ ip: { ip: '10.0.0.0/33' } }] }), pointer: '/include/0/ip/ip' },
  invalid_country_code: { input: policy({ require: [{ geo: { country_code: 'USA' } }] }), pointer: '/require/0/geo/country_code' },
  invalid_url: {
    input: policy({ include: [{ external_evaluation: { evaluate_url: 'ftp://eval.example.com', keys_url: 'https://eval.example.com/keys' } }] }),
    pointer: '/include/0/external_evaluation/evaluate_url',
  },
  min_items: { input: policy({ include: [{ user_risk_score: { user_risk_score: [] } }] }), pointer: '/include/0/user_risk_score/user_risk_score' },
  min_value: { input: policy({ approval_groups: [{ approvals_needed: -1 }] }), pointer: '/approval_groups/0/approvals_needed' },
  invalid_duration: { input: policy({ session_duration: '1d' }), pointer: '/session_duration' },
  mfa_duration_out_of_range: { input: policy({ mfa_config: { session_duration: '721h' } }), pointer: '/mfa_config/session_duration' },
  selector_not_allowed_in_bypass: { input: policy({ decision: 'bypass', include: [{ email: { email: 'a@example.com' } }] }), pointer: '/include/0/email' },
  linked_app_token_not_allowed: { input: policy({ include: [{ linked_app_token: { app_uid: 'app-1' } }] }), pointer: '/include/0/linked_app_token' },
};

describe('every validation code', () => {
  test('every code of VALIDATION_CODES is either covered here or a reference code', () => {
    const covered = new Set<string>([...Object.keys(CODE_CASES), ...REFERENCE_CODES]);
    assert.deepEqual([...covered].sort(), Object.keys(VALIDATION_CODES).sort());
  });

  for (const [code, { input, pointer }] of Object.entries(CODE_CASES)) {
    test(`${code} at ${pointer}`, () => {
      assertIssues(parsePolicy(input), [[code as ValidationCode, pointer]]);
    });
  }

  test('the pointer option prefixes every pointer', () => {
    for (const [code, { input, pointer }] of Object.entries(CODE_CASES)) {
      assertIssues(parsePolicy(input, { pointer: '/policies/3' }), [[code as ValidationCode, `/policies/3${pointer}`]]);
    }
  });

  test('pointer tokens are escaped (RFC 6901)', () => {
    assertIssues(parsePolicy(policy({ 'a/b~c': 1 })), [['unknown_field', '/a~1b~0c']]);
    assertIssues(parsePolicy(policy({ include: [{ 'x/y': {} }] })), [['rule_unknown_selector', '/include/0/x~1y']]);
    assertIssues(parsePolicy(policy({ include: [{ everyone: { '~': 1 } }] })), [['unknown_field', '/include/0/everyone/~0']]);
  });
});

describe('all issues of a document are reported at once', () => {
  test('a policy with problems everywhere', () => {
    const input = {
      name: 42,
      decision: 'maybe',
      include: [
        { email: { email: 'not-an-email' } },
        { everyone: {} },
        'everyone',
        {},
        { email: { email: 'a@example.com' }, geo: { country_code: 'US' } },
        { email_domian: { domain: 'example.com' } },
        { ip: { ip: '300.1.1.1', note: 'x' } },
        { saml: { attribute_name: '' } },
      ],
      require: [{ geo: { country_code: 'USA' } }, { user_risk_score: { user_risk_score: ['low', 'extreme', 3] } }],
      exclude: {},
      session_duration: '1d',
      mfa_config: { session_duration: '30s', allowed_authenticators: ['sms', 'totp'], mfa_disabled: 'no', extra: true },
      approval_groups: [{ approvals_needed: -2, email_addresses: ['bad'] }, { email_list_uuid: '' }],
      connection_rules: { rdp: { allowed_clipboard_local_to_remote_formats: ['image'] }, ssh: {} },
      isolation_required: 'yes',
      purpose_justification_prompt: 7,
      colour: 'red',
    };
    assertIssues(parsePolicy(input), [
      ['invalid_type', '/name'],
      ['invalid_enum', '/decision'],
      ['invalid_email', '/include/0/email/email'],
      ['rule_not_object', '/include/2'],
      ['rule_empty', '/include/3'],
      ['rule_multiple_selectors', '/include/4'],
      ['rule_unknown_selector', '/include/5/email_domian'],
      ['unknown_field', '/include/6/ip/note'],
      ['invalid_cidr', '/include/6/ip/ip'],
      ['empty_string', '/include/7/saml/attribute_name'],
      ['required', '/include/7/saml/attribute_value'],
      ['required', '/include/7/saml/identity_provider_id'],
      ['invalid_country_code', '/require/0/geo/country_code'],
      ['invalid_enum', '/require/1/user_risk_score/user_risk_score/1'],
      ['invalid_enum', '/require/1/user_risk_score/user_risk_score/2'],
      ['invalid_type', '/exclude'],
      ['invalid_duration', '/session_duration'],
      ['unknown_field', '/mfa_config/extra'],
      ['mfa_duration_out_of_range', '/mfa_config/session_duration'],
      ['invalid_enum', '/mfa_config/allowed_authenticators/0'],
      ['invalid_type', '/mfa_config/mfa_disabled'],
      ['min_value', '/approval_groups/0/approvals_needed'],
      ['invalid_email', '/approval_groups/0/email_addresses/0'],
      ['required', '/approval_groups/1/approvals_needed'],
      ['empty_string', '/approval_groups/1/email_list_uuid'],
      ['unknown_field', '/connection_rules/ssh'],
      ['invalid_enum', '/connection_rules/rdp/allowed_clipboard_local_to_remote_formats/0'],
      ['invalid_type', '/isolation_required'],
      ['invalid_type', '/purpose_justification_prompt'],
      ['unknown_field', '/colour'],
    ]);
  });

  test('placement problems are reported beside rule problems', () => {
    const input = policy({
      decision: 'bypass',
      include: [{ email: { email: 'bad' } }, { okta: { name: 'Eng' } }, { ip: { ip: '10.0.0.0/8' } }],
      exclude: [{ user_risk_score: { user_risk_score: ['high'] } }],
    });
    assertIssues(parsePolicy(input), [
      ['invalid_email', '/include/0/email/email'],
      ['selector_not_allowed_in_bypass', '/include/0/email'],
      ['required', '/include/1/okta/identity_provider_id'],
      ['selector_not_allowed_in_bypass', '/include/1/okta'],
      ['selector_not_allowed_in_bypass', '/exclude/0/user_risk_score'],
    ]);
  });

  test('several bad rules in each list', () => {
    const input = policy({
      include: [{ email: { email: 'x' } }, { email: { email: 'y' } }],
      require: [{ geo: { country_code: '1' } }, { geo: {} }],
      exclude: [{ ip: { ip: 'x' } }, { ip: { ip: '::1/129' } }],
    });
    assertIssues(parsePolicy(input), [
      ['invalid_email', '/include/0/email/email'],
      ['invalid_email', '/include/1/email/email'],
      ['invalid_country_code', '/require/0/geo/country_code'],
      ['required', '/require/1/geo/country_code'],
      ['invalid_cidr', '/exclude/0/ip/ip'],
      ['invalid_cidr', '/exclude/1/ip/ip'],
    ]);
  });

  test('a group with problems everywhere', () => {
    const input = {
      name: '',
      include: [{ email: {} }, { bogus: {} }],
      require: 'x',
      exclude: [{ geo: { country_code: 'x' } }],
      is_default: 'true',
      decision: 'allow',
    };
    assertIssues(parseGroup(input, { id: 'g' }), [
      ['empty_string', '/name'],
      ['required', '/include/0/email/email'],
      ['rule_unknown_selector', '/include/1/bogus'],
      ['invalid_type', '/require'],
      ['invalid_country_code', '/exclude/0/geo/country_code'],
      ['invalid_type', '/is_default'],
      ['unknown_field', '/decision'],
    ]);
  });
});

describe('the 26 selectors', () => {
  test('the fixtures cover exactly the catalog of 26 selectors', () => {
    assert.equal(SELECTORS.length, 26);
    assert.deepEqual([...ALL_SELECTORS].sort(), SELECTORS.map((s) => s.selector).sort());
  });

  test('the exact JSON keys of the spec are the selector names', () => {
    const names = new Set(ALL_SELECTORS);
    for (const k of ['github-organization', 'azureAD', 'geo', 'device_posture', 'email_domain']) assert.ok(names.has(k as Selector), k);
    for (const k of ['github_organization', 'azuread', 'azure_ad', 'country', 'email_domains']) {
      assertIssues(parseRule({ [k]: {} }), [['rule_unknown_selector', `/${k}`]]);
    }
  });

  for (const selector of ALL_SELECTORS) {
    test(`${selector}: valid rule parses and normalizes`, () => {
      const wire = validRule(selector);
      const rule = valueOf(parseRule(wire));
      assert.equal(rule.kind, selector);
      assert.deepEqual(rule.wire, wire);
      for (const [field, expected] of Object.entries(VALID[selector].fields)) {
        assert.deepEqual((rule as unknown as Record<string, unknown>)[field], expected, `${selector}.${field}`);
      }
      // And inside a policy, at the right place.
      const p = valueOf(parsePolicy(policy({ decision: decisionFor(selector), include: [validRule(selector)] })));
      assert.equal(p.include.length, 1);
      assert.equal(p.include[0].kind, selector);
    });
  }

  test('empty-object selectors: everyone, certificate, any_valid_service_token', () => {
    for (const s of ['everyone', 'certificate', 'any_valid_service_token'] as const) {
      const rule = valueOf(parseRule({ [s]: {} }));
      assert.equal(rule.kind, s);
      assert.deepEqual(rule.wire, { [s]: {} });
      assertIssues(parseRule({ [s]: { x: 1 } }), [['unknown_field', `/${s}/x`]]);
      assertIssues(parseRule({ [s]: true }), [['invalid_type', `/${s}`]]);
      assertIssues(parseRule({ [s]: null }), [['invalid_type', `/${s}`]]);
      assertIssues(parseRule({ [s]: [] }), [['invalid_type', `/${s}`]]);
    }
  });

  test('geo holds country_code, device_posture holds integration_uid', () => {
    assertIssues(parseRule({ geo: { country: 'US' } }), [
      ['unknown_field', '/geo/country'],
      ['required', '/geo/country_code'],
    ]);
    assertIssues(parseRule({ device_posture: { id: 'p1' } }), [
      ['unknown_field', '/device_posture/id'],
      ['required', '/device_posture/integration_uid'],
    ]);
  });

  test('the 2024 connection_id of IdP group selectors is refused', () => {
    assertIssues(parseRule({ azureAD: { id: 'g', connection_id: 'idp' } }), [
      ['unknown_field', '/azureAD/connection_id'],
      ['required', '/azureAD/identity_provider_id'],
    ]);
    assertIssues(parseRule({ okta: { email: 'eng@example.com', connection_id: 'idp' } }), [
      ['unknown_field', '/okta/email'],
      ['unknown_field', '/okta/connection_id'],
      ['required', '/okta/identity_provider_id'],
      ['required', '/okta/name'],
    ]);
  });

  test('optional fields: github team and cloudflare account_id may be absent or null', () => {
    const gh = valueOf(parseRule({ 'github-organization': { identity_provider_id: 'idp', name: 'Org' } }));
    assert.equal(gh.kind, 'github-organization');
    if (gh.kind === 'github-organization') {
      assert.equal(gh.org, 'org');
      assert.equal(gh.team, undefined);
    }
    const ghNull = valueOf(parseRule({ 'github-organization': { identity_provider_id: 'idp', name: 'Org', team: null } }));
    if (ghNull.kind === 'github-organization') assert.equal(ghNull.team, undefined);
    assert.deepEqual(ghNull.wire, { 'github-organization': { identity_provider_id: 'idp', name: 'Org' } });
    for (const body of [{}, { account_id: null }]) {
      const cf = valueOf(parseRule({ cloudflare_account_member: body }));
      assert.equal(cf.kind, 'cloudflare_account_member');
      if (cf.kind === 'cloudflare_account_member') assert.equal(cf.accountId, undefined);
      assert.deepEqual(cf.wire, { cloudflare_account_member: {} });
    }
  });

  test('an optional field, when present, is validated', () => {
    assertIssues(parseRule({ 'github-organization': { identity_provider_id: 'idp', name: 'Org', team: '' } }), [['empty_string', '/github-organization/team']]);
    assertIssues(parseRule({ 'github-organization': { identity_provider_id: 'idp', name: 'Org', team: 5 } }), [['invalid_type', '/github-organization/team']]);
    assertIssues(parseRule({ cloudflare_account_member: { account_id: '' } }), [['empty_string', '/cloudflare_account_member/account_id']]);
    assertIssues(parseRule({ cloudflare_account_member: { account_id: ['a'] } }), [['invalid_type', '/cloudflare_account_member/account_id']]);
  });
});

describe('normalization', () => {
  const one = <K extends Rule['kind']>(wire: unknown, kind: K): Extract<Rule, { kind: K }> => {
    const rule = valueOf(parseRule(wire));
    assert.equal(rule.kind, kind);
    return rule as Extract<Rule, { kind: K }>;
  };

  test('emails are lower-cased; the wire keeps what was sent', () => {
    const r = one({ email: { email: 'Alice.Smith@Example.COM' } }, 'email');
    assert.equal(r.email, 'alice.smith@example.com');
    assert.deepEqual(r.wire, { email: { email: 'Alice.Smith@Example.COM' } });
  });

  test('email domains: lower-cased, one leading @ stripped', () => {
    assert.equal(one({ email_domain: { domain: 'Example.COM' } }, 'email_domain').domain, 'example.com');
    assert.equal(one({ email_domain: { domain: '@example.com' } }, 'email_domain').domain, 'example.com');
    assert.equal(one({ email_domain: { domain: '@Sub.Example.com' } }, 'email_domain').domain, 'sub.example.com');
    assertIssues(parseRule({ email_domain: { domain: '@@example.com' } }), [['invalid_domain', '/email_domain/domain']]);
    assertIssues(parseRule({ email_domain: { domain: '@' } }), [['invalid_domain', '/email_domain/domain']]);
  });

  test('gsuite group emails are lower-cased; okta names and azure ids are not', () => {
    assert.equal(one({ gsuite: { email: 'Eng-Team@Example.com', identity_provider_id: 'i' } }, 'gsuite').groupEmail, 'eng-team@example.com');
    assert.equal(one({ okta: { name: 'Eng Team', identity_provider_id: 'i' } }, 'okta').groupName, 'Eng Team');
    assert.equal(one({ azureAD: { id: 'ABC-def', identity_provider_id: 'i' } }, 'azureAD').groupId, 'ABC-def');
    assertIssues(parseRule({ gsuite: { email: 'not an email', identity_provider_id: 'i' } }), [['invalid_email', '/gsuite/email']]);
  });

  test('github organization and team are lower-cased', () => {
    const r = one({ 'github-organization': { name: 'My-ORG', team: 'Platform Team', identity_provider_id: 'i' } }, 'github-organization');
    assert.equal(r.org, 'my-org');
    assert.equal(r.team, 'platform team');
    assert.equal(r.idpId, 'i');
  });

  test('country codes are upper-cased', () => {
    assert.equal(one({ geo: { country_code: 'us' } }, 'geo').country, 'US');
    assert.equal(one({ geo: { country_code: 'gB' } }, 'geo').country, 'GB');
    assert.equal(one({ geo: { country_code: 'DE' } }, 'geo').country, 'DE');
  });

  test('CIDRs are parsed; cidr.text is canonical; the wire keeps the input', () => {
    const r = one({ ip: { ip: '10.0.0.1/8' } }, 'ip');
    assert.equal(r.cidr.text, '10.0.0.0/8');
    assert.equal(r.cidr.v, 4);
    assert.equal(r.cidr.prefix, 8);
    assert.equal(r.cidr.hostBitsSet, true);
    assert.deepEqual(r.wire, { ip: { ip: '10.0.0.1/8' } });
    assert.equal(one({ ip: { ip: '1.2.3.4' } }, 'ip').cidr.text, '1.2.3.4/32');
    assert.equal(one({ ip: { ip: '2001:DB8:0:0::/32' } }, 'ip').cidr.text, '2001:db8::/32');
    assert.equal(one({ ip: { ip: '::1' } }, 'ip').cidr.text, '::1/128');
    assert.equal(one({ ip: { ip: '::ffff:10.0.0.0/104' } }, 'ip').cidr.text, '10.0.0.0/8');
  });

  test('risk levels are de-duplicated, in first-seen order', () => {
    assert.deepEqual(one({ user_risk_score: { user_risk_score: ['high', 'low', 'high', 'low', 'unscored'] } }, 'user_risk_score').levels, ['high', 'low', 'unscored']);
    assert.deepEqual(one({ user_risk_score: { user_risk_score: ['medium'] } }, 'user_risk_score').levels, ['medium']);
  });

  test('risk levels are an enum: case-sensitive, strings only', () => {
    assertIssues(parseRule({ user_risk_score: { user_risk_score: ['HIGH', 'low', null, 'none'] } }), [
      ['invalid_enum', '/user_risk_score/user_risk_score/0'],
      ['invalid_enum', '/user_risk_score/user_risk_score/2'],
      ['invalid_enum', '/user_risk_score/user_risk_score/3'],
    ]);
    assertIssues(parseRule({ user_risk_score: { user_risk_score: 'high' } }), [['invalid_type', '/user_risk_score/user_risk_score']]);
  });

  test('ids and free text are kept exactly', () => {
    assert.equal(one({ common_name: { common_name: '  Spaced Name ' } }, 'common_name').commonName, '  Spaced Name ');
    assert.equal(one({ saml: { attribute_name: 'Dept', attribute_value: 'R&D', identity_provider_id: 'I' } }, 'saml').attributeValue, 'R&D');
  });
});

describe('rule shape', () => {
  for (const [what, value, type] of [
    ['a string', 'everyone', 'string'],
    ['a number', 1, 'number'],
    ['null', null, 'null'],
    ['an array', [{ everyone: {} }], 'array'],
    ['a boolean', true, 'boolean'],
  ] as const) {
    test(`a rule that is ${what} is rule_not_object`, () => {
      const [issue] = assertIssues(parsePolicy(policy({ include: [{ everyone: {} }, value] })), [['rule_not_object', '/include/1']]);
      assert.match(issue.message, new RegExp(type));
    });
  }

  test('an empty rule is rule_empty', () => {
    assertIssues(parsePolicy(policy({ require: [{}] })), [['rule_empty', '/require/0']]);
  });

  test('untrusted keys and values are cut short in messages', () => {
    const huge = 'x'.repeat(100_000);
    const result = parsePolicy(policy({ [huge]: 1, include: [{ [huge]: {} }, { email: { email: huge } }] }));
    assert.ok(!result.ok);
    assert.equal(result.issues.length, 3);
    for (const issue of result.issues) assert.ok(issue.message.length < 300, `${issue.code}: ${issue.message.length} characters`);
  });

  test('two selectors in one rule is rule_multiple_selectors, naming both', () => {
    const [issue] = assertIssues(parsePolicy(policy({ include: [{ email: { email: 'a@example.com' }, email_domain: { domain: 'example.com' } }] })), [
      ['rule_multiple_selectors', '/include/0'],
    ]);
    assert.match(issue.message, /"email", "email_domain"/);
    // Even when one of the keys is not a selector.
    assertIssues(parsePolicy(policy({ include: [{ everyone: {}, note: 'x' }] })), [['rule_multiple_selectors', '/include/0']]);
  });

  test('an unknown selector with a close name gets a suggestion', () => {
    const cases: [string, string][] = [
      ['email_domian', 'email_domain'],
      ['emial', 'email'],
      ['Email', 'email'],
      ['github_organization', 'github-organization'],
      ['githuborganization', 'github-organization'],
      ['azuread', 'azureAD'],
      ['everyon', 'everyone'],
      ['ip_lsit', 'ip_list'],
      ['devise_posture', 'device_posture'],
    ];
    for (const [typo, suggestion] of cases) {
      const [issue] = assertIssues(parseRule({ [typo]: {} }), [['rule_unknown_selector', `/${typo}`]]);
      assert.ok(issue.message.includes(`Did you mean "${suggestion}"?`), `${typo}: ${issue.message}`);
    }
  });

  test('an unknown selector far from every name gets no suggestion', () => {
    for (const key of ['country', 'banana', 'zzzz', 'user', 'a'.repeat(100)]) {
      const [issue] = assertIssues(parseRule({ [key]: {} }), [['rule_unknown_selector', `/${key}`]]);
      assert.ok(!issue.message.includes('Did you mean'), `${key}: ${issue.message}`);
    }
  });

  test('a huge unknown selector key is one issue, without a suggestion', () => {
    // (How fast this is belongs in a benchmark, not here: no timed assertions in tests.)
    const key = 'q'.repeat(2_000_000);
    const [issue] = assertIssues(parseRule({ [key]: {} }), [['rule_unknown_selector', `/${key}`]]);
    assert.ok(!issue.message.includes('Did you mean'));
  });

  test('prototype names are not selectors', () => {
    for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const raw = JSON.parse(`{"${key}": {}}`);
      assertIssues(parseRule(raw), [['rule_unknown_selector', `/${key}`]]);
    }
  });

  test('a selector body that is not an object is invalid_type', () => {
    assertIssues(parseRule({ email: 'a@example.com' }), [['invalid_type', '/email']]);
    assertIssues(parseRule({ ip: ['10.0.0.0/8'] }), [['invalid_type', '/ip']]);
    assertIssues(parseRule({ geo: null }), [['invalid_type', '/geo']]);
    assertIssues(parseRule({ everyone: true }), [['invalid_type', '/everyone']]);
  });

  test('parseRule takes a base pointer', () => {
    assertIssues(parseRule({ email: {} }, '/policies/2/include/5'), [['required', '/policies/2/include/5/email/email']]);
    assertIssues(parseRule('x', '/r'), [['rule_not_object', '/r']]);
  });
});

describe('inner fields of every selector', () => {
  for (const selector of ALL_SELECTORS) {
    const required = REQUIRED[selector];
    const optional = OPTIONAL[selector] ?? [];

    test(`${selector}: the fixture has exactly the spec's fields`, () => {
      assert.deepEqual(Object.keys(VALID[selector].wire[selector]).sort(), [...required, ...optional].sort());
    });

    for (const field of required) {
      test(`${selector}: missing ${field} is required`, () => {
        const wire = validRule(selector);
        delete wire[selector][field];
        assertIssues(parseRule(wire), [['required', `/${selector}/${field}`]]);
        const inPolicy = policy({ decision: decisionFor(selector), include: [{ everyone: {} }, wire] });
        assertIssues(parsePolicy(inPolicy), [['required', `/include/1/${selector}/${field}`]]);
      });
    }

    if (required.length > 1) {
      test(`${selector}: every missing field is reported`, () => {
        assertIssues(
          parseRule({ [selector]: {} }),
          required.map((f): Expected => ['required', `/${selector}/${f}`]),
        );
      });
    }

    test(`${selector}: an unknown inner key is unknown_field`, () => {
      const wire = validRule(selector);
      wire[selector].bogus = 'x';
      assertIssues(parseRule(wire), [['unknown_field', `/${selector}/bogus`]]);
    });

    for (const field of [...required, ...optional]) {
      const isList = selector === 'user_risk_score';
      test(`${selector}.${field}: wrong types are invalid_type`, () => {
        const junk: Json[] = isList ? [42, true, {}, 'high'] : [42, true, {}, ['x']];
        if (required.includes(field)) junk.push(null);
        for (const value of junk) {
          const wire = validRule(selector);
          wire[selector][field] = value;
          assertIssues(parseRule(wire), [['invalid_type', `/${selector}/${field}`]]);
        }
      });
      if (!isList) {
        test(`${selector}.${field}: empty and over-long strings`, () => {
          const wire = validRule(selector);
          wire[selector][field] = '';
          assertIssues(parseRule(wire), [['empty_string', `/${selector}/${field}`]]);
          wire[selector][field] = 'a'.repeat(MAX_RULE_STRING + 1);
          assertIssues(parseRule(wire), [['too_long', `/${selector}/${field}`]]);
        });
      }
    }
  }

  test('ids and text up to the maximum length are accepted', () => {
    valueOf(parseRule({ common_name: { common_name: 'a'.repeat(MAX_RULE_STRING) } }));
    valueOf(parseRule({ email_list: { id: 'b'.repeat(MAX_RULE_STRING) } }));
  });
});

describe('formats', () => {
  const emailRule = (email: string) => parseRule({ email: { email } });

  test('valid emails', () => {
    for (const e of ['alice@example.com', 'ALICE@EXAMPLE.COM', 'alice+tag@example.com', "o'brien@example.co.uk", 'first.last@sub.example.com', 'a@b.co', 'x@xn--bcher-kva.example', 'user_name-1@my-domain.io']) {
      valueOf(emailRule(e));
    }
  });

  test('malformed emails', () => {
    const bad = [
      'not-an-email',
      'alice',
      'alice@example', // no dot in the domain
      '@example.com',
      'alice@',
      'alice@@example.com',
      'a b@example.com',
      'alice@exa mple.com',
      'alice@example..com',
      'alice@.example.com',
      'alice@-example.com',
      'alice@example-.com',
      'alice@exa_mple.com',
      'alice@example.com.',
      '.alice@example.com',
      'alice.@example.com',
      'al..ice@example.com',
      ' alice@example.com',
      'alice@example.com ',
      'alice@[192.0.2.1]',
      '"alice"@example.com',
      'alice@example.com\n',
      `${'a'.repeat(64)}@${`${'b'.repeat(60)}.`.repeat(4)}com`, // longer than 254
    ];
    for (const e of bad) {
      assertIssues(emailRule(e), [['invalid_email', '/email/email']]);
    }
  });

  const domainRule = (domain: string) => parseRule({ email_domain: { domain } });

  test('valid domains', () => {
    for (const d of ['example.com', '@example.com', 'EXAMPLE.COM', 'localhost', 'a-b.example', 'xn--bcher-kva.example', `${'a'.repeat(63)}.com`]) {
      valueOf(domainRule(d));
    }
  });

  test('malformed domains', () => {
    const bad = [
      'example..com',
      '.example.com',
      'example.com.',
      '-example.com',
      'example-.com',
      'exa_mple.com',
      'exa mple.com',
      '*.example.com',
      'alice@example.com',
      '@@example.com',
      '@',
      'https://example.com',
      'example.com/path',
      `${'a'.repeat(64)}.com`, // a label longer than 63
      `${'abcdefghi.'.repeat(26)}com`, // longer than 253
    ];
    for (const d of bad) {
      assertIssues(domainRule(d), [['invalid_domain', '/email_domain/domain']]);
    }
  });

  test('valid CIDRs and addresses', () => {
    for (const c of ['10.0.0.0/8', '1.2.3.4', '0.0.0.0/0', '2001:db8::/32', '::1', '::/0', '::ffff:10.0.0.0/104', '192.168.1.77/24', 'fe80::/10']) {
      valueOf(parseRule({ ip: { ip: c } }));
    }
  });

  test('malformed CIDRs', () => {
    const bad = ['10.0.0.0/33', '300.1.1.1', '10.0.0.0/-1', '1.2.3', '::1/129', '01.2.3.4', '10.0.0.0/', '10.0.0.0 /8', '10.0.0.0/8 ', 'example.com', 'fe80::1%eth0/64', '10.0.0.0-10.0.0.255', '1.2.3.4/08'];
    for (const c of bad) {
      const [issue] = assertIssues(parseRule({ ip: { ip: c } }), [['invalid_cidr', '/ip/ip']]);
      assert.ok(issue.message.includes(JSON.stringify(c)), issue.message);
    }
  });

  test('country codes', () => {
    for (const c of ['US', 'us', 'gB']) valueOf(parseRule({ geo: { country_code: c } }));
    for (const c of ['USA', 'U', '12', 'U1', 'U S', 'üs', ' US']) {
      assertIssues(parseRule({ geo: { country_code: c } }), [['invalid_country_code', '/geo/country_code']]);
    }
  });

  test('external evaluation URLs must be absolute http(s)', () => {
    const ext = (evaluate_url: string, keys_url = 'https://k.example.com/keys') => parseRule({ external_evaluation: { evaluate_url, keys_url } });
    for (const u of ['https://eval.example.com/check', 'http://localhost:8080/x', 'HTTPS://EVAL.EXAMPLE.COM']) valueOf(ext(u));
    for (const u of ['not a url', 'ftp://example.com/x', 'file:///etc/passwd', 'javascript:alert(1)', '//example.com/x', 'example.com/eval', 'mailto:a@example.com']) {
      assertIssues(ext(u), [['invalid_url', '/external_evaluation/evaluate_url']]);
    }
    assertIssues(ext('ftp://a.example', 'ws://b.example'), [
      ['invalid_url', '/external_evaluation/evaluate_url'],
      ['invalid_url', '/external_evaluation/keys_url'],
    ]);
  });
});

describe('policy fields', () => {
  test('a full valid policy', () => {
    const p = valueOf(
      parsePolicy({
        name: 'Allow devs',
        decision: 'allow',
        include: [{ email_domain: { domain: 'example.com' } }, { group: { id: 'grp-1' } }],
        require: [{ auth_method: { auth_method: 'mfa' } }, { geo: { country_code: 'US' } }],
        exclude: [{ ip_list: { id: 'list-1' } }],
        approval_groups: [{ approvals_needed: 2, email_addresses: ['boss@example.com'], email_list_uuid: 'list-2' }, { approvals_needed: 0 }],
        approval_required: true,
        purpose_justification_required: false,
        purpose_justification_prompt: 'Why?',
        session_duration: '2h45m',
        isolation_required: false,
        mfa_config: { allowed_authenticators: ['totp', 'security_key'], mfa_disabled: false, session_duration: '90m' },
        connection_rules: { rdp: { allowed_clipboard_local_to_remote_formats: ['text'], allowed_clipboard_remote_to_local_formats: ['text', 'file'] } },
      }),
    );
    assert.equal(p.name, 'Allow devs');
    assert.equal(p.decision, 'allow');
    assert.deepEqual(p.include.map((r) => r.kind), ['email_domain', 'group']);
    assert.deepEqual(p.require.map((r) => r.kind), ['auth_method', 'geo']);
    assert.deepEqual(p.exclude.map((r) => r.kind), ['ip_list']);
    assert.equal(p.id, undefined);
    assert.deepEqual(p.settings, {
      approval_groups: [{ approvals_needed: 2, email_addresses: ['boss@example.com'], email_list_uuid: 'list-2' }, { approvals_needed: 0 }],
      approval_required: true,
      purpose_justification_required: false,
      purpose_justification_prompt: 'Why?',
      session_duration: '2h45m',
      isolation_required: false,
      mfa_config: { allowed_authenticators: ['totp', 'security_key'], mfa_disabled: false, session_duration: '90m' },
      connection_rules: { rdp: { allowed_clipboard_local_to_remote_formats: ['text'], allowed_clipboard_remote_to_local_formats: ['text', 'file'] } },
    });
  });

  test('require and exclude default to empty; settings to none', () => {
    const p = valueOf(parsePolicy(policy()));
    assert.deepEqual(p.require, []);
    assert.deepEqual(p.exclude, []);
    assert.deepEqual(p.settings, {});
    const q = valueOf(parsePolicy(policy({ require: null, exclude: null, approval_groups: null, mfa_config: null, connection_rules: null, isolation_required: null, purpose_justification_prompt: null })));
    assert.deepEqual(q.require, []);
    assert.deepEqual(q.exclude, []);
    assert.deepEqual(q.settings, {});
  });

  test('every decision is accepted; anything else is invalid_enum', () => {
    for (const d of ['allow', 'deny', 'non_identity', 'bypass'] as const) {
      assert.equal(valueOf(parsePolicy(policy({ decision: d }))).decision, d);
    }
    for (const d of ['Allow', 'block', 'service_auth', '', 5, true, ['allow'], { allow: true }]) {
      assertIssues(parsePolicy(policy({ decision: d })), [['invalid_enum', '/decision']]);
    }
    assertIssues(parsePolicy(policy({ decision: null })), [['required', '/decision']]);
    const { decision: _d, ...noDecision } = policy();
    assertIssues(parsePolicy(noDecision), [['required', '/decision']]);
  });

  test('name: required, a string, not blank, bounded', () => {
    const { name: _n, ...noName } = policy();
    assertIssues(parsePolicy(noName), [['required', '/name']]);
    assertIssues(parsePolicy(policy({ name: null })), [['required', '/name']]);
    assertIssues(parsePolicy(policy({ name: 5 })), [['invalid_type', '/name']]);
    assertIssues(parsePolicy(policy({ name: ['a'] })), [['invalid_type', '/name']]);
    assertIssues(parsePolicy(policy({ name: '' })), [['empty_string', '/name']]);
    assertIssues(parsePolicy(policy({ name: '  \t ' })), [['empty_string', '/name']]);
    assertIssues(parsePolicy(policy({ name: 'n'.repeat(MAX_TEXT + 1) })), [['too_long', '/name']]);
    assert.equal(valueOf(parsePolicy(policy({ name: 'n'.repeat(MAX_TEXT) }))).name.length, MAX_TEXT);
  });

  test('include: required, an array, not empty', () => {
    const { include: _i, ...noInclude } = policy();
    assertIssues(parsePolicy(noInclude), [['required', '/include']]);
    assertIssues(parsePolicy(policy({ include: [] })), [['empty_include', '/include']]);
    assertIssues(parsePolicy(policy({ include: { everyone: {} } })), [['invalid_type', '/include']]);
    assertIssues(parsePolicy(policy({ include: 'everyone' })), [['invalid_type', '/include']]);
    assertIssues(parsePolicy(policy({ include: null })), [['invalid_type', '/include']]);
  });

  test('require and exclude must be arrays when present', () => {
    assertIssues(parsePolicy(policy({ require: 'x', exclude: 5 })), [
      ['invalid_type', '/require'],
      ['invalid_type', '/exclude'],
    ]);
  });

  test('boolean settings must be booleans', () => {
    for (const key of ['approval_required', 'purpose_justification_required', 'isolation_required']) {
      for (const v of ['true', 1, 0, [], {}]) {
        assertIssues(parsePolicy(policy({ [key]: v })), [['invalid_type', `/${key}`]]);
      }
      assert.equal(valueOf(parsePolicy(policy({ [key]: true }))).settings[key as 'approval_required'], true);
    }
  });

  test('purpose_justification_prompt: a string, bounded', () => {
    assertIssues(parsePolicy(policy({ purpose_justification_prompt: 5 })), [['invalid_type', '/purpose_justification_prompt']]);
    assertIssues(parsePolicy(policy({ purpose_justification_prompt: 'p'.repeat(MAX_TEXT + 1) })), [['too_long', '/purpose_justification_prompt']]);
    assert.equal(valueOf(parsePolicy(policy({ purpose_justification_prompt: '' }))).settings.purpose_justification_prompt, '');
  });

  test('an input that is not an object', () => {
    for (const v of [null, undefined, 5, 'policy', [], [policy()], true]) {
      assertIssues(parsePolicy(v), [['invalid_type', '']]);
      assertIssues(parsePolicy(v, { pointer: '/policies/0' }), [['invalid_type', '/policies/0']]);
    }
  });

  test('read-only response fields are ignored, not returned', () => {
    const p = valueOf(
      parsePolicy(
        policy({
          id: 'f174e90a-fafe-4643-bbbc-4a0ed4fc8415',
          uid: 'f174e90a-fafe-4643-bbbc-4a0ed4fc8415',
          created_at: '2014-01-01T05:20:00.12345Z',
          updated_at: '2014-01-01T05:20:00.12345Z',
          app_count: 2,
          reusable: true,
        }),
      ),
    );
    assert.equal(p.id, undefined);
    for (const k of ['uid', 'created_at', 'updated_at', 'app_count', 'reusable']) assert.ok(!(k in p), k);
  });

  test('truly unknown top-level fields are refused', () => {
    assertIssues(parsePolicy(policy({ precedence: 1, Name: 'x', includes: [], description: 'd' })), [
      ['unknown_field', '/precedence'],
      ['unknown_field', '/Name'],
      ['unknown_field', '/includes'],
      ['unknown_field', '/description'],
    ]);
  });

  test('extraFields: fields the caller handles are not unknown', () => {
    valueOf(parsePolicy(policy({ precedence: 1 }), { extraFields: ['precedence'] }));
    assertIssues(parsePolicy(policy({ precedence: 1, other: 2 }), { extraFields: ['precedence'] }), [['unknown_field', '/other']]);
    // extraFields are skipped, not validated: any value passes.
    valueOf(parsePolicy(policy({ precedence: 'not a number' }), { extraFields: ['precedence'] }));
  });

  test('the id option is carried into the policy', () => {
    assert.equal(valueOf(parsePolicy(policy(), { id: 'pol-1' })).id, 'pol-1');
    // The body's own id is a read-only field and never becomes the policy id.
    assert.equal(valueOf(parsePolicy(policy({ id: 'from-body' }))).id, undefined);
  });
});

describe('session_duration', () => {
  for (const sd of ['300ms', '2h45m', '1.5h', '0', '24h', '10µs', '10us', '10μs', '1h30m', '720h', '30m']) {
    test(`valid ${JSON.stringify(sd)}`, () => {
      assert.equal(valueOf(parsePolicy(policy({ session_duration: sd }))).settings.session_duration, sd);
    });
  }

  test('null is accepted and kept', () => {
    assert.equal(valueOf(parsePolicy(policy({ session_duration: null }))).settings.session_duration, null);
  });

  for (const sd of ['1d', 'h', '', '1 h', '-1h', '-30m', '24', '1H', 'forever']) {
    test(`invalid ${JSON.stringify(sd)}`, () => {
      const [issue] = assertIssues(parsePolicy(policy({ session_duration: sd })), [['invalid_duration', '/session_duration']]);
      if (sd.startsWith('-')) assert.match(issue.message, /negative/);
    });
  }

  test('a number is invalid_type', () => {
    assertIssues(parsePolicy(policy({ session_duration: 24 })), [['invalid_type', '/session_duration']]);
    assertIssues(parsePolicy(policy({ session_duration: ['24h'] })), [['invalid_type', '/session_duration']]);
  });
});

describe('mfa_config', () => {
  const mfa = (config: unknown) => parsePolicy(policy({ mfa_config: config }));

  for (const sd of ['0m', '720h', '90m', '1h30m', '12h', '0h']) {
    test(`session_duration ${JSON.stringify(sd)} is valid`, () => {
      assert.equal(valueOf(mfa({ session_duration: sd })).settings.mfa_config?.session_duration, sd);
    });
  }

  for (const sd of ['721h', '30s', '1h30s', '720h1m', '-1h', '500ms', '43201m']) {
    test(`session_duration ${JSON.stringify(sd)} is out of range`, () => {
      assertIssues(mfa({ session_duration: sd }), [['mfa_duration_out_of_range', '/mfa_config/session_duration']]);
    });
  }

  test('session_duration that is no duration', () => {
    for (const sd of ['1d', '', 'h', '1 h']) assertIssues(mfa({ session_duration: sd }), [['invalid_duration', '/mfa_config/session_duration']]);
    assertIssues(mfa({ session_duration: 30 }), [['invalid_type', '/mfa_config/session_duration']]);
  });

  test('allowed_authenticators: an array of totp, biometrics, security_key', () => {
    assert.deepEqual(valueOf(mfa({ allowed_authenticators: ['totp', 'biometrics', 'security_key'] })).settings.mfa_config, {
      allowed_authenticators: ['totp', 'biometrics', 'security_key'],
    });
    assert.deepEqual(valueOf(mfa({ allowed_authenticators: [] })).settings.mfa_config, { allowed_authenticators: [] });
    assertIssues(mfa({ allowed_authenticators: ['totp', 'sms', 'TOTP', 5] }), [
      ['invalid_enum', '/mfa_config/allowed_authenticators/1'],
      ['invalid_enum', '/mfa_config/allowed_authenticators/2'],
      ['invalid_enum', '/mfa_config/allowed_authenticators/3'],
    ]);
    assertIssues(mfa({ allowed_authenticators: 'totp' }), [['invalid_type', '/mfa_config/allowed_authenticators']]);
  });

  test('mfa_disabled must be a boolean', () => {
    assert.deepEqual(valueOf(mfa({ mfa_disabled: true })).settings.mfa_config, { mfa_disabled: true });
    assertIssues(mfa({ mfa_disabled: 'true' }), [['invalid_type', '/mfa_config/mfa_disabled']]);
  });

  test('unknown keys and a non-object', () => {
    assertIssues(mfa({ session_length: '1h' }), [['unknown_field', '/mfa_config/session_length']]);
    assertIssues(mfa([]), [['invalid_type', '/mfa_config']]);
    assertIssues(mfa('12h'), [['invalid_type', '/mfa_config']]);
    assert.deepEqual(valueOf(mfa({})).settings.mfa_config, {});
  });
});

describe('connection_rules', () => {
  const conn = (rules: unknown) => parsePolicy(policy({ connection_rules: rules }));

  test('rdp clipboard formats: text and file', () => {
    assert.deepEqual(valueOf(conn({ rdp: { allowed_clipboard_local_to_remote_formats: ['text', 'file'] } })).settings.connection_rules, {
      rdp: { allowed_clipboard_local_to_remote_formats: ['text', 'file'] },
    });
    assert.deepEqual(valueOf(conn({ rdp: {} })).settings.connection_rules, { rdp: {} });
    assert.deepEqual(valueOf(conn({})).settings.connection_rules, {});
  });

  test('bad formats, bad keys, bad types', () => {
    assertIssues(conn({ rdp: { allowed_clipboard_local_to_remote_formats: ['image', 'text'], allowed_clipboard_remote_to_local_formats: ['TEXT'] } }), [
      ['invalid_enum', '/connection_rules/rdp/allowed_clipboard_local_to_remote_formats/0'],
      ['invalid_enum', '/connection_rules/rdp/allowed_clipboard_remote_to_local_formats/0'],
    ]);
    assertIssues(conn({ rdp: { allowed_clipboard_remote_to_local_formats: 'text' } }), [
      ['invalid_type', '/connection_rules/rdp/allowed_clipboard_remote_to_local_formats'],
    ]);
    assertIssues(conn({ rdp: { clipboard: ['text'] } }), [['unknown_field', '/connection_rules/rdp/clipboard']]);
    assertIssues(conn({ ssh: { username: 'root' } }), [['unknown_field', '/connection_rules/ssh']]);
    assertIssues(conn({ rdp: ['text'] }), [['invalid_type', '/connection_rules/rdp']]);
    assertIssues(conn('rdp'), [['invalid_type', '/connection_rules']]);
  });
});

describe('approval_groups', () => {
  const groups = (g: unknown) => parsePolicy(policy({ approval_groups: g }));

  test('approvals_needed: required, a number, at least 0', () => {
    assert.deepEqual(valueOf(groups([{ approvals_needed: 0 }])).settings.approval_groups, [{ approvals_needed: 0 }]);
    assert.deepEqual(valueOf(groups([{ approvals_needed: 3 }])).settings.approval_groups, [{ approvals_needed: 3 }]);
    assertIssues(groups([{}]), [['required', '/approval_groups/0/approvals_needed']]);
    assertIssues(groups([{ approvals_needed: null }]), [['required', '/approval_groups/0/approvals_needed']]);
    assertIssues(groups([{ approvals_needed: -1 }]), [['min_value', '/approval_groups/0/approvals_needed']]);
    assertIssues(groups([{ approvals_needed: -0.5 }]), [['min_value', '/approval_groups/0/approvals_needed']]);
    assertIssues(groups([{ approvals_needed: '2' }]), [['invalid_type', '/approval_groups/0/approvals_needed']]);
    assertIssues(groups([{ approvals_needed: true }]), [['invalid_type', '/approval_groups/0/approvals_needed']]);
  });

  test('email_addresses: an array of valid emails', () => {
    assert.deepEqual(valueOf(groups([{ approvals_needed: 1, email_addresses: ['a@example.com', 'B@Example.com'] }])).settings.approval_groups, [
      { approvals_needed: 1, email_addresses: ['a@example.com', 'B@Example.com'] },
    ]);
    assertIssues(groups([{ approvals_needed: 1, email_addresses: ['ok@example.com', 'bad', 5] }]), [
      ['invalid_email', '/approval_groups/0/email_addresses/1'],
      ['invalid_type', '/approval_groups/0/email_addresses/2'],
    ]);
    assertIssues(groups([{ approvals_needed: 1, email_addresses: 'a@example.com' }]), [['invalid_type', '/approval_groups/0/email_addresses']]);
  });

  test('email_list_uuid: a non-empty string', () => {
    assertIssues(groups([{ approvals_needed: 1, email_list_uuid: '' }]), [['empty_string', '/approval_groups/0/email_list_uuid']]);
    assertIssues(groups([{ approvals_needed: 1, email_list_uuid: 7 }]), [['invalid_type', '/approval_groups/0/email_list_uuid']]);
  });

  test('shape: an array of objects with known keys', () => {
    assertIssues(groups({ approvals_needed: 1 }), [['invalid_type', '/approval_groups']]);
    assertIssues(groups([{ approvals_needed: 1 }, 'x', null]), [
      ['invalid_type', '/approval_groups/1'],
      ['invalid_type', '/approval_groups/2'],
    ]);
    assertIssues(groups([{ approvals_needed: 1, approvers: [] }]), [['unknown_field', '/approval_groups/0/approvers']]);
    assert.deepEqual(valueOf(groups([])).settings.approval_groups, []);
  });
});

describe('where selectors may appear', () => {
  test('the catalog marks exactly the identity selectors of docs/semantics.md "Where selectors may appear"', () => {
    assert.deepEqual(
      SELECTORS.filter((s) => s.identity).map((s) => s.selector).sort(),
      [...IDENTITY_SELECTORS].sort(),
    );
    assert.deepEqual([...IDENTITY_SELECTORS, ...NON_IDENTITY_SELECTORS].sort(), [...ALL_SELECTORS].sort());
  });

  for (const selector of IDENTITY_SELECTORS) {
    test(`${selector} is refused in bypass`, () => {
      const input = policy({ decision: 'bypass', include: [{ everyone: {} }, validRule(selector)] });
      const [issue] = assertIssues(parsePolicy(input), [['selector_not_allowed_in_bypass', `/include/1/${selector}`]]);
      assert.ok(issue.message.includes(selector));
      // ...and accepted in allow, deny and non_identity.
      for (const decision of ['allow', 'deny', 'non_identity'] as const) {
        valueOf(parsePolicy(policy({ decision, include: [validRule(selector)] })));
      }
    });
  }

  test('identity selectors in require and exclude of a bypass policy are refused too', () => {
    const input = policy({
      decision: 'bypass',
      require: [{ ip: { ip: '10.0.0.0/8' } }, validRule('auth_method')],
      exclude: [validRule('email_domain')],
    });
    assertIssues(parsePolicy(input), [
      ['selector_not_allowed_in_bypass', '/require/1/auth_method'],
      ['selector_not_allowed_in_bypass', '/exclude/0/email_domain'],
    ]);
  });

  test('the bypass check needs a valid decision', () => {
    assertIssues(parsePolicy(policy({ decision: 'Bypass', include: [validRule('email')] })), [['invalid_enum', '/decision']]);
  });

  for (const selector of NON_IDENTITY_SELECTORS) {
    test(`${selector} is accepted in bypass`, () => {
      const p = valueOf(parsePolicy(policy({ decision: 'bypass', include: [validRule(selector)], exclude: [validRule(selector)] })));
      assert.equal(p.include[0].kind, selector);
    });
  }

  test('linked_app_token is refused in allow and deny, in every list', () => {
    for (const decision of ['allow', 'deny'] as const) {
      const input = policy({
        decision,
        include: [validRule('linked_app_token')],
        require: [validRule('everyone'), validRule('linked_app_token')],
        exclude: [validRule('linked_app_token')],
      });
      const issues = assertIssues(parsePolicy(input), [
        ['linked_app_token_not_allowed', '/include/0/linked_app_token'],
        ['linked_app_token_not_allowed', '/require/1/linked_app_token'],
        ['linked_app_token_not_allowed', '/exclude/0/linked_app_token'],
      ]);
      assert.ok(issues[0].message.includes(decision));
    }
  });

  test('linked_app_token is accepted in non_identity and bypass', () => {
    for (const decision of ['non_identity', 'bypass'] as const) {
      const p = valueOf(parsePolicy(policy({ decision, include: [validRule('linked_app_token')] })));
      assert.equal(p.include[0].kind, 'linked_app_token');
    }
  });
});

describe('parseGroup', () => {
  const group = (over: Record<string, unknown> = {}) => ({ name: 'Engineers', include: [{ email_domain: { domain: 'example.com' } }], ...over });

  test('a valid group, with the id from the options', () => {
    const g = valueOf(
      parseGroup(
        group({ require: [validRule('auth_method')], exclude: [validRule('email')], is_default: true }),
        { id: 'grp-1' },
      ),
    );
    assert.equal(g.id, 'grp-1');
    assert.equal(g.name, 'Engineers');
    assert.equal(g.isDefault, true);
    assert.deepEqual(g.include.map((r) => r.kind), ['email_domain']);
    assert.deepEqual(g.require.map((r) => r.kind), ['auth_method']);
    assert.deepEqual(g.exclude.map((r) => r.kind), ['email']);
    assert.equal('isDefault' in valueOf(parseGroup(group(), { id: 'g' })), false);
  });

  test('every selector may appear in a group', () => {
    const g = valueOf(parseGroup(group({ include: ALL_SELECTORS.map(validRule) }), { id: 'g' }));
    assert.deepEqual(g.include.map((r) => r.kind), ALL_SELECTORS);
  });

  test('read-only fields are ignored; policy fields are unknown', () => {
    valueOf(parseGroup(group({ id: 'x', uid: 'x', created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z' }), { id: 'g' }));
    assert.equal(valueOf(parseGroup(group({ id: 'from-body' }), { id: 'g' })).id, 'g');
    assertIssues(parseGroup(group({ decision: 'allow', session_duration: '24h', app_count: 1 }), { id: 'g' }), [
      ['unknown_field', '/decision'],
      ['unknown_field', '/session_duration'],
      ['unknown_field', '/app_count'],
    ]);
  });

  test('name, include and is_default', () => {
    const { name: _n, ...noName } = group();
    assertIssues(parseGroup(noName, { id: 'g' }), [['required', '/name']]);
    assertIssues(parseGroup(group({ name: '' }), { id: 'g' }), [['empty_string', '/name']]);
    assertIssues(parseGroup(group({ name: 1 }), { id: 'g' }), [['invalid_type', '/name']]);
    const { include: _i, ...noInclude } = group();
    assertIssues(parseGroup(noInclude, { id: 'g' }), [['required', '/include']]);
    assertIssues(parseGroup(group({ include: [] }), { id: 'g' }), [['empty_include', '/include']]);
    assertIssues(parseGroup(group({ is_default: 'yes' }), { id: 'g' }), [['invalid_type', '/is_default']]);
    assert.equal(valueOf(parseGroup(group({ is_default: null }), { id: 'g' })).isDefault, undefined);
  });

  test('an input that is not an object, and the pointer option', () => {
    assertIssues(parseGroup([], { id: 'g' }), [['invalid_type', '']]);
    assertIssues(parseGroup(null, { id: 'g', pointer: '/groups/1' }), [['invalid_type', '/groups/1']]);
    assertIssues(parseGroup(group({ include: [{ email: {} }] }), { id: 'g', pointer: '/groups/1' }), [['required', '/groups/1/include/0/email/email']]);
  });
});

// ---------------------------------------------------------------- properties

/** Resolve an RFC 6901 pointer in a document; whether it names an existing value. */
function resolves(doc: unknown, pointer: string): boolean {
  if (pointer === '') return true;
  if (!pointer.startsWith('/')) return false;
  let cur: unknown = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      if (!/^(0|[1-9][0-9]*)$/.test(token) || Number(token) >= cur.length) return false;
      cur = cur[Number(token)];
    } else if (cur !== null && typeof cur === 'object') {
      if (!Object.prototype.hasOwnProperty.call(cur, token)) return false;
      cur = (cur as Record<string, unknown>)[token];
    } else {
      return false;
    }
  }
  return true;
}

function parentPointer(pointer: string): string {
  return pointer.slice(0, pointer.lastIndexOf('/'));
}

const CODES = new Set(Object.keys(VALIDATION_CODES));

/** The invariants every parse result must hold for its input. */
function checkResult(input: unknown, result: ParseResult<Policy>): void {
  if (result.ok) {
    assert.ok(result.value.include.length > 0);
    // A valid policy re-parses from its own wire form to the same policy.
    const again = parsePolicy(toWire(result.value));
    assert.ok(again.ok, `re-parse failed: ${safeJson(!again.ok && again.issues)}`);
    assert.deepEqual(stripRules(again.value), stripRules(result.value));
    return;
  }
  assert.ok(result.issues.length > 0, 'a failed parse has at least one issue');
  for (const issue of result.issues) {
    assert.ok(CODES.has(issue.code), `unknown code ${issue.code}`);
    assert.ok(!REFERENCE_CODES.includes(issue.code), `validation alone produced reference code ${issue.code}`);
    assert.ok(issue.pointer === '' || issue.pointer.startsWith('/'), `bad pointer ${issue.pointer}`);
    assert.ok(typeof issue.message === 'string' && issue.message.length > 0);
    assert.ok(
      resolves(input, issue.pointer) || resolves(input, parentPointer(issue.pointer)),
      `pointer ${issue.pointer} (${issue.code}) does not resolve in ${safeJson(input)}`,
    );
  }
}

function toWire(p: Policy): Record<string, unknown> {
  return {
    name: p.name,
    decision: p.decision,
    include: p.include.map((r) => r.wire),
    require: p.require.map((r) => r.wire),
    exclude: p.exclude.map((r) => r.wire),
    ...p.settings,
  };
}

function stripRules(p: Policy): unknown {
  return JSON.parse(safeJson({ ...p, include: p.include.map(ruleJson), require: p.require.map(ruleJson), exclude: p.exclude.map(ruleJson) }));
}

function ruleJson(r: Rule): unknown {
  return JSON.parse(safeJson(r));
}

/** Valid policies to mutate: every selector, every setting. */
const SEEDS: Record<string, Json>[] = [
  {
    name: 'All selectors',
    decision: 'allow',
    include: ALL_SELECTORS.filter((s) => s !== 'linked_app_token').map((s) => VALID[s].wire as Json),
    require: [{ geo: { country_code: 'US' } }, { user_risk_score: { user_risk_score: ['low'] } }],
    exclude: [{ ip: { ip: '10.0.0.0/8' } }],
    session_duration: '24h',
    mfa_config: { allowed_authenticators: ['totp'], mfa_disabled: false, session_duration: '12h' },
    approval_groups: [{ approvals_needed: 1, email_addresses: ['a@example.com'], email_list_uuid: 'l' }],
    connection_rules: { rdp: { allowed_clipboard_local_to_remote_formats: ['text'], allowed_clipboard_remote_to_local_formats: ['file'] } },
    approval_required: false,
    purpose_justification_required: true,
    purpose_justification_prompt: 'Why?',
    isolation_required: false,
  },
  {
    name: 'Service auth',
    decision: 'non_identity',
    include: [{ linked_app_token: { app_uid: 'a' } }, { service_token: { token_id: 't' } }, { any_valid_service_token: {} }],
    require: [{ certificate: {} }],
    exclude: [{ common_name: { common_name: 'x' } }],
  },
  {
    name: 'Bypass office',
    decision: 'bypass',
    include: [{ ip: { ip: '192.0.2.0/24' } }, { ip_list: { id: 'l' } }],
    exclude: [{ device_posture: { integration_uid: 'p' } }],
    session_duration: null,
  },
];

type Path = (string | number)[];

function paths(doc: Json, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(doc)) doc.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (doc !== null && typeof doc === 'object') for (const [k, v] of Object.entries(doc)) out.push(...paths(v, [...prefix, k]));
  return out;
}

type Mutation = { kind: 'replace'; value: Json } | { kind: 'delete' } | { kind: 'add'; key: string; value: Json };

function mutate(doc: Json, path: Path, m: Mutation): Json {
  const copy = structuredClone(doc);
  if (path.length === 0) return m.kind === 'replace' ? m.value : copy;
  let parent: Json = copy;
  for (const token of path.slice(0, -1)) parent = (parent as Record<string | number, Json>)[token];
  const last = path[path.length - 1];
  if (m.kind === 'replace') (parent as Record<string | number, Json>)[last] = m.value;
  else if (m.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete (parent as Record<string, Json>)[last as string];
  } else {
    const target = (parent as Record<string | number, Json>)[last];
    if (target !== null && typeof target === 'object' && !Array.isArray(target)) target[m.key] = m.value;
    else if (Array.isArray(target)) target.push(m.value);
  }
  return copy;
}

const arbJsonValue: fc.Arbitrary<Json> = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>;
const arbInteresting: fc.Arbitrary<Json> = fc.oneof(
  arbJsonValue,
  fc.constantFrom<Json>(
    '', 'x', 'bypass', 'deny', 'allow', 'non_identity', '1d', '-1h', '721h', '30s', '10.0.0.0/33', 'a@b', 'US', 'USA', 'low', 'sms', 'image',
    'https://x.example', 'ftp://x', null, 0, -1, [], {}, [{}], { everyone: {} }, { email: { email: 'a@example.com' } },
    { linked_app_token: { app_uid: 'a' } }, { email_domian: {} }, 'a'.repeat(MAX_RULE_STRING + 1),
  ),
);
const arbKey: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom('id', 'created_at', 'reusable', 'email', 'everyone', 'team', 'account_id', '__proto__', 'constructor', 'a/b', '~', 'rdp', 'extra'),
);
const arbMutation: fc.Arbitrary<Mutation> = fc.oneof(
  arbInteresting.map((value): Mutation => ({ kind: 'replace', value })),
  fc.constant<Mutation>({ kind: 'delete' }),
  fc.tuple(arbKey, arbInteresting).map(([key, value]): Mutation => ({ kind: 'add', key, value })),
);

describe('parsePolicy never throws (properties)', () => {
  test('arbitrary values', () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withObjectString: true, withBoxedValues: true }), (input) => {
        checkResult(input, parsePolicy(input));
      }),
      { numRuns: 500 },
    );
  });

  test('arbitrary JSON text, parsed', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 4 }), (text) => {
        const input: unknown = JSON.parse(text);
        checkResult(input, parsePolicy(input));
      }),
      { numRuns: 500 },
    );
  });

  test('arbitrary objects with policy-shaped keys', () => {
    const keys = ['name', 'decision', 'include', 'require', 'exclude', 'session_duration', 'mfa_config', 'approval_groups', 'connection_rules', 'isolation_required', 'id'];
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...keys), arbInteresting), (input) => {
        checkResult(input, parsePolicy(input));
      }),
      { numRuns: 500 },
    );
  });

  test('mutated valid policies', () => {
    for (const seed of SEEDS) checkResult(seed, parsePolicy(seed));
    const arbMutated = fc
      .tuple(fc.nat({ max: SEEDS.length - 1 }), fc.array(fc.tuple(fc.nat(), arbMutation), { minLength: 1, maxLength: 4 }))
      .map(([seedIndex, steps]) => {
        let doc: Json = SEEDS[seedIndex];
        for (const [pick, m] of steps) {
          const all = paths(doc);
          doc = mutate(doc, all[pick % all.length], m);
        }
        return doc;
      });
    fc.assert(
      fc.property(arbMutated, (input) => {
        checkResult(input, parsePolicy(input));
      }),
      { numRuns: 1000 },
    );
  });

  test('mutated documents parse the same with a pointer prefix, pointers prefixed', () => {
    fc.assert(
      fc.property(fc.nat({ max: SEEDS.length - 1 }), fc.nat(), arbMutation, (seedIndex, pick, m) => {
        const seed = SEEDS[seedIndex];
        const all = paths(seed);
        const input = mutate(seed, all[pick % all.length], m);
        const plain = parsePolicy(input);
        const prefixed = parsePolicy(input, { pointer: '/policies/7' });
        assert.equal(prefixed.ok, plain.ok);
        if (!plain.ok && !prefixed.ok) {
          assert.deepEqual(
            prefixed.issues.map((i) => [i.code, i.pointer]),
            plain.issues.map((i) => [i.code, `/policies/7${i.pointer}`]),
          );
        }
      }),
      { numRuns: 300 },
    );
  });
});
