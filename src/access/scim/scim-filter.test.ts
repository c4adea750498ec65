// SCIM filters (RFC 7644 §3.4.2.2) parsed and evaluated on resources as answers present them,
// with each attribute's case rule from the schema; malformed filters are 400 invalidFilter
// errors saying what is wrong.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { ScimError } from './errors.js';
import { compileFilter, equalityOn, parseFilter, MAX_FILTER_LENGTH } from './filter.js';
import { attributeLookup, GROUPS, USERS } from './schemas.js';

const ADA = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
  id: 'u-1',
  externalId: '00uADA',
  userName: 'Ada@Example.com',
  name: { givenName: 'Ada', familyName: 'Lovelace' },
  active: true,
  emails: [
    { value: 'ada@example.com', type: 'work', primary: true },
    { value: 'ada@home.example', type: 'home' },
  ],
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Engineering' },
  meta: { resourceType: 'User', created: '2026-01-02T03:04:05.000Z', lastModified: '2026-03-01T00:00:00.000Z' },
};
const BOB = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id: 'u-2', externalId: '00ubob', userName: 'bob@example.com', active: false, emails: [{ value: 'bob@example.com', type: 'home' }], meta: { resourceType: 'User', created: '2026-02-01T00:00:00.000Z' } };
const GROUP = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], id: 'g-1', displayName: 'Engineering', members: [{ value: 'u-1' }, { value: 'u-3' }] };

const users = (filter: string): string[] => [ADA, BOB].filter(compileFilter(parseFilter(filter), attributeLookup(USERS), USERS.schema)).map((u) => u.id);
const groupMatches = (filter: string): boolean => compileFilter(parseFilter(filter), attributeLookup(GROUPS), GROUPS.schema)(GROUP);

it('userName, emails and displayName compare case-insensitively; externalId and id exactly', () => {
  assert.deepEqual(users('userName eq "ada@example.com"'), ['u-1']);
  assert.deepEqual(users('USERNAME EQ "ADA@EXAMPLE.COM"'), ['u-1'], 'operators and attribute names in any case');
  assert.deepEqual(users('externalId eq "00uada"'), [], 'externalId is caseExact');
  assert.deepEqual(users('externalId eq "00uADA"'), ['u-1']);
  assert.deepEqual(users('emails.value eq "BOB@example.com"'), ['u-2']);
  assert.equal(groupMatches('displayName eq "engineering"'), true);
});

it('emails[type eq "work"].value eq takes one element matching both; members[value eq] finds a member', () => {
  assert.deepEqual(users('emails[type eq "work"].value eq "ada@example.com"'), ['u-1']);
  assert.deepEqual(users('emails[type eq "home"].value eq "ada@example.com"'), [], 'the home address is another element');
  assert.deepEqual(users('emails[type eq "work" and value co "@example"]'), ['u-1']);
  assert.deepEqual(users('emails[type eq "home"]'), ['u-1', 'u-2']);
  assert.equal(groupMatches('members[value eq "u-3"]'), true);
  assert.equal(groupMatches('members[value eq "u-2"]'), false);
  assert.equal(groupMatches('members.value eq "u-1"'), true);
});

it('and binds tighter than or; not, parentheses, presence, booleans, dates and extension attributes work', () => {
  assert.deepEqual(users('userName sw "bob" or userName sw "ada" and active eq false'), ['u-2'], 'a or (b and c)');
  assert.deepEqual(users('(userName sw "bob" or userName sw "ada") and active eq true'), ['u-1']);
  assert.deepEqual(users('not (active eq true)'), ['u-2']);
  assert.deepEqual(users('active eq True'), ['u-1'], 'true and false in any case');
  assert.deepEqual(users('name.givenName pr'), ['u-1']);
  assert.deepEqual(users('meta.created gt "2026-01-15T00:00:00Z"'), ['u-2']);
  assert.deepEqual(users('meta.lastModified ge "2026-03-01T00:00:00.000Z"'), ['u-1']);
  assert.deepEqual(users('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "engineering"'), ['u-1']);
  assert.deepEqual(users('urn:ietf:params:scim:schemas:core:2.0:User:userName ew "example.com"'), ['u-1', 'u-2']);
  assert.deepEqual(users('userName ne "bob@example.com"'), ['u-1']);
  assert.deepEqual(users('userName eq "a\\"b"'), [], 'JSON escapes in strings');
});

it('only `key eq "text"` is answered from the index', () => {
  assert.equal(equalityOn(parseFilter('userName eq "Ada@example.com"'), 'userName', USERS.schema), 'Ada@example.com');
  assert.equal(equalityOn(parseFilter('urn:ietf:params:scim:schemas:core:2.0:User:username eq "x"'), 'userName', USERS.schema), 'x');
  assert.equal(equalityOn(parseFilter('userName co "x"'), 'userName', USERS.schema), undefined);
  assert.equal(equalityOn(parseFilter('userName eq "x" and active eq true'), 'userName', USERS.schema), undefined);
});

it('a malformed filter, an unknown attribute or an impossible comparison is a 400 invalidFilter saying what is wrong', () => {
  const cases: [string, RegExp][] = [
    ['userName eq', /needs a value/],
    ['userName xx "a"', /not an operator/],
    ['(userName eq "a"', /not closed/],
    ['userName eq "a" and', /ends where an expression was expected/],
    ['userName eq "a" "b"', /an operator \("and", "or"\) or the end was expected/],
    ['userName eq "unterminated', /not closed with a double quote/],
    ['emails[type eq "work"', /bracket .* not closed/],
    ['emails[type eq "work"].value', /operator was expected/],
    ['nosuch eq "a"', /"nosuch" is not an attribute/],
    ['active gt true', /boolean: only eq and ne/],
    ['userName co 5', /compares with a string/],
    ['not userName eq "a"', /must be followed by a parenthesized filter/],
    ['userName eq "a" @', /Unexpected "@"/],
    ['', /empty/],
    ['a.b.c eq "x"', /not an attribute path/],
    [`${'('.repeat(40)}userName pr${')'.repeat(40)}`, /nest deeper/],
    [`userName eq "${'x'.repeat(MAX_FILTER_LENGTH)}"`, /longer than/],
  ];
  for (const [filter, message] of cases) {
    assert.throws(
      () => compileFilter(parseFilter(filter), attributeLookup(USERS), USERS.schema),
      (err: unknown) => err instanceof ScimError && err.status === 400 && err.scimType === 'invalidFilter' && message.test(err.message),
      filter,
    );
  }
});
