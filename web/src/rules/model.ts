// The rule builder's editable state and its conversion to and from the API's wire JSON.
// Rules are generic over the engine's selector catalog: each field is a string (or a list
// of risk levels), so every one of the 26 selectors is edited the same way.

import { specOf } from '../../../src/engine/selectors.js';
import type { ClipboardFormat, Decision, MfaAuthenticator, RuleListName, Selector, WireApprovalGroup, WireGroup, WirePolicy, WireRule } from '../api/wire.js';

export type FieldValue = string | string[];

export interface RuleDraft {
  /** Stable across edits, for list keys and focus. */
  readonly key: number;
  readonly selector: Selector;
  readonly values: Readonly<Record<string, FieldValue>>;
}

export interface RuleSetDraft {
  readonly include: readonly RuleDraft[];
  readonly require: readonly RuleDraft[];
  readonly exclude: readonly RuleDraft[];
}

export interface ApprovalGroupDraft {
  readonly key: number;
  readonly approvals_needed: string;
  /** One address per line. */
  readonly email_addresses: string;
  readonly email_list_uuid: string;
}

export interface PolicyDraft extends RuleSetDraft {
  /** The saved policy this draft edits; undefined for a new one. */
  readonly id: string | undefined;
  readonly name: string;
  readonly decision: Decision;
  readonly session_duration: string;
  readonly approval_required: boolean;
  readonly approval_groups: readonly ApprovalGroupDraft[];
  readonly purpose_justification_required: boolean;
  readonly purpose_justification_prompt: string;
  readonly isolation_required: boolean;
  /** Whether to send mfa_config at all. */
  readonly mfa_configured: boolean;
  readonly mfa_allowed_authenticators: readonly MfaAuthenticator[];
  readonly mfa_disabled: boolean;
  readonly mfa_session_duration: string;
  readonly rdp_local_to_remote: readonly ClipboardFormat[];
  readonly rdp_remote_to_local: readonly ClipboardFormat[];
}

export interface GroupDraft extends RuleSetDraft {
  readonly id: string | undefined;
  readonly name: string;
  readonly is_default: boolean;
}

let nextKey = 1;
export const newKey = (): number => nextKey++;

export { specOf };

/** A fresh rule of `selector` with empty fields. */
export function emptyRule(selector: Selector): RuleDraft {
  const values: Record<string, FieldValue> = {};
  for (const field of specOf(selector).fields) values[field.name] = field.format === 'risk_levels' ? [] : '';
  return { key: newKey(), selector, values };
}

/** Change a rule's selector, keeping the values of fields the two selectors share. */
export function withSelector(rule: RuleDraft, selector: Selector): RuleDraft {
  const fresh = emptyRule(selector);
  const values = { ...fresh.values };
  for (const name of Object.keys(values)) {
    const old = rule.values[name];
    if (old !== undefined && Array.isArray(old) === Array.isArray(values[name])) values[name] = old;
  }
  return { key: rule.key, selector, values };
}

export function ruleFromWire(wire: WireRule): RuleDraft {
  const selector = Object.keys(wire)[0] as Selector;
  const body = (wire as Record<string, Record<string, unknown>>)[selector] ?? {};
  const rule = emptyRule(selector);
  const values: Record<string, FieldValue> = { ...rule.values };
  for (const name of Object.keys(values)) {
    const value = body[name];
    if (Array.isArray(value)) values[name] = value.map(String);
    else if (value !== undefined && value !== null) values[name] = String(value);
  }
  return { ...rule, values };
}

/**
 * The wire rule. Empty required fields are sent as "" so that the engine names them (at their
 * pointer) rather than the dashboard guessing; empty optional fields are left out.
 */
export function ruleToWire(rule: RuleDraft): WireRule {
  const body: Record<string, unknown> = {};
  for (const field of specOf(rule.selector).fields) {
    const value = rule.values[field.name];
    const text = typeof value === 'string' ? value.trim() : value;
    if (!field.required && (text === '' || text === undefined)) continue;
    body[field.name] = text ?? '';
  }
  return { [rule.selector]: body } as WireRule;
}

const RULE_LISTS: readonly RuleListName[] = ['include', 'require', 'exclude'];

function ruleSetFromWire(wire: { include?: WireRule[]; require?: WireRule[]; exclude?: WireRule[] }): RuleSetDraft {
  return {
    include: (wire.include ?? []).map(ruleFromWire),
    require: (wire.require ?? []).map(ruleFromWire),
    exclude: (wire.exclude ?? []).map(ruleFromWire),
  };
}

function ruleSetToWire(draft: RuleSetDraft): { include: WireRule[]; require: WireRule[]; exclude: WireRule[] } {
  const [include, require, exclude] = RULE_LISTS.map((list) => draft[list].map(ruleToWire));
  return { include, require, exclude };
}

export function newPolicyDraft(): PolicyDraft {
  return {
    id: undefined,
    name: '',
    decision: 'allow',
    include: [emptyRule('email')],
    require: [],
    exclude: [],
    session_duration: '24h',
    approval_required: false,
    approval_groups: [],
    purpose_justification_required: false,
    purpose_justification_prompt: '',
    isolation_required: false,
    mfa_configured: false,
    mfa_allowed_authenticators: [],
    mfa_disabled: false,
    mfa_session_duration: '',
    rdp_local_to_remote: [],
    rdp_remote_to_local: [],
  };
}

export function policyDraftFromWire(policy: WirePolicy & { id?: string }): PolicyDraft {
  const base = newPolicyDraft();
  const mfa = policy.mfa_config;
  return {
    ...base,
    ...ruleSetFromWire(policy),
    id: policy.id,
    name: policy.name,
    decision: policy.decision,
    session_duration: policy.session_duration ?? '',
    approval_required: policy.approval_required ?? false,
    approval_groups: (policy.approval_groups ?? []).map((g) => ({
      key: newKey(),
      approvals_needed: String(g.approvals_needed),
      email_addresses: (g.email_addresses ?? []).join('\n'),
      email_list_uuid: g.email_list_uuid ?? '',
    })),
    purpose_justification_required: policy.purpose_justification_required ?? false,
    purpose_justification_prompt: policy.purpose_justification_prompt ?? '',
    isolation_required: policy.isolation_required ?? false,
    mfa_configured: mfa !== undefined,
    mfa_allowed_authenticators: mfa?.allowed_authenticators ?? [],
    mfa_disabled: mfa?.mfa_disabled ?? false,
    mfa_session_duration: mfa?.session_duration ?? '',
    rdp_local_to_remote: policy.connection_rules?.rdp?.allowed_clipboard_local_to_remote_formats ?? [],
    rdp_remote_to_local: policy.connection_rules?.rdp?.allowed_clipboard_remote_to_local_formats ?? [],
  };
}

function approvalGroupToWire(group: ApprovalGroupDraft): WireApprovalGroup {
  const emails = group.email_addresses
    .split(/[\n,]/)
    .map((e) => e.trim())
    .filter((e) => e !== '');
  const needed = group.approvals_needed.trim();
  return {
    // A number when it reads as one; otherwise the text, for the server to name the mistake.
    approvals_needed: (needed !== '' && Number.isFinite(Number(needed)) ? Number(needed) : needed) as number,
    ...(emails.length > 0 ? { email_addresses: emails } : {}),
    ...(group.email_list_uuid !== '' ? { email_list_uuid: group.email_list_uuid } : {}),
  };
}

export function policyToWire(draft: PolicyDraft): WirePolicy {
  const rdp = {
    ...(draft.rdp_local_to_remote.length > 0 ? { allowed_clipboard_local_to_remote_formats: [...draft.rdp_local_to_remote] } : {}),
    ...(draft.rdp_remote_to_local.length > 0 ? { allowed_clipboard_remote_to_local_formats: [...draft.rdp_remote_to_local] } : {}),
  };
  return {
    name: draft.name,
    decision: draft.decision,
    ...ruleSetToWire(draft),
    ...(draft.session_duration.trim() !== '' ? { session_duration: draft.session_duration.trim() } : {}),
    approval_required: draft.approval_required,
    ...(draft.approval_groups.length > 0 ? { approval_groups: draft.approval_groups.map(approvalGroupToWire) } : {}),
    purpose_justification_required: draft.purpose_justification_required,
    ...(draft.purpose_justification_prompt.trim() !== '' ? { purpose_justification_prompt: draft.purpose_justification_prompt } : {}),
    isolation_required: draft.isolation_required,
    ...(draft.mfa_configured
      ? {
          mfa_config: {
            allowed_authenticators: [...draft.mfa_allowed_authenticators],
            mfa_disabled: draft.mfa_disabled,
            ...(draft.mfa_session_duration.trim() !== '' ? { session_duration: draft.mfa_session_duration.trim() } : {}),
          },
        }
      : {}),
    ...(Object.keys(rdp).length > 0 ? { connection_rules: { rdp } } : {}),
  };
}

export function newGroupDraft(): GroupDraft {
  return { id: undefined, name: '', is_default: false, include: [emptyRule('email')], require: [], exclude: [] };
}

export function groupDraftFromWire(group: WireGroup & { id?: string }): GroupDraft {
  return { id: group.id, name: group.name, is_default: group.is_default ?? false, ...ruleSetFromWire(group) };
}

export function groupToWire(draft: GroupDraft): WireGroup {
  return { name: draft.name, ...ruleSetToWire(draft), ...(draft.is_default ? { is_default: true } : {}) };
}
