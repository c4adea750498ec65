// The user import extension over HTTP (JSON and NDJSON), on SQLite and PostgreSQL: all or
// nothing, every bad entry named, re-imports update, limits enforced.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Cloudflare from 'cloudflare';
import { randomAccountId, startTestServer, type TestServer } from '../../../test/support/server.js';
import { describeEachDatabase } from '../../../test/support/suite.js';
import { scopedToken } from '../../../test/support/tokens.js';
import { MAX_IMPORT_LINE_CHARS } from './user-import.js';

const NDJSON = { 'content-type': 'application/x-ndjson' };
const ndjson = (...entries: unknown[]): string => entries.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join('\n');
const codesAndPointers = (json: any): [number, string][] => json.errors.map((e: any) => [e.code, e.source.pointer]);

await describeEachDatabase('user import', (s) => {

  const importPath = (account: string) => `/accounts/${account}/access/users/import`;
  const userCount = async (account: string) => (await s.api('GET', `/accounts/${account}/access/users`)).json.result_info.total_count as number;

  it('imports JSON, fills in identity emails, and updates on re-import instead of duplicating', async () => {
    const account = randomAccountId();
    const first = await s.api('POST', importPath(account), {
      users: [
        { email: 'ann@example.com', name: 'Ann', identity: { ip: '192.0.2.10', geo: { country: 'US' }, groups: [{ name: 'eng' }] } },
        { email: 'ben@example.com', name: 'Ben' },
        { email: 'cy@example.com', identity: { email: 'CY@example.com', amr: ['mfa'] } },
      ],
    });
    assert.equal(first.status, 200);
    assert.deepEqual(first.json.result, { created: 3, updated: 0, unchanged: 0 });

    const [ann] = (await s.cf.zeroTrust.access.users.list({ account_id: account, email: 'ann@example.com' })).result;
    assert.equal(ann.name, 'Ann');
    assert.equal(ann.access_seat, true);
    assert.deepEqual(await s.cf.zeroTrust.access.users.lastSeenIdentity.get(ann.id!, { account_id: account }), {
      ip: '192.0.2.10',
      geo: { country: 'US' },
      groups: [{ name: 'eng' }],
      email: 'ann@example.com',
    });
    const [cy] = (await s.cf.zeroTrust.access.users.list({ account_id: account, email: 'cy@example.com' })).result;
    assert.equal(cy.name, '');
    assert.equal((await s.cf.zeroTrust.access.users.lastSeenIdentity.get(cy.id!, { account_id: account })).email, 'CY@example.com');

    const again = await s.api('POST', importPath(account), {
      users: [{ email: 'ANN@example.com', name: 'Ann B.' }, { email: 'ben@example.com', identity: { ip: '198.51.100.1' } }, { email: 'dee@example.com' }],
    });
    assert.deepEqual(again.json.result, { created: 1, updated: 2, unchanged: 0 });
    assert.equal(await userCount(account), 4);
    const annAfter = await s.cf.zeroTrust.access.users.get(ann.id!, { account_id: account });
    assert.equal(annAfter.name, 'Ann B.');
    assert.equal(annAfter.email, 'ann@example.com', 'the stored spelling stays');
    assert.equal((await s.cf.zeroTrust.access.users.lastSeenIdentity.get(ann.id!, { account_id: account })).ip, '192.0.2.10', 'no identity sent: the stored one stays');
    const [ben] = (await s.cf.zeroTrust.access.users.list({ account_id: account, email: 'ben@example.com' })).result;
    assert.equal(ben.name, 'Ben', 'no name sent: the stored one stays');
    assert.deepEqual(await s.cf.zeroTrust.access.users.lastSeenIdentity.get(ben.id!, { account_id: account }), { ip: '198.51.100.1', email: 'ben@example.com' });
  });

  it('counts re-imported users that would not change as unchanged, and leaves them as they were', async () => {
    const account = randomAccountId();
    const directory = ndjson(
      { email: 'ann@example.com', name: 'Ann', identity: { groups: [{ name: 'eng' }], geo: { country: 'US' } } },
      { email: 'ben@example.com', name: 'Ben' },
      { email: 'cy@example.com', identity: { amr: ['mfa'] } },
    ) + '\n';
    const first = await s.api('POST', importPath(account), directory, NDJSON);
    assert.deepEqual([first.status, first.json.result], [200, { created: 3, updated: 0, unchanged: 0 }]);
    const listed = async () => (await s.api('GET', `/accounts/${account}/access/users`)).json.result as Record<string, unknown>[];
    const before = await listed();
    await new Promise((ok) => setTimeout(ok, 5));

    const again = await s.api('POST', importPath(account), directory, NDJSON);
    assert.deepEqual([again.status, again.json.result], [200, { created: 0, updated: 0, unchanged: 3 }]);
    assert.deepEqual(await listed(), before, 'updated_at and last_successful_login kept');

    const changed = await s.api('POST', importPath(account), {
      users: [{ email: 'ann@example.com', name: 'Ann', identity: { groups: [{ name: 'ops' }], geo: { country: 'US' } } }, { email: 'BEN@example.com', name: 'Ben' }, { email: 'dee@example.com' }],
    });
    assert.deepEqual([changed.status, changed.json.result], [200, { created: 1, updated: 1, unchanged: 1 }]);
    const after = await listed();
    const annBefore = before.find((u) => u.email === 'ann@example.com')!;
    const annAfter = after.find((u) => u.email === 'ann@example.com')!;
    assert.notEqual(annAfter.updated_at, annBefore.updated_at);
    assert.deepEqual(after.find((u) => u.email === 'ben@example.com'), before.find((u) => u.email === 'ben@example.com'));
  });

  it('writes nothing when any entry is bad, and names every bad entry', async () => {
    const account = randomAccountId();
    await s.api('POST', importPath(account), { users: [{ email: 'kept@example.com', name: 'Kept' }] });
    assert.equal(await userCount(account), 1);

    const res = await s.api('POST', importPath(account), {
      users: [
        { email: 'ok1@example.com', name: 'OK' },
        { email: 'not-an-email' },
        { name: 'no email' },
        { email: 'ok2@example.com', identity: { ip: '300.1.1.1' } },
        { email: 'ok3@example.com', identity: { email: 'someone@else.org' } },
        { email: 'OK1@example.com' },
        { email: 'ok4@example.com', name: 7, shoe_size: 44 },
        { email: 'kept@example.com', name: 'Kept, renamed' },
        { email: 'ok5@example.com', identity: { groups: 'eng' } },
      ],
    });
    assert.equal(res.status, 400);
    assert.deepEqual(codesAndPointers(res.json), [
      [1311, '/users/1/email'],
      [1301, '/users/2/email'],
      [1356, '/users/3/identity/ip'],
      [1359, '/users/4/identity/email'],
      [1353, '/users/5/email'],
      [1302, '/users/6/shoe_size'],
      [1300, '/users/6/name'],
      [1300, '/users/8/identity/groups'],
    ]);
    const duplicate = res.json.errors.find((e: any) => e.code === 1353);
    assert.match(duplicate.message, /"OK1@example.com" already appears at \/users\/0/);
    assert.equal(await userCount(account), 1, 'nothing was written');
    assert.equal((await s.cf.zeroTrust.access.users.list({ account_id: account })).result[0].name, 'Kept');
  });

  it('imports NDJSON, ignoring blank lines and carriage returns', async () => {
    const account = randomAccountId();
    const body = ndjson({ email: 'n1@example.com', name: 'N1' }, '', '   ', { email: 'n2@example.com', identity: { ip: '10.1.2.3' } } ) + '\r\n' + ndjson({ email: 'n3@example.com' }) + '\n';
    const res = await s.api('POST', importPath(account), body, NDJSON);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json.result, { created: 3, updated: 0, unchanged: 0 });
    const users = (await s.cf.zeroTrust.access.users.list({ account_id: account })).result;
    assert.deepEqual(users.map((u) => [u.email, u.name, u.access_seat]), [
      ['n1@example.com', 'N1', false],
      ['n2@example.com', '', true],
      ['n3@example.com', '', false],
    ]);
    const charset = await s.api('POST', importPath(account), ndjson({ email: 'n1@example.com', name: 'N-one' }), { 'content-type': 'application/x-ndjson; charset=utf-8' });
    assert.deepEqual(charset.json.result, { created: 0, updated: 1, unchanged: 0 });
  });

  it('names NDJSON lines in pointers and messages, malformed lines included, and writes nothing', async () => {
    const account = randomAccountId();
    const body = ndjson(
      { email: 'a@example.com' },
      '',
      '{"email": "b@example.com"',
      { email: 'bad email' },
      '[1, 2]',
      { email: 'A@EXAMPLE.com' },
      { email: 'c@example.com', identity: { ip: 'nowhere' } },
    );
    const res = await s.api('POST', importPath(account), body, NDJSON);
    assert.equal(res.status, 400);
    assert.deepEqual(codesAndPointers(res.json), [
      [1352, '/line/3'],
      [1311, '/line/4/email'],
      [1300, '/line/5'],
      [1353, '/line/6/email'],
      [1356, '/line/7/identity/ip'],
    ]);
    assert.match(res.json.errors[0].message, /^Line 3 is not valid JSON/);
    assert.match(res.json.errors[1].message, /^Line 4: "bad email"/);
    assert.match(res.json.errors[3].message, /already appears at line 1/);
    assert.equal(await userCount(account), 0);
  });

  it('refuses bytes that are not UTF-8 (never stored as U+FFFD), in NDJSON and in JSON, and writes nothing', async () => {
    const account = randomAccountId();
    const post = async (bytes: Buffer, type: string) => {
      const res = await fetch(s.apiUrl + importPath(account), { method: 'POST', headers: { authorization: `Bearer ${s.rootToken}`, 'content-type': type }, body: new Uint8Array(bytes) });
      return { status: res.status, json: (await res.json()) as any };
    };
    const latin1 = Buffer.from('{"email":"z@example.com","name":"Zo\xeb"}', 'latin1'); // "ë" as one byte: not UTF-8
    const lines = Buffer.concat([Buffer.from('{"email":"a@example.com"}\n'), latin1, Buffer.from('\n{"email":"b@example.com"}\n')]);
    const asNdjson = await post(lines, 'application/x-ndjson');
    assert.equal(asNdjson.status, 400);
    assert.deepEqual(codesAndPointers(asNdjson.json), [[1352, '']]);
    assert.match(asNdjson.json.errors[0].message, /The body is not UTF-8/);
    const asJson = await post(Buffer.concat([Buffer.from('{"users":['), latin1, Buffer.from(']}')]), 'application/json');
    assert.equal(asJson.status, 400);
    assert.match(asJson.json.errors[0].message, /not UTF-8/);
    assert.equal(await userCount(account), 0);
    // Text that is UTF-8, "ë" as two bytes, is read as written.
    assert.equal((await post(Buffer.from('{"email":"z@example.com","name":"Zoë"}\n'), 'application/x-ndjson')).status, 200);
    assert.equal((await s.api('GET', `/accounts/${account}/access/users?email=z@example.com`)).json.result[0].name, 'Zoë');
  });

  it('refuses a line longer than any entry needs without holding it, and names it', async () => {
    const account = randomAccountId();
    const long = `{"email":"c@example.com","name":"${'x'.repeat(MAX_IMPORT_LINE_CHARS)}"}`;
    const res = await s.api('POST', importPath(account), ndjson({ email: 'a@example.com' }, long, { email: 'b@example.com' }), NDJSON);
    assert.equal(res.status, 400);
    assert.deepEqual(codesAndPointers(res.json), [[1352, '/line/2']]);
    assert.match(res.json.errors[0].message, /^Line 2 is longer than/);
    assert.equal(await userCount(account), 0);
  });

  it('refuses bodies that are not an import', async () => {
    const account = randomAccountId();
    const shapes = await s.api('POST', importPath(account), { people: [] });
    assert.deepEqual(codesAndPointers(shapes.json).sort(), [
      [1301, '/users'],
    ]);
    const notArray = await s.api('POST', importPath(account), { users: { email: 'a@example.com' } });
    assert.deepEqual(codesAndPointers(notArray.json), [[1300, '/users']]);
    const text = await s.api('POST', importPath(account), 'email\na@example.com', { 'content-type': 'text/csv' });
    assert.equal(text.status, 415);
    assert.equal(text.json.errors[0].code, 1002);
    const empty = await s.api('POST', importPath(account), { users: [] });
    assert.deepEqual(empty.json.result, { created: 0, updated: 0, unchanged: 0 });
  });

  it('needs the seats write permission', async () => {
    const account = randomAccountId();
    const auditor = await scopedToken(s.store, account, ['Access: Audit Logs Read']);
    const res = await s.api('POST', importPath(account), { users: [{ email: 'x@example.com' }] }, { authorization: `Bearer ${auditor}` });
    assert.equal(res.status, 403);
    assert.match(res.json.errors[0].message, /Zero Trust: Seats Write/);
  });
});

describe('user import limits', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ settings: { importMaxUsers: 3, importBodyLimitBytes: 2048 } });
  });
  after(() => s.close());

  it('refuses more users than importMaxUsers, in JSON and NDJSON, before looking at entries', async () => {
    const path = `/accounts/${randomAccountId()}/access/users/import`;
    const users = ['a', 'b', 'c', 'd'].map((n) => ({ email: `${n}@example.com` }));
    const json = await s.api('POST', path, { users: [...users.slice(0, 3), { email: 'not an email' }] });
    assert.equal(json.status, 400);
    assert.deepEqual(codesAndPointers(json.json), [[1350, '/users']]);
    assert.match(json.json.errors[0].message, /holds 4 users; at most 3/);
    const lines = await s.api('POST', path, ndjson(...users), NDJSON);
    assert.deepEqual(codesAndPointers(lines.json), [[1350, '']]);
    const ok = await s.api('POST', path, ndjson(...users.slice(0, 3), '', ''), NDJSON);
    assert.deepEqual(ok.json.result, { created: 3, updated: 0, unchanged: 0 });
  });

  it('refuses bodies over importBodyLimitBytes with 413', async () => {
    const path = `/accounts/${randomAccountId()}/access/users/import`;
    const big = ndjson({ email: 'a@example.com', name: 'x'.repeat(3000) });
    const res = await s.api('POST', path, big, NDJSON);
    assert.equal(res.status, 413);
    assert.equal(res.json.errors[0].code, 1003);
    assert.match(res.json.errors[0].message, /2048 bytes/);
  });
});
