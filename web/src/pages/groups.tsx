// Access groups: named rule sets that policies use through `group` rules, edited with the
// same rule builder as policies.

import { useState } from 'preact/hooks';
import { parseGroup } from '../../../src/engine/validate.js';
import { useApp } from '../app-context.js';
import { Link, PageTitle, SearchBox, useAsync } from '../components/common.js';
import { Pending, useDocument } from '../components/document.js';
import { TableView } from '../components/table.js';
import { EditorForm } from '../components/editor-form.js';
import { CheckboxField, TextField } from '../components/fields.js';
import { resourceActions } from '../components/resource-actions.js';
import { sameRequest, useSaveState } from '../components/save-state.js';
import { groupDraftFromWire, groupToWire, newGroupDraft, type GroupDraft } from '../rules/model.js';
import { RuleBuilder } from '../rules/rule-builder.js';

export function GroupsPage() {
  const { api } = useApp();
  const [search, setSearch] = useState('');
  const groups = useAsync(() => api.groups.list({ search, per_page: 1000 }), [search]);
  return (
    <>
      <PageTitle
        actions={
          <Link class="button primary" href="/groups/new">
            New group
          </Link>
        }
      >
        Access groups
      </PageTitle>
      <SearchBox label="Search groups by name" value={search} onSearch={setSearch} />
      <TableView
        what="Access groups"
        error={groups.error}
        items={groups.data?.result}
        columns={['Name', 'Include', 'Require', 'Exclude']}
        empty={`No groups${search !== '' ? ` whose name contains "${search}"` : ' yet'}.`}
        row={(g) => (
          <tr key={g.id}>
            <th scope="row">
              <Link href={`/groups/${g.id}`}>{g.name}</Link>
              {g.is_default === true && <span class="badge">default</span>}
            </th>
            <td class="number">{g.include.length}</td>
            <td class="number">{g.require?.length ?? 0}</td>
            <td class="number">{g.exclude?.length ?? 0}</td>
          </tr>
        )}
      />
    </>
  );
}

export function GroupEditorPage({ groupId }: { groupId: string | undefined }) {
  const { api, refreshReferences } = useApp();
  const doc = useDocument(groupId, groupId === undefined ? newGroupDraft() : undefined, async (id) => groupDraftFromWire((await api.groups.get(id)).result));
  const save = useSaveState();
  const draft = doc.value;
  const setDraft = doc.set;
  if (draft === undefined) return <Pending error={doc.error} what="the group" back={{ href: '/groups', label: 'Back to groups' }} />;

  const change = (next: GroupDraft): void => {
    setDraft(next);
    const check = parseGroup(groupToWire(next), { id: next.id ?? 'new' });
    save.recheck(check.ok ? [] : check.issues);
  };

  const actions = resourceActions(save, api.groups, 'Group', '/groups', refreshReferences);
  const submit = async (): Promise<void> => {
    const body = groupToWire(draft);
    if (draft.id !== undefined && doc.savedValue !== undefined && sameRequest(body, groupToWire(doc.savedValue))) {
      // Nothing to send: a confirmation would claim a save that did not happen.
      doc.saved(draft);
      save.unchanged('Nothing to save: the group has not changed.');
      return;
    }
    const result = await actions.save(draft.id, body);
    if (result !== undefined) doc.saved(groupDraftFromWire(result));
  };

  return (
    <>
      <PageTitle>{draft.id === undefined ? 'New Access group' : `Edit group: ${draft.name}`}</PageTitle>
      <p>
        <Link href="/groups">Back to groups</Link>
      </p>
      <EditorForm what="group" save={save} dirty={doc.dirty} isNew={draft.id === undefined} onSubmit={() => void submit()} onDelete={() => void actions.remove(draft.id!)}>
        <TextField label="Name" pointer="/name" value={draft.name} onInput={(v) => change({ ...draft, name: v })} />
        <CheckboxField label="Default group" pointer="/is_default" checked={draft.is_default} onChange={(v) => change({ ...draft, is_default: v })} />
        <h2>Rules</h2>
        <RuleBuilder draft={draft} onChange={change} />
      </EditorForm>
    </>
  );
}
