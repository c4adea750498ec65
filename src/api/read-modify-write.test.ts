// Cloudflare's clients read a resource, change it and send the whole `result` back: every
// resource takes its own GET answer in a PUT, and an unknown top-level field is kept out of
// storage with a warning in `messages` instead of a refusal (docs/errors.md, code 1450).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomAccountId } from '../../test/support/server.js';
import { describeEachDatabase } from '../../test/support/suite.js';

const IGNORED_NOTE = 1450;

interface Resource {
  readonly name: string;
  /** Collection path below the account. */
  readonly path: string;
  readonly create: Record<string, unknown>;
  /** A field to change in the round trip, and its new value. */
  readonly change: readonly [string, unknown];
}

const RESOURCES: readonly Resource[] = [
  { name: 'service token', path: 'access/service_tokens', create: { name: 'CI', duration: '24h' }, change: ['name', 'CI (renamed)'] },
  { name: 'Gateway list', path: 'gateway/lists', create: { name: 'Offices', type: 'IP', items: [{ value: '10.0.0.0/8' }] }, change: ['description', 'all offices'] },
  { name: 'reusable policy', path: 'access/policies', create: { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] }, change: ['name', 'Staff (renamed)'] },
  { name: 'access group', path: 'access/groups', create: { name: 'Ops', include: [{ email: { email: 'ops@example.com' } }] }, change: ['name', 'Operations'] },
  { name: 'identity provider', path: 'access/identity_providers', create: { name: 'PIN', type: 'onetimepin', config: {} }, change: ['name', 'One-time PIN'] },
];

await describeEachDatabase('Read-modify-write and unknown fields', (s) => {
  for (const resource of RESOURCES) {
    it(`a ${resource.name} takes its own GET answer back in a PUT, without notes`, async () => {
      const account = randomAccountId();
      const base = `/accounts/${account}/${resource.path}`;
      const created = await s.api('POST', base, resource.create);
      assert.ok(created.status === 200 || created.status === 201, JSON.stringify(created.json));
      const id = created.json.result.id as string;
      const read = await s.api('GET', `${base}/${id}`);
      assert.equal(read.status, 200);
      const [field, value] = resource.change;
      const sentBack = { ...read.json.result, [field]: value };
      const updated = await s.api('PUT', `${base}/${id}`, sentBack);
      assert.equal(updated.status, 200, JSON.stringify(updated.json.errors));
      assert.deepEqual(updated.json.messages.filter((m: { code: number }) => m.code === IGNORED_NOTE), [], 'read-only fields of the answer pass without a note');
      assert.equal(updated.json.result[field], value);
      assert.equal(updated.json.result.id, id, 'the id in the body does not change the resource');
    });

    it(`a ${resource.name} keeps an unknown top-level field out of storage and warns about it`, async () => {
      const account = randomAccountId();
      const base = `/accounts/${account}/${resource.path}`;
      const created = await s.api('POST', base, { ...resource.create, foo: 1 });
      assert.ok(created.status === 200 || created.status === 201, JSON.stringify(created.json));
      const note = created.json.messages.find((m: { code: number }) => m.code === IGNORED_NOTE);
      assert.ok(note !== undefined, `a note about "foo": ${JSON.stringify(created.json.messages)}`);
      assert.equal(note.source.pointer, '/foo');
      assert.match(note.message, /"foo"/);
      const read = await s.api('GET', `${base}/${created.json.result.id}`);
      assert.equal(read.json.result.foo, undefined, 'the unknown field is not stored');
    });
  }

  it('still refuses an unknown key inside a rule, where it would change the meaning', async () => {
    const account = randomAccountId();
    const res = await s.api('POST', `/accounts/${account}/access/policies`, { name: 'Typo', decision: 'allow', include: [{ email: { email: 'a@example.com', emial: 'b@example.com' } }] });
    assert.equal(res.status, 400);
    assert.equal(res.json.errors[0].code, 1302);
    assert.equal(res.json.errors[0].source.pointer, '/include/0/email/emial');
  });

  it('says nothing when a service token round trip changes nothing', async () => {
    const account = randomAccountId();
    const base = `/accounts/${account}/access/service_tokens`;
    const created = await s.api('POST', base, { name: 'CI' });
    const { client_secret: _secret, ...answer } = created.json.result;
    const updated = await s.api('PUT', `${base}/${answer.id}`, answer);
    assert.equal(updated.status, 200);
    assert.deepEqual(updated.json.messages, []);
    assert.equal(updated.json.result.client_id, answer.client_id, 'client_id sent back does not change the token');
    assert.equal(updated.json.result.expires_at, answer.expires_at);
  });
});
