// Accounts exist explicitly (docs/operations.md, "Accounts"): the default one made at first
// start, those named by --account / PORTCULLIS_ACCOUNTS, and those created by POST /accounts.
// Any other well-formed id is refused as Cloudflare refuses an account the credentials cannot
// reach (403, 9109), on SQLite and PostgreSQL, through raw HTTP and the official SDK.
import { it, test } from 'node:test';
import assert from 'node:assert/strict';
import Cloudflare from 'cloudflare';
import { randomAccountId } from '../../../test/support/server.js';
import { describeEachDatabase } from '../../../test/support/suite.js';
import { scopedToken } from '../../../test/support/tokens.js';
import { tempDir } from '../../../test/support/databases.js';
import { startServerProcess } from '../../../test/support/server-process.js';

await describeEachDatabase(
  'explicit accounts',
  (s) => {
    it('refuses a well-formed account id that was never created, for reads and writes alike', async () => {
      const unknown = randomAccountId();
      for (const [method, path, body] of [
        ['GET', `/accounts/${unknown}/access/policies`, undefined],
        ['POST', `/accounts/${unknown}/access/groups`, { name: 'g', include: [{ everyone: {} }] }],
        ['GET', `/accounts/${unknown}`, undefined],
      ] as const) {
        const res = await s.api(method, path, body);
        assert.equal(res.status, 403, `${method} ${path}`);
        assert.equal(res.json.errors[0].code, 9109);
        assert.match(res.json.errors[0].message, new RegExp(unknown));
      }
      await assert.rejects(s.cf.zeroTrust.access.policies.list({ account_id: unknown }), Cloudflare.PermissionDeniedError);
      assert.equal((await s.api('GET', `/accounts/${unknown}/access/policies`)).status, 403, 'a refused request did not create the account');
    });

    it('creates an account with the root credentials, then serves it, reads it and lists it', async () => {
      const created = await s.api('POST', '/accounts', { name: 'Staging', type: 'standard' });
      assert.equal(created.status, 200, JSON.stringify(created.json));
      const account = created.json.result;
      assert.match(account.id, /^[0-9a-f]{32}$/);
      assert.equal(account.name, 'Staging');
      assert.equal((await s.api('GET', `/accounts/${account.id}/access/policies`)).status, 200);
      const got = await s.cf.accounts.get({ account_id: account.id });
      assert.deepEqual(got, account);
      const listed: string[] = [];
      for await (const a of s.cf.accounts.list()) listed.push(a.id);
      assert.ok(listed.includes(account.id));
      const audit = await s.api('GET', `/accounts/${account.id}/audit_logs`);
      assert.ok(audit.json.result.some((e: any) => e.action.type === 'create' && e.resource.type === 'account' && e.resource.id === account.id), 'the creation is audited');
    });

    it('lists to a token only the accounts it holds a permission on, and lets only the root credentials create accounts', async () => {
      const mine = (await s.api('POST', '/accounts', { name: 'Mine' })).json.result.id as string;
      const theirs = (await s.api('POST', '/accounts', { name: 'Theirs' })).json.result.id as string;
      const token = await scopedToken(s.store, mine, ['Access: Apps and Policies Read']);
      const listed = await s.api('GET', '/accounts', undefined, { authorization: `Bearer ${token}` });
      assert.equal(listed.status, 200);
      assert.deepEqual(listed.json.result.map((a: { id: string }) => a.id), [mine]);
      assert.equal((await s.api('GET', `/accounts/${mine}`, undefined, { authorization: `Bearer ${token}` })).status, 200);
      assert.equal((await s.api('GET', `/accounts/${theirs}`, undefined, { authorization: `Bearer ${token}` })).status, 403);
      const refused = await s.api('POST', '/accounts', { name: 'Sneaky' }, { authorization: `Bearer ${token}` });
      assert.equal(refused.status, 403);
      assert.equal(refused.json.errors[0].code, 9109);
      const bad = await s.api('POST', '/accounts', { name: '' });
      assert.equal(bad.status, 400);
    });

    it("answers a user's active sessions and failed logins (none before any login), and 404 for an unknown user or session", async () => {
      const account = (await s.api('POST', '/accounts', { name: 'Sessions' })).json.result.id as string;
      const user = (await s.api('POST', `/accounts/${account}/access/users`, { email: 'ada@example.com' })).json.result;
      const sessions = await s.cf.zeroTrust.access.users.activeSessions.list(user.id, { account_id: account });
      assert.deepEqual(sessions.result, []);
      const failed = await s.cf.zeroTrust.access.users.failedLogins.list(user.id, { account_id: account });
      assert.deepEqual(failed.result, []);
      await assert.rejects(s.cf.zeroTrust.access.users.activeSessions.get('X1aXj1lFVcqqyoXF', { account_id: account, user_id: user.id }), Cloudflare.NotFoundError);
      assert.equal((await s.api('GET', `/accounts/${account}/access/users/00000000-0000-0000-0000-000000000000/failed_logins`)).status, 404);
    });
  },
  { settings: { openAccounts: false } },
);

test('serve makes sure of the default account and of --account / PORTCULLIS_ACCOUNTS, and refuses every other id', async () => {
  const dir = tempDir('portcullis-accounts-');
  const named = randomAccountId();
  const fromEnv = randomAccountId();
  const server = await startServerProcess(dir.path, { PORTCULLIS_OPEN_ACCOUNTS: 'off', PORTCULLIS_ACCOUNTS: fromEnv }, ['--account', named]);
  const get = (account: string) => fetch(`${server.apiUrl}/accounts/${account}/access/policies`, { headers: { authorization: `Bearer ${server.token}` } });
  try {
    for (const account of [server.accountId, named, fromEnv]) assert.equal((await get(account)).status, 200, account);
    const other = await get(randomAccountId());
    assert.equal(other.status, 403);
    const listed = (await (await fetch(`${server.apiUrl}/accounts`, { headers: { authorization: `Bearer ${server.token}` } })).json()) as { result: { id: string }[] };
    assert.deepEqual(new Set(listed.result.map((a) => a.id)), new Set([server.accountId, named, fromEnv]));
  } finally {
    await server.stop();
    dir.remove();
  }
});
