// The CSV column mapping (docs/cli.md "Users as CSV"), checked through the real binary: each
// column must reach the identity field its selector reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { portcullis, portcullisJson, STACK_TRACE, tempFiles } from '../../../test/support/cli-harness.js';

/** One allow policy per column under test, named after it. */
const POLICIES = [
  ['idp', { login_method: { id: 'okta' } }],
  ['okta group', { okta: { identity_provider_id: 'okta', name: 'Contractors' } }],
  ['gsuite group', { gsuite: { identity_provider_id: 'gw', email: 'eng@example.com' } }],
  ['azure group', { azureAD: { identity_provider_id: 'az', id: 'aad-finance' } }],
  ['github team', { 'github-organization': { identity_provider_id: 'gh', name: 'Acme', team: 'platform' } }],
  ['amr', { auth_method: { auth_method: 'mfa' } }],
  ['auth context', { auth_context: { identity_provider_id: 'az', ac_id: 'c2', id: 'ctx' } }],
  ['country', { geo: { country_code: 'DE' } }],
  ['ip', { ip: { ip: '10.0.0.0/8' } }],
  ['risk', { user_risk_score: { user_risk_score: ['high'] } }],
  ['common name', { common_name: { common_name: 'kiosk-01' } }],
  ['certificate', { certificate: {} }],
  ['posture', { device_posture: { integration_uid: 'disk-encrypted' } }],
  ['token', { service_token: { token_id: 'tok-ci' } }],
  ['account', { cloudflare_account_member: { account_id: 'acc-2' } }],
  ['saml', { saml: { identity_provider_id: 'sa', attribute_name: 'role', attribute_value: 'admin' } }],
  ['oidc', { oidc: { identity_provider_id: 'oi', claim_name: 'level', claim_value: '3' } }],
] as const;

const CSV = [
  'id,email,name,idp_id,idp_type,groups,amr,auth_contexts,country,ip,user_risk_score,common_name,cert_status,device_posture,service_token_id,service_token_status,cloudflare_account_ids,saml.role,oidc.level,identity',
  'u1,okta@example.com,"Okta, Inc. user",okta,okta,Contractors;Staff,pwd;mfa,,de,10.1.2.3,HIGH,,,,,,,,,',
  'u2,gw@example.com,GW,gw,google-apps,ENG@example.com,pwd,,US,192.0.2.1,low,kiosk-01,OK,disk-encrypted;fw,tok-ci,true,acc-1;acc-2,,,',
  'u3,az@example.com,AZ,az,azureAD,aad-finance,,c1;c2,,,,,FAILED,,tok-ci,false,,,,',
  'u4,gh@example.com,GH,gh,github,acme/platform;acme/web;other,,,,,,,,,,,,,,',
  'u5,sa@example.com,SA,sa,saml,,,,,,,,,,,,,admin;user,,',
  'u6,oi@example.com,OI,oi,oidc,,,,DE,,,,,,,,,,3,"{""geo"":{""country"":""US""},""amr"":[""mfa""]}"',
  ',noid@example.com,,,,,,,,,,,,,,,,,,',
].join('\r\n');

const EXPECTED_MATCHES: Record<string, string[]> = {
  'okta@example.com': ['idp', 'okta group', 'amr', 'country', 'ip', 'risk'],
  'gw@example.com': ['gsuite group', 'common name', 'certificate', 'posture', 'token', 'account'],
  'az@example.com': ['azure group', 'auth context'],
  'gh@example.com': ['github team'],
  'sa@example.com': ['saml'],
  // The row's country column overrides the identity cell; the cell's amr stays.
  'oi@example.com': ['amr', 'country', 'oidc'],
  'noid@example.com': [],
};

test('CSV columns map onto the identity fields their selectors read', () => {
  // One case per user and policy: approved exactly when that column should make the rule match.
  const cases = Object.entries(EXPECTED_MATCHES).flatMap(([email, matches]) =>
    POLICIES.map(([name]) => ({ user: email, expect: matches.includes(name) ? 'approved' : 'blocked', policies: [name] })),
  );
  const files = tempFiles({
    'users.csv': '\uFEFF' + CSV + '\r\n',
    'policies.json': POLICIES.map(([name, rule]) => ({ name, decision: 'allow', include: [rule] })),
    'expect.json': { cases },
  });
  try {
    const { result, json } = portcullisJson<{ results: { user: string; policies: string[]; expect: string; status: string }[] }>([
      'check', '--expect', files.path('expect.json'), '--policies', files.path('policies.json'), '--users', files.path('users.csv'),
    ]);
    const failures = json.results.filter((r) => r.status !== r.expect).map((r) => `${r.user} under "${r.policies[0]}": expected ${r.expect}, got ${r.status}`);
    assert.deepEqual(failures, []);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(json.results.length, Object.keys(EXPECTED_MATCHES).length * POLICIES.length);
    const listed = portcullisJson<{ users: { id: string; name: string }[] }>(['test', '--policies', files.path('policies.json'), '--users', files.path('users.csv')]).json;
    assert.deepEqual(listed.users.map((u) => [u.id, u.name]).slice(0, 1).concat(listed.users.slice(-1).map((u) => [u.id, u.name])), [
      ['u1', 'Okta, Inc. user'],
      ['noid@example.com', ''],
    ]);
  } finally {
    files.cleanup();
  }
});

test('CSV ids, names with commas and quotes, and the detected format', () => {
  const files = tempFiles({
    'directory.txt': 'email,name\n"q@example.com","Quinn ""Q"", ops"\nr@example.com,\n',
    'policies.json': [{ name: 'All', decision: 'allow', include: [{ everyone: {} }] }],
  });
  try {
    const { result, json } = portcullisJson<{ users: { id: string; email: string; name: string; status: string }[] }>([
      'test', '--policies', files.path('policies.json'), '--users', files.path('directory.txt'), '--users-format', 'csv',
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(json.users.map((u) => [u.id, u.email, u.name, u.status]), [
      ['q@example.com', 'q@example.com', 'Quinn "Q", ops', 'approved'],
      ['r@example.com', 'r@example.com', '', 'approved'],
    ]);
  } finally {
    files.cleanup();
  }
});

test('bad CSV: unknown and missing columns, bad cells, ragged rows and unclosed quotes, each with its line', () => {
  const files = tempFiles({
    'policies.json': [{ name: 'All', decision: 'allow', include: [{ everyone: {} }] }],
    'header.csv': 'mail,name,contry\nx@example.com,X,US\n',
    'rows.csv': [
      'email,name,ip,country,user_risk_score,service_token_status,identity',
      'a@example.com,A,1.2.3,USA,extreme,yes,{nope}',
      'b@example.com,B,10.0.0.1,US,low,true,,extra',
      'not-an-email,C,,,,,',
      'a@example.com,A again,,,,,',
      '"d@example.com,D,,,,,',
    ].join('\n'),
  });
  try {
    const header = portcullis(['test', '--policies', files.path('policies.json'), '--users', files.path('header.csv')]);
    assert.equal(header.status, 2);
    const h = files.path('header.csv');
    assert.equal(
      header.stderr,
      [
        `${h}:1: Unknown column "mail"; the columns are id, email, name, groups, identity, idp_id, idp_type, amr, auth_contexts, country, ip, user_risk_score, common_name, cert_status, device_posture, service_token_id, service_token_status, cloudflare_account_ids, saml.ATTRIBUTE and oidc.CLAIM (docs/cli.md). [unknown_column]`,
        `${h}:1: Unknown column "contry"; the columns are id, email, name, groups, identity, idp_id, idp_type, amr, auth_contexts, country, ip, user_risk_score, common_name, cert_status, device_posture, service_token_id, service_token_status, cloudflare_account_ids, saml.ATTRIBUTE and oidc.CLAIM (docs/cli.md). [unknown_column]`,
        `${h}:1: The header has no "email" column. [missing_column]`,
        '',
      ].join('\n'),
    );
    const rows = portcullis(['test', '--policies', files.path('policies.json'), '--users', files.path('rows.csv')]);
    assert.equal(rows.status, 2);
    assert.equal(rows.stdout, '');
    assert.doesNotMatch(rows.stderr, STACK_TRACE);
    const r = files.path('rows.csv');
    assert.deepEqual(rows.stderr.trimEnd().split('\n'), [
      `${r}:2: Column "identity": The cell must hold a JSON object (a last seen identity). [invalid_user]`,
      `${r}:2: Column "ip": "1.2.3" is not an IP address. [invalid_user]`,
      `${r}:2: Column "country": "USA" is not a two-letter country code. [invalid_user]`,
      `${r}:2: Column "user_risk_score": "extreme" is not low, medium or high. [invalid_user]`,
      `${r}:2: Column "service_token_status": "yes" is not true or false. [invalid_user]`,
      `${r}:3: Invalid Record Length: columns length is 7, got 8. [invalid_csv]`,
      `${r}:4: Column "email": "not-an-email" is not a valid email address. [invalid_user]`,
      `${r}:6: Quote Not Closed: the parsing is finished with an opening quote at line 6. [invalid_csv]`,
    ]);
  } finally {
    files.cleanup();
  }
});
