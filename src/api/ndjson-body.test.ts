// A received NDJSON body: read to its end whoever reads it, its chunks handed to one reader in
// order as they come, and its failure (too large, the client gone) thrown to that reader; past a
// threshold the rest waits in an unlinked temporary file.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { tempDir } from '../../test/support/databases.js';
import { API_ERRORS, ApiError } from './errors.js';
import { NdjsonBody, type ReceivedBody } from './ndjson-body.js';

describe('a received NDJSON body', () => {
  it('is read to its end with no reader, and then handed over whole, in order', async () => {
    const stream = new PassThrough();
    const received = new NdjsonBody(stream, 1_000).receive();
    stream.write('{"a":1}\n');
    stream.end('{"b":2}\n');
    await received.arrived;
    const chunks: string[] = [];
    for await (const chunk of received) chunks.push(chunk.toString());
    assert.equal(chunks.join(''), '{"a":1}\n{"b":2}\n');
  });

  it('hands chunks over as they come', async () => {
    const stream = new PassThrough();
    const received = new NdjsonBody(stream, 1_000).receive();
    const reader = received[Symbol.asyncIterator]();
    const first = reader.next();
    stream.write('one\n');
    assert.equal((await first).value?.toString(), 'one\n');
    const second = reader.next();
    stream.end('two\n');
    assert.equal((await second).value?.toString(), 'two\n');
    assert.equal((await reader.next()).done, true);
    await assert.rejects(async () => {
      for await (const _ of received) assert.fail('a second reader gets nothing');
    }, /read once/);
  });

  it('fails its reader and its arrival once it passes the limit', async () => {
    const stream = new PassThrough();
    const received = new NdjsonBody(stream, 10).receive();
    stream.write('0123456789');
    stream.write('x');
    await assert.rejects(received.arrived, /larger than the limit of 10 bytes/);
    await assert.rejects(async () => {
      for await (const _ of received);
    }, /larger than the limit of 10 bytes/);
  });
});

describe('a received NDJSON body past what is held in memory', () => {
  /** Paths of this process's open files under `dir` (an unlinked file shows as "... (deleted)"). */
  const openFilesIn = (dir: string): string[] =>
    readdirSync('/proc/self/fd').flatMap((fd) => {
      try {
        const target = readlinkSync(`/proc/self/fd/${fd}`);
        return target.startsWith(dir) ? [target] : [];
      } catch {
        return [];
      }
    });

  /** A body received from a stream written by hand, whose file goes to a fresh directory (`subdir` of it), removed afterwards. */
  async function withSpool(options: { limit?: number; afterBytes: number; subdir?: string }, test: (body: { dir: string; stream: PassThrough; received: ReceivedBody }) => Promise<void>): Promise<void> {
    const dir = tempDir('portcullis-spool-');
    try {
      const stream = new PassThrough();
      const received = new NdjsonBody(stream, options.limit ?? 1_000_000, { dir: join(dir.path, options.subdir ?? ''), afterBytes: options.afterBytes }).receive();
      await test({ dir: dir.path, stream, received });
    } finally {
      dir.remove();
    }
  }

  it('keeps the rest in an unlinked temporary file and hands it over in order, as it comes', () =>
    withSpool({ afterBytes: 100 }, async ({ dir, stream, received }) => {
      const lines = Array.from({ length: 200 }, (_, i) => `{"email":"user${i}@example.com"}\n`);
      for (const line of lines.slice(0, 100)) stream.write(line);
      // Written to the file as it comes, in the background: wait for it (a fixed pause failed on a loaded machine).
      for (let waited = 0; received.spooledBytes === 0 && waited < 10_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.ok(received.spooledBytes > 0, 'past 100 bytes the body goes to the file');
      assert.deepEqual(readdirSync(dir), [], 'the file has no name');
      if (existsSync('/proc/self/fd')) assert.equal(openFilesIn(dir).filter((f) => f.endsWith('(deleted)')).length, 1, 'one unlinked file is open');
      const reader = received[Symbol.asyncIterator]();
      let text = '';
      // Read while the rest still arrives: what is in memory first, then the file, then what comes.
      const readAll = (async () => {
        for (let next = await reader.next(); next.done !== true; next = await reader.next()) text += next.value.toString();
      })();
      for (const line of lines.slice(100)) stream.write(line);
      stream.end();
      await received.arrived;
      await readAll;
      assert.equal(text, lines.join(''));
      const total = lines.join('').length;
      assert.ok(received.spooledBytes <= total && total - received.spooledBytes <= 100, `at most 100 bytes held in memory (${total - received.spooledBytes})`);
      await received.discard();
      if (existsSync('/proc/self/fd')) assert.deepEqual(openFilesIn(dir), [], 'the file is closed once discarded');
    }));

  it('holds a body that stays under the threshold in memory, with no file', () =>
    withSpool({ limit: 1_000, afterBytes: 100 }, async ({ dir, stream, received }) => {
      stream.end('{"a":1}\n');
      await received.arrived;
      assert.equal(received.spooledBytes, 0);
      if (existsSync('/proc/self/fd')) assert.deepEqual(openFilesIn(dir), []);
      await received.discard();
    }));

  it('fails with 503 body_not_kept, naming only the error code, when the file cannot be made', () =>
    withSpool({ afterBytes: 10, subdir: 'no/such/dir' }, async ({ stream, received }) => {
      stream.write('0123456789');
      stream.end('abcdef');
      const refused = (err: unknown) => err instanceof ApiError && err.status === 503 && err.errors[0]?.code === API_ERRORS.body_not_kept.code && /ENOENT/.test(err.message) && !err.message.includes('/no/such/dir');
      await assert.rejects(received.arrived, refused);
      await assert.rejects(async () => {
        for await (const _ of received);
      }, refused);
    }));

  it('once discarded, keeps nothing more of what still arrives', () =>
    withSpool({ afterBytes: 10 }, async ({ dir, stream, received }) => {
      stream.write('0123456789');
      const discarded = received.discard();
      stream.write('more than ten bytes');
      stream.end('and the end');
      await discarded;
      assert.equal(received.spooledBytes, 0, 'nothing went to a file after the discard');
      if (existsSync('/proc/self/fd')) assert.deepEqual(openFilesIn(dir), []);
    }));
});
