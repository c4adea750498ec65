// Access applications and their policies by precedence. The order is changed by dragging, or
// from the keyboard (the move buttons, or Alt+Arrow keys on a policy), and saved through the
// application's `policies: [{id, precedence}]`.

import { useEffect, useRef, useState } from 'preact/hooks';
import type { App, AppPolicy, AppRequest } from '../api/operations.js';
import { useApp } from '../app-context.js';
import { DecisionBadge, Link, PageTitle, useAsync } from '../components/common.js';
import { Pending, useDocument } from '../components/document.js';
import { TableView } from '../components/table.js';
import { EditorForm } from '../components/editor-form.js';
import { SelectField, TextField } from '../components/fields.js';
import { useSaveState } from '../components/save-state.js';
import { guardLeaving, navigate } from '../router.js';
import { ConfirmDialog } from '../components/modal.js';
import { CopyButton } from '../components/copy-button.js';
import { NewOidcClient, oidcClientOf, withoutClientSecret } from '../components/oidc-client.js';
import { ApiFailure } from '../api/client.js';
import { PROXIED_APP_TYPES } from '../../../src/access/proxy-config.js';
import { SESSION_APP_TYPES } from '../../../src/schema/session-app-types.js';
import { isObject } from '../../../src/engine/is-object.js';
import { CustomPageChoices } from '../components/custom-page-choices.js';

const APP_TYPES = ['self_hosted', 'saas', 'ssh', 'vnc', 'rdp', 'app_launcher', 'warp', 'biso', 'bookmark', 'dash_sso', 'infrastructure', 'mcp', 'mcp_portal', 'proxy_endpoint'] as const satisfies readonly AppRequest['type'][];

/** How a new SaaS application signs its users in: OIDC (the server makes its client), or set up later as JSON. */
type SaasProtocol = 'oidc' | 'later';

interface NewAppDraft {
  readonly name: string;
  readonly type: AppRequest['type'];
  readonly domain: string;
  readonly saasProtocol: SaasProtocol;
  /** OIDC redirect URLs, one a line. */
  readonly redirectUris: string;
  /** The targets' port and protocol, for the types that need target_criteria (rdp, infrastructure). */
  readonly targetPort: string;
  readonly targetProtocol: string;
}

const NO_DRAFT: NewAppDraft = { name: '', type: 'self_hosted', domain: '', saasProtocol: 'oidc', redirectUris: '', targetPort: '', targetProtocol: '' };

/** Whether an application of `type` protects hosts, so that a proxy configuration ("Protect it") means something. */
const protectsHosts = (type: string): boolean => PROXIED_APP_TYPES.includes(type);

/**
 * Whether an application of `type` has a session whose length it sets: the types the API answers
 * a session_duration for, and those whose sign-ins the enforcement point gives a token of that
 * length (the host types, mcp among them). Not a SaaS application, a bookmark, ...
 */
const hasSessionDuration = (type: string): boolean => SESSION_APP_TYPES.has(type) || protectsHosts(type);

/** The types the API refuses without target_criteria (src/schema/apps.ts TARGET_REQUIRED_TYPES), with the usual port and protocol of their targets. */
const TARGET_DEFAULTS: Partial<Record<AppRequest['type'], { port: string; protocol: string }>> = { rdp: { port: '3389', protocol: 'RDP' }, infrastructure: { port: '22', protocol: 'SSH' } };

/** The draft with another type: a type that needs targets starts with its usual port and protocol. */
function withType(draft: NewAppDraft, type: AppRequest['type']): NewAppDraft {
  const targets = TARGET_DEFAULTS[type];
  return { ...draft, type, targetPort: targets?.port ?? '', targetProtocol: targets?.protocol ?? '' };
}

function newAppBody(draft: NewAppDraft): AppRequest {
  const redirectUris = draft.redirectUris.split('\n').map((u) => u.trim()).filter((u) => u !== '');
  const saas = draft.type === 'saas' && draft.saasProtocol === 'oidc' ? { saas_app: { auth_type: 'oidc', redirect_uris: redirectUris } } : {};
  // A port that is not digits is sent as typed, for the API to refuse at its field.
  const port = /^\d+$/.test(draft.targetPort.trim()) ? Number(draft.targetPort.trim()) : draft.targetPort;
  const targets = TARGET_DEFAULTS[draft.type] !== undefined ? { target_criteria: [{ port, protocol: draft.targetProtocol }] } : {};
  return { name: draft.name, type: draft.type, ...(draft.domain.trim() !== '' ? { domain: draft.domain.trim() } : {}), ...saas, ...targets } as AppRequest;
}

/** The API's already_exists (docs/errors.md). */
const ALREADY_EXISTS = 1202;

/** Whether a create was refused as already_exists (docs/errors.md): for an App Launcher, the account has one. */
const refusedAsExisting = (error: unknown): boolean => error instanceof ApiFailure && error.status === 409 && error.errors.some((e) => e.code === ALREADY_EXISTS);

export function AppsPage() {
  const { api, refreshReferences } = useApp();
  const apps = useAsync(() => api.apps.all(), []);
  const [draft, setDraft] = useState<NewAppDraft>(NO_DRAFT);
  // The credentials an OIDC create made: the answer is the only time the server shows the secret.
  const [madeClient, setMadeClient] = useState<{ app: App; clientId: string; clientSecret: string } | undefined>(undefined);
  // The type of the last create sent: a refusal's help depends on it, not on the form changed since.
  const [sentType, setSentType] = useState<AppRequest['type'] | undefined>(undefined);
  const save = useSaveState();

  const create = async (): Promise<void> => {
    setMadeClient(undefined);
    const body = newAppBody(draft);
    setSentType(body.type);
    const created = await save.save(() => api.apps.create(body), 'Application created.');
    if (created === undefined) {
      // A refused App Launcher links to the one there is, which may be newer than the list shown.
      if (body.type === 'app_launcher') apps.reload();
      return;
    }
    refreshReferences();
    const client = oidcClientOf(created);
    if (client?.clientSecret !== undefined) {
      // Stay here until the secret is copied; the application's page could not show it.
      setMadeClient({ app: created, clientId: client.clientId, clientSecret: client.clientSecret });
      setDraft(NO_DRAFT);
      apps.reload();
      return;
    }
    navigate(`/apps/${created.id}`);
  };

  return (
    <>
      <PageTitle>Applications</PageTitle>
      {madeClient !== undefined && (
        <NewOidcClient name={madeClient.app.name ?? madeClient.app.id} clientId={madeClient.clientId} clientSecret={madeClient.clientSecret}>
          <p>
            <Link href={`/apps/${madeClient.app.id}`}>Open {madeClient.app.name ?? 'the application'}</Link> to attach its policies.
          </p>
        </NewOidcClient>
      )}
      <TableView
        what="Applications"
        error={apps.error}
        items={apps.data}
        columns={['Name', 'Type', 'Domain', 'Policies', '']}
        sortKeys={[(a) => a.name ?? a.id, (a) => a.type, (a) => a.domain ?? '', (a) => a.policies.length]}
        empty="No applications yet."
        row={(a) => (
          <tr key={a.id}>
            <th scope="row">
              <Link href={`/apps/${a.id}`}>{a.name ?? a.id}</Link>
            </th>
            <td>{a.type}</td>
            <td>{a.domain}</td>
            <td class="number">{a.policies.length}</td>
            <td>
              {protectsHosts(a.type) && (
                <Link href={`/apps/${a.id}/protect`} aria-label={`Protect it: ${a.name ?? a.id}`}>
                  Protect it
                </Link>
              )}
            </td>
          </tr>
        )}
      />
      <h2>Add an application</h2>
      <EditorForm
        what="application"
        save={save}
        isNew
        onSubmit={() => void create()}
        errorHelp={(error) => {
          if (sentType !== 'app_launcher' || !refusedAsExisting(error)) return undefined;
          // An account has one App Launcher: the refusal's message is for people, the list says which.
          const launcher = apps.data?.find((a) => a.type === 'app_launcher');
          return launcher === undefined ? undefined : <Link href={`/apps/${launcher.id}`}>Open the existing App Launcher</Link>;
        }}
      >
        <div class="grid">
          <TextField label="Name" pointer="/name" value={draft.name} onInput={(v) => setDraft({ ...draft, name: v })} />
          <SelectField label="Type" pointer="/type" value={draft.type} options={APP_TYPES.map((t) => ({ value: t, label: t }))} onChange={(v) => setDraft(withType(draft, v))} />
          <TextField label="Domain" pointer="/domain" placeholder="app.example.com" value={draft.domain} onInput={(v) => setDraft({ ...draft, domain: v })} />
        </div>
        {TARGET_DEFAULTS[draft.type] !== undefined && (
          <div class="grid" data-pointer="/target_criteria" tabIndex={-1}>
            <TextField label="Target port" pointer="/target_criteria/0/port" hint="The port of the targets this application secures." value={draft.targetPort} onInput={(v) => setDraft({ ...draft, targetPort: v })} />
            <SelectField
              label="Target protocol"
              pointer="/target_criteria/0/protocol"
              value={draft.targetProtocol}
              options={(draft.type === 'rdp' ? ['RDP'] : ['SSH', 'RDP']).map((p) => ({ value: p, label: p }))}
              onChange={(v) => setDraft({ ...draft, targetProtocol: v })}
            />
          </div>
        )}
        {draft.type === 'saas' && (
          <div class="grid">
            <SelectField
              label="Sign-in protocol"
              pointer="/saas_app/auth_type"
              value={draft.saasProtocol}
              options={[
                { value: 'oidc', label: 'OIDC: portcullis makes the client ID and secret' },
                { value: 'later', label: 'Set up later (saas_app as JSON on its page)' },
              ]}
              onChange={(v) => setDraft({ ...draft, saasProtocol: v })}
            />
            {draft.saasProtocol === 'oidc' && (
              <TextField
                label="Redirect URLs"
                pointer="/saas_app/redirect_uris"
                multiline
                hint="Where the SaaS application receives its users after they sign in, one URL a line."
                placeholder="https://app.example.com/oauth/callback"
                value={draft.redirectUris}
                onInput={(v) => setDraft({ ...draft, redirectUris: v })}
              />
            )}
          </div>
        )}
      </EditorForm>
    </>
  );
}

/** Move the item at `from` to `to`. */
function moved<T>(items: readonly T[], from: number, to: number): T[] {
  const next = [...items];
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item);
  return next;
}

/** The settings the form has a field for; the rest are edited as JSON. */
interface SettingsDraft {
  readonly name: string;
  readonly domain: string;
  readonly session_duration: string;
  /** The uids of the custom pages the application chooses (at most one of each type). */
  readonly custom_pages: readonly string[];
  /** Every other setting, as a JSON object. */
  readonly other: string;
}

/**
 * The application's settings as the form shows them (what the server adds, and its policies, left
 * out). A type without a Session duration field keeps a session_duration it was given in the JSON.
 */
function settingsOf(app: App): SettingsDraft {
  const { id: _id, aud: _aud, created_at: _c, updated_at: _u, policies: _p, type: _t, name, domain, ...rest } = app as App & Record<string, unknown>;
  const { custom_pages, ...withoutPages } = rest;
  const { session_duration, ...other } = withoutPages;
  const field = hasSessionDuration(app.type);
  return {
    name: typeof name === 'string' ? name : '',
    domain: typeof domain === 'string' ? domain : '',
    session_duration: field && typeof session_duration === 'string' ? session_duration : '',
    custom_pages: Array.isArray(custom_pages) ? custom_pages.filter((uid): uid is string => typeof uid === 'string') : [],
    other: JSON.stringify(field ? other : withoutPages, null, 2),
  };
}

/** The PUT body: the settings and the policies in their order; undefined, with why, when the JSON is not an object. */
function appBody(app: App, settings: SettingsDraft, policies: readonly AppPolicy[]): { body?: AppRequest; problem?: string } {
  let other: Record<string, unknown>;
  try {
    const parsed = JSON.parse(settings.other.trim() === '' ? '{}' : settings.other) as unknown;
    if (!isObject(parsed)) return { problem: 'Other settings must be a JSON object, such as {"custom_deny_message": "…"}.' };
    other = parsed;
  } catch (err) {
    return { problem: `Other settings are not valid JSON: ${(err as Error).message}` };
  }
  for (const kept of ['id', 'aud', 'created_at', 'updated_at', 'policies', 'type', 'custom_pages']) delete other[kept];
  const body = {
    ...other,
    type: app.type,
    name: settings.name,
    ...(settings.domain.trim() !== '' ? { domain: settings.domain.trim() } : {}),
    ...(settings.session_duration.trim() !== '' ? { session_duration: settings.session_duration.trim() } : {}),
    // A replace without custom_pages leaves the application choosing none: the defaults.
    ...(settings.custom_pages.length > 0 ? { custom_pages: [...settings.custom_pages] } : {}),
    policies: policies.map((p, i) => ({ id: p.id, precedence: i + 1 })),
  } as AppRequest;
  return { body };
}

export function AppPage({ appId }: { appId: string }) {
  const { api, refreshReferences } = useApp();
  const doc = useDocument<App>(appId, undefined, async (id) => (await api.apps.get(id)).result);
  const app = doc.value;
  const [edited, setOrder] = useState<AppPolicy[] | undefined>(undefined);
  const [editedSettings, setSettings] = useState<SettingsDraft | undefined>(undefined);
  const [settingsProblem, setSettingsProblem] = useState<string | undefined>(undefined);
  const [dragging, setDragging] = useState<number | undefined>(undefined);
  const [announcement, setAnnouncement] = useState('');
  const [attach, setAttach] = useState('');
  const [revoking, setRevoking] = useState(false);
  // The client secret of the save that made this application OIDC: that answer is the only one with it.
  const [madeSecret, setMadeSecret] = useState<string | undefined>(undefined);
  const policies = useAsync(() => api.policies.all(), []);
  const customPages = useAsync(() => api.customPages.all(), []);
  const save = useSaveState();
  // A new order not yet saved is asked about before leaving (in the app and when closing the tab).
  const unsaved = useRef<() => string | undefined>(() => undefined);
  useEffect(() => guardLeaving(() => unsaved.current()), []);

  if (app === undefined) return <Pending error={doc.error} what="the application" back={{ href: '/apps', label: 'Back to applications' }} />;
  // Until the user moves something, the order is the saved one; the settings likewise.
  const order = edited ?? app.policies;
  const saved = settingsOf(app);
  const settings = editedSettings ?? saved;
  const edit = (change: Partial<SettingsDraft>): void => setSettings({ ...settings, ...change });
  const changed = order.map((p) => p.id).join() !== app.policies.map((p) => p.id).join();
  const settingsChanged = JSON.stringify(settings) !== JSON.stringify(saved);

  const move = (from: number, to: number): void => {
    if (to < 0 || to >= order.length || from === to) return;
    setOrder(moved(order, from, to));
    setAnnouncement(`${order[from].name} moved to position ${to + 1} of ${order.length}.`);
    // Keep the keyboard on the policy that moved.
    requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-policy-handle="${order[from].id}"]`)?.focus());
  };

  const submit = async (): Promise<void> => {
    if (!settingsChanged && !changed) {
      // Nothing to send: a confirmation would claim a save that did not happen.
      setSettingsProblem(undefined);
      save.unchanged('Nothing to save: no setting and no policy position has changed.');
      return;
    }
    const { body, problem } = appBody(app, settings, order);
    setSettingsProblem(problem);
    if (body === undefined) return;
    const done = await save.save(() => api.apps.update(app.id, body), settingsChanged ? 'Application saved.' : 'Order saved.');
    if (done === undefined) return;
    setMadeSecret(oidcClientOf(done)?.clientSecret);
    doc.set(withoutClientSecret(done));
    setOrder(undefined);
    setSettings(undefined);
    refreshReferences();
  };

  const remove = async (): Promise<void> => {
    if ((await save.save(() => api.apps.remove(app.id), 'Application deleted.')) === undefined) return;
    unsaved.current = () => undefined;
    refreshReferences();
    navigate('/apps');
  };

  const revokeTokens = async (): Promise<void> => {
    setRevoking(false);
    await save.save(() => api.apps.revokeTokens(app.id), 'Sessions ended: every token issued for this application before now stops working.');
  };

  const oidc = oidcClientOf(app);
  const attachable = (policies.data ?? []).filter((p) => !order.some((o) => o.id === p.id));
  unsaved.current = () =>
    changed ? `The new order of ${app.name ?? 'this application'}'s policies is not saved. Leave without saving it?` : settingsChanged ? `The changed settings of ${app.name ?? 'this application'} are not saved. Leave without saving them?` : undefined;
  return (
    <>
      <PageTitle>Application: {app.name ?? app.id}</PageTitle>
      <p class="long-name">
        <Link href="/apps">Back to applications</Link> · {app.type}
        {app.domain !== undefined && ` · ${app.domain}`} ·{' '}
        {protectsHosts(app.type) && (
          <>
            <Link href={`/apps/${app.id}/protect`}>Protect it: proxy configuration</Link> ·{' '}
          </>
        )}
        <Link href={`/access-log?app_uid=${encodeURIComponent(app.id)}`}>Access log</Link> ·{' '}
        <button type="button" class="link-button" onClick={() => setRevoking(true)}>
          End all sessions
        </button>
      </p>
      {revoking && (
        <ConfirmDialog
          title="End every session of this application?"
          message="Every token issued for it before now stops working at the next request (users' and service tokens'), and its users sign in again. Other applications are not affected."
          confirmLabel="End sessions"
          onConfirm={() => void revokeTokens()}
          onClose={() => setRevoking(false)}
        />
      )}
      {oidc !== undefined && madeSecret !== undefined && <NewOidcClient name={app.name ?? app.id} clientId={oidc.clientId} clientSecret={madeSecret} />}
      <EditorForm what="application" save={save} isNew={false} onSubmit={() => void submit()} onDelete={() => void remove()}>
        <h2>Settings</h2>
        {oidc !== undefined && (
          <p class="oidc-client">
            OIDC client ID: <code data-testid="client-id">{oidc.clientId}</code> <CopyButton text={oidc.clientId} label="Copy the client ID" />
            <span class="hint"> The client secret was shown once, when portcullis made it; it is kept sealed.</span>
          </p>
        )}
        <div class="grid">
          <TextField label="Name" pointer="/name" value={settings.name} onInput={(v) => edit({ name: v })} />
          <TextField label="Domain" pointer="/domain" placeholder="app.example.com" value={settings.domain} onInput={(v) => edit({ domain: v })} />
          {hasSessionDuration(app.type) && (
            <TextField label="Session duration" pointer="/session_duration" hint="How long a sign-in to this application lasts, e.g. 30m, 24h." value={settings.session_duration} onInput={(v) => edit({ session_duration: v })} />
          )}
        </div>
        <CustomPageChoices chosen={settings.custom_pages} pages={customPages.data} error={customPages.error} onChange={(uids) => edit({ custom_pages: uids })} />
        <TextField
          label="Other settings (JSON)"
          pointer="/other"
          multiline
          hint="Everything else Cloudflare's application API takes, as a JSON object: allowed_idps, custom_deny_message, custom_deny_url, cookie attributes, cors_headers, self_hosted_domains, app_launcher_visible, … (docs/enforcement.md)."
          value={settings.other}
          onInput={(v) => edit({ other: v })}
        />
        {settingsProblem !== undefined && (
          <p class="banner banner-error" role="alert">
            {settingsProblem}
          </p>
        )}
        {settingsChanged && <p class="banner banner-info">The settings have unsaved changes.</p>}
        <h2 id="app-policies">Policies by precedence</h2>
        <p class="hint" id="reorder-help">
          Drag a policy to change the order, or focus its handle and press Alt+Arrow Up or Alt+Arrow Down. Save to apply.
        </p>
        <p class="visually-hidden" aria-live="assertive">
          {announcement}
        </p>
        {order.length === 0 && <p class="empty">This application has no policies yet.</p>}
        <ol class="precedence" aria-labelledby="app-policies" data-pointer="/policies">
          {order.map((policy, i) => (
            <li
              key={policy.id}
              class={`precedence-item ${dragging === i ? 'dragging' : ''}`}
              draggable
              onDragStart={(e) => {
                setDragging(i);
                e.dataTransfer?.setData('text/plain', policy.id);
              }}
              onDragOver={(e) => e.preventDefault()}
              onDrop={(e) => {
                e.preventDefault();
                if (dragging !== undefined) move(dragging, i);
                setDragging(undefined);
              }}
              onDragEnd={() => setDragging(undefined)}
            >
              <button
                type="button"
                class="handle"
                data-policy-handle={policy.id}
                aria-describedby="reorder-help"
                aria-label={`${policy.name}, position ${i + 1} of ${order.length}`}
                onKeyDown={(e) => {
                  if (!e.altKey || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
                  e.preventDefault();
                  move(i, e.key === 'ArrowUp' ? i - 1 : i + 1);
                }}
              >
                ⠿
              </button>
              <span class="precedence-number">{i + 1}</span>
              <span class="precedence-name">
                {policy.reusable ? <Link href={`/policies/${policy.id}`}>{policy.name}</Link> : policy.name} <DecisionBadge decision={policy.decision} />
                {!policy.reusable && <span class="hint"> (this application's own)</span>}
              </span>
              <span class="precedence-actions">
                <button type="button" disabled={i === 0} onClick={() => move(i, i - 1)} aria-label={`Move ${policy.name} up`}>
                  ↑
                </button>
                <button type="button" disabled={i === order.length - 1} onClick={() => move(i, i + 1)} aria-label={`Move ${policy.name} down`}>
                  ↓
                </button>
                {policy.reusable && (
                  <button type="button" onClick={() => setOrder(order.filter((p) => p.id !== policy.id))} aria-label={`Detach ${policy.name}`}>
                    Detach
                  </button>
                )}
              </span>
            </li>
          ))}
        </ol>
        <div class="attach">
          <SelectField label="Add a reusable policy" pointer="/attach" value={attach} options={[{ value: '', label: 'Choose a policy…' }, ...attachable.map((p) => ({ value: p.id, label: p.name }))]} onChange={setAttach} />
          <button
            type="button"
            disabled={attach === ''}
            onClick={() => {
              const policy = attachable.find((p) => p.id === attach);
              if (policy !== undefined) setOrder([...order, { ...policy, precedence: order.length + 1, reusable: true }]);
              setAttach('');
            }}
          >
            Add
          </button>
        </div>
        {changed && <p class="banner banner-info">The order has unsaved changes.</p>}
      </EditorForm>
    </>
  );
}
