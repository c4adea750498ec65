// Lint's codes and the shape of its findings (lint.ts runs the checks).

import type { Group } from './rules.js';

export const LINT_CODES = {
  allow_everyone: 'An allow policy includes everyone and has no require rule: anybody who can log in through any identity provider gets in.',
  bypass_everyone: 'A bypass policy includes everyone and has no require rule: Access is switched off for the application.',
  service_auth_everyone: 'A Service Auth (non_identity) policy includes everyone and has no require rule: every request gets in without a login, like a bypass.',
  allow_only_otp: 'An allow policy whose only include rules are login methods of one-time PIN identity providers: anybody who can receive email passes.',
  contradictory_require: 'Two require rules that no request can satisfy together (two countries, two email addresses, two identity providers, disjoint IP ranges, ...): the policy or group never matches.',
  approval_groups_without_approval_required: 'approval_groups is set but approval_required is not true, so no approval is ever asked for.',
  service_token_in_allow: 'A service token rule in an allow policy: allow policies always ask for a login; service tokens belong in a non_identity (Service Auth) policy.',
  duplicate_rule: 'The same rule appears twice in one rule list; the second copy changes nothing.',
  deny_exclude_does_not_grant: 'A deny policy with exclude rules: exclude only stops the deny from matching, it never grants access; the excluded users still need an allow policy.',
  require_and_exclude_same_rule: 'The same rule in require and in exclude: whoever passes the require is excluded, so the policy or group never matches.',
  exclude_everyone: 'An exclude rule that matches everyone: the policy or group never matches.',
  identity_selector_in_service_auth: 'An identity selector (or a group that needs one) in a non_identity (Service Auth) policy: service auth has no login, so the rule never matches.',
  unknown_country_code: 'A country code that is not an assigned ISO 3166-1 alpha-2 code (XK for Kosovo and XX for unknown, which Cloudflare reports, are accepted).',
  cidr_host_bits_set: 'An IP range with host bits set (10.0.0.1/8): it matches its whole network (10.0.0.0/8).',
  unknown_auth_method: 'An auth_method value that is not an RFC 8176 authentication method reference, so logins will probably never report it.',
  external_evaluation_http: 'An external evaluation URL over plain http: identities (evaluate_url) or signing keys (keys_url) travel unencrypted.',
  session_duration_zero: 'session_duration is zero: users must log in again on every request.',
  isolation_not_provided: 'An allow policy with isolation_required: portcullis has no Browser Isolation, so its enforcement point refuses the users this policy lets in (the policy tester and what-if still count them approved).',
  unreachable_policy: 'A policy that runs after a policy matching everyone (no require, no exclude), so it can never decide.',
  duplicate_policy: 'Two policies with the same decision and the same rules: the later one can never decide.',
} as const;

export type LintCode = keyof typeof LINT_CODES;

export interface LintFinding {
  readonly code: LintCode;
  readonly message: string;
  /** JSON pointer of the offending rule or field, e.g. "/require/1" or "/policies/2/approval_groups". */
  readonly pointer: string;
}

export interface LintContext {
  /** Type of an identity provider by id, e.g. 'onetimepin', 'okta'. When absent, checks needing it are skipped. */
  readonly identityProviderType?: (id: string) => string | undefined;
  /** Resolve an Access group by id; used to see through `group` rules where useful. */
  readonly group?: (id: string) => Group | undefined;
}
