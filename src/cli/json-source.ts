// Reading JSON (and YAML) files so that every problem can name a line and column: JSON syntax
// errors are placed from the parser's position, and JSON pointers into a parsed document are
// placed by re-reading the text with the `yaml` parser (JSON is YAML), only when reporting.

import { readFileSync, statSync } from 'node:fs';
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import type { Problem, Problems } from '../transfer/problems.js';

export interface Position {
  readonly line: number;
  readonly column: number;
}

/** Read a whole text file; a problem (not an exception) when it is missing or unreadable. */
export function readText(file: string, problems: Problems): string | undefined {
  try {
    if (statSync(file).isDirectory()) {
      problems.add({ file, code: 'file_unreadable', message: 'This is a directory, not a file.' });
      return undefined;
    }
    return readFileSync(file, 'utf8');
  } catch (err) {
    problems.add(fileProblem(file, err));
    return undefined;
  }
}

/** The problem for a file that cannot be opened, from the error `fs` raised. */
export function fileProblem(file: string, err: unknown): Problem {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return { file, code: 'file_not_found', message: 'No such file.' };
  if (code === 'EISDIR') return { file, code: 'file_unreadable', message: 'This is a directory, not a file.' };
  if (code === 'EACCES') return { file, code: 'file_unreadable', message: 'Permission denied.' };
  return { file, code: 'file_unreadable', message: `Cannot read the file (${code ?? (err as Error).message}).` };
}

/** 1-based line and column of a character offset. */
export function positionOf(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

// V8 shows up to this many characters either side of an unexpected token (json-parser.cc).
const V8_CONTEXT_CHARS = 10;

/**
 * The offset and a short description of a JSON.parse error. V8 puts "at position N" in most
 * messages; for an unexpected token it quotes the text around it instead, from which the
 * offset is recovered. The quoted text itself is left out of the message.
 */
export function describeJsonError(err: unknown, text: string): { offset?: number; message: string } {
  const raw = err instanceof Error ? err.message : String(err);
  const at = /^(.*?) (?:in JSON )?at position (\d+)/s.exec(raw);
  if (at !== null) return { offset: Number(at[2]), message: at[1] };
  const token = /^Unexpected token '(.+?)', (\.\.\.)?"(.*)"(\.\.\.)? is not valid JSON$/s.exec(raw);
  if (token !== null) {
    const [, ch, before, context, after] = token;
    const message = `Unexpected character ${JSON.stringify(ch)}`;
    if (before === undefined && after !== undefined) return { offset: context.length - V8_CONTEXT_CHARS, message };
    if (before !== undefined && after === undefined) return { offset: text.length - context.length + V8_CONTEXT_CHARS, message };
    if (before !== undefined) {
      for (let i = text.indexOf(context); i !== -1; i = text.indexOf(context, i + 1)) {
        if (text.startsWith(ch, i + V8_CONTEXT_CHARS)) return { offset: i + V8_CONTEXT_CHARS, message };
      }
    }
    if (text.split(ch).length === 2) return { offset: text.indexOf(ch), message };
    return { message };
  }
  if (raw.startsWith('Unexpected end of JSON input')) return { offset: text.length, message: 'Unexpected end of the JSON text' };
  return { message: raw };
}

/** A document parsed by `yaml` with its line counter: what places a pointer on a line. */
export interface LocatedDocument {
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
}

/** A parsed JSON file, able to place a JSON pointer on a line. */
export class JsonDocument {
  private located: LocatedDocument | null | undefined;

  constructor(
    readonly file: string,
    readonly text: string,
    readonly value: unknown,
  ) {}

  /** The line and column of the value at `pointer` (or of its nearest existing ancestor). */
  locate(pointer: string): Position | undefined {
    if (this.located === undefined) this.located = parseForLocation(this.text);
    return this.located === null ? undefined : locatePointer(this.located, pointer);
  }

  /** A problem at `pointer`, placed on its line. */
  problem(pointer: string, code: string, message: string): Problem {
    return { file: this.file, code, message, pointer, ...this.locate(pointer) };
  }
}

/** Read and parse a JSON file; undefined (and a problem) when it cannot be read or parsed. */
export function loadJson(file: string, problems: Problems): JsonDocument | undefined {
  const text = readText(file, problems);
  if (text === undefined) return undefined;
  try {
    return new JsonDocument(file, text, JSON.parse(text));
  } catch (err) {
    const { offset, message } = describeJsonError(err, text);
    problems.add({
      file,
      code: 'invalid_json',
      message: `Not valid JSON: ${message}.`,
      ...(offset !== undefined ? positionOf(text, offset) : {}),
    });
    return undefined;
  }
}

/** Texts larger than this are not re-parsed to place a pointer on a line (the pointer is enough). */
const MAX_LOCATE_CHARS = 8 * 1024 * 1024;

function parseForLocation(text: string): LocatedDocument | null {
  if (text.length > MAX_LOCATE_CHARS) return null;
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false });
  return doc.errors.length > 0 ? null : { doc, lines };
}

export function unescapePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The line and column of the node at `pointer`, or of its nearest existing ancestor. */
export function locatePointer(located: LocatedDocument, pointer: string): Position | undefined {
  let node: unknown = located.doc.contents;
  for (const token of unescapePointer(pointer)) {
    let next: unknown;
    if (isSeq(node)) next = node.items[Number(token)];
    else if (isMap(node)) next = node.items.find((pair) => isPair(pair) && isScalar(pair.key) && String(pair.key.value) === token)?.value;
    if (next === undefined || next === null) break;
    node = next;
  }
  const range = (node as Node | null)?.range;
  if (range === undefined || range === null) return undefined;
  const { line, col } = located.lines.linePos(range[0]);
  return { line, column: col };
}
