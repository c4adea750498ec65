// SCIM 2.0 provisioning per identity provider (docs/identity-providers.md "SCIM provisioning"),
// over real HTTP on SQLite and PostgreSQL: the secret made by the server and shown once, a SCIM
// client's run of the standard operations checked against RFC 7643/7644, refused credentials
// and malformed requests, and what provisioning does to the directory (identities the policy
// tester decides, deprovisioning, identity_update_behavior, the audit log).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { openDriver } from '../../store/open.js';
import { recordLogin } from '../logins.js';
import { loginIdentityWithScim } from './provisioned.js';
import { randomAccountId } from '../../../test/support/server.js';
import { describeEachDatabase, type SuiteServer } from '../../../test/support/suite.js';
import { resultsByEmail, runPolicyTest } from '../../../test/support/policy-tests.js';
import { scimClient, type ScimAnswer as Answer } from '../../../test/support/scim-client.js';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** An RFC 7644 §3.12 error answer. */
function assertScimError(answer: Answer, status: number, scimType?: string, detail?: RegExp): void {
  assert.equal(answer.status, status, JSON.stringify(answer.json));
  assert.match(answer.headers.get('content-type') ?? '', /^application\/scim\+json/);
  assert.deepEqual(answer.json.schemas, [ERROR]);
  assert.equal(answer.json.status, String(status), 'the status is a string');
  assert.equal(answer.json.scimType, scimType);
  assert.equal(typeof answer.json.detail, 'string');
  if (detail !== undefined) assert.match(answer.json.detail, detail);
}

/** An RFC 7643 resource answer: schemas, id, and meta with its type, location and version. */
function assertResource(resource: any, schema: string, resourceType: string, baseUrl: string): void {
  assert.ok(resource.schemas.includes(schema), JSON.stringify(resource.schemas));
  assert.match(resource.id, /^[0-9a-f-]{36}$/);
  assert.equal(resource.meta.resourceType, resourceType);
  assert.equal(resource.meta.location, `${baseUrl}/${resourceType}s/${resource.id}`);
  assert.match(resource.meta.version, /^W\/".+"$/);
  assert.ok(!Number.isNaN(Date.parse(resource.meta.created)) && !Number.isNaN(Date.parse(resource.meta.lastModified)));
}

interface Provider {
  readonly account: string;
  readonly id: string;
  readonly secret: string;
  readonly baseUrl: string;
  readonly scim: ReturnType<typeof scimClient>;
}

async function provider(s: SuiteServer, scimConfig: Record<string, unknown>, account = randomAccountId(), type = 'okta'): Promise<Provider> {
  const created = await s.api('POST', `/accounts/${account}/access/identity_providers`, { name: `SCIM ${type}`, type, config: { client_id: 'c', client_secret: 'cs' }, scim_config: { enabled: true, ...scimConfig } });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const { id, scim_config } = created.json.result;
  return { account, id, secret: scim_config.secret, baseUrl: scim_config.scim_base_url, scim: scimClient(scim_config.scim_base_url, scim_config.secret) };
}

const user = (userName: string, more: Record<string, unknown> = {}) => ({
  schemas: [USER_SCHEMA],
  userName,
  name: { givenName: userName.split('@')[0], familyName: 'Example' },
  emails: [{ value: userName.toLowerCase(), type: 'work', primary: true }],
  active: true,
  ...more,
});

const directoryUser = async (s: SuiteServer, account: string, email: string): Promise<any> => {
  const found = await s.api('GET', `/accounts/${account}/access/users?email=${encodeURIComponent(email)}`);
  assert.equal(found.status, 200);
  const [entry] = found.json.result;
  if (entry === undefined) return undefined;
  const identity = await s.api('GET', `/accounts/${account}/access/users/${entry.id}/last_seen_identity`);
  return { ...entry, identity: identity.status === 200 ? identity.json.result : undefined };
};

const revoked = async (s: SuiteServer, account: string, userId: string): Promise<boolean> => (await s.store.read.getResource(account, 'session_revocation', userId)) !== undefined;

await describeEachDatabase('SCIM provisioning', (s) => {
  it('the server makes the SCIM secret, shows it once, keeps it sealed; scim_base_url says where to push; refresh_scim_secret replaces it', async () => {
    const account = randomAccountId();
    const path = `/accounts/${account}/access/identity_providers`;
    const created = await s.api('POST', path, { name: 'Okta', type: 'okta', config: { client_id: 'c' }, scim_config: { enabled: true, user_deprovision: true, identity_update_behavior: 'automatic' } });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const id = created.json.result.id;
    const secret = created.json.result.scim_config.secret;
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/, '256 random bits');
    const baseUrl = `${s.baseUrl}/scim/v2/${account}/${id}`;
    assert.deepEqual(created.json.result.scim_config, { enabled: true, user_deprovision: true, identity_update_behavior: 'automatic', secret, scim_base_url: baseUrl });

    const read = await s.api('GET', `${path}/${id}`);
    assert.deepEqual(read.json.result.scim_config, { enabled: true, user_deprovision: true, identity_update_behavior: 'automatic', scim_base_url: baseUrl }, 'never shown again');
    assert.ok(!JSON.stringify((await s.api('GET', path)).json).includes(secret), 'nor listed');
    const driver = openDriver(s.database.url);
    try {
      const raw = (await driver.reader.get<{ body: string }>('SELECT body FROM resources WHERE id = ?', [id]))!.body;
      assert.ok(!raw.includes(secret), 'sealed at rest');
    } finally {
      await driver.close();
    }
    assert.equal((await scimClient(baseUrl, secret)('GET', '/Users')).status, 200, 'the secret works');

    // What GET answered, sent back (read-only fields and all), keeps the secret; a secret sent is ignored.
    const again = await s.api('PUT', `${path}/${id}`, { ...read.json.result, name: 'Okta (prod)', scim_config: { ...read.json.result.scim_config, secret: 'chosen-by-the-client' } });
    assert.equal(again.status, 200, JSON.stringify(again.json));
    assert.equal(again.json.result.scim_config.secret, undefined);
    assert.equal((await scimClient(baseUrl, secret)('GET', '/Users')).status, 200);
    assert.equal((await scimClient(baseUrl, 'chosen-by-the-client')('GET', '/Users')).status, 401);

    const refreshed = await s.api('POST', `${path}/${id}/refresh_scim_secret`);
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.json));
    const fresh = refreshed.json.result.scim_config.secret;
    assert.match(fresh, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(fresh, secret);
    assert.equal(refreshed.json.result.scim_config.scim_base_url, baseUrl);
    assert.equal((await scimClient(baseUrl, secret)('GET', '/Users')).status, 401, 'the old secret stops working');
    assert.equal((await scimClient(baseUrl, fresh)('GET', '/Users')).status, 200);
    assert.equal((await s.api('GET', `${path}/${id}`)).json.result.scim_config.secret, undefined);

    const log = (await s.api('GET', `/accounts/${account}/audit_logs?resource.id=${id}&direction=asc`)).json.result;
    assert.deepEqual(log.map((e: any) => e.action.type), ['create', 'update', 'rotate'], 'a refresh is audited as a rotation');
    assert.ok(!JSON.stringify(log).includes(secret) && !JSON.stringify(log).includes(fresh), 'the audit log redacts the secret');

    // Enabled later: the secret is made then, shown in that answer.
    const off = await s.api('POST', path, { name: 'Azure', type: 'azureAD', config: {}, scim_config: { enabled: false } });
    assert.deepEqual(off.json.result.scim_config, { enabled: false, scim_base_url: `${s.baseUrl}/scim/v2/${account}/${off.json.result.id}` });
    const on = await s.api('PUT', `${path}/${off.json.result.id}`, { name: 'Azure', type: 'azureAD', config: {}, scim_config: { enabled: true } });
    assert.match(on.json.result.scim_config.secret, /^[A-Za-z0-9_-]{43}$/);

    // The organization's auth domain is where providers push.
    assert.equal((await s.api('PUT', `/accounts/${account}/access/organizations`, { auth_domain: 'access.example.com' })).status, 200);
    assert.equal((await s.api('GET', `${path}/${id}`)).json.result.scim_config.scim_base_url, `https://access.example.com/scim/v2/${account}/${id}`);

    const seatAlone = await s.api('POST', path, { name: 'Bad', type: 'okta', config: {}, scim_config: { enabled: true, seat_deprovision: true } });
    assert.equal(seatAlone.status, 400);
    assert.match(JSON.stringify(seatAlone.json.errors), /seat_deprovision needs user_deprovision/);
  });

  it('a SCIM client run of the standard operations, checked against RFC 7644', async () => {
    const p = await provider(s, { user_deprovision: true, identity_update_behavior: 'automatic' });
    const { scim, baseUrl } = p;

    const config = await scim('GET', '/ServiceProviderConfig');
    assert.equal(config.status, 200);
    assert.equal(config.json.patch.supported, true);
    assert.equal(config.json.filter.supported, true);
    assert.equal(config.json.bulk.supported, false);
    assert.equal(config.json.etag.supported, true);
    assert.equal(config.json.authenticationSchemes[0].type, 'oauthbearertoken');
    const types = await scim('GET', '/ResourceTypes');
    assert.deepEqual(types.json.schemas, [LIST]);
    assert.deepEqual(types.json.Resources.map((t: any) => [t.name, t.endpoint, t.schema]), [['User', '/Users', USER_SCHEMA], ['Group', '/Groups', GROUP_SCHEMA]]);
    assert.equal((await scim('GET', '/ResourceTypes/User')).json.meta.location, `${baseUrl}/ResourceTypes/User`);
    const schemas = await scim('GET', '/Schemas');
    assert.deepEqual(schemas.json.Resources.map((d: any) => d.id), [USER_SCHEMA, ENTERPRISE, GROUP_SCHEMA]);
    assert.ok((await scim('GET', `/Schemas/${USER_SCHEMA}`)).json.attributes.some((a: any) => a.name === 'userName' && a.uniqueness === 'server'));
    assertScimError(await scim('GET', '/ResourceTypes?filter=name eq "User"'), 403);

    // Create.
    const adaBody = user('Ada@example.com', { externalId: '00uADA', displayName: 'Ada Lovelace', [ENTERPRISE]: { department: 'Engineering' }, schemas: [USER_SCHEMA, ENTERPRISE], password: 'never-kept' });
    const created = await scim('POST', '/Users', adaBody);
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.match(created.headers.get('content-type') ?? '', /^application\/scim\+json/);
    const ada = created.json;
    assertResource(ada, USER_SCHEMA, 'User', baseUrl);
    assert.equal(created.headers.get('location'), ada.meta.location);
    assert.equal(created.headers.get('etag'), ada.meta.version);
    assert.equal(ada.userName, 'Ada@example.com');
    assert.equal(ada[ENTERPRISE].department, 'Engineering');
    assert.equal(ada.password, undefined, 'a password is never kept nor answered');
    assert.equal(ada.active, true);

    assertScimError(await scim('POST', '/Users', user('ADA@EXAMPLE.COM')), 409, 'uniqueness', /userName "ADA@EXAMPLE.COM" is already taken/);
    assertScimError(await scim('POST', '/Users', { schemas: [USER_SCHEMA], name: { givenName: 'x' } }), 400, 'invalidValue', /userName/);
    const bob = (await scim('POST', '/Users', user('bob@example.com', { externalId: '00uBOB' }))).json;
    const cyd = (await scim('POST', '/Users', user('cyd@example.com'))).json;

    // Get.
    const got = await scim('GET', `/Users/${ada.id}`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.json, ada);
    assert.equal(got.headers.get('etag'), ada.meta.version);
    assertScimError(await scim('GET', '/Users/00000000-0000-0000-0000-000000000000'), 404);

    // List, filters and pages.
    const byName = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "ada@EXAMPLE.com"')}`);
    assert.equal(byName.status, 200);
    assert.deepEqual(byName.json, { schemas: [LIST], totalResults: 1, startIndex: 1, itemsPerPage: 1, Resources: [ada] });
    assert.deepEqual((await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "nobody@example.com"')}`)).json, { schemas: [LIST], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
    const ids = async (filter: string) => (await scim('GET', `/Users?filter=${encodeURIComponent(filter)}`)).json.Resources.map((r: any) => r.id);
    assert.deepEqual(await ids('externalId eq "00uBOB"'), [bob.id]);
    assert.deepEqual(await ids('emails[type eq "work"].value eq "CYD@example.com"'), [cyd.id]);
    assert.deepEqual(await ids('userName sw "b" or userName sw "c"'), [bob.id, cyd.id]);
    const all = await scim('GET', '/Users');
    assert.equal(all.json.totalResults, 3);
    const second = await scim('GET', '/Users?startIndex=2&count=1');
    assert.deepEqual([second.json.totalResults, second.json.startIndex, second.json.itemsPerPage, second.json.Resources[0].id], [3, 2, 1, bob.id]);
    const filteredPage = await scim('GET', `/Users?filter=${encodeURIComponent('userName ew "example.com"')}&startIndex=3&count=5`);
    assert.deepEqual([filteredPage.json.totalResults, filteredPage.json.itemsPerPage, filteredPage.json.Resources[0].id], [3, 1, cyd.id]);
    assert.deepEqual((await scim('GET', '/Users?count=0')).json, { schemas: [LIST], totalResults: 3, startIndex: 1, itemsPerPage: 0, Resources: [] });
    assert.equal((await scim('GET', '/Users?startIndex=0&count=-4')).json.startIndex, 1, 'below 1 means 1; a negative count means 0');
    const slim = (await scim('GET', `/Users/${ada.id}?attributes=userName,emails.value`)).json;
    assert.deepEqual(slim, { schemas: ada.schemas, id: ada.id, userName: ada.userName, emails: [{ value: 'ada@example.com' }] });
    const trimmed = (await scim('GET', `/Users/${ada.id}?excludedAttributes=name,${ENTERPRISE}`)).json;
    assert.equal(trimmed.name, undefined);
    assert.equal(trimmed[ENTERPRISE], undefined);
    assert.equal(trimmed.userName, ada.userName);

    // Groups: create with a member, find, PATCH members in and out.
    const eng = await scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Engineering', externalId: '00gENG', members: [{ value: ada.id, display: 'Ada' }] });
    assert.equal(eng.status, 201, JSON.stringify(eng.json));
    assertResource(eng.json, GROUP_SCHEMA, 'Group', baseUrl);
    assert.deepEqual(eng.json.members, [{ value: ada.id, display: 'Ada', $ref: `${baseUrl}/Users/${ada.id}`, type: 'User' }]);
    const groupId = eng.json.id;
    assertScimError(await scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'engineering' }), 409, 'uniqueness');
    assertScimError(await scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Ghosts', members: [{ value: 'no-such-user' }] }), 400, 'invalidValue', /no User with id "no-such-user"/);
    const groupIds = async (filter: string) => (await scim('GET', `/Groups?filter=${encodeURIComponent(filter)}`)).json.Resources.map((r: any) => r.id);
    assert.deepEqual(await groupIds('displayName eq "ENGINEERING"'), [groupId]);
    assert.deepEqual(await groupIds(`members[value eq "${ada.id}"]`), [groupId]);
    assert.deepEqual(await groupIds(`members[value eq "${bob.id}"]`), []);
    assert.deepEqual((await scim('GET', `/Users/${ada.id}`)).json.groups, [{ value: groupId, $ref: `${baseUrl}/Groups/${groupId}`, display: 'Engineering', type: 'direct' }]);

    const patched = await scim('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH],
      Operations: [
        { op: 'add', path: 'members', value: [{ value: bob.id }, { value: cyd.id }] },
        { op: 'remove', path: `members[value eq "${ada.id}"]` },
      ],
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.json));
    assert.deepEqual(patched.json.members.map((m: any) => m.value), [bob.id, cyd.id]);
    // Entra ID's way: "Remove" with the members as the value.
    const entra = await scim('PATCH', `/Groups/${groupId}`, { schemas: [PATCH], Operations: [{ op: 'Remove', path: 'members', value: [{ value: cyd.id }] }] });
    assert.deepEqual(entra.json.members.map((m: any) => m.value), [bob.id]);
    assert.equal((await scim('GET', `/Users/${ada.id}`)).json.groups, undefined, 'Ada left the group');
    assert.deepEqual((await scim('GET', `/Users/${bob.id}`)).json.groups.map((g: any) => g.display), ['Engineering']);
    assertScimError(await scim('PATCH', `/Groups/${groupId}`, { schemas: [PATCH], Operations: [{ op: 'bogus', path: 'displayName', value: 'x' }] }), 400, 'invalidSyntax');
    assertScimError(await scim('PATCH', `/Groups/${groupId}`, { Operations: [{ op: 'add', path: 'displayName', value: 'x' }] }), 400, 'invalidSyntax', /PatchOp/);
    assertScimError(await scim('PATCH', `/Groups/${groupId}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'id', value: 'mine' }] }), 400, 'mutability');

    // The directory: provisioned users are users with identities naming the provider and the pushed groups.
    const bobInDirectory = await directoryUser(s, p.account, 'bob@example.com');
    assert.deepEqual(bobInDirectory.identity.groups, [{ id: '00gENG', name: 'Engineering' }]);
    assert.deepEqual(bobInDirectory.identity.idp, { id: p.id, type: 'okta' });
    assert.deepEqual((await directoryUser(s, p.account, 'ada@example.com')).identity.groups, []);

    // Replace; If-Match guards it.
    assertScimError(await scim('PUT', `/Users/${bob.id}`, user('bob@example.com', { displayName: 'Robert' }), { 'if-match': 'W/"stale"' }), 412);
    const current = (await scim('GET', `/Users/${bob.id}`)).json;
    const replaced = await scim('PUT', `/Users/${bob.id}`, user('bob@example.com', { displayName: 'Robert', externalId: '00uBOB' }), { 'if-match': current.meta.version });
    assert.equal(replaced.status, 200, JSON.stringify(replaced.json));
    assert.equal(replaced.json.displayName, 'Robert');
    assert.notEqual(replaced.json.meta.version, current.meta.version);
    assert.equal(replaced.json.meta.created, current.meta.created);
    assert.equal((await directoryUser(s, p.account, 'bob@example.com')).name, 'Robert', 'the directory follows the name');
    assertScimError(await scim('PUT', `/Users/${bob.id}`, user('ada@example.com')), 409, 'uniqueness');

    // Deactivate (Entra ID's spelling): with user_deprovision the sessions end; the user stays.
    const bobId = bobInDirectory.id;
    const off = await scim('PATCH', `/Users/${bob.id}`, { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    assert.equal(off.status, 200, JSON.stringify(off.json));
    assert.equal(off.json.active, false);
    assert.equal(await revoked(s, p.account, bobId), true);
    assert.ok((await directoryUser(s, p.account, 'bob@example.com')) !== undefined, 'no seat_deprovision: the user stays');
    const okta = await scim('PATCH', `/Users/${cyd.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: false } }] });
    assert.equal(okta.json.active, false, "Okta's way: a value object without a path");

    // Delete.
    const deleted = await scim('DELETE', `/Users/${bob.id}`);
    assert.equal(deleted.status, 204);
    assert.equal(deleted.headers.get('content-type'), null);
    assertScimError(await scim('GET', `/Users/${bob.id}`), 404);
    assert.equal((await scim('GET', `/Groups/${groupId}`)).json.members, undefined, 'a deleted user leaves its groups');
    assertScimError(await scim('DELETE', `/Users/${bob.id}`), 404);
    assert.equal((await scim('DELETE', `/Groups/${groupId}`)).status, 204);
    assert.deepEqual((await scim('GET', '/Groups')).json.Resources, []);

    // Every change is audited, the provider as the author.
    const log = (await s.api('GET', `/accounts/${p.account}/audit_logs?direction=asc&per_page=1000`)).json.result.filter((e: any) => e.interface === 'SCIM');
    assert.ok(log.length > 10);
    assert.ok(log.every((e: any) => e.actor.id === p.id && e.metadata.path.startsWith(`/scim/v2/${p.account}/${p.id}/`)));
    const kinds = new Set(log.map((e: any) => `${e.resource.type} ${e.action.type}`));
    for (const change of ['scim_user create', 'scim_user update', 'scim_user delete', 'scim_group create', 'scim_group update', 'scim_group delete', 'user create', 'user update', 'session_revocation create']) {
      assert.ok(kinds.has(change), `${change} is audited (${[...kinds].join(', ')})`);
    }
    assert.ok(!JSON.stringify(log).includes('never-kept'));
  });

  it('a wrong or missing secret is a 401 SCIM error, logged to the access log; SCIM turned off is a 403', async () => {
    const p = await provider(s, {});
    for (const client of [scimClient(p.baseUrl, 'wrong'), scimClient(p.baseUrl, undefined), scimClient(p.baseUrl.replace(p.id, '00000000-0000-0000-0000-000000000000'), p.secret), scimClient(p.baseUrl.replace(p.account, randomAccountId()), p.secret)]) {
      const answer = await client('POST', '/Users', user('eve@example.com'));
      assertScimError(answer, 401);
      assert.equal(answer.headers.get('www-authenticate'), 'Bearer realm="SCIM"');
    }
    assertScimError(await scimClient(p.baseUrl, undefined)('GET', '/Users', undefined, { authorization: `Basic ${p.secret}` }), 401);
    assertScimError(await scimClient(p.baseUrl, 'wrong')('GET', '/NoSuchEndpoint'), 401, undefined, /wrong secret/);
    assertScimError(await p.scim('GET', '/NoSuchEndpoint'), 404);
    assert.equal(await directoryUser(s, p.account, 'eve@example.com'), undefined, 'nothing was written');

    const log = (await s.api('GET', `/accounts/${p.account}/access/logs/access_requests`)).json.result;
    assert.equal(log.length, 1, 'refusals from one address are logged once a minute');
    assert.deepEqual([log[0].action, log[0].allowed, log[0].connection, log[0].ip_address], ['scim', false, 'okta', '127.0.0.1']);

    const idp = (await s.api('GET', `/accounts/${p.account}/access/identity_providers/${p.id}`)).json.result;
    await s.api('PUT', `/accounts/${p.account}/access/identity_providers/${p.id}`, { ...idp, scim_config: { ...idp.scim_config, enabled: false } });
    assertScimError(await p.scim('GET', '/Users'), 403, undefined, /turned off/);
  });

  it('a body that is not UTF-8 is 400 invalidSyntax, never stored with U+FFFD in its place', async () => {
    const { baseUrl, secret } = await provider(s, {});
    const latin1 = Buffer.from(`{"schemas":["${USER_SCHEMA}"],"userName":"zoe@example.com","displayName":"Zo\xeb"}`, 'latin1');
    const res = await fetch(`${baseUrl}/Users`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/scim+json' }, body: new Uint8Array(latin1) });
    assertScimError({ status: res.status, headers: res.headers, json: await res.json() }, 400, 'invalidSyntax', /not UTF-8/);
  });

  it('malformed filters are 400 invalidFilter; malformed bodies, parameters and content types are refused with SCIM errors', async () => {
    const { scim } = await provider(s, {});
    for (const filter of ['userName eq', 'userName xx "a"', '(userName eq "a"', 'userName eq "a" and', 'nosuch eq "a"', 'active gt true', 'emails[type eq "work"', 'userName eq "a', '"just a string"']) {
      assertScimError(await scim('GET', `/Users?filter=${encodeURIComponent(filter)}`), 400, 'invalidFilter');
    }
    assertScimError(await scim('GET', `/Groups?filter=${encodeURIComponent('userName eq "a"')}`), 400, 'invalidFilter', /not an attribute/);
    assertScimError(await scim('GET', '/Users?startIndex=two'), 400, 'invalidValue', /startIndex must be an integer/);
    assertScimError(await scim('GET', '/Users?count=1&count=2'), 400, 'invalidValue');
    assertScimError(await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "a\\u0000b"')}`), 400, 'invalidFilter', /U\+0000/);
    assertScimError(await scim('GET', '/Users/a%00b'), 400, 'invalidValue', /U\+0000/);
    assertScimError(await scim('POST', '/Users', '{"userName": "nul\\u0000@example.com"}'), 400, 'invalidSyntax', /U\+0000/);
    assertScimError(await scim('POST', '/Users', '{"userName": '), 400, 'invalidSyntax');
    assertScimError(await scim('POST', '/Users', '[1, 2]'), 400, 'invalidSyntax');
    assertScimError(await scim('POST', '/Users', '{"__proto__": {"x": 1}, "userName": "p@example.com"}'), 400, 'invalidSyntax');
    assertScimError(await scim('POST', '/Users', { schemas: ['urn:example:Other'], userName: 'x@example.com' }), 400, 'invalidSyntax');
    assertScimError(await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 42 }), 400, 'invalidValue');
    assertScimError(await scim('POST', '/Users', 'userName=x', { 'content-type': 'text/plain' }), 415);
    assertScimError(await scim('POST', '/Users', JSON.stringify(user('big@example.com', { displayName: 'x'.repeat(1024 * 1024) }))), 413);
    assertScimError(await scim('POST', '/Users', user(`${'x'.repeat(1100)}@example.com`)), 400, 'invalidValue', /longer than 1024 bytes/);
    assertScimError(await scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'é'.repeat(600) }), 400, 'invalidValue', /longer than 1024 bytes/);
    const plainJson = await scim('POST', '/Users', JSON.stringify(user('json@example.com')), { 'content-type': 'application/json; charset=utf-8' });
    assert.equal(plainJson.status, 201, 'application/json is accepted too');
  });

  it('a provisioned user who never logged in is decided by the policy tester: a policy including the pushed group grants them', async () => {
    const p = await provider(s, {});
    const ada = (await p.scim('POST', '/Users', user('ada@example.com'))).json;
    await p.scim('POST', '/Users', user('bob@example.com'));
    await p.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Engineering', members: [{ value: ada.id }] });
    const policy = await s.api('POST', `/accounts/${p.account}/access/policies`, { name: 'Engineers', decision: 'allow', include: [{ okta: { name: 'Engineering', identity_provider_id: p.id } }] });
    assert.equal(policy.status, 201, JSON.stringify(policy.json));
    const test = await runPolicyTest(s, p.account, { policies: [policy.json.result.id] });
    assert.equal(test.progress.status, 'complete');
    const results = await resultsByEmail(s, p.account, test.id);
    assert.equal(results.get('ada@example.com')?.status, 'approved');
    assert.equal(results.get('bob@example.com')?.status, 'blocked');
    const ada2 = await directoryUser(s, p.account, 'ada@example.com');
    assert.equal(ada2.identity.identity_source, 'scim', 'provisioning alone wrote it');
    assert.equal(ada2.last_successful_login, undefined, 'provisioned is not signed in');
  });

  it('identity_update_behavior governs what SCIM does to an identity a login produced', async () => {
    const account = randomAccountId();
    const cases = [
      { behavior: 'automatic', expectGroups: ['From the login', 'Engineering'], expectRevoked: false },
      { behavior: 'reauth', expectGroups: ['From the login'], expectRevoked: true },
      { behavior: 'no_action', expectGroups: ['From the login'], expectRevoked: false },
    ];
    for (const c of cases) {
      const p = await provider(s, { identity_update_behavior: c.behavior }, account);
      const email = `${c.behavior}@example.com`;
      const login = await recordLogin(s.store, account, { email, ip: '192.0.2.1', groups: ['From the login'], idp: { id: p.id, type: 'okta' }, amr: ['pwd', 'mfa'] });
      const signedIn = (await directoryUser(s, account, email)).last_successful_login;
      assert.ok(signedIn, 'the login set the last sign-in time');
      const pushed = (await p.scim('POST', '/Users', user(email))).json;
      assert.equal((await directoryUser(s, account, email)).id, login.id, 'the SCIM user is the directory user with that email');
      await p.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Engineering', members: [{ value: pushed.id }] });
      const after = await directoryUser(s, account, email);
      assert.equal(after.last_successful_login, signedIn, `${c.behavior}: a pushed group is not a sign-in`);
      const identity = after.identity;
      assert.deepEqual(identity.groups.map((g: any) => g.name), c.expectGroups, c.behavior);
      assert.deepEqual(identity.amr, ['pwd', 'mfa'], `${c.behavior}: what the login said stays`);
      assert.equal(identity.identity_source, undefined);
      assert.equal(await revoked(s, account, login.id), c.expectRevoked, c.behavior);
    }

    // group_member_deprovision: leaving a group takes it out of the identity at once and ends the sessions.
    const p = await provider(s, { identity_update_behavior: 'no_action', group_member_deprovision: true }, account);
    const pushed = (await p.scim('POST', '/Users', user('gmd@example.com'))).json;
    const group = (await p.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Admins', externalId: '00gADM' })).json;
    const login = await recordLogin(s.store, account, { email: 'gmd@example.com', ip: undefined, groups: ['00gADM'], idp: { id: p.id, type: 'okta' } });
    await p.scim('PATCH', `/Groups/${group.id}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: pushed.id }] }] });
    assert.equal(await revoked(s, account, login.id), true, 'joining ends the sessions');
    await s.store.transaction(account, (tx) => tx.deleteResource(account, 'session_revocation', login.id));
    await p.scim('PATCH', `/Groups/${group.id}`, { schemas: [PATCH], Operations: [{ op: 'remove', path: `members[value eq "${pushed.id}"]` }] });
    assert.deepEqual((await directoryUser(s, account, 'gmd@example.com')).identity.groups, [], 'the group the login brought left with the membership');
    assert.equal(await revoked(s, account, login.id), true);
  });

  it('a login through a provisioning provider merges with what it pushed, as identity_update_behavior says', async () => {
    const account = randomAccountId();
    const automatic = await provider(s, { identity_update_behavior: 'automatic' }, account);
    const noAction = await provider(s, { identity_update_behavior: 'no_action' }, account);
    for (const p of [automatic, noAction]) {
      const pushed = (await p.scim('POST', '/Users', user('jo@example.com', { userName: 'jo', displayName: 'Jo Example' }))).json;
      await p.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Engineering', externalId: '00gENG', members: [{ value: pushed.id }] });
    }
    const login = (idp: Provider) => ({ email: 'jo@example.com', idp: { id: idp.id, type: 'okta' }, amr: ['pwd'], groups: [{ id: 'claim', name: 'From the claim' }] });
    assert.deepEqual(await loginIdentityWithScim(s.store.read, account, login(automatic)), { ...login(automatic), name: 'Jo Example', groups: [{ id: 'claim', name: 'From the claim' }, { id: '00gENG', name: 'Engineering' }] }, 'found by email though the userName is not one');
    assert.deepEqual(await loginIdentityWithScim(s.store.read, account, login(noAction)), login(noAction));
    assert.deepEqual(await loginIdentityWithScim(s.store.read, account, { ...login(automatic), email: 'stranger@example.com' }), { ...login(automatic), email: 'stranger@example.com' }, 'not provisioned: the login alone');
    const jo = (await automatic.scim('GET', `/Users?filter=${encodeURIComponent('userName eq "jo"')}`)).json.Resources[0];
    await automatic.scim('PATCH', `/Users/${jo.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] });
    assert.deepEqual(await loginIdentityWithScim(s.store.read, account, login(automatic)), login(automatic), 'a deactivated user contributes nothing');
  });

  it("one provider's SCIM never writes groups into an identity another provider's login or push produced: group rules scoped to that provider stay its own", async () => {
    const account = randomAccountId();
    const corporate = await provider(s, { identity_update_behavior: 'automatic' }, account);
    const other = await provider(s, { identity_update_behavior: 'automatic', group_member_deprovision: true }, account);
    const admins = await s.api('POST', `/accounts/${account}/access/policies`, { name: 'Corporate admins', decision: 'allow', include: [{ okta: { name: 'Admins', identity_provider_id: corporate.id } }] });
    assert.equal(admins.status, 201, JSON.stringify(admins.json));
    const decide = async (email: string) => (await s.api('POST', `/accounts/${account}/access/evaluate`, { policies: [admins.json.result.id], email })).json.result.status;

    // Signed in through the corporate provider, not one of its Admins.
    const login = await recordLogin(s.store, account, { email: 'lee@example.com', ip: '192.0.2.1', groups: ['Staff'], idp: { id: corporate.id, type: 'okta' } });
    assert.equal(await decide('lee@example.com'), 'blocked');
    const lee = (await other.scim('POST', '/Users', user('lee@example.com'))).json;
    const group = (await other.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Admins', members: [{ value: lee.id }] })).json;
    assert.ok(group.id, JSON.stringify(group));
    const after = await directoryUser(s, account, 'lee@example.com');
    assert.equal(after.id, login.id);
    assert.deepEqual(after.identity.idp, { id: corporate.id, type: 'okta' });
    assert.deepEqual(after.identity.groups.map((g: any) => g.name), ['Staff'], "the other provider's group is not the corporate provider's");
    assert.equal(await decide('lee@example.com'), 'blocked', "the other provider's SCIM secret does not make a corporate Admin");
    // Nor may it take a corporate group away (an exclude rule may hang on it).
    await other.scim('PATCH', `/Groups/${group.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'displayName', value: 'Staff' }] });
    await other.scim('PATCH', `/Groups/${group.id}`, { schemas: [PATCH], Operations: [{ op: 'remove', path: `members[value eq "${lee.id}"]` }] });
    assert.deepEqual((await directoryUser(s, account, 'lee@example.com')).identity.groups.map((g: any) => g.name), ['Staff']);

    // Provisioned by both: the identity is the last push's, and the other provider's group changes stay out of it.
    const kim = (await other.scim('POST', '/Users', user('kim@example.com'))).json;
    await corporate.scim('POST', '/Users', user('kim@example.com'));
    assert.deepEqual((await directoryUser(s, account, 'kim@example.com')).identity.idp, { id: corporate.id, type: 'okta' });
    await other.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Admins', externalId: 'x', members: [{ value: kim.id }] });
    assert.deepEqual((await directoryUser(s, account, 'kim@example.com')).identity.groups, []);
    assert.equal(await decide('kim@example.com'), 'blocked');
  });

  it('seat_deprovision removes a deactivated user from the directory, and a reactivated one comes back', async () => {
    const p = await provider(s, { user_deprovision: true, seat_deprovision: true });
    const pushed = (await p.scim('POST', '/Users', user('dee@example.com'))).json;
    const before = await directoryUser(s, p.account, 'dee@example.com');
    assert.ok(before !== undefined);
    await p.scim('PUT', `/Users/${pushed.id}`, user('dee@example.com', { active: false }));
    assert.equal(await directoryUser(s, p.account, 'dee@example.com'), undefined, 'the seat is gone');
    assert.equal(await revoked(s, p.account, before.id), true);
    await p.scim('PATCH', `/Users/${pushed.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: true }] });
    const back = await directoryUser(s, p.account, 'dee@example.com');
    assert.ok(back !== undefined && back.id !== before.id, 'a new seat');
    assert.deepEqual(back.identity.idp, { id: p.id, type: 'okta' });
    await p.scim('DELETE', `/Users/${pushed.id}`);
    assert.equal(await directoryUser(s, p.account, 'dee@example.com'), undefined);
  });

  it("deleting the identity provider deletes what it pushed; the directory users stay; another provider's SCIM service cannot reach them", async () => {
    const p = await provider(s, {});
    const other = await provider(s, {}, p.account);
    const pushed = (await p.scim('POST', '/Users', user('fay@example.com'))).json;
    assertScimError(await other.scim('GET', `/Users/${pushed.id}`), 404, undefined);
    assert.equal((await other.scim('GET', '/Users')).json.totalResults, 0);
    assert.equal((await s.api('DELETE', `/accounts/${p.account}/access/identity_providers/${p.id}`)).status, 202);
    assert.deepEqual(await s.store.read.allResources(p.account, 'scim_user', { parentId: p.id }), []);
    assert.ok((await directoryUser(s, p.account, 'fay@example.com')) !== undefined);
    assertScimError(await p.scim('GET', '/Users'), 401);
  });
});
