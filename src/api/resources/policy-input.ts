// Everything a policy goes through before it is saved (reusable, app-scoped, or inline in a
// policy test): the engine's validation, reference checks against the account, lint, and
// the body to store.

import { endpointCountIssue } from './external-endpoints.js';
import {
  checkReferences,
  joinPointer,
  lintPolicy,
  parsePolicy,
  quote,
  type Issue,
  type LintFinding,
  type Policy,
  type RuleSet,
} from '../../engine/index.js';
import type { RequestIssue } from '../errors.js';
import type { ResourceRef, StoreReader } from '../../store/store.js';
import { loadAccountReferences, ruleSetReferences } from '../../account/rule-references.js';

export interface CheckedPolicy {
  readonly policy: Policy;
  /** The validated wire form, as stored and returned. */
  readonly body: Record<string, unknown>;
  readonly refs: ResourceRef[];
  readonly warnings: LintFinding[];
}

export type PolicyCheck = { readonly ok: true; readonly value: CheckedPolicy } | { readonly ok: false; readonly issues: (Issue | RequestIssue)[] };

export interface PolicyCheckOptions {
  /** Pointer of the policy inside the request ("" for a whole body, "/policies/2" in a test). */
  readonly pointer?: string;
  readonly id?: string;
  /** Fields the caller handles itself (e.g. "precedence" of app-scoped policies). */
  readonly extraFields?: readonly string[];
}

export function ruleSetBody(set: RuleSet): { include: unknown[]; require: unknown[]; exclude: unknown[] } {
  return { include: set.include.map((r) => r.wire), require: set.require.map((r) => r.wire), exclude: set.exclude.map((r) => r.wire) };
}

export function policyBody(policy: Policy): Record<string, unknown> {
  return { name: policy.name, decision: policy.decision, ...ruleSetBody(policy), ...policy.settings };
}

function approvalListIds(policy: Policy): string[] {
  return (policy.settings.approval_groups ?? []).map((g) => g.email_list_uuid).filter((id): id is string => typeof id === 'string');
}

export async function checkPolicyInput(store: StoreReader, accountId: string, input: unknown, options: PolicyCheckOptions = {}): Promise<PolicyCheck> {
  const pointer = options.pointer ?? '';
  const parsed = parsePolicy(input, {
    pointer,
    ...(options.id !== undefined ? { id: options.id } : {}),
    ...(options.extraFields !== undefined ? { extraFields: options.extraFields } : {}),
  });
  if (!parsed.ok) return parsed;
  const policy = parsed.value;
  const approvalLists = approvalListIds(policy);
  const account = await loadAccountReferences(store, accountId, [policy], approvalLists);
  const issues: (Issue | RequestIssue)[] = checkReferences(policy, account.catalog, { pointer, decision: policy.decision });
  (policy.settings.approval_groups ?? []).forEach((group, i) => {
    const id = group.email_list_uuid;
    if (id === undefined) return;
    const at = joinPointer(pointer, 'approval_groups', i, 'email_list_uuid');
    const type = account.catalog.listType?.(id);
    if (type === undefined) issues.push({ code: 'unknown_list', pointer: at, message: `Gateway list ${quote(id)} does not exist in this account.` });
    else if (type !== 'EMAIL') issues.push({ code: 'list_type_mismatch', pointer: at, message: `Gateway list ${quote(id)} is of type ${type}; approvers come from a list of type EMAIL.` });
  });
  const body = policyBody(policy);
  const endpoints = endpointCountIssue(body, pointer);
  if (endpoints !== undefined) issues.push(endpoints);
  if (issues.length > 0) return { ok: false, issues };
  const refs: ResourceRef[] = [...ruleSetReferences([policy]), ...approvalLists.map((id) => ({ kind: 'list' as const, id }))];
  return { ok: true, value: { policy, body, refs, warnings: lintPolicy(policy, account.lint, pointer) } };
}
