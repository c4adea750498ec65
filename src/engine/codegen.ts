// Code generation for the common case: a policy whose rules can never be unknown becomes one
// boolean JavaScript expression, so V8 optimizes a whole policy set as it would a hand-written
// predicate (no call per rule). Policies that may be unknown keep their closure tests.
//
// Safety: generated source contains only fixed field names, operators, integers we computed
// (masks, bits, interned keys, indexes; see integer()) and references into a constants array
// (`k[3]`). No value from a policy, group, list or identity is ever spliced into the source.

import { amrBit } from './amr.js';
import type { EvalEnv } from './env.js';
import { GROUP_NAMES, NO_KEY, VALUES } from './intern.js';
import { cidrContains } from './ip.js';
import type { Rule, RuleSet } from './rules.js';
import { CATALOGUE, unhandledSelector } from './selectors.js';

/** Source text of an integer we computed (a key, mask or bit); refuses anything else. */
function integer(n: number): string {
  if (!Number.isSafeInteger(n)) throw new Error(`codegen: ${String(n)} is not an integer`);
  return n < 0 ? `(${n})` : String(n);
}

export class ExpressionBuilder {
  /** Values referenced by generated code as k[i]. */
  readonly constants: unknown[] = [];
  /** Helper functions for groups, emitted before the evaluator. */
  readonly functions: string[] = [];
  private readonly groupFns = new Map<string, string | null>();
  private groupCount = 0;

  constructor(
    private readonly env: EvalEnv,
    private readonly inCycle: (id: string) => boolean,
  ) {}

  private k(value: unknown): string {
    this.constants.push(value);
    return `k[${this.constants.length - 1}]`;
  }

  /** `p.<keyField> === key`, or the string comparison when the value has no key (intern.ts). */
  private keyed(keyField: string, stringField: string, value: string): string {
    const key = VALUES.key(value);
    return key === NO_KEY ? `(p.${stringField} === ${this.k(value)})` : `(p.${keyField} === ${integer(key)})`;
  }

  private idpScoped(idpId: string, member: string): string | undefined {
    if (this.env.identityProviderExists !== undefined && !this.env.identityProviderExists(idpId)) return undefined;
    return `(${this.keyed('idpKey', 'idpId', idpId)} && ${member})`;
  }

  /** Group membership by key, or through the identity's string set when the value has no key. */
  private member(method: string, fallbackSet: string, value: string): string {
    const key = GROUP_NAMES.key(value);
    return key === NO_KEY ? `p.${fallbackSet}().has(${this.k(value)})` : `p.${method}(${integer(key)})`;
  }

  /** A boolean expression over `p` for a rule that can never be unknown, else undefined. */
  rule(rule: Rule): string | undefined {
    switch (rule.kind) {
      case 'everyone':
        return 'true';
      case 'email':
        return `(p.email === ${this.k(rule.email)})`;
      case 'email_domain':
        return this.keyed('emailDomainKey', 'emailDomain', rule.domain);
      case 'geo':
        return this.keyed('countryKey', 'country', rule.country);
      case 'ip': {
        const c = rule.cidr;
        // Signed 32-bit forms, to compare with the signed p.ipv4 (identity.ts).
        if (c.v === 4) return `(p.ipVersion === 4 && (p.ipv4 & ${integer(c.mask4 | 0)}) === ${integer(c.net4 | 0)})`;
        return `(p.ipVersion === 6 && h.cidrContains(${this.k(c)}, p.ipv6))`;
      }
      case 'email_list': {
        const list = this.env.list?.(rule.listId);
        if (list === undefined || list.type !== CATALOGUE.email_list.reference.listType) return undefined;
        return `(p.email !== undefined && ${this.k(list.emails)}.has(p.email))`;
      }
      case 'ip_list': {
        const list = this.env.list?.(rule.listId);
        if (list === undefined || list.type !== CATALOGUE.ip_list.reference.listType) return undefined;
        const ips = this.k(list.ips);
        return `(p.ipVersion === 4 ? ${ips}.hasV4(p.ipv4 >>> 0) : p.ipVersion === 6 && ${ips}.has(p.ipv6))`;
      }
      case 'login_method':
        return this.idpScoped(rule.idpId, 'true');
      case 'auth_method': {
        const bit = amrBit(rule.method);
        return bit !== 0 ? `p.hasAmrBit(${integer(bit)})` : `p.amr.includes(${this.k(rule.method)})`;
      }
      case 'auth_context':
        return this.idpScoped(rule.idpId, `p.authContexts.includes(${this.k(rule.acId)})`);
      case 'azureAD':
        return this.idpScoped(rule.idpId, this.member('inAzureGroup', 'azureGroupIds', rule.groupId));
      case 'gsuite':
        return this.idpScoped(rule.idpId, this.member('inGsuiteGroup', 'gsuiteGroupEmails', rule.groupEmail));
      case 'okta':
        return this.idpScoped(rule.idpId, this.member('inOktaGroup', 'oktaGroupNames', rule.groupName));
      case 'certificate':
        return 'p.certificateValid';
      case 'common_name':
        return `(p.certificateValid && p.commonName === ${this.k(rule.commonName)})`;
      case 'user_risk_score':
        return `(${rule.levels.map((level) => this.keyed('riskLevelKey', 'riskLevel', level)).join(' || ')})`;
      case 'group':
        return this.group(rule.groupId);
      case 'github-organization':
      case 'saml':
      case 'oidc':
      case 'device_posture':
      case 'service_token':
      case 'any_valid_service_token':
      case 'linked_app_token':
      case 'cloudflare_account_member':
      case 'external_evaluation':
        // Rarer selectors, and those that can be unknown, stay with the closure compiler.
        return undefined;
      default:
        return unhandledSelector(rule);
    }
  }

  private group(id: string): string | undefined {
    const known = this.groupFns.get(id);
    if (known !== undefined) return known === null ? undefined : `${known}(p)`;
    const group = this.env.group?.(id);
    if (group === undefined || this.inCycle(id)) {
      this.groupFns.set(id, null);
      return undefined;
    }
    this.groupFns.set(id, null); // guards re-entry; only a cycle could re-enter
    const body = this.ruleSet(group);
    if (body === undefined) return undefined;
    const name = `g${this.groupCount++}`;
    this.groupFns.set(id, name);
    this.functions.push(`function ${name}(p) { return ${body}; }`);
    return `${name}(p)`;
  }

  private list(rules: readonly Rule[], joiner: string, empty: string): string | undefined {
    const parts: string[] = [];
    for (const r of rules) {
      const e = this.rule(r);
      if (e === undefined) return undefined;
      parts.push(e);
    }
    return parts.length === 0 ? empty : parts.length === 1 ? parts[0] : `(${parts.join(joiner)})`;
  }

  /** include AND require AND NOT exclude, when no rule can be unknown. */
  ruleSet(set: RuleSet): string | undefined {
    const include = this.list(set.include, ' || ', 'false');
    const require = include === undefined ? undefined : this.list(set.require, ' && ', 'true');
    const exclude = require === undefined ? undefined : this.list(set.exclude, ' || ', 'false');
    if (include === undefined || require === undefined || exclude === undefined) return undefined;
    const parts = [include];
    if (set.require.length > 0) parts.push(require);
    if (set.exclude.length > 0) parts.push(`!${exclude}`);
    return parts.length === 1 ? parts[0] : `(${parts.join(' && ')})`;
  }
}

/** Helpers the generated code may call as h.name. */
export const GENERATED_HELPERS = { cidrContains } as const;
