// `portcullis diff`: gains and losses between two policy sets, with the rule that made the difference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXAMPLE_CATALOG, example, ndjson, portcullis, portcullisJson, tempFiles } from '../../../test/support/cli-harness.js';

interface RuleDiff {
  list: string;
  rule: Record<string, unknown>;
  before: string | null;
  after: string | null;
  reason: { code: string; message: string };
  pointer_before?: string;
  pointer_after?: string;
}
interface PolicyDiff {
  name: string;
  id?: string;
  before: { index: number; decision: string; outcome: string } | null;
  after: { index: number; decision: string; outcome: string } | null;
  rules: RuleDiff[];
}
interface DiffJson {
  total_users: number;
  unchanged: number;
  gained: number;
  lost: number;
  changed: number;
  before: { policies: number; users_approved: number };
  after: { policies: number; users_approved: number };
  users: {
    email: string;
    change: string;
    before: { status: string; deciding_policy: { name: string } | null };
    after: { status: string; deciding_policy: { name: string } | null };
    differences: PolicyDiff[];
  }[];
}

const EXAMPLE_DIFF = ['diff', '--before', example('policies.json'), '--after', example('policies-after.json'), ...EXAMPLE_CATALOG, '--users', example('users.ndjson')];

test('diff --json: who gains and who loses access, with the deciding policies and the rules that differ', () => {
  const { result, json } = portcullisJson<DiffJson>(EXAMPLE_DIFF);
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual([json.total_users, json.unchanged, json.gained, json.lost, json.changed], [8, 5, 2, 1, 0]);
  assert.deepEqual([json.before.users_approved, json.after.users_approved], [3, 4]);
  assert.deepEqual(json.users.map((u) => [u.email, u.change, u.before.status, u.after.status]), [
    ['carol@contractor.io', 'lost', 'approved', 'blocked'],
    ['dave@contractor.io', 'gained', 'blocked', 'approved'],
    ['erin@example.com', 'gained', 'blocked', 'approved'],
  ]);

  const carol = json.users[0];
  assert.equal(carol.before.deciding_policy?.name, 'Contractors from approved countries');
  assert.equal(carol.after.deciding_policy, null);
  assert.equal(carol.differences.length, 1, 'only the policy that made the difference');
  const contractors = carol.differences[0];
  assert.equal(contractors.name, 'Contractors from approved countries');
  assert.deepEqual([contractors.before?.outcome, contractors.after?.outcome], ['matched', 'not_matched']);
  assert.deepEqual(
    contractors.rules.map((r) => [r.list, r.rule, r.before, r.after, r.reason.code]),
    [
      ['require', { geo: { country_code: 'IN' } }, null, 'not_matched', 'country_mismatch'],
      ['require', { geo: { country_code: 'DE' } }, 'matched', null, 'country_match'],
    ],
  );
  assert.equal(contractors.rules[0].pointer_after, '/policies/3/require/0');

  const erin = json.users[2];
  assert.equal(erin.after.deciding_policy?.name, 'Employees with MFA');
  assert.deepEqual(
    erin.differences.map((d) => [d.name, d.before?.outcome, d.after?.outcome, d.rules.map((r) => [r.list, r.before, r.after, r.reason.message])]),
    [['Employees with MFA', 'not_matched', 'matched', [['exclude', 'matched', null, 'IP 203.0.113.7 is in 203.0.113.0/24.']]]],
  );
});

test('diff prints gains and losses with the differing rules, and --fail-on-change exits 1', () => {
  const r = portcullis(EXAMPLE_DIFF);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^2 users gain access, 1 user loses access, 0 users change between blocked and error, 5 users unchanged\.$/m);
  assert.match(r.stdout, /^Gain access \(2\):$/m);
  assert.match(r.stdout, /^ {2}carol@contractor\.io \(Carol \(contractor, Germany\)\): approved → blocked$/m);
  assert.match(r.stdout, /^ {4}before: approved by allow "Contractors from approved countries" \[3\]$/m);
  assert.match(r.stdout, /^ {4}after: {2}blocked: no policy matched \(blocked by default\)$/m);
  assert.match(r.stdout, /^ {4}~ allow "Contractors from approved countries": ✔ matched → ✘ not_matched$/m);
  assert.match(r.stdout, /^ {8}\+ require \{"geo":\{"country_code":"IN"\}\} \(added\): not_matched — Country DE is not IN\.$/m);
  assert.match(r.stdout, /^ {8}- exclude \{"ip":\{"ip":"203\.0\.113\.0\/24"\}\} \(removed\): was matched — IP 203\.0\.113\.7 is in 203\.0\.113\.0\/24\.$/m);

  const failing = portcullis([...EXAMPLE_DIFF, '--fail-on-change']);
  assert.equal(failing.status, 1);
  assert.equal(failing.stdout, r.stdout);
  const same = portcullis(['diff', '--before', example('policies.json'), '--after', example('policies.json'), ...EXAMPLE_CATALOG, '--users', example('users.ndjson'), '--fail-on-change']);
  assert.equal(same.status, 0, same.stderr);
  assert.match(same.stdout, /^No user gains or loses access\.$/m);
});

test('diff matches policies by id, reports added and removed policies, decision changes and reordering', () => {
  const files = tempFiles({
    'before.json': [
      { id: 'a', name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] },
      { id: 'b', name: 'Interns', decision: 'deny', include: [{ email: { email: 'intern@example.com' } }] },
    ],
    'after.json': {
      result: [
        { id: 'b', name: 'Interns (renamed)', decision: 'deny', include: [{ email: { email: 'intern@example.com' } }] },
        { id: 'a', name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] },
        { id: 'c', name: 'Guests', decision: 'allow', include: [{ email: { email: 'guest@other.org' } }] },
      ],
    },
    'users.ndjson': ndjson([{ email: 'intern@example.com' }, { email: 'guest@other.org' }, { email: 'staff@example.com' }]),
  });
  try {
    const { result, json } = portcullisJson<DiffJson>(['diff', '--before', files.path('before.json'), '--after', files.path('after.json'), '--users', files.path('users.ndjson')]);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(json.users.map((u) => [u.email, u.change]), [['intern@example.com', 'lost'], ['guest@other.org', 'gained']]);
    const intern = json.users[0].differences;
    // The deny moved ahead of the allow: matched by id despite the new name.
    assert.deepEqual(intern.map((d) => [d.id, d.name, d.before?.outcome, d.after?.outcome]), [
      ['b', 'Interns (renamed)', 'skipped', 'matched'],
      ['a', 'Staff', 'matched', 'skipped'],
    ]);
    const guest = json.users[1].differences;
    assert.deepEqual(guest.map((d) => [d.id, d.before, d.after?.outcome]), [['c', null, 'matched']]);
  } finally {
    files.cleanup();
  }
});

test('diff --limit caps the users described, not the counts', () => {
  const { json } = portcullisJson<DiffJson>([...EXAMPLE_DIFF, '--limit', '1']);
  assert.deepEqual([json.gained, json.lost], [2, 1]);
  assert.deepEqual(json.users.map((u) => u.email), ['carol@contractor.io', 'dave@contractor.io']);
  const human = portcullis([...EXAMPLE_DIFF, '--limit', '1']);
  assert.match(human.stdout, /^Gain access \(2, first 1 shown \(--limit N for more\)\):$/m);
  assert.doesNotMatch(human.stdout, /erin@example\.com/);
});

test("diff --app compares only the application's policies, by precedence: a change to a policy it does not use changes nobody", () => {
  const files = tempFiles({
    'apps.json': {
      apps: [
        { name: 'Status page', policies: ['Office network bypass for the status page', 'Block high-risk users', 'Employees with MFA', 'Contractors from approved countries'] },
        { name: 'Staff wiki', domain: 'wiki.example.com', policies: ['Block high-risk users', 'Employees with MFA'] },
      ],
    },
  });
  try {
    const run = (app: string) => portcullisJson<DiffJson & { application: { name: string } }>([...EXAMPLE_DIFF, '--apps', files.path('apps.json'), '--app', app]);
    const status = run('Status page');
    assert.equal(status.result.status, 0, status.result.stderr);
    assert.equal(status.json.application.name, 'Status page');
    assert.deepEqual([status.json.gained, status.json.lost], [2, 1], 'all four policies: as the whole files differ');
    const wiki = run('Staff wiki');
    assert.equal(wiki.result.status, 0, wiki.result.stderr);
    assert.deepEqual([wiki.json.before.policies, wiki.json.after.policies], [2, 2]);
    // Only Erin's change (the exclude removed from "Employees with MFA") touches this application.
    assert.deepEqual(wiki.json.users.map((u) => [u.email, u.change]), [['erin@example.com', 'gained']]);
    const human = portcullis([...EXAMPLE_DIFF, '--apps', files.path('apps.json'), '--app', 'Staff wiki', '--fail-on-change']);
    assert.equal(human.status, 1);
    assert.match(human.stdout, /^Policy diff: application "Staff wiki" \(wiki\.example\.com\), by precedence: 2 policies in .+policies\.json → 2 policies in .+policies-after\.json \(applications from .+apps\.json\), 8 users from /);
    assert.match(human.stdout, /1 user gains access, 0 users lose access/);
  } finally {
    files.cleanup();
  }
});
