import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { compileAllowlist } from './allowlist.js';
import { guardedRequest } from './guarded-request.js';
import { OutboundRequestError } from './outbound-error.js';
import type { Resolver } from './outbound-target.js';

describe('guardedRequest', () => {
  async function withServer(handler: http.RequestListener, fn: (port: number, seen: () => number) => Promise<void>): Promise<void> {
    let count = 0;
    const server = http.createServer((req, res) => {
      count++;
      handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await fn((server.address() as AddressInfo).port, () => count);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
  const local = compileAllowlist(['127.0.0.1']);

  test('connects to the checked address even when the resolver answered for a made-up name', async () => {
    await withServer(
      (req, res) => res.end(`host=${req.headers.host}`),
      async (port) => {
        const resolver: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
        const res = await guardedRequest(`http://eval.test:${port}/`, { allowlist: local, maxResponseBytes: 1024, resolver });
        assert.equal(res.status, 200);
        assert.equal(res.body.toString(), `host=eval.test:${port}`);
      },
    );
  });

  test('returns redirects as they are, without following them', async () => {
    await withServer(
      (req, res) => {
        if (req.url === '/start') res.writeHead(302, { location: '/target' }).end();
        else res.end('followed');
      },
      async (port, seen) => {
        const res = await guardedRequest(`http://127.0.0.1:${port}/start`, { allowlist: local, maxResponseBytes: 1024 });
        assert.equal(res.status, 302);
        assert.equal(res.headers.location, '/target');
        assert.equal(seen(), 1);
      },
    );
  });

  test('refuses bodies over the limit, declared or streamed', async () => {
    await withServer(
      (req, res) => {
        if (req.url === '/declared') res.writeHead(200, { 'content-length': '5000' }).end('x'.repeat(5000));
        else {
          res.writeHead(200); // chunked, no content-length
          res.write('y'.repeat(600));
          res.end('y'.repeat(600));
        }
      },
      async (port) => {
        for (const path of ['/declared', '/streamed']) {
          await assert.rejects(
            guardedRequest(`http://127.0.0.1:${port}${path}`, { allowlist: local, maxResponseBytes: 1000 }),
            (e: unknown) => e instanceof OutboundRequestError && e.code === 'too_large',
            path,
          );
        }
      },
    );
  });

  test('a forbidden target is refused before any connection', async () => {
    await withServer(
      (_req, res) => res.end('reached'),
      async (port, seen) => {
        await assert.rejects(
          guardedRequest(`http://127.0.0.1:${port}/`, { allowlist: compileAllowlist([]), maxResponseBytes: 1024 }),
          (e: unknown) => e instanceof OutboundRequestError && e.code === 'forbidden_address',
        );
        assert.equal(seen(), 0);
      },
    );
  });

  test('aborting the signal rejects with its reason', async () => {
    await withServer(
      () => {
        /* never answers */
      },
      async (port) => {
        const controller = new AbortController();
        const reason = new Error('stop');
        setTimeout(() => controller.abort(reason), 50);
        await assert.rejects(guardedRequest(`http://127.0.0.1:${port}/`, { allowlist: local, maxResponseBytes: 1024, signal: controller.signal }), (e: unknown) => e === reason);
      },
    );
  });
});
