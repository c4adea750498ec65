// `portcullis check`: golden expectations; failing cases are printed with their explanation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXAMPLE_CATALOG, example, ndjson, portcullis, portcullisJson, STACK_TRACE, tempFiles } from '../../../test/support/cli-harness.js';

interface CheckJson {
  cases: number;
  passed: number;
  failed: number;
  results: {
    user: string;
    pointer: string;
    line?: number;
    expect: string;
    status: string | null;
    pass: boolean;
    policies?: string[];
    note?: string;
    deciding_policy: { name: string } | null;
    reason?: string;
    explanation?: { summary: string };
  }[];
}

const check = (expectations: string, policies = example('policies.json'), users = example('users.ndjson')) => [
  'check', '--expect', expectations, '--policies', policies, ...EXAMPLE_CATALOG, '--users', users,
];

test('check: the example expectations hold for the example policies', () => {
  const r = portcullis(check(example('expectations.yaml')));
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^✔ alice@example\.com is approved — engineers with MFA keep access$/m);
  assert.match(r.stdout, /^✔ mallory@example\.com is blocked \(policies: Block high-risk users\) — /m);
  assert.match(r.stdout, /^All 5 cases passed\.$/m);
});

test('check fails on a broken expectation and prints the failing case with its explanation tree', () => {
  const r = portcullis(check(example('expectations.yaml'), example('policies-after.json')));
  assert.equal(r.status, 1);
  assert.match(r.stdout, /^✘ carol@contractor\.io: expected approved, got blocked — contractors working from Germany keep access \(.*expectations\.yaml:12\)$/m);
  // One sentence first: the allow policy that came closest and the rule that stopped it.
  assert.match(r.stdout, /^ {4}Blocked: no policy matched \(deny by default\); the closest, allow policy "Contractors from approved countries", requires what this user lacks: Country DE is not IN\.$/m);
  // A deny policy that did not match did not decide: one line, no rules.
  assert.match(r.stdout, /^ {4}✘ \[0\] deny "Block high-risk users" — not_matched \(did not decide; rules not shown\)$/m);
  // Lists are named by their names, not their ids.
  assert.match(r.stdout, /✘ ip_list: IP 192\.0\.2\.50 is not in list "Office egress IPs"\./);
  assert.match(r.stdout, /^ {4}✘ \[3\] allow "Contractors from approved countries" — not_matched$/m);
  assert.match(r.stdout, /^ {10}✘ geo: Country DE is not IN\.$/m);
  assert.match(r.stdout, /^1 case failed, 4 passed\.$/m);

  const { result, json } = portcullisJson<CheckJson>(check(example('expectations.yaml'), example('policies-after.json')));
  assert.equal(result.status, 1);
  assert.deepEqual([json.cases, json.passed, json.failed], [5, 4, 1]);
  const carol = json.results.find((x) => !x.pass)!;
  assert.deepEqual([carol.user, carol.pointer, carol.line, carol.expect, carol.status], ['carol@contractor.io', '/cases/2', 12, 'approved', 'blocked']);
  assert.match(carol.explanation?.summary ?? '', /^Blocked: no policy matched \(deny by default\); the closest, allow policy "Contractors from approved countries"/);
  assert.equal(json.results.filter((x) => x.explanation !== undefined).length, 1, 'explanations only for failing cases');
});

test('check: a policies subset by name or id, JSON expectations, and a user missing from the directory', () => {
  const files = tempFiles({
    'policies.json': [
      { id: 'p-deny', name: 'Block contractors', decision: 'deny', include: [{ email_domain: { domain: 'contractor.io' } }] },
      { id: 'p-all', name: 'Everyone', decision: 'allow', include: [{ everyone: {} }] },
    ],
    'expect.json': [
      { user: 'ann@contractor.io', expect: 'blocked' },
      { user: 'ann@contractor.io', expect: 'approved', policies: ['Everyone'], note: 'alone, Everyone lets her in' },
      { user: 'ann@contractor.io', expect: 'blocked', policies: ['p-deny'] },
      { user: 'gone@example.com', expect: 'approved' },
    ],
    'users.ndjson': ndjson([{ email: 'Ann@Contractor.io' }, { email: 'bob@example.com' }]),
  });
  try {
    const { result, json } = portcullisJson<CheckJson>(['check', '--expect', files.path('expect.json'), '--policies', files.path('policies.json'), '--users', files.path('users.ndjson')]);
    assert.equal(result.status, 1);
    assert.deepEqual(json.results.map((x) => [x.status, x.pass, x.deciding_policy?.name ?? null]), [
      ['blocked', true, 'Block contractors'],
      ['approved', true, 'Everyone'],
      ['blocked', true, 'Block contractors'],
      [null, false, null],
    ]);
    assert.equal(json.results[3].reason, 'user_not_found');
    const human = portcullis(['check', '--expect', files.path('expect.json'), '--policies', files.path('policies.json'), '--users', files.path('users.ndjson')]);
    assert.match(human.stdout, /^✘ gone@example\.com: expected approved, but the user is not in .*users\.ndjson/m);
  } finally {
    files.cleanup();
  }
});

test('check: malformed expectations are bad input, each with its line and pointer', () => {
  const files = tempFiles({
    'bad.yaml': [
      'cases:',
      '  - user: alice@example.com',
      '    expect: allowed',
      '  - user: not-an-email',
      '    expect: blocked',
      '  - user: bob@example.com',
      '    expected: blocked',
      '  - user: carol@contractor.io',
      '    expect: approved',
      '    policies: [Employees with MFA, No such policy]',
      '',
    ].join('\n'),
    'broken.yaml': 'cases:\n  - user: [unclosed\n',
    // Aliases of aliases: each level ten times the last ("billion laughs").
    'bomb.yaml': ['a: &a ["x","x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`), 'cases: []', ''].join('\n'),
  });
  try {
    const r = portcullis(check(files.path('bad.yaml')));
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    const file = files.path('bad.yaml');
    assert.equal(
      r.stderr,
      [
        `${file}:3:13 /cases/0/expect: "expect" must be one of approved, blocked, error, got "allowed". [invalid_expectation]`,
        `${file}:4:11 /cases/1/user: "user" must be an email address, got "not-an-email". [invalid_expectation]`,
        `${file}:6:5 /cases/2/expect: The case has no "expect" (approved, blocked, error). [invalid_expectation]`,
        `${file}:7:15 /cases/2/expected: Unknown field "expected"; a case has user, expect, policies and note. [invalid_expectation]`,
        `${file}:10:36 /cases/3/policies/1: No policy with the id or name "No such policy" in ${example('policies.json')}. [unknown_policy]`,
        '',
      ].join('\n'),
    );
    const broken = portcullis(check(files.path('broken.yaml')));
    assert.equal(broken.status, 2);
    assert.match(broken.stderr, /broken\.yaml:\d+:\d+: Not valid YAML: .* \[invalid_yaml\]/);
    assert.doesNotMatch(broken.stderr, STACK_TRACE);
    const bomb = portcullis(check(files.path('bomb.yaml')));
    assert.equal(bomb.status, 2, bomb.stderr);
    assert.match(bomb.stderr, /bomb\.yaml: Not valid YAML: .*alias.* \[invalid_yaml\]/i);
    assert.doesNotMatch(bomb.stderr, STACK_TRACE);
  } finally {
    files.cleanup();
  }
});
