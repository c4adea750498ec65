// Parsing and checking imports, without a server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PreparedUser } from '../../store/store.js';
import type { RequestIssue } from '../errors.js';
import { identityRecord } from '../../engine/index.js';
import { ImportRefused, jsonUserBatches, ndjsonUserBatches } from './user-import.js';

/** Every batch gathered, or the refusal's issues. */
async function checkedImport(batches: AsyncIterable<PreparedUser[]>): Promise<{ ok: true; users: PreparedUser[] } | { ok: false; issues: RequestIssue[] }> {
  const users: PreparedUser[] = [];
  try {
    for await (const batch of batches) users.push(...batch);
  } catch (err) {
    if (err instanceof ImportRefused) return { ok: false, issues: err.issues };
    throw err;
  }
  return { ok: true, users };
}

const checkNdjsonImport = (body: string, maxUsers: number) => checkedImport(ndjsonUserBatches(body, maxUsers));
const checkJsonImport = (body: unknown, maxUsers: number) => checkedImport(jsonUserBatches(body, maxUsers));

test('an NDJSON import keeps the order of its lines and skips blank ones, and prepares each entry for the store', async () => {
  const checked = await checkNdjsonImport('\n{"email":"a@x.org","name":"A"}\r\n\n  \n{"email":"b@x.org","identity":{"ip":"10.0.0.1"}}', 10);
  assert.deepEqual(checked, {
    ok: true,
    users: [
      { email: 'a@x.org', name: 'A', identity: null, identityRecord: null },
      // The record carries the email the stored identity gets (the user's, when it has none).
      { email: 'b@x.org', name: null, identity: JSON.stringify({ ip: '10.0.0.1', email: 'b@x.org' }), identityRecord: identityRecord({ ip: '10.0.0.1', email: 'b@x.org' }) },
    ],
  });
  assert.deepEqual(await checkNdjsonImport('', 10), { ok: true, users: [] });
});

test('line numbers count blank lines, so they match what an editor shows', async () => {
  const checked = await checkNdjsonImport('{"email":"a@x.org"}\n\n{"email":"nope"}', 10);
  assert.equal(checked.ok, false);
  assert.deepEqual(!checked.ok && checked.issues.map((i) => [i.code, i.pointer]), [['invalid_email', '/line/3/email']]);
});

test('prototype keys are refused like in JSON bodies', async () => {
  const checked = await checkNdjsonImport('{"email":"a@x.org","identity":{"__proto__":{"admin":true}}}', 10);
  assert.equal(checked.ok, false);
  assert.deepEqual(!checked.ok && checked.issues.map((i) => [i.code, i.pointer]), [['invalid_format', '/line/1']]);
});

test('a JSON import is checked entry by entry and nothing is returned to write when one fails', async () => {
  const checked = await checkJsonImport({ users: [{ email: 'a@x.org' }, { email: 'b@x.org', identity: { email: 'c@x.org' } }] }, 10);
  assert.deepEqual(checked, {
    ok: false,
    issues: [{ code: 'identity_email_mismatch', pointer: '/users/1/identity/email', message: 'The identity\'s email "c@x.org" is not the user\'s email "b@x.org"; leave it out or make them the same.' }],
  });
});

test('an NDJSON body in chunks is read as UTF-8 wherever a chunk cuts a character or a line, and refused where it is not UTF-8', async () => {
  const text = '{"email":"zoe@x.org","name":"Zoë 😀 Ωμέγα"}\n{"email":"li@x.org","name":"李"}\n';
  const bytes = Buffer.from(text);
  const inPieces = (body: Buffer, size: number): Buffer[] => Array.from({ length: Math.ceil(body.length / size) }, (_, i) => body.subarray(i * size, (i + 1) * size));
  for (const size of [1, 2, 3, 5, 7, 64]) {
    const checked = await checkedImport(ndjsonUserBatches(inPieces(bytes, size), 10));
    assert.ok(checked.ok, `chunks of ${size} bytes`);
    assert.deepEqual(checked.users.map((u) => u.name), ['Zoë 😀 Ωμέγα', '李'], `chunks of ${size} bytes`);
  }
  const broken = [Buffer.from('{"email":"a@x.org"}\n{"email":"b@x.org","name":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')];
  const refused = await checkedImport(ndjsonUserBatches(broken, 10));
  assert.equal(refused.ok, false);
  assert.match(!refused.ok ? refused.issues[0]!.message : '', /not UTF-8 after line 1/);
  // A body that ends half-way through a character is not UTF-8 either.
  const cut = await checkedImport(ndjsonUserBatches([bytes.subarray(0, bytes.indexOf(Buffer.from('李')) + 1)], 10));
  assert.equal(cut.ok, false);
});
