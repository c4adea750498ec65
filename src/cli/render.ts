// Human-readable renderings of engine results for the terminal.

import { executionOrder, type Explanation, type RuleExplanation, type RuleSetExplanation } from '../engine/index.js';

const MARK: Record<string, string> = { matched: '✔', not_matched: '✘', unknown: '?', skipped: '·' };

/** A plain text table with padded columns. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function ruleLines(rule: RuleExplanation, indent: string, out: string[]): void {
  out.push(`${indent}${MARK[rule.outcome]} ${rule.selector}: ${rule.reason.message}`);
  if (rule.group !== undefined) setLines(rule.group, indent + '    ', out);
}

function setLines(set: RuleSetExplanation, indent: string, out: string[]): void {
  for (const list of ['include', 'require', 'exclude'] as const) {
    if (set[list].length === 0) continue;
    out.push(`${indent}${list}:`);
    for (const rule of set[list]) ruleLines(rule, indent + '  ', out);
  }
}

/**
 * The explanation as an indented tree: each policy in the order it was evaluated (bypass and
 * service auth first), its lists and every rule's outcome and reason.
 */
export function explanationTree(explanation: Explanation): string {
  const out = [explanation.summary];
  const policies = explanation.policies;
  for (const index of executionOrder(policies.map((p) => p.decision))) {
    const p = policies[index];
    const deciding = explanation.deciding?.index === p.index ? '  ← decided' : '';
    out.push(`${MARK[p.outcome]} [${p.index}] ${p.decision} "${p.name}" — ${p.outcome}${deciding}`);
    if (p.outcome !== 'skipped') setLines(p, '    ', out);
  }
  return out.join('\n');
}
