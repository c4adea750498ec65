// An NDJSON users file read in 1 MiB chunks: lines that span chunks come back whole and with
// their numbers, and a line past the limit is one problem, skipped without being held (it was
// joined and searched again at every chunk: a 200 MB line took two minutes and a gigabyte).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Problems } from '../../transfer/problems.js';
import { MAX_LINE_CHARS, streamNdjson } from './ndjson.js';

async function read(text: string): Promise<{ entries: [number, unknown][]; problems: Problems }> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-ndjson-'));
  try {
    const file = join(dir, 'users.ndjson');
    writeFileSync(file, text);
    const entries: [number, unknown][] = [];
    const problems = new Problems();
    await streamNdjson(file, problems, (value, line) => entries.push([line, value]));
    return { entries, problems };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('lines that span chunks come back whole, numbered as in the file', async () => {
  const long = { email: 'b@x.test', name: 'b'.repeat(700_000) };
  const text = [JSON.stringify({ email: 'a@x.test', name: 'a'.repeat(800_000) }), JSON.stringify(long), '', JSON.stringify({ email: 'c@x.test' })].join('\n');
  const { entries, problems } = await read(`\ufeff${text}`);
  assert.equal(problems.count, 0, JSON.stringify(problems.list));
  assert.deepEqual(entries.map(([line, value]) => [line, (value as { email: string }).email]), [[1, 'a@x.test'], [2, 'b@x.test'], [4, 'c@x.test']]);
  assert.deepEqual(entries[1]![1], long);
});

test('a line past the limit is one line_too_long problem; the lines around it are read', async () => {
  for (const size of [MAX_LINE_CHARS + 1, 5 * MAX_LINE_CHARS + 12_345]) {
    const text = [JSON.stringify({ email: 'a@x.test' }), 'x'.repeat(size), JSON.stringify({ email: 'c@x.test' }), ''].join('\n');
    const { entries, problems } = await read(text);
    assert.deepEqual(problems.list.map((p) => [p.line, p.code]), [[2, 'line_too_long']], String(size));
    assert.deepEqual(entries.map(([line]) => line), [1, 3], String(size));
  }
  const last = await read(`${JSON.stringify({ email: 'a@x.test' })}\n${'y'.repeat(3 * MAX_LINE_CHARS)}`);
  assert.deepEqual(last.problems.list.map((p) => [p.line, p.code]), [[2, 'line_too_long']], 'a last line without its newline too');
});
