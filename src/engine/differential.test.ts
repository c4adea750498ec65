// The compiled evaluator must decide exactly like the reference interpreter: same access
// (granted / blocked / unknown) and same deciding policy, on random policy sets, random
// (possibly cyclic) groups, lists with missing entries, random identities and external answers.
// Rule by rule too: each explained rule's reason code is one of its selector's own (the
// catalogue's reasons) and stands for the outcome that the compiled evaluator gives the rule.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IDENTITY_VALUES, externalAnswers, identity, wireGroups, wirePolicy } from '../../test/engine/arbitraries.js';
import { checkCompiledAgreesWithInterpreter, envFor, parseAll } from '../../test/engine/differential.support.js';
import { compilePolicySet } from './compile.js';
import type { EvalEnv, ExternalAnswers } from './env.js';
import { prepareIdentity, type PreparedIdentity } from './identity.js';
import { explain, type RuleExplanation } from './interpreter.js';
import { resultAccess, type RuleOutcome } from './outcome.js';
import { RULE_LISTS, type Rule, type RuleSet } from './rules.js';
import { SELECTORS, reasonOutcome } from './selectors.js';

const RUNS = Number(process.env.DIFFERENTIAL_RUNS ?? 12_000);

test(`compiled evaluator agrees with the interpreter (${RUNS} random cases)`, () => {
  checkCompiledAgreesWithInterpreter(RUNS);
});

const ACCESS_OUTCOME = { granted: 'matched', blocked: 'not_matched', unknown: 'unknown' } as const;

/** The compiled evaluator's outcome of one rule: the access of an allow policy that includes only it. */
function compiledOutcome(rule: Rule, env: EvalEnv, identity: PreparedIdentity, external: ExternalAnswers): RuleOutcome {
  const set = compilePolicySet([{ name: 'one rule', decision: 'allow', include: [rule], require: [], exclude: [], settings: {} }], env);
  return ACCESS_OUTCOME[resultAccess(set.evaluate(identity, external))];
}

test('rule explanations agree with the policy outcome they roll up to, and with the compiled evaluator rule by rule', () => {
  const seen = new Map<string, Set<string>>();
  fc.assert(
    fc.property(fc.array(wirePolicy(), { minLength: 1, maxLength: 4 }), wireGroups(), identity(), externalAnswers(), (wires, groups, raw, answers) => {
      const policies = parseAll(wires);
      const env = envFor(groups, true);
      const prepared = prepareIdentity(raw);
      const external: ExternalAnswers = (rule) => answers[rule.evaluateUrl];
      const result = explain(policies, prepared, env, { external });

      /** Each explained rule beside the rule it explains, into groups. */
      const checkRules = (set: RuleSet, explained: Record<(typeof RULE_LISTS)[number], RuleExplanation[]>): void => {
        for (const list of RULE_LISTS) {
          explained[list].forEach((r, i) => {
            const rule = set[list][i];
            assert.equal(r.selector, rule.kind);
            if (r.outcome === 'skipped') {
              assert.equal(r.reason.code, 'skipped');
              return;
            }
            const outcome = reasonOutcome(r.selector, r.reason.code);
            assert.ok(outcome !== undefined, `${r.reason.code} is not a reason code of ${r.selector}`);
            assert.equal(outcome, r.outcome, `${r.selector}: ${r.reason.code} stands for ${outcome}, explained as ${r.outcome}`);
            assert.equal(compiledOutcome(rule, env, prepared, external), r.outcome, `${r.selector} at ${r.pointer}: compiled and interpreted outcomes differ (${r.reason.code})`);
            let codes = seen.get(r.selector);
            if (codes === undefined) seen.set(r.selector, (codes = new Set()));
            codes.add(r.reason.code);
            if (r.group !== undefined && rule.kind === 'group') checkRules(env.group!(rule.groupId)!, r.group);
          });
        }
      };

      for (const p of result.policies) {
        checkRules(policies[p.index], p);
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
          assert.ok(r.reason.message.length > 0);
        }
      }
    }),
    { numRuns: 2000 },
  );
  // The generators reach every selector, and each selector gives more than one reason.
  for (const s of SELECTORS) {
    const codes = seen.get(s.selector);
    assert.ok(codes !== undefined, `no ${s.selector} rule was evaluated`);
    if (s.selector !== 'everyone') assert.ok(codes.size > 1, `${s.selector} only ever gave ${[...codes].join(', ')}`);
  }
});

test('every value pool of the generators is an identity value that some selector field is compared with', () => {
  const read = new Set(SELECTORS.flatMap((s) => s.fields.flatMap((f) => (f.reads === undefined ? [] : [f.reads]))));
  assert.deepEqual(Object.keys(IDENTITY_VALUES).filter((path) => !read.has(path)), []);
});
