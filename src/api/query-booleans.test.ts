// Boolean query parameters as clients other than the npm SDK spell them. Python's requests
// writes True/False (so Debian's python3-cloudflare sends `exact=True` for `params={'exact': True}`),
// and Cloudflare's API, written in Go, reads such parameters with strconv.ParseBool, which takes
// 1, t, T, TRUE, true, True and their false twins. Anything else stays a 400.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../test/support/server.js';

describe('boolean query parameters', () => {
  let s: TestServer;
  let apps: string;
  let idps: string;
  before(async () => {
    s = await startTestServer();
    apps = `/accounts/${s.accountId}/access/apps`;
    idps = `/accounts/${s.accountId}/access/identity_providers`;
    for (const domain of ['wiki.example.com', 'wiki.example.com.internal']) {
      const created = await s.api('POST', apps, { name: domain, type: 'self_hosted', domain });
      assert.equal(created.status, 201, JSON.stringify(created.json.errors));
    }
    const scim = await s.api('POST', idps, { name: 'SCIM on', type: 'onetimepin', config: {}, scim_config: { enabled: true } });
    assert.equal(scim.status, 201, JSON.stringify(scim.json.errors));
    const plain = await s.api('POST', idps, { name: 'Plain', type: 'onetimepin', config: {} });
    assert.equal(plain.status, 201, JSON.stringify(plain.json.errors));
  });
  after(() => s.close());

  const domains = async (exact: string) => {
    const res = await s.api('GET', `${apps}?domain=wiki.example.com&exact=${exact}`);
    assert.equal(res.status, 200, `exact=${exact}: ${JSON.stringify(res.json.errors)}`);
    return res.json.result.map((a: { domain: string }) => a.domain).sort();
  };

  it('reads every spelling Go strconv.ParseBool takes, Python\'s True and False among them', async () => {
    for (const yes of ['true', 'True', 'TRUE', 't', 'T', '1']) assert.deepEqual(await domains(yes), ['wiki.example.com'], `exact=${yes}`);
    for (const no of ['false', 'False', 'FALSE', 'f', 'F', '0']) {
      assert.deepEqual(await domains(no), ['wiki.example.com', 'wiki.example.com.internal'], `exact=${no}`);
    }
    const scimOn = await s.api('GET', `${idps}?scim_enabled=True`);
    assert.deepEqual([scimOn.status, scimOn.json.result.map((i: { name: string }) => i.name)], [200, ['SCIM on']]);
    const scimOff = await s.api('GET', `${idps}?scim_enabled=False`);
    assert.deepEqual([scimOff.status, scimOff.json.result.map((i: { name: string }) => i.name)], [200, ['Plain']]);
  });

  it('still refuses other words, with the parameter named', async () => {
    for (const bad of ['yes', 'no', 'tRuE', 'on', '2', '', 'true ']) {
      const res = await s.api('GET', `${apps}?exact=${encodeURIComponent(bad)}`);
      assert.equal(res.status, 400, `exact=${JSON.stringify(bad)}`);
      assert.equal(res.json.success, false);
      assert.match(res.json.errors[0].message, /exact/);
    }
  });
});
