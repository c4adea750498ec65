// The enforcement point's page headers (page-headers.ts): the built-in pages' policy, and a page
// that sets a Content-Security-Policy of its own (an administrator's custom page) keeps it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import { pageHeaders } from './page-headers.js';
import { PAGE_CONTENT_SECURITY_POLICY } from './pages.js';

describe('the enforcement point\'s page headers', () => {
  let app: FastifyInstance;
  let base = '';
  const OWN = "default-src 'self'; frame-ancestors 'none'";
  before(async () => {
    app = Fastify();
    app.addHook('onSend', pageHeaders);
    app.get('/built-in', (_request, reply) => reply.type('text/html').send('<p>page</p>'));
    app.get('/custom', (_request, reply) => reply.type('text/html').header('content-security-policy', OWN).send('<p>custom</p>'));
    app.get('/json', (_request, reply) => reply.send({ ok: true }));
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(() => app?.close());

  it("gives a built-in page the strict policy, and a page with its own policy keeps it", async () => {
    const builtIn = await fetch(`${base}/built-in`);
    assert.equal(builtIn.headers.get('content-security-policy'), PAGE_CONTENT_SECURITY_POLICY);
    assert.equal(builtIn.headers.get('x-frame-options'), 'DENY');
    assert.equal(builtIn.headers.get('cache-control'), 'no-store');
    const custom = await fetch(`${base}/custom`);
    assert.equal(custom.headers.get('content-security-policy'), OWN);
    assert.equal(custom.headers.get('x-frame-options'), 'DENY');
    const json = await fetch(`${base}/json`);
    assert.equal(json.headers.get('content-security-policy'), null, 'JSON is no page');
    assert.equal(json.headers.get('cache-control'), 'no-store');
  });
});
