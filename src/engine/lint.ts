// Policy lint: warnings about valid policies and groups that probably do not do what their
// author meant (a policy that can never match, one that lets everybody in, a value no request
// will ever carry). Findings never block a write; the API returns them in the envelope's
// `messages`. Lint reads normalized rules only (validation has already run) and does no I/O.

import { parseGoDuration } from './duration.js';
import type { Cidr } from './ip.js';
import { capitalize, joinPointer, quote } from './issues.js';
import { executionOrder, isFirstPhase } from './outcome.js';
import { RULE_LISTS, type Group, type Policy, type Rule, type RuleListName, type RuleSet } from './rules.js';
import { SELECTOR_SPECS } from './selectors.js';
import type { Decision } from './wire.js';

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

// ---------------------------------------------------------------- reference data

/** The 249 assigned ISO 3166-1 alpha-2 codes. */
const ISO_COUNTRIES: ReadonlySet<string> = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
    'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR ' +
    'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP ' +
    'KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT ' +
    'MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW ' +
    'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG ' +
    'UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
  ).split(' '),
);

/** Codes that are not ISO assignments but that Cloudflare's geolocation reports. */
const CLOUDFLARE_COUNTRY_CODES: ReadonlySet<string> = new Set(['XK', 'XX']);

/** Common mistakes and withdrawn codes → the assigned code(s) meant. */
const COUNTRY_HINTS: Readonly<Record<string, string>> = {
  UK: 'GB',
  EL: 'GR',
  TP: 'TL',
  ZR: 'CD',
  BU: 'MM',
  YU: 'RS or ME',
  CS: 'RS or ME',
  AN: 'BQ, CW or SX',
};

/** RFC 8176 Authentication Method Reference values. */
const AMR_VALUES: readonly string[] = [
  'face', 'fpt', 'geo', 'hwk', 'iris', 'kba', 'mca', 'mfa', 'otp', 'pin', 'pop', 'pwd',
  'rba', 'retina', 'sc', 'sms', 'swk', 'tel', 'user', 'vbm', 'wia',
];
const AMR_SET: ReadonlySet<string> = new Set(AMR_VALUES);
const AMR_HINTS: Readonly<Record<string, string>> = {
  password: 'pwd',
  passwd: 'pwd',
  totp: 'otp',
  hotp: 'otp',
  u2f: 'hwk',
  fido: 'hwk',
  fido2: 'hwk',
  webauthn: 'hwk',
  security_key: 'hwk',
  yubikey: 'hwk',
  fingerprint: 'fpt',
  biometrics: 'fpt',
  faceid: 'face',
  smartcard: 'sc',
  phone: 'tel',
  voice: 'vbm',
  kerberos: 'wia',
  '2fa': 'mfa',
  mfa_required: 'mfa',
};

// ---------------------------------------------------------------- rule helpers

const q = quote; // short alias: messages here quote many values

/** A canonical key of a normalized rule: equal keys ⇔ the rules test the same thing. */
function ruleKey(rule: Rule): string {
  const parts = ((): (string | undefined)[] => {
    switch (rule.kind) {
      case 'group':
        return [rule.groupId];
      case 'any_valid_service_token':
      case 'certificate':
      case 'everyone':
        return [];
      case 'auth_context':
        return [rule.idpId, rule.acId, rule.contextId];
      case 'auth_method':
        return [rule.method];
      case 'azureAD':
        return [rule.idpId, rule.groupId];
      case 'common_name':
        return [rule.commonName];
      case 'geo':
        return [rule.country];
      case 'device_posture':
        return [rule.postureRuleId];
      case 'email_domain':
        return [rule.domain];
      case 'email_list':
      case 'ip_list':
        return [rule.listId];
      case 'email':
        return [rule.email];
      case 'external_evaluation':
        return [rule.evaluateUrl, rule.keysUrl];
      case 'github-organization':
        return [rule.idpId, rule.org, rule.team];
      case 'gsuite':
        return [rule.idpId, rule.groupEmail];
      case 'login_method':
        return [rule.idpId];
      case 'ip':
        return [rule.cidr.text];
      case 'okta':
        return [rule.idpId, rule.groupName];
      case 'saml':
        return [rule.idpId, rule.attributeName, rule.attributeValue];
      case 'oidc':
        return [rule.idpId, rule.claimName, rule.claimValue];
      case 'service_token':
        return [rule.tokenId];
      case 'linked_app_token':
        return [rule.appUid];
      case 'user_risk_score':
        return [...rule.levels].sort();
      case 'cloudflare_account_member':
        return [rule.accountId];
    }
  })();
  return JSON.stringify([rule.kind, ...parts.map((p) => p ?? null)]);
}

/** The identity provider a rule pins the login to, if any. */
function pinnedIdp(rule: Rule): string | undefined {
  switch (rule.kind) {
    case 'login_method':
    case 'auth_context':
    case 'azureAD':
    case 'github-organization':
    case 'gsuite':
    case 'okta':
    case 'saml':
    case 'oidc':
      return rule.idpId;
    default:
      return undefined;
  }
}

function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  if (a.v !== b.v) return false;
  const wider = a.prefix <= b.prefix ? a : b;
  if (a.v === 4) return ((a.net4 & wider.mask4) >>> 0) === ((b.net4 & wider.mask4) >>> 0);
  return (a.net6 & wider.mask6) === (b.net6 & wider.mask6);
}

const DECISION_WORDS: Record<Decision, string> = {
  allow: 'allow',
  deny: 'block (deny)',
  bypass: 'bypass',
  non_identity: 'Service Auth (non_identity)',
};

/** Memoized, cycle-safe views through `group` rules. */
class GroupView {
  private readonly everyoneMemo = new Map<string, boolean>();
  private readonly identityMemo = new Map<string, boolean>();

  constructor(private readonly lookup: ((id: string) => Group | undefined) | undefined) {}

  group(id: string): Group | undefined {
    return this.lookup?.(id);
  }

  /** Human name of a rule, resolving group names when possible. */
  describe(rule: Rule): string {
    switch (rule.kind) {
      case 'group': {
        const g = this.group(rule.groupId);
        return g === undefined ? `Access group ${rule.groupId}` : `Access group ${q(g.name)} (${rule.groupId})`;
      }
      case 'any_valid_service_token':
        return 'any valid service token';
      case 'auth_context':
        return `authentication context ${rule.acId} of identity provider ${rule.idpId}`;
      case 'auth_method':
        return `authentication method ${q(rule.method)}`;
      case 'azureAD':
        return `Azure AD group ${rule.groupId} of identity provider ${rule.idpId}`;
      case 'certificate':
        return 'a valid client certificate';
      case 'common_name':
        return `certificate common name ${q(rule.commonName)}`;
      case 'geo':
        return `country ${rule.country}`;
      case 'device_posture':
        return `device posture rule ${rule.postureRuleId}`;
      case 'email_domain':
        return `email domain ${rule.domain}`;
      case 'email_list':
        return `email list ${rule.listId}`;
      case 'email':
        return `email ${rule.email}`;
      case 'everyone':
        return 'everyone';
      case 'external_evaluation':
        return `external evaluation at ${rule.evaluateUrl}`;
      case 'github-organization':
        return `GitHub organization ${q(rule.org)}${rule.team !== undefined ? ` team ${q(rule.team)}` : ''} of identity provider ${rule.idpId}`;
      case 'gsuite':
        return `Google Workspace group ${rule.groupEmail} of identity provider ${rule.idpId}`;
      case 'login_method':
        return `login method ${rule.idpId}`;
      case 'ip_list':
        return `IP list ${rule.listId}`;
      case 'ip':
        return `IP range ${rule.cidr.text}`;
      case 'okta':
        return `Okta group ${q(rule.groupName)} of identity provider ${rule.idpId}`;
      case 'saml':
        return `SAML attribute ${q(rule.attributeName)} = ${q(rule.attributeValue)} of identity provider ${rule.idpId}`;
      case 'oidc':
        return `OIDC claim ${q(rule.claimName)} = ${q(rule.claimValue)} of identity provider ${rule.idpId}`;
      case 'service_token':
        return `service token ${rule.tokenId}`;
      case 'linked_app_token':
        return `linked app token of application ${rule.appUid}`;
      case 'user_risk_score':
        return `user risk score ${rule.levels.join(' or ')}`;
      case 'cloudflare_account_member':
        return rule.accountId === undefined ? 'membership of a Cloudflare account' : `membership of Cloudflare account ${rule.accountId}`;
    }
  }

  /** The rule matches every request: `everyone`, or a group that includes everyone with nothing narrowing it. */
  isEveryone(rule: Rule, seen: ReadonlySet<string> = new Set()): boolean {
    if (rule.kind === 'everyone') return true;
    if (rule.kind !== 'group') return false;
    const id = rule.groupId;
    const memo = this.everyoneMemo.get(id);
    if (memo !== undefined) return memo;
    const g = this.group(id);
    if (g === undefined || seen.has(id)) return false;
    const inner = new Set(seen).add(id);
    const result =
      g.exclude.length === 0 && g.include.some((r) => this.isEveryone(r, inner)) && g.require.every((r) => this.isEveryone(r, inner));
    this.everyoneMemo.set(id, result);
    return result;
  }

  /** The rule can only match a request that carries a login identity. Unresolvable groups: false. */
  needsIdentity(rule: Rule, seen: ReadonlySet<string> = new Set()): boolean {
    if (rule.kind !== 'group') return SELECTOR_SPECS.get(rule.kind)?.identity === true;
    const id = rule.groupId;
    const memo = this.identityMemo.get(id);
    if (memo !== undefined) return memo;
    const g = this.group(id);
    if (g === undefined || seen.has(id)) return false;
    const inner = new Set(seen).add(id);
    const canMatchWithout =
      g.include.some((r) => !this.needsIdentity(r, inner)) && g.require.every((r) => !this.needsIdentity(r, inner));
    this.identityMemo.set(id, !canMatchWithout);
    return !canMatchWithout;
  }
}

// ---------------------------------------------------------------- rule-set checks (policies and groups)

/** Why two require rules cannot both hold ("Two require rules demand ...; <why>"), or undefined. */
function requireConflict(a: Rule, b: Rule, pa: string, pb: string, view: GroupView): string | undefined {
  const at = (x: string, p: string): string => `${x} at ${p}`;
  const pair = (what: string, x: string, y: string, why: string): string | undefined =>
    x === y ? undefined : `Two require rules demand different ${what} (${at(x, pa)} and ${at(y, pb)}); ${why}`;
  if (a.kind === 'geo' && b.kind === 'geo') return pair('countries', a.country, b.country, 'a request comes from one country');
  if (a.kind === 'email' && b.kind === 'email') return pair('email addresses', a.email, b.email, 'a user has one email address');
  if (a.kind === 'email_domain' && b.kind === 'email_domain') {
    return pair('email domains', a.domain, b.domain, 'an email address has one domain');
  }
  if (a.kind === 'common_name' && b.kind === 'common_name') {
    return pair('certificate common names', q(a.commonName), q(b.commonName), 'a client certificate has one common name');
  }
  if (a.kind === 'service_token' && b.kind === 'service_token') {
    return pair('service tokens', a.tokenId, b.tokenId, 'a request carries one service token');
  }
  if (a.kind === 'linked_app_token' && b.kind === 'linked_app_token') {
    return pair('linked app tokens', a.appUid, b.appUid, 'a request carries a token of one application');
  }
  if (a.kind === 'ip' && b.kind === 'ip') {
    return cidrsOverlap(a.cidr, b.cidr)
      ? undefined
      : `Two require rules demand IP ranges that do not overlap (${at(a.cidr.text, pa)} and ${at(b.cidr.text, pb)}); a request comes from one IP address`;
  }
  if (a.kind === 'user_risk_score' && b.kind === 'user_risk_score') {
    return a.levels.some((l) => b.levels.includes(l))
      ? undefined
      : `Two require rules demand risk scores with no level in common (${at(a.levels.join(' or '), pa)} and ${at(b.levels.join(' or '), pb)}); a user has one risk score`;
  }
  // An email address fixes its domain.
  const email = a.kind === 'email' ? a : b.kind === 'email' ? b : undefined;
  const domain = a.kind === 'email_domain' ? a : b.kind === 'email_domain' ? b : undefined;
  if (email !== undefined && domain !== undefined) {
    return email.email.slice(email.email.lastIndexOf('@') + 1) === domain.domain
      ? undefined
      : `Two require rules demand ${at(view.describe(a), pa)} and ${at(view.describe(b), pb)}; ${email.email} is not in the domain ${domain.domain}`;
  }
  // login_method and every IdP-scoped rule pin the identity provider of the login.
  const ia = pinnedIdp(a);
  const ib = pinnedIdp(b);
  if (ia !== undefined && ib !== undefined && ia !== ib) {
    return `Two require rules demand logins through different identity providers (${ia} for ${at(view.describe(a), pa)}, ${ib} for ${at(view.describe(b), pb)}); a user logs in through one identity provider`;
  }
  return undefined;
}

/** Per-rule value checks: country codes, host bits, AMR values, plain-http URLs. */
function lintRuleValue(rule: Rule, p: string, out: LintFinding[]): void {
  switch (rule.kind) {
    case 'geo': {
      const code = rule.country;
      if (ISO_COUNTRIES.has(code) || CLOUDFLARE_COUNTRY_CODES.has(code)) return;
      const hint = COUNTRY_HINTS[code];
      out.push({
        code: 'unknown_country_code',
        pointer: joinPointer(p, 'geo', 'country_code'),
        message:
          `${code} is not an assigned ISO 3166-1 alpha-2 country code, so no request will come from it and this rule never matches.` +
          (hint !== undefined ? ` Did you mean ${hint}?` : ' Use the two-letter ISO code of the country (e.g. US, GB, DE).'),
      });
      return;
    }
    case 'ip': {
      if (!rule.cidr.hostBitsSet) return;
      const text = (rule.wire as { ip: { ip: string } }).ip.ip;
      const slash = text.indexOf('/');
      const address = slash < 0 ? text : text.slice(0, slash);
      const single = `${address}/${rule.cidr.v === 4 ? 32 : 128}`;
      out.push({
        code: 'cidr_host_bits_set',
        pointer: joinPointer(p, 'ip', 'ip'),
        message: `${text} has host bits set: it matches the whole network ${rule.cidr.text}. Write ${rule.cidr.text} if you mean the network, or ${single} for the single address.`,
      });
      return;
    }
    case 'auth_method': {
      const m = rule.method;
      if (AMR_SET.has(m)) return;
      const lower = m.toLowerCase();
      const hint = AMR_SET.has(lower) ? lower : AMR_HINTS[lower];
      out.push({
        code: 'unknown_auth_method',
        pointer: joinPointer(p, 'auth_method', 'auth_method'),
        message:
          `${q(m)} is not an RFC 8176 authentication method reference; identity providers report values such as "mfa", "pwd" or "hwk", so this rule will probably never match.` +
          (hint !== undefined ? ` Did you mean ${q(hint)}?` : ` Use one of: ${AMR_VALUES.join(', ')}.`),
      });
      return;
    }
    case 'external_evaluation': {
      for (const [field, url] of [
        ['evaluate_url', rule.evaluateUrl],
        ['keys_url', rule.keysUrl],
      ] as const) {
        if (!url.toLowerCase().startsWith('http:')) continue;
        const https = 'https:' + url.slice(url.indexOf(':') + 1);
        out.push({
          code: 'external_evaluation_http',
          pointer: joinPointer(p, 'external_evaluation', field),
          message:
            field === 'evaluate_url'
              ? `evaluate_url ${url} uses plain http: every identity sent to it travels unencrypted and can be read or altered on the way. Use ${https}.`
              : `keys_url ${url} uses plain http: anyone on the network path could swap the signing keys and forge "allow" answers. Use ${https}.`,
        });
      }
      return;
    }
    default:
      return;
  }
}

/** Checks shared by policies and groups. `noun` is "policy" or "group" for messages. */
function lintRuleSet(set: RuleSet, base: string, noun: string, view: GroupView, out: LintFinding[]): void {
  const ptr = (list: RuleListName, i: number): string => joinPointer(base, list, i);

  for (const list of RULE_LISTS) {
    // duplicate_rule
    const firstSeen = new Map<string, number>();
    set[list].forEach((rule, i) => {
      const key = ruleKey(rule);
      const earlier = firstSeen.get(key);
      if (earlier === undefined) {
        firstSeen.set(key, i);
        return;
      }
      out.push({
        code: 'duplicate_rule',
        pointer: ptr(list, i),
        message: `This ${list} rule (${view.describe(rule)}) repeats ${ptr(list, earlier)}; the second copy changes nothing. Remove it.`,
      });
    });
    // per-rule values
    set[list].forEach((rule, i) => lintRuleValue(rule, ptr(list, i), out));
  }

  // contradictory_require: report each rule against the first earlier one it clashes with.
  const req = set.require;
  for (let j = 1; j < req.length; j++) {
    for (let i = 0; i < j; i++) {
      const why = requireConflict(req[i], req[j], ptr('require', i), ptr('require', j), view);
      if (why === undefined) continue;
      out.push({
        code: 'contradictory_require',
        pointer: ptr('require', j),
        message: `${why}, so this ${noun} can never match. Keep only one of them, or move both into include to accept either.`,
      });
      break;
    }
  }

  // require_and_exclude_same_rule
  const requireKeys = new Map<string, number>();
  req.forEach((r, i) => {
    const k = ruleKey(r);
    if (!requireKeys.has(k)) requireKeys.set(k, i);
  });
  set.exclude.forEach((rule, j) => {
    const i = requireKeys.get(ruleKey(rule));
    if (i === undefined) return;
    out.push({
      code: 'require_and_exclude_same_rule',
      pointer: ptr('exclude', j),
      message: `This exclude rule (${view.describe(rule)}) is the same as the require rule at ${ptr('require', i)}: whoever passes the require is excluded, so this ${noun} can never match. Remove one of them.`,
    });
  });

  // exclude_everyone
  set.exclude.forEach((rule, j) => {
    if (!view.isEveryone(rule)) return;
    const via = rule.kind === 'everyone' ? '' : ` (${view.describe(rule)} matches everyone)`;
    out.push({
      code: 'exclude_everyone',
      pointer: ptr('exclude', j),
      message: `This exclude rule matches everyone${via}, so this ${noun} can never match anyone. Remove it, or exclude something narrower.`,
    });
  });
}

// ---------------------------------------------------------------- policies

function everyoneIndex(policy: Policy, view: GroupView): number {
  return policy.include.findIndex((r) => view.isEveryone(r));
}

function viaGroup(rule: Rule, view: GroupView): string {
  return rule.kind === 'everyone' ? 'everyone' : `${view.describe(rule)}, which matches everyone`;
}

function excludeNote(policy: Policy): string {
  const n = policy.exclude.length;
  return n === 0 ? '' : ` (only its ${n} exclude rule${n === 1 ? '' : 's'} hold${n === 1 ? 's' : ''} anyone back)`;
}

function lintPolicyWith(policy: Policy, ctx: LintContext, base: string, view: GroupView): LintFinding[] {
  const out: LintFinding[] = [];
  const d = policy.decision;

  // Everyone without a require narrowing it.
  const ei = everyoneIndex(policy, view);
  if (ei >= 0 && policy.require.length === 0) {
    const rule = policy.include[ei];
    const pointer = joinPointer(base, 'include', ei);
    const who = viaGroup(rule, view);
    if (d === 'allow') {
      out.push({
        code: 'allow_everyone',
        pointer,
        message: `This allow policy includes ${who} and has no require rule, so anybody who can log in through any of your identity providers gets in${excludeNote(policy)}. Include specific users, groups or email domains instead, or add a require rule.`,
      });
    } else if (d === 'bypass') {
      out.push({
        code: 'bypass_everyone',
        pointer,
        message: `This bypass policy includes ${who} and has no require rule, so Access is switched off for the application: every request gets in without a login${excludeNote(policy)}. Limit the bypass to specific IP ranges or countries, or use decision "allow".`,
      });
    } else if (d === 'non_identity') {
      out.push({
        code: 'service_auth_everyone',
        pointer,
        message: `This Service Auth (non_identity) policy includes ${who} and has no require rule, so every request gets in without a login, as with a bypass${excludeNote(policy)}. Include the service tokens or certificates that should get in instead.`,
      });
    }
  }

  // allow_only_otp
  if (d === 'allow' && policy.require.length === 0 && ctx.identityProviderType !== undefined && policy.include.length > 0) {
    const typeOf = ctx.identityProviderType;
    const idps: string[] = [];
    const onlyOtp = policy.include.every((r) => {
      if (r.kind !== 'login_method' || typeOf(r.idpId) !== 'onetimepin') return false;
      if (!idps.includes(r.idpId)) idps.push(r.idpId);
      return true;
    });
    if (onlyOtp) {
      out.push({
        code: 'allow_only_otp',
        pointer: joinPointer(base, 'include'),
        message: `Every include rule is a login method of a one-time PIN identity provider (${idps.join(', ')}), so anybody who can receive email at any address can log in and passes this policy. Include specific emails or email domains instead, or add a require rule that narrows who may pass.`,
      });
    }
  }

  // service_token_in_allow
  if (d === 'allow') {
    for (const list of ['include', 'require'] as const) {
      policy[list].forEach((r, i) => {
        if (r.kind !== 'service_token' && r.kind !== 'any_valid_service_token') return;
        out.push({
          code: 'service_token_in_allow',
          pointer: joinPointer(base, list, i),
          message: `A ${r.kind} rule (${view.describe(r)}) in an allow policy: allow policies always send the user to log in, so a service token alone never gets in. Move it to a policy with decision "non_identity" (Service Auth).`,
        });
      });
    }
  }

  // identity_selector_in_service_auth
  if (d === 'non_identity') {
    for (const list of RULE_LISTS) {
      policy[list].forEach((r, i) => {
        if (!view.needsIdentity(r)) return;
        const what =
          r.kind === 'group'
            ? `${view.describe(r)} can only match users with a login identity`
            : `"${r.kind}" (${view.describe(r)}) tests the user's identity`;
        const effect =
          list === 'include'
            ? 'this include rule never matches'
            : list === 'require'
              ? 'this require rule never holds and the policy can never match'
              : 'this exclude rule never takes effect';
        out.push({
          code: 'identity_selector_in_service_auth',
          pointer: joinPointer(base, list, i),
          message: `${what}, but a Service Auth (non_identity) policy runs without a login, so ${effect}. Use decision "allow" for identity rules, or test service tokens, certificates or IP ranges here.`,
        });
      });
    }
  }

  // deny_exclude_does_not_grant
  if (d === 'deny' && policy.exclude.length > 0) {
    const n = policy.exclude.length;
    out.push({
      code: 'deny_exclude_does_not_grant',
      pointer: joinPointer(base, 'exclude'),
      message: `This block (deny) policy has ${n} exclude rule${n === 1 ? '' : 's'} (${policy.exclude.map((r) => view.describe(r)).join('; ')}). Exclude only stops the block from matching those users; it never grants them access. Make sure an allow policy lets them in.`,
    });
  }

  // approval_groups_without_approval_required
  const groups = policy.settings.approval_groups;
  if (groups !== undefined && groups.length > 0 && policy.settings.approval_required !== true) {
    const state = policy.settings.approval_required === false ? 'is false' : 'is not set';
    out.push({
      code: 'approval_groups_without_approval_required',
      pointer: joinPointer(base, 'approval_groups'),
      message: `approval_groups lists ${groups.length} approval group${groups.length === 1 ? '' : 's'}, but approval_required ${state}, so no approval is ever asked for. Set approval_required to true, or remove approval_groups.`,
    });
  }

  // session_duration_zero
  const sd = policy.settings.session_duration;
  if (typeof sd === 'string' && parseGoDuration(sd)?.ns === 0) {
    out.push({
      code: 'session_duration_zero',
      pointer: joinPointer(base, 'session_duration'),
      message: `session_duration ${q(sd)} makes every session expire at once, so users must log in again on every request. Use a positive duration such as "24h", or leave it out for the default.`,
    });
  }

  lintRuleSet(policy, base, 'policy', view, out);
  return out;
}

/** Lint one validated policy. Pointers are relative to `pointer` (default ""). */
export function lintPolicy(policy: Policy, ctx: LintContext = {}, pointer = ''): LintFinding[] {
  return lintPolicyWith(policy, ctx, pointer, new GroupView(ctx.group));
}

/** Lint one validated Access group. Pointers are relative to `pointer` (default ""). */
export function lintGroup(group: Group, ctx: LintContext = {}, pointer = ''): LintFinding[] {
  const out: LintFinding[] = [];
  lintRuleSet(group, pointer, 'group', new GroupView(ctx.group), out);
  return out;
}

// ---------------------------------------------------------------- policy sets

function policyLabel(policy: Policy, pointer: string): string {
  return `${DECISION_WORDS[policy.decision]} policy ${q(policy.name)} (${pointer})`;
}


function policyKey(policy: Policy): string {
  const list = (rules: readonly Rule[]): string[] => [...new Set(rules.map(ruleKey))].sort();
  return JSON.stringify([policy.decision, list(policy.include), list(policy.require), list(policy.exclude)]);
}

/**
 * Lint an ordered list of policies (an application's, by precedence, or a policy test's): every
 * policy's own findings (pointers `<pointer>/<index>/...`) followed by the set-level findings
 * `unreachable_policy` and `duplicate_policy`. `deny_exclude_does_not_grant` is reported only
 * when no policy of the set can grant access.
 */
export function lintPolicySet(policies: readonly Policy[], ctx: LintContext = {}, pointer = '/policies'): LintFinding[] {
  const view = new GroupView(ctx.group);
  const at = (i: number): string => joinPointer(pointer, i);
  const anyGrant = policies.some((p) => p.decision !== 'deny');
  const out: LintFinding[] = [];

  policies.forEach((policy, i) => {
    for (const f of lintPolicyWith(policy, ctx, at(i), view)) {
      if (f.code === 'deny_exclude_does_not_grant') {
        if (anyGrant) continue;
        out.push({
          ...f,
          message: `${f.message.replace(/ Make sure an allow policy lets them in\.$/, '')} No policy in this set grants access, so the excluded users are still blocked (deny by default). Add an allow policy for them.`,
        });
        continue;
      }
      out.push(f);
    }
  });

  // unreachable_policy: after a policy matching everyone, nothing later in execution order decides.
  const order = executionOrder(policies.map((p) => p.decision));
  let blocker: number | undefined;
  for (const i of order) {
    const p = policies[i];
    if (blocker !== undefined) {
      const b = policies[blocker];
      const crossPhase = isFirstPhase(b.decision) && !isFirstPhase(p.decision);
      const everyoneNote = 'matches everyone (it includes everyone with no require or exclude)';
      const message = crossPhase
        ? `${capitalize(policyLabel(p, at(i)))} can never decide: ${policyLabel(b, at(blocker))} ${everyoneNote}, and bypass and Service Auth policies run before all allow and block policies; the first that matches grants access. Narrow that policy.`
        : `${capitalize(policyLabel(p, at(i)))} can never decide: ${policyLabel(b, at(blocker))} runs earlier and ${everyoneNote}, and the first ${isFirstPhase(b.decision) ? 'bypass or Service Auth policy that matches grants access' : 'allow or block policy that matches decides'}. Move this policy above it, or narrow that policy.`;
      out.push({ code: 'unreachable_policy', pointer: at(i), message });
      continue;
    }
    if (p.require.length === 0 && p.exclude.length === 0 && everyoneIndex(p, view) >= 0) blocker = i;
  }

  // duplicate_policy
  const seen = new Map<string, number>();
  policies.forEach((p, i) => {
    const key = policyKey(p);
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, i);
      return;
    }
    out.push({
      code: 'duplicate_policy',
      pointer: at(i),
      message: `Policy ${q(p.name)} (${at(i)}) has the same decision (${p.decision}) and the same rules as policy ${q(policies[first].name)} (${at(first)}), which runs earlier, so it can never decide. Remove one of them.`,
    });
  });

  return out;
}
