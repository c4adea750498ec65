// The CLI's API client: it sends the token it was given and nothing the environment holds for
// other Cloudflare tools (a global API key set for wrangler or terraform must never reach the
// server --url names); it sends a create once; it waits through a 429; it follows no redirect.
// Against real HTTP servers that record what they receive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccountApi } from './account-api.js';
import { readInventory } from './plan.js';
import { RemoteError } from './remote-error.js';

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

/** A server answering each request with `answer(method, count so far)`; records the requests. */
async function scripted(answer: (method: string, nth: number) => { status: number; headers?: Record<string, string>; body?: string }): Promise<{ url: string; seen: string[]; close: () => Promise<void> }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.method!);
    const { status, headers, body } = answer(req.method!, seen.length);
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body ?? JSON.stringify({ success: status < 300, errors: status < 300 ? [] : [{ code: 10000, message: `answered ${status}` }], messages: [], result: status < 300 ? { id: 'made', name: 'Office' } : null }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/client/v4`, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

test('a create is sent once, even when its answer fails: sent again it could make a second object', async () => {
  const server = await scripted(() => ({ status: 502 }));
  try {
    const api = AccountApi.connect({ url: server.url, token: 't', account: ACCOUNT });
    await assert.rejects(api.create('list', { name: 'Office', type: 'IP', items: [] }));
    assert.deepEqual(server.seen, ['POST']);
  } finally {
    await server.close();
  }
});

test('a rate-limited create waits as asked, says so, and is then made once', async () => {
  const server = await scripted((_, nth) => (nth === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }));
  try {
    const waits: number[] = [];
    const api = AccountApi.connect({ url: server.url, token: 't', account: ACCOUNT }, { onRateLimited: (s) => waits.push(s) });
    assert.equal(((await api.create('list', { name: 'Office', type: 'IP', items: [] })) as { id: string }).id, 'made');
    assert.deepEqual(server.seen, ['POST', 'POST']);
    assert.deepEqual(waits, [1]);
  } finally {
    await server.close();
  }
});

test('waiting through 429s longer than one request may take still ends in the answer', async () => {
  const server = await scripted((_, nth) => (nth <= 3 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200, body: EMPTY_LIST }));
  try {
    // Three one-second waits, past the 1.5 s a request may take: each request sent again gets its own time.
    const api = AccountApi.connect({ url: server.url, token: 't', account: ACCOUNT }, { timeoutMs: 1500, maxRetries: 0 });
    assert.deepEqual(await api.applications(), []);
    assert.equal(server.seen.length, 4);
  } finally {
    await server.close();
  }
});

test('a redirect is not followed: the other host gets nothing, the call fails', async () => {
  const elsewhere = await recording();
  const redirecting = await scripted(() => ({ status: 307, headers: { location: `${elsewhere.url}/accounts/${ACCOUNT}/access/apps` } }));
  try {
    const api = AccountApi.connect({ url: redirecting.url, token: 't', account: ACCOUNT }, { maxRetries: 0 });
    await assert.rejects(api.applications());
    assert.deepEqual(elsewhere.seen, []);
  } finally {
    await redirecting.close();
    await elsewhere.close();
  }
});

test('a 429 that outlasts the waits is reported as rate limiting, with how to retry', async () => {
  const server = await scripted(() => ({ status: 429, headers: { 'retry-after': '1' } }));
  try {
    const api = AccountApi.connect({ url: server.url, token: 't', account: ACCOUNT }, { rateLimitWaits: 1, maxRetries: 0 });
    const err = await readInventory(api).then(
      () => assert.fail('the listing cannot succeed'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof RemoteError, String(err));
    assert.match(err.lines[0], /kept answering 429 \(rate limited: too many requests for this token\) while listing the .+, and portcullis gave up after waiting as it asked several times \(it last asked for 1 s more\)\.$/);
    assert.equal(err.lines[1], 'Wait a few minutes for the rate limit to reset, or use a token with a higher limit, and run the same command again.');
    assert.ok(server.seen.length >= 2, 'it waited once before giving up');
  } finally {
    await server.close();
  }
});
