// Two `portcullis serve` processes on one PostgreSQL database stay consistent: concurrent
// replaces of one policy end in one of the written versions (never a mix), and a group
// deleted on one process while the other creates a policy using it never leaves a policy
// pointing at nothing.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { postgresDatabase, postgresUnavailable } from '../../test/support/databases.js';
import { ServerFleet, type ServerProcess } from '../../test/support/server-process.js';

describe('several server processes on one PostgreSQL', { skip: await postgresUnavailable() }, () => {
  const fleet = new ServerFleet();
  const servers = fleet.servers;
  const token = randomBytes(30).toString('base64url');
  const account = randomBytes(16).toString('hex');

  before(async () => {
    const db = await fleet.databaseFrom(postgresDatabase);
    for (let i = 0; i < 2; i++) await fleet.start(fleet.dataDir(), { PORTCULLIS_API_TOKEN: token, PORTCULLIS_ACCOUNT_ID: account }, ['--db', db.url]);
  });
  after(() => fleet.dispose());

  async function call(server: ServerProcess, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const res = await fetch(`${server.apiUrl}/accounts/${account}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: await res.json() };
  }

  const version = (i: number) => ({
    name: `version ${i}`,
    decision: 'allow',
    include: [{ email: { email: `user${i}@example.com` } }],
    require: [{ geo: { country_code: i % 2 === 0 ? 'US' : 'DE' } }],
    session_duration: `${i + 1}h`,
  });

  it('resolves concurrent replaces of one policy to exactly one written version', async () => {
    const created = await call(servers[0], 'POST', '/access/policies', version(0));
    assert.equal(created.status, 201);
    const id = created.json.result.id;
    const writes = Array.from({ length: 40 }, (_, i) => call(servers[i % 2], 'PUT', `/access/policies/${id}`, version(i + 1)));
    const results = await Promise.all(writes);
    assert.ok(results.every((r) => r.status === 200), results.map((r) => r.status).join(','));
    const [a, b] = await Promise.all(servers.map((s) => call(s, 'GET', `/access/policies/${id}`)));
    assert.deepEqual(a.json.result, b.json.result, 'both processes see the same state');
    const final = a.json.result;
    const n = Number(/^version (\d+)$/.exec(final.name)?.[1]);
    assert.ok(n >= 1 && n <= 40, final.name);
    const expected = version(n);
    assert.deepEqual(
      { name: final.name, include: final.include, require: final.require, session_duration: final.session_duration },
      { name: expected.name, include: expected.include, require: expected.require, session_duration: expected.session_duration },
      'every field comes from the same write',
    );
  });

  it('never lets a policy reference a group that a concurrent delete removed', async () => {
    let created = 0;
    let deleted = 0;
    for (let round = 0; round < 15; round++) {
      const group = await call(servers[0], 'POST', '/access/groups', { name: `group ${round}`, include: [{ everyone: {} }] });
      const gid = group.json.result.id;
      const [del, create] = await Promise.all([
        call(servers[round % 2], 'DELETE', `/access/groups/${gid}`),
        call(servers[(round + 1) % 2], 'POST', '/access/policies', { name: `uses ${round}`, decision: 'allow', include: [{ group: { id: gid } }] }),
      ]);
      if (create.status === 201) {
        created++;
        assert.equal(del.status, 409, 'the group is in use, so its delete is refused');
        assert.equal((await call(servers[0], 'GET', `/access/groups/${gid}`)).status, 200);
      } else {
        deleted++;
        assert.equal(del.status, 202);
        assert.equal(create.status, 400);
        assert.equal(create.json.errors[0].code, 1322, 'unknown_group');
      }
    }
    assert.equal(created + deleted, 15);
  });
});
