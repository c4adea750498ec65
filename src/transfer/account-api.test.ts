// The CLI's API client sends the token it was given and nothing the environment holds for other
// Cloudflare tools: a global API key set for wrangler or terraform must never reach the server
// --url names. Against a real HTTP server that records each request's headers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccountApi } from './account-api.js';

const ACCOUNT = '0123456789abcdef0123456789abcdef';
const EMPTY_LIST = JSON.stringify({ success: true, errors: [], messages: [], result: [], result_info: { page: 1, per_page: 50, count: 0, total_count: 0 } });

async function recording(): Promise<{ url: string; seen: IncomingHttpHeaders[]; close: () => Promise<void> }> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    res.setHeader('content-type', 'application/json');
    res.end(EMPTY_LIST);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/client/v4`, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const ENVIRONMENT = {
  CLOUDFLARE_API_KEY: 'global-key-of-another-tool',
  CLOUDFLARE_EMAIL: 'admin@corp.example',
  CLOUDFLARE_API_USER_SERVICE_KEY: 'v1.0-service-key',
  CLOUDFLARE_CUSTOM_HEADERS: 'X-Corp-Secret: do-not-send\nX-Other: also-not',
};

test("the environment's Cloudflare credentials and custom headers are not sent, only the token given", async () => {
  const saved = Object.fromEntries(Object.keys(ENVIRONMENT).map((name) => [name, process.env[name]]));
  Object.assign(process.env, ENVIRONMENT);
  const server = await recording();
  try {
    const api = AccountApi.connect({ url: server.url, token: 'the-token-given', account: ACCOUNT });
    assert.deepEqual(await api.applications(), []);
    assert.equal(server.seen.length, 1);
    const headers = server.seen[0];
    assert.equal(headers.authorization, 'Bearer the-token-given');
    for (const name of ['x-auth-key', 'x-auth-email', 'x-auth-user-service-key', 'x-corp-secret', 'x-other']) {
      assert.equal(headers[name], undefined, `${name} must not be sent`);
    }
  } finally {
    await server.close();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
});
