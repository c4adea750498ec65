// Access custom pages (Cloudflare's Access > Settings > Custom pages): HTML an administrator
// writes for one situation, its type. The enforcement point shows an identity_denied page to a
// signed-in user the policies refuse and a forbidden page to a refused service token, the one an
// application chooses (on its page) else the organization's (docs/enforcement.md "What a refused
// user sees"); login and interstitial pages are kept but not shown yet, so the type says so.

import type { Result } from '../api/resources.js';
import { useApp } from '../app-context.js';
import { Link, PageTitle, useAsync } from '../components/common.js';
import { Pending, useDocument } from '../components/document.js';
import { EditorForm } from '../components/editor-form.js';
import { SelectField, TextField } from '../components/fields.js';
import { resourceActions } from '../components/resource-actions.js';
import { useSaveState } from '../components/save-state.js';
import { TableView } from '../components/table.js';

type CustomPage = Result<'access-custom-pages-get-a-custom-page'>;
export type CustomPageType = CustomPage['type'];

/** The types with the words the dashboard shows for them, in the API's order. */
export const CUSTOM_PAGE_TYPES: readonly { readonly value: CustomPageType; readonly label: string }[] = [
  { value: 'identity_denied', label: 'Identity denied' },
  { value: 'forbidden', label: 'Forbidden' },
  { value: 'login', label: 'Login (kept, not shown by this server yet)' },
  { value: 'interstitial', label: 'Interstitial (kept, not shown by this server yet)' },
];

const typeLabel = (type: CustomPageType): string => CUSTOM_PAGE_TYPES.find((t) => t.value === type)?.label ?? type;

/** "No applications", "1 application", "3 applications". */
const usedBy = (count: number): string => (count === 0 ? 'No applications' : `${count} application${count === 1 ? '' : 's'}`);

const TYPE_HINT =
  'Identity denied: shown to a signed-in user the policies refuse. Forbidden: shown when a refusal is by non-identity rules, such as a service token refused. An application chooses its pages on its own page.';

export function CustomPagesPage() {
  const { api } = useApp();
  const pages = useAsync(() => api.customPages.all(), []);
  return (
    <>
      <PageTitle
        actions={
          <Link class="button primary" href="/custom-pages/new">
            New custom page
          </Link>
        }
      >
        Custom pages
      </PageTitle>
      <p class="hint">Your own HTML instead of the built-in page when Access refuses someone: an application chooses its pages, else the organization's apply.</p>
      <TableView
        what="Custom pages"
        error={pages.error}
        items={pages.data}
        columns={['Name', 'Type', 'Used by']}
        sortKeys={[(p) => p.name, (p) => typeLabel(p.type), (p) => p.app_count]}
        empty="No custom pages yet."
        row={(p) => (
          <tr key={p.id}>
            <th scope="row">
              <Link href={`/custom-pages/${p.id}`}>{p.name}</Link>
            </th>
            <td>{typeLabel(p.type)}</td>
            <td>{usedBy(p.app_count)}</td>
          </tr>
        )}
      />
    </>
  );
}

interface PageDraft {
  readonly id: string | undefined;
  readonly name: string;
  readonly type: CustomPageType;
  readonly custom_html: string;
}

const NEW_PAGE: PageDraft = { id: undefined, name: '', type: 'identity_denied', custom_html: '' };

export function CustomPageEditorPage({ pageId }: { pageId: string | undefined }) {
  const { api, refreshReferences } = useApp();
  const doc = useDocument<PageDraft>(pageId, pageId === undefined ? NEW_PAGE : undefined, async (id) => {
    const { result } = await api.customPages.get(id);
    return { id: result.id, name: result.name, type: result.type, custom_html: result.custom_html };
  });
  const save = useSaveState();
  const draft = doc.value;
  if (draft === undefined) return <Pending error={doc.error} what="the custom page" back={{ href: '/custom-pages', label: 'Back to custom pages' }} />;

  const actions = resourceActions(save, api.customPages, 'Custom page', '/custom-pages', refreshReferences);
  const submit = async (): Promise<void> => {
    const result = await actions.save(draft.id, { name: draft.name, type: draft.type, custom_html: draft.custom_html });
    if (result !== undefined) doc.saved({ ...draft, id: result.id });
  };

  return (
    <>
      <PageTitle>{draft.id === undefined ? 'New custom page' : `Edit custom page: ${draft.name}`}</PageTitle>
      <p>
        <Link href="/custom-pages">Back to custom pages</Link>
      </p>
      <EditorForm what="custom page" save={save} dirty={doc.dirty} isNew={draft.id === undefined} onSubmit={() => void submit()} onDelete={() => void actions.remove(draft.id!)}>
        <TextField label="Name" pointer="/name" value={draft.name} onInput={(v) => doc.set({ ...draft, name: v })} />
        <SelectField label="Type" pointer="/type" hint={TYPE_HINT} value={draft.type} options={CUSTOM_PAGE_TYPES} onChange={(v) => doc.set({ ...draft, type: v })} />
        <TextField
          label="HTML"
          pointer="/custom_html"
          multiline
          rows={18}
          hint="A whole HTML document, served as written with status 403 (its own scripts and styles run; Cloudflare's placeholders are not filled in)."
          placeholder="<!doctype html>"
          value={draft.custom_html}
          onInput={(v) => doc.set({ ...draft, custom_html: v })}
        />
      </EditorForm>
    </>
  );
}
