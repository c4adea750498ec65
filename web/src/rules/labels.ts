// How the rule builder names selectors' fields, and the hints it gives for each format.

import { SELECTOR_SPECS, type FieldFormat, type FieldSpec, type ReferenceKind, type SelectorSpec } from '../../../src/engine/selectors.js';

export const REFERENCE_LABELS: Record<ReferenceKind, string> = {
  group: 'Access group',
  list: 'Gateway list',
  identity_provider: 'Identity provider',
  service_token: 'Service token',
  posture_rule: 'Device posture rule',
  app: 'Application',
};

/** Names that mean different things in different selectors. */
const FIELD_LABELS: Readonly<Record<string, string>> = {
  'auth_context.ac_id': 'Context (ac_id)',
  'auth_context.id': 'Context object id',
  'github-organization.name': 'Organization',
  'github-organization.team': 'Team',
  'okta.name': 'Okta group name',
  'azureAD.id': 'Azure AD group id',
  'gsuite.email': 'Google group email',
  'auth_method.auth_method': 'Method (RFC 8176, e.g. mfa)',
  'user_risk_score.user_risk_score': 'Risk levels',
  'cloudflare_account_member.account_id': 'Cloudflare account id',
  'ip.ip': 'IP address or CIDR range',
  'geo.country_code': 'Country code',
  'external_evaluation.evaluate_url': 'Evaluate URL',
  'external_evaluation.keys_url': 'Keys URL',
};

const PLACEHOLDERS: Partial<Record<FieldFormat, string>> = {
  email: 'someone@example.com',
  domain: 'example.com',
  cidr: '192.0.2.0/24',
  country: 'US',
  url: 'https://…',
};

const humanize = (name: string): string => {
  const text = name.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
};

export function fieldLabel(spec: SelectorSpec, field: FieldSpec): string {
  if (spec.reference?.field === field.name) return REFERENCE_LABELS[spec.reference.kind];
  return FIELD_LABELS[`${spec.selector}.${field.name}`] ?? humanize(field.name);
}

export function placeholderOf(field: FieldSpec): string | undefined {
  return PLACEHOLDERS[field.format];
}

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * A person's name for the place a JSON pointer names: "/require/0/geo/country_code" is
 * "Require rule 1: Country code", "/session_duration" is "Session duration".
 */
export function describePointer(pointer: string): string {
  if (pointer === '') return 'The whole document';
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const [list, index, selector, field] = parts;
  if ((list === 'include' || list === 'require' || list === 'exclude') && index !== undefined && /^\d+$/.test(index)) {
    const rule = `${capitalize(list)} rule ${Number(index) + 1}`;
    const spec = selector === undefined ? undefined : SELECTOR_SPECS.get(selector);
    const fieldSpec = spec?.fields.find((f) => f.name === field);
    return spec !== undefined && fieldSpec !== undefined ? `${rule}: ${fieldLabel(spec, fieldSpec)}` : rule;
  }
  return parts.map((p) => (/^\d+$/.test(p) ? `#${Number(p) + 1}` : humanize(p))).join(' › ');
}
