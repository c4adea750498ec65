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

/** The longest line read (as the server's import): a user of thousands of groups takes a few hundred KiB. */
export const MAX_LINE_CHARS = 1 << 20;
/** The same limit for readers of bytes: a line within MAX_LINE_CHARS is at most three bytes a character. */
export const MAX_LINE_BYTES = 3 * MAX_LINE_CHARS;

/**
 * Stream an NDJSON file through parseNdjsonLines, in order, in this thread. Each chunk is
 * searched once: a line that spans chunks is kept as its pieces (joining and searching it again
 * at every chunk made one long line quadratic), and one past MAX_LINE_CHARS is a problem and is
 * skipped without being held.
 */
export async function streamNdjson(
  file: string,
  problems: Problems,
  onEntry: (value: unknown, line: number) => void,
  onProgress?: (bytesRead: number) => void,
): Promise<void> {
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: CHUNK_BYTES });
  let pieces: string[] = [];
  let held = 0;
  let overlong = false;
  let nextLine = 1;
  let first = true;
  const tooLong = () => problems.add({ file, line: nextLine, code: 'line_too_long', message: `The line is longer than ${MAX_LINE_CHARS.toLocaleString('en-US')} characters; one user a line is far less.` });
  for await (let chunk of stream as AsyncIterable<string>) {
    if (first) {
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      first = false;
    }
    const firstEnd = chunk.indexOf('\n');
    if (firstEnd === -1) {
      // The held line goes on.
      if (!overlong && held + chunk.length > MAX_LINE_CHARS) {
        overlong = true;
        tooLong();
        pieces = [];
        held = 0;
      } else if (!overlong) {
        pieces.push(chunk);
        held += chunk.length;
      }
      continue;
    }
    let text = chunk;
    if (overlong || held + firstEnd > MAX_LINE_CHARS) {
      // The held line ends here: reported (once), and skipped.
      if (!overlong) tooLong();
      nextLine++;
      text = chunk.slice(firstEnd + 1);
    } else if (pieces.length > 0) {
      text = pieces.join('') + chunk;
    }
    overlong = false;
    pieces = [];
    held = 0;
    const end = text.lastIndexOf('\n');
    if (end >= 0) nextLine += parseNdjsonLines(text.slice(0, end + 1), nextLine, file, problems, onEntry);
    const rest = text.slice(end + 1);
    if (rest.length > 0) {
      pieces.push(rest);
      held = rest.length;
    }
    onProgress?.(stream.bytesRead);
  }
  if (overlong) return;
  const rest = pieces.join('');
  if (rest.length > 0) parseNdjsonLines(rest, nextLine, file, problems, onEntry);
}
