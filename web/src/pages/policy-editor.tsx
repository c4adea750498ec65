// Create or edit a reusable policy: name, decision, the rule builder and the settings. The
// server's validation errors and lint warnings land on the fields they point at; the draft
// is shared with the tester and what-if so that it can be tried before it is saved.

import { parsePolicy } from '../../../src/engine/validate.js';
import type { Decision } from '../api/wire.js';
import { useApp } from '../app-context.js';
import { Link, PageTitle } from '../components/common.js';
import { Pending, useDocument } from '../components/document.js';
import { EditorForm } from '../components/editor-form.js';
import { RadioGroup, TextField } from '../components/fields.js';
import { resourceActions } from '../components/resource-actions.js';
import { sameRequest, useSaveState } from '../components/save-state.js';
import { navigate } from '../router.js';
import { newPolicyDraft, policyDraftFromWire, policyToWire, type PolicyDraft } from '../rules/model.js';
import { PolicySettings } from '../rules/policy-settings.js';
import { RuleBuilder } from '../rules/rule-builder.js';

const DECISIONS: readonly { value: Decision; label: string; hint: string }[] = [
  { value: 'allow', label: 'Allow', hint: 'let matching users in after login' },
  { value: 'deny', label: 'Block', hint: 'keep matching users out' },
  { value: 'non_identity', label: 'Service Auth', hint: 'let requests in without a login (service tokens, certificates)' },
  { value: 'bypass', label: 'Bypass', hint: 'switch Access off for matching requests' },
];

export function PolicyEditorPage({ policyId }: { policyId: string | undefined }) {
  const app = useApp();
  const { api, setDraft } = app;
  // Coming back from the tester keeps the edits in progress.
  const kept = app.draft !== undefined && app.draft.id === policyId ? app.draft : undefined;
  const doc = useDocument(policyId, kept ?? (policyId === undefined ? newPolicyDraft() : undefined), async (id) => policyDraftFromWire((await api.policies.get(id)).result), kept !== undefined);
  const save = useSaveState();
  const draft = doc.value;
  const setLocal = doc.set;
  if (draft === undefined) return <Pending error={doc.error} what="the policy" back={{ href: '/policies', label: 'Back to policies' }} />;

  const change = (next: PolicyDraft): void => {
    setLocal(next);
    setDraft(next);
    const check = parsePolicy(policyToWire(next));
    save.recheck(check.ok ? [] : check.issues);
  };

  // A saved or deleted policy is no longer a draft for the tester.
  const actions = resourceActions(save, api.policies, 'Policy', '/policies', () => setDraft(undefined));
  const submit = async (): Promise<void> => {
    const body = policyToWire(draft);
    // Edits kept from the tester have no loaded version here to compare with: those are sent.
    if (draft.id !== undefined && doc.savedValue !== undefined && sameRequest(body, policyToWire(doc.savedValue))) {
      // Nothing to send: a confirmation would claim a save that did not happen. What the form
      // holds is what the server holds, so it is no draft for the tester and no unsaved work.
      doc.saved(draft);
      setDraft(undefined);
      save.unchanged('Nothing to save: the policy has not changed.');
      return;
    }
    const result = await actions.save(draft.id, body);
    if (result !== undefined) doc.saved(policyDraftFromWire(result));
  };

  const tryIn = (path: string): void => {
    setDraft(draft);
    // The draft goes along (and comes back here): nothing is lost.
    navigate(`${path}?draft=1`, { ask: false });
  };

  return (
    <>
      <PageTitle>{draft.id === undefined ? 'New policy' : `Edit policy: ${draft.name}`}</PageTitle>
      <p>
        <Link href="/policies">Back to policies</Link>
      </p>
      <EditorForm
        what="policy"
        save={save}
        dirty={doc.dirty}
        isNew={draft.id === undefined}
        onSubmit={() => void submit()}
        onDelete={() => void actions.remove(draft.id!)}
        actions={
          <>
            <button type="button" onClick={() => tryIn('/tester')}>
              Test this draft
            </button>
            <button type="button" onClick={() => tryIn('/what-if')}>
              What-if with this draft
            </button>
          </>
        }
      >
        <TextField label="Name" pointer="/name" value={draft.name} onInput={(v) => change({ ...draft, name: v })} />
        <RadioGroup label="Decision" pointer="/decision" options={DECISIONS} value={draft.decision} onChange={(v) => change({ ...draft, decision: v })} />
        <h2>Rules</h2>
        <RuleBuilder draft={draft} onChange={change} />
        <h2>Settings</h2>
        <PolicySettings draft={draft} onChange={change} />
      </EditorForm>
    </>
  );
}
