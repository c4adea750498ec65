// The explanation of a decision (which policy decided, every rule's outcome and reason), as
// the tester and what-if answer it: documented as an object, typed as the engine builds it.

import type { Explanation, PolicyDifference } from '../engine/index.js';
import { anyObject, arr, declaredAs } from './json-schema.js';

export const EXPLANATION = declaredAs<Explanation>(anyObject('Every policy and rule evaluated, with outcomes and reasons.'), { name: 'Explanation', module: 'src/engine/interpreter.ts' });

/** Extension: what made the difference for one user between a policy test's baseline and its policies. */
export const POLICY_DIFFERENCES = arr(
  declaredAs<PolicyDifference>(anyObject('A policy whose outcome or decision differs between the baseline and the tested policies, with the rules whose outcome differs.'), {
    name: 'PolicyDifference',
    module: 'src/engine/explanation-diff.ts',
  }),
  { description: 'Extension (with baseline_policies): the policies and rules that made the difference for this user, in order of execution.' },
);
