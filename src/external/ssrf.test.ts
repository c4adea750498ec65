import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  checkUrl,
  classifyAddress,
  compileAllowlist,
  guardedRequest,
  isAddressPermitted,
  isAllowed,
  OutboundRequestError,
  resolveTarget,
  type AddressClass,
  type Resolver,
} from './ssrf.js';

describe('classifyAddress', () => {
  const table: [string, AddressClass][] = [
    // IPv4
    ['8.8.8.8', 'public'],
    ['1.1.1.1', 'public'],
    ['104.16.0.1', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.15.255.255', 'public'],
    ['172.32.0.0', 'public'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link_local'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['100.63.255.255', 'public'],
    ['100.128.0.0', 'public'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['203.0.113.9', 'reserved'],
    // IPv6
    ['2606:4700:4700::1111', 'public'],
    ['2001:4860:4860::8888', 'public'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'private'],
    ['fd12:3456:789a::1', 'private'],
    ['fe80::1', 'link_local'],
    ['fe80::1%eth0', 'link_local'],
    ['febf::1', 'link_local'],
    ['fec0::1', 'private'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['2001::1', 'reserved'],
    ['::7f00:1', 'reserved'], // deprecated IPv4-compatible form
    ['4000::1', 'reserved'], // outside 2000::/3
    // IPv4-mapped and other IPv4-embedding forms take the class of the embedded address
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:169.254.169.254', 'link_local'],
    ['::ffff:100.64.0.1', 'cgnat'],
    ['::ffff:0.0.0.0', 'unspecified'],
    ['::ffff:8.8.8.8', 'public'],
    ['::ffff:0:127.0.0.1', 'loopback'], // RFC 6145 translated
    ['64:ff9b::127.0.0.1', 'loopback'], // NAT64
    ['64:ff9b::8.8.8.8', 'public'],
    ['2002:7f00:1::1', 'loopback'], // 6to4 of 127.0.0.1
    ['2002:c0a8:101::1', 'private'], // 6to4 of 192.168.1.1
    ['2002:808:808::1', 'public'], // 6to4 of 8.8.8.8
    // not addresses
    ['localhost', 'invalid'],
    ['', 'invalid'],
    ['10', 'invalid'],
    ['0x7f.1', 'invalid'],
    ['127.0.0.1/8', 'invalid'],
    ['[::1]', 'invalid'],
  ];
  for (const [ip, expected] of table) {
    test(`${JSON.stringify(ip)} is ${expected}`, () => {
      assert.equal(classifyAddress(ip), expected);
    });
  }
});

describe('allowlist', () => {
  test('exact host names match case-insensitively and ignore a trailing dot', () => {
    const list = compileAllowlist(['Eval.Internal.']);
    assert.equal(isAllowed('eval.internal', '10.0.0.5', list), true);
    assert.equal(isAllowed('EVAL.internal.', '10.0.0.5', list), true);
    assert.equal(isAllowed('other.internal', '10.0.0.5', list), false);
    assert.equal(isAllowed('x.eval.internal', '10.0.0.5', list), false, 'no implicit subdomains');
  });

  test('exact IPs match only that address', () => {
    const list = compileAllowlist(['127.0.0.1', '::1']);
    assert.equal(isAllowed('whatever', '127.0.0.1', list), true);
    assert.equal(isAllowed('whatever', '127.0.0.2', list), false);
    assert.equal(isAllowed('whatever', '::1', list), true);
    assert.equal(isAllowed('whatever', '::2', list), false);
  });

  test('CIDRs match membership, per family', () => {
    const list = compileAllowlist(['10.0.0.0/8', 'fd00::/8']);
    assert.equal(isAllowed('h', '10.200.3.4', list), true);
    assert.equal(isAllowed('h', '11.0.0.1', list), false);
    assert.equal(isAllowed('h', 'fd12::1', list), true);
    assert.equal(isAllowed('h', 'fc00::1', list), false);
  });

  test('IPv4 entries also cover the IPv4-mapped IPv6 form, and vice versa', () => {
    assert.equal(isAllowed('h', '::ffff:127.0.0.1', ['127.0.0.1']), true);
    assert.equal(isAllowed('h', '::ffff:10.9.9.9', ['10.0.0.0/8']), true);
    assert.equal(isAllowed('h', '127.0.0.1', ['::ffff:127.0.0.1']), true);
    assert.equal(isAllowed('h', '10.1.1.1', ['::ffff:10.0.0.0/104']), true);
    assert.equal(isAllowed('h', '11.1.1.1', ['::ffff:10.0.0.0/104']), false);
  });

  test('bracketed IPv6 entries are accepted', () => {
    assert.equal(isAllowed('h', '::1', ['[::1]']), true);
  });

  test('an empty allowlist allows nothing', () => {
    assert.equal(isAllowed('localhost', '127.0.0.1', []), false);
  });

  test('invalid entries are refused when compiled', () => {
    for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/x', 'not a host', 'http://example.com', '*.example.com', '']) {
      assert.throws(() => compileAllowlist([bad]), TypeError, bad);
    }
  });

  test('isAddressPermitted: public always, others only when allowlisted', () => {
    const list = compileAllowlist(['192.168.0.0/16']);
    assert.equal(isAddressPermitted('h', '8.8.8.8', list), true);
    assert.equal(isAddressPermitted('h', '192.168.4.4', list), true);
    assert.equal(isAddressPermitted('h', '10.0.0.1', list), false);
    assert.equal(isAddressPermitted('h', 'garbage', list), false);
  });
});

describe('checkUrl', () => {
  test('accepts http and https URLs and strips IPv6 brackets', () => {
    assert.equal(checkUrl('https://eval.example.com/x?y=1').hostname, 'eval.example.com');
    assert.equal(checkUrl('http://[::1]:8080/').hostname, '::1');
  });

  test('normalizes numeric IPv4 forms (so they are classified correctly)', () => {
    assert.equal(checkUrl('http://2130706433/').hostname, '127.0.0.1');
    assert.equal(checkUrl('http://0x7f.1/').hostname, '127.0.0.1');
  });

  test('refuses other schemes, credentials and non-URLs', () => {
    for (const bad of ['ftp://example.com/', 'file:///etc/passwd', 'gopher://example.com/', 'https://user:pw@example.com/', 'https://user@example.com/', 'not a url']) {
      assert.throws(
        () => checkUrl(bad),
        (e: unknown) => e instanceof OutboundRequestError && e.code === 'forbidden_url',
        bad,
      );
    }
  });
});

describe('resolveTarget', () => {
  const fakeResolver =
    (answers: Record<string, string[]>): Resolver =>
    async (host) => {
      const list = answers[host];
      if (list === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    };
  const none = compileAllowlist([]);

  test('returns every address when all are public', async () => {
    const addrs = await resolveTarget(checkUrl('https://eval.example/'), none, fakeResolver({ 'eval.example': ['8.8.8.8', '2606:4700::1'] }));
    assert.deepEqual(addrs.map((a) => a.address), ['8.8.8.8', '2606:4700::1']);
  });

  test('refuses when ANY resolved address is not public', async () => {
    await assert.rejects(
      resolveTarget(checkUrl('https://mixed.example/'), none, fakeResolver({ 'mixed.example': ['8.8.8.8', '10.0.0.1'] })),
      (e: unknown) => e instanceof OutboundRequestError && e.code === 'forbidden_address' && /10\.0\.0\.1/.test(e.message),
    );
  });

  test('refuses IPv4-mapped loopback answers', async () => {
    await assert.rejects(
      resolveTarget(checkUrl('https://sneaky.example/'), none, fakeResolver({ 'sneaky.example': ['::ffff:127.0.0.1'] })),
      (e: unknown) => e instanceof OutboundRequestError && e.code === 'forbidden_address',
    );
  });

  test('refuses IP literals without calling the resolver', async () => {
    let calls = 0;
    const counting: Resolver = async () => {
      calls++;
      return [];
    };
    for (const url of ['http://127.0.0.1/', 'http://[::1]/', 'http://169.254.169.254/latest/meta-data', 'http://[::ffff:10.0.0.1]/', 'http://0.0.0.0/']) {
      await assert.rejects(resolveTarget(checkUrl(url), none, counting), (e: unknown) => e instanceof OutboundRequestError && e.code === 'forbidden_address', url);
    }
    assert.equal(calls, 0);
  });

  test('allowlisted host names may resolve to private addresses', async () => {
    const addrs = await resolveTarget(checkUrl('https://eval.corp/'), compileAllowlist(['eval.corp']), fakeResolver({ 'eval.corp': ['10.1.2.3'] }));
    assert.deepEqual(addrs, [{ address: '10.1.2.3', family: 4 }]);
  });

  test('allowlisted CIDRs admit only their members', async () => {
    const list = compileAllowlist(['10.1.0.0/16']);
    const r = fakeResolver({ a: ['10.1.2.3'], b: ['10.1.2.3', '10.2.0.1'] });
    assert.equal((await resolveTarget(checkUrl('https://a/'), list, r)).length, 1);
    await assert.rejects(resolveTarget(checkUrl('https://b/'), list, r), (e: unknown) => e instanceof OutboundRequestError && e.code === 'forbidden_address');
  });

  test('resolution failures and empty answers are dns_failed', async () => {
    const r = fakeResolver({ empty: [] });
    await assert.rejects(resolveTarget(checkUrl('https://missing/'), none, r), (e: unknown) => e instanceof OutboundRequestError && e.code === 'dns_failed');
    await assert.rejects(resolveTarget(checkUrl('https://empty/'), none, r), (e: unknown) => e instanceof OutboundRequestError && e.code === 'dns_failed');
  });

  test('the real resolver: localhost resolves to loopback and is refused', async () => {
    await assert.rejects(resolveTarget(checkUrl('http://localhost/'), none), (e: unknown) => e instanceof OutboundRequestError && e.code === 'forbidden_address');
  });
});

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
