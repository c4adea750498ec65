// `portcullis test`, run as a subprocess on the examples and on files written to a temp dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { EXAMPLE_CATALOG, example, ndjson, portcullis, portcullisJson, STACK_TRACE, tempFiles } from '../../../test/support/cli-harness.js';

interface TestJson {
  policies: { index: number; id?: string; name: string; decision: string }[];
  total_users: number;
  users_approved: number;
  users_blocked: number;
  users_errored: number;
  percent_approved: number;
  percent_blocked: number;
  percent_errored: number;
  percent_users_processed: number;
  users: { id: string; email: string; name: string; status: string; deciding_policy: { index: number; id?: string; name: string; decision: string } | null }[];
  explanation?: { access: string; summary: string; deciding: { name: string } | null };
}

const EXAMPLE_RUN = ['test', '--policies', example('policies.json'), ...EXAMPLE_CATALOG, '--users', example('users.ndjson')];

test('test --json: counts and percentages like the API, every user with the policy that decided', () => {
  const { result, json } = portcullisJson<TestJson>(EXAMPLE_RUN);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stderr, '');
  // Whole percentages rounded as the API's progress rounds them (3/8 = 37.5% → 38).
  assert.deepEqual(
    [json.total_users, json.users_approved, json.users_blocked, json.users_errored, json.percent_approved, json.percent_blocked, json.percent_errored, json.percent_users_processed],
    [8, 3, 5, 0, 38, 63, 0, 100],
  );
  assert.deepEqual(json.policies.map((p) => [p.index, p.decision]), [[0, 'deny'], [1, 'bypass'], [2, 'allow'], [3, 'allow']]);
  const byEmail = Object.fromEntries(json.users.map((u) => [u.email, u]));
  assert.equal(json.users.length, 8);
  assert.equal(byEmail['alice@example.com'].status, 'approved');
  assert.equal(byEmail['alice@example.com'].id, 'u-alice');
  assert.equal(byEmail['alice@example.com'].deciding_policy?.name, 'Employees with MFA');
  assert.equal(byEmail['frank@example.com'].status, 'blocked');
  assert.deepEqual(byEmail['frank@example.com'].deciding_policy, { index: 0, name: 'Block high-risk users', decision: 'deny' });
  assert.equal(byEmail['bob@example.com'].deciding_policy, null, 'no policy matched: blocked by default');
  assert.equal(byEmail['kiosk@other.org'].deciding_policy?.decision, 'bypass');
});

test('test prints a status table and the users of each status', () => {
  const r = portcullis(EXAMPLE_RUN);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^approved\s+3\s+37\.50%$/m);
  assert.match(r.stdout, /^blocked\s+5\s+62\.50%$/m);
  assert.match(r.stdout, /^total\s+8\s+100\.00%$/m);
  assert.match(r.stdout, /^approved \(3\)$/m);
  assert.match(r.stdout, /^mallory@example\.com\s+Mallory \(on the watch list\)\s+deny "Block high-risk users"$/m);
  assert.match(r.stdout, /^bob@example\.com\s+Bob \(no MFA\)\s+\(no policy matched: blocked by default\)$/m);
  assert.doesNotMatch(r.stdout, /\u001b\[/, 'no colour when stdout is not a terminal');
});

test('test --status and --limit choose which users are listed; counts stay complete', () => {
  const r = portcullis([...EXAMPLE_RUN, '--status', 'blocked', '--limit', '2']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^blocked \(5, first 2 shown \(--limit N for more\)\)$/m);
  assert.doesNotMatch(r.stdout, /^approved \(/m);
  assert.doesNotMatch(r.stdout, /^alice@example\.com/m);
  assert.match(r.stdout, /^bob@example\.com/m);
  assert.match(r.stdout, /^dave@contractor\.io/m);
  assert.doesNotMatch(r.stdout, /^mallory@example\.com/m, 'the third blocked user is past the limit');

  const { json } = portcullisJson<TestJson>([...EXAMPLE_RUN, '--limit', '1']);
  assert.deepEqual(json.users.map((u) => u.email), ['alice@example.com', 'bob@example.com']);
  assert.equal(json.total_users, 8);
  const only = portcullisJson<TestJson>([...EXAMPLE_RUN, '--status', 'approved']).json;
  assert.deepEqual(only.users.map((u) => u.email), ['alice@example.com', 'carol@contractor.io', 'kiosk@other.org']);
});

test('test --explain prints the explanation tree in evaluation order, nested groups included', () => {
  const r = portcullis([...EXAMPLE_RUN, '--explain', 'Carol@Contractor.io']);
  assert.equal(r.status, 0, r.stderr);
  const tree = r.stdout.slice(r.stdout.indexOf('Why carol@contractor.io?'));
  assert.match(tree, /^Granted by allow policy "Contractors from approved countries": Member of Access group "Contractors"\.$/m);
  assert.match(tree, /^✔ \[3\] allow "Contractors from approved countries" — matched {2}← decided$/m);
  assert.match(tree, /^ {6}✔ group: Member of Access group "Contractors"\.$/m);
  assert.match(tree, /^ {12}✔ okta: Member of Okta group "Contractors"\.$/m);
  // Policies that did not decide are one line each; the deciding one shows its rules.
  assert.match(tree, /^✘ \[1\] bypass "Office network bypass for the status page" — not_matched \(did not decide; rules not shown\)$/m);
  assert.doesNotMatch(tree, /geo: Country DE is not US/);
  assert.ok(tree.indexOf('[1] bypass') < tree.indexOf('[0] deny'), 'bypass runs first');

  const { json } = portcullisJson<TestJson>([...EXAMPLE_RUN, '--explain', 'bob@example.com', '--limit', '0']);
  assert.equal(json.explanation?.access, 'blocked');
  assert.equal(json.explanation?.summary, 'Blocked: no policy matched (deny by default); the closest, allow policy "Employees with MFA", requires what this user lacks: Login used pwd, not "mfa".');
  assert.deepEqual(json.users, []);
});

test('test --explain of a user not in the file is bad input: exit 2, one clear line', () => {
  const r = portcullis([...EXAMPLE_RUN, '--explain', 'nobody@example.com']);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /users\.ndjson: No user with email nobody@example\.com in this file \(--explain\)\. \[user_not_found\]/);
  assert.doesNotMatch(r.stderr, STACK_TRACE);
});

test('test: a decision that depends on an undecidable rule is an error status, counted, not fatal', () => {
  const files = tempFiles({
    'policies.json': [
      { id: 'p-ext', name: 'External veto', decision: 'deny', include: [{ external_evaluation: { evaluate_url: 'https://veto.example.com/', keys_url: 'https://veto.example.com/keys' } }] },
      { id: 'p-emp', name: 'Employees', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] },
    ],
    'users.ndjson': ndjson([{ email: 'ann@example.com' }, { email: 'zed@other.org' }]),
  });
  try {
    const { result, json } = portcullisJson<TestJson>(['test', '--policies', files.path('policies.json'), '--users', files.path('users.ndjson'), '--explain', 'ann@example.com']);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual([json.users_approved, json.users_blocked, json.users_errored, json.percent_errored], [0, 1, 1, 50]);
    const ann = json.users.find((u) => u.email === 'ann@example.com')!;
    assert.equal(ann.status, 'error');
    assert.deepEqual(ann.deciding_policy, { index: 0, id: 'p-ext', name: 'External veto', decision: 'deny' });
    // The veto could only block, and zed is blocked anyway.
    assert.equal(json.users.find((u) => u.email === 'zed@other.org')!.status, 'blocked');
    assert.equal(json.explanation?.access, 'unknown');
    const human = portcullis(['test', '--policies', files.path('policies.json'), '--users', files.path('users.ndjson')]);
    assert.match(human.stdout, /^error \(1\)$/m);
    assert.match(human.stdout, /^email\s+name\s+undecidable policy$/m);
  } finally {
    files.cleanup();
  }
});

test('test: a user without an identity is evaluated on email and name only', () => {
  const files = tempFiles({
    'policies.json': [
      { name: 'US staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }], require: [{ geo: { country_code: 'US' } }] },
      { name: 'Named', decision: 'allow', include: [{ email: { email: 'ann@example.com' } }] },
    ],
    'users.json': [{ email: 'Ann@Example.com', name: 'Ann' }, { email: 'bo@example.com' }, { email: 'cy@example.com', identity: { email: 'cy@example.com', geo: { country: 'us' } } }],
  });
  try {
    const { result, json } = portcullisJson<TestJson>(['test', '--policies', files.path('policies.json'), '--users', files.path('users.json')]);
    assert.equal(result.status, 0, result.stderr);
    const status = Object.fromEntries(json.users.map((u) => [u.email, [u.status, u.deciding_policy?.name ?? null, u.id, u.name]]));
    assert.deepEqual(status, {
      'Ann@Example.com': ['approved', 'Named', 'Ann@Example.com', 'Ann'],
      'bo@example.com': ['blocked', null, 'bo@example.com', ''],
      'cy@example.com': ['approved', 'US staff', 'cy@example.com', ''],
    });
  } finally {
    files.cleanup();
  }
});

test('test accepts export files, API list responses and the import body, and carries policy ids', () => {
  const policies = [{ id: 'p1', name: 'Everyone at example.com', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }], created_at: '2026-01-01T00:00:00Z', reusable: true }];
  const files = tempFiles({
    'export.json': { policies, groups: [] },
    'list.json': { success: true, errors: [], messages: [], result: policies, result_info: { page: 1 } },
    'import.json': { users: [{ email: 'a@example.com' }, { email: 'b@other.org' }] },
  });
  try {
    for (const file of ['export.json', 'list.json']) {
      const { result, json } = portcullisJson<TestJson>(['test', '--policies', files.path(file), '--users', files.path('import.json')]);
      assert.equal(result.status, 0, result.stderr);
      assert.deepEqual(json.policies, [{ index: 0, id: 'p1', name: 'Everyone at example.com', decision: 'allow' }]);
      assert.deepEqual(json.users.map((u) => [u.email, u.status, u.deciding_policy?.id ?? null]), [['a@example.com', 'approved', 'p1'], ['b@other.org', 'blocked', null]]);
    }
  } finally {
    files.cleanup();
  }
});

test('test decides the CSV example exactly like the NDJSON one', () => {
  const fromNdjson = portcullisJson<TestJson>(EXAMPLE_RUN).json;
  const fromCsv = portcullisJson<TestJson>(['test', '--policies', example('policies.json'), ...EXAMPLE_CATALOG, '--users', example('users.csv')]).json;
  assert.deepEqual(fromCsv, fromNdjson);
});

test("test --app: the application's policies by precedence, links resolved in the policies file, its own policies whole", () => {
  // The example application: the same four policies, bypass first; Cloudflare's order of execution gives the same result.
  const app = portcullisJson<TestJson & { application: { name: string; domain: string } }>([...EXAMPLE_RUN, '--apps', example('application.json'), '--app', 'Status page']);
  assert.equal(app.result.status, 0, app.result.stderr);
  assert.deepEqual(app.json.application, { name: 'Status page', domain: 'status.example.com' });
  assert.deepEqual(app.json.policies.map((p) => p.name), ['Office network bypass for the status page', 'Block high-risk users', 'Employees with MFA', 'Contractors from approved countries']);
  assert.equal(app.json.users_approved, 3);

  const files = tempFiles({
    'apps.json': [
      { id: 'app-other', name: 'Other', policies: [] },
      {
        id: 'app-wiki',
        name: 'Wiki',
        domain: 'wiki.example.com',
        // Listed out of order: precedence decides (a plain name takes its place in the list). Employees before the block, so Mallory (MFA, on the watch list) gets in;
        // no contractors policy, so Carol does not; and an application-scoped policy lets the kiosk in by name.
        policies: [
          'Employees with MFA',
          { id: 'wiki-kiosk', name: 'Wiki kiosk', decision: 'allow', include: [{ email: { email: 'kiosk@other.org' } }], precedence: 3, reusable: false },
          { id: 'block', precedence: 2, reusable: true, name: 'Block high-risk users' },
        ],
      },
    ],
  });
  try {
    // The example policies with ids, as an export has them.
    const withIds = JSON.parse(readFileSync(example('policies.json'), 'utf8')) as { name: string }[];
    writeFileSync(files.path('policies.json'), JSON.stringify(withIds.map((p) => (p.name === 'Block high-risk users' ? { id: 'block', ...p } : p))));
    const run = (...extra: string[]) => portcullisJson<TestJson>(['test', '--policies', files.path('policies.json'), ...EXAMPLE_CATALOG, '--users', example('users.ndjson'), '--apps', files.path('apps.json'), ...extra]);
    const wiki = run('--app', 'Wiki');
    assert.equal(wiki.result.status, 0, wiki.result.stderr);
    assert.deepEqual(wiki.json.policies.map((p) => [p.index, p.name, p.id ?? null]), [
      [0, 'Employees with MFA', null],
      [1, 'Block high-risk users', 'block'],
      [2, 'Wiki kiosk', 'wiki-kiosk'],
    ]);
    const status = Object.fromEntries(wiki.json.users.map((u) => [u.email, `${u.status} ${u.deciding_policy?.name ?? '-'}`]));
    assert.equal(status['mallory@example.com'], 'approved Employees with MFA', 'the allow at precedence 1 decides before the block');
    assert.equal(status['frank@example.com'], 'approved Employees with MFA', 'in file order the block decides first for both');
    assert.equal(status['bob@example.com'], 'blocked -');
    assert.equal(status['carol@contractor.io'], 'blocked -', 'the contractors policy is not one of this application');
    assert.equal(status['kiosk@other.org'], 'approved Wiki kiosk');
    assert.deepEqual(run('--app', 'app-wiki').json.users, wiki.json.users, 'an application is found by id too');

    const human = portcullis(['test', '--policies', files.path('policies.json'), ...EXAMPLE_CATALOG, '--users', example('users.ndjson'), '--apps', files.path('apps.json'), '--app', 'Wiki']);
    assert.match(human.stdout, /^Policy test: application "Wiki" \(wiki\.example\.com\): 3 policies by precedence, from .+apps\.json and .+policies\.json, 8 users from /);

    const unknown = run('--app', 'Nothing');
    assert.equal(unknown.result.status, 2);
    assert.match(unknown.result.stderr, /apps\.json: No application named "Nothing" \(or with that id\) in this file \(--app\); it has "Other", "Wiki"\. \[unknown_application\]/);
    writeFileSync(files.path('apps.json'), JSON.stringify([{ name: 'Wiki', policies: ['Employees with MFA', 'Gone'] }]));
    const missing = run('--app', 'Wiki');
    assert.equal(missing.result.status, 2);
    assert.match(missing.result.stderr, /apps\.json:\d+:\d+ \/0\/policies\/1: Application "Wiki" uses the reusable policy "Gone", which is not in .+policies\.json \(by id or name\)\. \[unknown_policy\]/);
    const noApps = portcullis([...EXAMPLE_RUN, '--app', 'Wiki']);
    assert.equal(noApps.status, 2);
    assert.match(noApps.stderr, /policies\.json: This policies file holds no applications .+ name the applications file with --apps/);
    assert.doesNotMatch(noApps.stderr, STACK_TRACE);
  } finally {
    files.cleanup();
  }
});
