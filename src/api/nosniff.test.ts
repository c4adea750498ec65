// Every answer of the API and the enforcement point says X-Content-Type-Options: nosniff, so that
// no browser reads a JSON answer (or a page) as another type than it is declared, whatever text a
// stored field puts in it (docs/reliability.md "Headers").
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startTestServer, type TestServer } from '../../test/support/server.js';

describe('X-Content-Type-Options: nosniff', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ access: { devLogin: true } });
    const A = `/accounts/${s.accountId}/access`;
    const everyone = await s.api('POST', `${A}/policies`, { name: 'Anyone', decision: 'bypass', include: [{ everyone: {} }] });
    const staff = await s.api('POST', `${A}/policies`, { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
    assert.equal((await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Open', domain: 'open.test', policies: [{ id: everyone.json.result.id, precedence: 1 }] })).status, 201);
    assert.equal((await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Wiki', domain: 'wiki.test', policies: [{ id: staff.json.result.id, precedence: 1 }] })).status, 201);
  });
  after(() => s?.close());

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${s.baseUrl}${path}`, { redirect: 'manual', headers });
  const bearer = () => ({ authorization: `Bearer ${s.rootToken}` });

  it('is on the API\'s answers, errors included', async () => {
    const answers = [
      ['a listing', await get(`/client/v4/accounts/${s.accountId}/access/apps`, bearer()), 200],
      ['a 404 envelope', await get(`/client/v4/accounts/${s.accountId}/access/nothing-here`, bearer()), 404],
      ['an unknown resource', await get(`/client/v4/accounts/${s.accountId}/access/apps/00000000-0000-4000-8000-000000000000`, bearer()), 404],
      ['a 401', await get(`/client/v4/accounts/${s.accountId}/access/apps`), 401],
      ['bad JSON', await fetch(`${s.baseUrl}/client/v4/accounts/${s.accountId}/access/policies`, { method: 'POST', headers: { ...bearer(), 'content-type': 'application/json' }, body: '{"name":' }), 400],
    ] as const;
    for (const [what, res, status] of answers) {
      assert.equal(res.status, status, what);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', what);
    }
  });

  it('is on forward auth\'s answers and the enforcement point\'s pages and JSON', async () => {
    const answers = [
      ['an allow', await get('/cdn-cgi/access/authorize', { 'x-forwarded-host': 'open.test', 'x-forwarded-uri': '/' }), 200],
      ['a sign-in asked for', await get('/cdn-cgi/access/authorize', { 'x-forwarded-host': 'wiki.test', 'x-forwarded-uri': '/', 'x-forwarded-proto': 'https' }), 401],
      ['a refusal', await get('/cdn-cgi/access/authorize', { 'x-forwarded-host': 'none.test', 'x-forwarded-uri': '/' }), 403],
      ['the login page', await get(`/cdn-cgi/access/login/wiki.test?redirect_url=${encodeURIComponent('http://wiki.test/')}`), 200],
      ['the public keys', await get('/cdn-cgi/access/certs'), 200],
      ['get-identity without a session', await get('/cdn-cgi/access/get-identity', { 'x-forwarded-host': 'wiki.test' }), 401],
    ] as const;
    for (const [what, res, status] of answers) {
      assert.equal(res.status, status, what);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', what);
    }
  });

  it('is on the answer to a request the HTTP parser refuses', async () => {
    const { port } = new URL(s.baseUrl);
    const head = await new Promise<string>((resolve, reject) => {
      let text = '';
      const socket = net.connect(Number(port), '127.0.0.1', () => socket.write('GET /client/v4/user/tokens/verify HTTP/1.1\r\nHost: localhost\r\nContent-Length: x\r\n\r\n'));
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (text += chunk));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    assert.match(head, /^HTTP\/1\.1 400/);
    assert.match(head, /\r\nx-content-type-options: nosniff\r\n/i);
  });
});
