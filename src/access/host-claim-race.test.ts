// Two accounts claiming one host at the same instant: one wins, the other is refused as it would
// be a moment later (docs/enforcement.md "Several accounts on one server"). Account A naming an
// auth domain while account B creates an application on that host, or both naming one auth
// domain, each in its own account's transaction, on one server or on two server processes
// sharing one PostgreSQL database. Checked by reading the other accounts outside the claiming
// write's transaction, both writes could pass and both commit: a host claimed twice.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { databaseKinds, postgresDatabase, postgresUnavailable, type TestDatabase } from '../../test/support/databases.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { ServerFleet } from '../../test/support/server-process.js';

interface Answer {
  readonly status: number;
  readonly json: any;
}

/** A root-token API call to server `server` (0 or 1: the same one when there is one). */
type Call = (server: number, method: string, path: string, body?: unknown) => Promise<Answer>;

const ROUNDS = 20;

/** The refusal a sequential claim of a taken host gets: 400, Cloudflare's envelope, duplicate_entry at the field naming the host. */
function assertRefused(answer: Answer, pointer: string, label: string): void {
  assert.equal(answer.status, 400, `${label}: ${JSON.stringify(answer.json)}`);
  assert.equal(answer.json.success, false, label);
  assert.equal(answer.json.errors?.[0]?.code, 1353, `${label}: ${JSON.stringify(answer.json)}`);
  assert.equal(answer.json.errors?.[0]?.source?.pointer, pointer, label);
}

async function freshAccount(call: Call, name: string): Promise<string> {
  const created = await call(0, 'POST', '/accounts', { name });
  assert.equal(created.status, 200, JSON.stringify(created.json));
  return created.json.result.id as string;
}

const authDomainOf = async (call: Call, account: string): Promise<unknown> => (await call(0, 'GET', `/accounts/${account}/access/organizations`)).json.result.auth_domain;

/** Each round: A names `host` as its auth domain while B creates an application on it, through servers `round % 2` and the other. */
async function authDomainAgainstApplication(call: Call): Promise<void> {
  for (let round = 0; round < ROUNDS; round++) {
    const [a, b] = [await freshAccount(call, `A ${round}`), await freshAccount(call, `B ${round}`)];
    const host = `login-${round}-${randomBytes(4).toString('hex')}.race.test`;
    const [organization, application] = await Promise.all([
      call(round % 2, 'PUT', `/accounts/${a}/access/organizations`, { name: `Org A ${round}`, auth_domain: host }),
      call((round + 1) % 2, 'POST', `/accounts/${b}/access/apps`, { type: 'self_hosted', name: `App B ${round}`, domain: host }),
    ]);
    const label = `round ${round}: organization ${organization.status}, application ${application.status}`;
    const apps = (await call(0, 'GET', `/accounts/${b}/access/apps`)).json.result as { domain: string }[];
    if (organization.status === 200) {
      assertRefused(application, '/domain', label);
      assert.equal(apps.length, 0, label);
    } else {
      assert.equal(application.status, 201, `${label}: ${JSON.stringify(application.json)}`);
      assertRefused(organization, '/auth_domain', label);
      assert.notEqual(await authDomainOf(call, a), host, label);
    }
  }
}

/** Each round: A and B name one auth domain at once. */
async function authDomainAgainstAuthDomain(call: Call): Promise<void> {
  for (let round = 0; round < ROUNDS; round++) {
    const [a, b] = [await freshAccount(call, `A ${round}`), await freshAccount(call, `B ${round}`)];
    const host = `login-${round}-${randomBytes(4).toString('hex')}.race.test`;
    const answers = await Promise.all([a, b].map((account, i) => call((round + i) % 2, 'PUT', `/accounts/${account}/access/organizations`, { name: `Org ${i}`, auth_domain: host })));
    const label = `round ${round}: ${answers.map((answer) => answer.status).join(', ')}`;
    const winner = answers.findIndex((answer) => answer.status === 200);
    assert.ok(winner >= 0, `${label}: ${JSON.stringify(answers.map((answer) => answer.json))}`);
    assertRefused(answers[1 - winner]!, '/auth_domain', label);
    assert.notEqual(await authDomainOf(call, [a, b][1 - winner]!), host, label);
  }
}

for (const kind of await databaseKinds()) {
  describe(`two accounts claiming one host at once, one server (${kind.name})`, { skip: kind.skip }, () => {
    let db: TestDatabase;
    let s: TestServer;
    const call: Call = (_server, method, path, body) => s.api(method, path, body);
    before(async () => {
      db = await kind.create();
      s = await startTestServer({ database: db });
    });
    after(async () => {
      await s?.close();
      await db?.drop();
    });

    it('an auth domain and an application on its host: exactly one of them is written', { timeout: 120_000 }, async () => {
      await authDomainAgainstApplication(call);
    });

    it('one auth domain named by two accounts: exactly one of them keeps it', { timeout: 120_000 }, async () => {
      await authDomainAgainstAuthDomain(call);
    });
  });
}

describe('two accounts claiming one host at once, through two server processes on one PostgreSQL', { skip: await postgresUnavailable() }, () => {
  const fleet = new ServerFleet();
  const token = randomBytes(30).toString('base64url');
  const call: Call = async (server, method, path, body) => {
    const res = await fetch(`${fleet.servers[server]!.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: await res.json() };
  };
  before(async () => {
    const db = await fleet.databaseFrom(postgresDatabase);
    const env = { PORTCULLIS_API_TOKEN: token, PORTCULLIS_ACCOUNT_ID: randomBytes(16).toString('hex') };
    for (let i = 0; i < 2; i++) await fleet.start(fleet.dataDir(), env, ['--db', db.url]);
  });
  after(() => fleet.dispose());

  it('an auth domain and an application on its host: exactly one of them is written', { timeout: 120_000 }, async () => {
    await authDomainAgainstApplication(call);
  });

  it('one auth domain named by two accounts: exactly one of them keeps it', { timeout: 120_000 }, async () => {
    await authDomainAgainstAuthDomain(call);
  });
});
