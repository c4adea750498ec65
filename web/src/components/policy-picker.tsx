// Choosing the policies a test or a what-if runs: saved policies (in the account's order) and
// the rule builder's draft, which stands in for the saved policy it edits; or, for a test, one
// application's whole policy set by precedence, with the draft in place of its saved version (or
// inserted at the precedence chosen for it), so that a compare compares whole sets.

import type { App, AppPolicy, Policy, PolicyTestStart } from '../api/operations.js';
import { policyDraftFromWire, policyToWire, type PolicyDraft } from '../rules/model.js';
import { DecisionBadge } from './common.js';

/** A policy as a test or what-if takes it: a saved policy's id, or a whole policy. */
type PolicyEntry = PolicyTestStart['policies'][number];

export interface PolicyChoice {
  readonly saved: readonly string[];
  readonly useDraft: boolean;
  /** An application whose whole policy set, by precedence, runs instead of the ticked policies. */
  readonly app?: string;
  /** The precedence (1 = first) of a draft that is not in the application's set; last when unset. */
  readonly draftPrecedence?: number;
}

/** An application's policies in the order they run. */
const byPrecedence = (app: App): AppPolicy[] => [...app.policies].sort((a, b) => a.precedence - b.precedence);

/** How a test names an application's policy: a reusable one by id, one of its own whole (the test API reads reusable policies only). */
const entryOf = (policy: AppPolicy): PolicyEntry => (policy.reusable ? policy.id : policyToWire(policyDraftFromWire(policy)));

/** The applications that use a saved policy. */
export const appsUsing = (apps: readonly App[], policyId: string | undefined): App[] => (policyId === undefined ? [] : apps.filter((a) => a.policies.some((p) => p.id === policyId)));

export interface ChosenPolicies {
  /** What to run, in order. */
  readonly entries: PolicyEntry[];
  /** The saved versions of the same policies (the draft's saved original, if any): the baseline. */
  readonly baseline: PolicyEntry[];
}

export function chosenPolicies(policies: readonly Policy[], choice: PolicyChoice, draft: PolicyDraft | undefined, apps: readonly App[] = []): ChosenPolicies {
  const draftInUse = choice.useDraft && draft !== undefined;
  const app = choice.app === undefined ? undefined : apps.find((a) => a.id === choice.app);
  if (app !== undefined) {
    // The saved set is the baseline; the tested set has the draft in place of its saved version,
    // or at its chosen precedence when the application does not have it.
    const set = byPrecedence(app);
    const baseline = set.map(entryOf);
    const entries = set.map((p, i) => (draftInUse && draft.id === p.id ? policyToWire(draft) : baseline[i]!));
    if (draftInUse && !set.some((p) => p.id === draft.id)) {
      const at = Math.min(Math.max((choice.draftPrecedence ?? set.length + 1) - 1, 0), set.length);
      entries.splice(at, 0, policyToWire(draft));
    }
    return { entries, baseline };
  }
  const exists = new Set(policies.map((p) => p.id));
  const saved = choice.saved.filter((id) => exists.has(id));
  const entries: PolicyEntry[] = saved.map((id) => (draftInUse && draft.id === id ? policyToWire(draft) : id));
  const baseline: PolicyEntry[] = [...saved];
  if (draftInUse && (draft.id === undefined || !saved.includes(draft.id))) {
    entries.push(policyToWire(draft));
    if (draft.id !== undefined && exists.has(draft.id)) baseline.push(draft.id);
  }
  return { entries, baseline };
}

export function PolicyPicker({ policies, choice, draft, onChange, legend, apps }: { policies: readonly Policy[]; choice: PolicyChoice; draft: PolicyDraft | undefined; onChange: (choice: PolicyChoice) => void; legend: string; apps?: readonly App[] }) {
  const toggle = (id: string, on: boolean): void => onChange({ ...choice, saved: on ? [...choice.saved, id] : choice.saved.filter((s) => s !== id) });
  const using = appsUsing(apps ?? [], draft?.id);
  // The applications that use the draft's policy first.
  const appChoices = [...using, ...(apps ?? []).filter((a) => !using.includes(a))];
  const app = choice.app === undefined ? undefined : appChoices.find((a) => a.id === choice.app);
  const chooseApp = (id: string | undefined): void => onChange({ ...choice, app: id, draftPrecedence: undefined });
  return (
    <fieldset class="policy-picker panel">
      <legend>{legend}</legend>
      {appChoices.length > 0 && (
        <div class="policy-source" role="radiogroup" aria-label="What to run">
          <label class="inline">
            <input type="radio" name="policy-source" checked={app === undefined} onChange={() => chooseApp(undefined)} />
            Policies I choose
          </label>
          <label class="inline">
            <input type="radio" name="policy-source" checked={app !== undefined} onChange={() => chooseApp(appChoices[0]!.id)} />
            An application's policies, all of them by precedence
          </label>
        </div>
      )}
      {draft !== undefined && (
        <label class="inline draft-choice">
          <input type="checkbox" checked={choice.useDraft} onChange={(e) => onChange({ ...choice, useDraft: e.currentTarget.checked })} />
          The draft from the rule builder: <strong>{draft.name || '(unnamed)'}</strong>
          {draft.id !== undefined ? ' (instead of its saved version)' : ' (new)'}
        </label>
      )}
      {app !== undefined ? <AppPolicies apps={appChoices} using={using} app={app} choice={choice} draft={draft} onChange={onChange} /> : <ChosenList policies={policies} choice={choice} draft={draft} toggle={toggle} />}
    </fieldset>
  );
}

function ChosenList({ policies, choice, draft, toggle }: { policies: readonly Policy[]; choice: PolicyChoice; draft: PolicyDraft | undefined; toggle: (id: string, on: boolean) => void }) {
  return (
    <>
      <p class="hint">They run in the order you tick them (the draft last unless it replaces a ticked policy); Bypass and Service Auth policies go first, then the first Allow or Block that matches decides.</p>
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
    </>
  );
}

function AppPolicies({ apps, using, app, choice, draft, onChange }: { apps: readonly App[]; using: readonly App[]; app: App; choice: PolicyChoice; draft: PolicyDraft | undefined; onChange: (choice: PolicyChoice) => void }) {
  const set = byPrecedence(app);
  const draftInUse = choice.useDraft && draft !== undefined;
  const inserted = draftInUse && !set.some((p) => p.id === draft.id);
  return (
    <>
      <label class="inline" for="policy-set-app">
        Application
      </label>{' '}
      <select id="policy-set-app" value={app.id} onChange={(e) => onChange({ ...choice, app: e.currentTarget.value, draftPrecedence: undefined })}>
        {apps.map((a) => (
          <option key={a.id} value={a.id}>
            {a.name ?? a.id}
            {using.includes(a) ? ' (uses this policy)' : ''}
          </option>
        ))}
      </select>
      <p class="hint">Its policies run as the application runs them: Bypass and Service Auth first, then the first Allow or Block that matches, by precedence. A compare runs its saved policies as the baseline.</p>
      <ol class="choices-list app-policy-set" aria-label={`Policies of ${app.name ?? app.id}`}>
        {set.map((p) => (
          <li key={p.id}>
            <span class="order">#{p.precedence}</span> {p.name} <DecisionBadge decision={p.decision} />
            {draftInUse && draft.id === p.id && <span class="hint"> replaced by the draft</span>}
          </li>
        ))}
        {set.length === 0 && <li class="empty">This application has no policies.</li>}
      </ol>
      {inserted && (
        <p>
          <label class="inline" for="draft-precedence">
            The draft's precedence in this application
          </label>{' '}
          <input
            id="draft-precedence"
            type="number"
            min={1}
            max={set.length + 1}
            value={choice.draftPrecedence ?? set.length + 1}
            onInput={(e) => onChange({ ...choice, draftPrecedence: Number(e.currentTarget.value) || undefined })}
          />
        </p>
      )}
    </>
  );
}
