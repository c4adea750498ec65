// The query of GET /gateway/lists as the current Cloudflare SDK documents it (ListListParams):
// `type`, `search` (name or description), repeated `filter` entries `field:value` (all must
// match), `order_by` and `direction`. The list is one page, so filtering and ordering happen here.

import type { ResourceRecord } from '../../store/store.js';
import { arr, enumOf, str } from '../../schema/json-schema.js';
import { LIST_TYPES } from '../../schema/lists.js';

const ORDER_FIELDS = ['name', 'created_at', 'updated_at', 'item_count'] as const;
type OrderField = (typeof ORDER_FIELDS)[number];
const FILTER_PATTERN = `^(name:.*|id:.*|type:(${LIST_TYPES.join('|')})|item_count:(0|[1-9][0-9]*))$`;

export const LIST_QUERY = {
  type: enumOf(LIST_TYPES, 'Only lists of this type (a `type:` filter takes its place when both are given).'),
  search: str({ description: 'Only lists whose name or description contains this text (case-insensitive).' }),
  filter: arr(
    str({
      pattern: FILTER_PATTERN,
      patternHint: 'field:value, the field one of name, id, type, item_count',
      description:
        '`field:value`; repeat the parameter to apply several (all must match). `name:` a case-insensitive substring of the name; `id:` a substring of the id, with or without dashes; `type:` the exact type; `item_count:` the exact number of entries.',
    }),
  ),
  order_by: enumOf(ORDER_FIELDS, 'Order by this field (default: creation, oldest first).'),
  direction: enumOf(['asc', 'desc'] as const, 'asc or desc; by default descending for created_at and updated_at when named in order_by, ascending otherwise.'),
};

export interface ListQuery {
  readonly type?: string;
  readonly search?: string;
  readonly filter?: readonly string[];
  readonly order_by?: OrderField;
  readonly direction?: 'asc' | 'desc';
}

/** A list with what the query looks at beyond its record. */
export interface CountedList {
  readonly record: ResourceRecord;
  readonly count: number;
}

const contains = (haystack: unknown, needle: string): boolean => typeof haystack === 'string' && haystack.toLowerCase().includes(needle.toLowerCase());
const undashed = (id: string): string => id.replaceAll('-', '').toLowerCase();

/** Whether a list passes one validated `field:value` entry. */
function passes(list: CountedList, entry: string): boolean {
  const colon = entry.indexOf(':');
  const field = entry.slice(0, colon);
  const value = entry.slice(colon + 1);
  if (field === 'name') return contains(list.record.name, value);
  if (field === 'id') return undashed(list.record.id).includes(undashed(value));
  if (field === 'type') return list.record.body.type === value;
  return list.count === Number(value);
}

function sortKey(list: CountedList, field: OrderField): string | number {
  if (field === 'item_count') return list.count;
  if (field === 'name') return list.record.name;
  return field === 'created_at' ? list.record.createdAt : list.record.updatedAt;
}

/** The lists `query` asks for, in its order; `lists` come in creation order. */
export function selectLists(lists: readonly CountedList[], query: ListQuery): CountedList[] {
  const filters = query.filter ?? [];
  const typed = filters.some((entry) => entry.startsWith('type:'));
  const search = query.search ?? '';
  const selected = lists.filter(
    (list) =>
      (typed || query.type === undefined || list.record.body.type === query.type) &&
      (search === '' || contains(list.record.name, search) || contains(list.record.body.description, search)) &&
      filters.every((entry) => passes(list, entry)),
  );
  if (query.order_by === undefined) return query.direction === 'desc' ? selected.reverse() : selected;
  const field = query.order_by;
  const descending = (query.direction ?? (field === 'created_at' || field === 'updated_at' ? 'desc' : 'asc')) === 'desc';
  // Array.prototype.sort is stable: equal keys keep creation order.
  return selected.sort((a, b) => {
    const x = sortKey(a, field);
    const y = sortKey(b, field);
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return descending ? -order : order;
  });
}
