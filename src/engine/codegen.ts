// Code generation for the common case: a policy whose rules can never be unknown becomes one
// boolean JavaScript expression, so V8 optimizes a whole policy set as it would a hand-written
// predicate (no call per rule). Policies that may be unknown keep their closure tests.
//
// Safety: generated source contains only fixed field names, operators, integers we computed
// (masks, indexes) and references into a constants array (`k[3]`). No value from a policy,
// group, list or identity is ever spliced into the source text.

import type { EvalEnv } from './env.js';
import { cidrContains } from './ip.js';
import type { Rule, RuleSet } from './rules.js';

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

  private idpScoped(idpId: string, member: string): string | undefined {
    if (this.env.identityProviderExists !== undefined && !this.env.identityProviderExists(idpId)) return undefined;
    return `(p.idpId === ${this.k(idpId)} && ${member})`;
  }

  /** A boolean expression over `p` for a rule that can never be unknown, else undefined. */
  rule(rule: Rule): string | undefined {
    switch (rule.kind) {
      case 'everyone':
        return 'true';
      case 'email':
        return `(p.email === ${this.k(rule.email)})`;
      case 'email_domain':
        return `(p.emailDomain === ${this.k(rule.domain)})`;
      case 'geo':
        return `(p.country === ${this.k(rule.country)})`;
      case 'ip': {
        const c = rule.cidr;
        if (c.v === 4) return `(p.ip !== undefined && p.ip.v === 4 && ((p.ip.n & ${c.mask4}) >>> 0) === ${c.net4})`;
        return `(p.ip !== undefined && h.cidrContains(${this.k(c)}, p.ip))`;
      }
      case 'email_list': {
        const list = this.env.list?.(rule.listId);
        if (list === undefined || list.type !== 'EMAIL') return undefined;
        return `(p.email !== undefined && ${this.k(list.emails)}.has(p.email))`;
      }
      case 'ip_list': {
        const list = this.env.list?.(rule.listId);
        if (list === undefined || list.type !== 'IP') return undefined;
        return `(p.ip !== undefined && ${this.k(list.ips)}.has(p.ip))`;
      }
      case 'login_method':
        return this.idpScoped(rule.idpId, 'true');
      case 'auth_method':
        return `p.amr.includes(${this.k(rule.method)})`;
      case 'auth_context':
        return this.idpScoped(rule.idpId, `p.authContexts.includes(${this.k(rule.acId)})`);
      case 'azureAD':
        return this.idpScoped(rule.idpId, `p.azureGroupIds().has(${this.k(rule.groupId)})`);
      case 'gsuite':
        return this.idpScoped(rule.idpId, `p.gsuiteGroupEmails().has(${this.k(rule.groupEmail)})`);
      case 'okta':
        return this.idpScoped(rule.idpId, `p.oktaGroupNames().has(${this.k(rule.groupName)})`);
      case 'certificate':
        return 'p.certificateValid';
      case 'common_name':
        return `(p.commonName === ${this.k(rule.commonName)})`;
      case 'user_risk_score':
        return rule.levels.length === 1 ? `(p.riskLevel === ${this.k(rule.levels[0])})` : `${this.k(new Set<string>(rule.levels))}.has(p.riskLevel)`;
      case 'group':
        return this.group(rule.groupId);
      default:
        // Rarer selectors, and those that can be unknown, stay with the closure compiler.
        return undefined;
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
