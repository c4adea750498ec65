// Wire shapes: the JSON that Cloudflare's API accepts and returns for Access rules and policies.
// Untrusted input is parsed into these by validate.ts; nothing else should build them by hand.
// The rule shapes are derived from the selector catalogue (selectors.ts).

import type { Catalogue, FieldDef } from './selectors.js';

export type RiskLevel = 'low' | 'medium' | 'high' | 'unscored';
export const RISK_LEVELS: readonly RiskLevel[] = ['low', 'medium', 'high', 'unscored'];

export type Decision = 'allow' | 'deny' | 'non_identity' | 'bypass';
export const DECISIONS: readonly Decision[] = ['allow', 'deny', 'non_identity', 'bypass'];

type Empty = Record<string, never>;

/** The selector names, i.e. the single key of each rule variant, in the spec's order. */
export type Selector = keyof Catalogue;

type FieldsOf<S extends Selector> = Catalogue[S]['fields'];
type WireValue<F extends FieldDef> = F['format'] extends 'risk_levels' ? RiskLevel[] : string;
type Flatten<T> = { [K in keyof T]: T[K] };
type WireBody<F extends Readonly<Record<string, FieldDef>>> = [keyof F] extends [never]
  ? Empty
  : Flatten<
      { -readonly [N in keyof F as F[N]['required'] extends true ? N : never]: WireValue<F[N]> } & {
        -readonly [N in keyof F as F[N]['required'] extends true ? never : N]?: WireValue<F[N]>;
      }
    >;

/** One Access rule of selector `S`, e.g. `{ okta: { identity_provider_id: string; name: string } }`. */
export type WireRuleOf<S extends Selector> = { [K in S]: WireBody<FieldsOf<K>> };

/** One Access rule: an object with exactly one key (the selector) whose value is an object. */
export type WireRule = { [S in Selector]: WireRuleOf<S> }[Selector];

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
