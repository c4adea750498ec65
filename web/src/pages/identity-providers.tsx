// Identity providers: the logins that login_method and IdP-scoped rules (Okta, Azure AD,
// Google Workspace, GitHub, SAML, OIDC groups) name. Their settings are edited as JSON.

import { useState } from 'preact/hooks';
import type { IdentityProvider } from '../api/operations.js';
import { useApp } from '../app-context.js';
import { PageTitle, useAsync } from '../components/common.js';
import { TableView } from '../components/table.js';
import { EditorForm } from '../components/editor-form.js';
import { SelectField, TextField } from '../components/fields.js';
import { resourceActions } from '../components/resource-actions.js';
import { useSaveState } from '../components/save-state.js';

const IDP_TYPES = ['onetimepin', 'azureAD', 'saml', 'centrify', 'facebook', 'github', 'google-apps', 'google', 'linkedin', 'oidc', 'okta', 'onelogin', 'pingone', 'yandex', 'cloudflare'] as const satisfies readonly IdentityProvider['type'][];

interface IdpDraft {
  readonly id: string | undefined;
  readonly name: string;
  readonly type: IdentityProvider['type'];
  readonly config: string;
}

const EMPTY: IdpDraft = { id: undefined, name: '', type: 'onetimepin', config: '{}' };

function draftOf(idp: IdentityProvider): IdpDraft {
  return { id: idp.id, name: idp.name, type: idp.type, config: JSON.stringify(idp.config, null, 2) };
}

export function IdentityProvidersPage() {
  const { api, refreshReferences } = useApp();
  const idps = useAsync(() => api.identityProviders.all(), []);
  const [draft, setDraft] = useState<IdpDraft>(EMPTY);
  const save = useSaveState();

  const actions = resourceActions(save, api.identityProviders, 'Identity provider', undefined, () => {
    idps.reload();
    refreshReferences();
  });
  const submit = async (): Promise<void> => {
    let config: Record<string, unknown>;
    try {
      config = JSON.parse(draft.config) as Record<string, unknown>;
    } catch (err) {
      save.refuse([{ pointer: '/config', message: `The settings are not valid JSON: ${(err as Error).message}` }]);
      return;
    }
    if ((await actions.save(draft.id, { name: draft.name, type: draft.type, config })) !== undefined) setDraft(EMPTY);
  };
  const remove = async (): Promise<void> => {
    if (await actions.remove(draft.id!)) setDraft(EMPTY);
  };

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
            <td>{idp.type}</td>
            <td>
              <code>{idp.id}</code>
            </td>
            <td>
              <button type="button" onClick={() => setDraft(draftOf(idp))} aria-label={`Edit ${idp.name}`}>
                Edit
              </button>
            </td>
          </tr>
        )}
      />
      <h2>{draft.id === undefined ? 'Add an identity provider' : `Edit ${draft.name}`}</h2>
      <EditorForm
        what="identity provider"
        save={save}
        isNew={draft.id === undefined}
        onSubmit={() => void submit()}
        onDelete={() => void remove()}
        actions={
          draft.id !== undefined && (
            <button type="button" onClick={() => setDraft(EMPTY)}>
              Cancel
            </button>
          )
        }
      >
        <TextField label="Name" pointer="/name" value={draft.name} onInput={(v) => setDraft({ ...draft, name: v })} />
        <SelectField label="Type" pointer="/type" value={draft.type} options={IDP_TYPES.map((t) => ({ value: t, label: t }))} onChange={(v) => setDraft({ ...draft, type: v })} />
        <TextField label="Settings (JSON)" multiline pointer="/config" hint="The config object of this type, e.g. client_id and client_secret for OAuth providers. Secrets are stored but never shown again." value={draft.config} onInput={(v) => setDraft({ ...draft, config: v })} />
      </EditorForm>
    </>
  );
}
