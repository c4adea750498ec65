// A service token's secret rotated (because it leaked) ends what the old secret opened: the
// application token forward auth made from it (which the client holds: the answer of
// /cdn-cgi/access/authorize on the application's host, which the proxy passes to portcullis, and
// what Cloudflare hands service-token clients as their CF_Authorization cookie) no longer opens
// the application, as the old secret does not. The new secret, and a token made from it, do.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../test/support/server.js';

describe('a rotated service token secret ends the sessions made with the old one', () => {
  let s: TestServer;
  let tokenId = '';
  let clientId = '';
  let oldSecret = '';
  const A = () => `/accounts/${s.accountId}/access`;

  /** Forward auth about wiki.test, as a trusted proxy asks. */
  const authorize = (headers: Record<string, string>) => fetch(`${s.baseUrl}/cdn-cgi/access/authorize`, { headers: { 'x-forwarded-host': 'wiki.test', 'x-forwarded-uri': '/api', 'x-forwarded-proto': 'https', ...headers } });

  before(async () => {
    s = await startTestServer({ access: {} });
    const robots = await s.api('POST', `${A()}/policies`, { name: 'Robots', decision: 'non_identity', include: [{ any_valid_service_token: {} }] });
    assert.equal((await s.api('POST', `${A()}/apps`, { type: 'self_hosted', name: 'Wiki', domain: 'wiki.test', policies: [{ id: robots.json.result.id, precedence: 1 }] })).status, 201);
    const token = await s.api('POST', `${A()}/service_tokens`, { name: 'CI' });
    tokenId = token.json.result.id;
    clientId = token.json.result.client_id;
    oldSecret = token.json.result.client_secret;
  });
  after(() => s?.close());

  it('the application token made with the old secret opens nothing once the secret is rotated; the new secret and its token do', async () => {
    const first = await authorize({ 'cf-access-client-id': clientId, 'cf-access-client-secret': oldSecret });
    assert.equal(first.status, 200);
    const oldSession = first.headers.get('cf-access-jwt-assertion')!;
    assert.equal(oldSession.split('.').length, 3);
    assert.equal((await authorize({ 'cf-access-token': oldSession })).status, 200, 'a baseline: the token opens the application');

    const rotated = await s.api('POST', `${A()}/service_tokens/${tokenId}/rotate`);
    assert.equal(rotated.status, 200, JSON.stringify(rotated.json));
    const newSecret = rotated.json.result.client_secret as string;

    assert.notEqual((await authorize({ 'cf-access-client-id': clientId, 'cf-access-client-secret': oldSecret })).status, 200, 'the old secret');
    assert.notEqual((await authorize({ 'cf-access-token': oldSession })).status, 200, "the old secret's token as a header");
    assert.notEqual((await authorize({ cookie: `CF_Authorization=${oldSession}` })).status, 200, "the old secret's token as the cookie");

    const renewed = await authorize({ 'cf-access-client-id': clientId, 'cf-access-client-secret': newSecret });
    assert.equal(renewed.status, 200);
    assert.equal((await authorize({ 'cf-access-token': renewed.headers.get('cf-access-jwt-assertion')! })).status, 200, "the new secret's token");
  });
});
