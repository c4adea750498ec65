// A user decided from their identity's record must be decided as from the identity itself: same
// access, same deciding policy, same explanation, on random policies, groups and identities,
// including identities with fields of the wrong type and fields no selector reads.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { externalAnswers, identity, wireGroups, wirePolicy } from '../../test/engine/arbitraries.js';
import { envFor, parseAll } from '../../test/engine/differential.support.js';
import { compilePolicySet } from './compile.js';
import type { ExternalAnswers } from './env.js';
import { prepareIdentity, type Identity } from './identity.js';
import { IDENTITY_RECORD_PREFIX, IDENTITY_RECORD_VERSION, identityFromRecord, identityRecord } from './identity-record.js';
import { explain } from './interpreter.js';

const RUNS = Number(process.env.DIFFERENTIAL_RUNS ?? 12_000) / 4;

/** Fields of an identity that the engine reads, each of which may come with a value of any JSON type. */
const READ_FIELDS = ['email', 'idp', 'groups', 'amr', 'auth_contexts', 'oidc_fields', 'saml_attributes', 'geo', 'ip', 'devicePosture', 'mtls_auth', 'common_name', 'service_token_id', 'service_token_status', 'linked_app_token', 'user_risk_score', 'cloudflare_account_ids'];

/** identity() with some fields replaced by arbitrary JSON, and fields no selector reads added. */
const untidyIdentity = (): fc.Arbitrary<Identity> =>
  fc
    .tuple(
      identity(),
      fc.dictionary(fc.constantFrom(...READ_FIELDS), fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant({}), fc.constant({ id: 7 }))),
      fc.record({ name: fc.option(fc.string(), { nil: undefined }), extra: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }) }, { requiredKeys: [] }),
      fc.boolean(),
    )
    .map(([base, replaced, unread, typedIdp]) => ({ ...base, ...(typedIdp && isObject(base.idp) ? { idp: { ...base.idp, type: 'saml' } } : {}), ...replaced, ...unread }) as Identity);

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object';

/** The identity as a store reads it back: through JSON. */
const stored = (raw: Identity): Identity => JSON.parse(JSON.stringify(raw)) as Identity;

test(`a record decides every user as the identity does (${RUNS} random cases)`, () => {
  fc.assert(
    fc.property(fc.array(wirePolicy(), { minLength: 1, maxLength: 4 }), wireGroups(), untidyIdentity(), externalAnswers(), (wires, groups, raw, answers) => {
      const policies = parseAll(wires);
      const env = envFor(groups, true);
      const external: ExternalAnswers = (rule) => answers[rule.evaluateUrl];
      const fromIdentity = prepareIdentity(stored(raw));
      const fromRecord = prepareIdentity(identityFromRecord(identityRecord(raw))!);
      const set = compilePolicySet(policies, env);
      assert.equal(set.evaluate(fromRecord, external), set.evaluate(fromIdentity, external));
      assert.deepEqual(explain(policies, fromRecord, env, { external }), explain(policies, fromIdentity, env, { external }));
    }),
    { numRuns: RUNS },
  );
});

test('a record carries the email the stored identity will have, and nothing the engine does not read', () => {
  const identity = { name: 'Ada', idp: { id: 'okta-1', type: 'okta' }, geo: { country: 'GB' }, amr: ['pwd'], email: 42 } as unknown as Identity;
  const record = identityRecord(identity, 'ada@example.com');
  assert.ok(record.startsWith(IDENTITY_RECORD_PREFIX));
  assert.ok(!record.includes('Ada') && !record.includes('okta"') && !record.includes('42'), record);
  const back = identityFromRecord(record)!;
  assert.equal(back.email, 'ada@example.com');
  assert.deepEqual(back.idp, { id: 'okta-1' });
  assert.equal(prepareIdentity(back).country, 'GB');
  // Fields absent at the end are left out: version, email, IdP, groups, amr, country.
  assert.equal((JSON.parse(record) as unknown[]).length, 6, record);
});

test("a record of another version, or that is not one, is not read (the identity is, instead)", () => {
  const current = JSON.parse(identityRecord({ email: 'a@example.com' })) as unknown[];
  assert.equal(current[0], IDENTITY_RECORD_VERSION);
  assert.equal(identityFromRecord(JSON.stringify([IDENTITY_RECORD_VERSION + 1, ...current.slice(1)])), undefined);
  assert.equal(identityFromRecord(JSON.stringify(current.slice(0, 1))), undefined, 'no email');
  assert.equal(identityFromRecord(JSON.stringify([...current, ...Array(17).fill(null)])), undefined, 'longer than any record');
  assert.equal(identityFromRecord('{"email":"a@example.com"}'), undefined);
  assert.ok(identityFromRecord(JSON.stringify(current)) !== undefined);
});
