// fast-check generators of policies, groups, environments and identities drawn from small value
// pools, so that random rules and random identities actually meet (matches, mismatches,
// unknowns and cycles all happen often). Test support only: imported by *.test.ts files.

import fc from 'fast-check';
import type { Identity } from '../../src/engine/identity.js';
import { SELECTOR_SPECS } from '../../src/engine/selectors.js';
import type { Decision } from '../../src/engine/wire.js';

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
export const EXTERNAL_URLS = ['https://ext.example/a', 'https://ext.example/b'];

const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);

/** Wire rules of every kind; `groupRefs` says whether `group` rules may appear. */
export function wireRule(groupRefs = true): fc.Arbitrary<Record<string, unknown>> {
  const rules: fc.Arbitrary<Record<string, unknown>>[] = [
    fc.constant({ everyone: {} }),
    pick(EMAILS).map((email) => ({ email: { email } })),
    pick(DOMAINS).map((domain) => ({ email_domain: { domain } })),
    pick(LIST_IDS).map((id) => ({ email_list: { id } })),
    pick(LIST_IDS).map((id) => ({ ip_list: { id } })),
    pick(CIDRS).map((ip) => ({ ip: { ip } })),
    pick(COUNTRIES).map((country_code) => ({ geo: { country_code } })),
    pick(IDPS).map((id) => ({ login_method: { id } })),
    pick(AMRS).map((auth_method) => ({ auth_method: { auth_method } })),
    fc.record({ ac_id: pick(ACS), id: fc.constant('ctx'), identity_provider_id: pick(IDPS) }).map((v) => ({ auth_context: v })),
    fc.record({ id: pick(AZURE_IDS), identity_provider_id: pick(IDPS) }).map((v) => ({ azureAD: v })),
    fc.record({ email: pick(GROUP_EMAILS), identity_provider_id: pick(IDPS) }).map((v) => ({ gsuite: v })),
    fc.record({ name: pick(GROUP_NAMES), identity_provider_id: pick(IDPS) }).map((v) => ({ okta: v })),
    fc
      .record({ name: pick(ORGS), identity_provider_id: pick(IDPS), team: fc.option(pick(TEAMS), { nil: undefined }) })
      .map(({ team, ...v }) => ({ 'github-organization': team === undefined ? v : { ...v, team } })),
    fc.record({ attribute_name: pick(CLAIMS), attribute_value: pick(CLAIM_VALUES), identity_provider_id: pick(IDPS) }).map((v) => ({ saml: v })),
    fc.record({ claim_name: pick(CLAIMS), claim_value: pick(CLAIM_VALUES), identity_provider_id: pick(IDPS) }).map((v) => ({ oidc: v })),
    fc.constant({ certificate: {} }),
    pick(['cn-a', 'cn-b']).map((common_name) => ({ common_name: { common_name } })),
    pick(POSTURE).map((integration_uid) => ({ device_posture: { integration_uid } })),
    pick(TOKENS).map((token_id) => ({ service_token: { token_id } })),
    fc.constant({ any_valid_service_token: {} }),
    pick(APPS).map((app_uid) => ({ linked_app_token: { app_uid } })),
    fc.subarray(['low', 'medium', 'high', 'unscored'], { minLength: 1 }).map((user_risk_score) => ({ user_risk_score: { user_risk_score } })),
    fc.option(pick(ACCOUNTS), { nil: undefined }).map((account_id) => ({ cloudflare_account_member: account_id === undefined ? {} : { account_id } })),
    fc.record({ evaluate_url: pick(EXTERNAL_URLS), keys_url: fc.constant('https://ext.example/keys') }).map((v) => ({ external_evaluation: v })),
  ];
  if (groupRefs) rules.push(pick(GROUP_IDS).map((id) => ({ group: { id } })));
  return fc.oneof(...rules);
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
      email: maybe(pick(EMAILS)),
      idp: maybe(pick(IDPS).map((id) => ({ id, type: 'okta' }))),
      groups: maybe(
        fc.array(
          fc.record({
            id: maybe(pick(AZURE_IDS)),
            name: maybe(pick([...GROUP_NAMES, ...ORGS])),
            email: maybe(pick(GROUP_EMAILS)),
            teams: maybe(fc.subarray(TEAMS)),
          }),
          { maxLength: 3 },
        ),
      ),
      amr: maybe(fc.subarray(AMRS)),
      auth_contexts: maybe(fc.subarray(ACS)),
      oidc_fields: maybe(fc.dictionary(pick(CLAIMS), fc.oneof(pick(CLAIM_VALUES), fc.constant(42), fc.constant(true), fc.subarray(CLAIM_VALUES)))),
      saml_attributes: maybe(fc.dictionary(pick(CLAIMS), fc.oneof(pick(CLAIM_VALUES), fc.subarray(CLAIM_VALUES)))),
      geo: maybe(pick(['US', 'us', 'DE', 'GB']).map((country) => ({ country }))),
      ip: maybe(pick(IPS)),
      devicePosture: maybe(fc.dictionary(pick(POSTURE), fc.boolean().map((success) => ({ success })))),
      mtls_auth: maybe(fc.record({ cert_presented: fc.boolean(), auth_status: pick(['OK', 'FAIL']) })),
      common_name: maybe(pick(['cn-a', 'cn-b'])),
      service_token_id: maybe(pick(TOKENS)),
      service_token_status: maybe(fc.boolean()),
      linked_app_token: maybe(pick(APPS).map((app_uid) => ({ app_uid }))),
      user_risk_score: maybe(pick(['low', 'medium', 'high'])),
      cloudflare_account_ids: maybe(fc.subarray(ACCOUNTS)),
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
