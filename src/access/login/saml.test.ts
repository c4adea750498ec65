// Sign-in through a SAML 2.0 identity provider, against a real one on loopback that signs its
// assertions (test/support/saml-idp.ts): the login page sends the browser there with an
// AuthnRequest, the identity provider's page posts the answer back, the sign-in ends at the
// application's host with a token, and the identity it recorded (attributes, groups, idp, amr) is
// what the policy tester decides right after. Every forged, replayed, stale or incomplete answer
// gets a 4xx page, no session, and an entry in the access log. docs/identity-providers.md "SAML 2.0".
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { decodeJwt } from 'jose';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from '../../../test/support/server.js';
import { parseAutoPostForm, PERSISTENT_FORMAT, startSamlIdp, type AnswerOptions, type PostedForm, type SamlIdp, type SamlIdpUser } from '../../../test/support/saml-idp.js';
import { resultsByEmail, runPolicyTest } from '../../../test/support/policy-tests.js';
import { FAILED_PER_MINUTE } from '../access-log.js';
import { signInCookie } from '../../../test/support/cookie-jar.js';

// The documented example provider and the identity it records (docs/identity-providers.md "SAML 2.0").
const DOC = readFileSync(fileURLToPath(new URL('../../../../docs/identity-providers.md', import.meta.url)), 'utf8');
const [EXAMPLE_PROVIDER, EXAMPLE_IDENTITY] = [...DOC.slice(DOC.indexOf('## SAML 2.0')).matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!));
const EXAMPLE_IDP = 'https://idp.example.com';

const HOST = 'wiki.test';
const TARGET = `http://${HOST}/page?x=1`;

const ADA: SamlIdpUser = {
  nameId: 'ada@example.com',
  attributes: { mail: 'ada@example.com', displayName: 'Ada Lovelace', department: 'Engineering', groups: ['staff', 'wiki-editors'], unkept: 'not in config.attributes' },
};

interface Setup {
  readonly s: TestServer;
  readonly idp: SamlIdp;
  readonly idpId: string;
  readonly A: string;
}

async function setUp(config: Record<string, unknown> = {}): Promise<Setup> {
  const s = await startTestServer({ access: {} });
  const idp = await startSamlIdp();
  const A = `/accounts/${s.accountId}/access`;
  // The documented example, with the test identity provider's address and certificate.
  const example = EXAMPLE_PROVIDER.config;
  assert.ok(example.issuer_url.startsWith(EXAMPLE_IDP) && example.sso_target_url.startsWith(EXAMPLE_IDP));
  const created = await s.api('POST', `${A}/identity_providers`, {
    ...EXAMPLE_PROVIDER,
    config: { ...example, issuer_url: example.issuer_url.replace(EXAMPLE_IDP, idp.url), sso_target_url: example.sso_target_url.replace(EXAMPLE_IDP, idp.url), idp_public_certs: [idp.cert], ...config },
  });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const idpId = created.json.result.id as string;
  const staff = await s.api('POST', `${A}/policies`, { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
  const app = await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Wiki', domain: HOST, allowed_idps: [idpId], policies: [{ id: staff.json.result.id, precedence: 1 }] });
  assert.equal(app.status, 201, JSON.stringify(app.json));
  return { s, idp, idpId, A };
}

/** Start a sign-in at the login page and follow it to the identity provider's answer page: the form it would post. */
async function throughIdp({ s, idp, idpId }: Setup): Promise<PostedForm> {
  const start = await fetch(`${s.baseUrl}/cdn-cgi/access/login/${HOST}/idp/${idpId}?redirect_url=${encodeURIComponent(TARGET)}`, { redirect: 'manual' });
  assert.equal(start.status, 302, await start.text());
  const location = start.headers.get('location')!;
  assert.ok(location.startsWith(`${idp.ssoUrl}?`), location);
  const page = await fetch(location);
  const html = await page.text();
  assert.equal(page.status, 200, html);
  return { ...parseAutoPostForm(html), cookie: signInCookie(start) };
}

/** The answer posted by the browser that started the sign-in (its sign-in cookie comes along), or by one without it. */
const post = (form: PostedForm): Promise<Response> =>
  fetch(form.action, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...(form.cookie ? { cookie: form.cookie } : {}) }, body: new URLSearchParams(form.fields).toString() });

async function signIn(setup: Setup, user: SamlIdpUser, options: AnswerOptions = {}): Promise<Response> {
  setup.idp.signInAs(user, options);
  return post(await throughIdp(setup));
}

const accessLog = async ({ s, A }: Setup): Promise<any[]> => (await s.api('GET', `${A}/logs/access_requests?direction=asc&limit=1000`)).json.result;

/**
 * Checks on refused answers; each suite of them has its own server, since the access log keeps at
 * most FAILED_PER_MINUTE failed sign-ins a minute.
 */
function refusals(setupOf: () => Setup) {
  return {
    /** The answer is refused with a 4xx page and no session, and one failed sign-in is logged. */
    async refused(res: Response, status: number, message: RegExp, appDomain: string | null = HOST): Promise<void> {
      const html = await res.text();
      assert.equal(res.status, status, html);
      assert.equal(res.headers.get('location'), null);
      assert.equal(res.headers.get('set-cookie'), null);
      assert.match(html, message);
      const entry = (await accessLog(setupOf())).at(-1);
      assert.deepEqual([entry.allowed, entry.connection, entry.app_domain ?? null], [false, 'saml', appDomain]);
    },
    failures: async (): Promise<number> => (await accessLog(setupOf())).filter((e) => !e.allowed).length,
  };
}

describe('SAML sign-in', () => {
  let setup: Setup;
  before(async () => {
    setup = await setUp();
  });
  after(async () => {
    await setup?.s.close();
    await setup?.idp.stop();
  });

  it('signs in through the identity provider and back to the application with a token', async () => {
    const { s, idp } = setup;
    const page = await (await fetch(`${s.baseUrl}/cdn-cgi/access/login/${HOST}?redirect_url=${encodeURIComponent(TARGET)}`)).text();
    assert.match(page, new RegExp(`href="/cdn-cgi/access/login/${HOST}/idp/${setup.idpId}\\?redirect_url=[^"]+">Sign in with ${EXAMPLE_PROVIDER.name}<`), 'the login page offers the provider');
    const answered = await signIn(setup, ADA);
    assert.equal(answered.status, 302, await answered.text());
    const next = new URL(answered.headers.get('location')!);
    assert.equal(next.origin + next.pathname, `http://${HOST}/cdn-cgi/access/authorized`);
    assert.equal(next.searchParams.get('redirect_url'), TARGET);
    const token = next.searchParams.get('token')!;
    // The kept attributes ride in the token as `custom`, as in Cloudflare's JWT.
    assert.deepEqual(decodeJwt(token).custom, { department: 'Engineering', groups: ['staff', 'wiki-editors'] });
    // The application's host keeps it as the session cookie, and forward auth lets that session in.
    const authorized = await fetch(`${s.baseUrl}/cdn-cgi/access/authorized?token=${encodeURIComponent(token)}&redirect_url=${encodeURIComponent(TARGET)}`, { redirect: 'manual', headers: { 'x-forwarded-host': HOST } });
    assert.equal(authorized.status, 302);
    const allowed = await fetch(`${s.baseUrl}/cdn-cgi/access/authorize`, { headers: { 'x-forwarded-host': HOST, 'x-forwarded-uri': '/page', cookie: `CF_Authorization=${token}` } });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('cf-access-authenticated-user-email'), 'ada@example.com');

    // The AuthnRequest: to this service provider's entity id and callback, unsigned (sign_request is off).
    const request = idp.requests.at(-1)!;
    assert.equal(request.issuer, `${s.baseUrl}/cdn-cgi/access/callback`);
    assert.equal(request.acs, `${s.baseUrl}/cdn-cgi/access/callback`);
    assert.equal(request.signed, false);
    assert.match(request.xml, /ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"/);

    const log = await accessLog(setup);
    assert.deepEqual([log.at(-1).user_email, log.at(-1).allowed, log.at(-1).connection, log.at(-1).app_domain], ['ada@example.com', true, 'saml', HOST]);
  });

  it("records the identity the assertion gave: email, name, groups, the kept attributes, idp and amr", async () => {
    const { s, A, idpId } = setup;
    const user = (await s.api('GET', `${A}/users?email=ada@example.com`)).json.result[0];
    assert.equal(user.name, 'Ada Lovelace');
    const identity = (await s.api('GET', `${A}/users/${user.id}/last_seen_identity`)).json.result;
    assert.equal(identity.email, 'ada@example.com');
    assert.equal(identity.name, 'Ada Lovelace');
    assert.deepEqual(identity.idp, { id: idpId, type: 'saml' });
    assert.deepEqual(identity.groups, [{ id: 'staff', name: 'staff' }, { id: 'wiki-editors', name: 'wiki-editors' }]);
    assert.deepEqual(identity.amr, ['pwd'], 'PasswordProtectedTransport');
    assert.deepEqual(identity.saml_attributes, { department: 'Engineering', groups: ['staff', 'wiki-editors'] }, 'only the configured attributes, one value as a string, several as a list');
    // As docs/identity-providers.md shows it.
    for (const [field, value] of Object.entries(EXAMPLE_IDENTITY)) assert.deepEqual(identity[field], field === 'idp' ? { ...(value as object), id: idpId } : value, field);
  });

  it('decides that identity in a policy test run right after: saml rules on its attributes, auth_method on its amr', async () => {
    const { s, idpId } = setup;
    const decide = async (rule: Record<string, unknown>): Promise<string> => {
      const { id, progress } = await runPolicyTest(s, s.accountId, { policies: [{ name: 'rule', decision: 'allow', include: [rule] }] });
      assert.equal(progress.status, 'complete');
      return (await resultsByEmail(s, s.accountId, id)).get('ada@example.com')?.status;
    };
    const saml = (attribute_name: string, attribute_value: string, identity_provider_id = idpId) => ({ saml: { attribute_name, attribute_value, identity_provider_id } });
    assert.equal(await decide(saml('department', 'Engineering')), 'approved');
    assert.equal(await decide(saml('groups', 'wiki-editors')), 'approved', 'each value of a multi-valued attribute');
    assert.equal(await decide(saml('groups', 'admins')), 'blocked');
    assert.equal(await decide(saml('department', 'Sales')), 'blocked');
    assert.equal(await decide(saml('unkept', 'not in config.attributes')), 'blocked', 'attributes the config does not keep are not recorded');
    const other = await s.api('POST', `/accounts/${s.accountId}/access/identity_providers`, { name: 'Other', type: 'onetimepin', config: {} });
    assert.equal(await decide(saml('department', 'Engineering', other.json.result.id)), 'blocked', 'another identity provider');
    assert.equal(await decide({ auth_method: { auth_method: 'pwd' } }), 'approved');
    assert.equal(await decide({ auth_method: { auth_method: 'mfa' } }), 'blocked');
  });

  it('takes an answer whose whole Response is signed and its Assertion not (Keycloak by default), or both signed', async () => {
    for (const signedPart of ['response', 'both'] as const) {
      const answered = await signIn(setup, ADA, { signedPart });
      assert.equal(answered.status, 302, `${signedPart}: ${await answered.text()}`);
      const token = new URL(answered.headers.get('location')!).searchParams.get('token')!;
      assert.equal(decodeJwt(token).email, 'ada@example.com', signedPart);
    }
  });

  it('takes an answer that outgrows the 16 KiB other forms are held to (a user in 2,000 groups)', async () => {
    const { s, A } = setup;
    const groups = Array.from({ length: 2000 }, (_, i) => `group-number-${i}`);
    setup.idp.signInAs({ nameId: 'grace@example.com', attributes: { mail: 'grace@example.com', groups } });
    const form = await throughIdp(setup);
    assert.ok(new URLSearchParams(form.fields).toString().length > 64 * 1024);
    const answered = await post(form);
    assert.equal(answered.status, 302, await answered.text());
    const user = (await s.api('GET', `${A}/users?email=grace@example.com`)).json.result[0];
    const identity = (await s.api('GET', `${A}/users/${user.id}/last_seen_identity`)).json.result;
    assert.equal(identity.groups.length, 2000);
  });

  it('serves the service provider metadata: entity id and callback on the auth domain, signed assertions wanted', async () => {
    const { s, idpId } = setup;
    const res = await fetch(`${s.baseUrl}/cdn-cgi/access/saml-metadata`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^application\/xml/);
    const xml = await res.text();
    assert.match(xml, new RegExp(`entityID="${s.baseUrl}/cdn-cgi/access/callback"`));
    assert.match(xml, new RegExp(`<AssertionConsumerService[^>]*Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"[^>]*Location="${s.baseUrl}/cdn-cgi/access/callback"`));
    assert.match(xml, /WantAssertionsSigned="true"/);
    assert.match(xml, /AuthnRequestsSigned="false"/);
    assert.doesNotMatch(xml, /X509Certificate/, 'no signing certificate while no provider signs its requests');
    const own = await fetch(`${s.baseUrl}/cdn-cgi/access/${idpId}/saml-metadata`);
    assert.equal(own.status, 200);
    assert.match(await own.text(), /entityID=/);
    assert.equal((await fetch(`${s.baseUrl}/cdn-cgi/access/no-such-idp/saml-metadata`)).status, 404);
  });
});

describe('SAML sign-in with signed requests (sign_request)', () => {
  let setup: Setup;
  before(async () => {
    setup = await setUp();
  });
  after(async () => {
    await setup?.s.close();
    await setup?.idp.stop();
  });

  it("signs the AuthnRequest with the account's SAML key, whose certificate the metadata publishes", async () => {
    const { s, idp, idpId, A } = setup;
    // The identity provider checks request signatures with the certificate from the metadata:
    // while sign_request is off the request is unsigned and refused there.
    const provider = (await s.api('GET', `${A}/identity_providers/${idpId}`)).json.result;
    const updated = await s.api('PUT', `${A}/identity_providers/${idpId}`, { ...provider, config: { ...provider.config, sign_request: true } });
    assert.equal(updated.status, 200, JSON.stringify(updated.json));
    const xml = await (await fetch(`${s.baseUrl}/cdn-cgi/access/${idpId}/saml-metadata`)).text();
    assert.match(xml, /AuthnRequestsSigned="true"/);
    const certificate = /<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/.exec(xml)?.[1];
    assert.ok(certificate !== undefined, xml);
    const pem = `-----BEGIN CERTIFICATE-----\n${certificate.replace(/\s+/g, '')}\n-----END CERTIFICATE-----\n`;
    assert.ok(new X509Certificate(pem).verify(new X509Certificate(pem).publicKey), 'a self-signed X.509 certificate');
    assert.match(await (await fetch(`${s.baseUrl}/cdn-cgi/access/saml-metadata`)).text(), /X509Certificate/, 'the default metadata has it too once a provider signs');

    idp.requireSignedRequests(pem);
    const answered = await signIn(setup, ADA);
    assert.equal(answered.status, 302, await answered.text());
    assert.equal(idp.requests.at(-1)!.signed, true);
    // The same key next time (kept, not made again), and its private half sealed in the database.
    assert.equal(/<ds:X509Certificate>([^<]+)</.exec(await (await fetch(`${s.baseUrl}/cdn-cgi/access/saml-metadata`)).text())?.[1], certificate);
    const file = s.database.url.replace(/^sqlite:/, '');
    const stored = ['', '-wal'].map((suffix) => (existsSync(file + suffix) ? readFileSync(file + suffix).toString('latin1') : '')).join('');
    assert.ok(stored.includes(certificate.slice(0, 64)), 'the certificate is stored as it is');
    assert.ok(!stored.includes('PRIVATE KEY'), 'the private key is not stored in plain text');

    // A request signed by another key is what the identity provider refuses.
    const other = (await import('../../account/self-signed-certificate.js')).selfSignedCertificate;
    idp.requireSignedRequests((await other('someone else', 1)).certificatePem);
    const start = await fetch(`${s.baseUrl}/cdn-cgi/access/login/${HOST}/idp/${idpId}?redirect_url=${encodeURIComponent(TARGET)}`, { redirect: 'manual' });
    assert.equal((await fetch(start.headers.get('location')!)).status, 400);
  });
});

describe('SAML answers that are refused', () => {
  let setup: Setup;
  before(async () => {
    setup = await setUp();
  });
  after(async () => {
    await setup?.s.close();
    await setup?.idp.stop();
  });

  const { refused, failures } = refusals(() => setup);

  it('refuses an unsigned assertion', async () => {
    const before = await failures();
    await refused(await signIn(setup, ADA, { signWith: 'none' }), 401, /could not be verified: Invalid signature/);
    assert.equal(await failures(), before + 1);
  });

  it('refuses an assertion signed with a key that is not the configured certificate', async () => {
    const before = await failures();
    await refused(await signIn(setup, ADA, { signWith: 'other' }), 401, /could not be verified: Invalid signature/);
    assert.equal(await failures(), before + 1);
  });

  it('refuses a replayed answer: the sign-in it answered is used up', async () => {
    setup.idp.signInAs(ADA);
    const form = await throughIdp(setup);
    assert.equal((await post(form)).status, 302);
    const before = await failures();
    await refused(await post(form), 400, /expired, was already used/, null);
    assert.equal(await failures(), before + 1);
  });

  it("refuses a signed assertion from another sign-in posted as this one's answer", async () => {
    setup.idp.signInAs(ADA);
    const first = await throughIdp(setup);
    const second = await throughIdp(setup);
    const before = await failures();
    // The first answer (a valid assertion for the first request) with the second sign-in's RelayState.
    await refused(await post({ ...second, fields: { ...second.fields, SAMLResponse: first.fields.SAMLResponse! } }), 401, /InResponseTo/);
    // The same with the outer Response re-pointed at the second request: the signed confirmation still names the first.
    const third = await throughIdp(setup);
    const request = setup.idp.requests.at(-1)!;
    const rewrapped = Buffer.from(first.fields.SAMLResponse!, 'base64').toString('utf8').replace(/(<samlp:Response\b[^>]*InResponseTo=")[^"]*"/, `$1${request.id}"`);
    await refused(await post({ ...third, fields: { ...third.fields, SAMLResponse: Buffer.from(rewrapped).toString('base64') } }), 401, /InResponseTo/);
    assert.equal(await failures(), before + 2);
  });

  it('refuses an assertion whose signed bearer confirmation names no request, or another recipient', async () => {
    const before = await failures();
    // Without InResponseTo in the signed part, an assertion captured from one sign-in could be
    // re-wrapped in a Response that claims to answer another.
    setup.idp.signInAs(ADA, { confirmationInResponseTo: null });
    const captured = await throughIdp(setup);
    const next = await throughIdp(setup);
    const request = setup.idp.requests.at(-1)!;
    const rewrapped = Buffer.from(captured.fields.SAMLResponse!, 'base64').toString('utf8').replace(/(<samlp:Response\b[^>]*InResponseTo=")[^"]*"/, `$1${request.id}"`);
    await refused(await post({ ...next, fields: { ...next.fields, SAMLResponse: Buffer.from(rewrapped).toString('base64') } }), 401, /no bearer confirmation for this sign-in/);
    await refused(await signIn(setup, ADA, { recipient: 'https://someone-else.example/acs' }), 401, /no bearer confirmation for this sign-in/);
    assert.equal(await failures(), before + 2);
  });

  it('refuses an assertion for another audience', async () => {
    const before = await failures();
    await refused(await signIn(setup, ADA, { audience: 'https://someone-else.example/sp' }), 401, /audience mismatch/);
    assert.equal(await failures(), before + 1);
  });

  it('refuses an expired assertion', async () => {
    const before = await failures();
    await refused(await signIn(setup, ADA, { validForSeconds: -120 }), 401, /expired|No valid subject confirmation/);
    assert.equal(await failures(), before + 1);
  });

  it('refuses an assertion from another issuer than the configured issuer_url', async () => {
    const before = await failures();
    await refused(await signIn(setup, ADA, { issuer: 'https://impostor.example/idp' }), 401, /issuer_url/);
    assert.equal(await failures(), before + 1);
  });

  it('refuses an answer without an email address (no email attribute, a NameID that is not one)', async () => {
    const before = await failures();
    await refused(await signIn(setup, { nameId: 'u-12345', nameIdFormat: PERSISTENT_FORMAT, attributes: { department: 'Engineering' } }), 401, /no email address \(attribute mail/);
    assert.equal(await failures(), before + 1);
    // A NameID that is an email address stands in for a missing email attribute.
    assert.equal((await signIn(setup, { nameId: 'nameid@example.com', attributes: { department: 'Engineering' } })).status, 302);
  });

  it('finishes a sign-in only in the browser that started it: posted without its sign-in cookie, the answer is asked for again, then refused', async () => {
    const { s, idpId } = setup;
    setup.idp.signInAs(ADA);
    const form = await throughIdp(setup);
    assert.match(form.cookie!, /^CF_Sign_In=[\w-]{43}$/);
    // Another browser (an attacker's link to their own answer): no cookie came with the post, as
    // none comes with a cross-site one, so the auth domain's page posts it again from its own site.
    const first = await post({ action: form.action, fields: form.fields });
    assert.equal(first.status, 200);
    const again = parseAutoPostForm(await first.text());
    const repost = { action: new URL(again.action, s.baseUrl).href, fields: again.fields };
    assert.deepEqual([repost.action, again.fields.SAMLResponse, again.fields.RelayState, again.fields.reposted], [form.action, form.fields.SAMLResponse, form.fields.RelayState, '1']);
    const before = await failures();
    await refused(await post(repost), 400, /started in another browser/, null);
    // That browser's own sign-in cookie is no better.
    const elsewhere = await fetch(`${s.baseUrl}/cdn-cgi/access/login/${HOST}/idp/${idpId}?redirect_url=${encodeURIComponent(TARGET)}`, { redirect: 'manual' });
    await refused(await post({ ...repost, cookie: signInCookie(elsewhere) }), 400, /started in another browser/, null);
    assert.equal(await failures(), before + 2);
    // The browser that started it still finishes it: the refusals did not use it up.
    const finished = await post({ ...repost, cookie: form.cookie! });
    assert.equal(finished.status, 302, await finished.text());
    assert.match(finished.headers.get('location')!, /^http:\/\/wiki\.test\/cdn-cgi\/access\/authorized\?token=/);
  });

  it('refuses an answer to an unknown sign-in (RelayState), and a post without a SAMLResponse', async () => {
    const { s } = setup;
    let before = await failures();
    setup.idp.signInAs(ADA);
    const form = await throughIdp(setup);
    await refused(await post({ ...form, fields: { ...form.fields, RelayState: 'A'.repeat(32) } }), 400, /expired, was already used/, null);
    // An answer naming no sign-in of this server's: one the provider started (an app tile), said as such.
    await refused(await post({ ...form, fields: { ...form.fields, RelayState: 'https://wiki.test/' } }), 400, /started at the identity provider/, null);
    await refused(await post({ ...form, fields: { SAMLResponse: form.fields.SAMLResponse! } }), 400, /started at the identity provider/, null);
    assert.equal(await failures(), before + 3);
    before = await failures();
    await refused(await post({ ...form, fields: { RelayState: form.fields.RelayState! } }), 401, /sent no SAMLResponse/);
    const garbage = await throughIdp(setup);
    const notXml = await post({ ...garbage, fields: { ...garbage.fields, SAMLResponse: Buffer.from('<not xml').toString('base64') } });
    const notXmlPage = await notXml.clone().text();
    await refused(notXml, 401, /could not be verified: it is not a SAML response this server can read/);
    assert.doesNotMatch(notXmlPage, /xmldom|Cannot read properties/, "a parser's own words stay in the log");
    assert.equal(await failures(), before + 2);
    // An answer larger than any SAML response is refused before it is read.
    const huge = await fetch(`${s.baseUrl}/cdn-cgi/access/callback`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `SAMLResponse=${'A'.repeat(300 * 1024)}&RelayState=x` });
    assert.equal(huge.status, 413);
    // A browser is shown a page, not the API's JSON.
    assert.match(huge.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await huge.text(), /larger than this server accepts/);
    const xml = await fetch(`${s.baseUrl}/cdn-cgi/access/callback`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<samlp:Response/>' });
    assert.equal(xml.status, 415);
    assert.match(xml.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await xml.text(), /reads a posted form/);
    assert.ok((await failures()) <= FAILED_PER_MINUTE, 'this suite stays under the failed sign-in log rate');
  });
});

describe('SAML answers signed as a whole Response', () => {
  let setup: Setup;
  before(async () => {
    setup = await setUp();
  });
  after(async () => {
    await setup?.s.close();
    await setup?.idp.stop();
  });
  const { refused, failures } = refusals(() => setup);

  it('refuses a Response signed by another key, or none, around an unsigned Assertion', async () => {
    const before = await failures();
    await refused(await signIn(setup, ADA, { signedPart: 'response', signWith: 'other' }), 401, /could not be verified: Invalid signature/);
    await refused(await signIn(setup, ADA, { signedPart: 'response', signWith: 'none' }), 401, /could not be verified: Invalid signature/);
    assert.equal(await failures(), before + 2);
  });

  it("refuses a signed Response whose unsigned Assertion was altered, or that carries a second Assertion", async () => {
    const before = await failures();
    setup.idp.signInAs(ADA, { signedPart: 'response' });
    const altered = await throughIdp(setup);
    const xml = Buffer.from(altered.fields.SAMLResponse!, 'base64').toString('utf8');
    const other = xml.replaceAll('ada@example.com', 'eve@example.com');
    assert.notEqual(other, xml);
    await refused(await post({ ...altered, fields: { ...altered.fields, SAMLResponse: Buffer.from(other).toString('base64') } }), 401, /could not be verified: Invalid (document )?signature/);
    // A second, forged Assertion beside the signed one (signature wrapping): never read.
    setup.idp.signInAs(ADA, { signedPart: 'response' });
    const wrapped = await throughIdp(setup);
    const signed = Buffer.from(wrapped.fields.SAMLResponse!, 'base64').toString('utf8');
    const assertion = /<saml:Assertion\b[\s\S]*<\/saml:Assertion>/.exec(signed)![0];
    const twice = signed.replace('</samlp:Response>', `${assertion.replaceAll('ada@example.com', 'eve@example.com')}</samlp:Response>`);
    await refused(await post({ ...wrapped, fields: { ...wrapped.fields, SAMLResponse: Buffer.from(twice).toString('base64') } }), 401, /could not be verified: Invalid (document )?signature/);
    assert.equal(await failures(), before + 2);
  });
});

describe('a SAML provider that is not set up right', () => {
  let setup: Setup;
  before(async () => {
    setup = await setUp({ idp_public_certs: ['not a certificate'] });
  });
  after(async () => {
    await setup?.s.close();
    await setup?.idp.stop();
  });

  it('says so at the start of a sign-in instead of sending the browser away', async () => {
    const { s, idpId } = setup;
    const start = await fetch(`${s.baseUrl}/cdn-cgi/access/login/${HOST}/idp/${idpId}?redirect_url=${encodeURIComponent(TARGET)}`, { redirect: 'manual' });
    assert.equal(start.status, 502);
    assert.match(await start.text(), /idp_public_certs\[0\] is not an X\.509 certificate/);
  });

  it("is left off the login page, where its users would only meet that error, and offered again once it is set up", async () => {
    const { s, A, idpId } = setup;
    const loginPage = async () => (await fetch(`${s.baseUrl}/cdn-cgi/access/login/${HOST}?redirect_url=${encodeURIComponent(TARGET)}`)).text();
    assert.doesNotMatch(await loginPage(), new RegExp(`/idp/${idpId}`));
    const bare = await s.api('POST', `${A}/identity_providers`, { name: 'Bare OIDC', type: 'oidc', config: {} });
    assert.equal(bare.status, 201);
    const app = (await s.api('GET', `${A}/apps`)).json.result[0];
    const allowed = await s.api('PUT', `${A}/apps/${app.id}`, { type: app.type, name: app.name, domain: app.domain, allowed_idps: [idpId, bare.json.result.id], policies: app.policies.map((p: { id: string }, i: number) => ({ id: p.id, precedence: i + 1 })) });
    assert.equal(allowed.status, 200, JSON.stringify(allowed.json));
    assert.doesNotMatch(await loginPage(), /Bare OIDC/);
    const fixed = await s.api('PUT', `${A}/identity_providers/${bare.json.result.id}`, { name: 'Bare OIDC', type: 'oidc', config: { client_id: 'c', client_secret: 's', auth_url: 'https://sso.invalid/auth', token_url: 'https://sso.invalid/token', certs_url: 'https://sso.invalid/certs' } });
    assert.equal(fixed.status, 200, JSON.stringify(fixed.json));
    assert.match(await loginPage(), /Sign in with Bare OIDC/);
  });
});

describe('SAML attributes as request headers (header_attributes)', () => {
  const HEADERS = [
    { attribute_name: 'department', header_name: 'X-Department' },
    { attribute_name: 'groups', header_name: 'X-Groups' },
    { attribute_name: 'note', header_name: 'X-Note' },
    { attribute_name: 'city', header_name: 'X-City' },
  ];
  let setup: Setup;
  before(async () => {
    setup = await setUp({ header_attributes: HEADERS });
  });
  after(async () => {
    await setup?.s.close();
    await setup?.idp.stop();
  });

  /** Sign in as `user` and ask forward auth about a page with the session's token. */
  async function authorizeAs(user: SamlIdpUser): Promise<Response> {
    const answered = await signIn(setup, user);
    assert.equal(answered.status, 302, await answered.text());
    const token = new URL(answered.headers.get('location')!).searchParams.get('token')!;
    const allowed = await fetch(`${setup.s.baseUrl}/cdn-cgi/access/authorize`, { headers: { 'x-forwarded-host': HOST, 'x-forwarded-uri': '/page', cookie: `CF_Authorization=${token}` } });
    assert.equal(allowed.status, 200);
    return allowed;
  }

  it("carries each configured attribute's value in its header on the forward-auth answer, several values joined by ', '", async () => {
    const allowed = await authorizeAs({ ...ADA, attributes: { ...ADA.attributes, city: 'Zürich' } });
    assert.equal(allowed.headers.get('cf-access-authenticated-user-email'), 'ada@example.com');
    assert.equal(allowed.headers.get('x-department'), 'Engineering');
    assert.equal(allowed.headers.get('x-groups'), 'staff, wiki-editors');
    assert.equal(allowed.headers.get('x-note'), '', 'an attribute the assertion lacks: the header is there, empty (a proxy copying it passes nothing)');
    // Sent as its UTF-8 bytes; fetch reads header bytes as Latin-1.
    assert.equal(Buffer.from(allowed.headers.get('x-city')!, 'latin1').toString('utf8'), 'Zürich');
  });

  it('leaves out a value holding a line break or another control character (it could forge a header)', async () => {
    const allowed = await authorizeAs({ nameId: 'eve@example.com', attributes: { mail: 'eve@example.com', department: 'Sales', note: 'harmless\nX-Injected: yes', city: 'tab\there' } });
    assert.equal(allowed.headers.get('x-department'), 'Sales', 'the safe attributes still pass');
    assert.equal(allowed.headers.get('x-note'), '', 'the unsafe value is not passed, not even in part');
    assert.equal(allowed.headers.get('x-city'), '');
    assert.equal(allowed.headers.get('x-injected'), null);
    const values: string[] = [];
    allowed.headers.forEach((value) => values.push(value));
    assert.ok(!values.some((v) => v.includes('harmless')), 'no part of the refused value went out');
  });

  it('passes nothing another sign-in could not have given: a bypass answers the headers empty', async () => {
    const { s, A } = setup;
    const open = await s.api('POST', `${A}/policies`, { name: 'Open', decision: 'bypass', include: [{ everyone: {} }] });
    const app = await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Open', domain: 'open.test', policies: [{ id: open.json.result.id, precedence: 1 }] });
    assert.equal(app.status, 201, JSON.stringify(app.json));
    const allowed = await fetch(`${s.baseUrl}/cdn-cgi/access/authorize`, { headers: { 'x-forwarded-host': 'open.test', 'x-forwarded-uri': '/', 'x-department': 'forged by the client' } });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('x-department'), '');
  });

  it('refuses, when the provider is written, a header name that is not a token or that would override another header', async () => {
    const { s, A, idpId } = setup;
    const provider = (await s.api('GET', `${A}/identity_providers/${idpId}`)).json.result;
    assert.deepEqual(provider.config.header_attributes, HEADERS, 'stored and answered as sent');
    const withHeaders = (header_attributes: unknown) => ({ ...provider, config: { ...provider.config, header_attributes } });
    const refusals: [string, RegExp][] = [
      ['Cf-Access-Authenticated-User-Email', /reserved/],
      ['cf-access-jwt-assertion', /reserved/],
      ['Host', /sets itself/],
      ['Transfer-Encoding', /hop-by-hop/],
      ['X-Forwarded-For', /reserved/],
      ['X Department', /not a header name/],
      ['X-Dept\r\nX-Injected', /not a header name/],
      ['X_Department', /not a header name/],
      ['', /not a header name/],
    ];
    for (const [header, message] of refusals) {
      for (const [method, path, body] of [['PUT', `${A}/identity_providers/${idpId}`, withHeaders([{ attribute_name: 'department', header_name: header }])], ['POST', `${A}/identity_providers`, { ...withHeaders([{ attribute_name: 'department', header_name: header }]), id: undefined }]] as const) {
        const res = await s.api(method, path, body);
        assert.equal(res.status, 400, `${method} ${JSON.stringify(header)}: ${JSON.stringify(res.json)}`);
        assert.equal(res.json.success, false);
        assert.equal(res.json.errors[0].source.pointer, '/config/header_attributes/0/header_name');
        assert.match(res.json.errors[0].message, message);
        assert.equal(typeof res.json.errors[0].code, 'number');
      }
    }
    const duplicate = await s.api('PUT', `${A}/identity_providers/${idpId}`, withHeaders([{ attribute_name: 'department', header_name: 'X-Dept' }, { attribute_name: 'groups', header_name: 'x-dept' }]));
    assert.equal(duplicate.status, 400);
    assert.equal(duplicate.json.errors[0].source.pointer, '/config/header_attributes/1/header_name');
    const noAttribute = await s.api('PUT', `${A}/identity_providers/${idpId}`, withHeaders([{ header_name: 'X-Dept' }]));
    assert.equal(noAttribute.status, 400);
    assert.equal(noAttribute.json.errors[0].source.pointer, '/config/header_attributes/0/attribute_name');
    // Nothing was written: the provider still passes what it passed.
    assert.deepEqual((await s.api('GET', `${A}/identity_providers/${idpId}`)).json.result.config.header_attributes, HEADERS);
  });
});
