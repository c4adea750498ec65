// `portcullis lint`: validation errors and lint warnings with file, line, JSON pointer and code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { example, portcullis, portcullisJson, STACK_TRACE, tempFiles } from '../../../test/support/cli-harness.js';

interface LintJson {
  files: { file: string; kinds: string[] }[];
  errors: number;
  warnings: number;
  findings: { file: string; line?: number; column?: number; pointer: string; severity: string; code: string; message: string }[];
}

const EXPORT = `{
  "groups": [
    { "id": "g1", "name": "Loop A", "include": [{ "group": { "id": "g2" } }] },
    { "id": "g2", "name": "Loop B", "include": [{ "group": { "id": "g1" } }] }
  ],
  "policies": [
    { "name": "OTP only", "decision": "allow", "include": [{ "login_method": { "id": "otp" } }] },
    { "name": "Dup", "decision": "allow", "include": [{ "email": { "email": "a@b.co" } }, { "email": { "email": "A@b.co" } }] },
    { "name": "Wrong list", "decision": "allow", "include": [{ "ip_list": { "id": "watchlist-emails" } }] },
    { "name": "Ghost IdP", "decision": "allow", "include": [{ "okta": { "identity_provider_id": "ghost", "name": "x" } }] }
  ]
}
`;

test('lint: the examples are clean', () => {
  const r = portcullis(['lint', example('policies.json'), example('groups.json'), '--lists', example('lists.json'), '--idps', example('idps.json')]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(r.stdout, 'No problems in 2 files.\n');
});

test('lint reports errors and warnings with file, line, pointer and code, and exits 1 on errors', () => {
  const files = tempFiles({ 'export.json': EXPORT });
  try {
    const args = ['lint', files.path('export.json'), '--lists', example('lists.json'), '--idps', example('idps.json')];
    const { result, json } = portcullisJson<LintJson>(args);
    assert.equal(result.status, 1);
    assert.deepEqual(json.files, [{ file: files.path('export.json'), kinds: ['groups', 'policies'] }]);
    assert.deepEqual(
      json.findings.map((f) => [f.line, f.pointer, f.severity, f.code]),
      [
        [3, '/groups/0/include/0/group/id', 'error', 'group_cycle'],
        [4, '/groups/1/include/0/group/id', 'error', 'group_cycle'],
        [7, '/policies/0/include', 'warning', 'allow_only_otp'],
        [8, '/policies/1/include/1', 'warning', 'duplicate_rule'],
        [9, '/policies/2/include/0/ip_list/id', 'error', 'list_type_mismatch'],
        [10, '/policies/3/include/0/okta/identity_provider_id', 'error', 'unknown_identity_provider'],
      ],
    );
    assert.deepEqual([json.errors, json.warnings], [4, 2]);
    const human = portcullis(args);
    assert.equal(human.status, 1);
    assert.match(human.stdout, new RegExp(`^${files.path('export.json')}:9:\\d+ /policies/2/include/0/ip_list/id: error: Gateway list "watchlist-emails" is of type EMAIL; a ip_list rule needs a list of type IP\\. \\[list_type_mismatch\\]$`, 'm'));
    assert.match(human.stdout, /^.*export\.json:8:\d+ \/policies\/1\/include\/1: warning: .* \[duplicate_rule\]$/m);
    assert.match(human.stdout, /^4 errors, 2 warnings in 1 file\.$/m);
  } finally {
    files.cleanup();
  }
});

test('lint: warnings exit 0, or 1 with --strict; references are checked only against what is given', () => {
  const files = tempFiles({
    'policies.json': [
      { name: 'Everyone', decision: 'allow', include: [{ everyone: {} }] },
      { name: 'Later', decision: 'allow', include: [{ group: { id: 'not-given' } }] },
    ],
  });
  try {
    const r = portcullis(['lint', files.path('policies.json')]);
    assert.equal(r.status, 0, r.stdout);
    assert.match(r.stdout, /\/0\/include\/0: warning: .*\[allow_everyone\]/);
    assert.match(r.stdout, /\/1: warning: .*\[unreachable_policy\]/);
    assert.doesNotMatch(r.stdout, /unknown_group/, 'no groups file, no group check');
    assert.equal(portcullis(['lint', '--strict', files.path('policies.json')]).status, 1);
    const withGroups = portcullisJson<LintJson>(['lint', files.path('policies.json'), '--groups', example('groups.json')]);
    assert.equal(withGroups.result.status, 1);
    const unknown = withGroups.json.findings.find((f) => f.code === 'unknown_group')!;
    assert.deepEqual([unknown.pointer, unknown.line, unknown.severity], ['/1/include/0/group/id', 17, 'error']);
  } finally {
    files.cleanup();
  }
});

test('lint: validation errors of every policy at once, with their pointers', () => {
  const files = tempFiles({
    'policies.json': `[
  { "name": "Typo", "decision": "allow", "include": [{ "emial": { "email": "a@b.co" } }] },
  { "name": "", "decision": "permit", "include": [] },
  { "name": "Fine", "decision": "allow", "include": [{ "everyone": {} }] }
]`,
  });
  try {
    const { result, json } = portcullisJson<LintJson>(['lint', '--policies', files.path('policies.json')]);
    assert.equal(result.status, 1);
    assert.deepEqual(
      json.findings.map((f) => [f.line, f.pointer, f.code]),
      [
        [2, '/0/include/0/emial', 'rule_unknown_selector'],
        [3, '/1/name', 'empty_string'],
        [3, '/1/decision', 'invalid_enum'],
        [3, '/1/include', 'empty_include'],
        [4, '/2/include/0', 'allow_everyone'],
      ],
    );
    assert.match(json.findings[0].message, /Did you mean "email"\?/);
  } finally {
    files.cleanup();
  }
});

test('lint: files that are not policies or groups, or not JSON, are bad input (exit 2)', () => {
  const files = tempFiles({ 'users.ndjson': '{"email":"a@example.com"}\n{"email":"b@example.com"}\n', 'number.json': '42' });
  try {
    const r = portcullis(['lint', files.path('users.ndjson'), files.path('number.json'), files.path('missing.json')]);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 3, r.stderr);
    assert.match(lines[0], /users\.ndjson:2:1: Not valid JSON: Unexpected non-whitespace character after JSON\. \[invalid_json\]$/);
    assert.match(lines[1], /number\.json:1:1: Expected policies or Access groups: .* \[invalid_shape\]$/);
    assert.match(lines[2], /missing\.json: No such file\. \[file_not_found\]$/);
    assert.doesNotMatch(r.stderr, STACK_TRACE);
    const none = portcullis(['lint']);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /^error: name at least one file to lint$/m);
  } finally {
    files.cleanup();
  }
});
