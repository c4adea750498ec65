// `portcullis lint`: validation errors and lint warnings for policies and Access groups files,
// each with its file, line, JSON pointer and code. Files are recognised by shape (policies have
// a "decision"), or named with --policies / --groups.

import type { Command } from 'commander';
import { lintGroup, lintPolicy, lintPolicySet, type Group, type LintFinding, type ListIndex } from '../../engine/index.js';
import { Catalog, checkGroupReferences, parseGroupItems, parseIdpItems, parseListItems, type IdentityProvider, type Located } from '../catalog.js';
import { EXIT, runAction, UsageError, write, writeJson } from '../command-kit.js';
import { loadJson, type JsonDocument } from '../json-source.js';
import { checkPolicyReferences, parsePolicyItems } from '../policy-file.js';
import { problemLocation, Problems, sortProblems, type Problem } from '../../transfer/problems.js';
import { plural } from '../render.js';
import { findItems, isObject, itemsOf, type Items } from '../shapes.js';
import { styleFor } from '../terminal.js';

interface LintOptions {
  readonly policies: string[];
  readonly groups: string[];
  readonly lists?: string;
  readonly idps?: string;
  readonly strict?: boolean;
  readonly json?: boolean;
}

export type Severity = 'error' | 'warning';
export interface Finding extends Problem {
  readonly severity: Severity;
}

type Kind = 'policies' | 'groups';
interface Part {
  readonly kind: Kind;
  readonly items: Items;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerLint(program: Command): void {
  program
    .command('lint')
    .summary('validation errors and lint warnings for policies and Access groups files')
    .description(
      'Validate policies and Access groups files as the server does on write, check what they refer to, and report lint warnings ' +
        '(policies that let everybody in, can never match, repeat a rule, ...). Each file is recognised by its shape: ' +
        'policies have a "decision"; a file with "policies" and "groups" arrays (an export) is linted as both.',
    )
    .argument('[files...]', 'policies or groups files (JSON array, export file, or API list response)')
    .option('--policies <file>', 'a file to lint as policies (repeatable)', collect, [])
    .option('--groups <file>', 'a file to lint as Access groups, also used to resolve group rules (repeatable)', collect, [])
    .option('--lists <file>', 'Gateway lists: check that list rules name existing lists of the right type')
    .option('--idps <file>', 'identity providers: check IdP references, and find allow policies open to one-time PIN logins')
    .option('--strict', 'exit 1 on warnings too')
    .option('--json', 'machine-readable output on stdout')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  portcullis lint examples/policies.json examples/groups.json --lists examples/lists.json --idps examples/idps.json\n' +
        '  portcullis lint --strict --json export.json',
    )
    .action(runAction(lintCommand));
}

/** What a file holds, judged by its shape; undefined when it cannot be told. */
export function detectParts(doc: JsonDocument): Part[] | undefined {
  const kindOfArray = (values: readonly unknown[]): Kind => {
    const objects = values.filter(isObject);
    if (objects.some((v) => 'decision' in v)) return 'policies';
    return objects.length > 0 && objects.every((v) => 'include' in v || 'name' in v) ? 'groups' : 'policies';
  };
  if (Array.isArray(doc.value)) return [{ kind: kindOfArray(doc.value), items: { doc, values: doc.value, base: '' } }];
  if (!isObject(doc.value)) return undefined;
  const parts: Part[] = [];
  // Groups first: policies refer to them.
  const groups = findItems(doc, ['groups']);
  if (groups !== undefined && groups.base === '/groups') parts.push({ kind: 'groups', items: groups });
  const policies = findItems(doc, ['policies']);
  if (policies !== undefined && policies.base === '/policies') parts.push({ kind: 'policies', items: policies });
  if (parts.length === 0) {
    const result = findItems(doc, ['result']);
    if (result !== undefined) parts.push({ kind: kindOfArray(result.values), items: result });
  }
  return parts.length > 0 ? parts : undefined;
}

/** What lint reads: the files to lint, split into parts by kind, and the lists and IdPs to check against. */
interface LintInputs {
  readonly parts: Part[];
  readonly lists: ListIndex[];
  readonly idps: IdentityProvider[];
}

/** Read every file; throws an InputError (exit 2) for files that cannot be read or recognised. */
function readLintInputs(files: readonly string[], options: LintOptions): LintInputs {
  const problems = new Problems();
  const parts: Part[] = [];
  const named = (list: readonly string[], kind: Kind, key: string, what: string) => {
    for (const file of list) {
      const doc = loadJson(file, problems);
      const items = doc && itemsOf(doc, key, what, problems);
      if (items !== undefined) parts.push({ kind, items });
    }
  };
  named(options.groups, 'groups', 'groups', 'Access groups');
  for (const file of files) {
    const doc = loadJson(file, problems);
    if (doc === undefined) continue;
    const detected = detectParts(doc);
    if (detected !== undefined) parts.push(...detected);
    else {
      problems.add(doc.problem('', 'invalid_shape', 'Expected policies or Access groups: a JSON array, an object with a "policies" or "groups" array, or an API response with a "result" array. Name the file with --policies or --groups.'));
    }
  }
  named(options.policies, 'policies', 'policies', 'policies');
  const context = (file: string | undefined, key: string, what: string) => {
    const doc = file === undefined ? undefined : loadJson(file, problems);
    return doc && itemsOf(doc, key, what, problems);
  };
  const listItems = context(options.lists, 'lists', 'Gateway lists');
  const idpItems = context(options.idps, 'identity_providers', 'identity providers');
  const lists = listItems === undefined ? [] : parseListItems(listItems, problems);
  const idps = idpItems === undefined ? [] : parseIdpItems(idpItems, problems);
  problems.throwIfAny();
  return { parts, lists, idps };
}

/** Validation and reference errors, then lint warnings, of every part. */
function lintParts({ parts, lists, idps }: LintInputs, options: LintOptions): Finding[] {
  // Validation and reference problems are this command's findings, not bad input: no cap.
  const errors = new Problems(Infinity);
  const warnings: Problem[] = [];
  const warn = (items: Items, findings: LintFinding[]) => {
    for (const f of findings) warnings.push(items.doc.problem(f.pointer, f.code, f.message));
  };
  const seenGroupIds = new Set<string>();
  const groups: Located<Group>[] = parts.filter((p) => p.kind === 'groups').flatMap((p) => parseGroupItems(p.items, errors, seenGroupIds));
  const catalog = new Catalog(
    groups.map((g) => g.value),
    lists,
    idps,
    { groups: parts.some((p) => p.kind === 'groups'), lists: options.lists !== undefined, idps: options.idps !== undefined },
  );
  checkGroupReferences(groups, catalog, 'lint', errors);
  for (const g of groups) warn(g.items, lintGroup(g.value, catalog.lintContext, g.pointer));
  for (const part of parts.filter((p) => p.kind === 'policies')) {
    const policies = parsePolicyItems(part.items, errors);
    checkPolicyReferences(policies, catalog, 'lint', errors);
    if (policies.length === part.items.values.length) {
      warn(part.items, lintPolicySet(policies.map((p) => p.value), catalog.lintContext, part.items.base));
    } else {
      // Set-level checks need the whole set; with invalid policies only each valid one is linted.
      for (const p of policies) warn(part.items, lintPolicy(p.value, catalog.lintContext, p.pointer));
    }
  }
  return sortProblems([
    ...errors.list.map((p) => ({ ...p, severity: 'error' as const })),
    ...warnings.map((p) => ({ ...p, severity: 'warning' as const })),
  ]);
}

async function lintCommand(files: string[], options: LintOptions): Promise<number> {
  if (files.length === 0 && options.policies.length === 0 && options.groups.length === 0) throw new UsageError('name at least one file to lint');
  const inputs = readLintInputs(files, options);
  const findings = lintParts(inputs, options);
  const fileNames = [...new Set(inputs.parts.map((p) => p.items.doc.file))];
  const errorCount = findings.filter((f) => f.severity === 'error').length;
  const warningCount = findings.length - errorCount;
  if (options.json === true) {
    await writeJson({
      files: fileNames.map((file) => ({ file, kinds: inputs.parts.filter((p) => p.items.doc.file === file).map((p) => p.kind) })),
      errors: errorCount,
      warnings: warningCount,
      findings: findings.map(({ file, line, column, pointer, severity, code, message }) => ({ file, line, column, pointer, severity, code, message })),
    });
  } else {
    const style = styleFor(process.stdout);
    const lines = findings.map((f) => {
      const word = f.severity === 'error' ? style.red('error') : style.yellow('warning');
      return `${problemLocation(f)}: ${word}: ${f.message} [${f.code}]`;
    });
    const summary =
      findings.length === 0
        ? `No problems in ${plural(fileNames.length, 'file')}.`
        : `${plural(errorCount, 'error')}, ${plural(warningCount, 'warning')} in ${plural(fileNames.length, 'file')}.`;
    await write([...lines, ...(lines.length > 0 ? [''] : []), summary].join('\n') + '\n');
  }
  return errorCount > 0 || (options.strict === true && warningCount > 0) ? EXIT.failed : EXIT.ok;
}
