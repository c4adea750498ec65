// The one error registry: every error the API can answer with, its numeric code (stable, at
// least 1000, as Cloudflare's envelope requires), its HTTP status and its message, rendered
// from data. docs/errors.md is generated from these tables and a test keeps them in step.
//
// Where Cloudflare's own code for a situation is known (7003 no route, 9106 missing
// credentials, 9109 unauthorized, 10000 authentication error) portcullis answers with it.

import { LINT_CODES, VALIDATION_CODES, type Issue, type LintCode, type LintFinding } from '../engine/index.js';
import { API_VALIDATION_CODES, type ApiValidationCode, type RequestIssue } from '../schema/issues.js';

export interface ErrorSpec {
  readonly code: number;
  readonly status: number;
  /** Message template: `{name}` is replaced by the detail of that name. */
  readonly message: string;
}

export const API_ERRORS = {
  internal_error: { code: 1000, status: 500, message: 'The server failed to complete the request (request id {requestId}); nothing was changed. The server log has the details.' },
  invalid_json: { code: 1001, status: 400, message: 'The request body is not valid JSON: {detail}.' },
  unsupported_media_type: { code: 1002, status: 415, message: 'Content type {contentType} is not accepted here; send {expected}.' },
  body_too_large: { code: 1003, status: 413, message: 'The request body is larger than the limit of {limit} bytes.' },
  missing_body: { code: 1004, status: 400, message: 'This request needs a JSON body.' },
  bad_request: { code: 1005, status: 400, message: 'Bad request: {detail}.' },
  uri_too_long: { code: 1006, status: 414, message: 'A segment of the request path is longer than {limit} characters.' },
  headers_too_large: { code: 1007, status: 431, message: 'The request line and headers are larger than {limit} bytes.' },
  request_timeout: { code: 1008, status: 408, message: 'The request did not arrive in full within {seconds} s; the connection is closed.' },
  unsupported_charset: { code: 1009, status: 415, message: 'Charset {charset} is not accepted: send the body as UTF-8 (charset=utf-8, or no charset).' },
  unsupported_encoding: { code: 1011, status: 415, message: 'Content-Encoding {coding} is not accepted: send the body uncompressed.' },
  unsupported_filter: { code: 1010, status: 400, message: 'The {name} filter is not supported: {detail}.' },
  feature_not_supported: { code: 1012, status: 400, message: '{feature} are not part of portcullis: {detail}.' },
  route_not_found: { code: 7003, status: 404, message: 'No route for that URI: {method} {path}.' },
  method_not_allowed: { code: 7001, status: 405, message: '{method} is not allowed on {path}; allowed: {allowed}.' },
  missing_credentials: { code: 9106, status: 401, message: 'Missing credentials: send "Authorization: Bearer <API token>", or the "X-Auth-Email" and "X-Auth-Key" headers.' },
  invalid_credentials: { code: 10000, status: 401, message: 'Authentication error: the API token or key is not valid.' },
  inactive_token: { code: 10001, status: 401, message: 'Authentication error: the API token is {state}.' },
  forbidden: { code: 9109, status: 403, message: 'Unauthorized to access requested resource: {reason}.' },
  ip_not_allowed: { code: 1103, status: 403, message: 'This API token may not be used from {ip}.' },
  account_not_found: { code: 1101, status: 404, message: 'Account {accountId} not found: account ids are 32 hexadecimal characters.' },
  not_found: { code: 1102, status: 404, message: '{what} {id} was not found.' },
  identity_not_found: { code: 1104, status: 404, message: 'Zero Trust user {id} has no last seen identity yet: one is recorded at login, or set by PUT .../last_seen_identity or an import.' },
  in_use: { code: 1201, status: 409, message: '{what} {id} is still in use by {users}; remove those references first.' },
  already_exists: { code: 1202, status: 409, message: '{detail}' },
  reusable_policy: { code: 1203, status: 409, message: 'Policy {id} is a reusable policy that application {appId} links, not one of its application-scoped policies: change or delete it at {policyPath}, or unlink it from the application with PUT {appPath}.' },
  rate_limited: { code: 1501, status: 429, message: 'Too many requests {who}: at most {limit} per {window}; retry in {retryAfter} s.' },
  too_many_tests: { code: 1503, status: 429, message: 'This account already has {running} policy tests processing (at most {limit} at once); retry when one finishes.' },
  store_unavailable: { code: 1502, status: 503, message: 'The database cannot take this request right now (unreachable, busy or read-only); nothing was changed. Retry shortly.' },
  commit_outcome_unknown: { code: 1505, status: 503, message: 'The connection to the database was lost while the change was being committed: it may or may not have been made. Read it back before sending it again.' },
  body_not_kept: { code: 1504, status: 503, message: 'The server cannot keep the request body while it waits ({detail}); nothing was changed. Retry shortly.' },
} as const satisfies Record<string, ErrorSpec>;

export type ApiErrorKey = keyof typeof API_ERRORS;

export { API_VALIDATION_CODES, type ApiValidationCode, type RequestIssue };

/** Every validation code, the engine's and the API's, with its meaning. */
export const ALL_VALIDATION_CODES: Readonly<Record<ApiValidationCode, string>> = { ...VALIDATION_CODES, ...API_VALIDATION_CODES };

/** Numeric codes of validation issues (400, one `errors` entry per issue). Never renumber. */
export const VALIDATION_NUMBERS = {
  invalid_type: 1300,
  required: 1301,
  unknown_field: 1302,
  invalid_enum: 1303,
  empty_string: 1304,
  too_long: 1305,
  empty_include: 1306,
  rule_not_object: 1307,
  rule_empty: 1308,
  rule_multiple_selectors: 1309,
  rule_unknown_selector: 1310,
  invalid_email: 1311,
  invalid_domain: 1312,
  invalid_cidr: 1313,
  invalid_country_code: 1314,
  invalid_url: 1315,
  min_items: 1316,
  min_value: 1317,
  invalid_duration: 1318,
  mfa_duration_out_of_range: 1319,
  selector_not_allowed_in_bypass: 1320,
  linked_app_token_not_allowed: 1321,
  unknown_group: 1322,
  unknown_list: 1323,
  list_type_mismatch: 1324,
  unknown_identity_provider: 1325,
  unknown_service_token: 1326,
  unknown_posture_rule: 1327,
  unknown_app: 1328,
  group_cycle: 1329,
  group_too_deep: 1330,
  max_items: 1350,
  max_value: 1351,
  invalid_format: 1352,
  duplicate_entry: 1353,
  immutable_field: 1354,
  invalid_certificate: 1355,
  invalid_ip: 1356,
  unknown_policy: 1357,
  unknown_permission_group: 1358,
  identity_email_mismatch: 1359,
  mixed_policy_kinds: 1360,
  too_many_external_endpoints: 1361,
  conflicting_settings: 1362,
  unknown_custom_page: 1363,
  seat_not_given: 1364,
} as const satisfies Record<ApiValidationCode, number>;

/** Numeric codes of lint findings (returned in `messages` of a successful write). Never renumber. */
export const LINT_NUMBERS = {
  allow_everyone: 1400,
  bypass_everyone: 1401,
  service_auth_everyone: 1402,
  allow_only_otp: 1403,
  contradictory_require: 1404,
  approval_groups_without_approval_required: 1405,
  service_token_in_allow: 1406,
  duplicate_rule: 1407,
  deny_exclude_does_not_grant: 1408,
  require_and_exclude_same_rule: 1409,
  exclude_everyone: 1410,
  identity_selector_in_service_auth: 1411,
  unknown_country_code: 1412,
  cidr_host_bits_set: 1413,
  unknown_auth_method: 1414,
  external_evaluation_http: 1415,
  session_duration_zero: 1416,
  unreachable_policy: 1417,
  duplicate_policy: 1418,
  isolation_not_provided: 1419,
} as const satisfies Record<LintCode, number>;

export { LINT_CODES };

/** Notes in `messages` of a successful request that are not lint findings. Never renumber. */
export const REQUEST_NOTES = {
  identity_redacted: { code: 1451, meaning: "An answer about a directory user without the user's identity values (identity, explanation, user_identity, a policy test user's explanations), because the credentials lack the permission that reads users." },
  same_name: { code: 1452, meaning: 'Another object of the same kind (reusable policy, Access group) already has this name. It was saved, as Cloudflare saves it; but `portcullis export`, `import` and `sync` match objects by name and stop at an account that has two, so rename one.' },
  unknown_field_ignored: { code: 1450, meaning: 'A top-level field the resource does not have (often a typo, or a field of a newer client): it was not stored. Read-only fields of the answer (id, created_at, ...) sent back are dropped without a note.' },
} as const;

/** A note for `messages`, pointing at the field it is about. */
export function requestNote(key: 'unknown_field_ignored', field: string): EnvelopeMessage {
  return { code: REQUEST_NOTES[key].code, message: `Unknown field ${JSON.stringify(field)} was ignored and not stored.`, source: { pointer: `/${field.replace(/~/g, '~0').replace(/\//g, '~1')}` } };
}

/** The note that `others` (their ids) of the same kind have the name just saved. */
export function sameNameNote(kindWords: string, name: string, others: readonly string[]): EnvelopeMessage {
  const which = others.length === 1 ? `${kindWords} ${others[0]} has` : `${others.length} other ${kindWords}s (${others.join(', ')}) have`;
  return {
    code: REQUEST_NOTES.same_name.code,
    message: `Saved, but ${which} the name ${JSON.stringify(name)} too: portcullis export, import and sync match by name and refuse an account with two, so rename one.`,
    source: { pointer: '/name' },
  };
}

/** One entry of an envelope's `errors` or `messages`. */
export interface EnvelopeMessage {
  readonly code: number;
  readonly message: string;
  readonly source?: { readonly pointer: string };
}

/** An error answer: status, envelope errors and extra headers. Thrown by handlers, rendered once. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: readonly EnvelopeMessage[],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(errors.map((e) => e.message).join(' '));
  }
}

export function renderMessage(template: string, details: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in details ? String(details[name]) : whole));
}

export function apiError(key: ApiErrorKey, details: Readonly<Record<string, string | number>> = {}, headers: Readonly<Record<string, string>> = {}): ApiError {
  const spec: ErrorSpec = API_ERRORS[key];
  return new ApiError(spec.status, [{ code: spec.code, message: renderMessage(spec.message, details) }], headers);
}

/** A 400 carrying every issue with its numeric code and JSON pointer (`source.pointer`). */
export function validationError(issues: readonly (RequestIssue | Issue)[], pointerPrefix = ''): ApiError {
  return new ApiError(
    400,
    issues.map((issue) => ({
      code: VALIDATION_NUMBERS[issue.code],
      message: issue.message,
      source: { pointer: pointerPrefix + issue.pointer },
    })),
  );
}

/** A 400 for query parameters: each issue's message names its parameter. */
export function queryValidationError(issues: readonly RequestIssue[]): ApiError {
  return new ApiError(
    400,
    validationError(issues).errors.map((e) => ({ ...e, message: `Query parameter ${e.source?.pointer.slice(1) || ''}: ${e.message}` })),
  );
}

export function lintMessages(findings: readonly LintFinding[], pointerPrefix = ''): EnvelopeMessage[] {
  return findings.map((f) => ({ code: LINT_NUMBERS[f.code], message: f.message, source: { pointer: pointerPrefix + f.pointer } }));
}

/** The SDK retries 408, 409, 429 and 5xx unless told not to: say so when a retry cannot help. */
export function shouldRetry(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
