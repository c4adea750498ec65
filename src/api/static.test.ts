// The dashboard's files as the API server serves them: content types, caching of hashed
// assets, client-side routes for browsers only, the API's JSON 404s untouched, nothing outside
// the build reachable, and a clear page when the dashboard has not been built.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, type TempDir } from '../../test/support/databases.js';
import { rawClient } from '../../test/support/raw-http.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';

const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

describe('serving the dashboard', () => {
  let web: TempDir;
  let s: TestServer;
  before(async () => {
    web = tempDir('portcullis-web-');
    mkdirSync(join(web.path, 'assets'));
    writeFileSync(join(web.path, 'index.html'), '<!doctype html><title>portcullis</title>');
    writeFileSync(join(web.path, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(web.path, 'assets', 'index-abc123.css'), 'body{}');
    writeFileSync(join(web.path, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    s = await startTestServer({ webRoot: web.path });
  });
  after(async () => {
    await s.close();
    web.remove();
  });

  it('answers / with index.html, revalidated on every visit', async () => {
    const res = await fetch(`${s.baseUrl}/`, { headers: HTML });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'.*frame-ancestors 'none'/, 'nothing from elsewhere, never framed');
    assert.match(await res.text(), /<title>portcullis<\/title>/);
    const head = await fetch(`${s.baseUrl}/`, { method: 'HEAD' });
    assert.equal(head.status, 200);
  });

  it('serves hashed assets with their content type, cached for good', async () => {
    const js = await fetch(`${s.baseUrl}/assets/index-abc123.js`);
    assert.equal(js.status, 200);
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(await js.text(), 'console.log(1)');
    const css = await fetch(`${s.baseUrl}/assets/index-abc123.css`);
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    const svg = await fetch(`${s.baseUrl}/favicon.svg`);
    assert.equal(svg.status, 200);
    assert.equal(svg.headers.get('content-type'), 'image/svg+xml');
  });

  it('revalidates with ETag and Last-Modified (304) and serves byte ranges', async () => {
    const first = await fetch(`${s.baseUrl}/assets/index-abc123.js`);
    const etag = first.headers.get('etag');
    assert.ok(etag !== null && first.headers.get('last-modified') !== null);
    // node:http, since fetch adds `cache-control: no-cache` to conditional requests (as a browser's reload does).
    const client = rawClient(s.baseUrl);
    try {
      const again = await client.send({ method: 'GET', path: '/assets/index-abc123.js', headers: { 'if-none-match': etag }, body: undefined });
      assert.equal(again.status, 304);
      const index = await fetch(`${s.baseUrl}/`, { headers: HTML });
      const revisit = await client.send({ method: 'GET', path: '/policies', headers: { ...HTML, 'if-none-match': index.headers.get('etag')! }, body: undefined });
      assert.equal(revisit.status, 304, 'a client-side route is index.html, revalidated like it');
    } finally {
      client.close();
    }
    const range = await fetch(`${s.baseUrl}/assets/index-abc123.js`, { headers: { range: 'bytes=0-6' } });
    assert.equal(range.status, 206);
    assert.equal(range.headers.get('content-range'), 'bytes 0-6/14');
    assert.equal(await range.text(), 'console');
  });

  it('answers a missing asset with the JSON 404, not the page', async () => {
    const res = await fetch(`${s.baseUrl}/assets/gone-123.js`, { headers: HTML });
    assert.equal(res.status, 404);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(((await res.json()) as { errors: { code: number }[] }).errors[0].code, 7003);
  });

  it("answers a browser's navigation to a client-side route with index.html, and API clients with JSON", async () => {
    const page = await fetch(`${s.baseUrl}/policies/0b5e2f0e-1111-2222-3333-444455556666`, { headers: HTML });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>portcullis<\/title>/);
    const api = await fetch(`${s.baseUrl}/policies/123`);
    assert.equal(api.status, 404);
    assert.match(api.headers.get('content-type') ?? '', /^application\/json/);
    const unknownApi = await fetch(`${s.baseUrl}/client/v4/accounts/${s.accountId}/access/nothing`, { headers: { ...HTML, authorization: `Bearer ${s.rootToken}` } });
    assert.equal(unknownApi.status, 404);
    assert.equal(((await unknownApi.json()) as { errors: { code: number }[] }).errors[0].code, 7003);
    const post = await fetch(`${s.baseUrl}/policies`, { method: 'POST', headers: HTML });
    assert.equal(post.status, 404);
    assert.match(post.headers.get('content-type') ?? '', /^application\/json/);
  });

  it('keeps /healthz and the API as they were', async () => {
    const health = await fetch(`${s.baseUrl}/healthz`, { headers: HTML });
    assert.equal(health.status, 200);
    assert.match(health.headers.get('content-type') ?? '', /^application\/json/);
    const policies = await s.api('GET', `/accounts/${s.accountId}/access/policies`);
    assert.equal(policies.status, 200);
  });

  it('serves nothing outside the build', async () => {
    const paths = ['/assets/..%2f..%2fpackage.json', '/%2e%2e/package.json', '/assets/%2e%2e/%2e%2e/package.json', '/..%2fpackage.json', '/assets/%00.js', '/assets/'];
    for (const path of paths) {
      const res = await fetch(`${s.baseUrl}${path}`);
      assert.equal(res.status, 404, path);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/, path);
      assert.doesNotMatch(await res.text(), /"name": "portcullis"/, path);
    }
  });

  it('answers a missing top-level file with index.html for a browser and the JSON 404 otherwise', async () => {
    const page = await fetch(`${s.baseUrl}/missing.png`, { headers: HTML });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>portcullis<\/title>/);
    const api = await fetch(`${s.baseUrl}/missing.png`);
    assert.equal(api.status, 404);
    assert.match(api.headers.get('content-type') ?? '', /^application\/json/);
    const index = await fetch(`${s.baseUrl}/index.html`);
    assert.equal(index.status, 404, 'index.html only under /');
  });
});

describe('a server without a dashboard build', () => {
  it('starts, and answers / with how to build it', async () => {
    const missing = tempDir('portcullis-noweb-');
    const s = await startTestServer({ webRoot: join(missing.path, 'web') });
    try {
      const res = await fetch(`${s.baseUrl}/`, { headers: HTML });
      assert.equal(res.status, 404);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(await res.text(), /npm run build/);
      const route = await fetch(`${s.baseUrl}/tester`, { headers: HTML });
      assert.match(await route.text(), /npm run build/);
      assert.equal((await fetch(`${s.baseUrl}/healthz`)).status, 200);
    } finally {
      await s.close();
      missing.remove();
    }
  });
});
