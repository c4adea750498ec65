// Reads whose answers the server keeps (routes with keep: 'account', e.g. GET of a policy and
// the policies list) answer every write to the account from the next read on: a replaced
// policy, an application that starts or stops using it (app_count), a new policy, a deleted
// one. On one server (SQLite), on two server processes sharing a SQLite file, and on two
// sharing a PostgreSQL database, written through one and read through both; each read is made
// twice before the write so that its answer is kept, and a kept answer is the same text as a
// fresh one.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describeTwoInstances } from '../../test/support/shared-instances.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { KeptAnswers } from './kept-answers.js';
import { LRU_MOVE_MS } from './lru-move.js';

interface Instance {
  /** Status and body text of a call with the root token. */
  call(method: string, path: string, body?: unknown): Promise<{ status: number; text: string; json: any }>;
}

function instanceAt(apiUrl: string, accountId: string, root: string): Instance {
  return {
    async call(method, path, body) {
      const res = await fetch(`${apiUrl}/accounts/${accountId}${path}`, {
        method,
        headers: { authorization: `Bearer ${root}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, text, json: JSON.parse(text) };
    },
  };
}

const policy = (name: string) => ({ name, decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });

function keptReads(setup: () => { writer: Instance; readers: readonly Instance[] }): void {
  /** Every reader's answer to GET `path`, read twice (the second may be the kept one): the same text both times. */
  async function readEverywhere(path: string): Promise<{ status: number; json: any }[]> {
    const answers = [];
    for (const [i, reader] of setup().readers.entries()) {
      const first = await reader.call('GET', path);
      const second = await reader.call('GET', path);
      assert.equal(second.text, first.text, `instance ${i}: a kept answer is the text of a fresh one`);
      answers.push(first);
    }
    return answers;
  }

  const write = async (method: string, path: string, body?: unknown) => {
    const answer = await setup().writer.call(method, path, body);
    assert.ok(answer.status < 300, `${method} ${path}: ${answer.text}`);
    return answer.json.result;
  };

  it('answers a replaced policy, its app_count and the list from the next read on', async () => {
    const created = await write('POST', '/access/policies', policy(`kept ${randomBytes(3).toString('hex')}`));
    const item = `/access/policies/${created.id}`;
    const list = '/access/policies?per_page=1000';
    for (const a of await readEverywhere(item)) assert.equal(a.json.result.name, created.name);
    for (const a of await readEverywhere(list)) assert.ok(a.json.result.some((p: { id: string }) => p.id === created.id));

    await write('PUT', item, policy(`${created.name} renamed`));
    for (const a of await readEverywhere(item)) assert.equal(a.json.result.name, `${created.name} renamed`);
    for (const a of await readEverywhere(list)) assert.equal(a.json.result.find((p: { id: string }) => p.id === created.id).name, `${created.name} renamed`);

    const app = await write('POST', '/access/apps', { type: 'self_hosted', name: 'Wiki', domain: `${randomBytes(4).toString('hex')}.example.com`, policies: [{ id: created.id, precedence: 1 }] });
    for (const a of await readEverywhere(item)) assert.equal(a.json.result.app_count, 1);
    for (const a of await readEverywhere(list)) assert.equal(a.json.result.find((p: { id: string }) => p.id === created.id).app_count, 1);

    await write('DELETE', `/access/apps/${app.id}`);
    for (const a of await readEverywhere(item)) assert.equal(a.json.result.app_count, 0);
    await write('DELETE', item);
    for (const a of await readEverywhere(item)) assert.equal(a.status, 404);
    for (const a of await readEverywhere(list)) assert.ok(!a.json.result.some((p: { id: string }) => p.id === created.id));
  });

  it('answers a new policy in the list, and its total, from the next read on', async () => {
    const list = '/access/policies?per_page=1';
    const before = (await readEverywhere(list)).map((a) => a.json.result_info.total_count as number);
    await write('POST', '/access/policies', policy(`new ${randomBytes(3).toString('hex')}`));
    const after = (await readEverywhere(list)).map((a) => a.json.result_info.total_count as number);
    assert.deepEqual(after, before.map((n) => n + 1));
  });
}

describe('kept answers: one server on SQLite', () => {
  let s: TestServer;
  const setup = () => {
    const instance = instanceAt(s.apiUrl, s.accountId, s.rootToken);
    return { writer: instance, readers: [instance] };
  };
  it('starts', async () => {
    s = await startTestServer();
  });
  after(() => s?.close());
  describe('writes through the API', () => keptReads(setup));
});

await describeTwoInstances(
  (where) => `kept answers: two server processes on one ${where}`,
  ({ root, accountId, apiUrls }) => {
    const instances = () => apiUrls().map((url) => instanceAt(url, accountId, root));
    describe('written on the first, read on both', () => keptReads(() => ({ writer: instances()[0]!, readers: instances() })));
    describe('written on the second, read on both', () => keptReads(() => ({ writer: instances()[1]!, readers: instances() })));
  },
);

describe('KeptAnswers', () => {
  const answer = (text: string) => ({ status: 200, text, headers: undefined });
  /** Sixteen answers of 20 bytes each (key and text, two bytes a character) fill 320 bytes. */
  const full = () => {
    const kept = new KeptAnswers(320);
    for (let i = 0; i < 16; i++) kept.set(`k${i.toString(16)}`, 's1', answer('x'.repeat(8)), 0);
    return kept;
  };

  it('answers only at the stamp it was kept at, and forgets it at another', () => {
    const kept = full();
    assert.equal(kept.get('k0', 's1', 10)?.text, 'xxxxxxxx');
    assert.equal(kept.get('k0', 's2', 10), undefined);
    assert.equal(kept.get('k0', 's1', 10), undefined, 'dropped once its stamp had moved');
  });

  it('drops the least recently used first, an answer read a second or more later counting as used', () => {
    const kept = full();
    assert.ok(kept.get('k0', 's1', LRU_MOVE_MS) !== undefined);
    kept.set('kg', 's1', answer('x'.repeat(8)), LRU_MOVE_MS);
    assert.ok(kept.get('k0', 's1', LRU_MOVE_MS) !== undefined, 'k0 had moved behind k1');
    assert.equal(kept.get('k1', 's1', LRU_MOVE_MS), undefined, 'k1, the least recently used, went');
    assert.ok(kept.get('kg', 's1', LRU_MOVE_MS) !== undefined);
  });
});
