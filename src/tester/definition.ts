// What a policy test runs: the policies as they were when it started (reusable ones copied by
// value, so later edits do not change a running or finished test), in list order, and an
// optional baseline to compare against. Stored as JSON with the test.

import { parsePolicy, type Policy } from '../engine/index.js';

export interface TestPolicy {
  /** The reusable policy's id, when the entry named one. */
  readonly id?: string;
  /** The validated wire body. */
  readonly body: Record<string, unknown>;
}

export interface TestDefinition {
  readonly policies: readonly TestPolicy[];
  readonly baseline?: readonly TestPolicy[];
}

/** Parse stored test policies back into engine policies (they were validated when the test started). */
export function parseTestPolicies(policies: readonly TestPolicy[]): Policy[] {
  return policies.map((p, i) => {
    const parsed = parsePolicy(p.body, { pointer: `/policies/${i}`, ...(p.id !== undefined ? { id: p.id } : {}) });
    if (!parsed.ok) throw new Error(`stored test policy ${i} no longer parses: ${parsed.issues.map((x) => x.message).join(' ')}`);
    return parsed.value;
  });
}

/** Every policy a test evaluates: its policies, then its baseline's. */
export function testPoliciesOf(definition: TestDefinition): Policy[] {
  return [...parseTestPolicies(definition.policies), ...(definition.baseline === undefined ? [] : parseTestPolicies(definition.baseline))];
}
