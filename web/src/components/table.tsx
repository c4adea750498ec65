// A resource list as a table: its load error, a loading state, the header row and a message
// when there is nothing to show.

import type { ComponentChildren } from 'preact';
import { ErrorBanner, Loading } from './common.js';

export function TableView<T>({
  what,
  error,
  items,
  columns,
  row,
  empty,
}: {
  /** What the rows are, plural: "Access groups". */
  what: string;
  error: unknown;
  items: readonly T[] | undefined;
  /** Column headings; an empty one (a column of buttons) is named for screen readers only. */
  columns: readonly string[];
  row: (item: T) => ComponentChildren;
  empty: string;
}) {
  if (items === undefined) return error !== undefined ? <ErrorBanner error={error} title={`The ${what.toLowerCase()} could not be loaded`} /> : <Loading what={what.toLowerCase()} />;
  return (
    <>
      <ErrorBanner error={error} title={`The ${what.toLowerCase()} could not be reloaded`} />
      <div class="table-wrap">
        <table>
          <caption class="visually-hidden">{what}</caption>
          <thead>
            <tr>
              {columns.map((column, i) => (
                <th key={i} scope="col">
                  {column === '' ? <span class="visually-hidden">Actions</span> : column}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>{items.map(row)}</tbody>
        </table>
        {items.length === 0 && <p class="empty">{empty}</p>}
      </div>
    </>
  );
}
