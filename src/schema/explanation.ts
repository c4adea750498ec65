// The explanation of a decision (which policy decided, every rule's outcome and reason), as
// the tester and what-if answer it: documented as an object, typed as the engine builds it.

import type { Explanation } from '../engine/index.js';
import { anyObject, declaredAs } from './json-schema.js';

export const EXPLANATION = declaredAs<Explanation>(anyObject('Every policy and rule evaluated, with outcomes and reasons.'), { name: 'Explanation', module: 'src/engine/interpreter.ts' });
