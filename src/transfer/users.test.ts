// Reading an account's users with their identities: in bulk from a server with portcullis's
// extension, one identity at a time from an API without it (Cloudflare), and through the
// server's rate limit, with each wait reported. Against a real HTTP server standing in for both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccountApi } from './account-api.js';
import { accountUsers } from './users.js';
import { RemoteError } from './remote-error.js';

const ACCOUNT = '0123456789abcdef0123456789abcdef';
const USERS = Array.from({ length: 25 }, (_, i) => ({ id: `id-${i}`, email: `u${i}@example.com`, name: `U${i}`, identity: i % 2 === 0 ? { email: `u${i}@example.com`, geo: { country: 'DE' } } : null }));
const envelope = (result: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ success: true, errors: [], messages: [], result, ...extra });
const notFound = JSON.stringify({ success: false, errors: [{ code: 1404, message: 'not found' }], messages: [], result: null });

async function serve(handle: (url: URL, res: ServerResponse) => void): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(url.pathname + url.search);
    res.setHeader('content-type', 'application/json');
    handle(url, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/client/v4`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function all(source: Awaited<ReturnType<typeof accountUsers>>) {
  const out = [];
  for await (const user of source.users()) out.push(user);
  return out;
}

/** The bulk extension, 10 users a page whatever the limit asked (a server may page smaller). */
function bulk(url: URL, res: ServerResponse): void {
  if (!url.pathname.endsWith('/access/users/identities')) return void res.writeHead(404).end(notFound);
  const from = Number(url.searchParams.get('cursor') ?? '0');
  const page = USERS.slice(from, from + 10);
  const next = from + 10 < USERS.length ? String(from + 10) : null;
  res.end(envelope({ users: page, next_cursor: next, ...(from === 0 ? { total_count: USERS.length } : {}) }));
}

test('a portcullis server: users and identities in pages of the bulk read, no per-user request', async () => {
  const server = await serve(bulk);
  try {
    const source = await accountUsers(AccountApi.connect({ url: server.url, token: 't', account: ACCOUNT }));
    assert.equal(source.total, 25);
    const users = await all(source);
    assert.deepEqual(users.map((u) => u.email), USERS.map((u) => u.email));
    assert.deepEqual(users[0].identity, USERS[0].identity);
    assert.equal(users[1].identity, undefined, 'no identity yet: left out');
    assert.equal(server.requests.length, 3);
    assert.ok(server.requests.every((r) => r.includes('/access/users/identities')));
  } finally {
    await server.close();
  }
});

test('an API without the extension (Cloudflare): users a page at a time, then each identity', async () => {
  const server = await serve((url, res) => {
    const path = url.pathname.replace(`/client/v4/accounts/${ACCOUNT}/access/users`, '');
    if (path === '') {
      const page = Number(url.searchParams.get('page') ?? '1');
      const perPage = Number(url.searchParams.get('per_page') ?? '25');
      const items = USERS.slice((page - 1) * perPage, page * perPage).map(({ identity: _identity, ...user }) => user);
      return void res.end(envelope(items, { result_info: { page, per_page: perPage, count: items.length, total_count: USERS.length } }));
    }
    const match = /^\/([^/]+)\/last_seen_identity$/.exec(path);
    const user = USERS.find((u) => u.id === match?.[1]);
    if (user?.identity) return void res.end(envelope(user.identity));
    res.writeHead(404).end(notFound);
  });
  try {
    const users = await all(await accountUsers(AccountApi.connect({ url: server.url, token: 't', account: ACCOUNT })));
    assert.deepEqual(users.map((u) => [u.email, u.identity?.geo]), USERS.map((u) => [u.email, u.identity?.geo]));
    assert.equal(server.requests.filter((r) => r.endsWith('/last_seen_identity')).length, USERS.length);
  } finally {
    await server.close();
  }
});

test('a rate-limited read waits as the server asks, says so, and goes on', async () => {
  let refusals = 2;
  const server = await serve((url, res) => {
    if (refusals > 0) {
      refusals--;
      res.writeHead(429, { 'retry-after': '1' });
      return void res.end(JSON.stringify({ success: false, errors: [{ code: 10429, message: 'rate limited' }], messages: [], result: null }));
    }
    bulk(url, res);
  });
  try {
    const waits: number[] = [];
    const api = AccountApi.connect({ url: server.url, token: 't', account: ACCOUNT }, { rateLimitWaits: 5, onRateLimited: (s) => waits.push(s) });
    const users = await all(await accountUsers(api));
    assert.equal(users.length, USERS.length);
    assert.deepEqual(waits, [1, 1]);
  } finally {
    await server.close();
  }
});

test('a users cursor that comes round again stops the read with a clear error instead of paging forever', async () => {
  const server = await serve((url, res) => {
    if (!url.pathname.endsWith('/access/users/identities')) return void res.writeHead(404).end(notFound);
    res.end(envelope({ users: [USERS[0]], next_cursor: 'again', total_count: 1 }));
  });
  try {
    const source = await accountUsers(AccountApi.connect({ url: server.url, token: 't', account: ACCOUNT }));
    await assert.rejects(all(source), (err: unknown) => err instanceof RemoteError && /answered a users page cursor it had answered before/.test(err.message));
    assert.ok(server.requests.length <= 3, `stopped at once: ${server.requests.length} requests`);
  } finally {
    await server.close();
  }
});
