// Service tokens (Cloudflare's Access > Service Auth > Service Tokens): the client id and secret
// that machines send in CF-Access-Client-Id and CF-Access-Client-Secret instead of signing in
// (docs/enforcement.md). The server answers a secret only in the write that made it (create and
// rotate) and keeps its hash, so the page shows it then, once, saying so, with the two header
// lines ready to copy. A token's page renames it, changes its duration, enables or disables it,
// refreshes it, rotates its secret (with a grace period for the previous one) and deletes it.

import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { ServiceToken } from '../api/operations.js';
import { useApp } from '../app-context.js';
import { formatCount, Link, PageTitle, Pager, SearchBox, useAsync } from '../components/common.js';
import { CopyButton } from '../components/copy-button.js';
import { Pending, useDocument } from '../components/document.js';
import { EditorForm } from '../components/editor-form.js';
import { CheckboxField, SelectField, TextField } from '../components/fields.js';
import { ConfirmDialog, Modal } from '../components/modal.js';
import { NewCredentials } from '../components/new-credentials.js';
import { resourceActions } from '../components/resource-actions.js';
import { sameRequest, useSaveState } from '../components/save-state.js';
import { TableView } from '../components/table.js';

const PER_PAGE = 25;
/** The API's default: a year. */
const DEFAULT_DURATION = '8760h';
const DURATION_HINT = 'A Go duration such as "8760h" (a year), "720h" (30 days) or "2h45m", or "forever" for a token that never expires.';

/** "2027-01-31 14:05 UTC"; "never" for a token without an expiry ("forever"). */
const when = (at: string | undefined): string => (at === undefined ? 'never' : `${at.slice(0, 16).replace('T', ' ')} UTC`);

/** A token as the list and its page show it: the server leaves out what older tokens lack. */
const enabledOf = (t: ServiceToken): boolean => t.enabled ?? true;
const versionOf = (t: ServiceToken): number => t.client_secret_version ?? 1;

/** The two headers a client sends, one a line, as an HTTP request carries them. */
export const headerLines = (clientId: string, clientSecret: string): string => `CF-Access-Client-Id: ${clientId}\nCF-Access-Client-Secret: ${clientSecret}`;

/** A token's new secret, from the answer of the write that made it: the only time it is shown. */
function NewTokenSecret({ name, clientId, clientSecret, children }: { name: string; clientId: string; clientSecret: string; children?: ComponentChildren }) {
  const headers = headerLines(clientId, clientSecret);
  return (
    <NewCredentials
      label="Service token credentials"
      title={`Credentials of ${name}`}
      secret={clientSecret}
      notice="Copy it into the client's configuration before you leave this page: portcullis keeps only its hash and cannot show it again (rotate the secret to get a new one)."
      credentials={[
        { term: 'Client ID', value: clientId, copyLabel: 'Copy the client ID', testId: 'client-id' },
        { term: 'Client secret', value: clientSecret, copyLabel: 'Copy the client secret', testId: 'client-secret' },
      ]}
    >
      <p>The client sends both headers with each request to an application whose policies accept the token:</p>
      <div class="snippet">
        <pre aria-label="Request headers" tabIndex={0} data-testid="token-headers">
          <code>{headers}</code>
        </pre>
        <CopyButton text={headers} label="Copy the request headers" />
      </div>
      {children}
    </NewCredentials>
  );
}

interface NewTokenDraft {
  readonly name: string;
  readonly duration: string;
}

const NO_DRAFT: NewTokenDraft = { name: '', duration: DEFAULT_DURATION };

export function ServiceTokensPage() {
  const { api, refreshReferences } = useApp();
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const tokens = useAsync(() => api.serviceTokens.list({ search, page, per_page: PER_PAGE }), [search, page]);
  const [draft, setDraft] = useState<NewTokenDraft>(NO_DRAFT);
  // The answer of the create: the only one that holds the client secret.
  const [made, setMade] = useState<{ id: string; name: string; clientId: string; clientSecret: string } | undefined>(undefined);
  const save = useSaveState();

  const create = async (): Promise<void> => {
    setMade(undefined);
    const created = await save.save(() => api.serviceTokens.create({ name: draft.name, duration: draft.duration.trim() }), 'Service token created.');
    if (created === undefined) return;
    setMade({ id: created.id, name: created.name, clientId: created.client_id, clientSecret: created.client_secret });
    setDraft(NO_DRAFT);
    tokens.reload();
    refreshReferences();
  };

  return (
    <>
      <PageTitle>Service tokens</PageTitle>
      <p class="hint">
        Machines send a token's client ID and secret in the <code>CF-Access-Client-Id</code> and <code>CF-Access-Client-Secret</code> headers instead of signing in. A policy lets them in with
        a Service Auth decision and a service token rule.
      </p>
      {made !== undefined && (
        <NewTokenSecret name={made.name} clientId={made.clientId} clientSecret={made.clientSecret}>
          <p>
            <Link href={`/service-tokens/${made.id}`}>Open {made.name}</Link> to rotate, refresh, disable or delete it.
          </p>
        </NewTokenSecret>
      )}
      <SearchBox
        label="Search service tokens by name"
        value={search}
        onSearch={(text) => {
          setSearch(text);
          setPage(1);
        }}
      />
      <TableView
        what="Service tokens"
        error={tokens.error}
        items={tokens.data?.result}
        columns={['Name', 'Client ID', 'Expires', 'Enabled', 'Secret version']}
        empty={`No service tokens${search !== '' ? ` whose name contains "${search}"` : ' yet'}.`}
        row={(t) => (
          <tr key={t.id}>
            <th scope="row">
              <Link href={`/service-tokens/${t.id}`}>{t.name}</Link>
            </th>
            <td>
              <code>{t.client_id}</code>
            </td>
            <td>{when(t.expires_at)}</td>
            <td>{enabledOf(t) ? 'Yes' : 'No'}</td>
            <td class="number">{versionOf(t)}</td>
          </tr>
        )}
      />
      {tokens.data !== undefined && (
        <>
          <p class="count">{formatCount(tokens.data.info?.total_count ?? tokens.data.result.length)} service tokens</p>
          <Pager page={page} totalPages={tokens.data.info?.total_pages ?? 1} onPage={setPage} label="Service token pages" />
        </>
      )}
      <h2>New service token</h2>
      <EditorForm what="service token" save={save} dirty={draft.name !== '' || draft.duration !== DEFAULT_DURATION} isNew onSubmit={() => void create()}>
        <TextField label="Name" pointer="/name" value={draft.name} onInput={(v) => setDraft({ ...draft, name: v })} />
        <TextField label="Duration" pointer="/duration" hint={DURATION_HINT} value={draft.duration} onInput={(v) => setDraft({ ...draft, duration: v })} />
      </EditorForm>
    </>
  );
}

/** How long the previous secret keeps working after a rotation: the choices Cloudflare's dashboard offers. */
const GRACE_PERIODS = [
  { value: 'none', label: 'No grace period: the previous secret stops now', ms: 0 },
  { value: '1h', label: '1 hour', ms: 3_600_000 },
  { value: '1d', label: '1 day', ms: 86_400_000 },
  { value: '7d', label: '7 days', ms: 7 * 86_400_000 },
  { value: '30d', label: '30 days', ms: 30 * 86_400_000 },
] as const;
type Grace = (typeof GRACE_PERIODS)[number]['value'];

/** The rotate body for a grace period chosen now: previous_client_secret_expires_at as RFC 3339, or nothing. */
export function rotateBody(grace: Grace, now = Date.now()): { previous_client_secret_expires_at?: string } {
  const ms = GRACE_PERIODS.find((g) => g.value === grace)?.ms ?? 0;
  return ms === 0 ? {} : { previous_client_secret_expires_at: new Date(now + ms).toISOString() };
}

function RotateDialog({ name, onRotate, onClose }: { name: string; onRotate: (grace: Grace) => void; onClose: () => void }) {
  const [grace, setGrace] = useState<Grace>('none');
  return (
    <Modal
      title={`Rotate the secret of ${name}?`}
      variant="dialog"
      onClose={onClose}
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" class="danger" onClick={() => onRotate(grace)}>
            Rotate secret
          </button>
        </>
      }
    >
      <p>A new client secret is made and shown once. Clients still sending the previous one are refused once its grace period ends.</p>
      <SelectField
        label="Keep the previous secret working for"
        pointer="/previous_client_secret_expires_at"
        value={grace}
        options={GRACE_PERIODS.map((g) => ({ value: g.value, label: g.label }))}
        onChange={setGrace}
      />
    </Modal>
  );
}

/** What the token's form edits. */
interface TokenDraft {
  readonly name: string;
  readonly duration: string;
  readonly enabled: boolean;
}

const draftOf = (t: ServiceToken): TokenDraft => ({ name: t.name, duration: t.duration, enabled: enabledOf(t) });

/** The token without the secret a write answered, so that nothing keeps it past the panel. */
function withoutSecret(t: ServiceToken & { client_secret?: string }): ServiceToken {
  const { client_secret: _secret, ...rest } = t;
  return rest;
}

export function ServiceTokenPage({ tokenId }: { tokenId: string }) {
  const { api, refreshReferences } = useApp();
  // The token as the server last answered it (the form's fields are the document edited).
  const [token, setToken] = useState<ServiceToken | undefined>(undefined);
  const doc = useDocument<TokenDraft>(tokenId, undefined, async (id) => {
    const loaded = (await api.serviceTokens.get(id)).result;
    setToken(loaded);
    return draftOf(loaded);
  });
  const save = useSaveState();
  const [rotating, setRotating] = useState(false);
  const [refreshing, setRefreshing] = useState(false);
  // The rotation's new secret: its answer is the only one that holds it.
  const [newSecret, setNewSecret] = useState<string | undefined>(undefined);
  const draft = doc.value;
  if (draft === undefined || token === undefined) return <Pending error={doc.error} what="the service token" back={{ href: '/service-tokens', label: 'Back to service tokens' }} />;

  const actions = resourceActions(save, api.serviceTokens, 'Service token', '/service-tokens', refreshReferences);
  const submit = async (): Promise<void> => {
    if (doc.savedValue !== undefined && sameRequest(draft, doc.savedValue)) {
      doc.saved(draft);
      save.unchanged('Nothing to save: the service token has not changed.');
      return;
    }
    const saved = await actions.save(token.id, { name: draft.name, duration: draft.duration.trim(), enabled: draft.enabled });
    if (saved === undefined) return;
    setToken(saved);
    doc.saved(draftOf(saved));
  };
  const rotate = async (grace: Grace): Promise<void> => {
    setRotating(false);
    setNewSecret(undefined);
    const body = rotateBody(grace);
    const rotated = await save.save(
      () => api.serviceTokens.rotate(token.id, body),
      // Said from the answer: the server keeps no previous secret for a disabled token, whatever was asked.
      (result) =>
        result.previous_client_secret_expires_at === undefined ? 'Secret rotated: the previous secret no longer works.' : `Secret rotated: the previous secret works until ${when(result.previous_client_secret_expires_at)}.`,
    );
    if (rotated === undefined) return;
    setNewSecret(rotated.client_secret);
    setToken(withoutSecret(rotated));
  };
  const refresh = async (): Promise<void> => {
    setRefreshing(false);
    const refreshed = await save.save(() => api.serviceTokens.refresh(token.id), 'Service token refreshed.');
    if (refreshed !== undefined) setToken(refreshed);
  };

  return (
    <>
      <PageTitle>Service token: {token.name}</PageTitle>
      <p>
        <Link href="/service-tokens">Back to service tokens</Link>
      </p>
      {newSecret !== undefined && <NewTokenSecret name={token.name} clientId={token.client_id} clientSecret={newSecret} />}
      <dl class="setup token-facts">
        <dt>Client ID</dt>
        <dd>
          <code data-testid="token-client-id">{token.client_id}</code> <CopyButton text={token.client_id} label="Copy the client ID" />
          <span class="hint"> The client secret was shown once, when it was made; portcullis keeps only its hash.</span>
        </dd>
        <dt>Expires</dt>
        <dd data-testid="token-expires">{when(token.expires_at)}</dd>
        <dt>Secret version</dt>
        <dd>{versionOf(token)}</dd>
        {token.previous_client_secret_expires_at !== undefined && (
          <>
            <dt>Previous secret</dt>
            <dd data-testid="token-previous-secret">Works until {when(token.previous_client_secret_expires_at)}</dd>
          </>
        )}
      </dl>
      <EditorForm
        what="service token"
        save={save}
        dirty={doc.dirty}
        isNew={false}
        onSubmit={() => void submit()}
        onDelete={() => void actions.remove(token.id)}
        actions={
          <>
            <button type="button" onClick={() => setRotating(true)}>
              Rotate secret
            </button>
            {/* A "forever" token has no expiry to move. */}
            {token.duration !== 'forever' && (
              <button type="button" onClick={() => setRefreshing(true)}>
                Refresh
              </button>
            )}
          </>
        }
      >
        <TextField label="Name" pointer="/name" value={draft.name} onInput={(v) => doc.set({ ...draft, name: v })} />
        <TextField label="Duration" pointer="/duration" hint={`${DURATION_HINT} A new duration counts from the save.`} value={draft.duration} onInput={(v) => doc.set({ ...draft, duration: v })} />
        <CheckboxField
          label="Enabled"
          pointer="/enabled"
          hint="A disabled token is kept, but no policy accepts it until it is enabled again; disabling it also ends a rotated secret's grace period."
          checked={draft.enabled}
          onChange={(v) => doc.set({ ...draft, enabled: v })}
        />
      </EditorForm>
      {rotating && <RotateDialog name={token.name} onRotate={(grace) => void rotate(grace)} onClose={() => setRotating(false)} />}
      {refreshing && (
        <ConfirmDialog
          title={`Refresh ${token.name}?`}
          message={`The token's validity starts again: it will expire ${token.duration} from now.`}
          confirmLabel="Refresh"
          onConfirm={() => void refresh()}
          onClose={() => setRefreshing(false)}
        />
      )}
    </>
  );
}
