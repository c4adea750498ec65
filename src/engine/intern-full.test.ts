// The conformance cases and the differential property again, for the compiled evaluator, with
// the intern tables (intern.ts) full before any policy is parsed: no rule or identity value
// gets a key, so every comparison, generated or closure, takes the string fallback. This file
// runs in its own process (node --test runs each file separately), so filling the tables here
// affects no other test.

import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { compilePolicySet } from './compile.js';
import { CONFORMANCE_CASES } from '../../test/engine/conformance.cases.js';
import { buildEnv, buildExternal, parseCasePolicies } from '../../test/engine/conformance.support.js';
import { checkCompiledAgreesWithInterpreter } from '../../test/engine/differential.support.js';
import { prepareIdentity } from './identity.js';
import { GROUP_NAMES, Interner, NO_KEY, VALUES } from './intern.js';
import { resultAccess, resultDecidingIndex } from './outcome.js';

const RUNS = Number(process.env.DIFFERENTIAL_RUNS ?? 12_000) / 3;

function fill(table: Interner): void {
  for (let i = 0; table.size < table.limit; i++) table.key(`\u0000filler ${i}`);
}

describe('compiled evaluator with the intern tables full', () => {
  before(() => {
    fill(VALUES);
    fill(GROUP_NAMES);
  });

  test('no value gets a key', () => {
    const p = prepareIdentity({ email: 'a@example.com', geo: { country: 'US' }, idp: { id: 'idp' }, groups: [{ email: 'g@example.com' }] });
    assert.deepEqual([p.emailDomainKey, p.countryKey, p.idpKey, p.riskLevelKey], [NO_KEY, NO_KEY, NO_KEY, NO_KEY]);
    assert.equal(p.inGsuiteGroup(NO_KEY), false);
  });

  for (const c of CONFORMANCE_CASES) {
    test(c.name, () => {
      const packed = compilePolicySet(parseCasePolicies(c), buildEnv(c)).evaluate(prepareIdentity(c.identity), buildExternal(c));
      assert.equal(resultAccess(packed), c.expect.access, 'access');
      if (c.expect.deciding !== undefined) {
        const index = resultDecidingIndex(packed);
        assert.equal(index === -1 ? null : index, c.expect.deciding, 'deciding policy');
      }
    });
  }

  test(`agrees with the interpreter (${RUNS} random cases)`, () => {
    checkCompiledAgreesWithInterpreter(RUNS);
  });
});
