// The items of Gateway lists in SQL (the lists themselves are resources): paged reads, counts
// per list, and bulk adds and removals as one statement each over a JSON parameter.

import type { StoreWriter } from '../store.js';
import { now, type SqlContext } from './context.js';

export type ListItemRepository = Pick<StoreWriter, 'listItems' | 'listItemValues' | 'listItemCounts' | 'addListItems' | 'removeListItems' | 'deleteListItems'>;

export function listItemRepository({ ex, sql, note }: SqlContext): ListItemRepository {
  return {
    async listItems(accountId, listId, page) {
      const rows = await ex.all<{ value: string; description: string | null; created_at: string }>(
        'SELECT value, description, created_at FROM list_items WHERE account_id = ? AND list_id = ? ORDER BY created_at, value LIMIT ? OFFSET ?',
        [accountId, listId, page.limit, page.offset],
      );
      const count = await ex.get<{ n: number }>('SELECT COUNT(*) AS n FROM list_items WHERE account_id = ? AND list_id = ?', [accountId, listId]);
      return { items: rows.map((r) => ({ value: r.value, description: r.description, createdAt: r.created_at })), total: Number(count?.n ?? 0) };
    },

    async listItemValues(accountId, listId) {
      const rows = await ex.all<{ value: string }>('SELECT value FROM list_items WHERE account_id = ? AND list_id = ?', [accountId, listId]);
      return rows.map((r) => r.value);
    },

    async listItemCounts(accountId, listIds) {
      const counts = new Map<string, number>(listIds.map((id) => [id, 0]));
      if (listIds.length === 0) return counts;
      const rows = await ex.all<{ list_id: string; n: number }>(
        `SELECT list_id, COUNT(*) AS n FROM list_items WHERE account_id = ? AND ${sql.inJsonArray('list_id')} GROUP BY list_id`,
        [accountId, JSON.stringify(listIds)],
      );
      for (const row of rows) counts.set(row.list_id, Number(row.n));
      return counts;
    },

    async addListItems(accountId, listId, items) {
      if (items.length === 0) return 0;
      const rows = items.map((i) => ({ value: i.value, description: i.description ?? null }));
      const result = await ex.run(
        `INSERT INTO list_items (account_id, list_id, value, description, created_at)
         SELECT ?, ?, x.value, x.description, ? FROM ${sql.jsonRows(['value', 'description'])} AS x WHERE true
         ON CONFLICT (account_id, list_id, value) DO NOTHING`,
        [accountId, listId, now(), JSON.stringify(rows)],
      );
      note({ accountId, action: 'add_items', resourceKind: 'list', resourceId: listId, before: null, after: rows });
      return result.changes;
    },

    async removeListItems(accountId, listId, values) {
      if (values.length === 0) return 0;
      const result = await ex.run(`DELETE FROM list_items WHERE account_id = ? AND list_id = ? AND ${sql.inJsonArray('value')}`, [
        accountId,
        listId,
        JSON.stringify(values),
      ]);
      if (result.changes > 0) note({ accountId, action: 'remove_items', resourceKind: 'list', resourceId: listId, before: values, after: null });
      return result.changes;
    },

    async deleteListItems(accountId, listId) {
      const removed = await ex.run('DELETE FROM list_items WHERE account_id = ? AND list_id = ?', [accountId, listId]);
      if (removed.changes > 0) note({ accountId, action: 'remove_items', resourceKind: 'list', resourceId: listId, before: { count: removed.changes }, after: null });
    },
  };
}
