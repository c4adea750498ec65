// Turning a conformance case (conformance.cases.ts) into what the evaluators take: parsed
// policies, the EvalEnv it describes, its external answers. Shared by conformance.test.ts and
// intern-full.test.ts. Test support only.

import assert from 'node:assert/strict';

import type { ConformanceCase } from './conformance.cases.js';
import { buildListIndex, type EvalEnv, type ExternalAnswers, type ListIndex, type ServiceTokenInfo } from '../../src/engine/env.js';
import type { Group, Policy } from '../../src/engine/rules.js';
import { parseGroup, parsePolicy } from '../../src/engine/validate.js';

/** Parse a case's wire policies, failing loudly (with every issue) when one does not parse. */
export function parseCasePolicies(c: ConformanceCase): Policy[] {
  return c.policies.map((wire, i) => {
    const parsed = parsePolicy(wire, { pointer: `/policies/${i}` });
    if (!parsed.ok) {
      assert.fail(`case ${JSON.stringify(c.name)}: policy ${i} does not parse:\n${JSON.stringify(parsed.issues, null, 2)}`);
    }
    return parsed.value;
  });
}

/** Build the EvalEnv a case describes; groups are parsed here and fail loudly when invalid. */
export function buildEnv(c: ConformanceCase): EvalEnv {
  const spec = c.env ?? {};
  const env: {
    -readonly [K in keyof EvalEnv]: EvalEnv[K];
  } = {};
  if (spec.groups !== undefined) {
    const groups = new Map<string, Group>();
    for (const [id, wire] of Object.entries(spec.groups)) {
      const parsed = parseGroup(wire, { id, pointer: `/groups/${id}` });
      if (!parsed.ok) {
        assert.fail(`case ${JSON.stringify(c.name)}: group ${id} does not parse:\n${JSON.stringify(parsed.issues, null, 2)}`);
      }
      groups.set(id, parsed.value);
    }
    env.group = (id) => groups.get(id);
  }
  if (spec.lists !== undefined) {
    const lists = new Map<string, ListIndex>();
    for (const [id, list] of Object.entries(spec.lists)) lists.set(id, buildListIndex(id, list.type, list.items));
    env.list = (id) => lists.get(id);
  }
  if (spec.identityProviders !== undefined) {
    const idps = new Set(spec.identityProviders);
    env.identityProviderExists = (id) => idps.has(id);
  }
  if (spec.serviceTokens !== undefined) {
    const tokens = new Map<string, ServiceTokenInfo>(Object.entries(spec.serviceTokens));
    env.serviceToken = (id) => tokens.get(id);
  }
  if (spec.postureRules !== undefined) {
    const rules = new Set(spec.postureRules);
    env.postureRuleExists = (id) => rules.has(id);
  }
  if (spec.apps !== undefined) {
    const apps = new Set(spec.apps);
    env.appExists = (uid) => apps.has(uid);
  }
  if (spec.accountId !== undefined) env.accountId = spec.accountId;
  if (spec.now !== undefined) env.now = spec.now;
  return env;
}

/** External answers keyed by evaluate_url; null (failed) and absent both mean no answer. */
export function buildExternal(c: ConformanceCase): ExternalAnswers {
  const answers = c.external ?? {};
  return (rule) => {
    const answer = Object.prototype.hasOwnProperty.call(answers, rule.evaluateUrl) ? answers[rule.evaluateUrl] : undefined;
    return answer === true || answer === false ? answer : undefined;
  };
}
