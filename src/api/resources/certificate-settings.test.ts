// Cloudflare's mTLS hostname settings (GET/PUT .../access/certificates/settings) through the
// official SDK: empty until set, replaced whole, hostnames checked. SQLite and PostgreSQL.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDatabase } from '../../../test/support/suite.js';
import { randomAccountId } from '../../../test/support/server.js';

await describeEachDatabase('mTLS hostname settings API', (s) => {
  it('answers an empty list until set, then the list PUT sent, replaced whole each time', async () => {
    const account_id = randomAccountId();
    const settings = s.cf.zeroTrust.access.certificates.settings;
    assert.deepEqual((await settings.get({ account_id })).result, []);
    const wanted = [
      { hostname: 'admin.example.com', china_network: false, client_certificate_forwarding: true },
      { hostname: 'api.example.com', china_network: false, client_certificate_forwarding: false },
    ];
    assert.deepEqual((await settings.update({ account_id, settings: wanted })).result, wanted);
    assert.deepEqual((await settings.get({ account_id })).result, wanted);
    assert.deepEqual((await settings.update({ account_id, settings: [wanted[1]!] })).result, [wanted[1]]);
    assert.deepEqual((await settings.get({ account_id })).result, [wanted[1]], 'the list sent replaces the stored one');
    assert.deepEqual((await settings.update({ account_id, settings: [] })).result, []);
  });

  it('refuses a missing switch, a hostname that is a URL and a hostname listed twice, keeping what was stored', async () => {
    const account_id = randomAccountId();
    const PATH = `/accounts/${account_id}/access/certificates/settings`;
    const kept = [{ hostname: 'admin.example.com', china_network: false, client_certificate_forwarding: true }];
    assert.equal((await s.api('PUT', PATH, { settings: kept })).status, 200);
    const missing = await s.api('PUT', PATH, { settings: [{ hostname: 'a.example.com', china_network: false }] });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.json.errors.map((e: any) => e.source.pointer), ['/settings/0/client_certificate_forwarding']);
    const bad = await s.api('PUT', PATH, {
      settings: [
        { hostname: 'https://a.example.com/x', china_network: false, client_certificate_forwarding: false },
        { hostname: 'b.example.com', china_network: false, client_certificate_forwarding: false },
        { hostname: 'B.example.com', china_network: true, client_certificate_forwarding: false },
      ],
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json.errors.map((e: any) => [e.code, e.source.pointer]), [
      [1312, '/settings/0/hostname'],
      [1353, '/settings/2/hostname'],
    ]);
    assert.deepEqual((await s.api('GET', PATH)).json.result, kept, 'nothing of a refused update is kept');
    const cert = await s.api('GET', `/accounts/${account_id}/access/certificates/settings-not`);
    assert.equal(cert.status, 404, 'other ids under certificates are still certificates');
  });
});
