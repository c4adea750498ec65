// A pino destination for tests: every JSON line the server logs, parsed, in order.
import { Writable } from 'node:stream';

export function logLines<T = Record<string, unknown>>(): { readonly lines: T[]; readonly stream: Writable } {
  const lines: T[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as T);
      callback();
    },
  });
  return { lines, stream };
}
