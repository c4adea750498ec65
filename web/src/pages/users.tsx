// Zero Trust users (the directory the tester runs over) with their last seen identity, and
// an import of users as JSON or NDJSON.

import { useState } from 'preact/hooks';
import { ApiFailure } from '../api/client.js';
import type { User } from '../api/operations.js';
import { useApp } from '../app-context.js';
import { ErrorBanner, formatCount, Loading, PageTitle, Pager, SearchBox, useAsync } from '../components/common.js';
import { TableView } from '../components/table.js';
import { EditorForm } from '../components/editor-form.js';
import { TextField } from '../components/fields.js';
import { Modal } from '../components/modal.js';
import { useSaveState } from '../components/save-state.js';

const PER_PAGE = 25;

/** `{"users": [...]}`, a JSON array of users, one user object, or NDJSON (one user a line). */
function parseImport(text: string): unknown[] {
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch {
    return text
      .split('\n')
      .map((line, i) => ({ line: line.trim(), number: i + 1 }))
      .filter(({ line }) => line !== '')
      .map(({ line, number }) => {
        try {
          return JSON.parse(line) as unknown;
        } catch (err) {
          throw new Error(`Line ${number} is not JSON: ${(err as Error).message}`);
        }
      });
  }
  if (Array.isArray(whole)) return whole;
  const users = (whole as { users?: unknown } | null)?.users;
  return Array.isArray(users) ? users : [whole];
}

function IdentityDrawer({ user, onClose }: { user: User; onClose: () => void }) {
  const { api } = useApp();
  const identity = useAsync(async () => {
    try {
      return (await api.users.identity(user.id)).result;
    } catch (err) {
      if (err instanceof ApiFailure && err.status === 404) return null;
      throw err;
    }
  }, [user.id]);
  return (
    <Modal title={`Last seen identity of ${user.email}`} onClose={onClose}>
      <ErrorBanner error={identity.error} title="The identity could not be loaded" />
      {identity.loading ? (
        <Loading what="the identity" />
      ) : identity.data === null ? (
        <p>This user has no last seen identity yet: one is recorded at login, or set through the API or an import.</p>
      ) : (
        <pre class="json">{JSON.stringify(identity.data, null, 2)}</pre>
      )}
    </Modal>
  );
}

export function UsersPage() {
  const { api } = useApp();
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const [shown, setShown] = useState<User | undefined>(undefined);
  const users = useAsync(() => api.users.list({ search, page, per_page: PER_PAGE }), [search, page]);
  const [importText, setImportText] = useState('');
  const save = useSaveState();

  const runImport = async (): Promise<void> => {
    let entries: unknown[];
    try {
      entries = parseImport(importText);
    } catch (err) {
      save.refuse([{ pointer: '/users', message: (err as Error).message }]);
      return;
    }
    // The server would take an empty list and import nothing, which "Users imported." misreports.
    if (entries.length === 0) {
      save.refuse([{ pointer: '/users', message: 'Nothing to import: paste at least one user, such as {"email": "ada@example.com"}.' }]);
      return;
    }
    const result = await save.save(() => api.users.import({ users: entries }), 'Users imported.');
    if (result !== undefined) {
      setImportText('');
      users.reload();
    }
  };

  return (
    <>
      <PageTitle>Users</PageTitle>
      <SearchBox
        label="Search by email or name"
        value={search}
        onSearch={(text) => {
          setSearch(text);
          setPage(1);
        }}
      />
      <TableView
        what="Users"
        error={users.error}
        items={users.data?.result}
        columns={['Email', 'Name', 'Last seen (sign-in or import)', 'Identity']}
        empty={`No users${search !== '' ? ` match "${search}"` : ' yet'}.`}
        row={(u) => (
          <tr key={u.id}>
            <th scope="row">{u.email}</th>
            <td>{u.name}</td>
            <td>{u.last_successful_login?.slice(0, 16).replace('T', ' ') ?? 'never'}</td>
            <td>
              {/* access_seat: the user has a last seen identity. Without one there is nothing to show, so no button. */}
              {u.access_seat ? (
                <button type="button" onClick={() => setShown(u)} aria-label={`Show the last seen identity of ${u.email}`}>
                  Show
                </button>
              ) : (
                'None yet'
              )}
            </td>
          </tr>
        )}
      />
      {users.data !== undefined && (
        <>
          <p class="count">{formatCount(users.data.info?.total_count ?? 0)} users</p>
          <Pager page={page} totalPages={users.data.info?.total_pages ?? 1} onPage={setPage} label="Users pages" />
        </>
      )}
      <h2>Import users</h2>
      <EditorForm what="import" save={save} isNew submitLabel={{ idle: 'Import users', busy: 'Importing…' }} onSubmit={() => void runImport()}>
        <TextField
          label="Users as JSON or NDJSON"
          multiline
          pointer="/users"
          hint='One {"email", "name", "identity"} object a line, or a JSON array of them. Users are matched by email; all or nothing.'
          value={importText}
          onInput={setImportText}
        />
      </EditorForm>
      {shown !== undefined && <IdentityDrawer user={shown} onClose={() => setShown(undefined)} />}
    </>
  );
}
