// Human-readable renderings of engine results for the terminal.

import { executionOrder, policyMattered, type Explanation, type RuleExplanation, type RuleSetExplanation } from '../engine/index.js';
import type { Status } from './evaluation.js';
import type { AppRef } from './policy-source.js';
import { PLAIN, type Style } from './terminal.js';

const MARK: Record<string, string> = { matched: '✔', not_matched: '✘', unknown: '?', skipped: '·' };

/** A table cell: plain text, or text with a colour applied after padding (so columns line up). */
export type Cell = string | { readonly text: string; readonly paint: (s: string) => string };

const cellText = (c: Cell | undefined): string => (c === undefined ? '' : typeof c === 'string' ? c : c.text);

/** A plain text table with padded columns. */
export function table(headers: string[], rows: Cell[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => cellText(r[i]).length)));
  const line = (cells: Cell[]) =>
    cells
      .map((c, i) => {
        const padded = cellText(c).padEnd(i === cells.length - 1 ? 0 : widths[i]);
        return typeof c === 'string' ? padded : c.paint(padded);
      })
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The colour of a status word. */
export function statusCell(status: Status, style: Style): Cell {
  const paint = status === 'approved' ? style.green : status === 'blocked' ? style.red : style.yellow;
  return { text: status, paint };
}

/** The colour of an outcome mark. */
export function mark(outcome: string, style: Style): string {
  const m = MARK[outcome] ?? outcome;
  if (outcome === 'matched') return style.green(m);
  if (outcome === 'not_matched') return style.red(m);
  if (outcome === 'unknown') return style.yellow(m);
  return style.dim(m);
}

function ruleLines(rule: RuleExplanation, indent: string, out: string[], style: Style): void {
  out.push(`${indent}${mark(rule.outcome, style)} ${rule.selector}: ${rule.reason.message}`);
  if (rule.group !== undefined) setLines(rule.group, indent + '    ', out, style);
}

function setLines(set: RuleSetExplanation, indent: string, out: string[], style: Style): void {
  for (const list of ['include', 'require', 'exclude'] as const) {
    if (set[list].length === 0) continue;
    out.push(`${indent}${list}:`);
    for (const rule of set[list]) ruleLines(rule, indent + '  ', out, style);
  }
}

/**
 * The explanation as an indented tree: the summary sentence, then each policy in the order it
 * was evaluated (bypass and service auth first), with the rules and reasons of the policies
 * that mattered and one line for each of the others (`full`: every policy's rules).
 */
export function explanationTree(explanation: Explanation, style: Style = PLAIN, indent = '', full = false): string {
  const out = [explanation.summary];
  const policies = explanation.policies;
  for (const index of executionOrder(policies.map((p) => p.decision))) {
    const p = policies[index];
    const deciding = explanation.deciding?.index === p.index ? style.bold('  ← decided') : '';
    const shown = p.outcome !== 'skipped' && (full || policyMattered(explanation, p));
    const hidden = !shown && p.outcome !== 'skipped' ? style.dim(' (did not decide; rules not shown)') : '';
    out.push(`${mark(p.outcome, style)} [${p.index}] ${p.decision} "${p.name}" — ${p.outcome}${deciding}${hidden}`);
    if (shown) setLines(p, '    ', out, style);
  }
  return out.map((l) => indent + l).join('\n');
}

/** "1 user", "1,000,000 users". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** What was decided against: "4 policies from FILE", or an application's policies by precedence. */
export function describeSet(count: number, file: string, app: AppRef | undefined, appsFile: string | undefined): string {
  const policies = plural(count, 'policy', 'policies');
  if (app === undefined) return `${policies} from ${file}`;
  const from = appsFile === undefined || appsFile === file ? file : `${appsFile} and ${file}`;
  return `application ${JSON.stringify(app.name)}${app.domain !== undefined ? ` (${app.domain})` : ''}: ${policies} by precedence, from ${from}`;
}
