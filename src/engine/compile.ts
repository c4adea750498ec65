// The compiled evaluator: a policy set becomes, once, a function that decides an identity with
// no parsing, no allocation and as few comparisons as possible. It answers the same question as
// the interpreter (differential tests keep them in step) without explaining.
//
// Policies that can be unknown compile to a tree of closures; the others to one generated
// function per set (codegen.ts). Rule values come from untrusted input and never reach
// generated source text: they are passed in through a constants array.

import { amrBit } from './amr.js';
import type { EvalEnv, ExternalAnswers } from './env.js';
import { ExpressionBuilder, GENERATED_HELPERS } from './codegen.js';
import { GroupGraph } from './groups.js';
import type { PreparedIdentity } from './identity.js';
import { GROUP_NAMES, NO_KEY, VALUES } from './intern.js';
import { IpSet, cidrContains, type Cidr } from './ip.js';
import { BLOCKED, F, GRANTED, T, U, UNKNOWN_ACCESS, executionOrder, grants, packResult, type PackedResult, type Tri } from './outcome.js';
import type { ExternalEvaluationRule, Policy, Rule, RuleSet } from './rules.js';
import { CATALOGUE, unhandledSelector } from './selectors.js';

/** A compiled test: three-valued, numeric (F=0, T=1, U=2). */
type Test = (p: PreparedIdentity, x: ExternalAnswers | undefined) => Tri;

const ALWAYS_T: Test = () => T;
const ALWAYS_F: Test = () => F;
const ALWAYS_U: Test = () => U;

export interface CompiledPolicySet {
  /** Decide one identity: a packed result (see outcome.ts). */
  evaluate(identity: PreparedIdentity, external?: ExternalAnswers): PackedResult;
  /** The external evaluation rules reachable from this set (their answers are needed per identity). */
  readonly externalRules: readonly ExternalEvaluationRule[];
  readonly size: number;
}

class Compiler {
  private readonly groupTests = new Map<string, Test>();
  readonly inCycle: (id: string) => boolean;
  private readonly now: number;
  readonly externalRules: ExternalEvaluationRule[] = [];

  constructor(private readonly env: EvalEnv) {
    // A group in a cycle or nested too deep is unknown wherever referenced (see groups.ts).
    const graph = new GroupGraph((id) => env.group?.(id));
    this.inCycle = (id) => graph.unusable(id);
    this.now = env.now ?? Date.now();
  }

  /** Wrap an IdP-scoped membership test with the IdP check. */
  private idpScoped(idpId: string, member: (p: PreparedIdentity) => boolean): Test {
    const usesIdp = isIdp(idpId);
    if (this.env.identityProviderExists !== undefined && !this.env.identityProviderExists(idpId)) {
      return (p) => (usesIdp(p) ? U : F);
    }
    return (p) => (usesIdp(p) && member(p) ? T : F);
  }

  rule(rule: Rule): Test {
    const env = this.env;
    switch (rule.kind) {
      case 'everyone':
        return ALWAYS_T;
      case 'email': {
        const email = rule.email;
        return (p) => (p.email === email ? T : F);
      }
      case 'email_domain':
        return domainTest(rule.domain);
      case 'email_list': {
        const list = env.list?.(rule.listId);
        if (list === undefined || list.type !== CATALOGUE.email_list.reference.listType) return (p) => (p.email === undefined ? F : U);
        const emails = list.emails;
        return (p) => (p.email !== undefined && emails.has(p.email) ? T : F);
      }
      case 'ip':
        return ipTest(rule.cidr);
      case 'ip_list': {
        const list = env.list?.(rule.listId);
        if (list === undefined || list.type !== CATALOGUE.ip_list.reference.listType) return (p) => (p.ipVersion === 0 ? F : U);
        return ipSetTest(list.ips);
      }
      case 'geo':
        return countryTest(rule.country);
      case 'login_method':
        return this.idpScoped(rule.idpId, () => true);
      case 'auth_method': {
        const method = rule.method;
        const bit = amrBit(method);
        if (bit !== 0) return (p) => (p.hasAmrBit(bit) ? T : F);
        return (p) => (p.amr.includes(method) ? T : F);
      }
      case 'auth_context': {
        const ac = rule.acId;
        return this.idpScoped(rule.idpId, (p) => p.authContexts.includes(ac));
      }
      case 'azureAD': {
        const gid = rule.groupId;
        const key = GROUP_NAMES.key(gid);
        return this.idpScoped(rule.idpId, key !== NO_KEY ? (p) => p.inAzureGroup(key) : (p) => p.azureGroupIds().has(gid));
      }
      case 'gsuite': {
        const email = rule.groupEmail;
        const key = GROUP_NAMES.key(email);
        return this.idpScoped(rule.idpId, key !== NO_KEY ? (p) => p.inGsuiteGroup(key) : (p) => p.gsuiteGroupEmails().has(email));
      }
      case 'okta': {
        const name = rule.groupName;
        const key = GROUP_NAMES.key(name);
        return this.idpScoped(rule.idpId, key !== NO_KEY ? (p) => p.inOktaGroup(key) : (p) => p.oktaGroupNames().has(name));
      }
      case 'github-organization': {
        const { org, team } = rule;
        return this.idpScoped(rule.idpId, (p) => {
          const teams = p.githubOrgTeams().get(org);
          return teams !== undefined && (team === undefined || teams.has(team));
        });
      }
      case 'saml': {
        const { attributeName, attributeValue } = rule;
        return this.idpScoped(rule.idpId, (p) => p.claimValues('saml', attributeName).includes(attributeValue));
      }
      case 'oidc': {
        const { claimName, claimValue } = rule;
        return this.idpScoped(rule.idpId, (p) => p.claimValues('oidc', claimName).includes(claimValue));
      }
      case 'certificate':
        return (p) => (p.certificateValid ? T : F);
      case 'common_name': {
        const cn = rule.commonName;
        // A common name counts only with a valid client certificate (Cloudflare's selector table).
        return (p) => (p.certificateValid && p.commonName === cn ? T : F);
      }
      case 'device_posture': {
        const id = rule.postureRuleId;
        const missing = env.postureRuleExists !== undefined && !env.postureRuleExists(id);
        return (p) => (p.postureSucceeded(id) ? (missing ? U : T) : F);
      }
      case 'service_token':
      case 'any_valid_service_token': {
        const want = rule.kind === 'service_token' ? rule.tokenId : undefined;
        const lookup = env.serviceToken;
        const now = this.now;
        return (p) => {
          const tokenId = p.serviceTokenId;
          if (tokenId === undefined || !p.serviceTokenActive || (want !== undefined && tokenId !== want)) return F;
          if (lookup === undefined) return T;
          const info = lookup(tokenId);
          return info !== undefined && (info.expiresAt == null || info.expiresAt > now) ? T : F;
        };
      }
      case 'linked_app_token': {
        const uid = rule.appUid;
        const missing = env.appExists !== undefined && !env.appExists(uid);
        return (p) => (p.linkedAppUid === uid ? (missing ? U : T) : F);
      }
      case 'user_risk_score': {
        const keys = rule.levels.map((level) => VALUES.key(level));
        if (keys.includes(NO_KEY)) {
          const levels = new Set<string>(rule.levels);
          return (p) => (levels.has(p.riskLevel) ? T : F);
        }
        if (keys.length === 1) {
          const [key] = keys;
          return (p) => (p.riskLevelKey === key ? T : F);
        }
        return (p) => (keys.includes(p.riskLevelKey) ? T : F);
      }
      case 'cloudflare_account_member': {
        const account = rule.accountId ?? env.accountId;
        if (account === undefined) return (p) => (p.accountIds.length > 0 ? T : F);
        return (p) => (p.accountIds.includes(account) ? T : F);
      }
      case 'external_evaluation': {
        this.externalRules.push(rule);
        return (_p, x) => {
          const answer = x?.(rule);
          return answer === true ? T : answer === false ? F : U;
        };
      }
      case 'group':
        return this.group(rule.groupId);
      default:
        return unhandledSelector(rule);
    }
  }

  /** Each group compiles once per policy set, however often it is referenced. */
  private group(id: string): Test {
    let test = this.groupTests.get(id);
    if (test !== undefined) return test;
    const group = this.env.group?.(id);
    if (group === undefined || this.inCycle(id)) test = ALWAYS_U;
    else {
      // Placeholder guards re-entry while the group's own rules compile (cannot happen without a cycle).
      this.groupTests.set(id, ALWAYS_U);
      test = this.ruleSet(group);
    }
    this.groupTests.set(id, test);
    return test;
  }

  /**
   * OR over rules. Rules of the simple equality kinds are merged into one set lookup each,
   * so an include of 500 emails costs one hash lookup, not 500 comparisons.
   */
  anyOf(rules: readonly Rule[]): Test {
    const emails = new Set<string>();
    const domains = new Set<string>();
    const countries = new Set<string>();
    const cidrs: Cidr[] = [];
    const rest: Test[] = [];
    for (const r of rules) {
      if (r.kind === 'email') emails.add(r.email);
      else if (r.kind === 'email_domain') domains.add(r.domain);
      else if (r.kind === 'geo') countries.add(r.country);
      else if (r.kind === 'ip') cidrs.push(r.cidr);
      else if (r.kind === 'everyone') return ALWAYS_T;
      else rest.push(this.rule(r));
    }
    const tests: Test[] = [];
    if (emails.size === 1) tests.push(this.rule(rules.find((r) => r.kind === 'email')!));
    else if (emails.size > 1) tests.push((p) => (p.email !== undefined && emails.has(p.email) ? T : F));
    if (domains.size === 1) {
      const [d] = domains;
      tests.push(domainTest(d));
    } else if (domains.size > 1) tests.push((p) => (p.emailDomain !== undefined && domains.has(p.emailDomain) ? T : F));
    if (countries.size === 1) {
      const [c] = countries;
      tests.push(countryTest(c));
    } else if (countries.size > 1) tests.push((p) => (p.country !== undefined && countries.has(p.country) ? T : F));
    if (cidrs.length === 1) tests.push(ipTest(cidrs[0]));
    else if (cidrs.length > 1) tests.push(ipSetTest(new IpSet(cidrs)));
    tests.push(...rest);
    return orTests(tests);
  }

  allOf(rules: readonly Rule[]): Test {
    return andTests(rules.map((r) => this.rule(r)));
  }

  ruleSet(set: RuleSet): Test {
    const include = this.anyOf(set.include);
    if (include === ALWAYS_F) return ALWAYS_F;
    const require = set.require.length === 0 ? undefined : this.allOf(set.require);
    const exclude = set.exclude.length === 0 ? undefined : this.anyOf(set.exclude);
    if (require === undefined && exclude === undefined) return include;
    if (exclude === undefined) {
      const req = require!;
      return (p, x) => {
        const a = include(p, x);
        if (a === F) return F;
        const b = req(p, x);
        return b === F ? F : a === U || b === U ? U : T;
      };
    }
    if (require === undefined) {
      return (p, x) => {
        const a = include(p, x);
        if (a === F) return F;
        const c = exclude(p, x);
        return c === T ? F : a === U || c === U ? U : T;
      };
    }
    return (p, x) => {
      const a = include(p, x);
      if (a === F) return F;
      const b = require(p, x);
      if (b === F) return F;
      const c = exclude(p, x);
      return c === T ? F : a === U || b === U || c === U ? U : T;
    };
  }
}

// Equality on interned keys when the rule's value has one (intern.ts), else on strings.

function domainTest(domain: string): Test {
  const key = VALUES.key(domain);
  if (key === NO_KEY) return (p) => (p.emailDomain === domain ? T : F);
  return (p) => (p.emailDomainKey === key ? T : F);
}

function countryTest(country: string): Test {
  const key = VALUES.key(country);
  if (key === NO_KEY) return (p) => (p.country === country ? T : F);
  return (p) => (p.countryKey === key ? T : F);
}

function isIdp(idpId: string): (p: PreparedIdentity) => boolean {
  const key = VALUES.key(idpId);
  if (key === NO_KEY) return (p) => p.idpId === idpId;
  return (p) => p.idpKey === key;
}

function ipTest(cidr: Cidr): Test {
  if (cidr.v === 4) {
    // Signed 32-bit forms, to compare with the signed p.ipv4 (identity.ts).
    const mask = cidr.mask4 | 0;
    const net = cidr.net4 | 0;
    return (p) => (p.ipVersion === 4 && (p.ipv4 & mask) === net ? T : F);
  }
  return (p) => (p.ipVersion === 6 && cidrContains(cidr, p.ipv6!) ? T : F);
}

function ipSetTest(set: IpSet): Test {
  return (p) => (p.ipVersion === 4 ? set.hasV4(p.ipv4 >>> 0) : p.ipVersion === 6 && set.has(p.ipv6!)) ? T : F;
}

function orTests(tests: Test[]): Test {
  if (tests.length === 0) return ALWAYS_F;
  if (tests.length === 1) return tests[0];
  if (tests.length === 2) {
    const [a, b] = tests;
    return (p, x) => {
      const ra = a(p, x);
      if (ra === T) return T;
      const rb = b(p, x);
      return rb === T ? T : ra === U || rb === U ? U : F;
    };
  }
  return (p, x) => {
    let r: Tri = F;
    for (let i = 0; i < tests.length; i++) {
      const v = tests[i](p, x);
      if (v === T) return T;
      if (v === U) r = U;
    }
    return r;
  };
}

function andTests(tests: Test[]): Test {
  if (tests.length === 0) return ALWAYS_T;
  if (tests.length === 1) return tests[0];
  if (tests.length === 2) {
    const [a, b] = tests;
    return (p, x) => {
      const ra = a(p, x);
      if (ra === F) return F;
      const rb = b(p, x);
      return rb === F ? F : ra === U || rb === U ? U : T;
    };
  }
  return (p, x) => {
    let r: Tri = T;
    for (let i = 0; i < tests.length; i++) {
      const v = tests[i](p, x);
      if (v === F) return F;
      if (v === U) r = U;
    }
    return r;
  };
}

/** Compile a policy set once; evaluate it for many identities. */
export function compilePolicySet(policies: readonly Policy[], env: EvalEnv = {}): CompiledPolicySet {
  const compiler = new Compiler(env);
  const order = executionOrder(policies.map((p) => p.decision));
  const tests = order.map((i) => compiler.ruleSet(policies[i]));
  const owns = order.map((i) => (grants(policies[i].decision) ? GRANTED : BLOCKED));
  const n = order.length;
  const orderArr = Int32Array.from(order);
  const ownArr = Uint8Array.from(owns);
  // Rare path: which undecidable policy disagreed with the final outcome, for the report.
  const firstDisagreeing = (until: number, final: number, identity: PreparedIdentity, external: ExternalAnswers | undefined): number => {
    for (let k = 0; k < until; k++) {
      if (ownArr[k] !== final && tests[k](identity, external) === U) return orderArr[k];
    }
    return -1;
  };
  const generated = generateEvaluate(policies, order, owns, tests, env, compiler.inCycle, firstDisagreeing);
  return {
    externalRules: compiler.externalRules,
    size: policies.length,
    evaluate: generated ?? ((identity, external) => {
      // Bit k set: an undecidable policy would have produced access code k had it matched.
      let pendingMask = 0;
      for (let k = 0; k < n; k++) {
        const r = tests[k](identity, external);
        if (r === T) {
          const own = ownArr[k];
          if ((pendingMask & ~(1 << own)) === 0) return packResult(own, orderArr[k]);
          return packResult(UNKNOWN_ACCESS, firstDisagreeing(k, own, identity, external));
        }
        if (r === U) pendingMask |= 1 << ownArr[k];
      }
      if ((pendingMask & ~(1 << BLOCKED)) === 0) return packResult(BLOCKED, -1);
      return packResult(UNKNOWN_ACCESS, firstDisagreeing(n, BLOCKED, identity, external));
    }),
  };
}

/** Sets of policies this large are left to the closure loop: generated code would gain little. */
const MAX_GENERATED_POLICIES = 256;

/**
 * The same loop as the closure evaluator, unrolled into one generated function in which every
 * policy that can never be unknown is an inline boolean expression (see codegen.ts).
 * Undefined when no policy qualifies or the set is too large to be worth it.
 */
function generateEvaluate(
  policies: readonly Policy[],
  order: readonly number[],
  owns: readonly number[],
  tests: readonly Test[],
  env: EvalEnv,
  inCycle: (id: string) => boolean,
  firstDisagreeing: (until: number, final: number, identity: PreparedIdentity, external: ExternalAnswers | undefined) => number,
): CompiledPolicySet['evaluate'] | undefined {
  if (order.length > MAX_GENERATED_POLICIES) return undefined;
  const builder = new ExpressionBuilder(env, inCycle);
  const lines: string[] = ['let m = 0, r = 0;'];
  let inlined = 0;
  order.forEach((policyIndex, k) => {
    const own = owns[k];
    const decide = `{ if ((m & ${~(1 << own)}) === 0) return ${packResult(own, policyIndex)}; return ${packResult(UNKNOWN_ACCESS, 0) & 3} | ((u(${k}, ${own}, p, x) + 1) << 2); }`;
    const expr = builder.ruleSet(policies[policyIndex]);
    if (expr !== undefined) {
      inlined++;
      lines.push(`if (${expr}) ${decide}`);
    } else {
      lines.push(`r = t[${k}](p, x);`, `if (r === ${T}) ${decide}`, `if (r === ${U}) m |= ${1 << own};`);
    }
  });
  if (inlined === 0) return undefined;
  lines.push(`if ((m & ${~(1 << BLOCKED)}) === 0) return ${packResult(BLOCKED, -1)};`);
  lines.push(`return ${UNKNOWN_ACCESS} | ((u(${order.length}, ${BLOCKED}, p, x) + 1) << 2);`);
  const source = `${builder.functions.join('\n')}\nreturn function evaluate(p, x) {\n${lines.join('\n')}\n};`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- see codegen.ts: no input text reaches the source
  const factory = new Function('k', 't', 'h', 'u', source) as (...args: unknown[]) => CompiledPolicySet['evaluate'];
  return factory(builder.constants, tests, GENERATED_HELPERS, firstDisagreeing);
}
