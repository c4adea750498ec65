// Loading the inputs of a test, diff or check run before any user is read: the catalog
// (groups, lists, IdPs) and every policy set, and whether the users file can be opened.
// Problems in any of them are reported together; nothing is evaluated against broken inputs.
// Files of an export directory are first checked against its manifest: an incomplete or changed
// export is refused on its own line, before anything else is said about it.

import type { EvaluationContext } from './bulk/collector.js';
import { loadContext, type RunInputs } from './bulk/evaluator.js';
import type { InputOptions } from './command-kit.js';
import { Problems } from '../transfer/problems.js';
import { checkReadable } from './users/source.js';
import { checkExportFiles } from './account-files/manifest.js';
import type { PolicySource } from './policy-source.js';

export interface LoadedInputs {
  readonly inputs: RunInputs;
  readonly context: EvaluationContext;
}

/** Throws an InputError listing every problem (with those already in `problems`). */
export function loadInputs(policySources: readonly PolicySource[], options: InputOptions, problems = new Problems()): LoadedInputs {
  const loaded = readInputs(policySources, options, problems);
  problems.throwIfAny();
  return loaded;
}

/** Like loadInputs, but leaves the problems to the caller, which may find more first. */
export function readInputs(policySources: readonly PolicySource[], options: InputOptions, problems: Problems): LoadedInputs {
  const exportProblems = new Problems();
  const files = [...policySources.flatMap((s) => [s.file, s.app?.appsFile]), options.groups, options.lists, options.idps, options.users];
  checkExportFiles(files, exportProblems);
  exportProblems.throwIfAny();
  const inputs: RunInputs = {
    policySources,
    ...(options.groups !== undefined ? { groups: options.groups } : {}),
    ...(options.lists !== undefined ? { lists: options.lists } : {}),
    ...(options.idps !== undefined ? { idps: options.idps } : {}),
  };
  const context = loadContext(inputs, problems);
  checkReadable(options.users, problems);
  return { inputs, context };
}
