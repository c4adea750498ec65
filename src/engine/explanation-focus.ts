// Which parts of an explanation a person needs to see to understand the result. The CLI's tree
// and the dashboard show these in full and the rest folded; JSON answers keep everything.

import type { Explanation, PolicyExplanation } from './interpreter.js';
import { grants } from './outcome.js';

/**
 * Whether a policy's rules explain the result: the deciding policy's do, and when nothing
 * matched, those of every evaluated policy that could have let the user in. The others (a deny
 * that did not match, an allow evaluated before the one that decided, a skipped policy) did not
 * decide.
 */
export function policyMattered(explanation: Explanation, policy: PolicyExplanation): boolean {
  if (policy.outcome === 'skipped') return false;
  if (explanation.deciding !== null) return explanation.deciding.index === policy.index;
  return grants(policy.decision);
}
