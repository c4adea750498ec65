// Deciding users: the policy sets of a run compiled once, every user prepared once and decided
// by the compiled evaluator under each set, then handed to the command's collector. The same
// code runs in this thread and in worker threads (worker.ts).

import { compilePolicySet, prepareIdentity, type CompiledPolicySet, type PackedResult } from '../../engine/index.js';
import { loadCatalog, type CatalogFiles } from '../catalog.js';
import { DiffCollector, type DiffSpec } from '../collectors/diff.js';
import { TestCollector, type TestSpec } from '../collectors/test.js';
import { UsersCollector, type UsersSpec } from '../collectors/users.js';
import { loadPolicySource, type PolicySource } from '../policy-source.js';
import { Problems } from '../../transfer/problems.js';
import type { SourceUser } from '../users/user.js';
import type { Collector, EvaluationContext } from './collector.js';

/** The files a run decides users against (plain data: workers load them again). */
export interface RunInputs extends CatalogFiles {
  readonly policySources: readonly PolicySource[];
}

export type CollectorSpec = TestSpec | DiffSpec | UsersSpec;

/** Load the catalog and policy sets of a run; every problem goes to `problems`. */
export function loadContext(inputs: RunInputs, problems: Problems): EvaluationContext {
  const catalog = loadCatalog(inputs, problems);
  const sets = inputs.policySources.map((source) => loadPolicySource(source, catalog, problems));
  return { policySets: sets.map((set) => set.policies), applications: sets.map((set) => set.app), env: catalog.env };
}

export function createCollector(spec: CollectorSpec, context: EvaluationContext): Collector<unknown> {
  switch (spec.kind) {
    case 'test':
      return new TestCollector(spec, context);
    case 'diff':
      return new DiffCollector(spec, context);
    case 'users':
      return new UsersCollector(spec);
  }
}

export class UserEvaluator {
  private readonly compiled: readonly CompiledPolicySet[];
  private readonly results: PackedResult[];

  constructor(
    context: EvaluationContext,
    readonly collector: Collector<unknown>,
  ) {
    this.compiled = context.policySets.map((policies) => compilePolicySet(policies, context.env));
    this.results = new Array<PackedResult>(this.compiled.length).fill(0);
  }

  add(user: SourceUser): void {
    const identity = prepareIdentity(user.identity);
    for (let i = 0; i < this.compiled.length; i++) this.results[i] = this.compiled[i].evaluate(identity);
    this.collector.add(user, identity, this.results);
  }
}
