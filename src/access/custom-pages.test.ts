// Access custom pages at the enforcement point: a signed-in user the policies refuse sees the
// identity_denied page the application chose, else the organization's, else the built-in page; a
// refused service token sees the forbidden page likewise; a deny URL still wins where the proxy
// redirects. Served as written, 403, never inside another site's frame.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { userAppToken } from './app-token.js';

const APP_DENIED = '<!doctype html><html><body><h1>Wiki: ask IT for access</h1><script>window.x = 1</script></body></html>';
const ORG_DENIED = '<!doctype html><html><body><h1>Example Corp: not for you</h1></body></html>';
const FORBIDDEN = '<!doctype html><html><body><h1>Machines stay out</h1></body></html>';

describe('Access custom pages at the enforcement point', () => {
  let s: TestServer;
  const A = () => `/accounts/${s.accountId}/access`;
  const ids: Record<string, string> = {};
  const auds: Record<string, string> = {};
  let adaId: string;

  const createPage = async (name: string, type: string, custom_html: string): Promise<string> => {
    const res = await s.api('POST', `${A()}/custom_pages`, { name, type, custom_html });
    assert.equal(res.status, 201, JSON.stringify(res.json));
    return res.json.result.uid as string;
  };
  const adaSession = async (app: string): Promise<string> =>
    userAppToken({ aud: auds[app]!, issuer: s.baseUrl, lifetimeSeconds: 600, userId: adaId, email: 'ada@example.com' }, await s.accessKeys!.current(s.accountId));
  const authorize = (host: string, headers: Record<string, string>, redirect = false) =>
    fetch(`${s.baseUrl}/cdn-cgi/access/authorize${redirect ? '?redirect=1' : ''}`, { redirect: 'manual', headers: { 'x-forwarded-host': host, 'x-forwarded-uri': '/', ...headers } });
  const assertCustomPage = async (res: Response, html: string, what: string) => {
    assert.equal(res.status, 403, what);
    assert.equal(await res.text(), html, what);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/, what);
    assert.equal(res.headers.get('x-frame-options'), 'DENY', what);
    assert.equal(res.headers.get('content-security-policy'), "frame-ancestors 'none'", what);
  };

  before(async () => {
    s = await startTestServer({ access: { devLogin: true } });
    const outsiders = await s.api('POST', `${A()}/policies`, { name: 'Outsiders only', decision: 'allow', include: [{ email_domain: { domain: 'other.org' } }] });
    ids.appDenied = await createPage('Wiki denied', 'identity_denied', APP_DENIED);
    ids.orgDenied = await createPage('Org denied', 'identity_denied', ORG_DENIED);
    ids.forbidden = await createPage('Forbidden', 'forbidden', FORBIDDEN);
    const deploy = (await s.api('POST', `${A()}/service_tokens`, { name: 'deploy' })).json.result;
    ids.deployId = deploy.client_id;
    ids.deploySecret = deploy.client_secret;
    const policy = [{ id: outsiders.json.result.id, precedence: 1 }];
    for (const [name, domain, extra] of [
      ['Wiki', 'wiki.test', { custom_pages: [ids.appDenied], custom_deny_message: 'Not the page' }],
      ['CRM', 'crm.test', {}],
      ['API', 'api.test', { custom_pages: [ids.forbidden] }],
      ['Redirecting', 'redirecting.test', { custom_pages: [ids.appDenied], custom_deny_url: 'https://deny.example/user' }],
    ] as const) {
      const app = await s.api('POST', `${A()}/apps`, { type: 'self_hosted', name, domain, policies: policy, ...extra });
      assert.equal(app.status, 201, JSON.stringify(app.json));
      auds[name] = app.json.result.aud;
      ids[name] = app.json.result.id;
    }
    adaId = (await s.api('POST', `${A()}/users`, { email: 'ada@example.com', name: 'Ada' })).json.result.id;
  });
  after(() => s?.close());

  it("shows a refused user the application's identity_denied page, else the built-in page, then the organization's", async () => {
    await assertCustomPage(await authorize('wiki.test', { cookie: `CF_Authorization=${await adaSession('Wiki')}` }), APP_DENIED, "the application's page, not its deny message");
    const builtIn = await authorize('crm.test', { cookie: `CF_Authorization=${await adaSession('CRM')}` });
    assert.equal(builtIn.status, 403);
    assert.match(await builtIn.text(), /You don&#39;t have permission|You don't have permission/, 'no page chosen anywhere: the built-in page');
    const org = await s.api('PUT', `${A()}/organizations`, { name: 'Example Corp', custom_pages: { identity_denied: ids.orgDenied, forbidden: ids.forbidden } });
    assert.equal(org.status, 200, JSON.stringify(org.json));
    await assertCustomPage(await authorize('crm.test', { cookie: `CF_Authorization=${await adaSession('CRM')}` }), ORG_DENIED, "the organization's page when the application chose none");
    await assertCustomPage(await authorize('wiki.test', { cookie: `CF_Authorization=${await adaSession('Wiki')}` }), APP_DENIED, "the application's page before the organization's");
  });

  it('shows a user refused at the sign-in the same page on the auth domain', async () => {
    await assertCustomPage(await fetch(`${s.baseUrl}/cdn-cgi/access/forbidden/${ids.Wiki}`, { redirect: 'manual' }), APP_DENIED, 'the sign-in refusal page');
  });

  it('shows a refused service token the forbidden page', async () => {
    await assertCustomPage(await authorize('api.test', { 'cf-access-client-id': ids.deployId!, 'cf-access-client-secret': ids.deploySecret! }), FORBIDDEN, 'a service token the policies refuse');
  });

  it('keeps a deny URL first where the proxy redirects, and the custom page where it shows the answer', async () => {
    const token = await adaSession('Redirecting');
    const redirected = await authorize('redirecting.test', { cookie: `CF_Authorization=${token}` }, true);
    assert.equal(redirected.status, 302);
    assert.equal(redirected.headers.get('location'), 'https://deny.example/user');
    const shown = await authorize('redirecting.test', { cookie: `CF_Authorization=${token}` });
    assert.equal(shown.headers.get('x-access-deny-url'), 'https://deny.example/user');
    await assertCustomPage(shown, APP_DENIED, 'the answer a proxy shows instead of following the URL');
  });
});
