// The catalogue of the 26 selectors: one entry per selector holds everything about it that is
// not evaluation. The wire types (wire.ts) and normalized rule types (rules.ts) are derived from
// it; validation, reference checks, lint, the docs (docs/selectors.md), the dashboard's rule
// builder and the test generators read it. The two evaluators (interpreter.ts, compile.ts with
// codegen.ts) handle every selector explicitly, and the compiler refuses a selector they miss.

import { quote } from './issues.js';
import type { Cidr } from './ip.js';
import type { RuleOutcome } from './outcome.js';
import type { Rule } from './rules.js';
import type { Selector } from './wire.js';

/** How a field's value is checked and normalized on write (validate.ts). */
export type FieldFormat = 'id' | 'text' | 'email' | 'domain' | 'cidr' | 'country' | 'url' | 'risk_levels';

/** What each format accepts and how it is normalized, for docs/selectors.md. */
export const FIELD_FORMATS: Readonly<Record<FieldFormat, string>> = {
  id: 'a non-empty string naming an object, compared exactly',
  text: 'a non-empty string, compared exactly unless the field says otherwise',
  email: 'an email address, lower-cased',
  domain: 'a domain name; a leading `@` is dropped; lower-cased',
  cidr: 'an IPv4 or IPv6 address or CIDR range, parsed (a bare address is /32 or /128)',
  country: 'two letters (ISO 3166-1 alpha-2), upper-cased',
  url: 'an absolute http(s) URL',
  risk_levels: 'a non-empty array of `low`, `medium`, `high`, `unscored`; duplicates dropped',
};

/** One field of a selector's wire object. */
export interface FieldDef {
  readonly format: FieldFormat;
  readonly required: boolean;
  /** The property of the normalized rule (rules.ts) that holds the normalized value. */
  readonly key: string;
  /** Lower-case the value after its format's normalization (compared ignoring case). */
  readonly fold?: 'lower';
  /** The identity value this field is compared with (docs/semantics.md "Identity model"). */
  readonly reads?: string;
  /** How the dashboard and the docs name it; default: its reference kind's label, else its name. */
  readonly label?: string;
}

/** Kinds of account objects a rule can name; each is checked on write. */
export type ReferenceKind = 'group' | 'list' | 'identity_provider' | 'service_token' | 'posture_rule' | 'app';

/** How messages (`noun`) and the dashboard (`label`) name each kind of account object. */
export const REFERENCE_KINDS: Readonly<Record<ReferenceKind, { readonly noun: string; readonly label: string }>> = {
  group: { noun: 'Access group', label: 'Access group' },
  list: { noun: 'Gateway list', label: 'Gateway list' },
  identity_provider: { noun: 'identity provider', label: 'Identity provider' },
  service_token: { noun: 'service token', label: 'Service token' },
  posture_rule: { noun: 'device posture rule', label: 'Device posture rule' },
  app: { noun: 'Access application', label: 'Application' },
};

/** Gateway list types a list selector can require. */
export type RuleListType = 'EMAIL' | 'IP';

export interface ReferenceDef {
  /** The wire field holding the referenced object's id. */
  readonly field: string;
  readonly kind: ReferenceKind;
  /** For list references: the list type the selector needs. */
  readonly listType?: RuleListType;
}

export interface SelectorDef {
  readonly title: string;
  /** The wire object's fields, in the order the docs and the dashboard show them. */
  readonly fields: { readonly [name: string]: FieldDef };
  /** Identity selectors need a login and so are refused in bypass policies. */
  readonly identity: boolean;
  /** The field (if any) naming another account object. */
  readonly reference?: ReferenceDef;
  /** Identity values read beyond those the fields are compared with. */
  readonly alsoReads?: readonly string[];
  /**
   * How lint names a rule: `{field}` is the field's normalized value, `{field:q}` the same
   * quoted, `[a|b]` is `a` when every field in it is set and `b` (or nothing) otherwise.
   */
  readonly describe: string;
  /** Every reason code the interpreter gives a rule of this selector, with its outcome. */
  readonly reasons: { readonly [code: string]: RuleOutcome };
}

const IDP = { format: 'id', required: true, key: 'idpId', reads: 'idp.id' } as const;
const IDP_REFERENCE = { field: 'identity_provider_id', kind: 'identity_provider' } as const;
/** The IdP check of IdP-scoped selectors (docs/semantics.md "IdP scoping"). */
const IDP_SCOPE_REASONS = { idp_mismatch: 'not_matched', identity_provider_not_found: 'unknown' } as const;
const LIST_REASONS = { list_not_found: 'unknown', list_type_mismatch: 'unknown' } as const;
const TOKEN_REASONS = {
  service_token_valid: 'matched',
  service_token_missing: 'not_matched',
  service_token_invalid: 'not_matched',
  service_token_not_found: 'not_matched',
  service_token_expired: 'not_matched',
} as const;

/** The catalogue, in the order of Cloudflare's API reference. */
export const CATALOGUE = {
  group: {
    title: 'Access group',
    fields: { id: { format: 'id', required: true, key: 'groupId' } },
    identity: false,
    reference: { field: 'id', kind: 'group' },
    alsoReads: ["(the group's own rules)"],
    describe: 'Access group {id}',
    reasons: { group_member: 'matched', group_not_member: 'not_matched', group_unknown: 'unknown', group_not_found: 'unknown', group_cycle: 'unknown', group_too_deep: 'unknown' },
  },
  any_valid_service_token: {
    title: 'Any valid service token',
    fields: {},
    identity: false,
    alsoReads: ['service_token_id', 'service_token_status'],
    describe: 'any valid service token',
    reasons: TOKEN_REASONS,
  },
  auth_context: {
    title: 'Authentication context',
    fields: {
      ac_id: { format: 'id', required: true, key: 'acId', reads: 'auth_contexts', label: 'Context (ac_id)' },
      id: { format: 'id', required: true, key: 'contextId', label: 'Context object id' },
      identity_provider_id: IDP,
    },
    identity: true,
    reference: IDP_REFERENCE,
    describe: 'authentication context {ac_id} of identity provider {identity_provider_id}',
    reasons: { auth_context_match: 'matched', auth_context_mismatch: 'not_matched', ...IDP_SCOPE_REASONS },
  },
  auth_method: {
    title: 'Authentication method',
    fields: { auth_method: { format: 'text', required: true, key: 'method', reads: 'amr', label: 'Method (RFC 8176, e.g. mfa)' } },
    identity: true,
    describe: 'authentication method {auth_method:q}',
    reasons: { auth_method_match: 'matched', auth_method_mismatch: 'not_matched', amr_missing: 'not_matched' },
  },
  azureAD: {
    title: 'Azure AD group',
    fields: { id: { format: 'id', required: true, key: 'groupId', reads: 'groups[].id', label: 'Azure AD group id' }, identity_provider_id: IDP },
    identity: true,
    reference: IDP_REFERENCE,
    describe: 'Azure AD group {id} of identity provider {identity_provider_id}',
    reasons: { azure_group_match: 'matched', azure_group_mismatch: 'not_matched', ...IDP_SCOPE_REASONS },
  },
  certificate: {
    title: 'Valid certificate',
    fields: {},
    identity: false,
    alsoReads: ['mtls_auth.cert_presented', 'mtls_auth.auth_status'],
    describe: 'a valid client certificate',
    reasons: { certificate_valid: 'matched', certificate_invalid: 'not_matched', certificate_missing: 'not_matched' },
  },
  common_name: {
    title: 'Common name',
    fields: { common_name: { format: 'text', required: true, key: 'commonName', reads: 'common_name' } },
    identity: false,
    // Cloudflare: "The request will need to present a valid certificate with an expected common name."
    alsoReads: ['mtls_auth.cert_presented', 'mtls_auth.auth_status'],
    describe: 'certificate common name {common_name:q}',
    reasons: { common_name_match: 'matched', common_name_mismatch: 'not_matched', common_name_missing: 'not_matched', common_name_certificate_invalid: 'not_matched' },
  },
  geo: {
    title: 'Country',
    fields: { country_code: { format: 'country', required: true, key: 'country', reads: 'geo.country', label: 'Country code' } },
    identity: false,
    describe: 'country {country_code}',
    reasons: { country_match: 'matched', country_mismatch: 'not_matched', country_missing: 'not_matched' },
  },
  device_posture: {
    title: 'Device posture',
    fields: { integration_uid: { format: 'id', required: true, key: 'postureRuleId', reads: 'devicePosture[integration_uid].success' } },
    identity: false,
    reference: { field: 'integration_uid', kind: 'posture_rule' },
    describe: 'device posture rule {integration_uid}',
    reasons: { device_posture_passed: 'matched', device_posture_failed: 'not_matched', posture_rule_not_found: 'unknown' },
  },
  email_domain: {
    title: 'Email domain',
    fields: { domain: { format: 'domain', required: true, key: 'domain', reads: 'email' } },
    identity: true,
    describe: 'email domain {domain}',
    reasons: { email_domain_match: 'matched', email_domain_mismatch: 'not_matched', email_missing: 'not_matched' },
  },
  email_list: {
    title: 'Email list',
    fields: { id: { format: 'id', required: true, key: 'listId' } },
    identity: true,
    reference: { field: 'id', kind: 'list', listType: 'EMAIL' },
    alsoReads: ['email'],
    describe: 'email list {id}',
    reasons: { email_list_match: 'matched', email_list_mismatch: 'not_matched', email_missing: 'not_matched', ...LIST_REASONS },
  },
  email: {
    title: 'Email',
    fields: { email: { format: 'email', required: true, key: 'email', reads: 'email' } },
    identity: true,
    describe: 'email {email}',
    reasons: { email_match: 'matched', email_mismatch: 'not_matched', email_missing: 'not_matched' },
  },
  everyone: {
    title: 'Everyone',
    fields: {},
    identity: false,
    describe: 'everyone',
    reasons: { everyone: 'matched' },
  },
  external_evaluation: {
    title: 'External evaluation',
    fields: {
      evaluate_url: { format: 'url', required: true, key: 'evaluateUrl', label: 'Evaluate URL' },
      keys_url: { format: 'url', required: true, key: 'keysUrl', label: 'Keys URL' },
    },
    identity: true,
    alsoReads: ['(the whole identity, sent to evaluate_url)'],
    describe: 'external evaluation at {evaluate_url}',
    reasons: { external_allow: 'matched', external_deny: 'not_matched', external_evaluation_failed: 'unknown' },
  },
  'github-organization': {
    title: 'GitHub organization',
    fields: {
      identity_provider_id: IDP,
      name: { format: 'text', required: true, key: 'org', fold: 'lower', reads: 'groups[].name', label: 'Organization' },
      team: { format: 'text', required: false, key: 'team', fold: 'lower', reads: 'groups[].teams', label: 'Team' },
    },
    identity: true,
    reference: IDP_REFERENCE,
    describe: 'GitHub organization {name:q}[ team {team:q}] of identity provider {identity_provider_id}',
    reasons: {
      github_org_match: 'matched',
      github_team_match: 'matched',
      github_org_mismatch: 'not_matched',
      github_team_mismatch: 'not_matched',
      ...IDP_SCOPE_REASONS,
    },
  },
  gsuite: {
    title: 'Google Workspace group',
    fields: { email: { format: 'email', required: true, key: 'groupEmail', reads: 'groups[].email', label: 'Google group email' }, identity_provider_id: IDP },
    identity: true,
    reference: IDP_REFERENCE,
    describe: 'Google Workspace group {email} of identity provider {identity_provider_id}',
    reasons: { gsuite_group_match: 'matched', gsuite_group_mismatch: 'not_matched', ...IDP_SCOPE_REASONS },
  },
  login_method: {
    title: 'Login method',
    fields: { id: { format: 'id', required: true, key: 'idpId', reads: 'idp.id' } },
    identity: true,
    reference: { field: 'id', kind: 'identity_provider' },
    describe: 'login method {id}',
    reasons: { login_method_match: 'matched', login_method_mismatch: 'not_matched', identity_provider_not_found: 'unknown' },
  },
  ip_list: {
    title: 'IP list',
    fields: { id: { format: 'id', required: true, key: 'listId' } },
    identity: false,
    reference: { field: 'id', kind: 'list', listType: 'IP' },
    alsoReads: ['ip'],
    describe: 'IP list {id}',
    reasons: { ip_list_match: 'matched', ip_list_mismatch: 'not_matched', ip_missing: 'not_matched', ...LIST_REASONS },
  },
  ip: {
    title: 'IP ranges',
    fields: { ip: { format: 'cidr', required: true, key: 'cidr', reads: 'ip', label: 'IP address or CIDR range' } },
    identity: false,
    describe: 'IP range {ip}',
    reasons: { ip_match: 'matched', ip_mismatch: 'not_matched', ip_missing: 'not_matched' },
  },
  okta: {
    title: 'Okta group',
    fields: { identity_provider_id: IDP, name: { format: 'text', required: true, key: 'groupName', reads: 'groups[].name', label: 'Okta group name' } },
    identity: true,
    reference: IDP_REFERENCE,
    describe: 'Okta group {name:q} of identity provider {identity_provider_id}',
    reasons: { okta_group_match: 'matched', okta_group_mismatch: 'not_matched', ...IDP_SCOPE_REASONS },
  },
  saml: {
    title: 'SAML group',
    fields: {
      attribute_name: { format: 'text', required: true, key: 'attributeName', reads: 'saml_attributes' },
      attribute_value: { format: 'text', required: true, key: 'attributeValue', reads: 'saml_attributes[attribute_name]' },
      identity_provider_id: IDP,
    },
    identity: true,
    reference: IDP_REFERENCE,
    describe: 'SAML attribute {attribute_name:q} = {attribute_value:q} of identity provider {identity_provider_id}',
    reasons: { saml_match: 'matched', saml_mismatch: 'not_matched', saml_missing: 'not_matched', ...IDP_SCOPE_REASONS },
  },
  oidc: {
    title: 'OIDC claim',
    fields: {
      claim_name: { format: 'text', required: true, key: 'claimName', reads: 'oidc_fields' },
      claim_value: { format: 'text', required: true, key: 'claimValue', reads: 'oidc_fields[claim_name]' },
      identity_provider_id: IDP,
    },
    identity: true,
    reference: IDP_REFERENCE,
    describe: 'OIDC claim {claim_name:q} = {claim_value:q} of identity provider {identity_provider_id}',
    reasons: { oidc_match: 'matched', oidc_mismatch: 'not_matched', oidc_missing: 'not_matched', ...IDP_SCOPE_REASONS },
  },
  service_token: {
    title: 'Service token',
    fields: { token_id: { format: 'id', required: true, key: 'tokenId', reads: 'service_token_id' } },
    identity: false,
    reference: { field: 'token_id', kind: 'service_token' },
    alsoReads: ['service_token_status'],
    describe: 'service token {token_id}',
    reasons: { ...TOKEN_REASONS, service_token_mismatch: 'not_matched' },
  },
  linked_app_token: {
    title: 'Linked app token',
    fields: { app_uid: { format: 'id', required: true, key: 'appUid', reads: 'linked_app_token.app_uid' } },
    identity: false,
    reference: { field: 'app_uid', kind: 'app' },
    describe: 'linked app token of application {app_uid}',
    reasons: { linked_app_token_match: 'matched', linked_app_token_mismatch: 'not_matched', app_not_found: 'unknown' },
  },
  user_risk_score: {
    title: 'User risk score',
    fields: { user_risk_score: { format: 'risk_levels', required: true, key: 'levels', reads: 'user_risk_score', label: 'Risk levels' } },
    identity: true,
    describe: 'user risk score {user_risk_score}',
    reasons: { user_risk_score_match: 'matched', user_risk_score_mismatch: 'not_matched' },
  },
  cloudflare_account_member: {
    title: 'Cloudflare account member',
    fields: { account_id: { format: 'id', required: false, key: 'accountId', reads: 'cloudflare_account_ids', label: 'Cloudflare account id' } },
    identity: true,
    describe: 'membership of [Cloudflare account {account_id}|a Cloudflare account]',
    reasons: { account_member_match: 'matched', account_member_mismatch: 'not_matched' },
  },
} as const satisfies Readonly<Record<string, SelectorDef>>;

export type Catalogue = typeof CATALOGUE;

// ---------------------------------------------------------------- derived types

type ReasonsOf<S extends Selector> = Catalogue[S]['reasons'];
/** The reason codes of one selector (or a union of selectors). */
export type ReasonCodeOf<S extends Selector> = S extends Selector ? keyof ReasonsOf<S> & string : never;
/** The reason codes of `S` with outcome `O`. */
export type ReasonCodeWith<S extends Selector, O extends RuleOutcome> = S extends Selector
  ? { [C in keyof ReasonsOf<S>]: ReasonsOf<S>[C] extends O ? C : never }[keyof ReasonsOf<S>] & string
  : never;
/** Every explanation reason code: the selectors' own, and `skipped` for rules not evaluated. */
export type ReasonCode = ReasonCodeOf<Selector> | 'skipped';

// A reference must name one of the selector's own fields: checked here, at compile time.
type BadReferences = {
  [S in Selector]: Catalogue[S] extends { reference: { field: infer F } } ? (F extends keyof Catalogue[S]['fields'] ? never : S) : never;
}[Selector];
const referencesNameTheirFields: [BadReferences] extends [never] ? true : BadReferences = true;
void referencesNameTheirFields;

// ---------------------------------------------------------------- runtime views

/** One field, with its wire name and resolved label. */
export interface FieldSpec extends FieldDef {
  /** The wire name, e.g. "identity_provider_id". */
  readonly name: string;
  readonly label: string;
}

/** A catalogue entry as a record (for loops over all selectors). */
export interface SelectorSpec {
  readonly selector: Selector;
  readonly title: string;
  readonly fields: readonly FieldSpec[];
  readonly identity: boolean;
  readonly reference?: ReferenceDef;
  /** Identity values read (docs/semantics.md "Identity model"): the fields' and the others. */
  readonly reads: readonly string[];
  readonly reasons: Readonly<Record<string, RuleOutcome>>;
  readonly describe: string;
}

const humanize = (name: string): string => {
  const text = name.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
};

function specFrom(selector: Selector, def: SelectorDef): SelectorSpec {
  const fields = Object.entries(def.fields).map(([name, field]): FieldSpec => ({
    ...field,
    name,
    label: field.label ?? (def.reference?.field === name ? REFERENCE_KINDS[def.reference.kind].label : humanize(name)),
  }));
  const reads = [...new Set([...fields.flatMap((f) => (f.reads === undefined ? [] : [f.reads])), ...(def.alsoReads ?? [])])];
  return { selector, title: def.title, fields, identity: def.identity, reference: def.reference, reads, reasons: def.reasons, describe: def.describe };
}

export const SELECTORS: readonly SelectorSpec[] = (Object.keys(CATALOGUE) as Selector[]).map((s) => specFrom(s, CATALOGUE[s]));

export const SELECTOR_SPECS: ReadonlyMap<string, SelectorSpec> = new Map(SELECTORS.map((s) => [s.selector, s]));

export function specOf(selector: Selector): SelectorSpec {
  return SELECTOR_SPECS.get(selector)!;
}

/** The outcome a reason code stands for with this selector, or undefined when it is not one of its codes. */
export function reasonOutcome(selector: Selector, code: string): RuleOutcome | undefined {
  const reasons: Readonly<Record<string, RuleOutcome>> = CATALOGUE[selector].reasons;
  return Object.prototype.hasOwnProperty.call(reasons, code) ? reasons[code] : undefined;
}

// ---------------------------------------------------------------- normalized rules, generically

type NormalValue = string | Cidr | readonly string[] | undefined;

function fieldValue(rule: Rule, field: FieldSpec): NormalValue {
  return (rule as unknown as Record<string, NormalValue>)[field.key];
}

/** The account object a rule names, if any, with the wire field naming it. */
export function referenceOf(rule: Rule): (ReferenceDef & { readonly id: string }) | undefined {
  const spec = specOf(rule.kind);
  const ref = spec.reference;
  if (ref === undefined) return undefined;
  const id = fieldValue(rule, spec.fields.find((f) => f.name === ref.field)!);
  return typeof id === 'string' ? { ...ref, id } : undefined;
}

const display = (value: Exclude<NormalValue, undefined>): string =>
  typeof value === 'string' ? value : Array.isArray(value) ? value.join(' or ') : (value as Cidr).text;

/** A canonical key of a normalized rule: equal keys ⇔ the rules test the same thing. */
export function ruleKey(rule: Rule): string {
  const parts = specOf(rule.kind).fields.map((f) => {
    const value = fieldValue(rule, f);
    if (value === undefined) return null;
    return Array.isArray(value) ? [...(value as readonly string[])].sort() : display(value);
  });
  return JSON.stringify([rule.kind, ...parts]);
}

type Piece = string | { readonly field: string; readonly quoted: boolean } | { readonly present: Piece[]; readonly absent: Piece[] };

/** Compile a `describe` template (see SelectorDef) into pieces. */
function parseTemplate(template: string): Piece[] {
  const pieces: Piece[] = [];
  const pattern = /\{(\w+)(:q)?\}|\[([^\]|]*)(?:\|([^\]]*))?\]/g;
  let last = 0;
  for (const m of template.matchAll(pattern)) {
    if (m.index > last) pieces.push(template.slice(last, m.index));
    if (m[1] !== undefined) pieces.push({ field: m[1], quoted: m[2] !== undefined });
    else pieces.push({ present: parseTemplate(m[3]), absent: parseTemplate(m[4] ?? '') });
    last = m.index + m[0].length;
  }
  if (last < template.length) pieces.push(template.slice(last));
  return pieces;
}

/** The wire fields a template names (for the catalogue's own tests). */
export function templateFields(template: string): string[] {
  const names: string[] = [];
  const walk = (pieces: Piece[]): void => {
    for (const p of pieces) {
      if (typeof p === 'string') continue;
      if ('field' in p) names.push(p.field);
      else walk([...p.present, ...p.absent]);
    }
  };
  walk(parseTemplate(template));
  return names;
}

const TEMPLATES: ReadonlyMap<Selector, Piece[]> = new Map(SELECTORS.map((s) => [s.selector, parseTemplate(s.describe)]));

/** A rule in words, e.g. 'Okta group "Eng" of identity provider idp-1'. */
export function describeRule(rule: Rule): string {
  const fields = specOf(rule.kind).fields;
  const valueOf = (name: string): NormalValue => fieldValue(rule, fields.find((f) => f.name === name)!);
  const render = (pieces: Piece[]): string | undefined => {
    let out = '';
    for (const p of pieces) {
      if (typeof p === 'string') out += p;
      else if ('field' in p) {
        const value = valueOf(p.field);
        if (value === undefined) return undefined;
        out += p.quoted ? quote(display(value)) : display(value);
      } else out += render(p.present) ?? render(p.absent) ?? '';
    }
    return out;
  };
  return render(TEMPLATES.get(rule.kind)!) ?? rule.kind;
}

/** For the `default` of a switch over every selector: the compiler names a selector left out. */
export function unhandledSelector(rule: never): never {
  throw new Error(`unhandled selector ${JSON.stringify((rule as Rule).kind)}`);
}
