// Validation issues: a stable string code, a message rendered from data, and a JSON pointer
// (RFC 6901) to the offending value. The code table is the single source for docs/errors.md.

export const VALIDATION_CODES = {
  invalid_type: 'A value has the wrong JSON type (for example a string where an array belongs).',
  required: 'A required field is missing.',
  unknown_field: 'A field that this object does not have (often a typo).',
  invalid_enum: 'A value that is not one of the allowed values.',
  empty_string: 'A string that must not be empty is empty.',
  too_long: 'A string is longer than the allowed maximum.',
  empty_include: 'A policy or group has no include rules, so it could never match.',
  rule_not_object: 'A rule is not a JSON object.',
  rule_empty: 'A rule object has no selector key.',
  rule_multiple_selectors: 'A rule object has more than one key; each rule holds exactly one selector.',
  rule_unknown_selector: 'A rule names a selector that does not exist.',
  invalid_email: 'A malformed email address.',
  invalid_domain: 'A malformed domain name.',
  invalid_cidr: 'A malformed IP address or CIDR range.',
  invalid_country_code: 'A country code that is not two letters (ISO 3166-1 alpha-2).',
  invalid_url: 'A malformed URL, or one that is not http(s).',
  min_items: 'A list that needs at least one item is empty.',
  min_value: 'A number below its minimum.',
  invalid_duration: 'A duration that is not a Go duration ("300ms", "2h45m"; units ns, us, µs, ms, s, m, h) or is negative.',
  mfa_duration_out_of_range: 'mfa_config.session_duration uses a unit other than m or h, or lies outside 0m to 720h.',
  selector_not_allowed_in_bypass: 'An identity selector in a bypass policy: bypass skips login, so there is no identity to test.',
  linked_app_token_not_allowed: 'A linked_app_token rule in a policy whose decision is not non_identity or bypass.',
  unknown_group: 'A rule names an Access group that does not exist in the account.',
  unknown_list: 'A rule names a Gateway list that does not exist in the account.',
  list_type_mismatch: 'A rule names a Gateway list whose type is not the one its selector needs (selectors.md lists each).',
  unknown_identity_provider: 'A rule names an identity provider that does not exist in the account.',
  unknown_service_token: 'A rule names a service token that does not exist in the account.',
  unknown_posture_rule: 'A rule names a device posture rule that does not exist in the account.',
  unknown_app: 'A rule names an Access application that does not exist in the account.',
  group_cycle: 'Access groups that reference each other in a cycle.',
  group_too_deep: 'Access groups nested more than 32 deep (one inside the other).',
} as const;

export type ValidationCode = keyof typeof VALIDATION_CODES;

export interface Issue {
  readonly code: ValidationCode;
  readonly message: string;
  /** JSON pointer into the validated document, e.g. "/include/2/email/email". */
  readonly pointer: string;
}

export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: Issue[] };

/** Escape one reference token of a JSON pointer (RFC 6901). */
export function pointerToken(token: string | number): string {
  const s = String(token);
  return s.includes('~') || s.includes('/') ? s.replace(/~/g, '~0').replace(/\//g, '~1') : s;
}

export function joinPointer(base: string, ...tokens: (string | number)[]): string {
  return base + tokens.map((t) => '/' + pointerToken(t)).join('');
}

/** A value for a message: JSON-quoted, and cut short so untrusted megabytes never echo back. */
export function quote(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length <= 80 ? text : `${text.slice(0, 77)}...`;
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A short JSON type name for messages: "string", "array", "null", ... */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  // JSON's 1e400 parses to Infinity: a number, but none any field can hold.
  if (typeof value === 'number' && !Number.isFinite(value)) return 'a number too large to hold';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
