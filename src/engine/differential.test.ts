// The compiled evaluator must decide exactly like the reference interpreter: same access
// (granted / blocked / unknown) and same deciding policy, on random policy sets, random
// (possibly cyclic) groups, lists with missing entries, random identities and external answers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { externalAnswers, identity, wireGroups, wirePolicy } from '../../test/engine/arbitraries.js';
import { checkCompiledAgreesWithInterpreter, envFor, parseAll } from '../../test/engine/differential.support.js';
import { prepareIdentity } from './identity.js';
import { explain } from './interpreter.js';

const RUNS = Number(process.env.DIFFERENTIAL_RUNS ?? 12_000);

test(`compiled evaluator agrees with the interpreter (${RUNS} random cases)`, () => {
  checkCompiledAgreesWithInterpreter(RUNS);
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
