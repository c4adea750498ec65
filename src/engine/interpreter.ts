// The reference interpreter: evaluates every rule of every policy it reaches and records why.
// The explanation *is* the evaluation data (which rules were true, false or unknown, and the
// values compared), so it cannot drift from the decision. Slow by design; see compile.ts.

import type { EvalEnv, ExternalAnswers, ListIndex } from './env.js';
import { cycleDetector } from './groups.js';
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
import type { Policy, Rule, RuleListName, RuleSet } from './rules.js';
import type { Decision, Selector } from './wire.js';

export interface Reason {
  /** A stable code, e.g. "email_domain_mismatch". */
  readonly code: string;
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

const MATCHED = (code: string, message: string, expected?: unknown, actual?: unknown): [Tri, Reason] => [
  T,
  { code, message, ...(expected !== undefined ? { expected } : {}), ...(actual !== undefined ? { actual } : {}) },
];
const NOT = (code: string, message: string, expected?: unknown, actual?: unknown): [Tri, Reason] => [
  F,
  { code, message, ...(expected !== undefined ? { expected } : {}), ...(actual !== undefined ? { actual } : {}) },
];
const UNKNOWN = (code: string, message: string, expected?: unknown): [Tri, Reason] => [
  U,
  { code, message, ...(expected !== undefined ? { expected } : {}) },
];

class Interpreter {
  private readonly inCycle: (id: string) => boolean;
  private readonly now: number;

  constructor(
    private readonly env: EvalEnv,
    private readonly id: PreparedIdentity,
    private readonly external: ExternalAnswers | undefined,
  ) {
    this.inCycle = cycleDetector((gid) => env.group?.(gid));
    this.now = env.now ?? Date.now();
  }

  /** The IdP check shared by IdP-scoped selectors: undefined when the identity is in scope. */
  private idpScope(idpId: string): [Tri, Reason] | undefined {
    if (this.id.idpId !== idpId) {
      return NOT('idp_mismatch', `The user logged in through identity provider ${q(this.id.idpId)}, not ${q(idpId)}.`, idpId, this.id.idpId ?? null);
    }
    if (this.env.identityProviderExists !== undefined && !this.env.identityProviderExists(idpId)) {
      return UNKNOWN('identity_provider_not_found', `Identity provider ${q(idpId)} no longer exists.`, idpId);
    }
    return undefined;
  }

  private list(listId: string, type: 'IP' | 'EMAIL'): ListIndex | [Tri, Reason] {
    const list = this.env.list?.(listId);
    if (list === undefined) return UNKNOWN('list_not_found', `Gateway list ${q(listId)} does not exist.`, listId);
    if (list.type !== type) return UNKNOWN('list_type_mismatch', `Gateway list ${q(listId)} is of type ${list.type}, not ${type}.`, type);
    return list;
  }

  rule(rule: Rule, pointer: string): RuleExplanation {
    let group: GroupExplanation | undefined;
    let result: [Tri, Reason];
    const id = this.id;
    switch (rule.kind) {
      case 'everyone':
        result = MATCHED('everyone', 'Everyone matches.');
        break;
      case 'email':
        if (id.email === undefined) result = NOT('email_missing', 'The identity has no email.', rule.email);
        else if (id.email === rule.email) result = MATCHED('email_match', `Email is ${rule.email}.`, rule.email, id.email);
        else result = NOT('email_mismatch', `Email ${id.email} is not ${rule.email}.`, rule.email, id.email);
        break;
      case 'email_domain':
        if (id.emailDomain === undefined) result = NOT('email_missing', 'The identity has no email.', rule.domain);
        else if (id.emailDomain === rule.domain) result = MATCHED('email_domain_match', `Email domain is ${rule.domain}.`, rule.domain, id.emailDomain);
        else result = NOT('email_domain_mismatch', `Email domain ${id.emailDomain} is not ${rule.domain}.`, rule.domain, id.emailDomain);
        break;
      case 'email_list': {
        if (id.email === undefined) {
          result = NOT('email_missing', 'The identity has no email.', rule.listId);
          break;
        }
        const list = this.list(rule.listId, 'EMAIL');
        if (Array.isArray(list)) result = list;
        else if (list.emails.has(id.email)) result = MATCHED('email_list_match', `Email ${id.email} is in list ${rule.listId}.`, rule.listId, id.email);
        else result = NOT('email_list_mismatch', `Email ${id.email} is not in list ${rule.listId}.`, rule.listId, id.email);
        break;
      }
      case 'ip':
        if (id.ip === undefined) result = NOT('ip_missing', 'The identity has no IP address.', rule.cidr.text);
        else if (cidrContains(rule.cidr, id.ip)) result = MATCHED('ip_match', `IP ${formatIp(id.ip)} is in ${rule.cidr.text}.`, rule.cidr.text, formatIp(id.ip));
        else result = NOT('ip_mismatch', `IP ${formatIp(id.ip)} is not in ${rule.cidr.text}.`, rule.cidr.text, formatIp(id.ip));
        break;
      case 'ip_list': {
        if (id.ip === undefined) {
          result = NOT('ip_missing', 'The identity has no IP address.', rule.listId);
          break;
        }
        const list = this.list(rule.listId, 'IP');
        const ip = formatIp(id.ip);
        if (Array.isArray(list)) result = list;
        else if (list.ips.has(id.ip)) result = MATCHED('ip_list_match', `IP ${ip} is in list ${rule.listId}.`, rule.listId, ip);
        else result = NOT('ip_list_mismatch', `IP ${ip} is not in list ${rule.listId}.`, rule.listId, ip);
        break;
      }
      case 'geo':
        if (id.country === undefined) result = NOT('country_missing', 'The identity has no country.', rule.country);
        else if (id.country === rule.country) result = MATCHED('country_match', `Country is ${rule.country}.`, rule.country, id.country);
        else result = NOT('country_mismatch', `Country ${id.country} is not ${rule.country}.`, rule.country, id.country);
        break;
      case 'login_method':
        if (id.idpId !== rule.idpId) {
          result = NOT('login_method_mismatch', `The user logged in through ${q(id.idpId)}, not ${q(rule.idpId)}.`, rule.idpId, id.idpId ?? null);
        } else {
          result = this.idpScope(rule.idpId) ?? MATCHED('login_method_match', `The user logged in through ${q(rule.idpId)}.`, rule.idpId, id.idpId);
        }
        break;
      case 'auth_method':
        if (id.amr.includes(rule.method)) result = MATCHED('auth_method_match', `Login used ${q(rule.method)}.`, rule.method, id.amr);
        else if (id.amr.length === 0) result = NOT('amr_missing', 'The identity records no authentication methods.', rule.method);
        else result = NOT('auth_method_mismatch', `Login used ${id.amr.join(', ')}, not ${q(rule.method)}.`, rule.method, id.amr);
        break;
      case 'auth_context':
        result =
          this.idpScope(rule.idpId) ??
          (id.authContexts.includes(rule.acId)
            ? MATCHED('auth_context_match', `Authentication context ${q(rule.acId)} was satisfied.`, rule.acId, id.authContexts)
            : NOT('auth_context_mismatch', `Authentication context ${q(rule.acId)} was not satisfied.`, rule.acId, id.authContexts));
        break;
      case 'azureAD':
        result =
          this.idpScope(rule.idpId) ??
          (id.azureGroupIds().has(rule.groupId)
            ? MATCHED('azure_group_match', `Member of Azure AD group ${q(rule.groupId)}.`, rule.groupId)
            : NOT('azure_group_mismatch', `Not a member of Azure AD group ${q(rule.groupId)}.`, rule.groupId, [...id.azureGroupIds()]));
        break;
      case 'gsuite':
        result =
          this.idpScope(rule.idpId) ??
          (id.gsuiteGroupEmails().has(rule.groupEmail)
            ? MATCHED('gsuite_group_match', `Member of Google Workspace group ${rule.groupEmail}.`, rule.groupEmail)
            : NOT('gsuite_group_mismatch', `Not a member of Google Workspace group ${rule.groupEmail}.`, rule.groupEmail, [...id.gsuiteGroupEmails()]));
        break;
      case 'okta':
        result =
          this.idpScope(rule.idpId) ??
          (id.oktaGroupNames().has(rule.groupName)
            ? MATCHED('okta_group_match', `Member of Okta group ${q(rule.groupName)}.`, rule.groupName)
            : NOT('okta_group_mismatch', `Not a member of Okta group ${q(rule.groupName)}.`, rule.groupName, [...id.oktaGroupNames()]));
        break;
      case 'github-organization': {
        const scope = this.idpScope(rule.idpId);
        if (scope !== undefined) {
          result = scope;
          break;
        }
        const teams = id.githubOrgTeams().get(rule.org);
        const expected = rule.team === undefined ? rule.org : `${rule.org}/${rule.team}`;
        if (teams === undefined) result = NOT('github_org_mismatch', `Not a member of GitHub organization ${q(rule.org)}.`, expected, [...id.githubOrgTeams().keys()]);
        else if (rule.team === undefined) result = MATCHED('github_org_match', `Member of GitHub organization ${q(rule.org)}.`, expected);
        else if (teams.has(rule.team)) result = MATCHED('github_team_match', `Member of team ${q(rule.team)} in ${q(rule.org)}.`, expected);
        else result = NOT('github_team_mismatch', `In ${q(rule.org)} but not in team ${q(rule.team)}.`, expected, [...teams]);
        break;
      }
      case 'saml':
      case 'oidc': {
        const scope = this.idpScope(rule.idpId);
        if (scope !== undefined) {
          result = scope;
          break;
        }
        const [name, value] = rule.kind === 'saml' ? [rule.attributeName, rule.attributeValue] : [rule.claimName, rule.claimValue];
        const values = id.claimValues(rule.kind, name);
        const what = rule.kind === 'saml' ? 'SAML attribute' : 'OIDC claim';
        if (values.includes(value)) result = MATCHED(`${rule.kind}_match`, `${what} ${q(name)} has value ${q(value)}.`, value, values);
        else if (values.length === 0) result = NOT(`${rule.kind}_missing`, `The identity has no ${what} ${q(name)}.`, value);
        else result = NOT(`${rule.kind}_mismatch`, `${what} ${q(name)} is ${values.map(q).join(', ')}, not ${q(value)}.`, value, values);
        break;
      }
      case 'certificate':
        if (id.certificateValid) result = MATCHED('certificate_valid', 'A valid client certificate was presented.');
        else if (id.raw.mtls_auth?.cert_presented === true)
          result = NOT('certificate_invalid', `The client certificate did not validate (status ${q(String(id.raw.mtls_auth?.auth_status))}).`, 'OK', id.raw.mtls_auth?.auth_status ?? null);
        else result = NOT('certificate_missing', 'No client certificate was presented.');
        break;
      case 'common_name':
        if (id.commonName === undefined) result = NOT('common_name_missing', 'No client certificate common name.', rule.commonName);
        else if (id.commonName === rule.commonName) result = MATCHED('common_name_match', `Certificate common name is ${q(rule.commonName)}.`, rule.commonName, id.commonName);
        else result = NOT('common_name_mismatch', `Certificate common name ${q(id.commonName)} is not ${q(rule.commonName)}.`, rule.commonName, id.commonName);
        break;
      case 'device_posture':
        if (!id.postureSucceeded(rule.postureRuleId)) result = NOT('device_posture_failed', `Device posture check ${q(rule.postureRuleId)} did not pass.`, rule.postureRuleId);
        else if (this.env.postureRuleExists !== undefined && !this.env.postureRuleExists(rule.postureRuleId))
          result = UNKNOWN('posture_rule_not_found', `Device posture rule ${q(rule.postureRuleId)} no longer exists.`, rule.postureRuleId);
        else result = MATCHED('device_posture_passed', `Device posture check ${q(rule.postureRuleId)} passed.`, rule.postureRuleId);
        break;
      case 'service_token':
      case 'any_valid_service_token': {
        const want = rule.kind === 'service_token' ? rule.tokenId : undefined;
        if (id.serviceTokenId === undefined) result = NOT('service_token_missing', 'The request carried no service token.', want);
        else if (want !== undefined && id.serviceTokenId !== want) result = NOT('service_token_mismatch', `Service token ${q(id.serviceTokenId)} is not ${q(want)}.`, want, id.serviceTokenId);
        else if (!id.serviceTokenActive) result = NOT('service_token_invalid', `Service token ${q(id.serviceTokenId)} was not valid.`, want, id.serviceTokenId);
        else {
          const info = this.env.serviceToken === undefined ? {} : this.env.serviceToken(id.serviceTokenId);
          if (info === undefined) result = NOT('service_token_not_found', `Service token ${q(id.serviceTokenId)} does not exist in the account.`, want, id.serviceTokenId);
          else if (info.expiresAt != null && info.expiresAt <= this.now) result = NOT('service_token_expired', `Service token ${q(id.serviceTokenId)} has expired.`, want, id.serviceTokenId);
          else result = MATCHED('service_token_valid', `Valid service token ${q(id.serviceTokenId)}.`, want, id.serviceTokenId);
        }
        break;
      }
      case 'linked_app_token':
        if (id.linkedAppUid !== rule.appUid) result = NOT('linked_app_token_mismatch', `The request carried no token of app ${q(rule.appUid)}.`, rule.appUid, id.linkedAppUid ?? null);
        else if (this.env.appExists !== undefined && !this.env.appExists(rule.appUid)) result = UNKNOWN('app_not_found', `Application ${q(rule.appUid)} no longer exists.`, rule.appUid);
        else result = MATCHED('linked_app_token_match', `The request carried a token of app ${q(rule.appUid)}.`, rule.appUid, id.linkedAppUid);
        break;
      case 'user_risk_score':
        if ((rule.levels as readonly string[]).includes(id.riskLevel)) result = MATCHED('user_risk_score_match', `Risk level ${id.riskLevel} is one of ${rule.levels.join(', ')}.`, rule.levels, id.riskLevel);
        else result = NOT('user_risk_score_mismatch', `Risk level ${id.riskLevel} is not one of ${rule.levels.join(', ')}.`, rule.levels, id.riskLevel);
        break;
      case 'cloudflare_account_member': {
        const account = rule.accountId ?? this.env.accountId;
        if (account === undefined) {
          result = id.accountIds.length > 0
            ? MATCHED('account_member_match', 'Member of a Cloudflare account.', null, id.accountIds)
            : NOT('account_member_mismatch', 'Not a member of any Cloudflare account.', null, id.accountIds);
        } else if (id.accountIds.includes(account)) result = MATCHED('account_member_match', `Member of Cloudflare account ${account}.`, account, id.accountIds);
        else result = NOT('account_member_mismatch', `Not a member of Cloudflare account ${account}.`, account, id.accountIds);
        break;
      }
      case 'external_evaluation': {
        const answer = this.external?.(rule);
        if (answer === true) result = MATCHED('external_allow', `${rule.evaluateUrl} allowed the user.`);
        else if (answer === false) result = NOT('external_deny', `${rule.evaluateUrl} denied the user.`);
        else result = UNKNOWN('external_evaluation_failed', `No valid answer from ${rule.evaluateUrl}.`, rule.evaluateUrl);
        break;
      }
      case 'group': {
        const target = this.env.group?.(rule.groupId);
        if (target === undefined) result = UNKNOWN('group_not_found', `Access group ${q(rule.groupId)} does not exist.`, rule.groupId);
        else if (this.inCycle(rule.groupId)) result = UNKNOWN('group_cycle', `Access group ${q(target.name)} is part of a reference cycle.`, rule.groupId);
        else {
          const set = this.ruleSet(target, joinPointer(pointer, 'group'));
          group = { id: target.id, name: target.name, ...set.explanation };
          result =
            set.tri === T
              ? MATCHED('group_member', `Member of Access group ${q(target.name)}.`, rule.groupId)
              : set.tri === F
                ? NOT('group_not_member', `Not a member of Access group ${q(target.name)}.`, rule.groupId)
                : UNKNOWN('group_unknown', `Membership of Access group ${q(target.name)} could not be decided.`, rule.groupId);
        }
        break;
      }
    }
    const [tri, reason] = result;
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
  return { access: ACCESS_NAMES[access], deciding, summary: summarize(ACCESS_NAMES[access], deciding), policies: all };
}

function summarize(access: Access, deciding: PolicyRef | null): string {
  if (access === 'unknown') {
    return `Undecided: policy ${q(deciding?.name)} could not be evaluated, and its outcome would change the result.`;
  }
  if (deciding === null) return 'Blocked: no policy matched (deny by default).';
  const verb = access === 'granted' ? 'Granted' : 'Blocked';
  return `${verb} by ${deciding.decision} policy ${q(deciding.name)}.`;
}
