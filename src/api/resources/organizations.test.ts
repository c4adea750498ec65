// Cloudflare's Zero Trust organization through the official SDK: defaults before it exists,
// create once, update what is sent, refuse bad durations and auth domains; revoke_user answers
// whether a user was found. SQLite and PostgreSQL.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import Cloudflare from 'cloudflare';
import { describeEachDatabase } from '../../../test/support/suite.js';
import { randomAccountId } from '../../../test/support/server.js';

await describeEachDatabase('Zero Trust organization API', (s) => {
  it('answers defaults until created, is created once, and keeps fields an update leaves out', async () => {
    const account_id = randomAccountId();
    const before = await s.cf.zeroTrust.organizations.list({ account_id });
    assert.equal(before.auth_domain, s.baseUrl, 'this server is the auth domain until one is named');
    assert.equal(before.session_duration, '24h');
    const created = await s.cf.zeroTrust.organizations.create({ account_id, name: 'Acme', auth_domain: 'access.acme.test', session_duration: '12h' });
    assert.deepEqual([created.name, created.auth_domain, created.session_duration], ['Acme', 'access.acme.test', '12h']);
    assert.ok(Date.parse((created as { created_at?: string }).created_at!) > 0);
    await assert.rejects(s.cf.zeroTrust.organizations.create({ account_id, name: 'Again', auth_domain: 'x.test' }), Cloudflare.ConflictError);
    const updated = await s.cf.zeroTrust.organizations.update({ account_id, is_ui_read_only: true });
    assert.deepEqual([updated.name, updated.auth_domain, updated.is_ui_read_only], ['Acme', 'access.acme.test', true]);
    const bad = await s.api('PUT', `/accounts/${account_id}/access/organizations`, { session_duration: 'forever', auth_domain: 'https://x.test/path' });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json.errors.map((e: { message: string }) => e.message.slice(0, 12)).length, 2, 'both problems named');
    assert.equal((await s.cf.zeroTrust.organizations.list({ account_id })).session_duration, '12h', 'nothing of the refused update was kept');
  });

  it('refuses negative durations and a seat expiration under a month (730h), as Cloudflare documents', async () => {
    const account_id = randomAccountId();
    await s.cf.zeroTrust.organizations.create({ account_id, name: 'Acme', auth_domain: 'access.acme.test', session_duration: '12h' });
    const bad = await s.api('PUT', `/accounts/${account_id}/access/organizations`, { session_duration: '-1h', warp_auth_session_duration: '-30m', user_seat_expiration_inactive_time: '720h' });
    assert.equal(bad.status, 400);
    assert.deepEqual(
      bad.json.errors.map((e: { code: number; source: { pointer: string } }) => [e.code, e.source.pointer]),
      [
        [1318, '/session_duration'],
        [1318, '/warp_auth_session_duration'],
        [1317, '/user_seat_expiration_inactive_time'],
      ],
    );
    const after = await s.cf.zeroTrust.organizations.list({ account_id });
    assert.equal(after.session_duration, '12h', 'nothing of the refused update was kept');
    const month = await s.cf.zeroTrust.organizations.update({ account_id, user_seat_expiration_inactive_time: '730h' });
    assert.equal(month.user_seat_expiration_inactive_time, '730h', 'one month is the shortest inactivity allowed');
  });

  it('revoke_user answers true for a user of the account and false for an unknown email', async () => {
    const account_id = randomAccountId();
    await s.api('POST', `/accounts/${account_id}/access/users`, { email: 'ada@example.com', name: 'Ada' });
    assert.equal(await s.cf.zeroTrust.organizations.revokeUsers({ account_id, email: 'ada@example.com' }), true);
    assert.equal(await s.cf.zeroTrust.organizations.revokeUsers({ account_id, email: 'nobody@example.com' }), false);
  });
});
