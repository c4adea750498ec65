// A received NDJSON body: read to its end whoever reads it, its chunks handed to one reader in
// order as they come, and its failure (too large, the client gone) thrown to that reader.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { NdjsonBody } from './ndjson-body.js';

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
