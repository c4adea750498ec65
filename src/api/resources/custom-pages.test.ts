// Cloudflare's Access custom pages through the official SDK: create, list and update answer
// without the HTML, get with it; app_count counts the applications choosing a page; applications
// and the organization may name only existing pages of the right type; a page in use is not
// deleted. SQLite and PostgreSQL.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import Cloudflare from 'cloudflare';
import { describeEachDatabase } from '../../../test/support/suite.js';
import { randomAccountId } from '../../../test/support/server.js';

const DENIED_HTML = '<html><body><h1>Not for you</h1></body></html>';

await describeEachDatabase('Access custom pages API', (s) => {
  it('creates, lists, gets, replaces and deletes pages, the HTML only in a get', async () => {
    const account_id = randomAccountId();
    const pages = s.cf.zeroTrust.access.customPages;
    const created = (await pages.create({ account_id, name: 'Denied', type: 'identity_denied', custom_html: DENIED_HTML })) as unknown as Record<string, unknown>;
    assert.equal(created.name, 'Denied');
    assert.equal(created.type, 'identity_denied');
    assert.equal(created.app_count, 0);
    assert.equal(typeof created.uid, 'string');
    assert.equal(created.id, created.uid);
    assert.equal(typeof created.created_at, 'string');
    assert.equal(typeof created.updated_at, 'string');
    assert.equal('custom_html' in created, false, 'a create answers without the HTML');
    const uid = created.uid as string;
    await pages.create({ account_id, name: 'Forbidden', type: 'forbidden', custom_html: '<p>No</p>' });

    const listed = (await pages.list({ account_id })).result as unknown as Record<string, unknown>[];
    assert.deepEqual(listed.map((p) => [p.name, p.type]), [['Denied', 'identity_denied'], ['Forbidden', 'forbidden']]);
    assert.ok(listed.every((p) => !('custom_html' in p)), 'a list answers without the HTML');
    const paged = await s.api('GET', `/accounts/${account_id}/access/custom_pages?per_page=1&page=2`);
    assert.deepEqual([paged.json.result.map((p: { name: string }) => p.name), paged.json.result_info.total_count], [['Forbidden'], 2]);

    const got = (await pages.get(uid, { account_id })) as unknown as Record<string, unknown>;
    assert.deepEqual([got.custom_html, got.name, got.uid], [DENIED_HTML, 'Denied', uid]);

    const replaced = (await pages.update(uid, { account_id, name: 'Denied v2', type: 'identity_denied', custom_html: '<p>v2</p>' })) as unknown as Record<string, unknown>;
    assert.deepEqual([replaced.name, replaced.uid, 'custom_html' in replaced], ['Denied v2', uid, false]);
    assert.equal(((await pages.get(uid, { account_id })) as unknown as { custom_html: string }).custom_html, '<p>v2</p>');

    assert.deepEqual(await pages.delete(uid, { account_id }), { id: uid });
    await assert.rejects(pages.get(uid, { account_id }), Cloudflare.NotFoundError);
    await assert.rejects(pages.delete(uid, { account_id }), Cloudflare.NotFoundError);
    await assert.rejects(pages.update(uid, { account_id, name: 'x', type: 'forbidden', custom_html: 'x' }), Cloudflare.NotFoundError);
  });

  it('refuses bad input in the envelope', async () => {
    const account_id = randomAccountId();
    const A = `/accounts/${account_id}/access/custom_pages`;
    for (const body of [
      { name: 'x', type: 'teapot', custom_html: 'x' },
      { name: 'x', custom_html: 'x' },
      { name: 'x', type: 'forbidden' },
      { name: '', type: 'forbidden', custom_html: 'x' },
      { name: 'x', type: 'forbidden', custom_html: '' },
    ]) {
      const res = await s.api('POST', A, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.json.success, false);
      assert.ok(res.json.errors[0].code > 0);
    }
  });

  it("counts the applications choosing a page, checks the applications' and the organization's references, and keeps a page in use", async () => {
    const account_id = randomAccountId();
    const pages = s.cf.zeroTrust.access.customPages;
    const A = `/accounts/${account_id}/access`;
    const denied = (await pages.create({ account_id, name: 'Denied', type: 'identity_denied', custom_html: DENIED_HTML })).uid!;
    const forbidden = (await pages.create({ account_id, name: 'Forbidden', type: 'forbidden', custom_html: '<p>No</p>' })).uid!;
    const login = (await pages.create({ account_id, name: 'Login', type: 'login', custom_html: '<cf-access-authbox></cf-access-authbox>' })).uid!;

    const wiki = await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Wiki', domain: 'wiki.example.com', custom_pages: [denied, forbidden] });
    assert.equal(wiki.status, 201, JSON.stringify(wiki.json));
    assert.deepEqual(wiki.json.result.custom_pages, [denied, forbidden]);
    const ci = await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'CI', domain: 'ci.example.com', custom_pages: [denied] });
    assert.equal(ci.status, 201, JSON.stringify(ci.json));
    const counts = async () => Object.fromEntries(((await pages.list({ account_id })).result as unknown as { name: string; app_count: number }[]).map((p) => [p.name, p.app_count]));
    assert.deepEqual(await counts(), { Denied: 2, Forbidden: 1, Login: 0 });
    assert.equal(((await pages.get(denied, { account_id })) as unknown as { app_count: number }).app_count, 2);

    const unknown = await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'X', domain: 'x.example.com', custom_pages: ['0123456789abcdef0123456789abcdef'] });
    assert.equal(unknown.status, 400, 'an unknown page');
    assert.deepEqual([unknown.json.errors[0].code, unknown.json.errors[0].source.pointer], [1363, '/custom_pages/0']);
    const twoOfAType = await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'X', domain: 'x.example.com', custom_pages: [denied, (await pages.create({ account_id, name: 'Denied 2', type: 'identity_denied', custom_html: 'x' })).uid] });
    assert.equal(twoOfAType.status, 400, 'two pages of one type leave which one shows to chance');

    for (const custom_pages of [{ identity_denied: forbidden }, { forbidden: denied }, { identity_denied: 'nope' }, { forbidden: login }]) {
      const res = await s.api('PUT', `${A}/organizations`, { name: 'Org', auth_domain: `${account_id}.example.net`, custom_pages });
      assert.equal(res.status, 400, JSON.stringify(custom_pages));
    }
    const org = await s.api('PUT', `${A}/organizations`, { name: 'Org', auth_domain: `${account_id}.example.net`, custom_pages: { identity_denied: denied, forbidden } });
    assert.equal(org.status, 200, JSON.stringify(org.json));

    const inUse = await s.api('DELETE', `${A}/custom_pages/${forbidden}`);
    assert.equal(inUse.status, 409);
    assert.match(inUse.json.errors[0].message, /Wiki/);
    assert.match(inUse.json.errors[0].message, /organization/i);
    // Changing a page's type would leave the applications choosing it with a page of the wrong type.
    assert.equal((await s.api('PUT', `${A}/custom_pages/${forbidden}`, { name: 'Forbidden', type: 'identity_denied', custom_html: 'x' })).status, 409);

    assert.equal((await s.api('PUT', `${A}/apps/${wiki.json.result.id}`, { type: 'self_hosted', name: 'Wiki', domain: 'wiki.example.com', custom_pages: [] })).status, 200);
    assert.equal((await s.api('PUT', `${A}/organizations`, { custom_pages: { identity_denied: denied } })).status, 200);
    assert.deepEqual((await counts()).Forbidden, 0);
    assert.equal((await s.api('DELETE', `${A}/custom_pages/${forbidden}`)).status, 202);
  });
});
