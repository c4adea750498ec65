// docs/selectors.md carries tables generated from the selector catalogue (src/engine/selectors.ts)
// between marker comments; `npm run docs` rewrites them and a test fails when the file and the
// catalogue disagree. The prose around them, and docs/semantics.md, are written by hand.

import { FIELD_FORMATS, REFERENCE_KINDS, SELECTORS, type FieldFormat, type FieldSpec, type SelectorSpec } from '../../src/engine/selectors.js';
import type { RuleOutcome } from '../../src/engine/outcome.js';
import { currentBlock, replaceBlock, table, type GeneratedBlock } from './generated-block.js';

export const BEGIN = '<!-- BEGIN GENERATED: selectors (npm run docs) -->';
export const END = '<!-- END GENERATED: selectors -->';

const code = (text: string): string => `\`${text}\``;

/** A value of each format for the wire shapes. */
const EXAMPLES: Record<FieldFormat, string> = {
  id: '"…"',
  text: '"…"',
  email: '"a@example.com"',
  domain: '"example.com"',
  cidr: '"10.0.0.0/8"',
  country: '"US"',
  url: '"https://…"',
  risk_levels: '["high"]',
};

function wireShape(spec: SelectorSpec): string {
  const body = spec.fields.map((f) => `"${f.name}":${EXAMPLES[f.format]}${f.required ? '' : '?'}`).join(',');
  return code(`{"${spec.selector}":{${body}}}`);
}

function reference(spec: SelectorSpec): string {
  const ref = spec.reference;
  if (ref === undefined) return '—';
  const list = ref.listType === undefined ? '' : ` of type ${code(ref.listType)}`;
  return `${REFERENCE_KINDS[ref.kind].noun}${list} (${code(ref.field)})`;
}

const OUTCOME_WORDS: Record<RuleOutcome, string> = { matched: 'matched', not_matched: 'not matched', unknown: 'unknown' };

function reasons(spec: SelectorSpec): string {
  return (Object.keys(OUTCOME_WORDS) as RuleOutcome[])
    .map((outcome) => {
      const codes = Object.keys(spec.reasons).filter((c) => spec.reasons[c] === outcome);
      return codes.length === 0 ? undefined : `${OUTCOME_WORDS[outcome]}: ${codes.map(code).join(', ')}`;
    })
    .filter((part) => part !== undefined)
    .join('; ');
}

const list = (items: readonly string[], wrap: (s: string) => string = code): string => (items.length === 0 ? '—' : items.map(wrap).join(', '));
/** Identity paths are code; descriptions in parentheses ("(the group's own rules)") are prose. */
const readsCell = (reads: readonly string[]): string => list(reads, (r) => (r.startsWith('(') ? r.slice(1, -1) : code(r)));

function fieldRow(spec: SelectorSpec, field: FieldSpec): string[] {
  return [
    code(spec.selector),
    code(field.name),
    field.label,
    code(field.format) + (field.fold === 'lower' ? ', lower-cased' : ''),
    field.required ? 'yes' : 'no',
    field.reads === undefined ? '—' : code(field.reads),
  ];
}

export function renderSelectorTables(): string {
  return [
    BEGIN,
    '### The selectors',
    '',
    'Wire shape: the rule as sent (`?` marks an optional field). Identity: needs a login (refused in `bypass` policies). Reads: the identity values the rule looks at ([identity model](semantics.md#identity-model)). Reason codes: those an explanation gives the rule, by outcome.',
    '',
    table(
      ['#', 'selector', 'title', 'wire shape', 'identity', 'references', 'reads', 'reason codes'],
      SELECTORS.map((s, i) => [i + 1, code(s.selector), s.title, wireShape(s), s.identity ? 'yes' : 'no', reference(s), readsCell(s.reads), reasons(s)]),
    ),
    '',
    '### Their fields',
    '',
    'Label: how the dashboard names the field. Compared with: the identity value the field is matched against, when it is one.',
    '',
    table(
      ['selector', 'field', 'label', 'format', 'required', 'compared with'],
      SELECTORS.flatMap((s) => s.fields.map((f) => fieldRow(s, f))),
    ),
    '',
    '### Field formats',
    '',
    'Checked and normalized once, on write; a value that does not fit is refused (400) with the issue named in [errors.md](errors.md).',
    '',
    table(
      ['format', 'accepts'],
      (Object.keys(FIELD_FORMATS) as FieldFormat[]).map((f) => [code(f), FIELD_FORMATS[f]]),
    ),
    END,
  ].join('\n');
}

const BLOCK: GeneratedBlock = { begin: BEGIN, end: END, render: renderSelectorTables };

/** Replace the generated block of `doc` with the current tables. */
export function updateDoc(doc: string): string {
  return replaceBlock(doc, BLOCK, 'docs/selectors.md');
}

/** The generated block of `doc` as it stands, for the test to compare whole. */
export function generatedBlock(doc: string): string | undefined {
  return currentBlock(doc, BLOCK);
}
