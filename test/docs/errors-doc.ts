// docs/errors.md carries tables generated from the one error registry (src/api/errors.ts) and
// the engine's code tables, between marker comments; `npm run docs` rewrites them and a test
// fails when the file and the code disagree.

import { ALL_VALIDATION_CODES, API_ERRORS, LINT_CODES, LINT_NUMBERS, REQUEST_NOTES, VALIDATION_NUMBERS } from '../../src/api/errors.js';
import { replaceBlock, table } from './generated-block.js';

export const BEGIN = '<!-- BEGIN GENERATED: codes (npm run docs) -->';
export const END = '<!-- END GENERATED: codes -->';

export function renderCodeTables(): string {
  return [
    BEGIN,
    '### Request errors',
    '',
    'Each answers with the status shown and one entry in `errors`; `{name}` parts of the message are filled in.',
    '',
    table(
      ['code', 'status', 'name', 'message'],
      Object.entries(API_ERRORS).map(([name, spec]) => [spec.code, spec.status, `\`${name}\``, spec.message]),
    ),
    '',
    '### Validation issues (400: the write is refused)',
    '',
    'One entry in `errors` per issue, with `source.pointer` naming the offending value.',
    '',
    codeTable(ALL_VALIDATION_CODES, VALIDATION_NUMBERS),
    '',
    '### Lint findings (warnings in `messages`: the write succeeds)',
    '',
    codeTable(LINT_CODES, LINT_NUMBERS),
    '',
    '### Request notes (in `messages`: the request succeeds)',
    '',
    table(['code', 'name', 'meaning'], Object.entries(REQUEST_NOTES).map(([name, note]) => [note.code, `\`${name}\``, note.meaning])),
    END,
  ].join('\n');
}

/** Replace the generated block of `doc` with the current tables. */
export function updateDoc(doc: string): string {
  return replaceBlock(doc, { begin: BEGIN, end: END, render: renderCodeTables }, 'docs/errors.md');
}

/** A table of numbered codes: number, name, meaning. */
function codeTable(meanings: Readonly<Record<string, string>>, numbers: Readonly<Record<string, number>>): string {
  return table(['code', 'name', 'meaning'], Object.entries(meanings).map(([name, text]) => [numbers[name], `\`${name}\``, text]));
}
