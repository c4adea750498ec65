import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileAllowlist } from './allowlist.js';
import { OutboundRequestError } from './outbound-error.js';
import { checkUrl, resolveTarget, type Resolver } from './outbound-target.js';

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
