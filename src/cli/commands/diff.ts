// `portcullis diff`: who gains and who loses access between two policy sets, and why. Both sets
// decide every user with the compiled evaluator; only users whose status changes are explained
// (interpreter, under both sets) and their explanations compared (collectors/diff.ts).

import type { Command } from 'commander';
import type { Policy, RuleListName } from '../../engine/index.js';
import { evaluateUsers } from '../bulk/run.js';
import { CHANGES, DiffResult, type Change, type ChangedUser, type DiffPartial, type DiffSpec } from '../collectors/diff.js';
import { addAppOptions, addInputOptions, EXIT, policySource, runAction, wholeNumber, write, type AppOptions, type InputOptions } from '../command-kit.js';
import { describeDeciding, type PolicyRef, type Status } from '../evaluation.js';
import { loadInputs } from '../inputs.js';
import { ENTRY_SEPARATOR, JsonEntries } from '../json-entries.js';
import { writeJsonWithEntries } from '../json-output.js';
import type { AppRef } from '../policy-source.js';
import { mark, plural, statusCell } from '../render.js';
import { styleFor, type Style } from '../terminal.js';

interface DiffOptions extends InputOptions, AppOptions {
  readonly before: string;
  readonly after: string;
  readonly limit?: number;
  readonly failOnChange?: boolean;
}

const DEFAULT_HUMAN_LIMIT = 20;

export function registerDiff(program: Command): void {
  const command = program
    .command('diff')
    .summary('who gains and who loses access between two policy sets, and which rule made the difference')
    .description(
      'Decide every user under a policy set before and after a change. For each user whose status changes: ' +
        'the deciding policy before and after, and the policies and rules whose outcome differs.',
    )
    .requiredOption('--before <file>', 'the policies as they are (same formats as test --policies)')
    .requiredOption('--after <file>', 'the policies as they would be');
  addAppOptions(command);
  addInputOptions(command)
    .option('--limit <n>', `describe at most N users per kind of change (default ${DEFAULT_HUMAN_LIMIT}; with --json, all)`, wholeNumber)
    .option('--fail-on-change', "exit 1 when any user's status changes")
    .addHelpText(
      'after',
      '\nExample:\n' +
        '  portcullis diff --before examples/policies.json --after examples/policies-after.json \\\n' +
        '    --groups examples/groups.json --lists examples/lists.json --users examples/users.ndjson --fail-on-change\n' +
        "  portcullis diff --before snapshot/policies.json --after proposed.json --apps snapshot/apps.json --app \"Status page\" ...  # that application's policies by precedence",
    )
    .action(runAction(diffCommand));
}

async function diffCommand(options: DiffOptions): Promise<number> {
  const { inputs, context } = loadInputs([policySource(options.before, options), policySource(options.after, options)], options);
  const [beforeSet, afterSet] = context.policySets;
  const app = context.applications?.[1] ?? context.applications?.[0];
  const json = options.json === true;
  const limit = options.limit ?? (json ? undefined : DEFAULT_HUMAN_LIMIT);
  const spec: DiffSpec = { kind: 'diff', limit: limit ?? null };
  const entries = new JsonEntries(limit === undefined);
  try {
    const result = new DiffResult(spec, (lines) => entries.add(lines));
    await evaluateUsers<DiffPartial>(options, inputs, context, spec, (p) => result.merge(p), 'Comparing');
    if (json) {
      const head = {
        ...(app !== undefined ? { application: app } : {}),
        total_users: result.before.total,
        unchanged: result.before.total - result.changedTotal,
        ...result.changes,
        before: { policies: beforeSet.length, ...result.before.toJSON() },
        after: { policies: afterSet.length, ...result.after.toJSON() },
      };
      // Limited listings were kept in memory as objects; unlimited ones are in `entries` already.
      entries.add(result.users.map((u) => JSON.stringify(u)).join(ENTRY_SEPARATOR));
      await writeJsonWithEntries(head, 'users', entries);
    } else {
      await write(renderHuman(options, beforeSet, afterSet, app, result, styleFor(process.stdout)));
    }
    return result.changedTotal > 0 && options.failOnChange === true ? EXIT.failed : EXIT.ok;
  } finally {
    entries.dispose();
  }
}

const SECTION: Record<Change, string> = { gained: 'Gain access', lost: 'Lose access', changed: 'Change between blocked and error' };

function renderHuman(options: DiffOptions, beforeSet: readonly Policy[], afterSet: readonly Policy[], app: AppRef | undefined, result: DiffResult, style: Style): string {
  const { changes, users: kept } = result;
  const total = result.before.total;
  const out: string[] = [];
  const sets = `${plural(beforeSet.length, 'policy', 'policies')} in ${options.before} → ${plural(afterSet.length, 'policy', 'policies')} in ${options.after}`;
  const what = app === undefined ? sets : `application ${JSON.stringify(app.name)}${app.domain !== undefined ? ` (${app.domain})` : ''}, by precedence: ${sets}${options.apps !== undefined ? ` (applications from ${options.apps})` : ''}`;
  out.push(`Policy diff: ${what}, ${plural(total, 'user')} from ${options.users}`, '');
  const changedTotal = result.changedTotal;
  if (changedTotal === 0) {
    out.push('No user gains or loses access.');
    return out.join('\n') + '\n';
  }
  const verb = (n: number, one: string, many: string) => (n === 1 ? one : many);
  out.push(
    `${style.green(plural(changes.gained, 'user'))} ${verb(changes.gained, 'gains', 'gain')} access, ` +
      `${style.red(plural(changes.lost, 'user'))} ${verb(changes.lost, 'loses', 'lose')} access, ` +
      `${plural(changes.changed, 'user')} ${verb(changes.changed, 'changes', 'change')} between blocked and error, ${plural(total - changedTotal, 'user')} unchanged.`,
  );
  for (const change of CHANGES) {
    if (changes[change] === 0) continue;
    const users = kept.filter((u) => u.change === change);
    const more = changes[change] > users.length ? `, first ${users.length} shown (--limit N for more)` : '';
    out.push('', style.bold(`${SECTION[change]} (${changes[change].toLocaleString('en-US')}${more}):`));
    for (const u of users) out.push(...userLines(u, style));
  }
  return out.join('\n') + '\n';
}

function outcomeWord(outcome: string | null): string {
  return outcome ?? 'absent';
}

function sideLine(status: Status, ref: PolicyRef | null, style: Style): string {
  const paint = statusCell(status, style);
  const word = typeof paint === 'string' ? paint : paint.paint(paint.text);
  return ref === null ? `${word}: no policy matched (blocked by default)` : `${word} by ${describeDeciding(ref)} [${ref.index}]`;
}

function userLines(u: ChangedUser, style: Style): string[] {
  const out = [`  ${u.email}${u.name !== '' ? ` (${u.name})` : ''}: ${u.before.status} → ${u.after.status}`];
  out.push(`    before: ${sideLine(u.before.status, u.before.deciding_policy, style)}`);
  out.push(`    after:  ${sideLine(u.after.status, u.after.deciding_policy, style)}`);
  for (const d of u.differences) {
    const label = `${(d.after ?? d.before)!.decision} ${JSON.stringify(d.name)}`;
    const outcome = (o: string) => `${mark(o, style)} ${o}`;
    if (d.before === null) out.push(`    + ${label} (added): ${outcome(d.after!.outcome)}`);
    else if (d.after === null) out.push(`    - ${label} (removed): was ${outcome(d.before.outcome)}`);
    else {
      const decision = d.before.decision !== d.after.decision ? ` (decision ${d.before.decision} → ${d.after.decision})` : '';
      out.push(`    ~ ${label}${decision}: ${outcome(d.before.outcome)} → ${outcome(d.after.outcome)}`);
    }
    for (const r of d.rules) out.push(`        ${ruleLine(r.list, r.rule, r.before, r.after, r.reason.message)}`);
  }
  return out;
}

function ruleLine(list: RuleListName, rule: unknown, before: string | null, after: string | null, reason: string): string {
  const text = `${list} ${JSON.stringify(rule)}`;
  if (before === null) return `+ ${text} (added): ${after} — ${reason}`;
  if (after === null) return `- ${text} (removed): was ${before} — ${reason}`;
  return `~ ${text}: ${outcomeWord(before)} → ${outcomeWord(after)} — ${reason}`;
}
