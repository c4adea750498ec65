// The differential property shared by differential.test.ts and intern-mixed.test.ts: the
// compiled evaluator must decide exactly like the reference interpreter (same access, same
// deciding policy) on random policy sets, random (possibly cyclic) groups, lists with missing
// entries, random identities and external answers. Test support only.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { externalAnswers, identity, wireGroups, wirePolicy, WORLD } from './arbitraries.js';
import { compilePolicySet } from '../../src/engine/compile.js';
import { buildListIndex, type EvalEnv, type ExternalAnswers } from '../../src/engine/env.js';
import { prepareIdentity } from '../../src/engine/identity.js';
import { explain } from '../../src/engine/interpreter.js';
import { resultAccess, resultDecidingIndex } from '../../src/engine/outcome.js';
import type { Group, Policy } from '../../src/engine/rules.js';
import { parseGroup, parsePolicy } from '../../src/engine/validate.js';

const lists = new Map(Object.entries(WORLD.lists).map(([id, l]) => [id, buildListIndex(id, l.type, l.items)]));

export function envFor(groups: Record<string, Record<string, unknown>>, strict: boolean): EvalEnv {
  const parsed = new Map<string, Group>();
  for (const [id, wire] of Object.entries(groups)) {
    const r = parseGroup(wire, { id });
    if (!r.ok) throw new Error(`generated group ${id} does not parse: ${JSON.stringify(r.issues)}`);
    parsed.set(id, r.value);
  }
  const base: EvalEnv = { group: (id) => parsed.get(id), list: (id) => lists.get(id), now: WORLD.now };
  if (!strict) return base;
  return {
    ...base,
    identityProviderExists: (id) => WORLD.identityProviders.includes(id),
    serviceToken: (id) => WORLD.serviceTokens[id],
    postureRuleExists: (id) => WORLD.postureRules.includes(id),
    appExists: (id) => WORLD.apps.includes(id),
    accountId: WORLD.accountId,
  };
}

export function parseAll(wires: Record<string, unknown>[]): Policy[] {
  return wires.map((w, i) => {
    const r = parsePolicy(w, { id: `p${i}` });
    if (!r.ok) throw new Error(`generated policy does not parse: ${JSON.stringify(r.issues)}`);
    return r.value;
  });
}

/** Check the property on `runs` random cases; throws (with fast-check's counterexample) on a disagreement. */
export function checkCompiledAgreesWithInterpreter(runs: number): void {
  const seen = { granted: 0, blocked: 0, unknown: 0 };
  fc.assert(
    fc.property(
      fc.array(wirePolicy(), { minLength: 1, maxLength: 5 }),
      wireGroups(),
      fc.array(identity(), { minLength: 1, maxLength: 4 }),
      externalAnswers(),
      fc.boolean(),
      (wires, groups, identities, answers, strict) => {
        // Identities prepared both before the policies are parsed and compiled and after, so that
        // values meet the intern tables (intern.ts) in either order.
        const preparedFirst = identities.map(prepareIdentity);
        const policies = parseAll(wires);
        const env = envFor(groups, strict);
        const external: ExternalAnswers = (rule) => answers[rule.evaluateUrl];
        const compiled = compilePolicySet(policies, env);
        identities.forEach((raw, i) => {
          const expected = explain(policies, prepareIdentity(raw), env, { external });
          for (const prepared of [preparedFirst[i], prepareIdentity(raw)]) {
            const packed = compiled.evaluate(prepared, external);
            assert.equal(resultAccess(packed), expected.access);
            assert.equal(resultDecidingIndex(packed), expected.deciding?.index ?? -1);
          }
          seen[expected.access]++;
        });
      },
    ),
    { numRuns: runs },
  );
  // The generators must exercise every outcome, or agreement proves little.
  for (const [access, count] of Object.entries(seen)) assert.ok(count > runs / 50, `too few ${access} outcomes: ${count}`);
}
