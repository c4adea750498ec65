// A policy's settings besides its rules: session, approvals, justification, isolation, MFA
// and RDP clipboard, each bound to its pointer in the policy body.

import { useApp } from '../app-context.js';
import { CheckboxField, ChoiceSet, Section, TextField } from '../components/fields.js';
import { FieldNotes, fieldId, notesId, useNotes } from '../components/notes.js';
import { useReferenceProblem } from '../components/reference-problem.js';
import { newKey, type ApprovalGroupDraft, type PolicyDraft } from './model.js';

const AUTHENTICATORS = ['totp', 'biometrics', 'security_key'] as const;
const CLIPBOARD = ['text', 'file'] as const;

function ApprovalGroup({ group, index, onChange, onRemove }: { group: ApprovalGroupDraft; index: number; onChange: (g: ApprovalGroupDraft) => void; onRemove: () => void }) {
  const { references } = useApp();
  const pointer = `/approval_groups/${index}`;
  const listPointer = `${pointer}/email_list_uuid`;
  const listNotes = useNotes(listPointer);
  const emailLists = references.list.filter((l) => l.type === 'EMAIL');
  const problem = useReferenceProblem('list');
  return (
    <li class="approval-group" aria-label={`Approval group ${index + 1}`}>
      <TextField label="Approvals needed" pointer={`${pointer}/approvals_needed`} value={group.approvals_needed} onInput={(v) => onChange({ ...group, approvals_needed: v })} />
      <TextField label="Approver emails (one a line)" multiline pointer={`${pointer}/email_addresses`} value={group.email_addresses} onInput={(v) => onChange({ ...group, email_addresses: v })} />
      <div class="field">
        <label for={fieldId(listPointer)}>Approvers from an email list (optional)</label>
        <select id={fieldId(listPointer)} data-pointer={listPointer} value={group.email_list_uuid} aria-describedby={listNotes.length > 0 ? notesId(listPointer) : undefined} onChange={(e) => onChange({ ...group, email_list_uuid: e.currentTarget.value })}>
          <option value="">None</option>
          {emailLists.map((l) => (
            <option key={l.id} value={l.id}>
              {l.name}
            </option>
          ))}
        </select>
        {problem !== undefined && <p class="hint reference-problem">{problem}</p>}
        <FieldNotes id={notesId(listPointer)} notes={listNotes} />
      </div>
      <button type="button" class="remove" onClick={onRemove}>
        Remove approval group {index + 1}
      </button>
    </li>
  );
}

export function PolicySettings({ draft, onChange }: { draft: PolicyDraft; onChange: (draft: PolicyDraft) => void }) {
  const set = <K extends keyof PolicyDraft>(key: K, value: PolicyDraft[K]): void => onChange({ ...draft, [key]: value });
  return (
    <div class="settings">
      <Section title="Session">
        <TextField label="Session duration" pointer="/session_duration" hint='A Go duration such as "30m", "24h" or "2h45m".' value={draft.session_duration} onInput={(v) => set('session_duration', v)} />
        <CheckboxField label="Isolate the application (Browser Isolation)" pointer="/isolation_required" checked={draft.isolation_required} onChange={(v) => set('isolation_required', v)} />
      </Section>
      <Section title="Approvals and justification">
        <CheckboxField label="Require approval for each session" pointer="/approval_required" checked={draft.approval_required} onChange={(v) => set('approval_required', v)} />
        {draft.approval_groups.length > 0 && (
          <ol class="approval-groups">
            {draft.approval_groups.map((g, i) => (
              <ApprovalGroup
                key={g.key}
                group={g}
                index={i}
                onChange={(next) => set('approval_groups', draft.approval_groups.map((x) => (x.key === g.key ? next : x)))}
                onRemove={() => set('approval_groups', draft.approval_groups.filter((x) => x.key !== g.key))}
              />
            ))}
          </ol>
        )}
        <button type="button" onClick={() => set('approval_groups', [...draft.approval_groups, { key: newKey(), approvals_needed: '1', email_addresses: '', email_list_uuid: '' }])}>
          Add approval group
        </button>
        <CheckboxField label="Ask users for a purpose justification" pointer="/purpose_justification_required" checked={draft.purpose_justification_required} onChange={(v) => set('purpose_justification_required', v)} />
        {/* An access request always asks for a justification, so the prompt counts with either. */}
        {(draft.purpose_justification_required || draft.approval_required) && (
          <TextField label="Justification prompt" pointer="/purpose_justification_prompt" hint="Shown at sign-in; an access request (approval) asks for a justification too." value={draft.purpose_justification_prompt} onInput={(v) => set('purpose_justification_prompt', v)} />
        )}
      </Section>
      <Section title="Multi-factor authentication">
        <CheckboxField label="Set MFA options for this policy" pointer="/mfa_config" checked={draft.mfa_configured} onChange={(v) => set('mfa_configured', v)} />
        {draft.mfa_configured && (
          <>
            <CheckboxField label="Turn MFA off for this policy" pointer="/mfa_config/mfa_disabled" checked={draft.mfa_disabled} onChange={(v) => set('mfa_disabled', v)} />
            <ChoiceSet label="Allowed authenticators" pointer="/mfa_config/allowed_authenticators" options={AUTHENTICATORS} chosen={draft.mfa_allowed_authenticators} onChange={(v) => set('mfa_allowed_authenticators', v)} />
            <TextField label="MFA session duration" pointer="/mfa_config/session_duration" hint="In m or h, from 0m to 720h." value={draft.mfa_session_duration} onInput={(v) => set('mfa_session_duration', v)} />
          </>
        )}
      </Section>
      <Section title="RDP clipboard">
        <ChoiceSet label="Local to remote" pointer="/connection_rules/rdp/allowed_clipboard_local_to_remote_formats" options={CLIPBOARD} chosen={draft.rdp_local_to_remote} onChange={(v) => set('rdp_local_to_remote', v)} />
        <ChoiceSet label="Remote to local" pointer="/connection_rules/rdp/allowed_clipboard_remote_to_local_formats" options={CLIPBOARD} chosen={draft.rdp_remote_to_local} onChange={(v) => set('rdp_remote_to_local', v)} />
      </Section>
    </div>
  );
}
