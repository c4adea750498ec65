// NDJSON users files: one JSON value per line. The file is read in 1 MiB chunks and each chunk
// parsed as it arrives, so a file of a million users never has more than a chunk of text and
// one parsed entry in memory. The same line parser runs in worker threads (bulk/worker.ts).

import { createReadStream } from 'node:fs';
import { describeJsonError } from '../json-source.js';
import type { Problems } from '../../transfer/problems.js';

export const CHUNK_BYTES = 1 << 20;

/**
 * Parse every complete line of `text` (each ending in "\n"; the last may lack it when `final`),
 * calling `onEntry` with the value and its line number (`firstLine` for the first). Blank lines
 * are skipped, CRLF tolerated; a line that is not JSON becomes an `invalid_json` problem.
 * Returns the number of lines consumed.
 */
export function parseNdjsonLines(
  text: string,
  firstLine: number,
  file: string,
  problems: Problems,
  onEntry: (value: unknown, line: number) => void,
): number {
  let line = firstLine - 1;
  let start = 0;
  const length = text.length;
  while (start < length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = length;
    line++;
    let stop = end;
    if (stop > start && text.charCodeAt(stop - 1) === 13) stop--;
    if (stop > start) {
      const raw = text.slice(start, stop);
      if (!(raw.charCodeAt(0) <= 32 && raw.trim() === '')) {
        let value: unknown;
        let ok = true;
        try {
          value = JSON.parse(raw);
        } catch (err) {
          ok = false;
          const { offset, message } = describeJsonError(err, raw);
          problems.add({ file, line, ...(offset !== undefined ? { column: offset + 1 } : {}), code: 'invalid_json', message: `Not valid JSON: ${message}.` });
        }
        if (ok) onEntry(value, line);
      }
    }
    start = end + 1;
  }
  return line - firstLine + 1;
}

/** Stream an NDJSON file through parseNdjsonLines, in order, in this thread. */
export async function streamNdjson(
  file: string,
  problems: Problems,
  onEntry: (value: unknown, line: number) => void,
  onProgress?: (bytesRead: number) => void,
): Promise<void> {
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: CHUNK_BYTES });
  let rest = '';
  let nextLine = 1;
  let first = true;
  for await (const chunk of stream as AsyncIterable<string>) {
    let text = rest + chunk;
    if (first) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    const end = text.lastIndexOf('\n');
    if (end === -1) {
      rest = text;
      continue;
    }
    nextLine += parseNdjsonLines(text.slice(0, end + 1), nextLine, file, problems, onEntry);
    rest = text.slice(end + 1);
    onProgress?.(stream.bytesRead);
  }
  if (rest.length > 0) parseNdjsonLines(rest, nextLine, file, problems, onEntry);
}
