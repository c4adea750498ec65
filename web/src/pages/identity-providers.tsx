// Identity providers: the logins that login_method and IdP-scoped rules (Okta, Azure AD,
// Google Workspace, GitHub, SAML, OIDC groups) name. Each type's form is drawn from the API's own
// schema of its config (IDENTITY_PROVIDER_FIELDS, generated from src/schema/identity-providers.ts);
// fields that table does not list stay editable as JSON. docs/identity-providers.md "In the dashboard".

import { useState } from 'preact/hooks';
import { mayLeave } from '../router.js';
import { IDENTITY_PROVIDER_FIELDS, SCIM_CONFIG_FIELDS, SIGN_IN_TYPES, type IdentityProvider, type IdentityProviderField, type IdentityProviderRequest } from '../api/operations.js';
import { authDomainUrl } from '../../../src/schema/auth-domain.js';
import { isObject } from '../../../src/engine/is-object.js';
import { useApp } from '../app-context.js';
import { PageTitle, useAsync } from '../components/common.js';
import { CopyButton } from '../components/copy-button.js';
import { TableView } from '../components/table.js';
import { EditorForm } from '../components/editor-form.js';
import { CheckboxField, Section, SelectField, TextField } from '../components/fields.js';
import { FieldNotes, fieldId, notesId, useNotes } from '../components/notes.js';
import { resourceActions } from '../components/resource-actions.js';
import { sameRequest, useSaveState } from '../components/save-state.js';

type IdpType = IdentityProvider['type'];
const IDP_TYPES = Object.keys(IDENTITY_PROVIDER_FIELDS) as IdpType[];

/** A field as the form holds it: text (a list is one entry a line, pairs are JSON) or a checkbox. */
type FieldValue = string | boolean;

/** What the server may add to scim_config in its answers: the secret (once, on a write) and where to push. */
interface ScimAnswer {
  readonly secret?: unknown;
  readonly scim_base_url?: unknown;
}

interface IdpDraft {
  readonly id: string | undefined;
  readonly name: string;
  readonly type: IdpType;
  readonly config: Readonly<Record<string, FieldValue>>;
  /** The config fields the table does not list, as JSON. */
  readonly other: string;
  readonly scim: Readonly<Record<string, FieldValue>>;
  /** scim_config as last read, for what the form does not edit (scim_base_url). */
  readonly scimRead: ScimAnswer;
}

/** SCIM settings the form edits: not the secret the server makes, nor its read-only address. */
const SCIM_FIELDS = SCIM_CONFIG_FIELDS.filter((f) => f.kind !== 'secret' && f.name !== 'secret' && f.name !== 'scim_base_url');

const fieldsOf = (type: IdpType): readonly IdentityProviderField[] => IDENTITY_PROVIDER_FIELDS[type];

/** A stored value as its field shows it; a secret is never shown (empty: keep the stored one). */
function shown(field: IdentityProviderField, value: unknown): FieldValue {
  switch (field.kind) {
    case 'boolean':
      return typeof value === 'boolean' ? value : (field.default ?? false);
    case 'secret':
      return '';
    case 'lines':
      return Array.isArray(value) ? value.map(String).join('\n') : '';
    case 'pairs':
    case 'json':
      return value === undefined ? '' : JSON.stringify(value, null, 2);
    default:
      return typeof value === 'string' ? value : value === undefined ? '' : String(value);
  }
}

/** The entries of a one-per-line list; a PEM block (a certificate) is one entry however many lines it takes. */
function entries(text: string): string[] {
  const out: string[] = [];
  let pem: string[] | undefined;
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (pem !== undefined) {
      pem.push(line);
      if (line.startsWith('-----END')) {
        out.push(pem.join('\n'));
        pem = undefined;
      }
    } else if (line.startsWith('-----BEGIN')) pem = [line];
    else if (line !== '') out.push(line);
  }
  if (pem !== undefined) out.push(pem.join('\n'));
  return out;
}

function formValues(fields: readonly IdentityProviderField[], stored: Readonly<Record<string, unknown>>): Record<string, FieldValue> {
  return Object.fromEntries(fields.map((f) => [f.name, shown(f, stored[f.name])]));
}

function blank(type: IdpType): IdpDraft {
  return { id: undefined, name: '', type, config: formValues(fieldsOf(type), {}), other: '', scim: formValues(SCIM_FIELDS, {}), scimRead: {} };
}

function draftOf(idp: IdentityProvider): IdpDraft {
  const config = idp.config as Record<string, unknown>;
  const listed = new Set(fieldsOf(idp.type).map((f) => f.name));
  const other = Object.fromEntries(Object.entries(config).filter(([k]) => !listed.has(k)));
  const scim = (idp.scim_config ?? {}) as Record<string, unknown>;
  return {
    id: idp.id,
    name: idp.name,
    type: idp.type,
    config: formValues(fieldsOf(idp.type), config),
    other: Object.keys(other).length === 0 ? '' : JSON.stringify(other, null, 2),
    scim: formValues(SCIM_FIELDS, scim),
    scimRead: scim,
  };
}

interface Issue {
  readonly pointer: string;
  readonly message: string;
}

/**
 * The object the fields make, or the problems found before sending. A boolean is sent when it
 * differs from its default or was stored; an empty text is left out (for a secret: keep it).
 */
function objectOf(fields: readonly IdentityProviderField[], values: Readonly<Record<string, FieldValue>>, stored: Readonly<Record<string, unknown>>, base: string, issues: Issue[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = values[field.name];
    if (typeof value === 'boolean') {
      if (value !== (field.kind === 'boolean' ? (field.default ?? false) : false) || field.name in stored) out[field.name] = value;
      continue;
    }
    const text = (value ?? '').trim();
    if (text === '') continue;
    if (field.kind === 'lines') out[field.name] = entries(text);
    else if (field.kind === 'pairs' || field.kind === 'json') {
      try {
        out[field.name] = JSON.parse(text) as unknown;
      } catch (err) {
        issues.push({ pointer: `${base}/${field.name}`, message: `Not valid JSON: ${(err as Error).message}` });
      }
    } else out[field.name] = text;
  }
  return out;
}

function requestOf(draft: IdpDraft, stored: IdentityProvider | undefined): { body?: IdentityProviderRequest; issues: Issue[] } {
  const issues: Issue[] = [];
  const fields = fieldsOf(draft.type);
  const storedConfig = stored?.type === draft.type ? (stored.config as Record<string, unknown>) : {};
  let other: Record<string, unknown> = {};
  if (draft.other.trim() !== '') {
    try {
      const parsed = JSON.parse(draft.other) as unknown;
      if (!isObject(parsed)) issues.push({ pointer: '/config', message: 'Other settings must be a JSON object, such as {"name": "value"}.' });
      else other = parsed;
    } catch (err) {
      issues.push({ pointer: '/config', message: `Other settings are not valid JSON: ${(err as Error).message}` });
    }
  }
  const twice = fields.filter((f) => f.name in other).map((f) => f.name);
  if (twice.length > 0) issues.push({ pointer: '/config', message: `Other settings repeat ${twice.join(', ')}: set ${twice.length === 1 ? 'it in its field' : 'them in their fields'} above.` });
  const config = { ...other, ...objectOf(fields, draft.config, storedConfig, '/config', issues) };
  const scim = objectOf(SCIM_FIELDS, draft.scim, (stored?.scim_config ?? {}) as Record<string, unknown>, '/scim_config', issues);
  if (issues.length > 0) return { issues };
  const body = { name: draft.name, type: draft.type, config, ...(Object.keys(scim).length > 0 ? { scim_config: scim } : {}) } as IdentityProviderRequest;
  return { body, issues };
}

/** What the form calls each config and SCIM field; its API name is shown as hint text below it. */
const LABELS: Readonly<Record<string, string>> = {
  client_id: 'Client ID',
  client_secret: 'Client secret',
  claims: 'Extra claims to read',
  email_claim_name: 'Email claim',
  directory_id: 'Directory (tenant) ID',
  conditional_access_enabled: 'Conditional access',
  support_groups: 'Read group memberships',
  prompt: 'Sign-in prompt',
  issuer_url: 'Issuer',
  sso_target_url: 'Single sign-on URL',
  idp_public_certs: 'Certificates',
  email_attribute_name: 'Email attribute',
  attributes: 'Extra attributes to read',
  header_attributes: 'Attributes sent as headers',
  sign_request: 'Sign authentication requests',
  centrify_account: 'Centrify account URL',
  centrify_app_id: 'Centrify application ID',
  apps_domain: 'Google Workspace domain',
  auth_url: 'Authorization URL',
  token_url: 'Token URL',
  certs_url: 'Signing keys URL (JWKS)',
  scopes: 'Scopes',
  pkce_enabled: 'Use PKCE',
  okta_account: 'Okta account URL',
  authorization_server_id: 'Authorization server ID',
  onelogin_account: 'OneLogin account URL',
  ping_env_id: 'PingOne environment ID',
  enabled: 'SCIM provisioning enabled',
  user_deprovision: 'Deprovision users',
  seat_deprovision: 'Remove seats of deprovisioned users',
  group_member_deprovision: 'Remove users from deprovisioned groups',
  identity_update_behavior: 'On an identity update',
};
/** A field the table above does not know yet: its API name, made readable. */
const readable = (name: string): string => {
  const text = name.replace(/_/g, ' ').replace(/\b(url|id|idp|saml|sso|scim|pkce|jwks)\b/g, (w) => w.toUpperCase());
  return text.charAt(0).toUpperCase() + text.slice(1);
};
const labelOf = (field: IdentityProviderField): string => LABELS[field.name] ?? readable(field.name);

/** The field's API name (what the API, the CLI and Cloudflare's documentation call it), then its own hint. */
function hintOf(field: IdentityProviderField, isNew: boolean): string {
  const hint = ownHintOf(field, isNew);
  return hint === undefined || hint === '' ? `API name: ${field.name}.` : `API name: ${field.name}. ${hint}`;
}

function ownHintOf(field: IdentityProviderField, isNew: boolean): string | undefined {
  const doc = field.description;
  switch (field.kind) {
    case 'secret':
      return isNew ? doc : `${doc ?? ''} Stored, never shown: leave empty to keep it, type a new one to replace it.`.trim();
    case 'lines':
      return `${doc ?? ''} One per line${field.name.includes('cert') ? ' (a PEM certificate may take several)' : ''}.`.trim();
    case 'pairs':
      return `${doc ?? ''} JSON: [{${field.keys.map((k) => `"${k}": "…"`).join(', ')}}].`.trim();
    case 'json':
      return `${doc ?? ''} JSON.`.trim();
    default:
      return doc;
  }
}

/** One config or SCIM field, bound to its pointer so the API's errors show at it. */
function FormField({ field, base, value, isNew, onChange }: { field: IdentityProviderField; base: string; value: FieldValue; isNew: boolean; onChange: (value: FieldValue) => void }) {
  const pointer = `${base}/${field.name}`;
  const label = labelOf(field);
  const hint = hintOf(field, isNew);
  if (field.kind === 'boolean') return <CheckboxField label={label} pointer={pointer} hint={hint} checked={value === true} onChange={onChange} />;
  const text = typeof value === 'string' ? value : '';
  if (field.kind === 'select') {
    const options = [{ value: '', label: '(not set)' }, ...field.options.map((o) => ({ value: o, label: o }))];
    return <SelectField label={label} pointer={pointer} hint={hint} value={text} options={options} onChange={onChange} />;
  }
  const multiline = field.kind === 'lines' || field.kind === 'pairs' || field.kind === 'json';
  return <TextField label={label} pointer={pointer} hint={hint} value={text} multiline={multiline} secret={field.kind === 'secret'} onInput={onChange} />;
}

/** The config fields the table does not list, as JSON; errors at /config itself or at such a field show here. */
function OtherSettings({ value, listed, onInput }: { value: string; listed: readonly string[]; onInput: (value: string) => void }) {
  const notes = useNotes('/config').filter((n) => n.pointer === '/config' || !listed.includes(n.pointer.split('/')[2] ?? ''));
  const id = fieldId('/config');
  return (
    <div class="field">
      <label for={id}>Other settings (JSON)</label>
      <textarea id={id} data-pointer="/config" rows={3} value={value} aria-invalid={notes.some((n) => n.severity === 'error')} aria-describedby={`${id}-hint${notes.length > 0 ? ` ${notesId('/config')}` : ''}`} onInput={(e) => onInput(e.currentTarget.value)} placeholder="{}" />
      <p class="hint" id={`${id}-hint`}>
        Settings this form has no field for, as a JSON object: the server keeps them.
      </p>
      <FieldNotes id={notesId('/config')} notes={notes} />
    </div>
  );
}

/** What the identity provider must be told about this server, and how to try it. */
function ProviderSetup({ idp, type, authDomain }: { idp: string | undefined; type: IdpType; authDomain: string }) {
  const callback = `${authDomain}/cdn-cgi/access/callback`;
  const signsIn = SIGN_IN_TYPES.includes(type);
  return (
    <section class="panel" aria-label="Setting up the identity provider">
      <h3>At the identity provider</h3>
      {!signsIn && <p>This server stores {type} identity providers (rules can name them) but does not sign in with them.</p>}
      {signsIn && type === 'onetimepin' && <p>No outside identity provider: codes are mailed through the SMTP server the portcullis server is started with (PORTCULLIS_SMTP_URL and PORTCULLIS_MAIL_FROM). Without one, this provider is not offered at sign-in.</p>}
      {signsIn && type !== 'onetimepin' && (
        <dl class="setup">
          <dt>{type === 'saml' ? 'Entity id and ACS URL' : 'Redirect URI'}</dt>
          <dd>
            <code>{callback}</code> <CopyButton text={callback} label={type === 'saml' ? 'Copy the ACS URL' : 'Copy the redirect URI'} />
          </dd>
          {type === 'saml' && (
            <>
              <dt>SP metadata URL</dt>
              <dd>{idp === undefined ? 'Shown once the provider is created.' : <code>{`${authDomain}/cdn-cgi/access/${idp}/saml-metadata`}</code>}</dd>
            </>
          )}
        </dl>
      )}
      {signsIn && idp !== undefined && (
        <p>
          <a class="button" href={`${authDomain}/cdn-cgi/access/test-idp/${encodeURIComponent(idp)}`} target="_blank" rel="noopener">
            Test
          </a>{' '}
          signs in with this provider in a new tab and shows the identity it produced (save your changes first).
        </p>
      )}
    </section>
  );
}

/** The SCIM secret of a write's answer: shown this once. */
function ScimSecret({ secret }: { secret: string }) {
  return (
    <section class="summary summary-warning" role="status" aria-label="SCIM secret">
      <h3>SCIM secret</h3>
      <p>
        <code>{secret}</code> <CopyButton text={secret} label="Copy the SCIM secret" />
      </p>
      <p>Give it to the identity provider as the SCIM bearer token now: it will not be shown again.</p>
    </section>
  );
}

export function IdentityProvidersPage() {
  const { api, refreshReferences } = useApp();
  const idps = useAsync(() => api.identityProviders.all(), []);
  // Where people sign in: the organization's auth domain, else this dashboard's own origin.
  const org = useAsync(async () => (await api.organization.get()).result, []);
  const authDomain = org.data?.auth_domain !== undefined && org.data.auth_domain.trim() !== '' ? authDomainUrl(org.data.auth_domain) : location.origin;
  const [draft, setDraft] = useState<IdpDraft>(blank('oidc'));
  const [stored, setStored] = useState<IdentityProvider | undefined>(undefined);
  // The form as opened or last saved: an edit since is unsaved work.
  const [opened, setOpened] = useState<string>(() => JSON.stringify(blank('oidc')));
  const dirty = JSON.stringify(draft) !== opened;
  const [scimSecret, setScimSecret] = useState<string | undefined>(undefined);
  const save = useSaveState();

  const actions = resourceActions(save, api.identityProviders, 'Identity provider', undefined, () => {
    idps.reload();
    refreshReferences();
  });
  const show = (idp: IdentityProvider | undefined): void => {
    const next = idp === undefined ? blank('oidc') : draftOf(idp);
    save.reset();
    setScimSecret(undefined);
    setStored(idp);
    setDraft(next);
    setOpened(JSON.stringify(next));
  };
  // Opening another provider replaces the form: ask first when it holds unsaved changes.
  const open = (idp: IdentityProvider | undefined): void => {
    if (mayLeave()) show(idp);
  };
  const submit = async (): Promise<void> => {
    const { body, issues } = requestOf(draft, stored);
    if (body === undefined) {
      save.refuse(issues);
      return;
    }
    if (draft.id !== undefined && stored !== undefined && sameRequest(body, requestOf(draftOf(stored), stored).body)) {
      // Nothing to send (a secret typed in is a change): a confirmation would claim a save that did not happen.
      setOpened(JSON.stringify(draft));
      save.unchanged('Nothing to save: the identity provider has not changed.');
      return;
    }
    const saved = await actions.save(draft.id, body);
    if (saved === undefined) return;
    setStored(saved);
    setDraft(draftOf(saved));
    setOpened(JSON.stringify(draftOf(saved)));
    const secret = (saved.scim_config as ScimAnswer | undefined)?.secret;
    setScimSecret(typeof secret === 'string' && secret !== '' ? secret : undefined);
  };
  const remove = async (): Promise<void> => {
    if (await actions.remove(draft.id!)) show(undefined);
  };
  const isNew = draft.id === undefined;
  const fields = fieldsOf(draft.type);
  const scimBaseUrl = typeof draft.scimRead.scim_base_url === 'string' ? draft.scimRead.scim_base_url : undefined;

  return (
    <>
      <PageTitle>Identity providers</PageTitle>
      <TableView
        what="Identity providers"
        error={idps.error}
        items={idps.data}
        columns={['Name', 'Type', 'Id', '']}
        sortKeys={[(idp) => idp.name, (idp) => idp.type]}
        empty="No identity providers yet."
        row={(idp) => (
          <tr key={idp.id}>
            <th scope="row">{idp.name}</th>
            <td>
              {idp.type}
              {!SIGN_IN_TYPES.includes(idp.type) && <span class="hint"> (stored, not used for sign-in)</span>}
            </td>
            <td>
              <code>{idp.id}</code>
            </td>
            <td>
              <button type="button" onClick={() => open(idp)} aria-label={`Edit ${idp.name}`}>
                Edit
              </button>{' '}
              {SIGN_IN_TYPES.includes(idp.type) && (
                <a class="button" href={`${authDomain}/cdn-cgi/access/test-idp/${encodeURIComponent(idp.id)}`} target="_blank" rel="noopener" aria-label={`Test ${idp.name}`}>
                  Test
                </a>
              )}
            </td>
          </tr>
        )}
      />
      <h2>{isNew ? 'Add an identity provider' : `Edit ${draft.name}`}</h2>
      {scimSecret !== undefined && <ScimSecret secret={scimSecret} />}
      <EditorForm
        what="identity provider"
        save={save}
        dirty={dirty}
        isNew={isNew}
        onSubmit={() => void submit()}
        onDelete={() => void remove()}
        actions={
          !isNew && (
            <button type="button" onClick={() => open(undefined)}>
              Cancel
            </button>
          )
        }
      >
        <TextField label="Name" pointer="/name" hint="Shown on the login page." value={draft.name} onInput={(v) => setDraft({ ...draft, name: v })} />
        <SelectField
          label="Type"
          pointer="/type"
          value={draft.type}
          options={IDP_TYPES.map((t) => ({ value: t, label: t }))}
          onChange={(type) => setDraft({ ...draft, type, config: formValues(fieldsOf(type), {}) })}
        />
        <ProviderSetup idp={draft.id} type={draft.type} authDomain={authDomain} />
        <Section title="Settings">
          {fields.length === 0 && <p class="hint">This type has no settings of its own.</p>}
          {fields.map((field) => (
            <FormField key={`${draft.type}/${field.name}`} field={field} base="/config" value={draft.config[field.name] ?? ''} isNew={isNew || stored?.type !== draft.type} onChange={(v) => setDraft({ ...draft, config: { ...draft.config, [field.name]: v } })} />
          ))}
          <OtherSettings value={draft.other} listed={fields.map((f) => f.name)} onInput={(v) => setDraft({ ...draft, other: v })} />
        </Section>
        <Section title="SCIM provisioning">
          {SCIM_FIELDS.map((field) => (
            <FormField key={field.name} field={field} base="/scim_config" value={draft.scim[field.name] ?? ''} isNew={isNew} onChange={(v) => setDraft({ ...draft, scim: { ...draft.scim, [field.name]: v } })} />
          ))}
          {scimBaseUrl !== undefined && (
            <div class="field">
              <label for="scim-base-url">SCIM base URL</label>
              <input id="scim-base-url" type="text" readOnly value={scimBaseUrl} />
              <p class="hint">Where the identity provider pushes users and groups.</p>
            </div>
          )}
        </Section>
      </EditorForm>
    </>
  );
}
