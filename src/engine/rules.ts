// Normalized rules and policies: what validation produces and what every evaluator consumes.
// Strings are normalized once here (lower-cased emails and domains, upper-cased countries,
// parsed CIDRs), so the hot path only compares.

import type { Cidr } from './ip.js';
import type {
  Decision,
  RiskLevel,
  Selector,
  WirePolicy,
  WireRule,
} from './wire.js';

interface RuleBase<K extends Selector> {
  readonly kind: K;
  /** The rule as accepted on the wire (validated, unknown keys refused), for output and messages. */
  readonly wire: WireRule;
}

export type GroupRule = RuleBase<'group'> & { readonly groupId: string };
export type AnyValidServiceTokenRule = RuleBase<'any_valid_service_token'>;
export type AuthContextRule = RuleBase<'auth_context'> & {
  readonly acId: string;
  readonly contextId: string;
  readonly idpId: string;
};
export type AuthMethodRule = RuleBase<'auth_method'> & { readonly method: string };
export type AzureGroupRule = RuleBase<'azureAD'> & { readonly groupId: string; readonly idpId: string };
export type CertificateRule = RuleBase<'certificate'>;
export type CommonNameRule = RuleBase<'common_name'> & { readonly commonName: string };
export type GeoRule = RuleBase<'geo'> & { readonly country: string };
export type DevicePostureRule = RuleBase<'device_posture'> & { readonly postureRuleId: string };
export type EmailDomainRule = RuleBase<'email_domain'> & { readonly domain: string };
export type EmailListRule = RuleBase<'email_list'> & { readonly listId: string };
export type EmailRule = RuleBase<'email'> & { readonly email: string };
export type EveryoneRule = RuleBase<'everyone'>;
export type ExternalEvaluationRule = RuleBase<'external_evaluation'> & {
  readonly evaluateUrl: string;
  readonly keysUrl: string;
};
export type GithubOrganizationRule = RuleBase<'github-organization'> & {
  readonly idpId: string;
  /** Lower-cased organization name. */
  readonly org: string;
  /** Lower-cased team slug, when the rule names one. */
  readonly team: string | undefined;
};
export type GsuiteGroupRule = RuleBase<'gsuite'> & { readonly groupEmail: string; readonly idpId: string };
export type LoginMethodRule = RuleBase<'login_method'> & { readonly idpId: string };
export type IpListRule = RuleBase<'ip_list'> & { readonly listId: string };
export type IpRule = RuleBase<'ip'> & { readonly cidr: Cidr };
export type OktaGroupRule = RuleBase<'okta'> & { readonly idpId: string; readonly groupName: string };
export type SamlRule = RuleBase<'saml'> & {
  readonly idpId: string;
  readonly attributeName: string;
  readonly attributeValue: string;
};
export type OidcRule = RuleBase<'oidc'> & { readonly idpId: string; readonly claimName: string; readonly claimValue: string };
export type ServiceTokenRule = RuleBase<'service_token'> & { readonly tokenId: string };
export type LinkedAppTokenRule = RuleBase<'linked_app_token'> & { readonly appUid: string };
export type UserRiskScoreRule = RuleBase<'user_risk_score'> & { readonly levels: readonly RiskLevel[] };
export type CloudflareAccountMemberRule = RuleBase<'cloudflare_account_member'> & {
  readonly accountId: string | undefined;
};

export type Rule =
  | GroupRule
  | AnyValidServiceTokenRule
  | AuthContextRule
  | AuthMethodRule
  | AzureGroupRule
  | CertificateRule
  | CommonNameRule
  | GeoRule
  | DevicePostureRule
  | EmailDomainRule
  | EmailListRule
  | EmailRule
  | EveryoneRule
  | ExternalEvaluationRule
  | GithubOrganizationRule
  | GsuiteGroupRule
  | LoginMethodRule
  | IpListRule
  | IpRule
  | OktaGroupRule
  | SamlRule
  | OidcRule
  | ServiceTokenRule
  | LinkedAppTokenRule
  | UserRiskScoreRule
  | CloudflareAccountMemberRule;

/** include (any) AND require (all) AND NOT exclude (any): shared by policies and Access groups. */
export interface RuleSet {
  readonly include: readonly Rule[];
  readonly require: readonly Rule[];
  readonly exclude: readonly Rule[];
}

/** Everything in a policy besides its name, decision and rules, as accepted on the wire. */
export type PolicySettings = Omit<WirePolicy, 'name' | 'decision' | 'include' | 'require' | 'exclude'>;

export interface Policy extends RuleSet {
  /** Set by the caller for saved policies; named in explanations. */
  readonly id?: string;
  readonly name: string;
  readonly decision: Decision;
  readonly settings: PolicySettings;
}

export interface Group extends RuleSet {
  readonly id: string;
  readonly name: string;
  readonly isDefault?: boolean;
}

export type RuleListName = 'include' | 'require' | 'exclude';
export const RULE_LISTS: readonly RuleListName[] = ['include', 'require', 'exclude'];
