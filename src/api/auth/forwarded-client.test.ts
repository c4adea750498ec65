// The API behind a reverse proxy: the client address its X-Forwarded-For names decides an API
// token's IP condition, keys the failed-credentials limit and goes into the audit log, when the
// peer is one of PORTCULLIS_TRUSTED_PROXIES (loopback by default); from any other peer the header
// is ignored. A malformed address from a trusted proxy is refused, never read as the proxy's own.
// SCIM pushes, which come through the same proxies, are read the same way.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomAccountId, startTestServer, type TestServer } from '../../../test/support/server.js';

const OFFICE = { request_ip: { in: ['192.0.2.0/24'] } };
const LOOPBACK_ONLY = { request_ip: { in: ['127.0.0.0/8'] } };

async function conditionedToken(s: TestServer, account: string, condition: object): Promise<string> {
  const created = await s.api('POST', '/user/tokens', {
    name: 'conditioned',
    policies: [{ effect: 'allow', permission_groups: [{ id: 'Access: Apps and Policies Write' }], resources: { [`com.cloudflare.api.account.${account}`]: '*' } }],
    condition,
  });
  assert.equal(created.status, 200, JSON.stringify(created.json));
  return created.json.result.value;
}

const listAs = (s: TestServer, account: string, token: string, headers: Record<string, string> = {}) =>
  s.api('GET', `/accounts/${account}/access/policies`, undefined, { authorization: `Bearer ${token}`, ...headers });

describe('the API behind a trusted proxy (loopback, the default)', () => {
  let s: TestServer;
  const account = randomAccountId();
  let office = '';
  before(async () => {
    s = await startTestServer({ settings: { failedAuthPerMinute: 2 } });
    office = await conditionedToken(s, account, OFFICE);
  });
  after(() => s?.close());

  it("decides a token's IP condition on the address the proxy forwarded", async () => {
    assert.equal((await listAs(s, account, office, { 'x-forwarded-for': '192.0.2.7' })).status, 200, 'a client in the office range');
    const outside = await listAs(s, account, office, { 'x-forwarded-for': '198.51.100.7' });
    assert.equal(outside.status, 403, 'a client outside it');
    assert.equal(outside.json.errors[0].code, 1103);
    assert.equal((await listAs(s, account, office)).status, 403, 'no header: the peer (loopback) is the client');
    assert.equal((await listAs(s, account, office, { 'x-forwarded-for': '192.0.2.7, 198.51.100.7' })).status, 403, 'the entry the proxy added counts, not one the client put first');
    assert.equal((await listAs(s, account, office, { 'x-real-ip': '192.0.2.7' })).status, 200, 'X-Real-IP when there is no X-Forwarded-For');
    assert.equal((await listAs(s, account, office, { 'x-forwarded-for': '192.0.2.7:51234' })).status, 200, 'an address with its port, as some balancers write it');
  });

  it('refuses a malformed forwarded address (400) rather than take the proxy for the client', async () => {
    const loopback = await conditionedToken(s, account, LOOPBACK_ONLY);
    const malformed: Record<string, string>[] = [{ 'x-forwarded-for': 'not-an-ip' }, { 'x-forwarded-for': '192.0.2.7, ' }, { 'x-real-ip': 'localhost' }];
    for (const header of malformed) {
      const refused = await listAs(s, account, loopback, header);
      assert.equal(refused.status, 400, JSON.stringify(header));
      assert.equal(refused.json.success, false);
      assert.match(refused.json.errors[0].message, /X-Forwarded-For|X-Real-IP/);
    }
  });

  it('counts bad credentials per forwarded address, not per proxy', async () => {
    const path = `/accounts/${account}/access/policies`;
    const bad = (from: string) => s.api('GET', path, undefined, { authorization: 'Bearer wrong', 'x-forwarded-for': from });
    assert.deepEqual([(await bad('198.51.100.66')).status, (await bad('198.51.100.66')).status, (await bad('198.51.100.66')).status], [401, 401, 429]);
    assert.equal((await bad('203.0.113.9')).status, 401, 'another client behind the same proxy is not limited');
  });

  it('counts bad credentials per /64 for IPv6 clients, who hold a whole /64 each', async () => {
    const path = `/accounts/${account}/access/policies`;
    const bad = (from: string) => s.api('GET', path, undefined, { authorization: 'Bearer wrong', 'x-forwarded-for': from });
    const statuses = [(await bad('2001:db8:7:1::1')).status, (await bad('2001:db8:7:1::2')).status, (await bad('2001:db8:7:1:ffff:1:2:3')).status];
    assert.deepEqual(statuses, [401, 401, 429], 'three addresses of one /64 share a limit');
    assert.equal((await bad('2001:db8:7:2::1')).status, 401, 'the next /64 is another client');
    assert.equal((await bad('::ffff:198.51.100.77')).status, 401, 'an IPv4-mapped address counts as its IPv4 address');
    assert.equal((await bad('198.51.100.77')).status, 401);
    assert.equal((await bad('198.51.100.77')).status, 429, 'the IPv4 address and its mapped form share a limit');
  });

  it('records the forwarded address in the audit log', async () => {
    const created = await s.api('POST', `/accounts/${account}/access/policies`, { name: 'Audited', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] }, { authorization: `Bearer ${office}`, 'x-forwarded-for': '192.0.2.44' });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const log = await s.api('GET', `/accounts/${account}/audit_logs?resource.id=${created.json.result.id}`);
    assert.deepEqual(log.json.result.map((e: { actor: { ip: string } }) => e.actor.ip), ['192.0.2.44']);
  });
});

describe('the API reached by a peer that is not a trusted proxy', () => {
  let s: TestServer;
  const account = randomAccountId();
  before(async () => {
    s = await startTestServer({ trustedProxies: ['192.0.2.1/32'] });
  });
  after(() => s?.close());

  it('ignores its X-Forwarded-For and X-Real-IP, malformed or not', async () => {
    const office = await conditionedToken(s, account, OFFICE);
    const loopback = await conditionedToken(s, account, LOOPBACK_ONLY);
    assert.equal((await listAs(s, account, office, { 'x-forwarded-for': '192.0.2.7' })).status, 403, 'a claimed office address is not believed');
    assert.equal((await listAs(s, account, office, { 'x-real-ip': '192.0.2.7' })).status, 403);
    assert.equal((await listAs(s, account, loopback, { 'x-forwarded-for': '198.51.100.7' })).status, 200, 'the peer is the client');
    assert.equal((await listAs(s, account, loopback, { 'x-forwarded-for': 'not-an-ip' })).status, 200, 'a header no one believes cannot be malformed');
    const created = await s.api('POST', `/accounts/${account}/access/policies`, { name: 'Audited', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] }, { 'x-forwarded-for': '192.0.2.44' });
    const log = await s.api('GET', `/accounts/${account}/audit_logs?resource.id=${created.json.result.id}`);
    assert.deepEqual(log.json.result.map((e: { actor: { ip: string } }) => e.actor.ip), ['127.0.0.1']);
  });
});

describe('SCIM behind a trusted proxy', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s?.close());

  it('records the forwarded address as the provider\'s in the audit log, and refuses a malformed one as a SCIM error', async () => {
    const account = randomAccountId();
    const idp = await s.api('POST', `/accounts/${account}/access/identity_providers`, { name: 'Okta', type: 'okta', config: { client_id: 'c', client_secret: 'cs' }, scim_config: { enabled: true } });
    assert.equal(idp.status, 201, JSON.stringify(idp.json));
    const { scim_base_url: base, secret } = idp.json.result.scim_config;
    const push = (forwardedFor: string) =>
      fetch(`${base}/Users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/scim+json', 'x-forwarded-for': forwardedFor },
        body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'ada@example.com', emails: [{ value: 'ada@example.com', primary: true }], active: true }),
      });
    const refused = await push('not-an-ip');
    assert.equal(refused.status, 400);
    assert.match(refused.headers.get('content-type') ?? '', /^application\/scim\+json/);
    assert.match(((await refused.json()) as { detail: string }).detail, /X-Forwarded-For/);
    assert.equal((await push('203.0.113.80')).status, 201);
    const log = await s.api('GET', `/accounts/${account}/audit_logs?per_page=1000`);
    const scim = log.json.result.filter((e: { interface: string }) => e.interface === 'SCIM');
    assert.ok(scim.length > 0);
    assert.deepEqual([...new Set(scim.map((e: { actor: { ip: string } }) => e.actor.ip))], ['203.0.113.80']);
  });
});
