// Parse, validate and normalize untrusted JSON into rules, policies and groups.
// Every problem is collected (not just the first) with a code, a message and a JSON pointer.

import { HOUR_NS, parseGoDuration } from './duration.js';
import { intern } from './intern.js';
import { parseCidr, type Cidr } from './ip.js';
import { jsonType, joinPointer, quote, type Issue, type ParseResult, type ValidationCode } from './issues.js';
import type { Group, Policy, PolicySettings, Rule, RuleListName } from './rules.js';
import { SELECTOR_SPECS, type FieldSpec, type SelectorSpec } from './selectors.js';
import { DECISIONS, RISK_LEVELS, type Decision, type RiskLevel } from './wire.js';
import { isObject } from './is-object.js';

/** Longest string accepted inside a rule; ids, names and values are far shorter in practice. */
export const MAX_RULE_STRING = 1024;
/** Longest policy/group name and justification prompt. */
export const MAX_TEXT = 4096;

const EMAIL_RE =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const DOMAIN_RE = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

export function isValidEmail(text: string): boolean {
  return text.length <= 254 && EMAIL_RE.test(text);
}

/** A DNS name such as "example.com" (no leading "@", no wildcard). */
export function isValidDomain(text: string): boolean {
  return text.length <= 253 && DOMAIN_RE.test(text);
}

/** Collects issues while walking one document. */
class Collector {
  readonly issues: Issue[] = [];
  add(code: ValidationCode, pointer: string, message: string): void {
    this.issues.push({ code, pointer, message });
  }
  typeError(pointer: string, expected: string, value: unknown): void {
    this.add('invalid_type', pointer, `Expected ${expected}, got ${jsonType(value)}.`);
  }
}

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

function checkUnknownFields(
  c: Collector,
  obj: Record<string, unknown>,
  pointer: string,
  allowed: ReadonlySet<string>,
  ignored?: ReadonlySet<string>,
): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.has(key) && !(ignored?.has(key) ?? false)) {
      c.add('unknown_field', joinPointer(pointer, key), `Unknown field ${quote(key)}.`);
    }
  }
}

// ---------------------------------------------------------------- rules

type FieldValue = string | Cidr | RiskLevel[] | undefined;

function parseField(c: Collector, spec: FieldSpec, raw: unknown, pointer: string): FieldValue {
  const value = parseFormat(c, spec, raw, pointer);
  // Folded after interning: the folded value is compared as a string, never keyed (intern.ts).
  return spec.fold === 'lower' && typeof value === 'string' ? value.toLowerCase() : value;
}

function parseFormat(c: Collector, spec: FieldSpec, raw: unknown, pointer: string): FieldValue {
  if (spec.format === 'risk_levels') {
    if (!Array.isArray(raw)) {
      c.typeError(pointer, 'an array of risk levels', raw);
      return undefined;
    }
    if (raw.length === 0) {
      c.add('min_items', pointer, 'List at least one risk level (low, medium, high, unscored).');
      return undefined;
    }
    const levels: RiskLevel[] = [];
    raw.forEach((item, i) => {
      if (typeof item === 'string' && (RISK_LEVELS as readonly string[]).includes(item)) {
        if (!levels.includes(item as RiskLevel)) levels.push(item as RiskLevel);
      } else {
        c.add('invalid_enum', joinPointer(pointer, i), `Expected one of ${RISK_LEVELS.join(', ')}, got ${quote(item)}.`);
      }
    });
    return levels;
  }
  if (typeof raw !== 'string') {
    c.typeError(pointer, 'a string', raw);
    return undefined;
  }
  if (raw.length === 0) {
    c.add('empty_string', pointer, `"${spec.name}" must not be empty.`);
    return undefined;
  }
  if (raw.length > MAX_RULE_STRING) {
    c.add('too_long', pointer, `"${spec.name}" is longer than ${MAX_RULE_STRING} characters.`);
    return undefined;
  }
  switch (spec.format) {
    case 'email':
      if (!isValidEmail(raw)) {
        c.add('invalid_email', pointer, `${quote(raw)} is not a valid email address.`);
        return undefined;
      }
      return intern(raw.toLowerCase());
    case 'domain': {
      const domain = raw.startsWith('@') ? raw.slice(1) : raw;
      if (!isValidDomain(domain)) {
        c.add('invalid_domain', pointer, `${quote(raw)} is not a valid domain name.`);
        return undefined;
      }
      return intern(domain.toLowerCase());
    }
    case 'cidr': {
      const cidr = parseCidr(raw);
      if (cidr === undefined) {
        c.add('invalid_cidr', pointer, `${quote(raw)} is not an IP address or CIDR range (e.g. "10.0.0.0/8", "2001:db8::/32").`);
        return undefined;
      }
      return cidr;
    }
    case 'country':
      if (!/^[A-Za-z]{2}$/.test(raw)) {
        c.add('invalid_country_code', pointer, `${quote(raw)} is not a two-letter ISO 3166-1 country code (e.g. "US").`);
        return undefined;
      }
      return intern(raw.toUpperCase());
    case 'url': {
      let url: URL | undefined;
      try {
        url = new URL(raw);
      } catch {
        url = undefined;
      }
      if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
        c.add('invalid_url', pointer, `${quote(raw)} is not an absolute http(s) URL.`);
        return undefined;
      }
      return raw;
    }
    case 'id':
    case 'text':
      return intern(raw);
  }
}

/** The normalized rule: each field's value under the key the catalogue gives it (rules.ts). */
function buildRule(spec: SelectorSpec, values: Record<string, FieldValue>, wire: Record<string, unknown>): Rule {
  const rule: Record<string, unknown> = { kind: spec.selector, wire };
  for (const field of spec.fields) rule[field.key] = values[field.name];
  return rule as unknown as Rule;
}

function parseRuleInto(c: Collector, raw: unknown, pointer: string): Rule | undefined {
  if (!isObject(raw)) {
    c.add('rule_not_object', pointer, `A rule must be an object with one selector key, got ${jsonType(raw)}.`);
    return undefined;
  }
  const keys = Object.keys(raw);
  if (keys.length === 0) {
    c.add('rule_empty', pointer, 'A rule must have exactly one selector key, e.g. {"email": {"email": "..."}}.');
    return undefined;
  }
  if (keys.length > 1) {
    c.add('rule_multiple_selectors', pointer, `A rule must have exactly one selector key, got ${keys.length}: ${keys.slice(0, 5).map(quote).join(', ')}${keys.length > 5 ? ', ...' : ''}. Put each selector in its own rule.`);
    return undefined;
  }
  const key = keys[0];
  const spec = SELECTOR_SPECS.get(key);
  if (spec === undefined) {
    const hint = suggestSelector(key);
    c.add('rule_unknown_selector', joinPointer(pointer, key), `Unknown selector ${quote(key)}.${hint ? ` Did you mean "${hint}"?` : ''}`);
    return undefined;
  }
  const body = raw[key];
  const bodyPointer = joinPointer(pointer, key);
  if (!isObject(body)) {
    c.typeError(bodyPointer, 'an object', body);
    return undefined;
  }
  const before = c.issues.length;
  checkUnknownFields(c, body, bodyPointer, new Set(spec.fields.map((fs) => fs.name)));
  const values: Record<string, FieldValue> = {};
  const wireBody: Record<string, unknown> = {};
  for (const fs of spec.fields) {
    const fieldPointer = joinPointer(bodyPointer, fs.name);
    if (!hasOwn(body, fs.name) || body[fs.name] === undefined || (!fs.required && body[fs.name] === null)) {
      if (fs.required) c.add('required', fieldPointer, `Missing required field "${fs.name}" of the ${key} selector.`);
      continue;
    }
    values[fs.name] = parseField(c, fs, body[fs.name], fieldPointer);
    wireBody[fs.name] = body[fs.name];
  }
  if (c.issues.length > before) return undefined;
  return buildRule(spec, values, { [key]: wireBody });
}

const SELECTOR_NAMES = [...SELECTOR_SPECS.keys()];

/** The closest selector name for a typo ("email_domian" → "email_domain"), if any is close. */
function suggestSelector(key: string): string | undefined {
  const lower = key.toLowerCase().replace(/[-_]/g, '');
  let best: string | undefined;
  let bestDistance = 3;
  for (const name of SELECTOR_NAMES) {
    const candidate = name.toLowerCase().replace(/[-_]/g, '');
    // The distance is at least the length difference: skip the O(n·m) walk for hopeless keys
    // (an untrusted key may be megabytes long).
    if (Math.abs(lower.length - candidate.length) >= bestDistance) continue;
    const d = editDistance(lower, candidate);
    if (d < bestDistance) {
      bestDistance = d;
      best = name;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

/** Parse one rule on its own (pointer defaults to the document root). */
export function parseRule(raw: unknown, pointer = ''): ParseResult<Rule> {
  const c = new Collector();
  const rule = parseRuleInto(c, raw, pointer);
  return rule === undefined ? { ok: false, issues: c.issues } : { ok: true, value: rule };
}

function parseRuleList(c: Collector, obj: Record<string, unknown>, name: RuleListName, pointer: string): Rule[] {
  const raw = obj[name];
  const listPointer = joinPointer(pointer, name);
  if (raw === undefined || (raw === null && name !== 'include')) {
    if (name === 'include') c.add('required', listPointer, 'Missing required field "include": list at least one rule.');
    return [];
  }
  if (!Array.isArray(raw)) {
    c.typeError(listPointer, 'an array of rules', raw);
    return [];
  }
  if (name === 'include' && raw.length === 0) {
    c.add('empty_include', listPointer, '"include" is empty, so nothing could ever match; add at least one rule (e.g. {"everyone": {}}).');
  }
  const rules: Rule[] = [];
  raw.forEach((r, i) => {
    const rule = parseRuleInto(c, r, joinPointer(listPointer, i));
    if (rule !== undefined) rules.push(rule);
  });
  return rules;
}

// ---------------------------------------------------------------- policies

const POLICY_FIELDS = new Set([
  'name',
  'decision',
  'include',
  'require',
  'exclude',
  'approval_groups',
  'approval_required',
  'purpose_justification_required',
  'purpose_justification_prompt',
  'session_duration',
  'isolation_required',
  'mfa_config',
  'connection_rules',
]);

/** Fields that appear in responses; a client that sends a fetched object back is not an error. */
export const READ_ONLY_POLICY_FIELDS: ReadonlySet<string> = new Set(['id', 'uid', 'created_at', 'updated_at', 'app_count', 'reusable']);

export interface ParsePolicyOptions {
  /** Pointer of the policy inside a larger document, e.g. "/policies/3". */
  readonly pointer?: string;
  /** More fields the caller handles itself (e.g. "precedence" for app-scoped policies). */
  readonly extraFields?: readonly string[];
  /** Id to carry into explanations. */
  readonly id?: string;
}

function parseName(c: Collector, obj: Record<string, unknown>, pointer: string, what: string): string {
  const p = joinPointer(pointer, 'name');
  const name = obj.name;
  if (name === undefined || name === null) {
    c.add('required', p, `Missing required field "name" of the ${what}.`);
    return '';
  }
  if (typeof name !== 'string') {
    c.typeError(p, 'a string', name);
    return '';
  }
  if (name.trim().length === 0) c.add('empty_string', p, `The ${what} name must not be empty.`);
  else if (name.length > MAX_TEXT) c.add('too_long', p, `The ${what} name is longer than ${MAX_TEXT} characters.`);
  return name;
}

function optionalBoolean(c: Collector, obj: Record<string, unknown>, key: string, pointer: string): boolean | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') {
    c.typeError(joinPointer(pointer, key), 'a boolean', v);
    return undefined;
  }
  return v;
}

function enumArray<T extends string>(
  c: Collector,
  raw: unknown,
  pointer: string,
  allowed: readonly T[],
): T[] | undefined {
  if (!Array.isArray(raw)) {
    c.typeError(pointer, 'an array', raw);
    return undefined;
  }
  const out: T[] = [];
  raw.forEach((item, i) => {
    if (typeof item === 'string' && (allowed as readonly string[]).includes(item)) out.push(item as T);
    else c.add('invalid_enum', joinPointer(pointer, i), `Expected one of ${allowed.join(', ')}, got ${quote(item)}.`);
  });
  return out;
}

function parseSettings(c: Collector, obj: Record<string, unknown>, pointer: string): PolicySettings {
  const settings: PolicySettings = {};
  for (const key of ['approval_required', 'purpose_justification_required', 'isolation_required'] as const) {
    const v = optionalBoolean(c, obj, key, pointer);
    if (v !== undefined) settings[key] = v;
  }

  const prompt = obj.purpose_justification_prompt;
  if (prompt !== undefined && prompt !== null) {
    if (typeof prompt !== 'string') c.typeError(joinPointer(pointer, 'purpose_justification_prompt'), 'a string', prompt);
    else if (prompt.length > MAX_TEXT) c.add('too_long', joinPointer(pointer, 'purpose_justification_prompt'), `The prompt is longer than ${MAX_TEXT} characters.`);
    else settings.purpose_justification_prompt = prompt;
  }

  if (hasOwn(obj, 'session_duration')) {
    const sd = obj.session_duration;
    const p = joinPointer(pointer, 'session_duration');
    if (sd === null) settings.session_duration = null;
    else if (typeof sd !== 'string') c.typeError(p, 'a duration string such as "24h"', sd);
    else {
      const d = parseGoDuration(sd);
      if (d === undefined) c.add('invalid_duration', p, `${quote(sd)} is not a duration; use Go syntax such as "30m", "24h" or "2h45m".`);
      else if (d.ns < 0) c.add('invalid_duration', p, `session_duration must not be negative, got ${quote(sd)}.`);
      else settings.session_duration = sd;
    }
  }

  const mfa = obj.mfa_config;
  if (mfa !== undefined && mfa !== null) {
    const p = joinPointer(pointer, 'mfa_config');
    if (!isObject(mfa)) c.typeError(p, 'an object', mfa);
    else {
      checkUnknownFields(c, mfa, p, new Set(['allowed_authenticators', 'mfa_disabled', 'session_duration']));
      const out: NonNullable<PolicySettings['mfa_config']> = {};
      if (mfa.allowed_authenticators !== undefined && mfa.allowed_authenticators !== null) {
        const list = enumArray(c, mfa.allowed_authenticators, joinPointer(p, 'allowed_authenticators'), [
          'totp',
          'biometrics',
          'security_key',
        ] as const);
        if (list !== undefined) out.allowed_authenticators = list;
      }
      const disabled = optionalBoolean(c, mfa, 'mfa_disabled', p);
      if (disabled !== undefined) out.mfa_disabled = disabled;
      if (mfa.session_duration !== undefined && mfa.session_duration !== null) {
        const sp = joinPointer(p, 'session_duration');
        const sd = mfa.session_duration;
        if (typeof sd !== 'string') c.typeError(sp, 'a duration string such as "12h"', sd);
        else {
          const d = parseGoDuration(sd);
          if (d === undefined) c.add('invalid_duration', sp, `${quote(sd)} is not a duration; use minutes or hours such as "30m" or "12h".`);
          else if (d.units.some((u) => u !== 'm' && u !== 'h') || d.ns < 0 || d.ns > 720 * HOUR_NS)
            c.add('mfa_duration_out_of_range', sp, `mfa_config.session_duration must use only m or h and lie between 0m and 720h, got ${quote(sd)}.`);
          else out.session_duration = sd;
        }
      }
      settings.mfa_config = out;
    }
  }

  const groups = obj.approval_groups;
  if (groups !== undefined && groups !== null) {
    const p = joinPointer(pointer, 'approval_groups');
    if (!Array.isArray(groups)) c.typeError(p, 'an array', groups);
    else {
      settings.approval_groups = [];
      groups.forEach((g, i) => {
        const gp = joinPointer(p, i);
        if (!isObject(g)) {
          c.typeError(gp, 'an object', g);
          return;
        }
        checkUnknownFields(c, g, gp, new Set(['approvals_needed', 'email_addresses', 'email_list_uuid']));
        const needed = g.approvals_needed;
        if (needed === undefined || needed === null) c.add('required', joinPointer(gp, 'approvals_needed'), 'Missing required field "approvals_needed".');
        else if (typeof needed !== 'number' || !Number.isFinite(needed)) c.typeError(joinPointer(gp, 'approvals_needed'), 'a number', needed);
        else if (needed < 0) c.add('min_value', joinPointer(gp, 'approvals_needed'), `approvals_needed must be 0 or more, got ${needed}.`);
        const out: { approvals_needed: number; email_addresses?: string[]; email_list_uuid?: string } = {
          approvals_needed: typeof needed === 'number' ? needed : 0,
        };
        if (g.email_addresses !== undefined && g.email_addresses !== null) {
          const ep = joinPointer(gp, 'email_addresses');
          if (!Array.isArray(g.email_addresses)) c.typeError(ep, 'an array of email addresses', g.email_addresses);
          else {
            out.email_addresses = [];
            g.email_addresses.forEach((e, j) => {
              if (typeof e !== 'string') c.typeError(joinPointer(ep, j), 'a string', e);
              else if (!isValidEmail(e)) c.add('invalid_email', joinPointer(ep, j), `${quote(e)} is not a valid email address.`);
              else out.email_addresses!.push(e);
            });
          }
        }
        if (g.email_list_uuid !== undefined && g.email_list_uuid !== null) {
          if (typeof g.email_list_uuid !== 'string') c.typeError(joinPointer(gp, 'email_list_uuid'), 'a string', g.email_list_uuid);
          else if (g.email_list_uuid.length === 0) c.add('empty_string', joinPointer(gp, 'email_list_uuid'), 'email_list_uuid must not be empty.');
          else out.email_list_uuid = g.email_list_uuid;
        }
        settings.approval_groups!.push(out);
      });
    }
  }

  const conn = obj.connection_rules;
  if (conn !== undefined && conn !== null) {
    const p = joinPointer(pointer, 'connection_rules');
    if (!isObject(conn)) c.typeError(p, 'an object', conn);
    else {
      checkUnknownFields(c, conn, p, new Set(['rdp']));
      const out: NonNullable<PolicySettings['connection_rules']> = {};
      if (conn.rdp !== undefined && conn.rdp !== null) {
        const rp = joinPointer(p, 'rdp');
        if (!isObject(conn.rdp)) c.typeError(rp, 'an object', conn.rdp);
        else {
          const keys = ['allowed_clipboard_local_to_remote_formats', 'allowed_clipboard_remote_to_local_formats'] as const;
          checkUnknownFields(c, conn.rdp, rp, new Set(keys));
          out.rdp = {};
          for (const k of keys) {
            const v = conn.rdp[k];
            if (v === undefined || v === null) continue;
            const list = enumArray(c, v, joinPointer(rp, k), ['text', 'file'] as const);
            if (list !== undefined) out.rdp[k] = list;
          }
        }
      }
      settings.connection_rules = out;
    }
  }
  return settings;
}

/** Identity selectors cannot be tested by a bypass policy; linked_app_token needs non_identity or bypass. */
function checkPlacement(c: Collector, decision: Decision, lists: Record<RuleListName, unknown>, pointer: string): void {
  for (const name of ['include', 'require', 'exclude'] as const) {
    const raw = lists[name];
    if (!Array.isArray(raw)) continue;
    // Rules were dropped where invalid, so walk the raw list to keep the pointers right.
    raw.forEach((r, i) => {
      if (!isObject(r)) return;
      const keys = Object.keys(r);
      if (keys.length !== 1) return;
      const spec = SELECTOR_SPECS.get(keys[0]);
      if (spec === undefined) return;
      const p = joinPointer(pointer, name, i, keys[0]);
      if (decision === 'bypass' && spec.identity) {
        c.add('selector_not_allowed_in_bypass', p, `"${keys[0]}" tests the user's identity, but a bypass policy skips login, so there is none; use a non-identity selector (ip, geo, everyone, ...) or decision "allow".`);
      }
      if (spec.selector === 'linked_app_token' && decision !== 'non_identity' && decision !== 'bypass') {
        c.add('linked_app_token_not_allowed', p, `"linked_app_token" works only in policies with decision "non_identity" or "bypass", not "${decision}".`);
      }
    });
  }
}

export function parsePolicy(input: unknown, options: ParsePolicyOptions = {}): ParseResult<Policy> {
  const c = new Collector();
  const pointer = options.pointer ?? '';
  if (!isObject(input)) {
    c.typeError(pointer, 'a policy object', input);
    return { ok: false, issues: c.issues };
  }
  const ignored = new Set([...READ_ONLY_POLICY_FIELDS, ...(options.extraFields ?? [])]);
  checkUnknownFields(c, input, pointer, POLICY_FIELDS, ignored);
  const name = parseName(c, input, pointer, 'policy');
  let decision: Decision = 'allow';
  const rawDecision = input.decision;
  const dp = joinPointer(pointer, 'decision');
  let decisionValid = false;
  if (rawDecision === undefined || rawDecision === null) c.add('required', dp, `Missing required field "decision" (one of ${DECISIONS.join(', ')}).`);
  else if (typeof rawDecision !== 'string' || !(DECISIONS as readonly string[]).includes(rawDecision))
    c.add('invalid_enum', dp, `Expected one of ${DECISIONS.join(', ')}, got ${quote(rawDecision)}.`);
  else {
    decision = rawDecision as Decision;
    decisionValid = true;
  }
  const rules = {
    include: parseRuleList(c, input, 'include', pointer),
    require: parseRuleList(c, input, 'require', pointer),
    exclude: parseRuleList(c, input, 'exclude', pointer),
  };
  if (decisionValid) {
    checkPlacement(c, decision, { include: input.include, require: input.require, exclude: input.exclude }, pointer);
  }
  const settings = parseSettings(c, input, pointer);
  if (c.issues.length > 0) return { ok: false, issues: c.issues };
  const policy: Policy = { name, decision, ...rules, settings, ...(options.id !== undefined ? { id: options.id } : {}) };
  return { ok: true, value: policy };
}

const GROUP_FIELDS = new Set(['name', 'include', 'require', 'exclude', 'is_default']);
const READ_ONLY_GROUP_FIELDS = new Set(['id', 'uid', 'created_at', 'updated_at']);

export interface ParseGroupOptions {
  readonly pointer?: string;
  /** The group's id (assigned by the store); needed to resolve references to it. */
  readonly id: string;
}

export function parseGroup(input: unknown, options: ParseGroupOptions): ParseResult<Group> {
  const c = new Collector();
  const pointer = options.pointer ?? '';
  if (!isObject(input)) {
    c.typeError(pointer, 'a group object', input);
    return { ok: false, issues: c.issues };
  }
  checkUnknownFields(c, input, pointer, GROUP_FIELDS, READ_ONLY_GROUP_FIELDS);
  const name = parseName(c, input, pointer, 'group');
  const isDefault = optionalBoolean(c, input, 'is_default', pointer);
  const include = parseRuleList(c, input, 'include', pointer);
  const require = parseRuleList(c, input, 'require', pointer);
  const exclude = parseRuleList(c, input, 'exclude', pointer);
  if (c.issues.length > 0) return { ok: false, issues: c.issues };
  return { ok: true, value: { id: options.id, name, include, require, exclude, ...(isDefault !== undefined ? { isDefault } : {}) } };
}
