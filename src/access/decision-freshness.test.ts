// Decisions answered from memory still see every change at once (docs/enforcement.md "Sessions
// and caching"): two server instances on one database (SQLite or PostgreSQL), the enforcement
// point on the first and the changes made through the second; the next request after each
// change is decided on it. On SQLite the decisions in between read nothing per request but the
// commit stamp; on PostgreSQL they read the account's version every time.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { databaseKinds, sqliteDatabase, type TestDatabase } from '../../test/support/databases.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { openStore } from '../store/open.js';
import { testKeys } from '../../test/support/secrets-key.js';
import { userAppToken } from './app-token.js';
import { CommitStampCheck } from './commit-stamp-check.js';
import type { StoreReader } from '../store/store.js';

const authorize = (s: TestServer, headers: Record<string, string>) => fetch(`${s.baseUrl}/cdn-cgi/access/authorize`, { redirect: 'manual', headers });

for (const kind of await databaseKinds()) {
  describe(`decisions on one instance see changes made through another at once (${kind.name})`, { skip: kind.skip }, () => {
    let db: TestDatabase;
    let gate: TestServer;
    let other: TestServer;
    let staffPolicy: string;
    let aud: string;
    let adaId: string;
    const A = () => `/accounts/${gate.accountId}/access`;
    const asAda = (token: string) => ({ 'x-forwarded-host': 'wiki.test', 'x-forwarded-uri': '/', cookie: `CF_Authorization=${token}` });
    const adaToken = async () => userAppToken({ aud, issuer: gate.baseUrl, lifetimeSeconds: 600, userId: adaId, email: 'ada@example.com' }, await gate.accessKeys!.current(gate.accountId));

    before(async () => {
      db = await kind.create();
      gate = await startTestServer({ database: db, keepDatabase: true, access: {} });
      other = await startTestServer({ database: db, keepDatabase: true });
      const staff = await gate.api('POST', `${A()}/policies`, { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
      staffPolicy = staff.json.result.id;
      const robots = await gate.api('POST', `${A()}/policies`, { name: 'Robots', decision: 'non_identity', include: [{ any_valid_service_token: {} }] });
      const wiki = await gate.api('POST', `${A()}/apps`, { type: 'self_hosted', name: 'Wiki', domain: 'wiki.test', policies: [{ id: staffPolicy, precedence: 1 }] });
      aud = wiki.json.result.aud;
      await gate.api('POST', `${A()}/apps`, { type: 'self_hosted', name: 'CI', domain: 'ci.test', policies: [{ id: robots.json.result.id, precedence: 1 }] });
      adaId = (await gate.api('POST', `${A()}/users`, { email: 'ada@example.com', name: 'Ada' })).json.result.id;
    });
    after(async () => {
      await other?.close();
      await gate?.close();
      await db?.drop();
    });

    it('answers repeated decisions without reading the account (SQLite) or with one read each (PostgreSQL)', async () => {
      const token = await adaToken();
      assert.equal((await authorize(gate, asAda(token))).status, 200);
      const read = gate.store.read as { accountVersion: StoreReader['accountVersion'] };
      const accountVersion = read.accountVersion;
      let reads = 0;
      read.accountVersion = (accountId) => {
        reads++;
        return accountVersion(accountId);
      };
      try {
        for (let i = 0; i < 5; i++) assert.equal((await authorize(gate, asAda(token))).status, 200);
      } finally {
        read.accountVersion = accountVersion;
      }
      assert.equal(reads, kind.name === 'sqlite' ? 0 : 5);
    });

    it('applies a policy change made through the other instance to the next request', async () => {
      const token = await adaToken();
      assert.equal((await authorize(gate, asAda(token))).status, 200);
      const narrowed = await other.api('PUT', `${A()}/policies/${staffPolicy}`, { name: 'Staff', decision: 'allow', include: [{ email: { email: 'grace@example.com' } }] });
      assert.equal(narrowed.status, 200, JSON.stringify(narrowed.json));
      assert.equal((await authorize(gate, asAda(token))).status, 403);
      await other.api('PUT', `${A()}/policies/${staffPolicy}`, { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
      assert.equal((await authorize(gate, asAda(token))).status, 200);
    });

    it("ends the user's sessions at a revoke_user made through the other instance, and a deleted user's too", async () => {
      const token = await adaToken();
      assert.equal((await authorize(gate, asAda(token))).status, 200);
      const revoked = await other.api('POST', `${A()}/organizations/revoke_user`, { email: 'ada@example.com' });
      assert.equal(revoked.json.result, true);
      assert.equal((await authorize(gate, asAda(token))).status, 401, 'the token issued before the revocation opens nothing');
      // A token issued after the revocation (a later second) opens again, until the user is deleted.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const later = await adaToken();
      assert.equal((await authorize(gate, asAda(later))).status, 200);
      assert.equal((await other.api('DELETE', `${A()}/users/${adaId}`)).json.success, true);
      assert.equal((await authorize(gate, asAda(later))).status, 401);
    });

    it('stops a service token deleted through the other instance at the next request', async () => {
      const created = (await gate.api('POST', `${A()}/service_tokens`, { name: 'Deploys' })).json.result;
      const asRobot = { 'x-forwarded-host': 'ci.test', 'cf-access-client-id': created.client_id, 'cf-access-client-secret': created.client_secret };
      assert.equal((await authorize(gate, asRobot)).status, 200);
      assert.equal((await authorize(gate, asRobot)).status, 200);
      assert.equal((await other.api('DELETE', `${A()}/service_tokens/${created.id}`)).json.success, true);
      assert.equal((await authorize(gate, asRobot)).status, 401);
    });
  });
}

describe('the commit stamp check', () => {
  it('reads the stamp once for every decision asked in one turn, after they were asked, and sees a commit made in between', async () => {
    const db = sqliteDatabase();
    const store = await openStore(db.url, { secrets: testKeys() });
    try {
      const check = new CommitStampCheck(store);
      const commitStamp = store.commitStamp.bind(store);
      let reads = 0;
      store.commitStamp = () => {
        reads++;
        return commitStamp();
      };
      const stamp = store.commitStamp()!;
      reads = 0;
      const ask = () => new Promise<boolean>((resolve) => check.unchangedSince(stamp, resolve));
      assert.deepEqual(await Promise.all([ask(), ask(), ask()]), [true, true, true]);
      assert.equal(reads, 1, 'one read for the three');

      // Another process's commit after the question, before the check (on its own connection).
      const elsewhere = new Database(db.url.slice('sqlite:'.length));
      try {
        const answer = ask();
        elsewhere.prepare('INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?)').run('0123456789abcdef0123456789abcdef', 'Elsewhere', new Date().toISOString());
        assert.equal(await answer, false);
        assert.equal(await ask(), false, 'still changed since the stamp asked about');
      } finally {
        elsewhere.close();
      }
    } finally {
      await store.close();
      await db.drop();
    }
  });
});
