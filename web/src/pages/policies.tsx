// Reusable policies: searchable list with how many applications use each.

import { useState } from 'preact/hooks';
import { useApp } from '../app-context.js';
import { DecisionBadge, Link, PageTitle, SearchBox, useAsync } from '../components/common.js';
import { TableView } from '../components/table.js';

export function PoliciesPage() {
  const { api, draft, setDraft } = useApp();
  const [search, setSearch] = useState('');
  const policies = useAsync(() => api.policies.all(), []);
  const shown = (policies.data ?? []).filter((p) => p.name.toLowerCase().includes(search.trim().toLowerCase()));
  return (
    <>
      <PageTitle
        actions={
          <Link class="button primary" href="/policies/new" onClick={() => setDraft(undefined)}>
            New policy
          </Link>
        }
      >
        Policies
      </PageTitle>
      {draft !== undefined && (
        <div class="banner banner-info" role="status">
          You have unsaved changes to {draft.id === undefined ? 'a new policy' : `"${draft.name}"`}.{' '}
          <Link href={draft.id === undefined ? '/policies/new' : `/policies/${draft.id}`}>Continue editing</Link>{' '}
          <button type="button" class="link" onClick={() => setDraft(undefined)}>
            Discard
          </button>
        </div>
      )}
      <SearchBox label="Search policies by name" value={search} onSearch={setSearch} />
      <TableView
        what="Policies"
        error={policies.error}
        items={policies.data === undefined ? undefined : shown}
        columns={['Name', 'Decision', 'Applications', 'Rules', 'Updated']}
        sortKeys={[(p) => p.name, (p) => p.decision, (p) => p.app_count ?? 0, (p) => p.include.length + (p.require?.length ?? 0) + (p.exclude?.length ?? 0), (p) => p.updated_at ?? '']}
        empty={search === '' ? 'No policies yet.' : `No policy name contains "${search}".`}
        row={(p) => (
          <tr key={p.id}>
            <th scope="row">
              <Link href={`/policies/${p.id}`} onClick={() => setDraft(undefined)}>
                {p.name}
              </Link>
            </th>
            <td>
              <DecisionBadge decision={p.decision} />
            </td>
            <td class="number">{p.app_count}</td>
            <td class="number">{p.include.length + (p.require?.length ?? 0) + (p.exclude?.length ?? 0)}</td>
            <td>{p.updated_at?.slice(0, 10)}</td>
          </tr>
        )}
      />
    </>
  );
}
