// The catalog of the 26 selectors: their wire fields, what they reference, where they may appear.
// Validation, reference checks, lint, docs and the dashboard all read this one table.

import type { Selector } from './wire.js';

export type FieldFormat =
  | 'id' // a non-empty identifier
  | 'text' // a non-empty string compared exactly
  | 'email'
  | 'domain'
  | 'cidr'
  | 'country'
  | 'url'
  | 'risk_levels';

export interface FieldSpec {
  readonly name: string;
  readonly format: FieldFormat;
  readonly required: boolean;
}

/** Kinds of account objects a rule can name; each is checked on write. */
export type ReferenceKind = 'group' | 'list' | 'identity_provider' | 'service_token' | 'posture_rule' | 'app';

export interface SelectorSpec {
  readonly selector: Selector;
  readonly title: string;
  readonly fields: readonly FieldSpec[];
  /** Identity selectors need a login and so are refused in bypass policies. */
  readonly identity: boolean;
  /** The rule names the IdP the identity must have logged in through. */
  readonly idpScoped: boolean;
  /** The field (if any) naming another account object, and that object's kind. */
  readonly reference?: { readonly field: string; readonly kind: ReferenceKind };
  /** Identity fields read (docs/semantics.md "Identity model"), for docs and explanations. */
  readonly reads: readonly string[];
}

const id = (name: string): FieldSpec => ({ name, format: 'id', required: true });
const text = (name: string): FieldSpec => ({ name, format: 'text', required: true });
const IDP = id('identity_provider_id');

export const SELECTORS: readonly SelectorSpec[] = [
  { selector: 'group', title: 'Access group', fields: [id('id')], identity: false, idpScoped: false, reference: { field: 'id', kind: 'group' }, reads: ['(the group\'s own rules)'] },
  { selector: 'any_valid_service_token', title: 'Any valid service token', fields: [], identity: false, idpScoped: false, reads: ['service_token_id', 'service_token_status'] },
  { selector: 'auth_context', title: 'Authentication context', fields: [id('ac_id'), id('id'), IDP], identity: true, idpScoped: true, reference: { field: 'identity_provider_id', kind: 'identity_provider' }, reads: ['idp.id', 'auth_contexts'] },
  { selector: 'auth_method', title: 'Authentication method', fields: [text('auth_method')], identity: true, idpScoped: false, reads: ['amr'] },
  { selector: 'azureAD', title: 'Azure AD group', fields: [id('id'), IDP], identity: true, idpScoped: true, reference: { field: 'identity_provider_id', kind: 'identity_provider' }, reads: ['idp.id', 'groups[].id'] },
  { selector: 'certificate', title: 'Valid certificate', fields: [], identity: false, idpScoped: false, reads: ['mtls_auth.cert_presented', 'mtls_auth.auth_status'] },
  { selector: 'common_name', title: 'Common name', fields: [text('common_name')], identity: false, idpScoped: false, reads: ['common_name'] },
  { selector: 'geo', title: 'Country', fields: [{ name: 'country_code', format: 'country', required: true }], identity: false, idpScoped: false, reads: ['geo.country'] },
  { selector: 'device_posture', title: 'Device posture', fields: [id('integration_uid')], identity: false, idpScoped: false, reference: { field: 'integration_uid', kind: 'posture_rule' }, reads: ['devicePosture[rule id].success'] },
  { selector: 'email_domain', title: 'Email domain', fields: [{ name: 'domain', format: 'domain', required: true }], identity: true, idpScoped: false, reads: ['email'] },
  { selector: 'email_list', title: 'Email list', fields: [id('id')], identity: true, idpScoped: false, reference: { field: 'id', kind: 'list' }, reads: ['email'] },
  { selector: 'email', title: 'Email', fields: [{ name: 'email', format: 'email', required: true }], identity: true, idpScoped: false, reads: ['email'] },
  { selector: 'everyone', title: 'Everyone', fields: [], identity: false, idpScoped: false, reads: [] },
  { selector: 'external_evaluation', title: 'External evaluation', fields: [{ name: 'evaluate_url', format: 'url', required: true }, { name: 'keys_url', format: 'url', required: true }], identity: true, idpScoped: false, reads: ['(the whole identity, sent to evaluate_url)'] },
  { selector: 'github-organization', title: 'GitHub organization', fields: [IDP, text('name'), { name: 'team', format: 'text', required: false }], identity: true, idpScoped: true, reference: { field: 'identity_provider_id', kind: 'identity_provider' }, reads: ['idp.id', 'groups[].name', 'groups[].teams'] },
  { selector: 'gsuite', title: 'Google Workspace group', fields: [{ name: 'email', format: 'email', required: true }, IDP], identity: true, idpScoped: true, reference: { field: 'identity_provider_id', kind: 'identity_provider' }, reads: ['idp.id', 'groups[].email'] },
  { selector: 'login_method', title: 'Login method', fields: [id('id')], identity: true, idpScoped: false, reference: { field: 'id', kind: 'identity_provider' }, reads: ['idp.id'] },
  { selector: 'ip_list', title: 'IP list', fields: [id('id')], identity: false, idpScoped: false, reference: { field: 'id', kind: 'list' }, reads: ['ip'] },
  { selector: 'ip', title: 'IP ranges', fields: [{ name: 'ip', format: 'cidr', required: true }], identity: false, idpScoped: false, reads: ['ip'] },
  { selector: 'okta', title: 'Okta group', fields: [IDP, text('name')], identity: true, idpScoped: true, reference: { field: 'identity_provider_id', kind: 'identity_provider' }, reads: ['idp.id', 'groups[].name'] },
  { selector: 'saml', title: 'SAML group', fields: [text('attribute_name'), text('attribute_value'), IDP], identity: true, idpScoped: true, reference: { field: 'identity_provider_id', kind: 'identity_provider' }, reads: ['idp.id', 'saml_attributes'] },
  { selector: 'oidc', title: 'OIDC claim', fields: [text('claim_name'), text('claim_value'), IDP], identity: true, idpScoped: true, reference: { field: 'identity_provider_id', kind: 'identity_provider' }, reads: ['idp.id', 'oidc_fields'] },
  { selector: 'service_token', title: 'Service token', fields: [id('token_id')], identity: false, idpScoped: false, reference: { field: 'token_id', kind: 'service_token' }, reads: ['service_token_id', 'service_token_status'] },
  { selector: 'linked_app_token', title: 'Linked app token', fields: [id('app_uid')], identity: false, idpScoped: false, reference: { field: 'app_uid', kind: 'app' }, reads: ['linked_app_token.app_uid'] },
  { selector: 'user_risk_score', title: 'User risk score', fields: [{ name: 'user_risk_score', format: 'risk_levels', required: true }], identity: true, idpScoped: false, reads: ['user_risk_score'] },
  { selector: 'cloudflare_account_member', title: 'Cloudflare account member', fields: [{ name: 'account_id', format: 'id', required: false }], identity: true, idpScoped: false, reads: ['cloudflare_account_ids'] },
];

export const SELECTOR_SPECS: ReadonlyMap<string, SelectorSpec> = new Map(SELECTORS.map((s) => [s.selector, s]));
