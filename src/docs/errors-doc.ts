// docs/errors.md carries tables generated from the code tables (validation issue codes and
// lint codes), between marker comments; `npm run docs` rewrites them and a test fails when
// the file and the code disagree.

import { LINT_CODES, VALIDATION_CODES } from '../engine/index.js';

export const BEGIN = '<!-- BEGIN GENERATED: codes (npm run docs) -->';
export const END = '<!-- END GENERATED: codes -->';

function rows(codes: Record<string, string>): string {
  return Object.entries(codes)
    .map(([code, text]) => `| \`${code}\` | ${text.replace(/\|/g, '\\|')} |`)
    .join('\n');
}

export function renderCodeTables(): string {
  return [
    BEGIN,
    '### Validation issues (errors: the write is refused)',
    '',
    '| code | meaning |',
    '|---|---|',
    rows(VALIDATION_CODES),
    '',
    '### Lint findings (warnings: the write succeeds)',
    '',
    '| code | meaning |',
    '|---|---|',
    rows(LINT_CODES),
    END,
  ].join('\n');
}

/** Replace the generated block of `doc` with the current tables. */
export function updateDoc(doc: string): string {
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error('docs/errors.md lacks the generated-block markers');
  return doc.slice(0, start) + renderCodeTables() + doc.slice(end + END.length);
}
