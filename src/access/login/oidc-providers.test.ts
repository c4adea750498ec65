// The OpenID Connect providers kept between sign-ins on a server of many accounts: a bounded
// number of them (every provider ever signed in with was kept for good), the longest unused
// first out, one pushed out discovered again and working; a provider not kept costs the same
// however many are (it used to walk them all); and the refetch rules are those of before: an
// edited provider, one kept for an hour, and a failed discovery are loaded again.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import type { ResourceRecord } from '../../store/store.js';
import { startOidcIdp, type OidcIdp } from '../../../test/support/oidc-idp.js';
import { loadProvider, ProviderConfigurations, type Provider } from './oidc-providers.js';

const HOUR_MS = 60 * 60 * 1000;

function providerRecord(accountId: string, id: string, config: Record<string, unknown>, updatedAt = '2026-01-01T00:00:00.000Z'): ResourceRecord {
  return { accountId, kind: 'identity_provider', id, parentId: null, name: id, body: { name: id, type: 'oidc', config }, secretHash: null, createdAt: updatedAt, updatedAt, version: 1 };
}

describe('OpenID Connect providers kept between sign-ins', () => {
  let idp: OidcIdp;
  let config: Record<string, unknown>;
  before(async () => {
    idp = await startOidcIdp({ redirectUri: 'http://127.0.0.1:1/cdn-cgi/access/callback' });
    // Only the issuer: the rest is discovered.
    config = { client_id: idp.clientId, client_secret: idp.clientSecret, issuer_url: idp.issuer };
  });
  after(async () => {
    await idp?.close();
  });

  test('at most the bound are kept, the longest unused first out, and one pushed out is discovered again and works', async () => {
    const loaded: string[] = [];
    const providers = new ProviderConfigurations(2, (record) => (loaded.push(record.accountId), loadProvider(record)));
    // The same provider id in three accounts: each account's is its own.
    const [a, b, c] = ['a', 'b', 'c'].map((account) => providerRecord(account.repeat(32), 'idp-1', config)) as [ResourceRecord, ResourceRecord, ResourceRecord];
    const now = Date.now();
    await providers.get(a, now);
    await providers.get(b, now);
    await providers.get(a, now + 1);
    assert.deepEqual(loaded, [a.accountId, b.accountId], 'kept: a again from memory');
    await providers.get(c, now + 2);
    assert.equal(providers.size, 2, 'within the bound');
    await providers.get(a, now + 3);
    assert.deepEqual(loaded, [a.accountId, b.accountId, c.accountId], 'a, used since b, was kept');
    const again = await providers.get(b, now + 4);
    assert.deepEqual(loaded, [a.accountId, b.accountId, c.accountId, b.accountId], 'b was pushed out, and is discovered again');
    assert.equal(providers.size, 2);
    const authorization = client.buildAuthorizationUrl(again.configuration, { redirect_uri: 'http://127.0.0.1:1/cdn-cgi/access/callback', scope: 'openid' });
    assert.equal(authorization.origin, idp.issuer, "discovered again: its authorization endpoint is the provider's");
    assert.equal(again.configuration.serverMetadata().issuer, idp.issuer);
  });

  test('an edited provider, one kept for an hour, and a failed load are loaded again; an edit replaces the kept one', async () => {
    let loads = 0;
    let fail = false;
    const providers = new ProviderConfigurations(10, async (record) => {
      loads++;
      if (fail) throw new Error('unreachable');
      return loadProvider(record);
    });
    const now = Date.now();
    const first = providerRecord('a'.repeat(32), 'idp-1', config);
    await providers.get(first, now);
    await providers.get(first, now + HOUR_MS - 1);
    assert.equal(loads, 1, 'kept within the hour');
    await providers.get(first, now + HOUR_MS);
    assert.equal(loads, 2, 'loaded again after an hour');
    const edited = providerRecord('a'.repeat(32), 'idp-1', config, '2026-02-01T00:00:00.000Z');
    await providers.get(edited, now + HOUR_MS + 1);
    assert.equal(loads, 3, 'an edited provider is loaded again');
    assert.equal(providers.size, 1, 'in place of its previous version');
    fail = true;
    const other = providerRecord('b'.repeat(32), 'idp-2', config);
    await assert.rejects(providers.get(other, now), /unreachable/);
    fail = false;
    await providers.get(other, now + 1);
    assert.equal(loads, 5, 'a failure is not kept: the next sign-in tries again');
  });

  test('a provider not kept costs the same however many are: no walk over them', () => {
    const unused = Promise.resolve({} as Provider);
    const providers = new ProviderConfigurations(1_000, () => unused);
    const now = Date.now();
    for (let i = 0; i < 500; i++) void providers.get(providerRecord('a'.repeat(32), `idp-${i}`, config), now);
    const steps = countMapIterationSteps(() => {
      void providers.get(providerRecord('a'.repeat(32), 'idp-new', config), now); // never seen
      void providers.get(providerRecord('a'.repeat(32), 'idp-7', config, '2026-02-01T00:00:00.000Z'), now); // edited
      void providers.get(providerRecord('a'.repeat(32), 'idp-8', config), now + HOUR_MS); // kept too long
    });
    assert.ok(steps <= 3, `${steps} steps over the ${providers.size} providers kept for three misses`);
  });
});

/** How many entries any Map was iterated over while `run` ran (synchronously). */
function countMapIterationSteps(run: () => void): number {
  const proto = Map.prototype as unknown as Record<PropertyKey, (...args: unknown[]) => unknown>;
  const names: PropertyKey[] = ['keys', 'values', 'entries', Symbol.iterator, 'forEach'];
  // An array, not a Map: restoring must not count its own steps.
  const originals = names.map((name) => [name, proto[name]!] as const);
  let steps = 0;
  for (const [name, original] of originals) {
    proto[name] = function (this: Map<unknown, unknown>, ...args: unknown[]) {
      if (name === 'forEach') {
        const [callback] = args as [(...values: unknown[]) => void];
        return original.call(this, (...values: unknown[]) => (steps++, callback(...values)));
      }
      const iterator = original.apply(this, args) as Iterator<unknown>;
      return { next: () => (steps++, iterator.next()), [Symbol.iterator]() { return this; } };
    };
  }
  try {
    run();
  } finally {
    for (const [name, original] of originals) proto[name] = original;
  }
  return steps;
}

// Whoever may write an identity provider picks where its sign-ins' requests go, and anyone may
// start one: an answer that never ends used to be read whole (a 200 MB discovery document took
// the server to 1.4 GB), so it could take the process, and every account's sign-ins, down.
describe('answers of an identity provider are read up to a bound', () => {
  const HUGE = 3 * 1024 * 1024;
  let server: Server;
  let origin: string;
  before(async () => {
    server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0]!;
      const json = (value: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      // A padded answer of more than HUGE bytes, streamed without a content-length.
      const padded = (value: Record<string, unknown>) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ...value, padding: 'x'.repeat(HUGE) }));
      };
      if (path === '/huge/.well-known/openid-configuration') return padded(metadata(`${origin}/huge`));
      if (path === '/small/.well-known/openid-configuration') return json(metadata(`${origin}/small`));
      if (path === '/huge-keys') return padded({ keys: [] });
      if (path === '/huge-token') return padded({ access_token: 'a', token_type: 'bearer' });
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const metadata = (issuer: string) => ({ issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${origin}/huge-token`, jwks_uri: `${origin}/huge-keys`, response_types_supported: ['code'] });

  test('a discovery document past the bound is refused, and says so', async () => {
    const record = providerRecord('a'.repeat(32), 'huge', { client_id: 'c', client_secret: 's', issuer_url: `${origin}/huge` });
    await assert.rejects(loadProvider(record), /larger than 1048576 bytes/);
  });

  test("a key set past the bound is refused when an ID token's key is looked up", async () => {
    const provider = await loadProvider(providerRecord('a'.repeat(32), 'keys', { client_id: 'c', client_secret: 's', auth_url: `${origin}/authorize`, token_url: `${origin}/huge-token`, certs_url: `${origin}/huge-keys` }));
    await assert.rejects(async () => provider.keys({ alg: 'RS256', kid: 'k' }, { payload: '', signature: '' } as never), /larger than 1048576 bytes/);
  });

  test('a token answer past the bound is refused, for a discovered provider and for one set up by its endpoints', async () => {
    const discovered = await loadProvider(providerRecord('a'.repeat(32), 'small', { client_id: 'c', client_secret: 's', issuer_url: `${origin}/small` }));
    await assert.rejects(client.genericGrantRequest(discovered.configuration, 'client_credentials', {}), /larger than 1048576 bytes/);
    const configured = await loadProvider(providerRecord('a'.repeat(32), 'configured', { client_id: 'c', client_secret: 's', auth_url: `${origin}/authorize`, token_url: `${origin}/huge-token`, certs_url: `${origin}/huge-keys` }));
    await assert.rejects(client.genericGrantRequest(configured.configuration, 'client_credentials', {}), /larger than 1048576 bytes/);
  });
});
