// Access identity providers through the official SDK and raw HTTP, on SQLite and PostgreSQL.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import Cloudflare from 'cloudflare';
import { randomAccountId } from '../../../test/support/server.js';
import { describeEachDatabase } from '../../../test/support/suite.js';
import { issues, refusal } from '../../../test/support/answers.js';
import { statusesWith } from '../../../test/support/tokens.js';

const OKTA_CONFIG = { client_id: 'okta-client', client_secret: 'okta-secret', okta_account: 'https://dev-1.okta.com', claims: ['groups'] };

await describeEachDatabase('Access identity providers API', (s) => {
  const idpsOf = (account: string) => `/accounts/${account}/access/identity_providers`;
  const storedConfig = async (account: string, id: string) => (await s.store.read.getResource(account, 'identity_provider', id))!.body.config as Record<string, unknown>;

  it('creates, reads, replaces and deletes through the SDK, never returning the client secret', async () => {
    const account = randomAccountId();
    const created = await s.cf.zeroTrust.identityProviders.create({
      account_id: account,
      name: 'Okta',
      type: 'okta',
      config: OKTA_CONFIG,
      scim_config: { enabled: true, user_deprovision: true },
    });
    assert.match(created.id!, /^[0-9a-f-]{36}$/);
    assert.equal(created.type, 'okta');
    assert.deepEqual(created.config, { client_id: 'okta-client', okta_account: 'https://dev-1.okta.com', claims: ['groups'] });
    const { secret, ...scimConfig } = created.scim_config as Record<string, unknown>;
    assert.match(String(secret), /^[A-Za-z0-9_-]{43}$/, 'SCIM enabled: the secret is shown in this answer');
    assert.deepEqual(scimConfig, { enabled: true, user_deprovision: true, scim_base_url: `${s.baseUrl}/scim/v2/${account}/${created.id}` });
    assert.deepEqual(await s.cf.zeroTrust.identityProviders.get(created.id!, { account_id: account }), { ...created, scim_config: scimConfig }, 'and never again');
    assert.equal((await storedConfig(account, created.id!)).client_secret, 'okta-secret', 'the secret is stored');

    // What was read back, changed and sent again keeps the stored secret.
    const replaced = await s.cf.zeroTrust.identityProviders.update(created.id!, {
      account_id: account,
      name: 'Okta (prod)',
      type: 'okta',
      config: { ...created.config, okta_account: 'https://prod.okta.com' },
    });
    assert.equal(replaced.name, 'Okta (prod)');
    assert.equal((replaced.config as any).okta_account, 'https://prod.okta.com');
    assert.equal(replaced.scim_config, undefined, 'a full replace: scim_config left out is gone');
    assert.equal((replaced.config as any).client_secret, undefined);
    assert.equal((await storedConfig(account, created.id!)).client_secret, 'okta-secret');

    await s.cf.zeroTrust.identityProviders.update(created.id!, { account_id: account, name: 'Okta', type: 'okta', config: { ...OKTA_CONFIG, client_secret: 'new-secret' } });
    assert.equal((await storedConfig(account, created.id!)).client_secret, 'new-secret', 'a secret sent replaces the stored one');
    await s.cf.zeroTrust.identityProviders.update(created.id!, { account_id: account, name: 'Azure', type: 'azureAD', config: { client_id: 'azure', directory_id: 'tenant' } });
    assert.equal((await storedConfig(account, created.id!)).client_secret, undefined, 'a new type starts without the old secret');

    const deleted = await s.api('DELETE', `${idpsOf(account)}/${created.id}`);
    assert.equal(deleted.status, 202);
    assert.deepEqual(deleted.json.result, { id: created.id });
    await assert.rejects(s.cf.zeroTrust.identityProviders.get(created.id!, { account_id: account }), Cloudflare.NotFoundError);
  });

  it('filters the list by scim_enabled before paging, through the SDK and raw HTTP', async () => {
    const account = randomAccountId();
    const create = (name: string, scim?: object) => s.cf.zeroTrust.identityProviders.create({ account_id: account, name, type: 'okta', config: OKTA_CONFIG, ...(scim !== undefined ? { scim_config: scim } : {}) } as never);
    await create('SCIM on', { enabled: true });
    await create('SCIM off', { enabled: false, user_deprovision: true });
    await create('No SCIM');
    await create('SCIM on too', { enabled: true, user_deprovision: true });
    const names = async (scim_enabled?: string) => {
      const all: string[] = [];
      for await (const idp of s.cf.zeroTrust.identityProviders.list({ account_id: account, per_page: 1, ...(scim_enabled !== undefined ? { scim_enabled } : {}) })) all.push(idp.name);
      return all;
    };
    assert.deepEqual(await names('true'), ['SCIM on', 'SCIM on too']);
    assert.deepEqual(await names('false'), ['SCIM off', 'No SCIM']);
    assert.deepEqual(await names(), ['SCIM on', 'SCIM off', 'No SCIM', 'SCIM on too']);
    const page = await s.api('GET', `${idpsOf(account)}?scim_enabled=true&per_page=1&page=2`);
    assert.deepEqual([page.status, page.json.result.map((i: { name: string }) => i.name), page.json.result_info.total_count], [200, ['SCIM on too'], 2]);
    const other = randomAccountId();
    await s.api('POST', idpsOf(other), { name: 'Plain', type: 'okta', config: OKTA_CONFIG });
    const none = await s.api('GET', `${idpsOf(other)}?scim_enabled=true`);
    assert.deepEqual([none.status, none.json.result, none.json.result_info.total_count], [200, [], 0]);
    assert.equal((await s.api('GET', `${idpsOf(account)}?scim_enabled=yes`)).status, 400);
  });

  it('accepts every type, keeps config fields it does not know, and never lists secrets', async () => {
    const account = randomAccountId();
    const types = ['onetimepin', 'azureAD', 'saml', 'centrify', 'facebook', 'github', 'google-apps', 'google', 'linkedin', 'oidc', 'okta', 'onelogin', 'pingone', 'yandex', 'cloudflare'];
    for (const type of types) {
      const res = await s.api('POST', idpsOf(account), { name: `IdP ${type}`, type, config: { client_secret: `secret of ${type}`, future_option: 1 } });
      assert.equal(res.status, 201, type);
      assert.deepEqual(res.json.result.config, { future_option: 1 }, type);
    }
    const seen: any[] = [];
    for await (const idp of s.cf.zeroTrust.identityProviders.list({ account_id: account, per_page: 4 })) seen.push(idp);
    assert.deepEqual(seen.map((i) => i.type).sort(), [...types].sort());
    assert.ok(!JSON.stringify(seen).includes('secret of'));
    const past = await s.api('GET', `${idpsOf(account)}?page=5&per_page=4`);
    assert.equal(past.status, 200);
    assert.deepEqual(past.json.result, []);
    assert.deepEqual(past.json.result_info, { page: 5, per_page: 4, count: 0, total_count: 15, total_pages: 4 });
  });

  it('accepts an object read back with its id, and ignores that id', async () => {
    const account = randomAccountId();
    const created = (await s.api('POST', idpsOf(account), { name: 'PIN', type: 'onetimepin', config: {} })).json.result;
    const again = await s.api('PUT', `${idpsOf(account)}/${created.id}`, { ...created, id: 'something-else', name: 'One-time PIN' });
    assert.equal(again.status, 200);
    assert.equal(again.json.result.id, created.id);
    assert.equal(again.json.result.name, 'One-time PIN');
  });

  it('checks each type\'s config fields, and the rest of the body, with codes and pointers', async () => {
    const account = randomAccountId();
    const res = await s.api('POST', idpsOf(account), {
      name: '',
      type: 'azureAD',
      config: { client_id: 7, prompt: 'consent', claims: 'groups' },
      scim_config: { enabled: 'yes', secret_token: 'mine' },
      colour: 'red',
    });
    assert.deepEqual(issues(res), [
      [1300, '/config/claims'],
      [1300, '/config/client_id'],
      [1300, '/scim_config/enabled'],
      [1302, '/scim_config/secret_token'],
      [1303, '/config/prompt'],
      [1304, '/name'],
    ]);
    const google = await s.api('POST', idpsOf(account), { name: 'Google Workspace', type: 'google-apps', config: { prompt: 'consent' } });
    assert.equal(google.status, 201, 'prompt is only typed where Cloudflare types it (Azure AD)');

    const untyped = await s.api('POST', idpsOf(account), { name: 'x', type: 'auth0' });
    assert.deepEqual(issues(untyped), [
      [1301, '/config'],
      [1303, '/type'],
    ]);
    await assert.rejects(
      s.cf.zeroTrust.identityProviders.create({ account_id: account, name: 'x', type: 'saml', config: { sign_request: 'yes' as unknown as boolean } }),
      (err: unknown) => err instanceof Cloudflare.BadRequestError && /sign_request|boolean/.test(err.message),
    );
  });

  it('refuses to delete an identity provider that rules name, and says which', async () => {
    const account = randomAccountId();
    const idp = await s.cf.zeroTrust.identityProviders.create({ account_id: account, name: 'Okta', type: 'okta', config: OKTA_CONFIG });
    const group = await s.cf.zeroTrust.access.groups.create({ account_id: account, name: 'Okta admins', include: [{ okta: { name: 'admins', identity_provider_id: idp.id! } }] });
    const policy = await s.cf.zeroTrust.access.policies.create({ account_id: account, name: 'Okta logins', decision: 'allow', include: [{ login_method: { id: idp.id! } }] });
    const res = await s.api('DELETE', `${idpsOf(account)}/${idp.id}`);
    const [inUse] = refusal(res, 409);
    assert.equal(inUse.code, 1201);
    assert.match(inUse.message, /"Okta admins"/);
    assert.match(inUse.message, /"Okta logins"/);
    await assert.rejects(s.cf.zeroTrust.identityProviders.delete(idp.id!, { account_id: account }), Cloudflare.ConflictError);
    await s.cf.zeroTrust.access.groups.delete(group.id!, { account_id: account });
    await s.cf.zeroTrust.access.policies.delete(policy.id!, { account_id: account });
    assert.deepEqual(await s.cf.zeroTrust.identityProviders.delete(idp.id!, { account_id: account }), { id: idp.id });
  });

  it('answers 404 for unknown ids and keeps accounts apart', async () => {
    const account = randomAccountId();
    const missing = `${idpsOf(account)}/6f1c3a5e-0000-4000-8000-000000000000`;
    for (const [method, body] of [['GET'], ['PUT', { name: 'x', type: 'github', config: {} }], ['DELETE']] as const) {
      const res = await s.api(method, missing, body);
      assert.equal(res.status, 404, method);
      assert.equal(res.json.errors[0].code, 1102);
      assert.match(res.json.errors[0].message, /Identity provider/);
    }
    const idp = await s.cf.zeroTrust.identityProviders.create({ account_id: account, name: 'GitHub', type: 'github', config: {} });
    await assert.rejects(s.cf.zeroTrust.identityProviders.get(idp.id!, { account_id: randomAccountId() }), Cloudflare.NotFoundError);
  });

  it('needs the Access: Organizations, Identity Providers, and Groups permissions', async () => {
    const account = randomAccountId();
    const path = idpsOf(account);
    const body = { name: 'PIN', type: 'onetimepin', config: {} };
    assert.deepEqual(await statusesWith(s, account, ['Access: Organizations, Identity Providers, and Groups Read'], [['GET', path], ['POST', path, body]]), [200, 403]);
    assert.deepEqual(await statusesWith(s, account, ['Access: Organizations, Identity Providers, and Groups Write'], [['POST', path, body]]), [201]);
    assert.deepEqual(await statusesWith(s, account, ['Access: Apps and Policies Write'], [['GET', path]]), [403]);
  });
});
