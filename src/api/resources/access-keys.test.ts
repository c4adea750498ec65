// Cloudflare's Access key settings through the official SDK: read, change the interval, rotate;
// a rotation publishes the new key beside the old at /cdn-cgi/access/certs. SQLite and PostgreSQL.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import Cloudflare from 'cloudflare';
import { importX509, jwtVerify, SignJWT, type JWK } from 'jose';
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

    it("serves each published key as a PEM certificate too (public_cert, public_certs), whose key verifies the account's tokens", async () => {
      await s.accessKeys!.rotate(s.accountId);
      const certs = (await (await fetch(`${s.baseUrl}/cdn-cgi/access/certs`)).json()) as { keys: JWK[]; public_cert: { kid: string; cert: string }; public_certs: { kid: string; cert: string }[] };
      assert.deepEqual(certs.public_certs.map((c) => c.kid), certs.keys.map((k) => k.kid), 'one certificate per key, in the same order');
      assert.deepEqual(certs.public_cert, certs.public_certs[0], 'public_cert is the current key');
      for (const [i, entry] of certs.public_certs.entries()) {
        const x509 = new X509Certificate(entry.cert);
        assert.equal(x509.publicKey.export({ format: 'jwk' }).n, certs.keys[i]!.n, 'the certificate holds the key');
        assert.ok(x509.verify(x509.publicKey), 'self-signed');
        assert.ok(Date.parse(x509.validTo) > Date.now() + 365 * 24 * 3600 * 1000);
      }
      const current = await s.accessKeys!.current(s.accountId);
      const token = await new SignJWT({ email: 'ada@example.com' }).setProtectedHeader({ alg: 'RS256', kid: current.kid }).setAudience('aud').sign(current.privateKey);
      const verified = await jwtVerify(token, await importX509(certs.public_cert.cert, 'RS256'), { audience: 'aud' });
      assert.equal(verified.payload.email, 'ada@example.com');
      const again = (await (await fetch(`${s.baseUrl}/cdn-cgi/access/certs`)).json()) as typeof certs;
      assert.deepEqual(again.public_certs, certs.public_certs, 'the same certificates on every read');
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
