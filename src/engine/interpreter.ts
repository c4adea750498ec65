// The reference interpreter: evaluates every rule of every policy it reaches and records why.
// The explanation *is* the evaluation data (which rules were true, false or unknown, and the
// values compared), so it cannot drift from the decision. Slow by design; see compile.ts.

import type { EvalEnv, ExternalAnswers, ListIndex, NamedKind } from './env.js';
import { GroupGraph, MAX_GROUP_DEPTH } from './groups.js';
import type { PreparedIdentity } from './identity.js';
import { cidrContains, formatIp } from './ip.js';
import { joinPointer, quote } from './issues.js';
import {
  ACCESS_NAMES,
  BLOCKED,
  F,
  GRANTED,
  T,
  TRI_OUTCOME,
  U,
  UNKNOWN_ACCESS,
  executionOrder,
  grants,
  type Access,
  type RuleOutcome,
  type Tri,
} from './outcome.js';
import type { Policy, Rule, RuleListName, RuleOf, RuleSet } from './rules.js';
import { CATALOGUE, type ReasonCode, type ReasonCodeWith, type RuleListType } from './selectors.js';
import type { Decision, Selector } from './wire.js';

export interface Reason<C extends ReasonCode = ReasonCode> {
  /** A stable code of the rule's selector (the catalogue's `reasons`), e.g. "email_domain_mismatch". */
  readonly code: C;
  readonly message: string;
  readonly expected?: unknown;
  readonly actual?: unknown;
}

export interface RuleExplanation {
  /** JSON pointer of the rule in the evaluated document, e.g. "/policies/0/include/1". */
  readonly pointer: string;
  readonly selector: Selector;
  readonly outcome: RuleOutcome | 'skipped';
  readonly reason: Reason;
  /** For `group` rules: how the referenced group's own rules evaluated. */
  readonly group?: GroupExplanation;
}

export interface RuleSetExplanation {
  readonly outcome: RuleOutcome | 'skipped';
  readonly include: RuleExplanation[];
  readonly require: RuleExplanation[];
  readonly exclude: RuleExplanation[];
}

export interface GroupExplanation extends RuleSetExplanation {
  readonly id: string;
  readonly name: string;
}

export interface PolicyExplanation extends RuleSetExplanation {
  readonly index: number;
  readonly id?: string;
  readonly name: string;
  readonly decision: Decision;
  readonly pointer: string;
}

export interface PolicyRef {
  readonly index: number;
  readonly id?: string;
  readonly name: string;
  readonly decision: Decision;
}

export interface Explanation {
  readonly access: Access;
  /**
   * The policy that decided, or null when nothing matched (blocked by default). When access is
   * unknown, the first undecidable policy whose outcome would have changed the result.
   */
  readonly deciding: PolicyRef | null;
  readonly summary: string;
  /** Every policy, in list order, with its outcome ("skipped" when evaluation stopped before it). */
  readonly policies: PolicyExplanation[];
}

export interface EvaluateOptions {
  /** Answers of external evaluation endpoints for this identity. */
  readonly external?: ExternalAnswers;
  /** Pointer prefix of the policy list, default "/policies". */
  readonly pointer?: string;
}

type MatchedCode = ReasonCodeWith<Selector, 'matched'>;
type NotMatchedCode = ReasonCodeWith<Selector, 'not_matched'>;
type UnknownCode = ReasonCodeWith<Selector, 'unknown'>;

const MATCHED = <C extends MatchedCode>(code: C, message: string, expected?: unknown, actual?: unknown): readonly [typeof T, Reason<C>] => [
  T,
  { code, message, ...(expected !== undefined ? { expected } : {}), ...(actual !== undefined ? { actual } : {}) },
];
const NOT = <C extends NotMatchedCode>(code: C, message: string, expected?: unknown, actual?: unknown): readonly [typeof F, Reason<C>] => [
  F,
  { code, message, ...(expected !== undefined ? { expected } : {}), ...(actual !== undefined ? { actual } : {}) },
];
const UNKNOWN = <C extends UnknownCode>(code: C, message: string, expected?: unknown): readonly [typeof U, Reason<C>] => [
  U,
  { code, message, ...(expected !== undefined ? { expected } : {}) },
];

/**
 * A rule's outcome with its reason, whose code the compiler holds to the selector's own codes
 * of that outcome (the catalogue's `reasons`); a group rule also carries the group's evaluation.
 */
type Verdict<S extends Selector> =
  | readonly [typeof T, Reason<ReasonCodeWith<S, 'matched'>>, GroupExplanation?]
  | readonly [typeof F, Reason<ReasonCodeWith<S, 'not_matched'>>, GroupExplanation?]
  | readonly [typeof U, Reason<ReasonCodeWith<S, 'unknown'>>, GroupExplanation?];

/** A group rule's verdict with the group's own evaluation (a literal: spreading costs the interpreter's hot loop). */
const withGroup = <V extends readonly [Tri, Reason]>(verdict: V, group: GroupExplanation): readonly [V[0], V[1], GroupExplanation] => [verdict[0], verdict[1], group];

type Evaluate<S extends Selector> = (rule: RuleOf<S>, ev: Interpreter, pointer: string) => Verdict<S>;

/** How each selector is evaluated and explained (docs/semantics.md "Selector reference"). */
const EVALUATE: { readonly [S in Selector]: Evaluate<S> } = {
  everyone: () => MATCHED('everyone', 'Everyone matches.'),
  email: (rule, { id }) => {
    if (id.email === undefined) return NOT('email_missing', 'The identity has no email.', rule.email);
    if (id.email === rule.email) return MATCHED('email_match', `Email is ${rule.email}.`, rule.email, id.email);
    return NOT('email_mismatch', `Email ${id.email} is not ${rule.email}.`, rule.email, id.email);
  },
  email_domain: (rule, { id }) => {
    if (id.emailDomain === undefined) return NOT('email_missing', 'The identity has no email.', rule.domain);
    if (id.emailDomain === rule.domain) return MATCHED('email_domain_match', `Email domain is ${rule.domain}.`, rule.domain, id.emailDomain);
    return NOT('email_domain_mismatch', `Email domain ${id.emailDomain} is not ${rule.domain}.`, rule.domain, id.emailDomain);
  },
  email_list: (rule, ev) => {
    const email = ev.id.email;
    if (email === undefined) return NOT('email_missing', 'The identity has no email.', rule.listId);
    const list = ev.list(rule.listId, CATALOGUE.email_list.reference.listType);
    if (!isList(list)) return list;
    if (list.emails.has(email)) return MATCHED('email_list_match', `Email ${email} is in list ${ev.named('list', rule.listId)}.`, rule.listId, email);
    return NOT('email_list_mismatch', `Email ${email} is not in list ${ev.named('list', rule.listId)}.`, rule.listId, email);
  },
  ip: (rule, { id }) => {
    if (id.ip === undefined) return NOT('ip_missing', 'The identity has no IP address.', rule.cidr.text);
    if (cidrContains(rule.cidr, id.ip)) return MATCHED('ip_match', `IP ${formatIp(id.ip)} is in ${rule.cidr.text}.`, rule.cidr.text, formatIp(id.ip));
    return NOT('ip_mismatch', `IP ${formatIp(id.ip)} is not in ${rule.cidr.text}.`, rule.cidr.text, formatIp(id.ip));
  },
  ip_list: (rule, ev) => {
    const address = ev.id.ip;
    if (address === undefined) return NOT('ip_missing', 'The identity has no IP address.', rule.listId);
    const list = ev.list(rule.listId, CATALOGUE.ip_list.reference.listType);
    const ip = formatIp(address);
    if (!isList(list)) return list;
    if (list.ips.has(address)) return MATCHED('ip_list_match', `IP ${ip} is in list ${ev.named('list', rule.listId)}.`, rule.listId, ip);
    return NOT('ip_list_mismatch', `IP ${ip} is not in list ${ev.named('list', rule.listId)}.`, rule.listId, ip);
  },
  geo: (rule, { id }) => {
    if (id.country === undefined) return NOT('country_missing', 'The identity has no country.', rule.country);
    if (id.country === rule.country) return MATCHED('country_match', `Country is ${rule.country}.`, rule.country, id.country);
    return NOT('country_mismatch', `Country ${id.country} is not ${rule.country}.`, rule.country, id.country);
  },
  login_method: (rule, ev) => {
    const { id } = ev;
    if (id.idpId !== rule.idpId) {
      return NOT('login_method_mismatch', `The user logged in through ${ev.named('identity_provider', id.idpId)}, not ${ev.named('identity_provider', rule.idpId)}.`, rule.idpId, id.idpId ?? null);
    }
    return ev.idpGone(rule.idpId) ?? MATCHED('login_method_match', `The user logged in through ${ev.named('identity_provider', rule.idpId)}.`, rule.idpId, id.idpId);
  },
  auth_method: (rule, { id }) => {
    if (id.amr.includes(rule.method)) return MATCHED('auth_method_match', `Login used ${q(rule.method)}.`, rule.method, id.amr);
    if (id.amr.length === 0) return NOT('amr_missing', 'The identity records no authentication methods.', rule.method);
    return NOT('auth_method_mismatch', `Login used ${id.amr.join(', ')}, not ${q(rule.method)}.`, rule.method, id.amr);
  },
  auth_context: (rule, ev) =>
    ev.idpScope(rule.idpId) ??
    (ev.id.authContexts.includes(rule.acId)
      ? MATCHED('auth_context_match', `Authentication context ${q(rule.acId)} was satisfied.`, rule.acId, ev.id.authContexts)
      : NOT('auth_context_mismatch', `Authentication context ${q(rule.acId)} was not satisfied.`, rule.acId, ev.id.authContexts)),
  azureAD: (rule, ev) =>
    ev.idpScope(rule.idpId) ??
    (ev.id.azureGroupIds().has(rule.groupId)
      ? MATCHED('azure_group_match', `Member of Azure AD group ${q(rule.groupId)}.`, rule.groupId)
      : NOT('azure_group_mismatch', `Not a member of Azure AD group ${q(rule.groupId)}.`, rule.groupId, [...ev.id.azureGroupIds()])),
  gsuite: (rule, ev) =>
    ev.idpScope(rule.idpId) ??
    (ev.id.gsuiteGroupEmails().has(rule.groupEmail)
      ? MATCHED('gsuite_group_match', `Member of Google Workspace group ${rule.groupEmail}.`, rule.groupEmail)
      : NOT('gsuite_group_mismatch', `Not a member of Google Workspace group ${rule.groupEmail}.`, rule.groupEmail, [...ev.id.gsuiteGroupEmails()])),
  okta: (rule, ev) =>
    ev.idpScope(rule.idpId) ??
    (ev.id.oktaGroupNames().has(rule.groupName)
      ? MATCHED('okta_group_match', `Member of Okta group ${q(rule.groupName)}.`, rule.groupName)
      : NOT('okta_group_mismatch', `Not a member of Okta group ${q(rule.groupName)}.`, rule.groupName, [...ev.id.oktaGroupNames()])),
  'github-organization': (rule, ev) => {
    const scope = ev.idpScope(rule.idpId);
    if (scope !== undefined) return scope;
    const teams = ev.id.githubOrgTeams().get(rule.org);
    const expected = rule.team === undefined ? rule.org : `${rule.org}/${rule.team}`;
    if (teams === undefined) return NOT('github_org_mismatch', `Not a member of GitHub organization ${q(rule.org)}.`, expected, [...ev.id.githubOrgTeams().keys()]);
    if (rule.team === undefined) return MATCHED('github_org_match', `Member of GitHub organization ${q(rule.org)}.`, expected);
    if (teams.has(rule.team)) return MATCHED('github_team_match', `Member of team ${q(rule.team)} in ${q(rule.org)}.`, expected);
    return NOT('github_team_mismatch', `In ${q(rule.org)} but not in team ${q(rule.team)}.`, expected, [...teams]);
  },
  saml: (rule, ev) =>
    ev.idpScope(rule.idpId) ??
    ev.claim('saml', rule.attributeName, rule.attributeValue, { match: 'saml_match', missing: 'saml_missing', mismatch: 'saml_mismatch' }),
  oidc: (rule, ev) =>
    ev.idpScope(rule.idpId) ??
    ev.claim('oidc', rule.claimName, rule.claimValue, { match: 'oidc_match', missing: 'oidc_missing', mismatch: 'oidc_mismatch' }),
  certificate: (_rule, { id }) => {
    if (id.certificateValid) return MATCHED('certificate_valid', 'A valid client certificate was presented.');
    if (id.raw.mtls_auth?.cert_presented === true) {
      return NOT('certificate_invalid', `The client certificate did not validate (status ${q(String(id.raw.mtls_auth?.auth_status))}).`, 'OK', id.raw.mtls_auth?.auth_status ?? null);
    }
    return NOT('certificate_missing', 'No client certificate was presented.');
  },
  common_name: (rule, { id }) => {
    if (id.commonName === undefined) return NOT('common_name_missing', 'No client certificate common name.', rule.commonName);
    if (!id.certificateValid) {
      const status = id.raw.mtls_auth?.auth_status;
      return NOT(
        'common_name_certificate_invalid',
        `Common name ${q(id.commonName)} came without a valid client certificate${status === undefined ? '' : ` (status ${q(String(status))})`}, so it is not trusted.`,
        rule.commonName,
        id.commonName,
      );
    }
    if (id.commonName === rule.commonName) return MATCHED('common_name_match', `Certificate common name is ${q(rule.commonName)}.`, rule.commonName, id.commonName);
    return NOT('common_name_mismatch', `Certificate common name ${q(id.commonName)} is not ${q(rule.commonName)}.`, rule.commonName, id.commonName);
  },
  device_posture: (rule, ev) => {
    const { id, env } = ev;
    if (!id.postureSucceeded(rule.postureRuleId)) return NOT('device_posture_failed', `Device posture check ${ev.named('posture_rule', rule.postureRuleId)} did not pass.`, rule.postureRuleId);
    if (env.postureRuleExists !== undefined && !env.postureRuleExists(rule.postureRuleId)) {
      return UNKNOWN('posture_rule_not_found', `Device posture rule ${q(rule.postureRuleId)} no longer exists.`, rule.postureRuleId);
    }
    return MATCHED('device_posture_passed', `Device posture check ${ev.named('posture_rule', rule.postureRuleId)} passed.`, rule.postureRuleId);
  },
  service_token: (rule, ev) => {
    const { id } = ev;
    const want = rule.tokenId;
    if (id.serviceTokenId !== undefined && id.serviceTokenId !== want) {
      return NOT('service_token_mismatch', `Service token ${ev.named('service_token', id.serviceTokenId)} is not ${ev.named('service_token', want)}.`, want, id.serviceTokenId);
    }
    return ev.serviceToken(want);
  },
  any_valid_service_token: (_rule, ev) => ev.serviceToken(undefined),
  linked_app_token: (rule, ev) => {
    const { id, env } = ev;
    if (id.linkedAppUid !== rule.appUid) return NOT('linked_app_token_mismatch', `The request carried no token of app ${ev.named('app', rule.appUid)}.`, rule.appUid, id.linkedAppUid ?? null);
    if (env.appExists !== undefined && !env.appExists(rule.appUid)) return UNKNOWN('app_not_found', `Application ${q(rule.appUid)} no longer exists.`, rule.appUid);
    return MATCHED('linked_app_token_match', `The request carried a token of app ${ev.named('app', rule.appUid)}.`, rule.appUid, id.linkedAppUid);
  },
  user_risk_score: (rule, { id }) => {
    if ((rule.levels as readonly string[]).includes(id.riskLevel)) {
      return MATCHED('user_risk_score_match', `Risk level ${id.riskLevel} is one of ${rule.levels.join(', ')}.`, rule.levels, id.riskLevel);
    }
    return NOT('user_risk_score_mismatch', `Risk level ${id.riskLevel} is not one of ${rule.levels.join(', ')}.`, rule.levels, id.riskLevel);
  },
  cloudflare_account_member: (rule, { id, env }) => {
    const account = rule.accountId ?? env.accountId;
    if (account === undefined) {
      return id.accountIds.length > 0
        ? MATCHED('account_member_match', 'Member of a Cloudflare account.', null, id.accountIds)
        : NOT('account_member_mismatch', 'Not a member of any Cloudflare account.', null, id.accountIds);
    }
    if (id.accountIds.includes(account)) return MATCHED('account_member_match', `Member of Cloudflare account ${account}.`, account, id.accountIds);
    return NOT('account_member_mismatch', `Not a member of Cloudflare account ${account}.`, account, id.accountIds);
  },
  external_evaluation: (rule, { external }) => {
    const answer = external?.(rule);
    if (answer === true) return MATCHED('external_allow', `${rule.evaluateUrl} allowed the user.`);
    if (answer === false) return NOT('external_deny', `${rule.evaluateUrl} denied the user.`);
    if (external === undefined) return UNKNOWN('external_evaluation_failed', `No valid answer from ${rule.evaluateUrl}: it was not asked here.`, rule.evaluateUrl);
    const why = external.failure?.(rule)?.replace(/\.$/, '');
    return UNKNOWN('external_evaluation_failed', `No valid answer from ${rule.evaluateUrl}${why === undefined ? '' : ` (${why})`}.`, rule.evaluateUrl);
  },
  group: (rule, ev, pointer) => {
    const target = ev.env.group?.(rule.groupId);
    if (target === undefined) return UNKNOWN('group_not_found', `Access group ${q(rule.groupId)} does not exist.`, rule.groupId);
    if (ev.groups.inCycle(rule.groupId)) return UNKNOWN('group_cycle', `Access group ${q(target.name)} is part of a reference cycle.`, rule.groupId);
    if (ev.groups.tooDeep(rule.groupId)) {
      return UNKNOWN('group_too_deep', `Access group ${q(target.name)} nests other groups ${ev.groups.depth(rule.groupId)} deep, more than the ${MAX_GROUP_DEPTH} allowed.`, rule.groupId);
    }
    const set = ev.ruleSet(target, joinPointer(pointer, 'group'));
    const group: GroupExplanation = { id: target.id, name: target.name, ...set.explanation };
    if (set.tri === T) return withGroup(MATCHED('group_member', `Member of Access group ${q(target.name)}.`, rule.groupId), group);
    if (set.tri === F) return withGroup(NOT('group_not_member', `Not a member of Access group ${q(target.name)}.`, rule.groupId), group);
    return withGroup(UNKNOWN('group_unknown', `Membership of Access group ${q(target.name)} could not be decided.`, rule.groupId), group);
  },
};

const isList = (x: ListIndex | readonly unknown[]): x is ListIndex => !Array.isArray(x);

/** Any selector's evaluation: what EVALUATE[rule.kind] is for the rule's own kind. */
type EvaluateAny = (rule: Rule, ev: Interpreter, pointer: string) => Verdict<Selector>;

class Interpreter {
  readonly groups: GroupGraph;
  readonly now: number;

  constructor(
    readonly env: EvalEnv,
    readonly id: PreparedIdentity,
    readonly external: ExternalAnswers | undefined,
  ) {
    this.groups = new GroupGraph((gid) => env.group?.(gid));
    this.now = env.now ?? Date.now();
  }

  /** How a message names a referenced object: its quoted name when known, else its quoted id. */
  named(kind: NamedKind, id: string | undefined): string {
    if (id === undefined) return q(id);
    const name = this.env.nameOf?.(kind, id);
    return name === undefined || name === id ? q(id) : q(name);
  }

  /** Unknown when the rule's identity provider no longer exists (the user logged in through it). */
  idpGone(idpId: string): readonly [typeof U, Reason<'identity_provider_not_found'>] | undefined {
    if (this.env.identityProviderExists !== undefined && !this.env.identityProviderExists(idpId)) {
      return UNKNOWN('identity_provider_not_found', `Identity provider ${q(idpId)} no longer exists.`, idpId);
    }
    return undefined;
  }

  /** The IdP check shared by IdP-scoped selectors: undefined when the identity is in scope. */
  idpScope(idpId: string): readonly [typeof F, Reason<'idp_mismatch'>] | readonly [typeof U, Reason<'identity_provider_not_found'>] | undefined {
    if (this.id.idpId !== idpId) {
      return NOT('idp_mismatch', `The user logged in through identity provider ${this.named('identity_provider', this.id.idpId)}, not ${this.named('identity_provider', idpId)}.`, idpId, this.id.idpId ?? null);
    }
    return this.idpGone(idpId);
  }

  list(listId: string, type: RuleListType): ListIndex | readonly [typeof U, Reason<'list_not_found' | 'list_type_mismatch'>] {
    const list = this.env.list?.(listId);
    if (list === undefined) return UNKNOWN('list_not_found', `Gateway list ${q(listId)} does not exist.`, listId);
    if (list.type !== type) return UNKNOWN('list_type_mismatch', `Gateway list ${this.named('list', listId)} is of type ${list.type}, not ${type}.`, type);
    return list;
  }

  /** A SAML attribute or OIDC claim has the value. */
  claim<M extends MatchedCode, X extends NotMatchedCode, Y extends NotMatchedCode>(
    source: 'saml' | 'oidc',
    name: string,
    value: string,
    codes: { readonly match: M; readonly missing: X; readonly mismatch: Y },
  ): readonly [typeof T, Reason<M>] | readonly [typeof F, Reason<X | Y>] {
    const values = this.id.claimValues(source, name);
    const what = source === 'saml' ? 'SAML attribute' : 'OIDC claim';
    if (values.includes(value)) return MATCHED(codes.match, `${what} ${q(name)} has value ${q(value)}.`, value, values);
    if (values.length === 0) return NOT(codes.missing, `The identity has no ${what} ${q(name)}.`, value);
    return NOT(codes.mismatch, `${what} ${q(name)} is ${values.map(q).join(', ')}, not ${q(value)}.`, value, values);
  }

  /** The identity's service token is present, valid, and (with a lookup) exists and has not expired. */
  serviceToken(want: string | undefined): Verdict<'any_valid_service_token'> {
    const { id, env } = this;
    if (id.serviceTokenId === undefined) return NOT('service_token_missing', 'The request carried no service token.', want);
    if (!id.serviceTokenActive) return NOT('service_token_invalid', `Service token ${this.named('service_token', id.serviceTokenId)} was not valid.`, want, id.serviceTokenId);
    const info = env.serviceToken === undefined ? {} : env.serviceToken(id.serviceTokenId);
    if (info === undefined) return NOT('service_token_not_found', `Service token ${q(id.serviceTokenId)} does not exist in the account.`, want, id.serviceTokenId);
    if (info.expiresAt != null && info.expiresAt <= this.now) return NOT('service_token_expired', `Service token ${this.named('service_token', id.serviceTokenId)} has expired.`, want, id.serviceTokenId);
    return MATCHED('service_token_valid', `Valid service token ${this.named('service_token', id.serviceTokenId)}.`, want, id.serviceTokenId);
  }

  rule(rule: Rule, pointer: string): RuleExplanation {
    // TypeScript cannot tie EVALUATE[rule.kind] to rule's own kind (a correlated union); each
    // entry's type is checked where EVALUATE is defined.
    const verdict = (EVALUATE[rule.kind] as unknown as EvaluateAny)(rule, this, pointer);
    // The group is read by index: most verdicts have two elements, and destructuring a third
    // from them leaves V8's fast path.
    const [tri, reason] = verdict;
    const group = verdict.length > 2 ? verdict[2] : undefined;
    return { pointer, selector: rule.kind, outcome: TRI_OUTCOME[tri], reason, ...(group !== undefined ? { group } : {}) };
  }

  /** include (any) AND require (all) AND NOT exclude (any), in Kleene logic, every rule evaluated. */
  ruleSet(set: RuleSet, pointer: string): { tri: Tri; explanation: RuleSetExplanation } {
    const evalList = (name: RuleListName) => set[name].map((r, i) => this.rule(r, joinPointer(pointer, name, i)));
    const include = evalList('include');
    const require = evalList('require');
    const exclude = evalList('exclude');
    const any = (list: RuleExplanation[]): Tri =>
      list.some((r) => r.outcome === 'matched') ? T : list.some((r) => r.outcome === 'unknown') ? U : F;
    const all = (list: RuleExplanation[]): Tri =>
      list.some((r) => r.outcome === 'not_matched') ? F : list.some((r) => r.outcome === 'unknown') ? U : T;
    const inc = any(include);
    const req = all(require);
    const exc = any(exclude);
    const notExc: Tri = exc === T ? F : exc === F ? T : U;
    const parts = [inc, req, notExc];
    const tri: Tri = parts.includes(F) ? F : parts.includes(U) ? U : T;
    return { tri, explanation: { outcome: TRI_OUTCOME[tri], include, require, exclude } };
  }
}

function q(value: string | undefined): string {
  return value === undefined ? '(none)' : quote(value);
}

function skippedExplanation(policy: Policy, index: number, pointer: string): PolicyExplanation {
  const skip = (name: RuleListName): RuleExplanation[] =>
    policy[name].map((r, i) => ({
      pointer: joinPointer(pointer, name, i),
      selector: r.kind,
      outcome: 'skipped' as const,
      reason: { code: 'skipped', message: 'Not evaluated: an earlier policy decided.' },
    }));
  return {
    index,
    ...(policy.id !== undefined ? { id: policy.id } : {}),
    name: policy.name,
    decision: policy.decision,
    pointer,
    outcome: 'skipped',
    include: skip('include'),
    require: skip('require'),
    exclude: skip('exclude'),
  };
}

function ref(policy: Policy, index: number): PolicyRef {
  return { index, ...(policy.id !== undefined ? { id: policy.id } : {}), name: policy.name, decision: policy.decision };
}

/**
 * Evaluate a list of policies for one identity in the order of docs/semantics.md "Order of
 * execution" (unknowns as in "Three-valued logic"), returning the access result and the full
 * explanation.
 */
export function explain(policies: readonly Policy[], identity: PreparedIdentity, env: EvalEnv = {}, options: EvaluateOptions = {}): Explanation {
  const interp = new Interpreter(env, identity, options.external);
  const base = options.pointer ?? '/policies';
  const explained: (PolicyExplanation | undefined)[] = new Array(policies.length).fill(undefined);
  // Outcomes that undecidable policies would have produced had they matched.
  const pending: { index: number; access: number }[] = [];
  let decided: { index: number; access: number } | undefined;
  for (const index of executionOrder(policies.map((p) => p.decision))) {
    const policy = policies[index];
    const pointer = joinPointer(base, index);
    const { tri, explanation } = interp.ruleSet(policy, pointer);
    explained[index] = { index, ...(policy.id !== undefined ? { id: policy.id } : {}), name: policy.name, decision: policy.decision, pointer, ...explanation };
    const own = grants(policy.decision) ? GRANTED : BLOCKED;
    if (tri === T) {
      decided = { index, access: own };
      break;
    }
    if (tri === U) pending.push({ index, access: own });
  }
  const finalAccess = decided?.access ?? BLOCKED;
  const disagreeing = pending.find((p) => p.access !== finalAccess);
  const access = disagreeing !== undefined ? UNKNOWN_ACCESS : finalAccess;
  const decidingIndex = disagreeing?.index ?? decided?.index;
  const deciding = decidingIndex === undefined ? null : ref(policies[decidingIndex], decidingIndex);
  const all = explained.map((e, i) => e ?? skippedExplanation(policies[i], i, joinPointer(base, i)));
  return { access: ACCESS_NAMES[access], deciding, summary: summarize(ACCESS_NAMES[access], deciding, all), policies: all };
}

/**
 * One sentence a person reads first: the result, the policy that decided and the rule that
 * decided within it, with the rule's own reason. Blocked by default names the allow policy that
 * came closest (its include matched) and what stopped it.
 */
function summarize(access: Access, deciding: PolicyRef | null, policies: readonly PolicyExplanation[]): string {
  if (access === 'unknown') {
    const policy = deciding === null ? undefined : policies[deciding.index];
    const rule = policy === undefined ? undefined : firstRule(policy, 'unknown');
    const because = rule === undefined ? '' : ` (${withoutStop(rule.reason.message)})`;
    return `Undecided: policy ${q(deciding?.name)} could not be evaluated${because}, and its outcome would change the result.`;
  }
  if (deciding === null) {
    const closest = policies.find((p) => grants(p.decision) && p.outcome === 'not_matched' && p.include.some((r) => r.outcome === 'matched'));
    if (closest === undefined) return 'Blocked: no policy matched (deny by default).';
    return `Blocked: no policy matched (deny by default); the closest, ${closest.decision} policy ${q(closest.name)}, ${whatStopped(closest)}`;
  }
  const verb = access === 'granted' ? 'Granted' : 'Blocked';
  const rule = firstRule(policies[deciding.index], 'matched', ['include']);
  return `${verb} by ${deciding.decision} policy ${q(deciding.name)}${rule === undefined ? '.' : `: ${rule.reason.message}`}`;
}

/** Why a policy whose include matched did not match: the first failed requirement or matching exclusion. */
function whatStopped(policy: PolicyExplanation): string {
  const excluded = policy.exclude.find((r) => r.outcome === 'matched');
  if (excluded !== undefined) return `excludes this user: ${excluded.reason.message}`;
  const unmet = policy.require.find((r) => r.outcome === 'not_matched');
  if (unmet !== undefined) return `requires what this user lacks: ${unmet.reason.message}`;
  return 'did not match.';
}

function firstRule(set: RuleSetExplanation, outcome: RuleExplanation['outcome'], lists: readonly RuleListName[] = ['include', 'require', 'exclude']): RuleExplanation | undefined {
  for (const list of lists) {
    const rule = set[list].find((r) => r.outcome === outcome);
    if (rule !== undefined) return rule;
  }
  return undefined;
}

const withoutStop = (text: string): string => (text.endsWith('.') ? text.slice(0, -1) : text);
