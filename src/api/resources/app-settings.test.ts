// An application's settings through the official SDK (applications.settings.update / edit):
// allow_iframe and skip_interstitial are fields of the application, written with its checks, in
// the audit log, and shown by a GET of it. SQLite and PostgreSQL.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import Cloudflare from 'cloudflare';
import { describeEachDatabase } from '../../../test/support/suite.js';
import { randomAccountId } from '../../../test/support/server.js';

await describeEachDatabase('Access application settings', (s) => {
  it('PUT replaces both settings, PATCH changes those sent, and the application shows them', async () => {
    const account_id = randomAccountId();
    const created = await s.api('POST', `/accounts/${account_id}/access/apps`, { type: 'self_hosted', domain: 'wiki.example.com', name: 'Wiki', tags: ['docs'] });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const id = created.json.result.id as string;
    const settings = s.cf.zeroTrust.access.applications.settings;

    assert.deepEqual(await settings.update(id, { account_id, allow_iframe: true, skip_interstitial: true }), { allow_iframe: true, skip_interstitial: true });
    let app = (await s.api('GET', `/accounts/${account_id}/access/apps/${id}`)).json.result;
    assert.deepEqual([app.allow_iframe, app.skip_interstitial, app.name, app.tags, app.aud], [true, true, 'Wiki', ['docs'], created.json.result.aud], 'the rest of the application is kept');

    assert.deepEqual(await settings.edit(id, { account_id, allow_iframe: false }), { allow_iframe: false, skip_interstitial: true }, 'PATCH keeps what it does not send');
    assert.deepEqual(await settings.update(id, { account_id, allow_iframe: true }), { allow_iframe: true, skip_interstitial: false }, 'PUT replaces both: one left out is off');
    app = (await s.api('GET', `/accounts/${account_id}/access/apps/${id}`)).json.result;
    assert.deepEqual([app.allow_iframe, app.skip_interstitial], [true, false]);

    const audit: any[] = [];
    for await (const e of s.cf.auditLogs.list({ account_id, direction: 'asc' } as never)) audit.push(e);
    const updates = audit.filter((e) => e.resource.id === id && e.action.type === 'update');
    assert.equal(updates.length, 3, 'each settings write is an update of the application in the audit log');
    assert.equal(JSON.parse(updates[0].newValue).allow_iframe, true);

    await assert.rejects(settings.update('00000000-0000-4000-8000-000000000000', { account_id, allow_iframe: true }), Cloudflare.NotFoundError);
    const wrongType = await s.api('PATCH', `/accounts/${account_id}/access/apps/${id}/settings`, { allow_iframe: 'yes' });
    assert.equal(wrongType.status, 400, JSON.stringify(wrongType.json));
    assert.equal(wrongType.json.success, false);
  });
});
