import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LINT_CODES, lintGroup, lintPolicy, lintPolicySet, type LintCode, type LintContext, type LintFinding } from './lint.js';
import type { Group, Policy } from './rules.js';
import { parseGroup, parsePolicy } from './validate.js';

function policy(input: Record<string, unknown>): Policy {
  const r = parsePolicy({ name: 'p', ...input });
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.issues));
  return r.value;
}

function group(id: string, input: Record<string, unknown>): Group {
  const r = parseGroup({ name: id, ...input }, { id });
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.issues));
  return r.value;
}

const of = (findings: LintFinding[], code: LintCode): LintFinding[] => findings.filter((f) => f.code === code);
const codes = (findings: LintFinding[]): string[] => findings.map((f) => f.code).sort();

const email = (e: string) => ({ email: { email: e } });
const domain = (d: string) => ({ email_domain: { domain: d } });
const geo = (c: string) => ({ geo: { country_code: c } });
const ip = (c: string) => ({ ip: { ip: c } });
const everyone = { everyone: {} };
const login = (id: string) => ({ login_method: { id } });
const groupRule = (id: string) => ({ group: { id } });

const groupsCtx = (...groups: Group[]): LintContext => {
  const byId = new Map(groups.map((g) => [g.id, g]));
  return { group: (id) => byId.get(id) };
};

describe('LINT_CODES', () => {
  test('every code has a one-line description', () => {
    for (const [code, text] of Object.entries(LINT_CODES)) {
      assert.match(code, /^[a-z_]+$/);
      assert.ok(text.length > 20 && !text.includes('\n'), code);
    }
  });

  test('a clean policy has no findings', () => {
    const p = policy({
      decision: 'allow',
      include: [domain('example.com'), email('ops@partner.org')],
      require: [{ auth_method: { auth_method: 'mfa' } }, geo('US')],
      exclude: [ip('203.0.113.0/24')],
      session_duration: '24h',
    });
    assert.deepEqual(lintPolicy(p), []);
    assert.deepEqual(lintPolicySet([p]), []);
  });
});

describe('allow_everyone / bypass_everyone / service_auth_everyone', () => {
  test('allow with everyone and no require', () => {
    const f = lintPolicy(policy({ decision: 'allow', include: [email('a@x.com'), everyone] }));
    const hits = of(f, 'allow_everyone');
    assert.equal(hits.length, 1);
    assert.equal(hits[0].pointer, '/include/1');
    assert.match(hits[0].message, /anybody who can log in/);
  });

  test('a require rule narrows everyone: no finding', () => {
    const f = lintPolicy(policy({ decision: 'allow', include: [everyone], require: [domain('example.com')] }));
    assert.deepEqual(of(f, 'allow_everyone'), []);
  });

  test('exclude rules are mentioned but do not silence the warning', () => {
    const f = lintPolicy(policy({ decision: 'allow', include: [everyone], exclude: [geo('RU')] }));
    assert.match(of(f, 'allow_everyone')[0].message, /only its 1 exclude rule holds anyone back/);
  });

  test('sees through a group that matches everyone', () => {
    const all = group('g-all', { include: [everyone] });
    const narrow = group('g-narrow', { include: [everyone], require: [domain('example.com')] });
    const ctx = groupsCtx(all, narrow);
    const hit = of(lintPolicy(policy({ decision: 'allow', include: [groupRule('g-all')] }), ctx), 'allow_everyone');
    assert.equal(hit.length, 1);
    assert.match(hit[0].message, /Access group "g-all" \(g-all\), which matches everyone/);
    assert.deepEqual(of(lintPolicy(policy({ decision: 'allow', include: [groupRule('g-narrow')] }), ctx), 'allow_everyone'), []);
    // Without the lookup the group is opaque.
    assert.deepEqual(of(lintPolicy(policy({ decision: 'allow', include: [groupRule('g-all')] })), 'allow_everyone'), []);
  });

  test('group cycles do not loop', () => {
    const a = group('a', { include: [groupRule('b')] });
    const b = group('b', { include: [groupRule('a')] });
    const f = lintPolicy(policy({ decision: 'allow', include: [groupRule('a')] }), groupsCtx(a, b));
    assert.deepEqual(of(f, 'allow_everyone'), []);
  });

  test('bypass with everyone', () => {
    const f = lintPolicy(policy({ decision: 'bypass', include: [everyone] }));
    assert.deepEqual(codes(f), ['bypass_everyone']);
    assert.equal(f[0].pointer, '/include/0');
    assert.match(f[0].message, /Access is switched off/);
  });

  test('bypass for an IP range: no finding', () => {
    assert.deepEqual(lintPolicy(policy({ decision: 'bypass', include: [ip('198.51.100.0/24')] })), []);
    assert.deepEqual(lintPolicy(policy({ decision: 'bypass', include: [everyone], require: [ip('198.51.100.0/24')] })), []);
  });

  test('non_identity with everyone', () => {
    const f = lintPolicy(policy({ decision: 'non_identity', include: [everyone] }));
    assert.deepEqual(codes(f), ['service_auth_everyone']);
    assert.deepEqual(lintPolicy(policy({ decision: 'non_identity', include: [{ any_valid_service_token: {} }] })), []);
  });

  test('deny with everyone is not any of these', () => {
    assert.deepEqual(lintPolicy(policy({ decision: 'deny', include: [everyone] })), []);
  });
});

describe('allow_only_otp', () => {
  const ctx: LintContext = { identityProviderType: (id) => ({ otp1: 'onetimepin', otp2: 'onetimepin', okta1: 'okta' })[id] };

  test('only one-time PIN login methods', () => {
    const f = lintPolicy(policy({ decision: 'allow', include: [login('otp1'), login('otp2')] }), ctx);
    assert.deepEqual(codes(f), ['allow_only_otp']);
    assert.equal(f[0].pointer, '/include');
    assert.match(f[0].message, /\(otp1, otp2\)/);
    assert.match(f[0].message, /receive email at any address/);
  });

  test('an IdP of another type, another include rule, or a require rule: no finding', () => {
    assert.deepEqual(lintPolicy(policy({ decision: 'allow', include: [login('otp1'), login('okta1')] }), ctx), []);
    assert.deepEqual(lintPolicy(policy({ decision: 'allow', include: [login('otp1'), email('a@x.com')] }), ctx), []);
    assert.deepEqual(lintPolicy(policy({ decision: 'allow', include: [login('otp1')], require: [domain('x.com')] }), ctx), []);
    assert.deepEqual(lintPolicy(policy({ decision: 'allow', include: [login('unknown-idp')] }), ctx), []);
  });

  test('skipped without identityProviderType', () => {
    assert.deepEqual(lintPolicy(policy({ decision: 'allow', include: [login('otp1')] })), []);
  });

  test('only for allow policies', () => {
    assert.deepEqual(lintPolicy(policy({ decision: 'deny', include: [login('otp1')] }), ctx), []);
  });
});

describe('contradictory_require', () => {
  const contradictions: [string, unknown[], RegExp][] = [
    ['countries', [geo('us'), geo('DE')], /different countries \(US at \/require\/0 and DE at \/require\/1\)/],
    ['emails', [email('a@x.com'), email('b@x.com')], /different email addresses \(a@x\.com at \/require\/0 and b@x\.com at \/require\/1\)/],
    ['domains', [domain('x.com'), domain('@y.com')], /different email domains \(x\.com .* and y\.com/],
    ['login methods', [login('idp-a'), login('idp-b')], /different identity providers \(idp-a for login method idp-a .*, idp-b for login method idp-b/],
    ['common names', [{ common_name: { common_name: 'svc-a' } }, { common_name: { common_name: 'svc-b' } }], /"svc-a" at \/require\/0 and "svc-b"/],
    ['service tokens', [{ service_token: { token_id: 't1' } }, { service_token: { token_id: 't2' } }], /different service tokens \(t1 .* and t2/],
    ['linked apps', [{ linked_app_token: { app_uid: 'app1' } }, { linked_app_token: { app_uid: 'app2' } }], /different linked app tokens/],
    ['disjoint IPv4 ranges', [ip('10.0.0.0/8'), ip('192.168.0.0/16')], /IP ranges that do not overlap \(10\.0\.0\.0\/8 at \/require\/0 and 192\.168\.0\.0\/16 at \/require\/1\)/],
    ['IPv4 and IPv6', [ip('10.0.0.0/8'), ip('2001:db8::/32')], /do not overlap/],
    ['disjoint IPv6 ranges', [ip('2001:db8::/32'), ip('2001:db9::/32')], /do not overlap/],
    ['risk scores', [{ user_risk_score: { user_risk_score: ['low'] } }, { user_risk_score: { user_risk_score: ['high', 'medium'] } }], /no level in common \(low at \/require\/0 and high or medium/],
    ['email outside the domain', [email('a@x.com'), domain('y.com')], /a@x\.com is not in the domain y\.com/],
    ['IdP-scoped rules of different IdPs', [login('idp-a'), { okta: { identity_provider_id: 'idp-b', name: 'Eng' } }], /idp-b for Okta group "Eng"/],
  ];
  for (const [name, require, message] of contradictions) {
    test(name, () => {
      const decision = name === 'linked apps' ? 'non_identity' : 'allow';
      const include = decision === 'allow' ? [domain('x.com')] : [{ any_valid_service_token: {} }];
      const f = of(lintPolicy(policy({ decision, include, require })), 'contradictory_require');
      assert.equal(f.length, 1, JSON.stringify(f));
      assert.equal(f[0].pointer, '/require/1');
      assert.match(f[0].message, message);
      assert.match(f[0].message, /this policy can never match/);
    });
  }

  const compatible: [string, unknown[]][] = [
    ['same country in two cases', [geo('us'), geo('US')]],
    ['email and its own domain', [email('a@x.com'), domain('X.com')]],
    ['nested IP ranges', [ip('10.0.0.0/8'), ip('10.1.0.0/16')]],
    ['overlapping risk levels', [{ user_risk_score: { user_risk_score: ['low', 'medium'] } }, { user_risk_score: { user_risk_score: ['medium'] } }]],
    ['IdP-scoped rules of the same IdP', [login('idp-a'), { okta: { identity_provider_id: 'idp-a', name: 'Eng' } }]],
    ['different selectors', [geo('US'), ip('10.0.0.0/8')]],
  ];
  for (const [name, require] of compatible) {
    test(`no finding: ${name}`, () => {
      assert.deepEqual(of(lintPolicy(policy({ decision: 'allow', include: [domain('x.com')], require })), 'contradictory_require'), []);
    });
  }

  test('countries in include are alternatives, not a contradiction', () => {
    assert.deepEqual(lintPolicy(policy({ decision: 'allow', include: [geo('US'), geo('DE')] })), []);
  });

  test('three countries: each later rule reported once, against the first clash', () => {
    const f = of(lintPolicy(policy({ decision: 'allow', include: [everyone], require: [geo('US'), geo('DE'), geo('FR')] })), 'contradictory_require');
    assert.deepEqual(f.map((x) => x.pointer), ['/require/1', '/require/2']);
    assert.match(f[1].message, /US at \/require\/0 and FR at \/require\/2/);
  });

  test('in groups', () => {
    const f = lintGroup(group('g', { include: [everyone], require: [geo('US'), geo('DE')] }), {}, '/groups/g');
    assert.equal(of(f, 'contradictory_require')[0].pointer, '/groups/g/require/1');
    assert.match(of(f, 'contradictory_require')[0].message, /this group can never match/);
  });
});

describe('approval_groups_without_approval_required', () => {
  const groups = [{ approvals_needed: 1, email_addresses: ['boss@x.com'] }];
  test('approval groups without approval_required', () => {
    const f = lintPolicy(policy({ decision: 'allow', include: [domain('x.com')], approval_groups: groups }));
    assert.deepEqual(codes(f), ['approval_groups_without_approval_required']);
    assert.equal(f[0].pointer, '/approval_groups');
    assert.match(f[0].message, /1 approval group, but approval_required is not set/);
    const g = lintPolicy(policy({ decision: 'allow', include: [domain('x.com')], approval_groups: groups, approval_required: false }));
    assert.match(g[0].message, /approval_required is false/);
  });

  test('approval_required true, or no approval groups: no finding', () => {
    assert.deepEqual(lintPolicy(policy({ decision: 'allow', include: [domain('x.com')], approval_groups: groups, approval_required: true })), []);
    assert.deepEqual(lintPolicy(policy({ decision: 'allow', include: [domain('x.com')], approval_groups: [] })), []);
  });
});

describe('service_token_in_allow', () => {
  test('service tokens in an allow policy', () => {
    const f = lintPolicy(policy({ decision: 'allow', include: [{ service_token: { token_id: 'tok-1' } }], require: [{ any_valid_service_token: {} }] }));
    const hits = of(f, 'service_token_in_allow');
    assert.deepEqual(hits.map((h) => h.pointer), ['/include/0', '/require/0']);
    assert.match(hits[0].message, /service token tok-1/);
    assert.match(hits[0].message, /"non_identity"/);
  });

  test('service tokens in a non_identity policy: no finding', () => {
    assert.deepEqual(lintPolicy(policy({ decision: 'non_identity', include: [{ service_token: { token_id: 'tok-1' } }] })), []);
  });
});

describe('duplicate_rule', () => {
  test('same rule after normalization', () => {
    const f = lintPolicy(policy({ decision: 'allow', include: [email('Alice@Example.com'), geo('US'), email('alice@example.COM')] }));
    assert.deepEqual(codes(f), ['duplicate_rule']);
    assert.equal(f[0].pointer, '/include/2');
    assert.match(f[0].message, /email alice@example\.com\) repeats \/include\/0/);
  });

  test('other normalizations: domains with @, CIDRs with host bits, risk level order', () => {
    const f = lintPolicy(policy({ decision: 'allow', include: [domain('x.com'), domain('@X.COM')] }));
    assert.deepEqual(of(f, 'duplicate_rule').map((x) => x.pointer), ['/include/1']);
    const g = lintPolicy(policy({ decision: 'allow', include: [everyone], require: [ip('10.0.0.0/8'), ip('10.0.0.0/8')] }));
    assert.deepEqual(of(g, 'duplicate_rule').map((x) => x.pointer), ['/require/1']);
    const r = lintPolicy(
      policy({ decision: 'allow', include: [{ user_risk_score: { user_risk_score: ['low', 'high'] } }, { user_risk_score: { user_risk_score: ['high', 'low'] } }] }),
    );
    assert.deepEqual(of(r, 'duplicate_rule').map((x) => x.pointer), ['/include/1']);
  });

  test('different values, or the same rule in different lists: not a duplicate', () => {
    assert.deepEqual(lintPolicy(policy({ decision: 'allow', include: [email('a@x.com'), email('b@x.com')] })), []);
    const f = lintPolicy(policy({ decision: 'allow', include: [geo('US')], require: [geo('US')] }));
    assert.deepEqual(of(f, 'duplicate_rule'), []);
    // okta group names compare exactly
    const okta = (name: string) => ({ okta: { identity_provider_id: 'i', name } });
    assert.deepEqual(of(lintPolicy(policy({ decision: 'allow', include: [okta('Eng'), okta('eng')] })), 'duplicate_rule'), []);
  });

  test('in groups', () => {
    const f = lintGroup(group('g', { include: [geo('US'), geo('us')] }));
    assert.deepEqual(f.map((x) => [x.code, x.pointer]), [['duplicate_rule', '/include/1']]);
  });
});

describe('deny_exclude_does_not_grant', () => {
  const deny = () => policy({ name: 'Block RU', decision: 'deny', include: [geo('RU')], exclude: [email('travel@x.com')] });
  const allow = () => policy({ name: 'Staff', decision: 'allow', include: [domain('x.com')] });

  test('lintPolicy reports any deny policy with exclude', () => {
    const f = lintPolicy(deny());
    assert.deepEqual(codes(f), ['deny_exclude_does_not_grant']);
    assert.equal(f[0].pointer, '/exclude');
    assert.match(f[0].message, /1 exclude rule \(email travel@x\.com\)/);
    assert.match(f[0].message, /never grants them access/);
  });

  test('deny without exclude, or allow with exclude: no finding', () => {
    assert.deepEqual(lintPolicy(policy({ decision: 'deny', include: [geo('RU')] })), []);
    assert.deepEqual(lintPolicy(policy({ decision: 'allow', include: [domain('x.com')], exclude: [geo('RU')] })), []);
  });

  test('lintPolicySet reports it only when nothing in the set grants', () => {
    const alone = lintPolicySet([deny()]);
    assert.deepEqual(codes(alone), ['deny_exclude_does_not_grant']);
    assert.equal(alone[0].pointer, '/policies/0/exclude');
    assert.match(alone[0].message, /No policy in this set grants access/);
    assert.deepEqual(lintPolicySet([deny(), allow()]), []);
    const bypass = policy({ decision: 'bypass', include: [ip('198.51.100.7')] });
    assert.deepEqual(lintPolicySet([deny(), bypass]), []);
  });
});

describe('require_and_exclude_same_rule', () => {
  test('the same rule in require and exclude', () => {
    const f = lintPolicy(policy({ decision: 'allow', include: [domain('x.com')], require: [geo('US')], exclude: [ip('10.0.0.0/8'), geo('us')] }));
    assert.deepEqual(codes(f), ['require_and_exclude_same_rule']);
    assert.equal(f[0].pointer, '/exclude/1');
    assert.match(f[0].message, /country US\) is the same as the require rule at \/require\/0/);
  });

  test('different values: no finding', () => {
    assert.deepEqual(lintPolicy(policy({ decision: 'allow', include: [domain('x.com')], require: [geo('US')], exclude: [geo('DE')] })), []);
  });

  test('include and exclude sharing a rule is not this finding', () => {
    const f = lintPolicy(policy({ decision: 'allow', include: [domain('x.com'), geo('US')], exclude: [geo('US')] }));
    assert.deepEqual(of(f, 'require_and_exclude_same_rule'), []);
  });
});

describe('exclude_everyone', () => {
  test('exclude everyone', () => {
    const f = lintGroup(group('g', { include: [domain('x.com')], exclude: [everyone] }));
    assert.deepEqual(codes(f), ['exclude_everyone']);
    assert.equal(f[0].pointer, '/exclude/0');
    assert.match(f[0].message, /this group can never match anyone/);
  });

  test('exclude of a narrower rule: no finding', () => {
    assert.deepEqual(lintGroup(group('g', { include: [domain('x.com')], exclude: [geo('RU')] })), []);
  });
});

describe('identity_selector_in_service_auth', () => {
  test('identity selectors in each list of a non_identity policy', () => {
    const f = lintPolicy(
      policy({
        decision: 'non_identity',
        include: [{ service_token: { token_id: 't' } }, email('bot@x.com')],
        require: [{ auth_method: { auth_method: 'mfa' } }],
        exclude: [domain('evil.com')],
      }),
    );
    const hits = of(f, 'identity_selector_in_service_auth');
    assert.deepEqual(hits.map((h) => h.pointer), ['/include/1', '/require/0', '/exclude/0']);
    assert.match(hits[0].message, /"email" \(email bot@x\.com\) tests the user's identity.*this include rule never matches/);
    assert.match(hits[1].message, /the policy can never match/);
    assert.match(hits[2].message, /this exclude rule never takes effect/);
  });

  test('non-identity selectors, or the same rules in an allow policy: no finding', () => {
    assert.deepEqual(
      lintPolicy(policy({ decision: 'non_identity', include: [{ certificate: {} }, ip('10.0.0.0/8')], require: [{ common_name: { common_name: 'svc' } }] })),
      [],
    );
    assert.deepEqual(lintPolicy(policy({ decision: 'allow', include: [email('bot@x.com')], require: [{ auth_method: { auth_method: 'mfa' } }] })), []);
  });

  test('sees through groups that need an identity', () => {
    const people = group('people', { include: [domain('x.com')] });
    const mixed = group('mixed', { include: [domain('x.com'), ip('10.0.0.0/8')] });
    const nested = group('nested', { include: [groupRule('people')] });
    const ctx = groupsCtx(people, mixed, nested);
    const f = lintPolicy(policy({ decision: 'non_identity', include: [groupRule('people'), groupRule('mixed'), groupRule('nested')] }), ctx);
    const hits = of(f, 'identity_selector_in_service_auth');
    assert.deepEqual(hits.map((h) => h.pointer), ['/include/0', '/include/2']);
    assert.match(hits[0].message, /Access group "people" \(people\) can only match users with a login identity/);
    // Without a lookup, group rules are not judged.
    assert.deepEqual(lintPolicy(policy({ decision: 'non_identity', include: [groupRule('people')] })), []);
  });
});

describe('unknown_country_code', () => {
  test('UK → did you mean GB?', () => {
    const f = lintPolicy(policy({ decision: 'allow', include: [domain('x.com')], require: [geo('uk')] }));
    assert.deepEqual(codes(f), ['unknown_country_code']);
    assert.equal(f[0].pointer, '/require/0/geo/country_code');
    assert.match(f[0].message, /^UK is not an assigned ISO 3166-1 alpha-2 country code.*Did you mean GB\?$/);
  });

  test('an unassigned code without a hint', () => {
    const f = lintGroup(group('g', { include: [geo('QQ')] }));
    assert.equal(f.length, 1);
    assert.match(f[0].message, /QQ is not an assigned/);
    assert.match(f[0].message, /e\.g\. US, GB, DE/);
  });

  test('assigned codes and Cloudflare pseudo-codes: no finding', () => {
    for (const c of ['US', 'gb', 'AX', 'SS', 'ZW', 'XK', 'XX']) {
      assert.deepEqual(lintGroup(group('g', { include: [geo(c)] })), [], c);
    }
  });
});

describe('cidr_host_bits_set', () => {
  test('10.0.0.1/8', () => {
    const f = lintPolicy(policy({ decision: 'bypass', include: [ip('10.0.0.1/8')] }));
    assert.deepEqual(codes(f), ['cidr_host_bits_set']);
    assert.equal(f[0].pointer, '/include/0/ip/ip');
    assert.match(f[0].message, /10\.0\.0\.1\/8 has host bits set: it matches the whole network 10\.0\.0\.0\/8.*10\.0\.0\.1\/32 for the single address/);
  });

  test('IPv6', () => {
    const f = lintGroup(group('g', { include: [ip('2001:db8::1/64')] }));
    assert.match(f[0].message, /2001:db8::\/64.*2001:db8::1\/128/);
  });

  test('network addresses and bare addresses: no finding', () => {
    assert.deepEqual(lintGroup(group('g', { include: [ip('10.0.0.0/8'), ip('10.0.0.1'), ip('2001:db8::/32')] })), []);
  });
});

describe('unknown_auth_method', () => {
  const am = (m: string) => ({ auth_method: { auth_method: m } });
  test('not an RFC 8176 value', () => {
    const f = lintPolicy(policy({ decision: 'allow', include: [domain('x.com')], require: [am('password')] }));
    assert.deepEqual(codes(f), ['unknown_auth_method']);
    assert.equal(f[0].pointer, '/require/0/auth_method/auth_method');
    assert.match(f[0].message, /"password" is not an RFC 8176.*Did you mean "pwd"\?/);
    assert.match(lintGroup(group('g', { include: [am('MFA')] }))[0].message, /Did you mean "mfa"\?/);
    assert.match(lintGroup(group('g', { include: [am('magic')] }))[0].message, /Use one of: face, fpt/);
  });

  test('RFC 8176 values: no finding', () => {
    for (const m of ['mfa', 'hwk', 'swk', 'otp', 'pwd', 'retina', 'wia']) {
      assert.deepEqual(lintGroup(group('g', { include: [am(m)] })), [], m);
    }
  });
});

describe('external_evaluation_http', () => {
  const ext = (evaluate_url: string, keys_url: string) => ({ external_evaluation: { evaluate_url, keys_url } });
  test('plain http URLs', () => {
    const f = lintPolicy(policy({ decision: 'allow', include: [domain('x.com')], require: [ext('http://eval.example.com/check', 'http://eval.example.com/keys')] }));
    assert.deepEqual(f.map((x) => [x.code, x.pointer]), [
      ['external_evaluation_http', '/require/0/external_evaluation/evaluate_url'],
      ['external_evaluation_http', '/require/0/external_evaluation/keys_url'],
    ]);
    assert.match(f[0].message, /identity sent to it travels unencrypted.*Use https:\/\/eval\.example\.com\/check\./);
    assert.match(f[1].message, /forge "allow" answers/);
  });

  test('https: no finding', () => {
    assert.deepEqual(lintGroup(group('g', { include: [ext('https://eval.example.com/check', 'https://eval.example.com/keys')] })), []);
  });
});

describe('isolation_not_provided', () => {
  test('an allow policy asking for Browser Isolation is told the enforcement point refuses its users', () => {
    const f = lintPolicy(policy({ decision: 'allow', include: [domain('x.com')], isolation_required: true }));
    assert.deepEqual(f.map((x) => [x.code, x.pointer]), [['isolation_not_provided', '/isolation_required']]);
    assert.match(f[0].message, /refuses the users this policy lets in/);
  });

  test('isolation off, or on a policy that lets nobody in: no finding', () => {
    assert.deepEqual(lintPolicy(policy({ decision: 'allow', include: [domain('x.com')], isolation_required: false })), []);
    assert.deepEqual(lintPolicy(policy({ decision: 'deny', include: [domain('x.com')], isolation_required: true })), []);
  });
});

describe('session_duration_zero', () => {
  test('zero durations', () => {
    for (const d of ['0s', '0m', '0', '0h0m']) {
      const f = lintPolicy(policy({ decision: 'allow', include: [domain('x.com')], session_duration: d }));
      assert.deepEqual(f.map((x) => [x.code, x.pointer]), [['session_duration_zero', '/session_duration']], d);
      assert.match(f[0].message, /log in again on every request/);
    }
  });

  test('positive or null durations: no finding', () => {
    assert.deepEqual(lintPolicy(policy({ decision: 'allow', include: [domain('x.com')], session_duration: '30m' })), []);
    assert.deepEqual(lintPolicy(policy({ decision: 'allow', include: [domain('x.com')], session_duration: null })), []);
  });
});

describe('unreachable_policy', () => {
  const staff = () => policy({ name: 'Staff', decision: 'allow', include: [domain('x.com')] });
  test('policies after an allow-everyone policy of the same phase', () => {
    const all = policy({ name: 'All', decision: 'allow', include: [everyone] });
    const block = policy({ name: 'Block RU', decision: 'deny', include: [geo('RU')] });
    const f = of(lintPolicySet([staff(), all, block, staff()]), 'unreachable_policy');
    assert.deepEqual(f.map((x) => x.pointer), ['/policies/2', '/policies/3']);
    assert.match(f[0].message, /^Block \(deny\) policy "Block RU" \(\/policies\/2\) can never decide: allow policy "All" \(\/policies\/1\) runs earlier and matches everyone.*Move this policy above it/);
  });

  test('a bypass-everyone policy shadows every allow and block policy, wherever listed', () => {
    const bypass = policy({ name: 'Open', decision: 'bypass', include: [everyone] });
    const f = of(lintPolicySet([staff(), bypass]), 'unreachable_policy');
    assert.deepEqual(f.map((x) => x.pointer), ['/policies/0']);
    assert.match(f[0].message, /bypass and Service Auth policies run before all allow and block policies; the first that matches grants access\. Narrow that policy\.$/);
  });

  test('a first-phase catch-all shadows later first-phase policies', () => {
    const bypass = policy({ name: 'Open', decision: 'bypass', include: [everyone] });
    const svc = policy({ name: 'Svc', decision: 'non_identity', include: [{ any_valid_service_token: {} }] });
    const f = of(lintPolicySet([bypass, svc]), 'unreachable_policy');
    assert.deepEqual(f.map((x) => x.pointer), ['/policies/1']);
    assert.match(f[0].message, /^Service Auth \(non_identity\) policy "Svc".*the first bypass or Service Auth policy that matches grants access/);
    assert.deepEqual(lintPolicySet([]), []);
  });

  test('a later-phase catch-all does not shadow earlier-phase policies; narrowed everyone does not shadow', () => {
    const all = policy({ name: 'All', decision: 'allow', include: [everyone] });
    const svc = policy({ name: 'Svc', decision: 'non_identity', include: [{ any_valid_service_token: {} }] });
    assert.deepEqual(of(lintPolicySet([all, svc]), 'unreachable_policy'), []);
    const narrowed = policy({ name: 'Mostly all', decision: 'allow', include: [everyone], exclude: [geo('RU')] });
    assert.deepEqual(of(lintPolicySet([narrowed, staff()]), 'unreachable_policy'), []);
  });
});

describe('duplicate_policy', () => {
  test('same decision and rules (order and case aside)', () => {
    const a = policy({ name: 'A', decision: 'allow', include: [email('a@x.com'), geo('US')] });
    const b = policy({ name: 'B', decision: 'allow', include: [geo('us'), email('A@x.com')], session_duration: '1h' });
    const f = lintPolicySet([a, b]);
    assert.deepEqual(f.map((x) => [x.code, x.pointer]), [['duplicate_policy', '/policies/1']]);
    assert.match(f[0].message, /Policy "B" \(\/policies\/1\) has the same decision \(allow\) and the same rules as policy "A" \(\/policies\/0\)/);
  });

  test('different decision or different lists: no finding', () => {
    const a = policy({ name: 'A', decision: 'allow', include: [email('a@x.com')] });
    const b = policy({ name: 'B', decision: 'deny', include: [email('a@x.com')] });
    const c = policy({ name: 'C', decision: 'allow', include: [geo('US')], require: [email('a@x.com')] });
    const d = policy({ name: 'D', decision: 'allow', include: [email('a@x.com')], require: [geo('US')] });
    assert.deepEqual(lintPolicySet([a, b, c, d]), []);
  });
});

describe('pointers', () => {
  test('lintPolicy and lintPolicySet honour the pointer prefix', () => {
    const p = policy({ decision: 'allow', include: [everyone] });
    assert.equal(lintPolicy(p, {}, '/result/3')[0].pointer, '/result/3/include/0');
    const q = policy({ decision: 'allow', include: [domain('x.com')], require: [geo('UK')] });
    assert.deepEqual(
      lintPolicySet([q, p], {}, '/baseline_policies').map((f) => [f.code, f.pointer]),
      [
        ['unknown_country_code', '/baseline_policies/0/require/0/geo/country_code'],
        ['allow_everyone', '/baseline_policies/1/include/0'],
      ],
    );
  });
});
