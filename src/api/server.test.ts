// What every route shares: the envelope on every answer, 404/405, malformed or oversized
// bodies, content types, account ids, data surviving a restart, and a database that drops
// its connections (503, then recovery).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { databaseKinds, postgresDatabase, postgresUnavailable, TEST_POSTGRES_URL } from '../../test/support/databases.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { blackHoleRelay } from '../../test/support/black-hole-relay.js';
import { CommitOutcomeUnknown } from '../store/errors.js';

describe('the API server', () => {
  let s: TestServer;
  let base: string;
  before(async () => {
    s = await startTestServer({ settings: { bodyLimitBytes: 4096 } });
    base = `/accounts/${s.accountId}/access/policies`;
  });
  after(() => s.close());

  const failure = (json: any, code: number) => {
    assert.equal(json.success, false);
    assert.equal(json.result, null);
    assert.deepEqual(json.messages, []);
    assert.equal(json.errors[0].code, code);
  };

  it('answers unknown routes with 404 and known paths with the wrong method with 405', async () => {
    const unknown = await s.api('GET', `/accounts/${s.accountId}/access/nothing-here`);
    assert.equal(unknown.status, 404);
    failure(unknown.json, 7003);
    const method = await s.api('PATCH', base, {});
    assert.equal(method.status, 405);
    assert.equal(method.headers.get('allow'), 'GET, POST');
    failure(method.json, 7001);
    const root = await fetch(`${s.baseUrl}/no/such/page`);
    assert.equal(root.status, 404);
    assert.match(root.headers.get('content-type') ?? '', /^application\/json/);
  });

  it('answers a trailing slash with 404 "no route": never a 405 that allows the method, never a lookup of an empty id', async () => {
    const created = await s.api('POST', base, { name: 'Slash', decision: 'allow', include: [{ everyone: {} }] });
    assert.equal(created.status, 201, JSON.stringify(created.json.errors));
    const item = `${base}/${created.json.result.id}`;
    assert.equal((await s.api('GET', item)).status, 200);
    const gateway = `/accounts/${s.accountId}/gateway/lists`;
    for (const [method, path] of [['GET', `${item}/`], ['PUT', `${item}/`], ['DELETE', `${item}/`], ['GET', `${base}/`], ['DELETE', `${base}/`], ['GET', `${gateway}/`], ['POST', `${base}/`], ['GET', `${base}//`]] as const) {
      const answer = await s.api(method, path, method === 'PUT' || method === 'POST' ? { name: 'x', decision: 'allow', include: [{ everyone: {} }] } : undefined);
      assert.equal(answer.status, 404, `${method} ${path}`);
      failure(answer.json, 7003);
      assert.match(answer.json.errors[0].message, /^No route for that URI/, `${method} ${path}`);
    }
    assert.equal((await s.api('GET', item)).status, 200, 'the policy is still there');
  });

  it('refuses malformed JSON, empty bodies, wrong content types and oversized bodies, in the envelope', async () => {
    const bad = await s.api('POST', base, '{"name": "x",', { 'content-type': 'application/json' });
    assert.equal(bad.status, 400);
    failure(bad.json, 1001);
    assert.match(bad.json.errors[0].message, /not valid JSON/);
    const empty = await s.api('POST', base, '', { 'content-type': 'application/json' });
    assert.equal(empty.status, 400);
    failure(empty.json, 1004);
    const text = await s.api('POST', base, 'name=x', { 'content-type': 'text/plain' });
    assert.equal(text.status, 415);
    failure(text.json, 1002);
    const huge = await s.api('POST', base, JSON.stringify({ name: 'x'.repeat(10_000), decision: 'allow', include: [{ everyone: {} }] }), { 'content-type': 'application/json' });
    assert.equal(huge.status, 413);
    failure(huge.json, 1003);
    const proto = await s.api('POST', base, '{"name":"x","decision":"allow","include":[{"everyone":{}}],"__proto__":{"admin":true}}', { 'content-type': 'application/json' });
    assert.equal(proto.status, 400, 'prototype pollution is refused');
    const array = await s.api('POST', base, [1, 2]);
    assert.equal(array.status, 400);
    failure(array.json, 1300);
    const infinite = await s.api('POST', base, '{"name":"x","decision":"allow","include":[{"everyone":{}}],"approval_required":true,"approval_groups":[{"approvals_needed":1e400,"email_addresses":["a@example.com"]}]}', { 'content-type': 'application/json' });
    assert.equal(infinite.status, 400);
    assert.ok(infinite.json.errors.some((e: { message: string }) => /got a number too large to hold/.test(e.message)), JSON.stringify(infinite.json.errors));
  });

  it('refuses a compressed body (Content-Encoding) with 415 saying so, instead of calling it bad JSON', async () => {
    const { gzipSync } = await import('node:zlib');
    const policy = JSON.stringify({ name: 'encoded', decision: 'allow', include: [{ everyone: {} }] });
    const imports = `/accounts/${s.accountId}/access/users/import`;
    for (const [path, type, body] of [
      [base, 'application/json', policy],
      [imports, 'application/x-ndjson', '{"email":"encoded@example.com"}'],
    ] as const) {
      const res = await fetch(`${s.apiUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${s.rootToken}`, 'content-type': type, 'content-encoding': 'gzip' }, body: gzipSync(body) });
      const json = (await res.json()) as { errors: { code: number; message: string }[] };
      assert.equal(res.status, 415, type);
      assert.equal(json.errors[0].code, 1011);
      assert.match(json.errors[0].message, /Content-Encoding "gzip" is not accepted/);
    }
    assert.equal((await s.api('POST', base, policy, { 'content-type': 'application/json', 'content-encoding': 'identity' })).status, 201, 'identity is no coding');
  });

  it('refuses JSON and NDJSON declared in a charset other than UTF-8 with 415, naming the charset', async () => {
    const policy = JSON.stringify({ name: 'charset', decision: 'allow', include: [{ everyone: {} }] });
    const imports = `/accounts/${s.accountId}/access/users/import`;
    const refused: [string, string, string][] = [
      [base, 'application/json; charset=utf-16', 'utf-16'],
      [base, 'application/json; charset=latin1', 'latin1'],
      [base, 'application/json;charset=ISO-8859-1', 'iso-8859-1'],
      [base, 'application/json; charset="utf-16le"', 'utf-16le'],
      [base, 'application/json; charset=utf-8; charset=latin1', 'latin1'],
      [base, 'APPLICATION/JSON; CHARSET=UTF-32', 'utf-32'],
      [base, 'application/json; charset=', ''],
      [imports, 'application/x-ndjson; charset=latin1', 'latin1'],
    ];
    for (const [path, type, charset] of refused) {
      const body = path === imports ? '{"email":"charset@example.com"}' : policy;
      const answer = await s.api('POST', path, body, { 'content-type': type });
      assert.equal(answer.status, 415, type);
      failure(answer.json, 1009);
      assert.ok(answer.json.errors[0].message.includes(JSON.stringify(charset)), `${type}: ${answer.json.errors[0].message}`);
      assert.equal(answer.headers.get('x-should-retry'), 'false');
    }
    assert.equal((await s.store.read.listResources(s.accountId, 'policy', { offset: 0, limit: 100 })).items.filter((p) => p.name === 'charset').length, 0, 'nothing was written');
    for (const type of ['application/json; charset=utf-8', 'application/json; charset=UTF-8', 'application/json;charset="utf-8"', 'application/json; charset=utf8', 'application/json; CHARSET=Utf8', 'application/json']) {
      const answer = await s.api('POST', base, policy, { 'content-type': type });
      assert.equal(answer.status, 201, `${type}: ${JSON.stringify(answer.json.errors)}`);
    }
    assert.equal((await s.api('POST', imports, '{"email":"charset@example.com"}', { 'content-type': 'application/x-ndjson; charset=utf-8' })).status, 200);
  });

  it('refuses pages and JSON bodies the fuzzer broke the server with (400, never 500)', async () => {
    for (const page of ['1e400', '-1e400', 'Infinity', '99999999999999999999', '1000000001']) {
      const res = await s.api('GET', `${base}?page=${page}`);
      assert.equal(res.status, 400, page);
      failure(res.json, 1351);
    }
    assert.equal((await s.api('GET', `${base}?page=1000000000&search=Infinity`)).status, 200);
    // A JSON string is a JSON body too: validated, not taken for NDJSON text.
    const list = await s.api('PUT', `/accounts/${s.accountId}/gateway/lists/some-list`, '"x"', { 'content-type': 'application/json' });
    assert.equal(list.status, 400);
    failure(list.json, 1300);
    const deep = await s.api('POST', `/accounts/${s.accountId}/access/identity_providers`, `{"name":"x","type":"saml","config":{"a":${'['.repeat(100)}${']'.repeat(100)}}}`, { 'content-type': 'application/json' });
    assert.equal(deep.status, 400);
    failure(deep.json, 1001);
  });

  it('answers malformed account ids with 404, after authentication', async () => {
    const res = await s.api('GET', '/accounts/not-an-account/access/policies');
    assert.equal(res.status, 404);
    failure(res.json, 1101);
    const anonymous = await fetch(`${s.apiUrl}/accounts/not-an-account/access/policies`);
    assert.equal(anonymous.status, 401, 'no credentials, no information');
  });

  it('answers /healthz, and /readyz once its database answers', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const res = await fetch(`${s.baseUrl}${path}`);
      assert.equal(res.status, 200, path);
      assert.deepEqual(((await res.json()) as { result: unknown }).result, { status: 'ok' });
    }
  });

  it('asks the database for one row to answer /readyz, however many accounts it holds', async () => {
    // A load balancer asks every few seconds: the probe read every account's version each time.
    const read = s.store.read as unknown as Record<string, (...args: unknown[]) => unknown>;
    const asked: string[] = [];
    const originals = new Map<string, (...args: unknown[]) => unknown>();
    for (const name of ['accountVersion', 'accountVersions', 'accountVersionsDigest', 'listAccounts', 'scopeVersions'] as const) {
      const original = read[name]!;
      originals.set(name, original);
      read[name] = (...args: unknown[]) => (asked.push(name), original.apply(s.store.read, args));
    }
    try {
      assert.equal((await fetch(`${s.baseUrl}/readyz`)).status, 200);
    } finally {
      for (const [name, original] of originals) read[name] = original;
    }
    assert.deepEqual(asked, ['accountVersion']);
  });
});

for (const kind of await databaseKinds()) {
  describe(`text holding U+0000 or a lone surrogate (${kind.name})`, { skip: kind.skip }, () => {
    it('is refused with 400 in paths, queries, JSON and NDJSON alike (PostgreSQL cannot store it; the fuzzer found 500s)', async () => {
      const s = await startTestServer({ database: await kind.create() });
      try {
        const account = `/accounts/${s.accountId}`;
        const answers = [
          await s.api('GET', `${account}/access/identity_providers/a%00b`),
          await s.api('GET', `${account}/access/users?email=a%00@example.com`),
          await s.api('POST', `${account}/access/groups`, { name: 'a\u0000b', include: [{ everyone: {} }] }),
          await s.api('POST', `${account}/access/apps`, '{"name":"x","type":"saas","allowed_idps":["x\\udc00y"]}', { 'content-type': 'application/json' }),
          await s.api('POST', `${account}/access/users/import`, '{"email":"a\\u0000@example.com"}', { 'content-type': 'application/x-ndjson' }),
        ];
        for (const answer of answers) {
          assert.equal(answer.status, 400, JSON.stringify(answer.json));
          assert.match(answer.json.errors[0].message, /U\+0000/);
        }
        assert.equal((await s.api('GET', `${account}/access/groups`)).json.result.length, 0);
      } finally {
        await s.close();
      }
    });
  });

  describe(`restarts (${kind.name})`, { skip: kind.skip }, () => {
    it('keeps every resource across a server restart on the same database', async () => {
      const database = await kind.create();
      const first = await startTestServer({ database, keepDatabase: true });
      const cf = first.sdk();
      const group = await cf.zeroTrust.access.groups.create({ account_id: first.accountId, name: 'G', include: [{ everyone: {} }] });
      const policy = await cf.zeroTrust.access.policies.create({ account_id: first.accountId, name: 'P', decision: 'allow', include: [{ group: { id: group.id! } }] });
      const token = await cf.user.tokens.create({ name: 't', policies: [{ effect: 'allow', permission_groups: [{ id: 'Access: Apps and Policies Read' }], resources: { 'com.cloudflare.api.account.*': '*' } }] });
      await first.close();
      const second = await startTestServer({ database });
      try {
        const reader = second.sdk(token.value);
        const again = await reader.zeroTrust.access.policies.get(policy.id!, { account_id: first.accountId });
        assert.deepEqual(again, policy);
        assert.equal((await second.sdk().zeroTrust.access.groups.get(group.id!, { account_id: first.accountId })).name, 'G');
      } finally {
        await second.close();
      }
    });
  });
}

const noPostgres = await postgresUnavailable();

describe('a database that is not reachable', () => {
  it('answers 503 with retry-after (not 500) when the store reports a lost connection', async () => {
    const s = await startTestServer();
    try {
      const lost = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      const read = s.store.read;
      const original = read.listResources.bind(read);
      read.listResources = async () => Promise.reject(lost);
      const res = await s.api('GET', `/accounts/${s.accountId}/access/policies`);
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '2');
      assert.equal(res.headers.get('x-should-retry'), null, 'the SDK may retry a 503');
      assert.equal(res.json.errors[0].code, 1502);
      read.listResources = original;
      assert.equal((await s.api('GET', `/accounts/${s.accountId}/access/policies`)).status, 200);
    } finally {
      await s.close();
    }
  });

  it('answers a write whose commit was sent but never answered with 503 1505, "may have been made", and asks clients not to retry it', async () => {
    const s = await startTestServer();
    try {
      const original = s.store.transaction.bind(s.store);
      s.store.transaction = (async () => {
        throw new CommitOutcomeUnknown(Object.assign(new Error('Connection terminated unexpectedly'), {}));
      }) as typeof s.store.transaction;
      const res = await s.api('POST', `/accounts/${s.accountId}/access/policies`, { name: 'Lost', decision: 'allow', include: [{ everyone: {} }] });
      s.store.transaction = original;
      assert.equal(res.status, 503, JSON.stringify(res.json));
      assert.equal(res.json.errors[0].code, 1505);
      assert.match(res.json.errors[0].message, /may or may not have been made/);
      assert.equal(res.headers.get('x-should-retry'), 'false', 'the SDK would otherwise send the create again');
    } finally {
      await s.close();
    }
  });

  it('answers PostgreSQL refusals of the moment (too many clients, read-only, a lock not granted, a deadlock) with 503, not 500', async () => {
    const s = await startTestServer();
    try {
      const read = s.store.read;
      const original = read.listResources.bind(read);
      for (const code of ['53300', '25006', '55P03', '40P01']) {
        read.listResources = async () => Promise.reject(Object.assign(new Error(`refused (${code})`), { code }));
        const res = await s.api('GET', `/accounts/${s.accountId}/access/policies`);
        assert.equal(res.status, 503, code);
        assert.equal(res.json.errors[0].code, 1502, code);
      }
      read.listResources = original;
    } finally {
      await s.close();
    }
  });

  it('says it is not ready (/readyz 503) while PostgreSQL does not answer, alive all along (/healthz 200), and ready again after', { skip: noPostgres, timeout: 30_000 }, async () => {
    const database = await postgresDatabase();
    const relay = await blackHoleRelay(new URL(database.url));
    const s = await startTestServer({ database: { url: relay.url, drop: () => database.drop() } });
    try {
      const ready = await fetch(`${s.baseUrl}/readyz`);
      assert.equal(ready.status, 200);
      assert.deepEqual(((await ready.json()) as { result: unknown }).result, { status: 'ok' });
      relay.silent(true);
      const notReady = await fetch(`${s.baseUrl}/readyz`);
      assert.equal(notReady.status, 503);
      assert.equal(notReady.headers.get('retry-after'), '2');
      assert.equal(((await notReady.json()) as { errors: { code: number }[] }).errors[0].code, 1502);
      assert.equal((await fetch(`${s.baseUrl}/healthz`)).status, 200);
      relay.silent(false);
      assert.equal((await fetch(`${s.baseUrl}/readyz`)).status, 200);
    } finally {
      // Ends the connections the silence left waiting, so the store closes at once.
      await relay.close();
      await s.close();
    }
  });

  it('never answers 500 when PostgreSQL kills its connections, and recovers', { skip: noPostgres }, async () => {
    const s = await startTestServer({ database: await postgresDatabase() });
    try {
      const path = `/accounts/${s.accountId}/access/policies`;
      assert.equal((await s.api('GET', path)).status, 200);
      const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await admin.connect();
      const name = new URL(s.database.url).searchParams.get('application_name');
      const killed = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [name]);
      await admin.end();
      assert.ok(killed.rowCount! >= 1, 'the server had connections to kill');
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await s.api('GET', path)).status);
      assert.ok(statuses.every((st) => st === 200 || st === 503), `only 200 or 503, got ${statuses.join(',')}`);
      assert.equal(statuses.at(-1), 200, 'the pool reconnects');
    } finally {
      await s.close();
    }
  });
});
