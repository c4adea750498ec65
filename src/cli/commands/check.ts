// `portcullis check`: golden expectations. Each case names a user and the status they must get
// (optionally under a subset of the policies); a failing case is printed with its explanation.

import type { Command } from 'commander';
import { compilePolicySet, explain, prepareIdentity, type CompiledPolicySet, type Explanation, type Policy } from '../../engine/index.js';
import { evaluateUsers } from '../bulk/run.js';
import type { UsersPartial } from '../collectors/users.js';
import { addInputOptions, EXIT, runAction, write, writeJson, type InputOptions } from '../command-kit.js';
import { decidingPolicy, statusOf, type PolicyRef, type Status } from '../evaluation.js';
import { loadExpectations, type ExpectationCase } from '../expectations.js';
import { readInputs } from '../inputs.js';
import { Problems } from '../../transfer/problems.js';
import { explanationTree, mark, plural } from '../render.js';
import { styleFor } from '../terminal.js';
import type { SourceUser } from '../users/user.js';

interface CheckOptions extends InputOptions {
  readonly expect: string;
  readonly policies: string;
}

interface CaseResult {
  readonly case: ExpectationCase;
  /** null when the user is not in the users file. */
  readonly status: Status | null;
  readonly pass: boolean;
  readonly deciding_policy: PolicyRef | null;
  readonly explanation?: Explanation;
}

interface PolicySubset {
  readonly policies: Policy[];
  readonly compiled: CompiledPolicySet;
}

export function registerCheck(program: Command): void {
  const command = program
    .command('check')
    .summary('golden expectations: fail when a user does not get the status a case pins')
    .description(
      'Evaluate the cases of an expectations file (YAML or JSON: user, expect, optional policies subset and note) and fail when any ' +
        'user does not get the expected status. Each failing case is printed with its explanation tree.',
    )
    .requiredOption('--expect <file>', 'expectations, YAML or JSON (docs/cli.md)')
    .requiredOption('--policies <file>', 'policies (same formats as test --policies)');
  addInputOptions(command)
    .addHelpText(
      'after',
      '\nExample:\n' +
        '  portcullis check --expect examples/expectations.yaml --policies examples/policies.json \\\n' +
        '    --groups examples/groups.json --lists examples/lists.json --users examples/users.ndjson',
    )
    .action(runAction(checkCommand));
}

/** The policies a case refers to, in file order; each reference is an id, else a name. */
export function selectPolicies(policies: readonly Policy[], refs: readonly string[]): { indexes: number[]; unknown: number[] } {
  const chosen = new Set<number>();
  const unknown: number[] = [];
  refs.forEach((ref, j) => {
    const byId = policies.findIndex((p) => p.id === ref);
    const matches = byId >= 0 ? [byId] : policies.flatMap((p, i) => (p.name === ref ? [i] : []));
    if (matches.length === 0) unknown.push(j);
    for (const i of matches) chosen.add(i);
  });
  return { indexes: [...chosen].sort((a, b) => a - b), unknown };
}

async function checkCommand(options: CheckOptions): Promise<number> {
  const problems = new Problems();
  const expectations = loadExpectations(options.expect, problems);
  const before = problems.count;
  const { inputs, context } = readInputs([{ file: options.policies }], options, problems);
  // Subsets can only be checked against a policies file that loaded.
  const policiesLoaded = problems.count === before;
  const all = context.policySets[0];
  const cases = expectations?.cases ?? [];

  // One compiled set per distinct subset of policies.
  const subsets = new Map<string, PolicySubset>();
  const subsetOf = new Map<ExpectationCase, PolicySubset>();
  for (const c of cases) {
    let indexes = all.map((_, i) => i);
    if (c.policies !== undefined && policiesLoaded) {
      const selected = selectPolicies(all, c.policies);
      for (const j of selected.unknown) {
        problems.add(expectations!.problem(`${c.pointer}/policies/${j}`, 'unknown_policy', `No policy with the id or name ${JSON.stringify(c.policies[j])} in ${options.policies}.`));
      }
      indexes = selected.indexes;
    }
    const key = indexes.join(',');
    let subset = subsets.get(key);
    if (subset === undefined) {
      const policies = indexes.map((i) => all[i]);
      subset = { policies, compiled: compilePolicySet(policies, context.env) };
      subsets.set(key, subset);
    }
    subsetOf.set(c, subset);
  }
  problems.throwIfAny();

  // Keep only the users the cases name: the users file may be a whole directory.
  const found = new Map<string, SourceUser>();
  const spec = { kind: 'users' as const, emails: [...new Set(cases.map((c) => c.user.toLowerCase()))] };
  await evaluateUsers<UsersPartial>(options, inputs, context, spec, (p) => p.users.forEach((u) => found.set(u.email.toLowerCase(), u)), 'Reading users');

  const results: CaseResult[] = cases.map((c) => {
    const user = found.get(c.user.toLowerCase());
    const { policies, compiled } = subsetOf.get(c)!;
    if (user === undefined) return { case: c, status: null, pass: false, deciding_policy: null };
    const identity = prepareIdentity(user.identity);
    const packed = compiled.evaluate(identity);
    const status = statusOf(packed);
    const pass = status === c.expect;
    return {
      case: c,
      status,
      pass,
      deciding_policy: decidingPolicy(policies, packed),
      ...(pass ? {} : { explanation: explain(policies, identity, context.env) }),
    };
  });
  const failed = results.filter((r) => !r.pass).length;
  if (options.json === true) await printJson(results, failed);
  else await printHuman(options, results, failed);
  return failed > 0 ? EXIT.failed : EXIT.ok;
}

async function printJson(results: readonly CaseResult[], failed: number): Promise<void> {
  await writeJson({
    cases: results.length,
    passed: results.length - failed,
    failed,
    results: results.map((r) => ({
      user: r.case.user,
      pointer: r.case.pointer,
      ...(r.case.line !== undefined ? { line: r.case.line } : {}),
      expect: r.case.expect,
      status: r.status,
      pass: r.pass,
      ...(r.case.policies !== undefined ? { policies: r.case.policies } : {}),
      ...(r.case.note !== undefined ? { note: r.case.note } : {}),
      deciding_policy: r.deciding_policy,
      ...(r.status === null ? { reason: 'user_not_found' } : {}),
      ...(r.explanation !== undefined ? { explanation: r.explanation } : {}),
    })),
  });
}

async function printHuman(options: CheckOptions, results: readonly CaseResult[], failed: number): Promise<void> {
  const style = styleFor(process.stdout);
  const out = [`Expectations: ${plural(results.length, 'case')} from ${options.expect}`, ''];
  for (const r of results) {
    const where = `${options.expect}${r.case.line !== undefined ? `:${r.case.line}` : ''}`;
    const subset = r.case.policies !== undefined ? ` (policies: ${r.case.policies.join(', ')})` : '';
    const note = r.case.note !== undefined ? ` — ${r.case.note}` : '';
    if (r.pass) {
      out.push(`${mark('matched', style)} ${r.case.user} is ${r.status}${subset}${note}`);
    } else if (r.status === null) {
      out.push(`${mark('not_matched', style)} ${r.case.user}: expected ${r.case.expect}, but the user is not in ${options.users}${subset}${note} (${where})`);
    } else {
      out.push(`${mark('not_matched', style)} ${r.case.user}: expected ${r.case.expect}, got ${r.status}${subset}${note} (${where})`);
      if (r.explanation !== undefined) out.push(explanationTree(r.explanation, style, '    '));
    }
  }
  const summary = failed === 0 ? style.green(`All ${plural(results.length, 'case')} passed.`) : style.red(`${plural(failed, 'case')} failed, ${results.length - failed} passed.`);
  out.push('', summary);
  await write(out.join('\n') + '\n');
}
