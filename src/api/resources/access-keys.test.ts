// Cloudflare's Access key settings through the official SDK: read, change the interval, rotate;
// a rotation publishes the new key beside the old at /cdn-cgi/access/certs. SQLite and PostgreSQL.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import Cloudflare from 'cloudflare';
import { describeEachDatabase } from '../../../test/support/suite.js';
import { scopedToken } from '../../../test/support/tokens.js';

await describeEachDatabase(
  'Access keys API',
  (s) => {
    it('reads the settings, changes the interval, and rotates the key without unpublishing the old one', async () => {
      const account_id = s.accountId;
      const first = (await s.cf.zeroTrust.access.keys.get({ account_id })) as any;
      assert.equal(first.key_rotation_interval_days, 30);
      assert.equal(first.days_until_next_rotation, 30);
      assert.ok(Date.parse(first.last_key_rotation_at) > 0);
      const certs = async () => ((await (await fetch(`${s.baseUrl}/cdn-cgi/access/certs`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
      const before = await certs();
      assert.equal(before.length, 1);

      const changed = (await s.cf.zeroTrust.access.keys.update({ account_id, key_rotation_interval_days: 60 })) as any;
      assert.equal(changed.key_rotation_interval_days, 60);
      assert.equal(changed.days_until_next_rotation, 60);
      const bad = await s.api('PUT', `/accounts/${account_id}/access/keys`, { key_rotation_interval_days: 5 });
      assert.equal(bad.status, 400);

      const rotated = (await s.cf.zeroTrust.access.keys.rotate({ account_id })) as any;
      assert.equal(rotated.key_rotation_interval_days, 60, 'the interval carries over to the new key');
      assert.ok(Date.parse(rotated.last_key_rotation_at) >= Date.parse(first.last_key_rotation_at));
      const after = await certs();
      assert.equal(after.length, 2);
      assert.ok(after.includes(before[0]!), 'the previous key is still published');
    });

    it('needs the Organizations permissions: read to see the settings, write to change or rotate', async () => {
      const reader = await scopedToken(s.store, s.accountId, ['Access: Organizations, Identity Providers, and Groups Read']);
      assert.equal(((await s.sdk(reader).zeroTrust.access.keys.get({ account_id: s.accountId })) as any).key_rotation_interval_days > 0, true);
      await assert.rejects(s.sdk(reader).zeroTrust.access.keys.rotate({ account_id: s.accountId }), Cloudflare.PermissionDeniedError);
      const apps = await scopedToken(s.store, s.accountId, ['Access: Apps and Policies Write']);
      await assert.rejects(s.sdk(apps).zeroTrust.access.keys.get({ account_id: s.accountId }), Cloudflare.PermissionDeniedError);
    });
  },
  { access: {} },
);
