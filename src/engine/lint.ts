// Policy lint: warnings about valid policies and groups that probably do not do what their
// author meant (a policy that can never match, one that lets everybody in, a value no request
// will ever carry). Findings never block a write; the API returns them in the envelope's
// `messages`. Lint reads normalized rules only (validation has already run) and does no I/O.
// This file holds the policy and policy-set checks; lint-rules.ts those shared with groups,
// lint-data.ts the reference data, lint-codes.ts the codes.

import { parseGoDuration } from './duration.js';
import { capitalize, joinPointer, quote } from './issues.js';
import type { LintContext, LintFinding } from './lint-codes.js';
import { DECISION_WORDS } from './lint-data.js';
import { GroupView, lintRuleSet } from './lint-rules.js';
import { executionOrder, isFirstPhase } from './outcome.js';
import { RULE_LISTS, type Group, type Policy, type Rule } from './rules.js';
import { ruleKey } from './selectors.js';

export { LINT_CODES, type LintCode, type LintContext, type LintFinding } from './lint-codes.js';

const q = quote; // short alias: messages here quote many values

// ---------------------------------------------------------------- policies

function everyoneIndex(policy: Policy, view: GroupView): number {
  return policy.include.findIndex((r) => view.isEveryone(r));
}

function viaGroup(rule: Rule, view: GroupView): string {
  return rule.kind === 'everyone' ? 'everyone' : `${view.describe(rule)}, which matches everyone`;
}

function excludeNote(policy: Policy): string {
  const n = policy.exclude.length;
  return n === 0 ? '' : ` (only its ${n} exclude rule${n === 1 ? '' : 's'} hold${n === 1 ? 's' : ''} anyone back)`;
}

/** `setGrants`: for a policy linted within a set, whether some policy of the set grants access. */
function lintPolicyWith(policy: Policy, ctx: LintContext, base: string, view: GroupView, setGrants?: boolean): LintFinding[] {
  const out: LintFinding[] = [];
  const d = policy.decision;

  // Everyone without a require narrowing it.
  const ei = everyoneIndex(policy, view);
  if (ei >= 0 && policy.require.length === 0) {
    const rule = policy.include[ei];
    const pointer = joinPointer(base, 'include', ei);
    const who = viaGroup(rule, view);
    if (d === 'allow') {
      out.push({
        code: 'allow_everyone',
        pointer,
        message: `This allow policy includes ${who} and has no require rule, so anybody who can log in through any of your identity providers gets in${excludeNote(policy)}. Include specific users, groups or email domains instead, or add a require rule.`,
      });
    } else if (d === 'bypass') {
      out.push({
        code: 'bypass_everyone',
        pointer,
        message: `This bypass policy includes ${who} and has no require rule, so Access is switched off for the application: every request gets in without a login${excludeNote(policy)}. Limit the bypass to specific IP ranges or countries, or use decision "allow".`,
      });
    } else if (d === 'non_identity') {
      out.push({
        code: 'service_auth_everyone',
        pointer,
        message: `This Service Auth (non_identity) policy includes ${who} and has no require rule, so every request gets in without a login, as with a bypass${excludeNote(policy)}. Include the service tokens or certificates that should get in instead.`,
      });
    }
  }

  // allow_only_otp
  if (d === 'allow' && policy.require.length === 0 && ctx.identityProviderType !== undefined && policy.include.length > 0) {
    const typeOf = ctx.identityProviderType;
    const idps: string[] = [];
    const onlyOtp = policy.include.every((r) => {
      if (r.kind !== 'login_method' || typeOf(r.idpId) !== 'onetimepin') return false;
      if (!idps.includes(r.idpId)) idps.push(r.idpId);
      return true;
    });
    if (onlyOtp) {
      out.push({
        code: 'allow_only_otp',
        pointer: joinPointer(base, 'include'),
        message: `Every include rule is a login method of a one-time PIN identity provider (${idps.join(', ')}), so anybody who can receive email at any address can log in and passes this policy. Include specific emails or email domains instead, or add a require rule that narrows who may pass.`,
      });
    }
  }

  // service_token_in_allow
  if (d === 'allow') {
    for (const list of ['include', 'require'] as const) {
      policy[list].forEach((r, i) => {
        if (r.kind !== 'service_token' && r.kind !== 'any_valid_service_token') return;
        out.push({
          code: 'service_token_in_allow',
          pointer: joinPointer(base, list, i),
          message: `A ${r.kind} rule (${view.describe(r)}) in an allow policy: allow policies always send the user to log in, so a service token alone never gets in. Move it to a policy with decision "non_identity" (Service Auth).`,
        });
      });
    }
  }

  // identity_selector_in_service_auth
  if (d === 'non_identity') {
    for (const list of RULE_LISTS) {
      policy[list].forEach((r, i) => {
        if (!view.needsIdentity(r)) return;
        const what =
          r.kind === 'group'
            ? `${view.describe(r)} can only match users with a login identity`
            : `"${r.kind}" (${view.describe(r)}) tests the user's identity`;
        const effect =
          list === 'include'
            ? 'this include rule never matches'
            : list === 'require'
              ? 'this require rule never holds and the policy can never match'
              : 'this exclude rule never takes effect';
        out.push({
          code: 'identity_selector_in_service_auth',
          pointer: joinPointer(base, list, i),
          message: `${what}, but a Service Auth (non_identity) policy runs without a login, so ${effect}. Use decision "allow" for identity rules, or test service tokens, certificates or IP ranges here.`,
        });
      });
    }
  }

  // deny_exclude_does_not_grant (in a set, only when no policy of the set grants access)
  if (d === 'deny' && policy.exclude.length > 0 && setGrants !== true) {
    const n = policy.exclude.length;
    const advice =
      setGrants === false
        ? 'No policy in this set grants access, so the excluded users are still blocked (deny by default). Add an allow policy for them.'
        : 'Make sure an allow policy lets them in.';
    out.push({
      code: 'deny_exclude_does_not_grant',
      pointer: joinPointer(base, 'exclude'),
      message: `This block (deny) policy has ${n} exclude rule${n === 1 ? '' : 's'} (${policy.exclude.map((r) => view.describe(r)).join('; ')}). Exclude only stops the block from matching those users; it never grants them access. ${advice}`,
    });
  }

  // approval_groups_without_approval_required
  const groups = policy.settings.approval_groups;
  if (groups !== undefined && groups.length > 0 && policy.settings.approval_required !== true) {
    const state = policy.settings.approval_required === false ? 'is false' : 'is not set';
    out.push({
      code: 'approval_groups_without_approval_required',
      pointer: joinPointer(base, 'approval_groups'),
      message: `approval_groups lists ${groups.length} approval group${groups.length === 1 ? '' : 's'}, but approval_required ${state}, so no approval is ever asked for. Set approval_required to true, or remove approval_groups.`,
    });
  }

  // session_duration_zero
  const sd = policy.settings.session_duration;
  if (typeof sd === 'string' && parseGoDuration(sd)?.ns === 0) {
    out.push({
      code: 'session_duration_zero',
      pointer: joinPointer(base, 'session_duration'),
      message: `session_duration ${q(sd)} makes every session expire at once, so users must log in again on every request. Use a positive duration such as "24h", or leave it out for the default.`,
    });
  }

  // isolation_not_provided
  if (policy.decision === 'allow' && policy.settings.isolation_required === true) {
    out.push({
      code: 'isolation_not_provided',
      pointer: joinPointer(base, 'isolation_required'),
      message: 'isolation_required asks for Browser Isolation, which portcullis does not provide: its enforcement point refuses the users this policy lets in (403), while the policy tester and what-if still count them approved. Turn it off, or keep this policy away from applications portcullis enforces.',
    });
  }

  lintRuleSet(policy, base, 'policy', view, out);
  return out;
}

/** Lint one validated policy. Pointers are relative to `pointer` (default ""). */
export function lintPolicy(policy: Policy, ctx: LintContext = {}, pointer = ''): LintFinding[] {
  return lintPolicyWith(policy, ctx, pointer, new GroupView(ctx.group));
}

/** Lint one validated Access group. Pointers are relative to `pointer` (default ""). */
export function lintGroup(group: Group, ctx: LintContext = {}, pointer = ''): LintFinding[] {
  const out: LintFinding[] = [];
  lintRuleSet(group, pointer, 'group', new GroupView(ctx.group), out);
  return out;
}

// ---------------------------------------------------------------- policy sets

function policyLabel(policy: Policy, pointer: string): string {
  return `${DECISION_WORDS[policy.decision]} policy ${q(policy.name)} (${pointer})`;
}


function policyKey(policy: Policy): string {
  const list = (rules: readonly Rule[]): string[] => [...new Set(rules.map(ruleKey))].sort();
  return JSON.stringify([policy.decision, list(policy.include), list(policy.require), list(policy.exclude)]);
}

/**
 * Lint an ordered list of policies (an application's, by precedence, or a policy test's): every
 * policy's own findings (pointers `<pointer>/<index>/...`) followed by the set-level findings
 * `unreachable_policy` and `duplicate_policy`. `deny_exclude_does_not_grant` is reported only
 * when no policy of the set can grant access.
 */
export function lintPolicySet(policies: readonly Policy[], ctx: LintContext = {}, pointer = '/policies'): LintFinding[] {
  const view = new GroupView(ctx.group);
  const at = (i: number): string => joinPointer(pointer, i);
  const anyGrant = policies.some((p) => p.decision !== 'deny');
  const out: LintFinding[] = [];

  policies.forEach((policy, i) => out.push(...lintPolicyWith(policy, ctx, at(i), view, anyGrant)));

  // unreachable_policy: after a policy matching everyone, nothing later in execution order decides.
  const order = executionOrder(policies.map((p) => p.decision));
  let blocker: number | undefined;
  for (const i of order) {
    const p = policies[i];
    if (blocker !== undefined) {
      const b = policies[blocker];
      const crossPhase = isFirstPhase(b.decision) && !isFirstPhase(p.decision);
      const everyoneNote = 'matches everyone (it includes everyone with no require or exclude)';
      const message = crossPhase
        ? `${capitalize(policyLabel(p, at(i)))} can never decide: ${policyLabel(b, at(blocker))} ${everyoneNote}, and bypass and Service Auth policies run before all allow and block policies; the first that matches grants access. Narrow that policy.`
        : `${capitalize(policyLabel(p, at(i)))} can never decide: ${policyLabel(b, at(blocker))} runs earlier and ${everyoneNote}, and the first ${isFirstPhase(b.decision) ? 'bypass or Service Auth policy that matches grants access' : 'allow or block policy that matches decides'}. Move this policy above it, or narrow that policy.`;
      out.push({ code: 'unreachable_policy', pointer: at(i), message });
      continue;
    }
    if (p.require.length === 0 && p.exclude.length === 0 && everyoneIndex(p, view) >= 0) blocker = i;
  }

  // duplicate_policy
  const seen = new Map<string, number>();
  policies.forEach((p, i) => {
    const key = policyKey(p);
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, i);
      return;
    }
    out.push({
      code: 'duplicate_policy',
      pointer: at(i),
      message: `Policy ${q(p.name)} (${at(i)}) has the same decision (${p.decision}) and the same rules as policy ${q(policies[first].name)} (${at(first)}), which runs earlier, so it can never decide. Remove one of them.`,
    });
  });

  return out;
}
