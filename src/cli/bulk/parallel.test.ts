// The parallel path (worker threads, chunks of 1 MiB) must print exactly what one thread prints:
// the same counts, the same users in the same order, the same problems at the same lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXAMPLE_CATALOG, example, portcullis, STACK_TRACE, tempFiles } from '../../../test/support/cli-harness.js';

/** Enough users for several 1 MiB chunks, with varied decisions. */
function users(count: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const domain = ['example.com', 'contractor.io', 'other.org'][i % 3];
    const email = `user${i}@${domain}`;
    lines.push(
      JSON.stringify({
        id: `u${i}`,
        email,
        name: `User ${i} ${'x'.repeat(i % 40)}`,
        identity: {
          email,
          idp: { id: i % 2 === 0 ? 'google-workspace' : 'okta' },
          groups: i % 5 === 0 ? [{ name: 'Contractors' }, { email: 'eng@example.com' }] : [],
          amr: i % 4 === 0 ? ['pwd'] : ['pwd', 'mfa'],
          geo: { country: ['US', 'DE', 'IN'][i % 3] },
          ip: `192.0.2.${i % 250}`,
          user_risk_score: i % 97 === 0 ? 'high' : 'low',
        },
      }),
    );
  }
  return lines;
}

const run = (usersFile: string, workers: number, extra: string[] = []) =>
  portcullis(['test', '--policies', example('policies.json'), ...EXAMPLE_CATALOG, '--users', usersFile, '--json', '--workers', String(workers), ...extra]);

test('test in worker threads prints exactly what one thread prints', () => {
  const lines = users(12_000);
  const files = tempFiles({ 'users.ndjson': lines.join('\n') + '\n' });
  try {
    const single = run(files.path('users.ndjson'), 0, ['--explain', 'user11998@contractor.io']);
    const parallel = run(files.path('users.ndjson'), 2, ['--explain', 'user11998@contractor.io']);
    assert.equal(single.status, 0, single.stderr);
    assert.equal(parallel.status, 0, parallel.stderr);
    const json = JSON.parse(parallel.stdout) as { total_users: number; users_approved: number; users: { email: string }[] };
    assert.equal(json.total_users, 12_000);
    assert.equal(json.users.length, 12_000);
    assert.equal(json.users[11_999].email, 'user11999@other.org', 'users stay in file order');
    assert.ok(json.users_approved > 0 && json.users_approved < 12_000);
    assert.equal(parallel.stdout, single.stdout);
    const limited = [run(files.path('users.ndjson'), 0, ['--limit', '3']), run(files.path('users.ndjson'), 3, ['--limit', '3'])];
    assert.equal(limited[1].stdout, limited[0].stdout);
  } finally {
    files.cleanup();
  }
});

test('problems found in worker threads name the same lines as in one thread', () => {
  const lines = users(9_000);
  lines[4_999] = '{"email": "broken@example.com",';
  lines[8_000] = JSON.stringify({ email: 'USER3@example.com' });
  lines[8_500] = JSON.stringify({ name: 'nobody' });
  const files = tempFiles({ 'users.ndjson': lines.join('\r\n') + '\r\n' });
  try {
    const single = run(files.path('users.ndjson'), 0);
    const parallel = run(files.path('users.ndjson'), 2);
    assert.equal(single.status, 2);
    assert.equal(parallel.status, 2);
    assert.equal(parallel.stderr, single.stderr);
    const file = files.path('users.ndjson');
    assert.equal(
      parallel.stderr,
      [
        `${file}:5000:32: Not valid JSON: Expected double-quoted property name. [invalid_json]`,
        `${file}:8001 /email: The email USER3@example.com already appears on line 4. [duplicate_user]`,
        `${file}:8501 /email: The user has no "email". [invalid_user]`,
        '',
      ].join('\n'),
    );
    assert.doesNotMatch(parallel.stderr, STACK_TRACE);
    assert.deepEqual(JSON.parse(parallel.stdout).problems.map((p: { line: number }) => p.line), [5000, 8001, 8501]);
  } finally {
    files.cleanup();
  }
});

test('diff in worker threads prints exactly what one thread prints', () => {
  const files = tempFiles({ 'users.ndjson': users(6_000).join('\n') });
  try {
    const args = (workers: number) => [
      'diff', '--before', example('policies.json'), '--after', example('policies-after.json'), ...EXAMPLE_CATALOG,
      '--users', files.path('users.ndjson'), '--json', '--workers', String(workers),
    ];
    const single = portcullis(args(0));
    const parallel = portcullis(args(2));
    assert.equal(single.status, 0, single.stderr);
    assert.equal(parallel.stdout, single.stdout);
    const json = JSON.parse(parallel.stdout) as { gained: number; lost: number; users: unknown[] };
    assert.ok(json.gained > 0 && json.lost > 0);
    assert.equal(json.users.length, json.gained + json.lost);
  } finally {
    files.cleanup();
  }
});

test("test --app in worker threads: each worker loads the application's policy set as this thread does", () => {
  const files = tempFiles({
    'users.ndjson': users(12_000).join('\n') + '\n',
    // The contractors policy before the employees one, and no block: a different set from the file's.
    'apps.json': [{ name: 'Wiki', policies: ['Contractors from approved countries', 'Employees with MFA'] }],
  });
  try {
    const app = ['--apps', files.path('apps.json'), '--app', 'Wiki'];
    const single = run(files.path('users.ndjson'), 0, app);
    const parallel = run(files.path('users.ndjson'), 2, app);
    assert.equal(parallel.status, 0, parallel.stderr);
    assert.equal(parallel.stdout, single.stdout);
    const json = JSON.parse(parallel.stdout) as { policies: { name: string }[]; users_approved: number };
    assert.deepEqual(json.policies.map((p) => p.name), ['Contractors from approved countries', 'Employees with MFA']);
    assert.notEqual(json.users_approved, (JSON.parse(run(files.path('users.ndjson'), 2).stdout) as { users_approved: number }).users_approved, 'not the whole file');
  } finally {
    files.cleanup();
  }
});

test('a line past the limit stops the read with line_too_long, in worker threads as in one thread; lines spanning read chunks stay whole', () => {
  const lines = users(2_000);
  // Two names of 900,000 characters: within the limit, the second spanning a 1 MiB read chunk.
  lines[1_000] = JSON.stringify({ email: 'long-name@example.com', name: 'n'.repeat(900_000) });
  lines[1_001] = JSON.stringify({ email: 'longer-name@example.com', name: 'm'.repeat(900_000) });
  const files = tempFiles({ 'users.ndjson': lines.join('\n') + '\n', 'huge.ndjson': `${lines[0]}\n${'x'.repeat(13 << 20)}\n${lines[1]}\n` });
  try {
    const single = run(files.path('users.ndjson'), 0);
    const parallel = run(files.path('users.ndjson'), 2);
    assert.equal(parallel.status, 0, parallel.stderr);
    assert.equal(parallel.stdout, single.stdout);
    assert.equal((JSON.parse(parallel.stdout) as { total_users: number }).total_users, 2_000);
    for (const workers of [0, 2]) {
      const huge = run(files.path('huge.ndjson'), workers);
      assert.equal(huge.status, 2, huge.stderr);
      assert.match(huge.stderr, /huge\.ndjson.*longer than .* \[line_too_long\]/);
      assert.doesNotMatch(huge.stderr, STACK_TRACE);
    }
  } finally {
    files.cleanup();
  }
});
