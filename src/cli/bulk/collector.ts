// Collectors: what a command keeps from each decided user (counts, the users it lists, the
// users it needs later). A collector runs where users are decided, in this thread or in a
// worker thread; `take()` hands over a partial result, a plain structured-cloneable object,
// which the command merges in file order. Specs are plain data, so a worker can build the
// same collector from them.

import type { EvalEnv, PackedResult, Policy, PreparedIdentity } from '../../engine/index.js';
import type { AppRef } from '../policy-source.js';
import type { SourceUser } from '../users/user.js';

export interface EvaluationContext {
  /** The policy sets every user is decided against, in the order the command gave them. */
  readonly policySets: readonly (readonly Policy[])[];
  /** For each set taken from an application (--app), that application. */
  readonly applications?: readonly (AppRef | undefined)[];
  readonly env: EvalEnv;
}

export interface Collector<P> {
  /** One decided user: `results[i]` is the packed result under policy set i. */
  add(user: SourceUser, identity: PreparedIdentity, results: readonly PackedResult[]): void;
  /** The partial result since the last take, and start a new one. */
  take(): P;
}
