// Access service tokens through the official SDK and raw HTTP, on SQLite and PostgreSQL.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import Cloudflare from 'cloudflare';
import { explain, parsePolicy, prepareIdentity } from '../../engine/index.js';
import { randomAccountId } from '../../../test/support/server.js';
import { describeEachDatabase } from '../../../test/support/suite.js';
import { issues, refusal } from '../../../test/support/answers.js';
import { statusesWith } from '../../../test/support/tokens.js';

const HOUR = 3_600_000;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
/**
 * Cloudflare's client secret format since 26 August 2026: `cfast_`, 40 alphanumeric characters
 * and an 8-character checksum, so that credential scanners can tell one from random text. Here the
 * checksum is the first 8 hexadecimal digits of the SHA-256 of what precedes it.
 */
function assertClientSecret(secret: string | undefined): void {
  const parts = /^(cfast_[A-Za-z0-9]{40})([0-9a-f]{8})$/.exec(secret ?? '');
  assert.ok(parts, `${JSON.stringify(secret)} is not of the form cfast_<40 alphanumerics><8-character checksum>`);
  assert.equal(parts[2], sha256(parts[1]!).slice(0, 8), 'the checksum is of the prefix and the random part');
}

await describeEachDatabase('Access service tokens API', (s) => {
  const tokensOf = (account: string) => `/accounts/${account}/access/service_tokens`;

  it('creates with a secret shown once, reads, updates and deletes through the SDK', async () => {
    const account = randomAccountId();
    const created = await s.cf.zeroTrust.access.serviceTokens.create({ account_id: account, name: 'CI' });
    assert.match(created.id!, /^[0-9a-f-]{36}$/);
    assert.match(created.client_id!, /^[0-9a-f]{32}\.access$/);
    assertClientSecret(created.client_secret);
    assert.equal(created.duration, '8760h');

    const got = await s.cf.zeroTrust.access.serviceTokens.get(created.id!, { account_id: account });
    const { client_secret, ...withoutSecret } = created;
    assert.deepEqual(got, withoutSecret);
    assert.equal(Date.parse(got.expires_at!) - Date.parse((got as any).created_at), 8760 * HOUR);

    const record = await s.store.read.getResource(account, 'service_token', created.id!);
    assert.equal(record!.secretHash, sha256(client_secret!), 'only the SHA-256 of the secret is kept');
    assert.ok(!JSON.stringify(record!.body).includes(client_secret!));

    const renamed = await s.cf.zeroTrust.access.serviceTokens.update(created.id!, { account_id: account, name: 'CI (deploys)' });
    assert.equal(renamed.name, 'CI (deploys)');
    assert.equal(renamed.expires_at, got.expires_at, 'the same duration keeps the expiry');
    assert.equal((renamed as any).client_secret, undefined);

    const sentAt = Date.now();
    const shortened = await s.cf.zeroTrust.access.serviceTokens.update(created.id!, { account_id: account, duration: '1h' });
    const answeredAt = Date.now();
    assert.equal(shortened.name, 'CI (deploys)', 'a field left out keeps its value');
    assert.equal(shortened.duration, '1h');
    const expires = Date.parse(shortened.expires_at!);
    assert.ok(expires >= sentAt + HOUR && expires <= answeredAt + HOUR, 'a new duration counts from now');

    const deleted = await s.cf.zeroTrust.access.serviceTokens.delete(created.id!, { account_id: account });
    assert.deepEqual(deleted, shortened, 'delete answers with the deleted token');
    await assert.rejects(s.cf.zeroTrust.access.serviceTokens.get(created.id!, { account_id: account }), Cloudflare.NotFoundError);
  });

  it('answers the status codes Cloudflare documents for service tokens (201, 200, 404) and never returns the secret after create', async () => {
    const account = randomAccountId();
    const created = await s.api('POST', tokensOf(account), { name: 'raw', duration: '30m' });
    assert.equal(created.status, 201);
    const secret = created.json.result.client_secret;
    const id = created.json.result.id;
    for (const [method, path] of [
      ['GET', tokensOf(account)],
      ['GET', `${tokensOf(account)}/${id}`],
      ['PUT', `${tokensOf(account)}/${id}`],
      ['POST', `${tokensOf(account)}/${id}/refresh`],
      ['DELETE', `${tokensOf(account)}/${id}`],
    ] as const) {
      const res = await s.api(method, path, method === 'PUT' ? { name: 'raw 2' } : undefined);
      assert.equal(res.status, 200, `${method} ${path}`);
      assert.ok(!JSON.stringify(res.json).includes(secret), `${method} ${path} shows no secret`);
      assert.ok(!JSON.stringify(res.json).includes('"client_secret"'), `${method} ${path} has no client_secret field`);
    }
  });

  it('sets expires_at to the creation time plus the duration, or leaves it out for "forever"', async () => {
    const account = randomAccountId();
    for (const [duration, ms] of [
      ['90m', 90 * 60_000],
      ['2h45m30s', 2 * HOUR + 45 * 60_000 + 30_000],
      ['300ms', 300],
      ['17520h', 17520 * HOUR],
    ] as const) {
      const token = (await s.api('POST', tokensOf(account), { name: duration, duration })).json.result;
      assert.equal(token.duration, duration);
      assert.equal(Date.parse(token.expires_at) - Date.parse(token.created_at), ms, duration);
    }
    const forever = await s.cf.zeroTrust.access.serviceTokens.create({ account_id: account, name: 'forever', duration: 'forever' });
    assert.equal(forever.duration, 'forever');
    assert.equal((forever as any).expires_at, undefined);
  });

  it('gives a token named by a policy the expiry the policy engine checks', async () => {
    const account = randomAccountId();
    const token = await s.cf.zeroTrust.access.serviceTokens.create({ account_id: account, name: 'backup job', duration: '36h' });
    const saved = await s.cf.zeroTrust.access.policies.create({ account_id: account, name: 'Backups', decision: 'non_identity', include: [{ service_token: { token_id: token.id! } }] });
    const read = await s.cf.zeroTrust.access.serviceTokens.get(token.id!, { account_id: account });
    const createdAt = Date.parse((read as any).created_at);
    const expiresAt = Date.parse(read.expires_at!);
    assert.equal(expiresAt - createdAt, 36 * HOUR);

    // Evaluate the saved policy with the token's expiry from the API, just before and at it.
    const parsed = parsePolicy(saved, { id: saved.id! });
    assert.ok(parsed.ok);
    const identity = prepareIdentity({ service_token_id: token.id!, service_token_status: true });
    const env = (now: number) => ({ now, serviceToken: (id: string) => (id === token.id ? { expiresAt } : undefined) });
    assert.equal(explain([parsed.value], identity, env(expiresAt - 1)).access, 'granted');
    assert.equal(explain([parsed.value], identity, env(expiresAt)).access, 'blocked');
  });

  it('rotates the secret (shown once, old hash replaced) and refreshes the expiry', async () => {
    const account = randomAccountId();
    const token = await s.cf.zeroTrust.access.serviceTokens.create({ account_id: account, name: 'rotating', duration: '24h' });
    const rotated = await s.cf.zeroTrust.access.serviceTokens.rotate(token.id!, { account_id: account });
    assertClientSecret(rotated.client_secret);
    assert.notEqual(rotated.client_secret, token.client_secret);
    assert.equal(rotated.client_id, token.client_id, 'rotation keeps the client id');
    const record = await s.store.read.getResource(account, 'service_token', token.id!);
    assert.equal(record!.secretHash, sha256(rotated.client_secret!));

    const withBody = await s.api('POST', `${tokensOf(account)}/${token.id}/rotate`, { previous_client_secret_expires_at: '2030-01-01T00:00:00Z' });
    assert.equal(withBody.status, 200);
    assertClientSecret(withBody.json.result.client_secret);

    const sentAt = Date.now();
    const refreshed = await s.cf.zeroTrust.access.serviceTokens.refresh(token.id!, { account_id: account });
    const answeredAt = Date.now();
    const expires = Date.parse(refreshed.expires_at!);
    assert.ok(expires >= sentAt + 24 * HOUR && expires <= answeredAt + 24 * HOUR, 'refresh: one duration from now');
    assert.equal((refreshed as any).client_secret, undefined);
  });

  it('auto-paginates over several pages and filters by name', async () => {
    const account = randomAccountId();
    const names = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
    for (const name of names) await s.cf.zeroTrust.access.serviceTokens.create({ account_id: account, name });
    const seen: string[] = [];
    for await (const t of s.cf.zeroTrust.access.serviceTokens.list({ account_id: account, per_page: 2 })) seen.push(t.name!);
    assert.deepEqual(seen.sort(), [...names].sort());
    const past = await s.api('GET', `${tokensOf(account)}?page=4&per_page=2`);
    assert.equal(past.status, 200);
    assert.deepEqual(past.json.result, []);
    assert.deepEqual(past.json.result_info, { page: 4, per_page: 2, count: 0, total_count: 5, total_pages: 3 });
    const searched = await s.api('GET', `${tokensOf(account)}?search=TA`);
    assert.deepEqual(searched.json.result.map((t: any) => t.name).sort(), ['beta', 'delta']);
    const named = await s.api('GET', `${tokensOf(account)}?name=gamma`);
    assert.deepEqual(named.json.result.map((t: any) => t.name), ['gamma']);
  });

  it('refuses invalid bodies with codes and pointers', async () => {
    const account = randomAccountId();
    const res = await s.api('POST', tokensOf(account), { duration: 5, colour: 'red' });
    assert.deepEqual(issues(res), [
      [1300, '/duration'],
      [1301, '/name'],
    ]);
    for (const duration of ['1y', '-5m', '0s', '']) {
      const bad = await s.api('POST', tokensOf(account), { name: 'x', duration });
      assert.deepEqual(issues(bad), [[1318, '/duration']], duration);
    }
    await assert.rejects(s.cf.zeroTrust.access.serviceTokens.create({ account_id: account, name: 'x', duration: 'a week' }), Cloudflare.BadRequestError);
    assert.deepEqual((await s.api('GET', tokensOf(account))).json.result, [], 'nothing was written');
  });

  it('refuses to delete a token a service_token rule names, and answers 404 for unknown ids', async () => {
    const account = randomAccountId();
    const token = await s.cf.zeroTrust.access.serviceTokens.create({ account_id: account, name: 'in use' });
    const group = await s.cf.zeroTrust.access.groups.create({ account_id: account, name: 'Robots', include: [{ service_token: { token_id: token.id! } }] });
    const res = await s.api('DELETE', `${tokensOf(account)}/${token.id}`);
    const [inUse] = refusal(res, 409);
    assert.equal(inUse.code, 1201);
    assert.match(inUse.message, /"Robots"/);
    await assert.rejects(s.cf.zeroTrust.access.serviceTokens.delete(token.id!, { account_id: account }), Cloudflare.ConflictError);
    await s.cf.zeroTrust.access.groups.delete(group.id!, { account_id: account });
    await s.cf.zeroTrust.access.serviceTokens.delete(token.id!, { account_id: account });

    const missing = `${tokensOf(account)}/6f1c3a5e-0000-4000-8000-000000000000`;
    for (const [method, path, body] of [['GET', missing], ['PUT', missing, { name: 'x' }], ['DELETE', missing], ['POST', `${missing}/rotate`], ['POST', `${missing}/refresh`]] as const) {
      const r = await s.api(method, path, body);
      assert.equal(r.status, 404, `${method} ${path}`);
      assert.equal(r.json.errors[0].code, 1102);
      assert.match(r.json.errors[0].message, /Service token/);
    }
  });

  it('needs the Access: Service Tokens permissions', async () => {
    const account = randomAccountId();
    const path = tokensOf(account);
    assert.deepEqual(await statusesWith(s, account, ['Access: Service Tokens Read'], [['GET', path], ['POST', path, { name: 'x' }]]), [200, 403]);
    assert.deepEqual(await statusesWith(s, account, ['Access: Service Tokens Write'], [['POST', path, { name: 'x' }], ['GET', path]]), [201, 200]);
    assert.deepEqual(await statusesWith(s, account, ['Access: Device Posture Write'], [['GET', path]]), [403]);
  });

  it('accepts the fields the SDK sends: a disabled token is kept but no policy accepts it, and rotations count', async () => {
    const account = randomAccountId();
    const created = await s.cf.zeroTrust.access.serviceTokens.create({ account_id: account, name: 'Build bot', enabled: true, client_secret_version: 1 } as never);
    assert.equal((created as { enabled?: boolean }).enabled, true);
    assert.equal((created as { client_secret_version?: number }).client_secret_version, 1);
    const policy = { name: 'Build bot', decision: 'non_identity', include: [{ service_token: { token_id: created.id } }] };
    const identity = { service_token_id: created.id, service_token_status: true };
    const decide = async () => (await s.api('POST', `/accounts/${account}/access/evaluate`, { policies: [policy], identity })).json.result.status;
    assert.equal(await decide(), 'approved');
    await s.cf.zeroTrust.access.serviceTokens.update(created.id!, { account_id: account, name: 'Build bot', enabled: false } as never);
    assert.equal((await s.cf.zeroTrust.access.serviceTokens.get(created.id!, { account_id: account }) as { enabled?: boolean }).enabled, false);
    assert.equal(await decide(), 'blocked', 'a disabled token is refused');
    await s.cf.zeroTrust.access.serviceTokens.update(created.id!, { account_id: account, name: 'Build bot', enabled: true } as never);
    assert.equal(await decide(), 'approved', 'and accepted again once enabled');
    const rotated = await s.cf.zeroTrust.access.serviceTokens.rotate(created.id!, { account_id: account, previous_client_secret_expires_at: '2030-01-01T00:00:00Z' } as never);
    assert.equal((rotated as { client_secret_version?: number }).client_secret_version, 2);
  });
});
