// Device posture rules through the official SDK and raw HTTP, on SQLite and PostgreSQL.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import Cloudflare from 'cloudflare';
import { randomAccountId } from '../../../test/support/server.js';
import { describeEachDatabase } from '../../../test/support/suite.js';
import { issues, refusal } from '../../../test/support/answers.js';
import { statusesWith } from '../../../test/support/tokens.js';

const DISK_ENCRYPTION = {
  name: 'Disk encrypted',
  type: 'disk_encryption',
  description: 'All disks of laptops',
  schedule: '5m',
  expiration: '1h',
  match: [{ platform: 'mac' }, { platform: 'windows' }],
  input: { requireAll: true },
} as const;

await describeEachDatabase('device posture rules API', (s) => {
  const rulesOf = (account: string) => `/accounts/${account}/devices/posture`;

  it('creates (200), reads, replaces and deletes through the SDK', async () => {
    const account = randomAccountId();
    const raw = await s.api('POST', rulesOf(account), DISK_ENCRYPTION);
    assert.equal(raw.status, 200, 'posture rules are created with 200, not 201');
    const created = raw.json.result;
    assert.match(created.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(created, { id: created.id, ...DISK_ENCRYPTION });
    assert.deepEqual(await s.cf.zeroTrust.devices.posture.get(created.id, { account_id: account }), created);

    const replaced = await s.cf.zeroTrust.devices.posture.update(created.id, { account_id: account, name: 'Firewall on', type: 'firewall', match: [{ platform: 'linux' }] });
    assert.deepEqual(replaced, { id: created.id, name: 'Firewall on', type: 'firewall', match: [{ platform: 'linux' }] }, 'a full replace');
    // Types and platforms the SDK knows beyond the 2024 spec.
    const serial = await s.cf.zeroTrust.devices.posture.update(created.id, { account_id: account, name: 'Serial', type: 'serial_number', match: [{ platform: 'chromeos' }] } as never);
    assert.equal(serial?.type, 'serial_number');

    const deleted = await s.cf.zeroTrust.devices.posture.delete(created.id, { account_id: account });
    assert.deepEqual(deleted, { id: created.id });
    await assert.rejects(s.cf.zeroTrust.devices.posture.get(created.id, { account_id: account }), Cloudflare.NotFoundError);
  });

  it('lists everything on one page, which the SDK iterates and stops after', async () => {
    const account = randomAccountId();
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    for (const name of names) await s.cf.zeroTrust.devices.posture.create({ account_id: account, name, type: 'warp' });
    const seen: string[] = [];
    for await (const rule of s.cf.zeroTrust.devices.posture.list({ account_id: account })) seen.push(rule.name!);
    assert.deepEqual(seen.sort(), names);
    const raw = await s.api('GET', `${rulesOf(account)}?page=2&per_page=2`);
    assert.equal(raw.json.result.length, 7, 'no paging parameters: always everything');
    assert.deepEqual(raw.json.result_info, { page: 1, per_page: 7, count: 7, total_count: 7, total_pages: 1 });
    const empty = await s.api('GET', rulesOf(randomAccountId()));
    assert.deepEqual(empty.json.result, []);
  });

  it('accepts the empty body Cloudflare declares on delete, and no body at all', async () => {
    const account = randomAccountId();
    const one = (await s.api('POST', rulesOf(account), { name: 'one', type: 'gateway' })).json.result;
    const two = (await s.api('POST', rulesOf(account), { name: 'two', type: 'gateway' })).json.result;
    const withBody = await s.api('DELETE', `${rulesOf(account)}/${one.id}`, {});
    assert.equal(withBody.status, 200);
    assert.deepEqual(withBody.json.result, { id: one.id });
    const withoutBody = await s.api('DELETE', `${rulesOf(account)}/${two.id}`);
    assert.equal(withoutBody.status, 200);
    assert.deepEqual(withoutBody.json.result, { id: two.id });
  });

  it('refuses invalid rules with codes and pointers', async () => {
    const account = randomAccountId();
    const res = await s.api('POST', rulesOf(account), { type: 'serial', match: [{ platform: 'beos' }], input: 'x', colour: 'red' });
    assert.deepEqual(issues(res), [
      [1300, '/input'],
      [1301, '/name'],
      [1303, '/match/0/platform'],
      [1303, '/type'],
    ]);
    const durations = await s.api('POST', rulesOf(account), { name: 'x', type: 'warp', schedule: '30s', expiration: 'soon' });
    assert.deepEqual(issues(durations), [
      [1318, '/expiration'],
      [1318, '/schedule'],
    ]);
    assert.match(durations.json.errors[0].message, /at least 1m/, 'schedule: no more often than every minute');
    await assert.rejects(s.cf.zeroTrust.devices.posture.create({ account_id: account, name: 'x', type: 'nope' as 'warp' }), Cloudflare.BadRequestError);
    assert.deepEqual((await s.api('GET', rulesOf(account))).json.result, [], 'nothing was written');
  });

  it('refuses to delete a rule a device_posture rule names, and answers 404 for unknown ids', async () => {
    const account = randomAccountId();
    const rule = await s.cf.zeroTrust.devices.posture.create({ account_id: account, name: 'Managed', type: 'warp' });
    const policy = await s.cf.zeroTrust.access.policies.create({ account_id: account, name: 'Managed devices', decision: 'allow', include: [{ everyone: {} }], require: [{ device_posture: { integration_uid: rule!.id! } }] });
    const res = await s.api('DELETE', `${rulesOf(account)}/${rule!.id}`, {});
    const [inUse] = refusal(res, 409);
    assert.equal(inUse.code, 1201);
    assert.match(inUse.message, /"Managed devices"/);
    await assert.rejects(s.cf.zeroTrust.devices.posture.delete(rule!.id!, { account_id: account }), Cloudflare.ConflictError);
    await s.cf.zeroTrust.access.policies.delete(policy.id!, { account_id: account });
    await s.cf.zeroTrust.devices.posture.delete(rule!.id!, { account_id: account });

    const missing = `${rulesOf(account)}/6f1c3a5e-0000-4000-8000-000000000000`;
    for (const [method, body] of [['GET'], ['PUT', { name: 'x', type: 'warp' }], ['DELETE']] as const) {
      const r = await s.api(method, missing, body);
      assert.equal(r.status, 404, method);
      assert.equal(r.json.errors[0].code, 1102);
      assert.match(r.json.errors[0].message, /Device posture rule/);
    }
  });

  it('needs the Access: Device Posture permissions', async () => {
    const account = randomAccountId();
    const path = rulesOf(account);
    const body = { name: 'WARP', type: 'warp' };
    assert.deepEqual(await statusesWith(s, account, ['Access: Device Posture Read'], [['GET', path], ['POST', path, body]]), [200, 403]);
    assert.deepEqual(await statusesWith(s, account, ['Access: Device Posture Write'], [['POST', path, body]]), [200]);
    assert.deepEqual(await statusesWith(s, account, ['Access: Mutual TLS Certificates Write'], [['GET', path]]), [403]);
  });
});
