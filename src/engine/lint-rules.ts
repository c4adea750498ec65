// Lint checks shared by policies and Access groups: duplicate rules, contradictory require
// rules, require rules that are also excluded, exclusions of everyone, and per-rule values.

import type { Cidr } from './ip.js';
import { joinPointer, quote } from './issues.js';
import type { LintFinding } from './lint-codes.js';
import { AMR_HINTS, AMR_SET, AMR_VALUES, CLOUDFLARE_COUNTRY_CODES, COUNTRY_HINTS, ISO_COUNTRIES } from './lint-data.js';
import { RULE_LISTS, type Group, type Rule, type RuleListName, type RuleSet } from './rules.js';
import { describeRule, referenceOf, ruleKey, specOf } from './selectors.js';

const q = quote; // short alias: messages here quote many values

/** The identity provider a rule pins the login to (login_method and the IdP-scoped selectors), if any. */
function pinnedIdp(rule: Rule): string | undefined {
  const ref = referenceOf(rule);
  return ref?.kind === 'identity_provider' ? ref.id : undefined;
}

function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  if (a.v !== b.v) return false;
  const wider = a.prefix <= b.prefix ? a : b;
  if (a.v === 4) return ((a.net4 & wider.mask4) >>> 0) === ((b.net4 & wider.mask4) >>> 0);
  return (a.net6 & wider.mask6) === (b.net6 & wider.mask6);
}

/** Memoized, cycle-safe views through `group` rules. */
export class GroupView {
  private readonly everyoneMemo = new Map<string, boolean>();
  private readonly identityMemo = new Map<string, boolean>();

  constructor(private readonly lookup: ((id: string) => Group | undefined) | undefined) {}

  group(id: string): Group | undefined {
    return this.lookup?.(id);
  }

  /** Human name of a rule, resolving group names when possible. */
  describe(rule: Rule): string {
    if (rule.kind !== 'group') return describeRule(rule);
    const g = this.group(rule.groupId);
    return g === undefined ? describeRule(rule) : `Access group ${q(g.name)} (${rule.groupId})`;
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
    if (rule.kind !== 'group') return specOf(rule.kind).identity;
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
      const text = rule.wire.ip.ip;
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
export function lintRuleSet(set: RuleSet, base: string, noun: string, view: GroupView, out: LintFinding[]): void {
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
