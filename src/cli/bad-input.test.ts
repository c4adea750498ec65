// Bad input never produces a stack trace: one clear line per problem, naming the file and the
// line or JSON pointer, every problem of a run at once, and exit code 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXAMPLE_CATALOG, example, ndjson, portcullis, STACK_TRACE, tempFiles } from '../../test/support/cli-harness.js';

const GOOD_POLICIES = [{ name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] }];

/** stderr lines, after checking the run failed as bad input with nothing on stdout. */
function badInput(args: string[]): string[] {
  const r = portcullis(args);
  assert.equal(r.status, 2, `expected exit 2, got ${r.status}\n${r.stdout}\n${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.doesNotMatch(r.stderr, STACK_TRACE);
  return r.stderr.trimEnd().split('\n');
}

test('missing files: every one is named, at once', () => {
  const lines = badInput(['test', '--policies', 'nope/policies.json', '--users', 'nope/users.ndjson', '--groups', 'nope/groups.json', '--lists', 'examples']);
  assert.deepEqual(lines, [
    'nope/groups.json: No such file. [file_not_found]',
    'examples: This is a directory, not a file. [file_unreadable]',
    'nope/policies.json: No such file. [file_not_found]',
    'nope/users.ndjson: No such file. [file_not_found]',
  ]);
});

test('malformed JSON names the line and column', () => {
  const files = tempFiles({
    'trailing-comma.json': '[\n  { "name": "A", "decision": "allow", "include": [] },\n]\n',
    'missing-comma.json': '[\n  { "name": "A"\n    "decision": "allow" }\n]',
    'truncated.json': '[{"name": "A", "decision": "allow", "include": [{"everyone": {}}]',
    'empty.json': '',
    'users.ndjson': ndjson([{ email: 'a@example.com' }]),
  });
  try {
    for (const [file, where, message] of [
      ['trailing-comma.json', ':3:1', 'Unexpected character "]"'],
      ['missing-comma.json', ':3:5', "Expected ',' or '}' after property value"],
      ['truncated.json', ':1:66', "Expected ',' or '}' after property value"],
      ['empty.json', ':1:1', 'Unexpected end of the JSON text'],
    ]) {
      const lines = badInput(['test', '--policies', files.path(file), '--users', files.path('users.ndjson')]);
      assert.deepEqual(lines, [`${files.path(file)}${where}: Not valid JSON: ${message}. [invalid_json]`]);
    }
  } finally {
    files.cleanup();
  }
});

test('invalid policies: unknown rule kinds and bad values, with pointers and lines; wrong file shapes', () => {
  const files = tempFiles({
    'policies.json': `[
  { "name": "A", "decision": "allow", "include": [{ "emial": { "email": "a@example.com" } }] },
  { "name": "B", "decision": "allow", "include": [{ "ip": { "ip": "10.0.0.300/8" } }],
    "require": [{ "geo": { "country_code": "USA" } }] }
]`,
    'object.json': { name: 'not a list' },
    'users.ndjson': ndjson([{ email: 'a@example.com' }]),
  });
  try {
    const lines = badInput(['test', '--policies', files.path('policies.json'), '--users', files.path('users.ndjson')]);
    assert.equal(lines.length, 3, lines.join('\n'));
    assert.match(lines[0], /policies\.json:2:62 \/0\/include\/0\/emial: Unknown selector "emial"\. Did you mean "email"\? \[rule_unknown_selector\]$/);
    assert.match(lines[1], /policies\.json:3:67 \/1\/include\/0\/ip\/ip: .*"10\.0\.0\.300\/8".* \[invalid_cidr\]$/);
    assert.match(lines[2], /policies\.json:4:44 \/1\/require\/0\/geo\/country_code: .* \[invalid_country_code\]$/);
    const shape = badInput(['test', '--policies', files.path('object.json'), '--users', files.path('users.ndjson')]);
    assert.deepEqual(shape, [`${files.path('object.json')}:1:1: Expected a JSON array of policies, or an object with a "policies" or "result" array. [invalid_shape]`]);
  } finally {
    files.cleanup();
  }
});

test('references to groups and lists that are not given, or of the wrong type', () => {
  const files = tempFiles({
    'policies.json': [
      { name: 'G', decision: 'allow', include: [{ group: { id: 'ghost-group' } }] },
      { name: 'L', decision: 'allow', include: [{ ip_list: { id: 'watchlist-emails' } }, { email_list: { id: 'ghost-list' } }] },
    ],
    'users.ndjson': ndjson([{ email: 'a@example.com' }]),
  });
  try {
    const withoutFiles = badInput(['test', '--policies', files.path('policies.json'), '--users', files.path('users.ndjson')]);
    assert.match(withoutFiles[0], /\/0\/include\/0\/group\/id: Access group "ghost-group" does not exist in this account\. Pass the Access groups with --groups FILE\. \[unknown_group\]$/);
    assert.match(withoutFiles[1], /\/1\/include\/0\/ip_list\/id: .* Pass the Gateway lists with --lists FILE\. \[unknown_list\]$/);
    const withFiles = badInput(['test', '--policies', files.path('policies.json'), '--users', files.path('users.ndjson'), ...EXAMPLE_CATALOG]);
    assert.equal(withFiles.length, 3);
    assert.match(withFiles[0], /\[unknown_group\]$/);
    assert.doesNotMatch(withFiles[0], /--groups FILE/);
    assert.match(withFiles[1], /\/1\/include\/0\/ip_list\/id: Gateway list "watchlist-emails" is of type EMAIL; a ip_list rule needs a list of type IP\. \[list_type_mismatch\]$/);
    assert.match(withFiles[2], /\/1\/include\/1\/email_list\/id: Gateway list "ghost-list" does not exist in this account\. \[unknown_list\]$/);
  } finally {
    files.cleanup();
  }
});

test('invalid groups, lists and identity providers files', () => {
  const files = tempFiles({
    'groups.json': [
      { id: 'g1', name: 'One', include: [{ everyone: {} }] },
      { id: 'g1', name: 'Again', include: [{ everyone: {} }] },
      { name: 'No id', include: [{ everyone: {} }] },
      { id: 'g3', name: 'Dangling', include: [{ group: { id: 'g404' } }] },
    ],
    'lists.json': [{ id: 'l1', type: 'IP', items: ['10.0.0.0/8', { value: 'not-an-ip' }] }, { id: 'l2', type: 'EMAIL' }],
    'idps.json': [{ id: 'okta', type: 'okta' }, { name: 'no id' }],
    'policies.json': GOOD_POLICIES,
    'users.ndjson': ndjson([{ email: 'a@example.com' }]),
  });
  try {
    const lines = badInput(['test', '--policies', files.path('policies.json'), '--users', files.path('users.ndjson'), '--groups', files.path('groups.json'), '--lists', files.path('lists.json'), '--idps', files.path('idps.json')]);
    const codes = lines.map((l) => /\[(\w+)\]$/.exec(l)?.[1]);
    assert.deepEqual(codes, ['duplicate_id', 'required', 'unknown_group', 'invalid_list', 'invalid_list', 'invalid_identity_provider']);
    assert.match(lines[0], /groups\.json:\d+:\d+ \/1\/id: Another Access group already has the id "g1"\./);
    assert.match(lines[3], /lists\.json:\d+:\d+ \/0\/items\/1\/value: "not-an-ip" is not an IP address or CIDR range\./);
    assert.match(lines[4], /lists\.json:\d+:\d+ \/1: Each Gateway list needs/);
  } finally {
    files.cleanup();
  }
});

test('bad NDJSON lines and JSON array entries: each with its line or pointer', () => {
  const files = tempFiles({
    'policies.json': GOOD_POLICIES,
    'users.ndjson': [
      '{"email":"a@example.com"}',
      '{"email": "b@example.com",}',
      '',
      '[1, 2]',
      '{"name":"no email"}',
      '{"email":"bob@"}',
      '{"email":"c@example.com","identity":"nope","name":7}',
      '{"email":"A@EXAMPLE.COM"}',
    ].join('\n'),
    'users.json': '[\n  {"email": "a@example.com"},\n  {"email": 42},\n  "x"\n]\n',
  });
  try {
    const lines = badInput(['test', '--policies', files.path('policies.json'), '--users', files.path('users.ndjson')]);
    const file = files.path('users.ndjson');
    assert.deepEqual(lines, [
      `${file}:2:27: Not valid JSON: Expected double-quoted property name. [invalid_json]`,
      `${file}:4: Each user must be a JSON object with an "email", got an array. [invalid_user]`,
      `${file}:5 /email: The user has no "email". [invalid_user]`,
      `${file}:6 /email: "bob@" is not a valid email address. [invalid_user]`,
      `${file}:7 /name: The user's "name" must be a string. [invalid_user]`,
      `${file}:7 /identity: The user's "identity" must be an object (the last seen identity). [invalid_user]`,
      `${file}:8 /email: The email A@EXAMPLE.COM already appears on line 1. [duplicate_user]`,
    ]);
    const array = badInput(['test', '--policies', files.path('policies.json'), '--users', files.path('users.json')]);
    assert.deepEqual(array, [
      `${files.path('users.json')}:3:13 /1/email: The user's "email" must be a non-empty string. [invalid_user]`,
      `${files.path('users.json')}:4:3 /2: Each user must be a JSON object with an "email", got string. [invalid_user]`,
    ]);
  } finally {
    files.cleanup();
  }
});

test('a flood of bad lines is capped at 100, the rest counted', () => {
  const files = tempFiles({ 'policies.json': GOOD_POLICIES, 'users.ndjson': 'nope\n'.repeat(150) });
  try {
    const lines = badInput(['test', '--policies', files.path('policies.json'), '--users', files.path('users.ndjson')]);
    assert.equal(lines.length, 101);
    assert.match(lines[99], /users\.ndjson:100:2: Not valid JSON: Unexpected character "o"\. \[invalid_json\]$/);
    assert.equal(lines[100], '... and 50 more problems.');
  } finally {
    files.cleanup();
  }
});

test('with --json, problems are also JSON on stdout', () => {
  const files = tempFiles({ 'policies.json': GOOD_POLICIES, 'users.ndjson': '{"email":"a@example.com"}\n{oops}\n' });
  try {
    const r = portcullis(['test', '--policies', files.path('policies.json'), '--users', files.path('users.ndjson'), '--json']);
    assert.equal(r.status, 2);
    const json = JSON.parse(r.stdout) as { problems: { file: string; line: number; column: number; code: string }[]; omitted_problems: number };
    assert.deepEqual(json.problems.map((p) => [p.line, p.column, p.code]), [[2, 2, 'invalid_json']]);
    assert.equal(json.omitted_problems, 0);
    assert.match(r.stderr, /users\.ndjson:2:2: Not valid JSON/);
  } finally {
    files.cleanup();
  }
});

test('usage errors exit 2 with commander\'s message; --help exits 0 for every command', () => {
  const cases: [string[], RegExp][] = [
    [['frob'], /error: unknown command 'frob'/],
    [['test', '--policies', example('policies.json')], /error: required option '--users <file>' not specified/],
    [['test', '--policies', example('policies.json'), '--users', example('users.ndjson'), '--status', 'maybe'], /error: option '--status <status>' argument 'maybe' is invalid\. Allowed choices are approved, blocked, error\./],
    [['test', '--policies', example('policies.json'), '--users', example('users.ndjson'), '--limit', 'ten'], /"ten" is not a whole number/],
    [['diff', '--before', example('policies.json'), '--users', example('users.ndjson')], /required option '--after <file>'/],
    [['lint', '--frobnicate', example('policies.json')], /error: unknown option '--frobnicate'/],
  ];
  for (const [args, message] of cases) {
    const r = portcullis(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, STACK_TRACE);
  }
  for (const command of ['test', 'diff', 'lint', 'check', 'demo']) {
    const r = portcullis([command, '--help']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Usage: portcullis ${command} `, 'm'));
    assert.match(r.stdout, /--json/);
  }
  const top = portcullis(['--help']);
  assert.equal(top.status, 0);
  for (const command of ['test', 'diff', 'lint', 'check', 'demo']) assert.match(top.stdout, new RegExp(`^  ${command}\\b`, 'm'));
});

test("an identity is the user's: another email is refused, as the server refuses it; a missing one is the user's", () => {
  const files = tempFiles({
    'policies.json': GOOD_POLICIES,
    'users.ndjson': ndjson([
      { email: 'ann@example.com', identity: { email: 'bob@example.com' } },
      { email: 'cy@example.com', identity: { email: 42 } },
      { email: 'dee@example.com', identity: { geo: { country: 'US' } } },
    ]),
  });
  try {
    const lines = badInput(['test', '--policies', files.path('policies.json'), '--users', files.path('users.ndjson')]);
    assert.deepEqual(lines, [
      `${files.path('users.ndjson')}:1 /identity/email: The identity's email "bob@example.com" is not the user's email "ann@example.com"; leave it out or make them the same. [invalid_user]`,
      `${files.path('users.ndjson')}:2 /identity/email: The identity's "email" must be a string (or left out: it is the user's email). [invalid_user]`,
    ]);
    const only = tempFiles({ 'users.ndjson': ndjson([{ email: 'dee@example.com', identity: { geo: { country: 'US' } } }]) });
    try {
      const r = portcullis(['test', '--policies', files.path('policies.json'), '--users', only.path('users.ndjson'), '--json']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout) as { users_approved: number }).users_approved, 1, 'the email selector reads the email the identity was given');
    } finally {
      only.cleanup();
    }
  } finally {
    files.cleanup();
  }
});
