// Cloudflare's Access tags through the official SDK: create, list with app_count, get, rename,
// delete, by name. SQLite and PostgreSQL.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import Cloudflare from 'cloudflare';
import { describeEachDatabase } from '../../../test/support/suite.js';
import { randomAccountId } from '../../../test/support/server.js';

await describeEachDatabase('Access tags API', (s) => {
  it('creates tags by name, counts the applications that carry each, renames and deletes them', async () => {
    const account_id = randomAccountId();
    const tags = s.cf.zeroTrust.access.tags;
    const created = (await tags.create({ account_id, name: 'engineering' })) as { name: string; app_count: number; created_at: string };
    assert.deepEqual([created.name, created.app_count], ['engineering', 0]);
    await tags.create({ account_id, name: 'finance' });
    await assert.rejects(tags.create({ account_id, name: 'engineering' }), Cloudflare.ConflictError, 'names are unique');
    for (const [domain, carried] of [['wiki.example.com', ['engineering']], ['ci.example.com', ['engineering', 'finance']]] as const) {
      const app = await s.api('POST', `/accounts/${account_id}/access/apps`, { type: 'self_hosted', domain, tags: carried });
      assert.equal(app.status, 201, JSON.stringify(app.json));
    }
    const listed = (await tags.list({ account_id })).result as { name: string; app_count: number }[];
    assert.deepEqual(listed.map((t) => [t.name, t.app_count]), [['engineering', 2], ['finance', 1]]);
    assert.equal(((await tags.get('finance', { account_id })) as unknown as { app_count: number }).app_count, 1);

    const renamed = (await tags.update('finance', { account_id, name: 'money' })) as { name: string; created_at: string };
    assert.equal(renamed.name, 'money');
    await assert.rejects(tags.get('finance', { account_id }), Cloudflare.NotFoundError, 'the old name is gone');
    await assert.rejects(tags.update('money', { account_id, name: 'engineering' }), Cloudflare.ConflictError);

    const deleted = await s.api('DELETE', `/accounts/${account_id}/access/tags/engineering`);
    assert.equal(deleted.status, 202);
    assert.deepEqual(deleted.json.result, { name: 'engineering' });
    assert.deepEqual(((await tags.list({ account_id })).result as { name: string }[]).map((t) => t.name), ['money']);
    assert.equal((await s.api('DELETE', `/accounts/${account_id}/access/tags/engineering`)).status, 404);
    assert.equal((await s.api('POST', `/accounts/${account_id}/access/tags`, { name: '' })).status, 400);
  });
});
