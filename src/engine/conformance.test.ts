// Runs the shared conformance cases (conformance.cases.ts) against BOTH evaluators: the reference
// interpreter (explain) and the compiled evaluator (compilePolicySet). Every case must give the
// same access and deciding policy in both; the interpreter must also give the listed reasons.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { compilePolicySet } from './compile.js';
import { CONFORMANCE_CASES } from '../../test/engine/conformance.cases.js';
import { buildEnv, buildExternal, parseCasePolicies } from '../../test/engine/conformance.support.js';
import { prepareIdentity } from './identity.js';
import { explain, type Explanation, type RuleExplanation, type RuleSetExplanation } from './interpreter.js';
import { resultAccess, resultDecidingIndex } from './outcome.js';
import { SELECTORS } from './selectors.js';

/** Every rule explanation, depth first, including those inside referenced groups. */
function allRuleExplanations(explanation: Explanation): RuleExplanation[] {
  const out: RuleExplanation[] = [];
  const visitSet = (set: RuleSetExplanation): void => {
    for (const list of [set.include, set.require, set.exclude]) {
      for (const rule of list) {
        out.push(rule);
        if (rule.group !== undefined) visitSet(rule.group);
      }
    }
  };
  for (const policy of explanation.policies) visitSet(policy);
  return out;
}

/** Selector keys used anywhere in the cases' wire policies and groups. */
function selectorsUsed(): Set<string> {
  const used = new Set<string>();
  const visitRules = (rules: unknown): void => {
    if (!Array.isArray(rules)) return;
    for (const r of rules) if (r !== null && typeof r === 'object') for (const key of Object.keys(r)) used.add(key);
  };
  const visitSet = (set: unknown): void => {
    if (set === null || typeof set !== 'object') return;
    const s = set as Record<string, unknown>;
    visitRules(s.include);
    visitRules(s.require);
    visitRules(s.exclude);
  };
  for (const c of CONFORMANCE_CASES) {
    c.policies.forEach(visitSet);
    Object.values(c.env?.groups ?? {}).forEach(visitSet);
  }
  return used;
}

describe('conformance suite itself', () => {
  test('case names are unique', () => {
    const seen = new Set<string>();
    const duplicates = CONFORMANCE_CASES.map((c) => c.name).filter((n) => (seen.has(n) ? true : (seen.add(n), false)));
    assert.deepEqual(duplicates, []);
  });

  test('has at least 120 cases', () => {
    assert.ok(CONFORMANCE_CASES.length >= 120, `only ${CONFORMANCE_CASES.length} cases`);
  });

  test('every one of the 26 selectors appears in some case', () => {
    const used = selectorsUsed();
    const missing = SELECTORS.map((s) => s.selector).filter((s) => !used.has(s));
    assert.equal(SELECTORS.length, 26);
    assert.deepEqual(missing, []);
  });

  test('every selector is seen matched and not matched by the interpreter', () => {
    const seen = new Map<string, Set<string>>();
    for (const c of CONFORMANCE_CASES) {
      const explanation = explain(parseCasePolicies(c), prepareIdentity(c.identity), buildEnv(c), { external: buildExternal(c) });
      for (const r of allRuleExplanations(explanation)) {
        let outcomes = seen.get(r.selector);
        if (outcomes === undefined) seen.set(r.selector, (outcomes = new Set()));
        outcomes.add(r.outcome);
      }
    }
    const lacking = SELECTORS.map((s) => s.selector).filter((s) => {
      const outcomes = seen.get(s);
      // everyone can only ever match.
      return outcomes === undefined || !outcomes.has('matched') || (s !== 'everyone' && !outcomes.has('not_matched'));
    });
    assert.deepEqual(lacking, []);
  });

  test('every reason code of every selector (the catalogue\'s reasons) is given in some case', () => {
    const given = new Set<string>();
    for (const c of CONFORMANCE_CASES) {
      const explanation = explain(parseCasePolicies(c), prepareIdentity(c.identity), buildEnv(c), { external: buildExternal(c) });
      for (const r of allRuleExplanations(explanation)) given.add(`${r.selector} ${r.reason.code}`);
    }
    const never = SELECTORS.flatMap((s) => Object.keys(s.reasons).map((code) => `${s.selector} ${code}`)).filter((k) => !given.has(k));
    assert.deepEqual(never, []);
  });
});

for (const c of CONFORMANCE_CASES) {
  describe(c.name, () => {
    test('interpreter', () => {
      const policies = parseCasePolicies(c);
      const env = buildEnv(c);
      const explanation = explain(policies, prepareIdentity(c.identity), env, { external: buildExternal(c) });
      assert.equal(explanation.access, c.expect.access, `access (summary: ${explanation.summary})`);
      if (c.expect.deciding !== undefined) {
        assert.equal(explanation.deciding?.index ?? null, c.expect.deciding, `deciding policy (summary: ${explanation.summary})`);
      }
      if (explanation.deciding !== null) {
        assert.equal(explanation.deciding.name, policies[explanation.deciding.index].name, 'deciding ref names its policy');
      }
      const rules = allRuleExplanations(explanation);
      for (const want of c.expect.reason ?? []) {
        const found = rules.find((r) => r.pointer === want.pointer);
        assert.ok(found !== undefined, `no rule explanation at ${want.pointer}; have ${rules.map((r) => r.pointer).join(', ')}`);
        assert.equal(found.reason.code, want.code, `reason code at ${want.pointer} (${found.reason.message})`);
        if (want.outcome !== undefined) assert.equal(found.outcome, want.outcome, `outcome at ${want.pointer}`);
      }
    });

    test('compiled', () => {
      const policies = parseCasePolicies(c);
      const env = buildEnv(c);
      const packed = compilePolicySet(policies, env).evaluate(prepareIdentity(c.identity), buildExternal(c));
      assert.equal(resultAccess(packed), c.expect.access, 'access');
      if (c.expect.deciding !== undefined) {
        const index = resultDecidingIndex(packed);
        assert.equal(index === -1 ? null : index, c.expect.deciding, 'deciding policy');
      }
    });
  });
}
