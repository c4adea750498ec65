// `portcullis test`: the policy tester, offline. Every user of the users file is decided by the
// compiled evaluator (as the server's tester does); only --explain runs the interpreter.

import { Option, type Command } from 'commander';
import { explain, prepareIdentity, type Explanation, type Policy } from '../../engine/index.js';
import { evaluateUsers } from '../bulk/run.js';
import { TestResult, type TestPartial, type TestSpec } from '../collectors/test.js';
import { addAppOptions, addInputOptions, EXIT, policySource, runAction, wholeNumber, write, type AppOptions, type InputOptions } from '../command-kit.js';
import { ENTRY_SEPARATOR, JsonEntries } from '../json-entries.js';
import { writeJsonWithEntries } from '../json-output.js';
import { describeDeciding, STATUSES, type Status } from '../evaluation.js';
import { loadInputs } from '../inputs.js';
import { InputError } from '../../transfer/problems.js';
import type { AppRef } from '../policy-source.js';
import { describeSet, explanationTree, plural, statusCell, table } from '../render.js';
import { styleFor } from '../terminal.js';

interface TestOptions extends InputOptions, AppOptions {
  readonly policies: string;
  readonly status?: Status;
  readonly limit?: number;
  readonly explain?: string;
}

/** Users listed per status in the human output when --limit is not given. */
const DEFAULT_HUMAN_LIMIT = 20;

export function registerTest(program: Command): void {
  const command = program
    .command('test')
    .summary('decide every user of a directory export against a policy set, offline')
    .description(
      "Decide every user of a users file against a set of policies, with the engine and semantics of the server's policy tester: " +
        'counts and percentages per status (approved, blocked, error), the users of each status, and optionally why one user got their result.',
    )
    .requiredOption('--policies <file>', 'policies: JSON array, export file {"policies": [...]}, or API list response {"result": [...]}');
  addAppOptions(command);
  addInputOptions(command)
    .addOption(new Option('--status <status>', 'list only users with this status').choices(STATUSES))
    .option('--limit <n>', `list at most N users per status (default ${DEFAULT_HUMAN_LIMIT}; with --json, all)`, wholeNumber)
    .option('--explain <email>', 'explain the decision for this user as a tree')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  portcullis test --policies examples/policies.json --groups examples/groups.json \\\n' +
        '    --lists examples/lists.json --users examples/users.ndjson\n' +
        '  portcullis test ... --status blocked --explain bob@example.com\n' +
        '  portcullis test --policies snapshot/policies.json --apps snapshot/apps.json --app "Status page" ...\n' +
        '  portcullis test ... --json | jq .percent_approved',
    )
    .action(runAction(testCommand));
}

async function testCommand(options: TestOptions): Promise<number> {
  const { inputs, context } = loadInputs([policySource(options.policies, options)], options);
  const policies = context.policySets[0];
  const app = context.applications?.[0];
  const json = options.json === true;
  const limit = options.limit ?? (json ? undefined : DEFAULT_HUMAN_LIMIT);
  const spec: TestSpec = { kind: 'test', limit: limit ?? null, only: options.status ?? null, explain: options.explain?.toLowerCase() ?? null };
  // With no limit (JSON of a whole directory), listed users wait on disk, not in memory.
  const entries = new JsonEntries(limit === undefined);
  try {
    const result = new TestResult(spec, (lines) => entries.add(lines));
    await evaluateUsers<TestPartial>(options, inputs, context, spec, (p) => result.merge(p), 'Evaluating');
    let explanation: Explanation | undefined;
    if (options.explain !== undefined) {
      if (result.explainUser === null) {
        throw new InputError([{ file: options.users, code: 'user_not_found', message: `No user with email ${options.explain} in this file (--explain).` }]);
      }
      explanation = explain(policies, prepareIdentity(result.explainUser.identity), context.env);
    }
    if (json) await printJson(policies, app, result, entries, explanation);
    else await printHuman(options, policies, app, result, explanation);
    return EXIT.ok;
  } finally {
    entries.dispose();
  }
}

async function printJson(policies: readonly Policy[], app: AppRef | undefined, result: TestResult, entries: JsonEntries, explanation: Explanation | undefined): Promise<void> {
  const head = {
    ...(app !== undefined ? { application: app } : {}),
    policies: policies.map((p, index) => ({ index, ...(p.id !== undefined ? { id: p.id } : {}), name: p.name, decision: p.decision })),
    ...result.counts.toJSON(),
  };
  // Limited listings were kept in memory as objects; unlimited ones are in `entries` already.
  entries.add(result.listed.map((u) => JSON.stringify(u)).join(ENTRY_SEPARATOR));
  await writeJsonWithEntries(head, 'users', entries, explanation !== undefined ? { explanation } : {});
}

async function printHuman(options: TestOptions, policies: readonly Policy[], app: AppRef | undefined, result: TestResult, explanation: Explanation | undefined): Promise<void> {
  const style = styleFor(process.stdout);
  const counts = result.counts;
  const out: string[] = [];
  out.push(`Policy test: ${describeSet(policies.length, options.policies, app, options.apps)}, ${plural(counts.total, 'user')} from ${options.users}`, '');
  const right = (s: string) => s.padStart(9);
  out.push(
    table(
      ['status', right('users'), right('percent')],
      [
        ...STATUSES.map((s) => [statusCell(s, style), right(counts.of(s).toLocaleString('en-US')), right(`${counts.percent(s).toFixed(2)}%`)]),
        ['total', right(counts.total.toLocaleString('en-US')), right(counts.total === 0 ? '0.00%' : '100.00%')],
      ],
    ),
  );
  for (const status of STATUSES) {
    if (options.status !== undefined && options.status !== status) continue;
    const users = result.listed.filter((u) => u.status === status);
    const total = counts.of(status);
    if (total === 0) continue;
    const more = total > users.length ? `, first ${users.length} shown (--limit N for more)` : '';
    out.push('', style.bold(`${status} (${total.toLocaleString('en-US')}${more})`));
    if (users.length > 0) {
      const header = status === 'error' ? 'undecidable policy' : 'decided by';
      out.push(table(['email', 'name', header], users.map((u) => [u.email, u.name, describeDeciding(u.deciding_policy)])));
    }
  }
  if (explanation !== undefined) out.push('', style.bold(`Why ${result.explainUser!.email}?`), explanationTree(explanation, style));
  await write(out.join('\n') + '\n');
}
