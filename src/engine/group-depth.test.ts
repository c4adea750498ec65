// Access groups nest at most MAX_GROUP_DEPTH deep. Stored data can still hold deeper chains
// (written before the limit, or by hand): every evaluator then answers unknown for the too-deep
// reference, without recursing down the chain, and both evaluators agree. Writes that would go
// deeper are refused with the chain named.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePolicySet } from './compile.js';
import { GroupGraph, MAX_GROUP_DEPTH } from './groups.js';
import { prepareIdentity } from './identity.js';
import { explain } from './interpreter.js';
import { resultAccess } from './outcome.js';
import { checkReferences } from './references.js';
import type { Group, Policy } from './rules.js';
import { parseGroup, parsePolicy } from './validate.js';

/** g0 → g1 → ... → g(n-1), the last one matching example.com emails. */
function chain(length: number): Map<string, Group> {
  const groups = new Map<string, Group>();
  for (let i = 0; i < length; i++) {
    const include = i === length - 1 ? [{ email_domain: { domain: 'example.com' } }] : [{ group: { id: `g${i + 1}` } }];
    const parsed = parseGroup({ name: `Level ${i}`, include }, { id: `g${i}` });
    assert.ok(parsed.ok);
    groups.set(`g${i}`, parsed.value);
  }
  return groups;
}

function policyOn(groupId: string): Policy {
  const parsed = parsePolicy({ name: 'Nested', decision: 'allow', include: [{ group: { id: groupId } }] });
  assert.ok(parsed.ok);
  return parsed.value;
}

const ada = prepareIdentity({ email: 'ada@example.com' });

describe('group nesting depth', () => {
  test('depths and cycles of a 5,000-group chain are computed without recursion', () => {
    const groups = chain(5000);
    const graph = new GroupGraph((id) => groups.get(id));
    assert.equal(graph.depth('g0'), 5000);
    assert.equal(graph.depth('g4999'), 1);
    assert.equal(graph.inCycle('g0'), false);
    assert.equal(graph.tooDeep('g0'), true);
    assert.equal(graph.tooDeep(`g${5000 - MAX_GROUP_DEPTH}`), false);
    // Close the chain into one big cycle: every member is in it.
    const parsed = parseGroup({ name: 'Level 4999', include: [{ group: { id: 'g0' } }] }, { id: 'g4999' });
    assert.ok(parsed.ok);
    groups.set('g4999', parsed.value);
    const cyclic = new GroupGraph((id) => groups.get(id));
    assert.equal(cyclic.inCycle('g2500'), true);
    assert.equal(cyclic.inCycle('g0'), true);
  });

  test(`a chain of exactly ${MAX_GROUP_DEPTH} groups decides; one deeper is unknown in both evaluators`, () => {
    for (const [length, expected] of [
      [MAX_GROUP_DEPTH, 'granted'],
      [MAX_GROUP_DEPTH + 1, 'unknown'],
      [3000, 'unknown'],
    ] as const) {
      const groups = chain(length);
      const env = { group: (id: string) => groups.get(id) };
      const policies = [policyOn('g0')];
      const explained = explain(policies, ada, env);
      assert.equal(explained.access, expected, `interpreter, ${length} deep`);
      assert.equal(resultAccess(compilePolicySet(policies, env).evaluate(ada)), expected, `compiled, ${length} deep`);
      if (expected === 'unknown') {
        const rule = explained.policies[0].include[0];
        assert.deepEqual([rule.outcome, rule.reason.code], ['unknown', 'group_too_deep']);
        assert.match(rule.reason.message, new RegExp(`nests other groups ${length} deep, more than the ${MAX_GROUP_DEPTH} allowed`));
      }
    }
  });

  test('a write that would nest deeper than the limit is refused, naming the chain', () => {
    const groups = chain(MAX_GROUP_DEPTH);
    const lookup = (id: string) => groups.get(id);
    const parsed = parseGroup({ name: 'On top', include: [{ group: { id: 'g0' } }] }, { id: 'top' });
    assert.ok(parsed.ok);
    const issues = checkReferences(parsed.value, { group: lookup }, { groupId: 'top' });
    assert.deepEqual(issues.map((i) => [i.code, i.pointer]), [['group_too_deep', '/include/0/group/id']]);
    assert.match(issues[0].message, /nest Access groups 33 deep, more than the 32 allowed: "On top" → "Level 0" → "Level 1" → .* → "Level 31"\.$/);
    // One level less is fine.
    const fine = parseGroup({ name: 'On top', include: [{ group: { id: 'g1' } }] }, { id: 'top' });
    assert.ok(fine.ok);
    assert.deepEqual(checkReferences(fine.value, { group: lookup }, { groupId: 'top' }), []);
  });
});
