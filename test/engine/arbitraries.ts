// fast-check generators of policies, groups, environments and identities drawn from small value
// pools, so that random rules and random identities actually meet (matches, mismatches,
// unknowns and cycles all happen often). Test support only: imported by *.test.ts files.

import fc from 'fast-check';
import type { Identity } from '../../src/engine/identity.js';
import { SELECTORS, SELECTOR_SPECS, type FieldSpec, type ReferenceKind, type SelectorSpec } from '../../src/engine/selectors.js';
import { RISK_LEVELS, type Decision } from '../../src/engine/wire.js';

const EMAILS = ['alice@example.com', 'Bob@Example.com', 'carol@other.org', 'dave@sub.example.com', 'eve@example.com'];
const DOMAINS = ['example.com', '@example.com', 'other.org', 'sub.example.com', 'EXAMPLE.COM'];
const COUNTRIES = ['US', 'de', 'GB', 'FR'];
const CIDRS = ['10.0.0.0/8', '10.1.0.0/16', '192.168.1.7', '192.168.1.0/24', '2001:db8::/32', '::ffff:10.2.0.0/112', '0.0.0.0/0'];
const IPS = ['10.1.2.3', '10.200.0.1', '192.168.1.7', '192.168.2.1', '2001:db8::1', '2001:db9::1', '::ffff:10.2.3.4', '8.8.8.8'];
export const IDPS = ['idp-okta', 'idp-azure', 'idp-google', 'idp-gone'];
export const GROUP_IDS = ['g1', 'g2', 'g3', 'g4', 'g-missing'];
export const LIST_IDS = ['l-ip', 'l-mail', 'l-missing'];
const GROUP_NAMES = ['eng', 'Eng', 'ops', 'sales'];
const GROUP_EMAILS = ['eng@example.com', 'ENG@example.com', 'ops@example.com'];
const AZURE_IDS = ['az-1', 'az-2'];
const ORGS = ['acme', 'ACME', 'globex'];
const TEAMS = ['core', 'Core', 'web'];
const AMRS = ['mfa', 'pwd', 'otp', 'hwk'];
const ACS = ['c1', 'c2'];
const TOKENS = ['tok-live', 'tok-expired', 'tok-gone'];
const POSTURE = ['posture-1', 'posture-2', 'posture-gone'];
const APPS = ['app-1', 'app-gone'];
const ACCOUNTS = ['acct-1', 'acct-2'];
const CLAIMS = ['dept', 'level'];
const CLAIM_VALUES = ['eng', 'ENG', '42', 'true'];
const COMMON_NAMES = ['cn-a', 'cn-b'];
export const EXTERNAL_URLS = ['https://ext.example/a', 'https://ext.example/b'];

const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);

/**
 * Values identities carry, by the identity value a rule field is compared with (the catalogue's
 * field `reads`). Rules and identities draw from the same pools, so that they meet.
 */
export const IDENTITY_VALUES: Readonly<Record<string, readonly string[]>> = {
  email: EMAILS,
  amr: AMRS,
  auth_contexts: ACS,
  'groups[].id': AZURE_IDS,
  'groups[].email': GROUP_EMAILS,
  'groups[].name': [...GROUP_NAMES, ...ORGS],
  'groups[].teams': TEAMS,
  saml_attributes: CLAIMS,
  'saml_attributes[attribute_name]': CLAIM_VALUES,
  oidc_fields: CLAIMS,
  'oidc_fields[claim_name]': CLAIM_VALUES,
  common_name: COMMON_NAMES,
  cloudflare_account_ids: ACCOUNTS,
};

/** Ids of the generated world's objects of each kind (some deliberately missing from WORLD). */
const REFERENCED: Readonly<Record<ReferenceKind, readonly string[]>> = {
  group: GROUP_IDS,
  list: LIST_IDS,
  identity_provider: IDPS,
  service_token: TOKENS,
  posture_rule: POSTURE,
  app: APPS,
};

/** Pools of formats whose values no identity carries as they are (ids and text nobody compares). */
const FALLBACK: Readonly<Record<'id' | 'text' | 'email', readonly string[]>> = { id: ['id-1', 'id-2'], text: ['text-a', 'text-b'], email: EMAILS };

/** A value of one field: the referenced world's ids, the format's pool, or the compared identity value's pool. */
function fieldValue(spec: SelectorSpec, field: FieldSpec): fc.Arbitrary<unknown> {
  if (spec.reference?.field === field.name) return pick(REFERENCED[spec.reference.kind]);
  switch (field.format) {
    case 'domain':
      return pick(DOMAINS);
    case 'cidr':
      return pick(CIDRS);
    case 'country':
      return pick(COUNTRIES);
    case 'url':
      return pick(EXTERNAL_URLS);
    case 'risk_levels':
      return fc.subarray([...RISK_LEVELS], { minLength: 1 });
    case 'id':
    case 'text':
    case 'email':
      return pick((field.reads === undefined ? undefined : IDENTITY_VALUES[field.reads]) ?? FALLBACK[field.format]);
  }
}

/** A wire rule of `spec`, its fields drawn by fieldValue (optional fields sometimes left out). */
function ruleOf(spec: SelectorSpec): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.fromEntries(
    spec.fields.map((f) => [f.name, f.required ? fieldValue(spec, f) : fc.option(fieldValue(spec, f), { nil: undefined })]),
  );
  return fc
    .record(fields)
    .map((values) => ({ [spec.selector]: Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) }));
}

/** Wire rules of every selector of the catalogue; `groupRefs` says whether `group` rules may appear. */
export function wireRule(groupRefs = true): fc.Arbitrary<Record<string, unknown>> {
  return fc.oneof(...SELECTORS.filter((s) => groupRefs || s.reference?.kind !== 'group').map(ruleOf));
}

function ruleLists(groupRefs: boolean) {
  return fc.record({
    include: fc.array(wireRule(groupRefs), { minLength: 1, maxLength: 4 }),
    require: fc.array(wireRule(groupRefs), { maxLength: 3 }),
    exclude: fc.array(wireRule(groupRefs), { maxLength: 3 }),
  });
}

/** A decision compatible with the rules: no identity selectors in bypass, linked_app_token only in non_identity/bypass. */
function compatibleDecision(lists: { include: object[]; require: object[]; exclude: object[] }, choice: number): Decision {
  const selectors = [...lists.include, ...lists.require, ...lists.exclude].map((r) => Object.keys(r)[0]);
  const identity = selectors.some((s) => SELECTOR_SPECS.get(s)?.identity === true);
  const linked = selectors.includes('linked_app_token');
  let allowed: Decision[] = ['allow', 'deny', 'non_identity', 'bypass'];
  if (identity) allowed = allowed.filter((d) => d !== 'bypass');
  if (linked) allowed = allowed.filter((d) => d === 'non_identity' || d === 'bypass');
  return allowed[choice % allowed.length];
}

export const wirePolicy = (): fc.Arbitrary<Record<string, unknown>> =>
  fc.tuple(ruleLists(true), fc.nat(11), fc.nat(99)).map(([lists, choice, n]) => ({
    name: `policy ${n}`,
    decision: compatibleDecision(lists, choice),
    ...lists,
  }));

/** Groups g1..g4 (g-missing is never defined); references among them may form cycles. */
export const wireGroups = (): fc.Arbitrary<Record<string, Record<string, unknown>>> =>
  fc.tuple(ruleLists(true), ruleLists(true), ruleLists(false), ruleLists(true)).map(([g1, g2, g3, g4]) => ({
    g1: { name: 'Group one', ...g1 },
    g2: { name: 'Group two', ...g2 },
    g3: { name: 'Group three', ...g3 },
    g4: { name: 'Group four', ...g4 },
  }));

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 3 });

export const identity = (): fc.Arbitrary<Identity> =>
  fc
    .record({
      email: maybe(pick(IDENTITY_VALUES.email)),
      idp: maybe(pick(IDPS).map((id) => ({ id, type: 'okta' }))),
      groups: maybe(
        fc.array(
          fc.record({
            id: maybe(pick(IDENTITY_VALUES['groups[].id'])),
            name: maybe(pick(IDENTITY_VALUES['groups[].name'])),
            email: maybe(pick(IDENTITY_VALUES['groups[].email'])),
            teams: maybe(fc.subarray([...IDENTITY_VALUES['groups[].teams']])),
          }),
          { maxLength: 3 },
        ),
      ),
      amr: maybe(fc.subarray([...IDENTITY_VALUES.amr])),
      auth_contexts: maybe(fc.subarray([...IDENTITY_VALUES.auth_contexts])),
      oidc_fields: maybe(
        fc.dictionary(
          pick(IDENTITY_VALUES.oidc_fields),
          fc.oneof(pick(IDENTITY_VALUES['oidc_fields[claim_name]']), fc.constant(42), fc.constant(true), fc.subarray([...IDENTITY_VALUES['oidc_fields[claim_name]']])),
        ),
      ),
      saml_attributes: maybe(
        fc.dictionary(
          pick(IDENTITY_VALUES.saml_attributes),
          fc.oneof(pick(IDENTITY_VALUES['saml_attributes[attribute_name]']), fc.subarray([...IDENTITY_VALUES['saml_attributes[attribute_name]']])),
        ),
      ),
      geo: maybe(pick(['US', 'us', 'DE', 'GB']).map((country) => ({ country }))),
      ip: maybe(pick(IPS)),
      devicePosture: maybe(fc.dictionary(pick(POSTURE), fc.boolean().map((success) => ({ success })))),
      mtls_auth: maybe(fc.record({ cert_presented: fc.boolean(), auth_status: pick(['OK', 'FAIL']) })),
      common_name: maybe(pick(IDENTITY_VALUES.common_name)),
      service_token_id: maybe(pick(TOKENS)),
      service_token_status: maybe(fc.boolean()),
      linked_app_token: maybe(pick(APPS).map((app_uid) => ({ app_uid }))),
      user_risk_score: maybe(pick(['low', 'medium', 'high'])),
      cloudflare_account_ids: maybe(fc.subarray([...IDENTITY_VALUES.cloudflare_account_ids])),
    })
    .map((raw) => Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)) as Identity);

/** External answers per evaluate_url: true, false, or a failed call (undefined). */
export const externalAnswers = (): fc.Arbitrary<Record<string, boolean | undefined>> =>
  fc.record({ [EXTERNAL_URLS[0]]: fc.option(fc.boolean(), { nil: undefined }), [EXTERNAL_URLS[1]]: fc.option(fc.boolean(), { nil: undefined }) });

/** Lists and lookups of the generated world (some referenced objects deliberately missing). */
export const WORLD = {
  lists: { 'l-ip': { type: 'IP', items: ['10.1.0.0/16', '192.168.1.7', '2001:db8::/48'] }, 'l-mail': { type: 'EMAIL', items: ['Alice@Example.com', 'carol@other.org'] } },
  identityProviders: ['idp-okta', 'idp-azure', 'idp-google'] as readonly string[],
  serviceTokens: { 'tok-live': { expiresAt: null }, 'tok-expired': { expiresAt: 1 } } as Record<string, { expiresAt: number | null }>,
  postureRules: ['posture-1', 'posture-2'] as readonly string[],
  apps: ['app-1'] as readonly string[],
  accountId: 'acct-1',
  now: 1_000_000,
} as const;
