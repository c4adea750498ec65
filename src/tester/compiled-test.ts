// A policy test's policy sets compiled against its account snapshot: the same on the event
// loop's thread and on every worker thread, since both start from the same plain data.

import { accountEnvOf, type AccountSnapshot } from '../account/account-env.js';
import { compilePolicySet } from '../engine/index.js';
import { parseTestPolicies, type TestDefinition } from './definition.js';
import type { CompiledTest } from './evaluate-chunk.js';

/** What a thread needs to decide a test's chunks: JSON-safe, so it can be posted to a worker. */
export interface TestSpec {
  readonly id: string;
  readonly accountId: string;
  readonly definition: TestDefinition;
  readonly snapshot: AccountSnapshot;
}

/** Throws when a stored policy no longer parses (see parseTestPolicies). */
export function compileTest(spec: Pick<TestSpec, 'definition' | 'snapshot'>): CompiledTest {
  const env = accountEnvOf(spec.snapshot).env;
  const current = compilePolicySet(parseTestPolicies(spec.definition.policies), env);
  const baseline = spec.definition.baseline === undefined ? undefined : compilePolicySet(parseTestPolicies(spec.definition.baseline), env);
  return { current, ...(baseline !== undefined ? { baseline } : {}) };
}
