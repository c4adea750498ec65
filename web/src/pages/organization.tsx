// The account's Zero Trust organization (Cloudflare's access/organizations: its name, the auth
// domain where users sign in, session lengths) and the keys that sign application tokens
// (access/keys: the rotation interval, the last rotation, and a rotation now). The server's
// validation errors land on the fields they point at, with the summary brought into view.

import { useState } from 'preact/hooks';
import { authDomainUrl } from '../../../src/schema/auth-domain.js';
import type { AccessKeySettings, Organization, OrganizationUpdate } from '../api/operations.js';
import { useApp } from '../app-context.js';
import { ErrorBanner, Loading, PageTitle, useAsync } from '../components/common.js';
import { EditorForm } from '../components/editor-form.js';
import { CheckboxField, TextField } from '../components/fields.js';
import { ConfirmDialog } from '../components/modal.js';
import { useSaveState, type SaveState } from '../components/save-state.js';

const TEXT_FIELDS = ['name', 'auth_domain', 'session_duration', 'user_seat_expiration_inactive_time', 'warp_auth_session_duration', 'ui_read_only_toggle_reason'] as const;
const FLAGS = ['is_ui_read_only', 'auto_redirect_to_identity', 'allow_authenticate_via_warp'] as const;
/** The login page's design (login_design): the fields the sign-in page uses. */
const DESIGN_FIELDS = ['header_text', 'footer_text', 'logo_path', 'background_color', 'text_color'] as const;
type TextKey = (typeof TEXT_FIELDS)[number];
type FlagKey = (typeof FLAGS)[number];
type DesignKey = (typeof DESIGN_FIELDS)[number];
type Form = Record<TextKey, string> & Record<FlagKey, boolean> & { readonly design: Record<DesignKey, string> };

function formOf(org: Organization): Form {
  const form = { design: {} } as Form;
  for (const field of TEXT_FIELDS) form[field] = org[field] ?? '';
  for (const flag of FLAGS) form[flag] = org[flag] ?? false;
  const design = (org.login_design ?? {}) as Record<string, unknown>;
  for (const field of DESIGN_FIELDS) form.design[field] = typeof design[field] === 'string' ? (design[field] as string) : '';
  return form;
}

/** What changed since the organization was read: a PUT keeps the fields it leaves out. */
function changes(form: Form, saved: Form, stored: Organization): OrganizationUpdate {
  const body: Record<string, unknown> = {};
  for (const field of [...TEXT_FIELDS, ...FLAGS]) if (form[field] !== saved[field]) body[field] = form[field];
  if (DESIGN_FIELDS.some((field) => form.design[field] !== saved.design[field])) {
    // The design's other fields (ones this page does not show) are kept; an emptied field is removed.
    const design: Record<string, unknown> = { ...((stored.login_design ?? {}) as Record<string, unknown>) };
    for (const field of DESIGN_FIELDS) {
      if (form.design[field].trim() === '') delete design[field];
      else design[field] = form.design[field].trim();
    }
    body.login_design = design;
  }
  return body as OrganizationUpdate;
}

/** Drop the errors at `pointer` once the user edits that field; the others stay. */
function editedField(save: SaveState, pointer: string): void {
  save.recheck(save.notes.filter((n) => n.severity === 'error' && n.pointer !== pointer));
}

const formatTime = (iso: string): string => iso.slice(0, 16).replace('T', ' ') + ' UTC';

function OrganizationForm({ org }: { org: Organization }) {
  const { api } = useApp();
  const [stored, setStored] = useState(org);
  const saved = formOf(stored);
  const [form, setForm] = useState<Form>(saved);
  const save = useSaveState();
  const text = (field: TextKey, label: string, hint?: string) => (
    <TextField
      label={label}
      pointer={`/${field}`}
      {...(hint !== undefined ? { hint } : {})}
      value={form[field]}
      onInput={(v) => {
        setForm({ ...form, [field]: v });
        editedField(save, `/${field}`);
      }}
    />
  );
  const flag = (field: FlagKey, label: string, hint: string) => (
    <CheckboxField
      label={label}
      pointer={`/${field}`}
      hint={hint}
      checked={form[field]}
      onChange={(v) => {
        setForm({ ...form, [field]: v });
        editedField(save, `/${field}`);
      }}
    />
  );
  const designField = (field: DesignKey, label: string) => (
    <TextField
      label={label}
      pointer={`/login_design/${field}`}
      value={form.design[field]}
      onInput={(v) => {
        setForm({ ...form, design: { ...form.design, [field]: v } });
        editedField(save, `/login_design/${field}`);
      }}
    />
  );
  const submit = async (): Promise<void> => {
    const body = changes(form, saved, stored);
    // Nothing to send: saving the defaults unchanged would pin them (the auth domain would stop following the server's).
    const result = await save.save(() => (Object.keys(body).length === 0 ? Promise.resolve({ result: stored, messages: [] }) : api.organization.update(body)), 'Organization saved.');
    if (result === undefined) return;
    setStored(result);
    setForm(formOf(result));
  };
  const issuer = form.auth_domain.trim() === '' ? undefined : authDomainUrl(form.auth_domain);
  return (
    <EditorForm what="organization" save={save} dirty={Object.keys(changes(form, saved, stored)).length > 0} isNew={false} onSubmit={() => void submit()}>
      {stored.created_at === undefined && <p class="banner banner-info">No organization has been saved yet: these are the defaults (the account name, and this server as the auth domain).</p>}
      <div class="grid">
        {text('name', 'Name', 'Shown on sign-in pages.')}
        {text('auth_domain', 'Auth domain', 'This server as users reach it: a host (https) or a URL.')}
      </div>
      {issuer !== undefined && (
        <p class="hint" data-testid="issuer">
          Users sign in at <code>{issuer}</code>; application tokens name it as their issuer, and applications check them against <code>{issuer}/cdn-cgi/access/certs</code>. The App Launcher is at{' '}
          <code data-testid="launcher-url">{issuer}/cdn-cgi/access/launcher</code> once an application of type <code>app_launcher</code> says who may use it.
        </p>
      )}
      <div class="grid">
        {text('session_duration', 'Session duration', 'How long a sign-in lasts: the global session on the auth domain, and the session of applications that set none, as a Go duration (30m, 24h).')}
        {text('user_seat_expiration_inactive_time', 'Seat expiration after inactivity', 'A Go duration such as 730h. Kept for compatibility: portcullis does not expire seats.')}
        {text('warp_auth_session_duration', 'WARP session duration', 'A Go duration. Kept for compatibility: portcullis has no WARP client.')}
      </div>
      {flag('is_ui_read_only', 'Manage through the API only (read-only dashboard)', 'Kept for compatibility: this dashboard does not lock itself.')}
      {form.is_ui_read_only && text('ui_read_only_toggle_reason', 'Why the dashboard is read-only')}
      {flag('auto_redirect_to_identity', 'Skip the identity provider selection page', 'With one identity provider to offer, the sign-in goes straight to it, for every application (an application can also ask for this itself).')}
      <fieldset class="panel">
        <legend>Sign-in page design</legend>
        <p class="hint">The page users sign in on shows the organization's name and these. Colours are #rgb to #rrggbbaa or a colour name; the logo must be an https address.</p>
        <div class="grid">
          {designField('header_text', 'Header text')}
          {designField('footer_text', 'Footer text')}
          {designField('logo_path', 'Logo address')}
          {designField('background_color', 'Background colour')}
          {designField('text_color', 'Text colour')}
        </div>
      </fieldset>
      {flag('allow_authenticate_via_warp', 'Allow authentication through WARP', 'Kept for compatibility: portcullis has no WARP client.')}
    </EditorForm>
  );
}

function SigningKeys() {
  const { api } = useApp();
  const loaded = useAsync(async () => (await api.signingKeys.get()).result, []);
  const [settings, setSettings] = useState<AccessKeySettings | undefined>(undefined);
  const [typedDays, setTypedDays] = useState<string | undefined>(undefined);
  const [confirming, setConfirming] = useState(false);
  const save = useSaveState();
  const shown = settings ?? loaded.data;
  if (shown === undefined) return loaded.error !== undefined ? <ErrorBanner error={loaded.error} title="The key settings could not be loaded" /> : <Loading what="the key settings" />;
  const days = typedDays ?? String(shown.key_rotation_interval_days);

  const submit = async (): Promise<void> => {
    if (!/^\d+$/.test(days.trim())) return save.refuse([{ pointer: '/key_rotation_interval_days', message: `"${days}" is not a whole number of days (21 to 365).` }]);
    const result = await save.save(() => api.signingKeys.update({ key_rotation_interval_days: Number(days.trim()) }), 'Rotation interval saved.');
    if (result === undefined) return;
    setSettings(result);
    setTypedDays(undefined);
  };
  const rotate = async (): Promise<void> => {
    setConfirming(false);
    const result = await save.save(() => api.signingKeys.rotate(), 'A new key signs from now on.');
    if (result !== undefined) setSettings(result);
  };

  return (
    <>
      <dl class="facts" aria-label="Signing key">
        <div>
          <dt>Key signing now made</dt>
          <dd data-testid="last-rotation">{formatTime(shown.last_key_rotation_at)}</dd>
        </div>
        <div>
          <dt>Next rotation</dt>
          <dd>{shown.days_until_next_rotation === 0 ? 'at its next use' : `in ${shown.days_until_next_rotation} day${shown.days_until_next_rotation === 1 ? '' : 's'}`}</dd>
        </div>
      </dl>
      <EditorForm
        what="rotation interval"
        save={save}
        dirty={days.trim() !== String(shown.key_rotation_interval_days)}
        isNew={false}
        onSubmit={() => void submit()}
        actions={
          <button type="button" onClick={() => setConfirming(true)}>
            Rotate now
          </button>
        }
      >
        <TextField
          label="Rotation interval (days)"
          pointer="/key_rotation_interval_days"
          hint="21 to 365 days. A key older than this is replaced at its next use."
          value={days}
          onInput={(v) => {
            setTypedDays(v);
            editedField(save, '/key_rotation_interval_days');
          }}
        />
      </EditorForm>
      {confirming && (
        <ConfirmDialog
          title="Rotate the signing key now?"
          message="A new key signs application tokens from now on. The previous key stays published at /cdn-cgi/access/certs for 31 days, so the tokens it signed stay valid until they expire."
          confirmLabel="Rotate"
          onConfirm={() => void rotate()}
          onClose={() => setConfirming(false)}
        />
      )}
    </>
  );
}

export function OrganizationPage() {
  const { api } = useApp();
  const org = useAsync(async () => (await api.organization.get()).result, []);
  return (
    <>
      <PageTitle>Organization settings</PageTitle>
      <p class="lead">The account's Zero Trust organization: where users sign in and how long their sessions last.</p>
      {org.data === undefined ? (
        org.error !== undefined ? <ErrorBanner error={org.error} title="The organization could not be loaded" /> : <Loading what="the organization" />
      ) : (
        <OrganizationForm org={org.data} />
      )}
      <h2>Signing keys</h2>
      <p class="hint">Application tokens are signed with the account's key; applications fetch the public keys from the auth domain's /cdn-cgi/access/certs.</p>
      <SigningKeys />
    </>
  );
}
