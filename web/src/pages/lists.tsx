// Gateway lists: the IP and email lists that ip_list and email_list rules (and approval
// groups) name. Entries are edited one a line.

import type { GatewayList, ListUpdate } from '../api/operations.js';
import { useApp } from '../app-context.js';
import { Link, PageTitle, useAsync } from '../components/common.js';
import { Pending, useDocument } from '../components/document.js';
import { TableView } from '../components/table.js';
import { EditorForm } from '../components/editor-form.js';
import { SelectField, TextField } from '../components/fields.js';
import { resourceActions } from '../components/resource-actions.js';
import { useSaveState } from '../components/save-state.js';

/** The types access rules use first; the others Gateway keeps for its own policies. */
const LIST_TYPES = ['EMAIL', 'IP', 'DOMAIN', 'URL', 'SERIAL', 'CATEGORY', 'LOCATION', 'DEVICE', 'AAGUID'] as const;

export function ListsPage() {
  const { api } = useApp();
  const lists = useAsync(() => api.lists.all(), []);
  return (
    <>
      <PageTitle
        actions={
          <Link class="button primary" href="/lists/new">
            New list
          </Link>
        }
      >
        Lists
      </PageTitle>
      <TableView
        what="Lists"
        error={lists.error}
        items={lists.data}
        columns={['Name', 'Type', 'Entries', 'Description']}
        sortKeys={[(l) => l.name, (l) => l.type, (l) => l.count ?? 0, (l) => l.description ?? '']}
        empty="No lists yet."
        row={(l) => (
          <tr key={l.id}>
            <th scope="row">
              <Link href={`/lists/${l.id}`}>{l.name}</Link>
            </th>
            <td>{l.type}</td>
            <td class="number">{l.count}</td>
            <td>{l.description}</td>
          </tr>
        )}
      />
    </>
  );
}

interface ListDraft {
  readonly id: string | undefined;
  readonly name: string;
  readonly type: GatewayList['type'];
  readonly description: string;
  /** One entry a line. */
  readonly items: string;
  /** The entries as loaded, to tell an emptied list from an unchanged one. */
  readonly loadedCount: number;
  /** The loaded entries' descriptions by value: the editor shows values only, and a save must not drop them. */
  readonly descriptions: Readonly<Record<string, string>>;
}

const entriesOf = (text: string): string[] => text.split('\n').map((l) => l.trim()).filter((l) => l !== '');

export function ListEditorPage({ listId }: { listId: string | undefined }) {
  const { api, refreshReferences } = useApp();
  const doc = useDocument<ListDraft>(listId, listId === undefined ? { id: undefined, name: '', type: 'EMAIL', description: '', items: '', loadedCount: 0, descriptions: {} } : undefined, async (id) => {
    const [list, items] = await Promise.all([api.lists.get(id), api.lists.items(id)]);
    return { id: list.result.id, name: list.result.name, type: list.result.type, description: list.result.description ?? '', items: items.map((i) => i.value).join('\n'), loadedCount: items.length, descriptions: Object.fromEntries(items.flatMap((i) => (typeof i.description === 'string' && i.description !== '' ? [[i.value, i.description]] : []))) };
  });
  const save = useSaveState();
  const draft = doc.value;
  const setDraft = doc.set;
  if (draft === undefined) return <Pending error={doc.error} what="the list" back={{ href: '/lists', label: 'Back to lists' }} />;

  const actions = resourceActions(
    save,
    {
      // A new list is given its type; an existing one keeps it.
      create: (body: ListUpdate) => api.lists.create({ ...body, type: draft.type }),
      remove: api.lists.remove,
      // PUT keeps the entries when sent none: emptying a list takes removing them, once the rest
      // of the save was accepted (a refused save must leave the entries as they were).
      update: async (id: string, body: ListUpdate) => {
        if ((body.items ?? []).length > 0 || draft.loadedCount === 0) return api.lists.update(id, body);
        const saved = await api.lists.update(id, { name: body.name, description: body.description });
        await api.lists.patch(id, { remove: (await api.lists.items(id)).map((i) => i.value) });
        return saved;
      },
    },
    'List',
    '/lists',
    refreshReferences,
  );
  const submit = async (): Promise<void> => {
    const values = entriesOf(draft.items);
    const body: ListUpdate = { name: draft.name, description: draft.description, items: values.map((value) => (draft.descriptions[value] !== undefined ? { value, description: draft.descriptions[value] } : { value })) };
    const result = await actions.save(draft.id, body);
    if (result !== undefined) doc.saved({ ...draft, id: result.id, loadedCount: values.length });
  };

  return (
    <>
      <PageTitle>{draft.id === undefined ? 'New list' : `Edit list: ${draft.name}`}</PageTitle>
      <p>
        <Link href="/lists">Back to lists</Link>
      </p>
      <EditorForm what="list" save={save} dirty={doc.dirty} isNew={draft.id === undefined} onSubmit={() => void submit()} onDelete={() => void actions.remove(draft.id!)}>
        <TextField label="Name" pointer="/name" value={draft.name} onInput={(v) => setDraft({ ...draft, name: v })} />
        <SelectField label="Type" pointer="/type" value={draft.type} disabled={draft.id !== undefined} options={LIST_TYPES.map((t) => ({ value: t, label: t }))} onChange={(v) => setDraft({ ...draft, type: v })} />
        <TextField label="Description" pointer="/description" value={draft.description} onInput={(v) => setDraft({ ...draft, description: v })} />
        <TextField label="Entries (one a line)" multiline pointer="/items" hint="IP lists hold addresses and CIDR ranges, email lists email addresses." value={draft.items} onInput={(v) => setDraft({ ...draft, items: v })} />
      </EditorForm>
    </>
  );
}
