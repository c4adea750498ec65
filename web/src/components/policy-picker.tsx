// Choosing the policies a test or a what-if runs: saved policies (in the account's order) and
// the rule builder's draft, which stands in for the saved policy it edits.

import type { Policy, PolicyTestStart } from '../api/operations.js';
import { policyToWire, type PolicyDraft } from '../rules/model.js';
import { DecisionBadge } from './common.js';

/** A policy as a test or what-if takes it: a saved policy's id, or a whole policy. */
type PolicyEntry = PolicyTestStart['policies'][number];

export interface PolicyChoice {
  readonly saved: readonly string[];
  readonly useDraft: boolean;
}

export interface ChosenPolicies {
  /** What to run, in order. */
  readonly entries: PolicyEntry[];
  /** The saved versions of the same policies (the draft's saved original, if any): the baseline. */
  readonly baseline: PolicyEntry[];
}

export function chosenPolicies(policies: readonly Policy[], choice: PolicyChoice, draft: PolicyDraft | undefined): ChosenPolicies {
  const exists = new Set(policies.map((p) => p.id));
  const draftInUse = choice.useDraft && draft !== undefined;
  const saved = choice.saved.filter((id) => exists.has(id));
  const entries: PolicyEntry[] = saved.map((id) => (draftInUse && draft.id === id ? policyToWire(draft) : id));
  const baseline: PolicyEntry[] = [...saved];
  if (draftInUse && (draft.id === undefined || !saved.includes(draft.id))) {
    entries.push(policyToWire(draft));
    if (draft.id !== undefined && exists.has(draft.id)) baseline.push(draft.id);
  }
  return { entries, baseline };
}

export function PolicyPicker({ policies, choice, draft, onChange, legend }: { policies: readonly Policy[]; choice: PolicyChoice; draft: PolicyDraft | undefined; onChange: (choice: PolicyChoice) => void; legend: string }) {
  const toggle = (id: string, on: boolean): void => onChange({ ...choice, saved: on ? [...choice.saved, id] : choice.saved.filter((s) => s !== id) });
  return (
    <fieldset class="policy-picker panel">
      <legend>{legend}</legend>
      <p class="hint">They run in the order you tick them (the draft last unless it replaces a ticked policy); Bypass and Service Auth policies go first, then the first Allow or Block that matches decides.</p>
      {draft !== undefined && (
        <label class="inline draft-choice">
          <input type="checkbox" checked={choice.useDraft} onChange={(e) => onChange({ ...choice, useDraft: e.currentTarget.checked })} />
          The draft from the rule builder: <strong>{draft.name || '(unnamed)'}</strong>
          {draft.id !== undefined ? ' (instead of its saved version)' : ' (new)'}
        </label>
      )}
      {policies.length === 0 && <p class="empty">No saved policies yet.</p>}
      <ul class="choices-list">
        {policies.map((p) => {
          const position = choice.saved.indexOf(p.id);
          const replaced = position >= 0 && choice.useDraft && draft?.id === p.id;
          return (
            <li key={p.id}>
              <label class="inline">
                <input type="checkbox" checked={position >= 0} onChange={(e) => toggle(p.id, e.currentTarget.checked)} />
                {p.name} <DecisionBadge decision={p.decision} />
                {position >= 0 && <span class="order">#{position + 1}</span>}
                {replaced && <span class="hint"> replaced by the draft</span>}
              </label>
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}
