// The compiled evaluator must decide exactly like the reference interpreter: same access
// (granted / blocked / unknown) and same deciding policy, on random policy sets, random
// (possibly cyclic) groups, lists with missing entries, random identities and external answers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { externalAnswers, identity, wireGroups, wirePolicy, WORLD } from './arbitraries.js';
import { compilePolicySet } from './compile.js';
import { buildListIndex, type EvalEnv, type ExternalAnswers } from './env.js';
import { prepareIdentity } from './identity.js';
import { explain } from './interpreter.js';
import { resultAccess, resultDecidingIndex } from './outcome.js';
import type { Group, Policy } from './rules.js';
import { parseGroup, parsePolicy } from './validate.js';

const RUNS = Number(process.env.DIFFERENTIAL_RUNS ?? 12_000);

const lists = new Map(Object.entries(WORLD.lists).map(([id, l]) => [id, buildListIndex(id, l.type, l.items)]));

function envFor(groups: Record<string, Record<string, unknown>>, strict: boolean): EvalEnv {
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

function parseAll(wires: Record<string, unknown>[]): Policy[] {
  return wires.map((w, i) => {
    const r = parsePolicy(w, { id: `p${i}` });
    if (!r.ok) throw new Error(`generated policy does not parse: ${JSON.stringify(r.issues)}`);
    return r.value;
  });
}

test(`compiled evaluator agrees with the interpreter (${RUNS} random cases)`, () => {
  let seen = { granted: 0, blocked: 0, unknown: 0 };
  fc.assert(
    fc.property(
      fc.array(wirePolicy(), { minLength: 1, maxLength: 5 }),
      wireGroups(),
      fc.array(identity(), { minLength: 1, maxLength: 4 }),
      externalAnswers(),
      fc.boolean(),
      (wires, groups, identities, answers, strict) => {
        const policies = parseAll(wires);
        const env = envFor(groups, strict);
        const external: ExternalAnswers = (rule) => answers[rule.evaluateUrl];
        const compiled = compilePolicySet(policies, env);
        for (const raw of identities) {
          const prepared = prepareIdentity(raw);
          const expected = explain(policies, prepared, env, { external });
          const packed = compiled.evaluate(prepareIdentity(raw), external);
          assert.equal(resultAccess(packed), expected.access);
          assert.equal(resultDecidingIndex(packed), expected.deciding?.index ?? -1);
          seen[expected.access]++;
        }
      },
    ),
    { numRuns: RUNS },
  );
  // The generators must exercise every outcome, or agreement proves little.
  for (const [access, count] of Object.entries(seen)) assert.ok(count > RUNS / 50, `too few ${access} outcomes: ${count}`);
});

test('rule explanations agree with the policy outcome they roll up to', () => {
  fc.assert(
    fc.property(fc.array(wirePolicy(), { minLength: 1, maxLength: 4 }), wireGroups(), identity(), externalAnswers(), (wires, groups, raw, answers) => {
      const policies = parseAll(wires);
      const env = envFor(groups, true);
      const result = explain(policies, prepareIdentity(raw), env, { external: (rule) => answers[rule.evaluateUrl] });
      for (const p of result.policies) {
        if (p.outcome === 'skipped') {
          assert.ok([...p.include, ...p.require, ...p.exclude].every((r) => r.outcome === 'skipped'));
          continue;
        }
        const inc = p.include.map((r) => r.outcome);
        if (p.outcome === 'matched') {
          assert.ok(inc.includes('matched'));
          assert.ok(p.require.every((r) => r.outcome === 'matched'));
          assert.ok(p.exclude.every((r) => r.outcome === 'not_matched'));
        }
        if (p.outcome === 'not_matched') {
          assert.ok(
            inc.every((o) => o === 'not_matched') ||
              p.require.some((r) => r.outcome === 'not_matched') ||
              p.exclude.some((r) => r.outcome === 'matched'),
          );
        }
        for (const r of [...p.include, ...p.require, ...p.exclude]) {
          assert.ok(r.pointer.startsWith(p.pointer + '/'), r.pointer);
          assert.equal(typeof r.reason.code, 'string');
          assert.ok(r.reason.message.length > 0);
        }
      }
    }),
    { numRuns: 2000 },
  );
});
