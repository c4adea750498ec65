// Access mTLS certificates through the official SDK and raw HTTP, on SQLite and PostgreSQL.
// The CA certificates are made by openssl at test time; their expected fingerprints and
// expiry come from openssl too, not from the code under test.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Cloudflare from 'cloudflare';
import { tempDir } from '../../../test/support/databases.js';
import { randomAccountId } from '../../../test/support/server.js';
import { describeEachDatabase } from '../../../test/support/suite.js';
import { issues, refusal } from '../../../test/support/answers.js';
import { statusesWith } from '../../../test/support/tokens.js';

interface TestCa {
  readonly pem: string;
  readonly key: string;
  /** openssl's MD5 fingerprint, AA:BB:... */
  readonly md5: string;
  /** openssl's notAfter, as RFC 3339. */
  readonly notAfter: string;
}

const openssl = (...args: string[]): string => execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

function makeCa(dir: string, commonName: string, days: number): TestCa {
  const keyFile = join(dir, `${commonName}.key`);
  const certFile = join(dir, `${commonName}.pem`);
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', String(days), '-subj', `/CN=${commonName}`);
  return {
    pem: readFileSync(certFile, 'utf8'),
    key: readFileSync(keyFile, 'utf8'),
    md5: openssl('x509', '-in', certFile, '-noout', '-fingerprint', '-md5').split('=')[1],
    notAfter: new Date(openssl('x509', '-in', certFile, '-noout', '-enddate').split('=')[1]).toISOString(),
  };
}

const dir = tempDir('portcullis-certs-');
const CA_30_DAYS = makeCa(dir.path, 'Test CA one', 30);
const CA_400_DAYS = makeCa(dir.path, 'Test CA two', 400);
dir.remove();

await describeEachDatabase('Access mTLS certificates API', (s) => {
  const certsOf = (account: string) => `/accounts/${account}/access/certificates`;

  it('uploads, reads, updates and deletes through the SDK, answering with what the PEM says', async () => {
    const account = randomAccountId();
    const created = await s.cf.zeroTrust.access.certificates.create({ account_id: account, name: 'Devices CA', certificate: CA_30_DAYS.pem, associated_hostnames: ['admin.example.com'] });
    assert.match(created.id!, /^[0-9a-f-]{36}$/);
    assert.equal(created.fingerprint, `MD5 Fingerprint=${CA_30_DAYS.md5}`);
    assert.equal(created.expires_on, CA_30_DAYS.notAfter);
    assert.deepEqual(created.associated_hostnames, ['admin.example.com']);
    assert.equal((created as any).certificate, undefined, 'the PEM is not echoed');
    assert.ok(!JSON.stringify(created).includes('BEGIN CERTIFICATE'));
    assert.deepEqual(await s.cf.zeroTrust.access.certificates.get(created.id!, { account_id: account }), created);

    const moved = await s.cf.zeroTrust.access.certificates.update(created.id!, { account_id: account, associated_hostnames: ['a.example.com', 'b.example.com'] });
    assert.deepEqual(moved.associated_hostnames, ['a.example.com', 'b.example.com']);
    assert.equal(moved.name, 'Devices CA', 'a name left out keeps its value');
    assert.equal(moved.fingerprint, created.fingerprint);
    const renamed = await s.cf.zeroTrust.access.certificates.update(created.id!, { account_id: account, name: 'Laptops CA', associated_hostnames: [] });
    assert.equal(renamed.name, 'Laptops CA');
    assert.deepEqual(renamed.associated_hostnames, []);

    const deleted = await s.api('DELETE', `${certsOf(account)}/${created.id}`);
    assert.equal(deleted.status, 200);
    assert.deepEqual(deleted.json.result, { id: created.id });
    await assert.rejects(s.cf.zeroTrust.access.certificates.get(created.id!, { account_id: account }), Cloudflare.NotFoundError);
  });

  it('auto-paginates over several pages', async () => {
    const account = randomAccountId();
    const names = ['one', 'two', 'three', 'four', 'five'];
    for (const [i, name] of names.entries()) {
      const res = await s.api('POST', certsOf(account), { name, certificate: (i % 2 === 0 ? CA_30_DAYS : CA_400_DAYS).pem });
      assert.equal(res.status, 201);
      assert.deepEqual(res.json.result.associated_hostnames, [], 'no hostnames: an empty list');
    }
    const seen: any[] = [];
    for await (const c of s.cf.zeroTrust.access.certificates.list({ account_id: account, per_page: 2 })) seen.push(c);
    assert.deepEqual(seen.map((c) => c.name).sort(), [...names].sort());
    assert.deepEqual([...new Set(seen.map((c) => c.expires_on))].sort(), [CA_30_DAYS.notAfter, CA_400_DAYS.notAfter].sort());
    const past = await s.api('GET', `${certsOf(account)}?page=4&per_page=2`);
    assert.equal(past.status, 200);
    assert.deepEqual(past.json.result, []);
  });

  it('refuses what is not a PEM X.509 certificate, and PEMs that carry a private key', async () => {
    const account = randomAccountId();
    const garbled = CA_30_DAYS.pem.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!');
    for (const [certificate, why] of [
      ['hello', /PEM-encoded/],
      [Buffer.from(CA_30_DAYS.pem).toString('base64'), /PEM-encoded/],
      [garbled, /could not be parsed/],
      [CA_30_DAYS.pem + CA_30_DAYS.key, /private key/],
    ] as const) {
      const res = await s.api('POST', certsOf(account), { name: 'bad', certificate });
      const [refused, ...more] = refusal(res, 400);
      assert.deepEqual([refused.code, refused.pointer, more], [1355, '/certificate', []]);
      assert.match(refused.message, why);
    }
    const shape = await s.api('POST', certsOf(account), { certificate: 42, associated_hostnames: 'a.example.com' });
    assert.deepEqual(issues(shape), [
      [1300, '/associated_hostnames'],
      [1300, '/certificate'],
      [1301, '/name'],
    ]);
    await assert.rejects(s.cf.zeroTrust.access.certificates.create({ account_id: account, name: 'x', certificate: 'nope' }), Cloudflare.BadRequestError);
    assert.deepEqual((await s.api('GET', certsOf(account))).json.result, [], 'nothing was written');

    const created = (await s.api('POST', certsOf(account), { name: 'ok', certificate: CA_30_DAYS.pem })).json.result;
    const update = await s.api('PUT', `${certsOf(account)}/${created.id}`, { name: 'renamed', certificate: CA_400_DAYS.pem });
    assert.deepEqual(issues(update), [[1301, '/associated_hostnames']]);
    const replaced = await s.api('PUT', `${certsOf(account)}/${created.id}`, { name: 'renamed', certificate: CA_400_DAYS.pem, associated_hostnames: [] });
    assert.deepEqual(issues(replaced), [[1354, '/certificate']], 'a certificate cannot be swapped by an update');
    const same = await s.api('PUT', `${certsOf(account)}/${created.id}`, { name: 'renamed', certificate: CA_30_DAYS.pem, associated_hostnames: [] });
    assert.equal(same.status, 200, 'sending the stored certificate back changes nothing');
  });

  it('answers 404 for unknown ids', async () => {
    const missing = `${certsOf(randomAccountId())}/6f1c3a5e-0000-4000-8000-000000000000`;
    for (const [method, body] of [['GET'], ['PUT', { associated_hostnames: [] }], ['DELETE']] as const) {
      const res = await s.api(method, missing, body);
      assert.equal(res.status, 404, method);
      assert.equal(res.json.errors[0].code, 1102);
      assert.match(res.json.errors[0].message, /mTLS certificate/);
    }
  });

  it('needs the Access: Mutual TLS Certificates permissions', async () => {
    const account = randomAccountId();
    const path = certsOf(account);
    const body = { name: 'CA', certificate: CA_30_DAYS.pem };
    assert.deepEqual(await statusesWith(s, account, ['Access: Mutual TLS Certificates Read'], [['GET', path], ['POST', path, body]]), [200, 403]);
    assert.deepEqual(await statusesWith(s, account, ['Access: Mutual TLS Certificates Write'], [['POST', path, body]]), [201]);
    assert.deepEqual(await statusesWith(s, account, ['Access: Service Tokens Write'], [['GET', path]]), [403]);
  });
});
