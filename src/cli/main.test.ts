// Runs the real `portcullis` binary as a subprocess, as `npm start` does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/portcullis.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

test('demo --json decides every example user', () => {
  const r = run('demo', '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { users: { email: string; status: string; deciding_policy: string | null }[] };
  const by = Object.fromEntries(out.users.map((u) => [u.email, u]));
  assert.deepEqual(
    Object.fromEntries(out.users.map((u) => [u.email, u.status])),
    {
      'alice@example.com': 'approved',
      'bob@example.com': 'blocked',
      'carol@contractor.io': 'approved',
      'dave@contractor.io': 'blocked',
      'mallory@example.com': 'blocked',
      'erin@example.com': 'blocked',
      'kiosk@other.org': 'approved',
      'frank@example.com': 'blocked',
    },
  );
  assert.equal(by['mallory@example.com'].deciding_policy, 'Block high-risk users');
  assert.equal(by['kiosk@other.org'].deciding_policy, 'Office network bypass for the status page');
  assert.equal(by['bob@example.com'].deciding_policy, null);
});

test('demo explains a decision as a tree, in evaluation order', () => {
  const r = run('demo', '--explain', 'Carol@Contractor.io');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Granted by allow policy "Contractors from approved countries": Member of Access group "Contractors"\./);
  assert.match(r.stdout, /✔ okta: Member of Okta group "Contractors"\./);
  assert.ok(r.stdout.indexOf('bypass "Office network') < r.stdout.indexOf('deny "Block high-risk'), 'bypass policies are evaluated first');
});

test('demo with an unknown user fails with a clear message, no stack trace', () => {
  const r = run('demo', '--explain', 'nobody@example.com');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /No user with email nobody@example.com/);
  assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
});

test('--version prints the version of package.json and exits 0', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) {
    const r = run(flag);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${pkg.version}\n`);
  }
});

test('an unknown option says "unknown option" (with the likely one), before any missing required option; exit 2', () => {
  const mistyped = run('test', '--policy', 'policies.json', '--users', 'users.ndjson');
  assert.equal(mistyped.status, 2);
  assert.match(mistyped.stderr, /^error: unknown option '--policy'\n\(Did you mean --policies\?\)/);
  assert.doesNotMatch(mistyped.stderr, /required option/);
  const serve = run('serve', '--bogus');
  assert.equal(serve.status, 2);
  assert.match(serve.stderr, /^error: unknown option '--bogus'/);
  // A required option that is missing is still named, once no option is unknown.
  const missing = run('diff', '--before', 'a.json', '--users', 'users.ndjson');
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /^error: required option '--after <file>' not specified\n\(add --help for usage\)\n$/);
});
