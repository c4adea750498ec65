// The vocabulary of request validation beyond the engine's: the codes the API's checks of
// request fields report (besides rules, which the engine checks) and the issue they report
// (code, message, JSON pointer). Below the API so that the CLI checks what the server checks
// with the same words; the API's error registry numbers them (src/api/errors.ts).

import type { ValidationCode } from '../engine/index.js';

/** Validation codes of the API beyond the engine's (request fields other than rules). */
export const API_VALIDATION_CODES = {
  max_items: 'A list has more items than allowed.',
  max_value: 'A number above its maximum.',
  invalid_format: 'A string that does not have the required format (an id, a date-time, ...).',
  duplicate_entry: 'The same value appears twice where each must be unique (an email in one import, a precedence within one application), or names what another account of the server holds (its auth domain, a host its applications cover).',
  immutable_field: 'A field that cannot change once set (a user\'s email, a Gateway list\'s type).',
  invalid_certificate: 'A value that is not a PEM-encoded X.509 certificate.',
  invalid_ip: 'A malformed IP address.',
  unknown_policy: 'A policy id that does not exist in the account (in an application\'s or a policy test\'s policies).',
  unknown_permission_group: 'An API token names a permission group that does not exist.',
  identity_email_mismatch: 'A last seen identity whose email is not the email of its user.',
  too_many_external_endpoints: 'Policies that would make one evaluation call more distinct external evaluation endpoints than allowed.',
  mixed_policy_kinds: 'An application request that links reusable policies and defines inline policies at once (Cloudflare keeps them mutually exclusive).',
  unknown_custom_page: 'A custom page uid that does not exist in the account, or names a page of another type than its place asks for (an application\'s custom_pages, the organization\'s custom_pages.identity_denied or .forbidden).',
  seat_not_given: 'A Zero Trust seat a request asks to give a user: a user takes an Access seat by signing in, and portcullis has no Gateway seats.',
  conflicting_settings: 'Two settings that cannot be on together (an application\'s options_preflight_bypass and cors_headers, or its auto_redirect_to_identity and more than one allowed_idps).',
} as const;

export type ApiValidationCode = ValidationCode | keyof typeof API_VALIDATION_CODES;

/** An issue found while validating a request: a code of the validation vocabulary and a pointer. */
export interface RequestIssue {
  readonly code: ApiValidationCode;
  readonly message: string;
  readonly pointer: string;
}
