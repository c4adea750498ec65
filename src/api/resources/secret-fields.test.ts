// One table of secret fields (schema/secret-fields.ts) decides, alike, what GET leaves out, what
// the audit log redacts, what a replace keeps and what the OpenAPI document marks writeOnly; a
// rotation is audited as one. On SQLite and PostgreSQL.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomAccountId } from '../../../test/support/server.js';
import { describeEachDatabase } from '../../../test/support/suite.js';
import { isCredentialName, mapSecrets, SECRET_FIELDS } from '../../schema/secret-fields.js';

const CREDENTIALS = { client_secret: 'cs-1', api_token: 'at-1', token: 'tk-1', signing_key: 'sk-1', private_key_pem: 'pem-1', admin_password: 'pw-1' };
const PLAIN = { client_id: 'cid', token_url: 'https://idp.example/token', public_key: 'pub', okta_account: 'https://x.okta.com' };

await describeEachDatabase('secret fields', (s) => {
  const auditOf = async (account: string, id: string): Promise<any[]> => (await s.api('GET', `/accounts/${account}/audit_logs?resource.id=${id}&direction=asc`)).json.result;

  it('an identity provider answers, lists and audits none of its credentials, and a replace without them keeps them', async () => {
    const account = randomAccountId();
    const path = `/accounts/${account}/access/identity_providers`;
    const created = await s.api('POST', path, { name: 'Okta', type: 'okta', config: { ...PLAIN, ...CREDENTIALS } });
    assert.equal(created.status, 201);
    const id = created.json.result.id;
    const read = await s.api('GET', `${path}/${id}`);
    const listed = await s.api('GET', path);
    for (const answer of [created.json.result, read.json.result, listed.json.result[0]]) {
      assert.deepEqual(answer.config, PLAIN, 'credentials are never answered; other fields are');
    }

    const replaced = await s.api('PUT', `${path}/${id}`, { ...read.json.result, name: 'Okta (prod)' });
    assert.equal(replaced.status, 200);
    const stored = (await s.store.read.getResource(account, 'identity_provider', id))!.body.config;
    assert.deepEqual(stored, { ...PLAIN, ...CREDENTIALS }, 'what GET answered, sent back, keeps every stored credential');

    const log = await auditOf(account, id);
    assert.deepEqual(log.map((e) => e.action.type), ['create', 'update']);
    const text = JSON.stringify(log);
    for (const secret of Object.values(CREDENTIALS)) assert.ok(!text.includes(secret), `${secret} is not in the audit log`);
    const after = JSON.parse(log[1].newValue).config;
    for (const name of Object.keys(CREDENTIALS)) assert.equal(after[name], '[redacted]', name);
    for (const [name, value] of Object.entries(PLAIN)) assert.equal(after[name], value, `${name} is not a secret`);
  });

  it("an application's SaaS and SCIM credentials are answered by no GET and kept by a replace", async () => {
    const account = randomAccountId();
    const path = `/accounts/${account}/access/apps`;
    const body = {
      type: 'saas',
      name: 'CRM',
      saas_app: { auth_type: 'oidc', client_id: 'crm', client_secret: 'saas-secret' },
      scim_config: { enabled: true, remote_uri: 'https://crm.example/scim', authentication: { scheme: 'oauthbearertoken', token: 'scim-token' } },
    };
    const created = await s.api('POST', path, body);
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const id = created.json.result.id;
    // An OIDC application's client credentials are the server's (the values sent are ignored); the create alone shows the secret.
    const { client_id: clientId, client_secret: clientSecret } = created.json.result.saas_app;
    assert.notEqual(clientSecret, 'saas-secret');
    const read = (await s.api('GET', `${path}/${id}`)).json.result;
    assert.deepEqual(read.saas_app, { auth_type: 'oidc', client_id: clientId });
    assert.deepEqual(read.scim_config.authentication, { scheme: 'oauthbearertoken' });
    assert.equal((await s.api('PUT', `${path}/${id}`, { ...read, name: 'CRM 2' })).status, 200);
    const stored = (await s.store.read.getResource(account, 'app', id))!.body as any;
    assert.equal(stored.saas_app.client_secret, clientSecret);
    assert.equal(stored.scim_config.authentication.token, 'scim-token');
    const log = JSON.stringify(await auditOf(account, id));
    for (const secret of ['scim-token', clientSecret]) assert.ok(!log.includes(secret), 'no secret in the audit log');
  });

  it("an application's SCIM credentials given as a list of schemes (Cloudflare's form for several) are secrets in every entry", async () => {
    const account = randomAccountId();
    const path = `/accounts/${account}/access/apps`;
    const authentication = [
      { scheme: 'httpbasic', user: 'u', password: 'list-password' },
      { scheme: 'oauth2', client_id: 'c', client_secret: 'list-client-secret', authorization_url: 'https://crm.example/authorize', token_url: 'https://crm.example/token', scopes: ['scim'] },
    ];
    const created = await s.api('POST', path, { type: 'self_hosted', name: 'CRM', domain: 'crm.example', scim_config: { enabled: true, remote_uri: 'https://crm.example/scim', authentication } });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const id = created.json.result.id;
    const read = (await s.api('GET', `${path}/${id}`)).json.result;
    const shown = [{ scheme: 'httpbasic', user: 'u' }, { scheme: 'oauth2', client_id: 'c', authorization_url: 'https://crm.example/authorize', token_url: 'https://crm.example/token', scopes: ['scim'] }];
    for (const answer of [created.json.result, read]) assert.deepEqual(answer.scim_config.authentication, shown);
    assert.equal((await s.api('PUT', `${path}/${id}`, { ...read, name: 'CRM 2' })).status, 200);
    assert.deepEqual(((await s.store.read.getResource(account, 'app', id))!.body as any).scim_config.authentication, authentication, 'sent back as answered, every credential is kept');
    // An entry whose scheme changed takes nothing of the one it replaced.
    const swapped = { ...read, scim_config: { ...read.scim_config, authentication: [{ scheme: 'oauthbearertoken', token: 'new-token' }, shown[1]] } };
    assert.equal((await s.api('PUT', `${path}/${id}`, swapped)).status, 200);
    const stored = ((await s.store.read.getResource(account, 'app', id))!.body as any).scim_config.authentication;
    assert.deepEqual(stored, [{ scheme: 'oauthbearertoken', token: 'new-token' }, authentication[1]]);
    const log = JSON.stringify(await auditOf(account, id));
    for (const secret of ['list-password', 'list-client-secret', 'new-token']) assert.ok(!log.includes(secret), `${secret} is not in the audit log`);
  });

  it('a service-token rotation is audited as a rotation, not as an update', async () => {
    const account = randomAccountId();
    const path = `/accounts/${account}/access/service_tokens`;
    const token = (await s.api('POST', path, { name: 'CI' })).json.result;
    assert.equal((await s.api('POST', `${path}/${token.id}/rotate`, {})).status, 200);
    const log = await auditOf(account, token.id);
    assert.deepEqual(log.map((e) => e.action.type), ['create', 'rotate']);
    assert.equal(JSON.parse(log[1].oldValue).client_secret_version, 1);
    assert.equal(JSON.parse(log[1].newValue).client_secret_version, 2);
  });

  it('the OpenAPI document marks the documented secrets writeOnly and never answers them', async () => {
    const doc: any = await (await fetch(`${s.apiUrl}/openapi.json`)).json();
    const create = doc.paths['/accounts/{account_id}/access/identity_providers'].post;
    const variants: any[] = create.requestBody.content['application/json'].schema.oneOf ?? create.requestBody.content['application/json'].schema.anyOf;
    const withSecret = variants.filter((v) => v.properties?.config?.properties?.client_secret !== undefined);
    assert.ok(withSecret.length >= 10, 'the OAuth provider types document client_secret');
    for (const v of withSecret) assert.equal(v.properties.config.properties.client_secret.writeOnly, true);
    const answered = JSON.stringify(doc.paths['/accounts/{account_id}/access/identity_providers/{identity_provider_id}'].get.responses);
    assert.ok(!answered.includes('"writeOnly"'), 'no answer schema holds a write-only field');
  });
});

it('every entry of a list of credentials is sealed, redacted and left out alike', () => {
  const body = { scim_config: { authentication: [{ scheme: 'httpbasic', user: 'u', password: 'p' }, 'not an object', { scheme: 'oauthbearertoken', token: 't' }] } };
  assert.deepEqual(mapSecrets('app', body, (value) => `sealed(${String(value)})`).scim_config, { authentication: [{ scheme: 'httpbasic', user: 'u', password: 'sealed(p)' }, 'not an object', { scheme: 'oauthbearertoken', token: 'sealed(t)' }] });
  assert.equal((body.scim_config.authentication[0] as { password: string }).password, 'p', 'the body given is not changed');
});

it('names that say they hold a credential are secrets in open settings; URLs and public keys are not', () => {
  for (const name of ['client_secret', 'api_token', 'token', 'signing_key', 'private_key', 'private_key_pem', 'password', 'bind_password', 'passphrase', 'api_key']) assert.ok(isCredentialName(name), name);
  for (const name of ['token_url', 'public_key', 'idp_public_certs', 'access_token_lifetime', 'client_id', 'keys_url']) assert.ok(!isCredentialName(name), name);
  assert.deepEqual(Object.keys(SECRET_FIELDS).sort(), ['app', 'identity_provider', 'saml_sp_key', 'service_token', 'signing_key']);
});

it("a service token's previous secret hash (kept for a rotation's grace period) is sealed, redacted and left out; the rest of the token is not", () => {
  const body = { name: 'CI', client_id: 'c.access', client_secret_version: 2, previous_client_secret_expires_at: '2030-01-01T00:00:00.000Z', previous_secret_hash: 'ab'.repeat(32) };
  assert.deepEqual(mapSecrets('service_token', body, (value) => `sealed(${String(value)})`), { ...body, previous_secret_hash: `sealed(${'ab'.repeat(32)})` });
  assert.deepEqual(mapSecrets('service_token', body, () => undefined), { name: 'CI', client_id: 'c.access', client_secret_version: 2, previous_client_secret_expires_at: '2030-01-01T00:00:00.000Z' });
});
