// Access applications, their policies, make_reusable and user_policy_checks, through the SDK
// and raw HTTP, on SQLite and PostgreSQL.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import Cloudflare from 'cloudflare';
import { randomAccountId } from '../../../test/support/server.js';
import { describeEachDatabase } from '../../../test/support/suite.js';

await describeEachDatabase('Access applications API', (s) => {

  async function reusable(account: string, name: string, decision: 'allow' | 'deny' | 'bypass' = 'allow', include: object[] = [{ email_domain: { domain: 'example.com' } }]) {
    return s.cf.zeroTrust.access.policies.create({ account_id: account, name, decision, include: include as never });
  }

  it('links reusable policies by precedence, counts them in app_count and protects them from deletion', async () => {
    const account = randomAccountId();
    const allow = await reusable(account, 'Employees');
    const deny = await reusable(account, 'Blocked IPs', 'deny', [{ ip: { ip: '203.0.113.0/24' } }]);
    const app = await s.cf.zeroTrust.access.applications.create({
      account_id: account,
      type: 'self_hosted',
      domain: 'wiki.example.com',
      name: 'Wiki',
      policies: [{ id: allow.id!, precedence: 2 }, { id: deny.id!, precedence: 1 }],
    } as never);
    const created = app as { id: string; aud: string; policies: { id: string; precedence: number; name: string; reusable: boolean }[] };
    assert.match(created.aud, /^[0-9a-f]{64}$/);
    assert.deepEqual(created.policies.map((p) => [p.name, p.precedence, p.reusable]), [['Blocked IPs', 1, true], ['Employees', 2, true]]);
    assert.equal((await s.cf.zeroTrust.access.policies.get(allow.id!, { account_id: account })).app_count, 1);

    const del = await s.api('DELETE', `/accounts/${account}/access/policies/${allow.id}`);
    assert.equal(del.status, 409);
    assert.match(del.json.errors[0].message, /"Wiki"/);

    const got = (await s.cf.zeroTrust.access.applications.get(created.id, { account_id: account })) as unknown as typeof created;
    assert.deepEqual(got.policies.map((p) => p.id), [deny.id, allow.id]);

    await s.cf.zeroTrust.access.applications.delete(created.id, { account_id: account });
    assert.equal((await s.cf.zeroTrust.access.policies.get(allow.id!, { account_id: account })).app_count, 0);
    await s.cf.zeroTrust.access.policies.delete(allow.id!, { account_id: account });
  });

  it('lists applications with auto-pagination and keeps unknown Cloudflare fields as sent', async () => {
    const account = randomAccountId();
    for (let i = 0; i < 5; i++) {
      await s.api('POST', `/accounts/${account}/access/apps`, { type: 'self_hosted', domain: `app${i}.example.com`, name: `App ${i}`, brand_new_field: { x: i } });
    }
    const names: string[] = [];
    for await (const app of s.cf.zeroTrust.access.applications.list({ account_id: account, per_page: 2 } as never)) names.push((app as { name: string }).name);
    assert.deepEqual(names, ['App 0', 'App 1', 'App 2', 'App 3', 'App 4']);
    const one = await s.api('GET', `/accounts/${account}/access/apps?name=App%203`);
    assert.deepEqual(one.json.result[0].brand_new_field, { x: 3 });
  });

  it('answers a page of applications reading the organization and the linked reusable policies once for the page, not once per application', async () => {
    const account = randomAccountId();
    await s.api('PUT', `/accounts/${account}/access/organizations`, { name: 'Acme', auth_domain: 'acme.example.com', session_duration: '8h' });
    const first = await reusable(account, 'First');
    const second = await reusable(account, 'Second');
    for (let i = 0; i < 6; i++) {
      const made = await s.api('POST', `/accounts/${account}/access/apps`, { type: 'self_hosted', domain: `page${i}.example.com`, name: `Page ${i}`, policies: [{ id: first.id, precedence: 1 }, { id: second.id, precedence: 2 }] });
      assert.equal(made.status, 201, JSON.stringify(made.json));
    }
    const read = s.store.read;
    const counts = { organization: 0, policies: 0 };
    const getResource = read.getResource.bind(read);
    const getResources = read.getResources.bind(read);
    read.getResource = (accountId, kind, id) => {
      if (accountId === account && kind === 'organization') counts.organization++;
      return getResource(accountId, kind, id);
    };
    read.getResources = (accountId, kind, ids) => {
      if (accountId === account && kind === 'policy') counts.policies++;
      return getResources(accountId, kind, ids);
    };
    try {
      const listed = await s.api('GET', `/accounts/${account}/access/apps?per_page=50`);
      assert.equal(listed.status, 200);
      assert.equal(listed.json.result.length, 6);
      for (const app of listed.json.result) {
        assert.equal(app.session_duration, '8h', "the organization's session length, for an application that sets none");
        assert.deepEqual(app.policies.map((p: { name: string; precedence: number }) => [p.name, p.precedence]), [['First', 1], ['Second', 2]]);
      }
    } finally {
      read.getResource = getResource;
      read.getResources = getResources;
    }
    assert.ok(counts.organization <= 1, `the organization was read ${counts.organization} times for one page`);
    assert.ok(counts.policies <= 1, `reusable policies were read ${counts.policies} times for one page`);
  });

  it('filters the list by name, domain, aud, exact and search before paging, through the SDK and raw HTTP', async () => {
    const account = randomAccountId();
    const made: { id: string; aud: string; name: string }[] = [];
    for (const [name, domain] of [['Wiki', 'wiki.example.com'], ['Wiki Staging', 'staging.wiki.example.com'], ['Grafana', 'grafana.example.org'], ['Jira', 'jira.example.com']] as const) {
      const res = await s.api('POST', `/accounts/${account}/access/apps`, { type: 'self_hosted', name, domain });
      assert.equal(res.status, 201, JSON.stringify(res.json.errors));
      made.push(res.json.result);
    }
    const names = async (params: Record<string, string | number | boolean>) => {
      const all: string[] = [];
      for await (const app of s.cf.zeroTrust.access.applications.list({ account_id: account, ...params } as never)) all.push((app as { name: string }).name);
      return all;
    };
    assert.deepEqual(await names({ domain: 'wiki.example.com' }), ['Wiki', 'Wiki Staging'], 'domain: a substring without exact');
    assert.deepEqual(await names({ domain: 'wiki.example.com', exact: true }), ['Wiki']);
    assert.deepEqual(await names({ domain: 'WIKI.example.com', exact: true }), [], 'exact is case-sensitive');
    assert.deepEqual(await names({ name: 'wik' }), ['Wiki', 'Wiki Staging'], 'name: a case-insensitive substring without exact');
    assert.deepEqual(await names({ name: 'wik', exact: true }), []);
    assert.deepEqual(await names({ name: 'Wiki', exact: true }), ['Wiki']);
    assert.deepEqual(await names({ aud: made[2].aud }), ['Grafana'], 'aud: the one application of that tag');
    assert.deepEqual(await names({ aud: made[2].aud.slice(0, 20) }), [], 'aud is matched exactly');
    assert.deepEqual(await names({ search: 'example.org' }), ['Grafana'], 'search looks at the domain');
    assert.deepEqual(await names({ search: made[3].aud.slice(10, 40) }), ['Jira'], 'search looks at the aud');
    assert.deepEqual(await names({ search: 'STAGING' }), ['Wiki Staging']);
    assert.deepEqual(await names({ name: 'wiki', domain: 'staging' }), ['Wiki Staging'], 'filters combine');
    assert.deepEqual(await names({ domain: 'no-such.example' }), []);
    assert.deepEqual(await names({}), ['Wiki', 'Wiki Staging', 'Grafana', 'Jira']);

    // Filtered before paging: the page and its totals count matches only.
    const paged = await s.api('GET', `/accounts/${account}/access/apps?domain=example.com&per_page=1&page=2`);
    assert.equal(paged.status, 200);
    assert.deepEqual(paged.json.result.map((a: { name: string }) => a.name), ['Wiki Staging']);
    assert.deepEqual([paged.json.result_info.total_count, paged.json.result_info.total_pages], [3, 3]);
    const none = await s.api('GET', `/accounts/${account}/access/apps?aud=${'0'.repeat(64)}`);
    assert.deepEqual([none.status, none.json.result, none.json.result_info.total_count], [200, [], 0]);

    const bad = await s.api('GET', `/accounts/${account}/access/apps?exact=maybe`);
    assert.equal(bad.status, 400);
    const targets = await s.api('GET', `/accounts/${account}/access/apps?target_attributes=hostname%3Ddb`);
    assert.equal(targets.status, 400, 'an unsupported filter is refused, never ignored');
    assert.equal(targets.json.errors[0].code, 1010);
    assert.match(targets.json.errors[0].message, /target_attributes/);
  });

  it("answers the settings an application leaves out with Cloudflare's defaults for its type, and what it sets as set", async () => {
    const account = randomAccountId();
    const made = await s.api('POST', `/accounts/${account}/access/apps`, { type: 'self_hosted', domain: 'defaults.example.com', name: 'Defaults', http_only_cookie_attribute: false });
    assert.equal(made.status, 201, JSON.stringify(made.json.errors));
    const sdk = (await s.cf.zeroTrust.access.applications.get(made.json.result.id, { account_id: account })) as Record<string, unknown>;
    for (const app of [made.json.result, sdk]) {
      assert.deepEqual(
        [app.session_duration, app.app_launcher_visible, app.auto_redirect_to_identity, app.enable_binding_cookie, app.path_cookie_attribute, app.http_only_cookie_attribute],
        ['24h', true, false, false, false, false],
      );
    }
    // The session in force when the application sets none: the organization's.
    assert.equal((await s.api('PUT', `/accounts/${account}/access/organizations`, { name: 'Org', auth_domain: 'org.example.com', session_duration: '8h' })).status, 200);
    assert.equal((await s.api('GET', `/accounts/${account}/access/apps/${made.json.result.id}`)).json.result.session_duration, '8h');
    const bookmark = await s.api('POST', `/accounts/${account}/access/apps`, { type: 'bookmark', domain: 'https://intranet.example.com', name: 'Intranet' });
    assert.equal(bookmark.status, 201, JSON.stringify(bookmark.json.errors));
    assert.equal(bookmark.json.result.app_launcher_visible, true);
    assert.equal('session_duration' in bookmark.json.result, false, 'a bookmark has no session');
  });

  it('validates applications: domain, durations, policy references and precedence', async () => {
    const account = randomAccountId();
    const p = await reusable(account, 'P');
    const res = await s.api('POST', `/accounts/${account}/access/apps`, {
      type: 'self_hosted',
      session_duration: 'a day',
      allowed_idps: ['no-such-idp'],
      policies: ['no-such-policy', { id: p.id, precedence: 1 }, { id: p.id, precedence: 2 }],
    });
    assert.equal(res.status, 400);
    assert.deepEqual(
      res.json.errors.map((e: any) => [e.code, e.source.pointer]),
      [
        [1301, '/domain'],
        [1318, '/session_duration'],
        [1325, '/allowed_idps/0'],
      ],
    );
    for (const session_duration of ['-1h', '-0.5s']) {
      const negative = await s.api('POST', `/accounts/${account}/access/apps`, { type: 'self_hosted', domain: 'neg.example.com', session_duration });
      assert.equal(negative.status, 400, `a negative session_duration (${session_duration}) is refused, as a policy's is`);
      assert.deepEqual(negative.json.errors.map((e: any) => [e.code, e.source.pointer]), [[1318, '/session_duration']]);
    }
    const policies = await s.api('POST', `/accounts/${account}/access/apps`, {
      type: 'self_hosted',
      domain: 'x.example.com',
      policies: ['no-such-policy', { id: p.id, precedence: 1 }, { id: p.id, precedence: 2 }, 42],
    });
    assert.equal(policies.status, 400);
    assert.deepEqual(
      policies.json.errors.map((e: any) => [e.code, e.source.pointer]),
      [[1300, '/policies/3']],
      'the shape is checked first',
    );
    const refs = await s.api('POST', `/accounts/${account}/access/apps`, {
      type: 'self_hosted',
      domain: 'x.example.com',
      policies: ['no-such-policy', { id: p.id, precedence: 1 }, { id: p.id, precedence: 2 }],
    });
    assert.deepEqual(
      refs.json.errors.map((e: any) => [e.code, e.source.pointer]),
      [
        [1357, '/policies/0'],
        [1353, '/policies/2'],
      ],
    );
    const bad = await s.api('POST', `/accounts/${account}/access/apps`, { type: 'spaceship', domain: 'x' });
    assert.equal(bad.json.errors[0].code, 1303);
  });

  it("refuses destinations that could never match a request (ports, query strings, no hostname, two * between dots or slashes), as Cloudflare's Application paths rules them out, and keeps the rest as sent", async () => {
    const account = randomAccountId();
    const apps = `/accounts/${account}/access/apps`;
    const refused: [object, string][] = [
      [{ domain: 'wiki.example.com:8443' }, '/domain'],
      [{ domain: 'wiki.example.com/admin?tab=1' }, '/domain'],
      [{ domain: 'wiki.example.com/#settings' }, '/domain'],
      [{ domain: '/admin' }, '/domain'],
      [{ domain: 'wiki example.com' }, '/domain'],
      [{ domain: 'wiki.example.com.' }, '/domain'],
      [{ domain: 'ftp://files.example.com' }, '/domain'],
      [{ domain: 'foo*bar*baz.example.com' }, '/domain'],
      [{ domain: 'wiki.example.com/foo*bar*baz' }, '/domain'],
      [{ domain: 'wiki.example.com', self_hosted_domains: ['wiki.example.com', 'https://wiki.example.com:443/x'] }, '/self_hosted_domains/1'],
      [{ domain: 'wiki.example.com', destinations: [{ type: 'public', uri: 'wiki.example.com' }, { type: 'public', uri: 'api.example.com:8080' }] }, '/destinations/1/uri'],
    ];
    for (const [fields, pointer] of refused) {
      const res = await s.api('POST', apps, { type: 'self_hosted', name: 'Wiki', ...fields });
      assert.equal(res.status, 400, JSON.stringify(fields));
      assert.deepEqual(res.json.errors.map((e: any) => [e.code, e.source.pointer]), [[1312, pointer]], JSON.stringify(fields));
      assert.equal(res.json.result, null);
    }
    const created = await s.api('POST', apps, { type: 'ssh', name: 'Bad ssh', domain: 'ssh.example.com:22' });
    assert.deepEqual(created.json.errors.map((e: any) => [e.code, e.source.pointer]), [[1312, '/domain']]);
    assert.match(created.json.errors[0].message, /port/);
    assert.equal((await s.api('GET', apps)).json.result.length, 0, 'nothing was written');

    const accepted = [
      { type: 'self_hosted', domain: 'https://Wiki.example.com/docs/*', self_hosted_domains: ['*.example.com', '*test.example.com/foo*/bar', 'example.com/*'] },
      { type: 'self_hosted', domain: 'wiki.example.com', destinations: [{ type: 'public', uri: 'app-*.example.com/a*/b*' }, { type: 'private', hostname: 'db.internal' }] },
      { type: 'bookmark', domain: 'https://handbook.example.org:8443/start?lang=en#top' },
    ];
    for (const body of accepted) {
      const res = await s.api('POST', apps, { name: 'Fine', ...body });
      assert.equal(res.status, 201, JSON.stringify(res.json.errors));
      const got = await s.api('GET', `${apps}/${res.json.result.id}`);
      for (const [key, value] of Object.entries(body)) assert.deepEqual(got.json.result[key], value, key);
    }
  });

  it('refuses infrastructure and rdp applications without the target_criteria Cloudflare requires of them, and keeps valid ones as sent', async () => {
    const account = randomAccountId();
    const apps = `/accounts/${account}/access/apps`;
    const refused: [object, [number, string][]][] = [
      [{ type: 'infrastructure', name: 'Servers' }, [[1301, '/target_criteria']]],
      [{ type: 'rdp', name: 'Desktops', domain: 'rdp.example.com' }, [[1301, '/target_criteria']]],
      [{ type: 'infrastructure', target_criteria: [] }, [[1352, '/target_criteria']]],
      [{ type: 'infrastructure', target_criteria: 'ssh' }, [[1352, '/target_criteria']]],
      [{ type: 'infrastructure', target_criteria: [{ port: 0, protocol: 'SSH' }, { port: 22 }, 7] }, [[1352, '/target_criteria/0/port'], [1352, '/target_criteria/1/protocol'], [1352, '/target_criteria/2']]],
    ];
    for (const [body, expected] of refused) {
      const res = await s.api('POST', apps, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.deepEqual(res.json.errors.map((e: any) => [e.code, e.source.pointer]), expected, JSON.stringify(body));
    }
    assert.equal((await s.api('GET', apps)).json.result.length, 0, 'nothing was written');
    const criteria = [{ port: 22, protocol: 'SSH', target_attributes: { hostname: ['db-1'] } }];
    const created = await s.cf.zeroTrust.access.applications.create({ account_id: account, type: 'infrastructure', name: 'Servers', target_criteria: criteria } as never);
    const got = (await s.cf.zeroTrust.access.applications.get((created as { id: string }).id, { account_id: account })) as unknown as { target_criteria: unknown };
    assert.deepEqual(got.target_criteria, criteria);
  });

  it("types cors_headers as Cloudflare does and refuses options_preflight_bypass together with them, keeping what is valid as sent", async () => {
    const account = randomAccountId();
    const APPS = `/accounts/${account}/access/apps`;
    const cors = { allowed_origins: ['https://app.example.com'], allowed_methods: ['GET', 'PUT'], allowed_headers: ['X-Requested-With'], allow_credentials: true, max_age: 600 };
    const created = await s.api('POST', APPS, { type: 'self_hosted', domain: 'api.example.com', name: 'API', cors_headers: cors });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.deepEqual(created.json.result.cors_headers, cors);
    const id = created.json.result.id;

    const wrong = await s.api('PUT', `${APPS}/${id}`, {
      type: 'self_hosted',
      domain: 'api.example.com',
      cors_headers: { allowed_methods: ['GET', 'FETCH'], max_age: 86401, allowed_origins: 'https://app.example.com', allowed_headers: ['X-Ok', 'Bad Header'], allow_all_origins: 'yes', expose_headers: ['X'] },
    });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.json.success, false);
    assert.deepEqual(
      wrong.json.errors.map((e: any) => [e.code, e.source.pointer]).sort(),
      [
        [1300, '/cors_headers/allow_all_origins'],
        [1300, '/cors_headers/allowed_origins'],
        [1302, '/cors_headers/expose_headers'],
        [1303, '/cors_headers/allowed_methods/1'],
        [1351, '/cors_headers/max_age'],
        [1352, '/cors_headers/allowed_headers/1'],
      ],
    );
    assert.match(wrong.json.errors.find((e: any) => e.code === 1303).message, /Expected one of GET, POST, HEAD, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH, got "FETCH"/);
    const fraction = await s.api('PUT', `${APPS}/${id}`, { type: 'self_hosted', domain: 'api.example.com', cors_headers: { max_age: 1.5 } });
    assert.deepEqual(fraction.json.errors.map((e: any) => [e.code, e.source.pointer]), [[1300, '/cors_headers/max_age']]);
    const low = await s.api('PUT', `${APPS}/${id}`, { type: 'self_hosted', domain: 'api.example.com', cors_headers: { max_age: -2 } });
    assert.deepEqual(low.json.errors.map((e: any) => [e.code, e.source.pointer]), [[1317, '/cors_headers/max_age']]);

    const both = await s.api('PUT', `${APPS}/${id}`, { type: 'self_hosted', domain: 'api.example.com', options_preflight_bypass: true, cors_headers: cors });
    assert.equal(both.status, 400);
    assert.deepEqual(both.json.errors.map((e: any) => [e.code, e.source.pointer]), [[1362, '/options_preflight_bypass']]);
    assert.match(both.json.errors[0].message, /options_preflight_bypass cannot be turned on while cors_headers is set/);
    const onCreate = await s.api('POST', APPS, { type: 'self_hosted', domain: 'other.example.com', options_preflight_bypass: true, cors_headers: { allow_all_origins: true } });
    assert.deepEqual(onCreate.json.errors.map((e: any) => e.code), [1362]);
    assert.deepEqual((await s.api('GET', `${APPS}/${id}`)).json.result.cors_headers, cors, 'nothing refused was stored');

    // The bypass alone, or with an empty cors_headers (which sets nothing), or turned off beside them, is accepted.
    const bypass = await s.api('PUT', `${APPS}/${id}`, { type: 'self_hosted', domain: 'api.example.com', options_preflight_bypass: true, cors_headers: {} });
    assert.equal(bypass.status, 200, JSON.stringify(bypass.json));
    assert.equal(bypass.json.result.options_preflight_bypass, true);
    const off = await s.api('PUT', `${APPS}/${id}`, { type: 'self_hosted', domain: 'api.example.com', options_preflight_bypass: false, cors_headers: { allow_all_origins: true, allow_all_methods: true, allow_all_headers: true, max_age: -1 } });
    assert.equal(off.status, 200, JSON.stringify(off.json));
  });

  it('refuses auto_redirect_to_identity with more than one allowed identity provider, which Cloudflare says needs exactly one', async () => {
    const account = randomAccountId();
    const APPS = `/accounts/${account}/access/apps`;
    const idp = async (name: string) => (await s.api('POST', `/accounts/${account}/access/identity_providers`, { name, type: 'onetimepin', config: {} })).json.result.id as string;
    const [a, b] = [await idp('PIN one'), await idp('PIN two')];
    const two = await s.api('POST', APPS, { type: 'self_hosted', domain: 'redirect.example.com', auto_redirect_to_identity: true, allowed_idps: [a, b] });
    assert.equal(two.status, 400);
    assert.deepEqual(two.json.errors.map((e: any) => [e.code, e.source.pointer]), [[1362, '/auto_redirect_to_identity']]);
    const one = await s.api('POST', APPS, { type: 'self_hosted', domain: 'redirect.example.com', auto_redirect_to_identity: true, allowed_idps: [a] });
    assert.equal(one.status, 201, JSON.stringify(one.json));
    const off = await s.api('PUT', `${APPS}/${one.json.result.id}`, { type: 'self_hosted', domain: 'redirect.example.com', auto_redirect_to_identity: false, allowed_idps: [a, b] });
    assert.equal(off.status, 200, 'several providers are fine without the redirect');
  });

  it('keeps read_service_tokens_from_header as sent, clears it with "" or null, and refuses names that cannot carry credentials', async () => {
    const account = randomAccountId();
    const APPS = `/accounts/${account}/access/apps`;
    const app = { type: 'self_hosted', domain: 'hook.example.com', name: 'Hook' };
    const created = await s.api('POST', APPS, { ...app, read_service_tokens_from_header: 'Authorization' });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.equal(created.json.result.read_service_tokens_from_header, 'Authorization');
    const id = created.json.result.id;
    assert.equal((await s.api('GET', `${APPS}/${id}`)).json.result.read_service_tokens_from_header, 'Authorization', 'read back as sent');
    for (const cleared of ['', null]) {
      assert.equal((await s.api('PUT', `${APPS}/${id}`, { ...app, read_service_tokens_from_header: 'X-Service-Auth' })).status, 200);
      const put = await s.api('PUT', `${APPS}/${id}`, { ...app, read_service_tokens_from_header: cleared });
      assert.equal(put.status, 200, JSON.stringify(put.json));
      const got = (await s.api('GET', `${APPS}/${id}`)).json.result;
      assert.equal(got.read_service_tokens_from_header, undefined, `${JSON.stringify(cleared)} clears it`);
    }
    for (const bad of ['Cookie', 'HOST', 'cf-access-client-id', 'CF-Access-Client-Secret', 'cf-access-token', 'Connection', 'Transfer-Encoding', 'Proxy-Authorization', 'Upgrade', 'X Auth', 'Authorization:', 'x-tök', 'a\nb']) {
      const refused = await s.api('PUT', `${APPS}/${id}`, { ...app, read_service_tokens_from_header: bad });
      assert.equal(refused.status, 400, bad);
      assert.equal(refused.json.success, false);
      assert.equal(refused.json.errors[0].source.pointer, '/read_service_tokens_from_header', bad);
      assert.ok(refused.json.errors[0].message.includes(JSON.stringify(bad)), refused.json.errors[0].message);
    }
    assert.equal((await s.api('POST', APPS, { ...app, domain: 'other.example.com', read_service_tokens_from_header: 'cookie' })).status, 400, 'refused on create too');
    assert.equal((await s.api('PUT', `${APPS}/${id}`, { ...app, read_service_tokens_from_header: 42 })).status, 400, 'a header name is a string');
  });

  it('creates application-scoped policies inline and through the app policies endpoints', async () => {
    const account = randomAccountId();
    const linked = await reusable(account, 'Linked');
    const inline = { name: 'Inline', decision: 'allow', include: [{ email: { email: 'ada@example.com' } }] };
    // Cloudflare: "Reusable and inline policies are mutually exclusive" in one request.
    const mixed = await s.api('POST', `/accounts/${account}/access/apps`, { type: 'self_hosted', domain: 'git.example.com', name: 'Git', policies: [linked.id, inline] });
    assert.equal(mixed.status, 400);
    assert.equal(mixed.json.errors[0].code, 1360);
    assert.match(mixed.json.errors[0].message, /reusable policies \(entry 0\) and inline policies \(entry 1\)/);
    assert.equal((await s.api('GET', `/accounts/${account}/access/apps`)).json.result.length, 0, 'nothing was written');
    // An application holding both (made in two steps, or stored before) keeps working.
    const created = await s.api('POST', `/accounts/${account}/access/apps`, { type: 'self_hosted', domain: 'git.example.com', name: 'Git', policies: [linked.id] });
    const appId = created.json.result.id;
    const scoped = await s.api('POST', `/accounts/${account}/access/apps/${appId}/policies`, inline);
    assert.equal(scoped.status, 201);
    const create = await s.api('GET', `/accounts/${account}/access/apps/${appId}`);
    assert.deepEqual(create.json.result.policies.map((p: any) => [p.name, p.precedence, p.reusable]), [['Linked', 1, true], ['Inline', 2, false]]);

    const sdkPolicies = s.cf.zeroTrust.access.applications.policies;
    const third = await sdkPolicies.create(appId, { account_id: account, name: 'Third', decision: 'deny', include: [{ geo: { country_code: 'KP' } }] } as never);
    assert.equal((third as { precedence: number }).precedence, 3);
    const clash = await s.api('POST', `/accounts/${account}/access/apps/${appId}/policies`, { name: 'Clash', decision: 'allow', precedence: 1, include: [{ everyone: {} }] });
    assert.equal(clash.status, 400);
    assert.equal(clash.json.errors[0].code, 1353);
    assert.match(clash.json.errors[0].message, /"Linked"/);
    // A precedence below 1 or not whole is refused (the fuzzer found -20 stored and answered).
    for (const [precedence, code] of [[-20, 1317], [0, 1317], [2.5, 1300]] as const) {
      const bad = await s.api('POST', `/accounts/${account}/access/apps/${appId}/policies`, { name: 'Bad', decision: 'allow', precedence, include: [{ everyone: {} }] });
      assert.equal(bad.status, 400, `precedence ${precedence}`);
      assert.equal(bad.json.errors[0].code, code);
      const link = await s.api('PUT', `/accounts/${account}/access/apps/${appId}`, { ...create.json.result, policies: [{ name: 'Bad', decision: 'allow', precedence, include: [{ everyone: {} }] }] });
      assert.equal(link.status, 400, `inline precedence ${precedence}`);
      assert.ok(link.json.errors.some((e: { message: string }) => /precedence/i.test(e.message)));
    }

    const listed: string[] = [];
    for await (const p of sdkPolicies.list(appId, { account_id: account, per_page: 2 } as never)) listed.push((p as { name: string }).name);
    assert.deepEqual(listed, ['Linked', 'Inline', 'Third']);

    const thirdId = (third as { id: string }).id;
    const updated = await sdkPolicies.update(thirdId, {
      app_id: appId,
      account_id: account,
      name: 'Third (renamed)',
      decision: 'deny',
      include: [{ geo: { country_code: 'KP' } }, { geo: { country_code: 'IR' } }],
    } as never);
    assert.equal((updated as { name: string }).name, 'Third (renamed)');
    assert.equal((updated as { precedence: number }).precedence, 3, 'precedence kept when left out');
    const got = await sdkPolicies.get(thirdId, { app_id: appId, account_id: account });
    assert.equal((got as { include: unknown[] }).include.length, 2);
    await sdkPolicies.delete(thirdId, { app_id: appId, account_id: account });
    await assert.rejects(sdkPolicies.get(thirdId, { app_id: appId, account_id: account }), Cloudflare.NotFoundError);
    const otherApp = await s.api('POST', `/accounts/${account}/access/apps`, { type: 'bookmark', domain: 'b.example.com', name: 'Bookmark' });
    const inlineId = create.json.result.policies[1].id;
    const wrongApp = await s.api('PUT', `/accounts/${account}/access/apps/${otherApp.json.result.id}/policies/${inlineId}`, { name: 'x', decision: 'allow', include: [{ everyone: {} }] });
    assert.equal(wrongApp.status, 404, 'a policy of another application is not found here');
  });

  it('make_reusable turns an application-scoped policy into a reusable one at the same precedence', async () => {
    const account = randomAccountId();
    const app = await s.api('POST', `/accounts/${account}/access/apps`, {
      type: 'self_hosted',
      domain: 'ci.example.com',
      name: 'CI',
      policies: [{ name: 'Scoped', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }], precedence: 5 }],
    });
    const appId = app.json.result.id;
    const policyId = app.json.result.policies[0].id;
    const res = await s.api('PUT', `/accounts/${account}/access/apps/${appId}/policies/${policyId}/make_reusable`);
    assert.equal(res.status, 200);
    assert.equal(res.json.result[0].id, policyId);
    assert.equal(res.json.result[0].reusable, true);
    assert.equal(res.json.result[0].app_count, 1);
    const reusableNow = await s.cf.zeroTrust.access.policies.get(policyId, { account_id: account });
    assert.equal(reusableNow.name, 'Scoped');
    const after = await s.api('GET', `/accounts/${account}/access/apps/${appId}`);
    assert.deepEqual(after.json.result.policies.map((p: any) => [p.id, p.precedence, p.reusable]), [[policyId, 5, true]]);
    // The same URL still reads the (now reusable) policy, and refuses to change it with a reason, not a 404.
    const item = `/accounts/${account}/access/apps/${appId}/policies/${policyId}`;
    assert.equal((await s.api('GET', item)).json.result.reusable, true);
    const refusals = [
      await s.api('PUT', `${item}/make_reusable`),
      await s.api('PUT', item, { name: 'Scoped', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }], precedence: 5 }),
      await s.api('DELETE', item),
    ];
    for (const refused of refusals) {
      assert.equal(refused.status, 409);
      assert.equal(refused.json.errors[0].code, 1203);
      assert.match(refused.json.errors[0].message, new RegExp(`is a reusable policy .* at /accounts/${account}/access/policies/${policyId}, or unlink it .* PUT /accounts/${account}/access/apps/${appId}\\.$`));
    }
    assert.equal((await s.cf.zeroTrust.access.policies.get(policyId, { account_id: account })).name, 'Scoped', 'nothing changed');
    const sdkDelete = await s.cf.zeroTrust.access.applications.policies.delete(policyId, { app_id: appId, account_id: account }).catch((err: unknown) => err);
    assert.ok(sdkDelete instanceof Cloudflare.ConflictError, 'the SDK raises a conflict, not NotFound');
    const unknown = await s.api('DELETE', `/accounts/${account}/access/apps/${appId}/policies/${randomUUID()}`);
    assert.equal(unknown.status, 404, 'a policy the application does not use is still not found');
  });

  it('user_policy_checks decides a user against the application and explains it', async () => {
    const account = randomAccountId();
    const deny = await reusable(account, 'Block contractors', 'deny', [{ email_domain: { domain: 'contractor.io' } }]);
    const allow = await reusable(account, 'Employees with MFA', 'allow', [{ email_domain: { domain: 'example.com' } }]);
    await s.cf.zeroTrust.access.policies.update(allow.id!, {
      account_id: account,
      name: 'Employees with MFA',
      decision: 'allow',
      include: [{ email_domain: { domain: 'example.com' } }],
      require: [{ auth_method: { auth_method: 'mfa' } }],
    });
    const app = await s.api('POST', `/accounts/${account}/access/apps`, { type: 'self_hosted', domain: 'hr.example.com', name: 'HR', policies: [deny.id, allow.id] });
    await s.store.transaction(account, async (tx) => {
      await tx.insertUser({ accountId: account, id: randomUUID(), email: 'ada@example.com', name: 'Ada', identity: { email: 'ada@example.com', amr: ['pwd', 'mfa'], geo: { country: 'GB' } } });
      await tx.insertUser({ accountId: account, id: randomUUID(), email: 'bob@example.com', name: 'Bob', identity: { email: 'bob@example.com', amr: ['pwd'] } });
    });
    const path = `/accounts/${account}/access/apps/${app.json.result.id}/user_policy_checks`;
    const ada = await s.api('GET', `${path}?email=ada@example.com`);
    assert.equal(ada.status, 200);
    assert.equal(ada.json.result.app_state.status, 'Approved');
    assert.equal(ada.json.result.user_identity.email, 'ada@example.com');
    assert.deepEqual(ada.json.result.user_identity.geo, { country: 'GB' });
    assert.equal(ada.json.result.explanation.deciding.name, 'Employees with MFA');
    const bob = await s.api('GET', `${path}?email=BOB@example.com`);
    assert.equal(bob.json.result.app_state.status, 'Blocked');
    const failed = bob.json.result.explanation.policies[1].require[0];
    assert.equal(failed.outcome, 'not_matched');
    assert.equal(failed.selector, 'auth_method');
    // As the SDK calls it (no user named): the application's state for an empty identity.
    const sdkAnswer = (await s.cf.zeroTrust.access.applications.userPolicyChecks.list(app.json.result.id, { account_id: account })) as unknown as {
      app_state: { app_uid: string; status: string };
      user_identity: Record<string, unknown>;
    };
    assert.equal(sdkAnswer.app_state.app_uid, app.json.result.id);
    assert.equal(sdkAnswer.app_state.status, 'Blocked');
    assert.deepEqual(sdkAnswer.user_identity, {});
    const nobody = await s.api('GET', `${path}?email=nobody@example.com`);
    assert.equal(nobody.status, 404);
  });

  it('keeps one App Launcher per account, as Cloudflare does: a second is refused in the envelope, through the SDK and raw HTTP', async () => {
    const account = randomAccountId();
    const apps = s.cf.zeroTrust.access.applications;
    const launcher = (await apps.create({ account_id: account, type: 'app_launcher', name: 'App Launcher' } as never)) as { id: string; type: string; session_duration: string };
    assert.equal(launcher.type, 'app_launcher');
    assert.equal(((await apps.get(launcher.id, { account_id: account })) as { name: string }).name, 'App Launcher');
    const listed: { id: string; type: string }[] = [];
    for await (const app of apps.list({ account_id: account })) listed.push(app as { id: string; type: string });
    assert.deepEqual(listed.map((a) => [a.id, a.type]), [[launcher.id, 'app_launcher']]);

    await assert.rejects(apps.create({ account_id: account, type: 'app_launcher', name: 'Second launcher' } as never), (err: unknown) => {
      assert.ok(err instanceof Cloudflare.APIError, String(err));
      assert.equal(err.status, 409);
      assert.equal((err.errors[0] as { code: number }).code, 1202);
      return true;
    });
    const raw = await s.api('POST', `/accounts/${account}/access/apps`, { type: 'app_launcher', name: 'Second launcher' });
    assert.equal(raw.status, 409);
    assert.equal(raw.json.success, false);
    assert.equal(raw.json.result, null);
    assert.match(raw.json.errors[0].message, new RegExp(`already has an App Launcher application \\(${launcher.id}\\)`));
    // Nor may another application become one; the launcher itself is changed as before.
    const wiki = await s.api('POST', `/accounts/${account}/access/apps`, { type: 'self_hosted', name: 'Wiki', domain: 'wiki.example.com' });
    assert.equal((await s.api('PUT', `/accounts/${account}/access/apps/${wiki.json.result.id}`, { type: 'app_launcher', name: 'Wiki' })).status, 409);
    assert.equal((await s.api('PUT', `/accounts/${account}/access/apps/${launcher.id}`, { type: 'app_launcher', name: 'Launcher', bg_color: '#123456' })).status, 200);
    const kinds = (await s.api('GET', `/accounts/${account}/access/apps`)).json.result.map((a: { type: string }) => a.type);
    assert.deepEqual(kinds, ['app_launcher', 'self_hosted'], 'nothing was written by the refusals');
    // Another account has its own; once deleted, the account may make a new one.
    assert.equal((await s.api('POST', `/accounts/${randomAccountId()}/access/apps`, { type: 'app_launcher', name: 'App Launcher' })).status, 201);
    await apps.delete(launcher.id, { account_id: account });
    assert.equal((await s.api('POST', `/accounts/${account}/access/apps`, { type: 'app_launcher', name: 'App Launcher' })).status, 201);
  });

  it("makes an OIDC SaaS application's client_id and client_secret, shows the secret in the create's answer only, and keeps both sealed", async () => {
    const account = randomAccountId();
    const apps = s.cf.zeroTrust.access.applications;
    type Oidc = { id: string; saas_app: { auth_type: string; client_id?: string; client_secret?: string; redirect_uris?: string[] } };
    const saasApp = { auth_type: 'oidc', redirect_uris: ['https://app.example.com/callback'], grant_types: ['authorization_code'], scopes: ['openid', 'email'], client_id: 'chosen-id', client_secret: 'chosen-secret' };
    const made = (await apps.create({ account_id: account, type: 'saas', name: 'Grafana', saas_app: saasApp } as never)) as unknown as Oidc;
    const { client_id: clientId, client_secret: secret } = made.saas_app;
    assert.match(clientId ?? '', /^[0-9a-f]{64}$/, 'the server makes the client id; one sent is ignored');
    assert.match(secret ?? '', /^[0-9a-f]{64}$/, 'and the secret, shown in this answer');
    assert.deepEqual(made.saas_app.redirect_uris, ['https://app.example.com/callback']);

    const got = (await apps.get(made.id, { account_id: account })) as unknown as Oidc;
    assert.equal(got.saas_app.client_id, clientId);
    assert.equal('client_secret' in got.saas_app, false, 'GET never shows it');
    const listed: Oidc[] = [];
    for await (const app of apps.list({ account_id: account })) listed.push(app as unknown as Oidc);
    assert.deepEqual(listed.map((a) => [a.saas_app.client_id, 'client_secret' in a.saas_app]), [[clientId, false]]);

    // Sent back as read (and with a secret of the caller's), it keeps the server's credentials and shows none.
    const replaced = (await apps.update(made.id, { account_id: account, type: 'saas', name: 'Grafana', saas_app: { ...got.saas_app, client_secret: 'mine', scopes: ['openid'] } } as never)) as unknown as Oidc;
    assert.equal(replaced.saas_app.client_id, clientId);
    assert.equal('client_secret' in replaced.saas_app, false);
    const stored = (await s.store.read.getResource(account, 'app', made.id))!;
    assert.equal((stored.body.saas_app as { client_secret: string }).client_secret, secret, 'kept (sealed at rest, as saas_app.client_secret is)');
    assert.equal(stored.secretHash, createHash('sha256').update(secret!).digest('hex'), 'with its hash, as a service token keeps its own');

    // A SAML SaaS application gets none.
    const saml = await s.api('POST', `/accounts/${account}/access/apps`, { type: 'saas', name: 'Wiki SAML', saas_app: { auth_type: 'saml', sp_entity_id: 'wiki', consumer_service_url: 'https://wiki.example.com/acs', name_id_format: 'email' } });
    assert.equal(saml.status, 201, JSON.stringify(saml.json.errors));
    assert.equal('client_id' in saml.json.result.saas_app, false);
    assert.equal('client_secret' in saml.json.result.saas_app, false);
  });

  it("answers an rdp application with the self-hosted session and cookie defaults Cloudflare gives an application with a domain, through the SDK", async () => {
    const account = randomAccountId();
    const apps = s.cf.zeroTrust.access.applications;
    const made = (await apps.create({ account_id: account, type: 'rdp', name: 'Desktops', domain: 'rdp.example.com', target_criteria: [{ port: 3389, protocol: 'RDP', target_attributes: { hostname: ['desk-1'] } }] } as never)) as unknown as Record<string, unknown>;
    const got = (await apps.get(made.id as string, { account_id: account })) as unknown as Record<string, unknown>;
    const listed: Record<string, unknown>[] = [];
    for await (const app of apps.list({ account_id: account })) listed.push(app as unknown as Record<string, unknown>);
    for (const app of [made, got, listed[0]!]) {
      assert.deepEqual(
        [app.type, app.domain, app.session_duration, app.app_launcher_visible, app.auto_redirect_to_identity, app.enable_binding_cookie, app.path_cookie_attribute, app.http_only_cookie_attribute],
        ['rdp', 'rdp.example.com', '24h', true, false, false, false, true],
      );
      assert.deepEqual(app.target_criteria, [{ port: 3389, protocol: 'RDP', target_attributes: { hostname: ['desk-1'] } }]);
    }
  });
});
