// A resource list as a table: its load error, a loading state, the header row (sortable by the
// columns that say how) and a message when there is nothing to show. Sorting the rows here is
// right only for a list loaded whole; a table the server pages sorts through the server
// (`serverSort`), or not at all.

import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ErrorBanner, Loading } from './common.js';

/** How to sort by a column: the value compared (text with locale rules, numbers numerically). */
export type SortKey<T> = (item: T) => string | number;

const compare = (a: string | number, b: string | number): number =>
  typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: 'base' });

export function TableView<T>({
  what,
  error,
  items,
  columns,
  row,
  empty,
  sortKeys = [],
  serverSort,
  className,
}: {
  /** What the rows are, plural: "Access groups". */
  what: string;
  error: unknown;
  items: readonly T[] | undefined;
  /** Column headings; an empty one (a column of buttons) is named for screen readers only. */
  columns: readonly string[];
  row: (item: T) => ComponentChildren;
  empty: string;
  /** Per column, how to sort by it (undefined: not sortable). The order given is kept until a heading is clicked. */
  sortKeys?: readonly (SortKey<T> | undefined)[];
  /** The one column the server orders the rows by (every page, not just this one), and how to reverse it. */
  serverSort?: { readonly column: number; readonly descending: boolean; reverse(): void };
  /** A class for the table's frame, for a page's own column styles. */
  className?: string;
}) {
  const [localSort, setSort] = useState<{ column: number; descending: boolean } | undefined>(undefined);
  const sort = serverSort ?? localSort;
  const sortable = (column: number): boolean => (serverSort !== undefined ? serverSort.column === column : sortKeys[column] !== undefined);
  const clicked = (column: number): void => {
    if (serverSort !== undefined) serverSort.reverse();
    else setSort({ column, descending: sort?.column === column && !sort.descending });
  };
  if (items === undefined) return error !== undefined ? <ErrorBanner error={error} title={`The ${what.toLowerCase()} could not be loaded`} /> : <Loading what={what.toLowerCase()} />;
  return (
    <>
      <ErrorBanner error={error} title={`The ${what.toLowerCase()} could not be reloaded`} />
      <div class={className === undefined ? 'table-wrap' : `table-wrap ${className}`}>
        <table>
          <caption class="visually-hidden">{what}</caption>
          <thead>
            <tr>
              {columns.map((column, i) => (
                <th key={i} scope="col" aria-sort={sort?.column === i ? (sort.descending ? 'descending' : 'ascending') : undefined}>
                  {column === '' ? (
                    <span class="visually-hidden">Actions</span>
                  ) : !sortable(i) ? (
                    column
                  ) : (
                    <button type="button" class="sort" onClick={() => clicked(i)}>
                      {column}
                      <span aria-hidden="true">{sort?.column !== i ? ' ↕' : sort.descending ? ' ↓' : ' ↑'}</span>
                    </button>
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>{(serverSort !== undefined ? items : sorted(items, sort, sortKeys)).map(row)}</tbody>
        </table>
        {items.length === 0 && <p class="empty">{empty}</p>}
      </div>
    </>
  );
}

function sorted<T>(items: readonly T[], sort: { column: number; descending: boolean } | undefined, keys: readonly (SortKey<T> | undefined)[]): readonly T[] {
  const key = sort === undefined ? undefined : keys[sort.column];
  if (sort === undefined || key === undefined) return items;
  const direction = sort.descending ? -1 : 1;
  return [...items].sort((a, b) => direction * compare(key(a), key(b)));
}
