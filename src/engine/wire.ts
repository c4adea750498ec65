// Wire shapes: the JSON that Cloudflare's API accepts and returns for Access rules and policies.
// Untrusted input is parsed into these by validate.ts; nothing else should build them by hand.

export type RiskLevel = 'low' | 'medium' | 'high' | 'unscored';
export const RISK_LEVELS: readonly RiskLevel[] = ['low', 'medium', 'high', 'unscored'];

export type Decision = 'allow' | 'deny' | 'non_identity' | 'bypass';
export const DECISIONS: readonly Decision[] = ['allow', 'deny', 'non_identity', 'bypass'];

type Empty = Record<string, never>;

/** One Access rule: an object with exactly one key (the selector) whose value is an object. */
export type WireRule =
  | { group: { id: string } }
  | { any_valid_service_token: Empty }
  | { auth_context: { ac_id: string; id: string; identity_provider_id: string } }
  | { auth_method: { auth_method: string } }
  | { azureAD: { id: string; identity_provider_id: string } }
  | { certificate: Empty }
  | { common_name: { common_name: string } }
  | { geo: { country_code: string } }
  | { device_posture: { integration_uid: string } }
  | { email_domain: { domain: string } }
  | { email_list: { id: string } }
  | { email: { email: string } }
  | { everyone: Empty }
  | { external_evaluation: { evaluate_url: string; keys_url: string } }
  | { 'github-organization': { identity_provider_id: string; name: string; team?: string } }
  | { gsuite: { email: string; identity_provider_id: string } }
  | { login_method: { id: string } }
  | { ip_list: { id: string } }
  | { ip: { ip: string } }
  | { okta: { identity_provider_id: string; name: string } }
  | { saml: { attribute_name: string; attribute_value: string; identity_provider_id: string } }
  | { oidc: { claim_name: string; claim_value: string; identity_provider_id: string } }
  | { service_token: { token_id: string } }
  | { linked_app_token: { app_uid: string } }
  | { user_risk_score: { user_risk_score: RiskLevel[] } }
  | { cloudflare_account_member: { account_id?: string } };

/** The selector names, i.e. the single key of each rule variant, in the spec's order. */
export type Selector =
  | 'group'
  | 'any_valid_service_token'
  | 'auth_context'
  | 'auth_method'
  | 'azureAD'
  | 'certificate'
  | 'common_name'
  | 'geo'
  | 'device_posture'
  | 'email_domain'
  | 'email_list'
  | 'email'
  | 'everyone'
  | 'external_evaluation'
  | 'github-organization'
  | 'gsuite'
  | 'login_method'
  | 'ip_list'
  | 'ip'
  | 'okta'
  | 'saml'
  | 'oidc'
  | 'service_token'
  | 'linked_app_token'
  | 'user_risk_score'
  | 'cloudflare_account_member';

export interface WireApprovalGroup {
  approvals_needed: number;
  email_addresses?: string[];
  email_list_uuid?: string;
}

export type ClipboardFormat = 'text' | 'file';
export type MfaAuthenticator = 'totp' | 'biometrics' | 'security_key';

export interface WireMfaConfig {
  allowed_authenticators?: MfaAuthenticator[];
  mfa_disabled?: boolean;
  session_duration?: string;
}

export interface WireConnectionRules {
  rdp?: {
    allowed_clipboard_local_to_remote_formats?: ClipboardFormat[];
    allowed_clipboard_remote_to_local_formats?: ClipboardFormat[];
  };
}

/** The body of a policy create/update (and an inline policy of a policy test). */
export interface WirePolicy {
  name: string;
  decision: Decision;
  include: WireRule[];
  require?: WireRule[];
  exclude?: WireRule[];
  approval_groups?: WireApprovalGroup[];
  approval_required?: boolean;
  purpose_justification_required?: boolean;
  purpose_justification_prompt?: string;
  session_duration?: string | null;
  isolation_required?: boolean;
  mfa_config?: WireMfaConfig;
  connection_rules?: WireConnectionRules;
}

/** The body of an Access group create/update. */
export interface WireGroup {
  name: string;
  include: WireRule[];
  require?: WireRule[];
  exclude?: WireRule[];
  is_default?: boolean;
}
