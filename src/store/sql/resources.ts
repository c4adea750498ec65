// Account resources in SQL: policies, Access groups, Gateway lists, applications, identity
// providers, service tokens, ... share one table, told apart by kind, with their outgoing
// references (a policy naming a group) in `refs`, rewritten with each write.

import type { PageOf, PageRequest, Referrer, ResourceFilter, ResourceKind, ResourceRecord, ResourceRef, StoreWriter } from '../store.js';
import { likePattern, now, type SqlContext } from './context.js';
import type { DialectSql } from '../dialect.js';
import type { SecretSealer } from '../secret-sealer.js';

export type ResourceRepository = Pick<
  StoreWriter,
  'getResource' | 'getResources' | 'listResources' | 'allResources' | 'referrers' | 'referrerCounts' | 'references' | 'insertResource' | 'updateResource' | 'deleteResource'
>;

interface ResourceRow {
  account_id: string;
  kind: ResourceKind;
  id: string;
  parent_id: string | null;
  name: string;
  body: string;
  secret_hash: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}

function rowToResource(row: ResourceRow, secrets: SecretSealer): ResourceRecord {
  return {
    accountId: row.account_id,
    kind: row.kind,
    id: row.id,
    parentId: row.parent_id,
    name: row.name,
    body: secrets.open(row.kind, JSON.parse(row.body) as Record<string, unknown>),
    secretHash: row.secret_hash,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: Number(row.version),
  };
}

function dedupeRefs(refs: readonly ResourceRef[]): ResourceRef[] {
  const seen = new Map<string, ResourceRef>();
  for (const ref of refs) seen.set(`${ref.kind}\n${ref.id}`, ref);
  return [...seen.values()];
}

function resourceWhere(sql: DialectSql, accountId: string, kind: ResourceKind, filter: ResourceFilter = {}): { where: string; params: unknown[] } {
  const clauses = ['account_id = ?', 'kind = ?'];
  const params: unknown[] = [accountId, kind];
  if (filter.parentId !== undefined) {
    clauses.push('parent_id = ?');
    params.push(filter.parentId);
  }
  if (filter.name !== undefined) {
    clauses.push('name = ?');
    params.push(filter.name);
  }
  if (filter.search !== undefined && filter.search !== '') {
    clauses.push(`${sql.lower('name')} LIKE ? ESCAPE '\\'`);
    params.push(likePattern(filter.search));
  }
  for (const match of filter.text ?? []) {
    const alternatives = match.in.map((source) => {
      const column = source === 'name' ? 'name' : sql.jsonText('body', source.body);
      params.push(match.exact ? match.value : likePattern(match.value));
      return match.exact ? `${column} = ?` : `${sql.lower(column)} LIKE ? ESCAPE '\\'`;
    });
    clauses.push(alternatives.length === 0 ? 'false' : `(${alternatives.join(' OR ')})`);
  }
  for (const flag of filter.flags ?? []) clauses.push(flag.value ? sql.jsonIsTrue('body', flag.path) : `NOT ${sql.jsonIsTrue('body', flag.path)}`);
  return { where: clauses.join(' AND '), params };
}

export function resourceRepository({ ex, sql, audited, note, secrets }: SqlContext): ResourceRepository {
  const toResource = (row: ResourceRow): ResourceRecord => rowToResource(row, secrets);
  const getResource = async (accountId: string, kind: ResourceKind, id: string): Promise<ResourceRecord | undefined> => {
    const row = await ex.get<ResourceRow>('SELECT * FROM resources WHERE account_id = ? AND kind = ? AND id = ?', [accountId, kind, id]);
    return row === undefined ? undefined : toResource(row);
  };

  const writeRefs = async (accountId: string, kind: ResourceKind, id: string, refs: readonly ResourceRef[]): Promise<void> => {
    await ex.run('DELETE FROM refs WHERE account_id = ? AND from_kind = ? AND from_id = ?', [accountId, kind, id]);
    const unique = dedupeRefs(refs);
    if (unique.length === 0) return;
    await ex.run(
      `INSERT INTO refs (account_id, from_kind, from_id, to_kind, to_id)
       SELECT ?, ?, ?, x.kind, x.id FROM ${sql.jsonRows(['kind', 'id'])} AS x WHERE true`,
      [accountId, kind, id, JSON.stringify(unique)],
    );
  };

  return {
    getResource,

    async getResources(accountId, kind, ids) {
      if (ids.length === 0) return [];
      const rows = await ex.all<ResourceRow>(
        `SELECT * FROM resources WHERE account_id = ? AND kind = ? AND ${sql.inJsonArray('id')} ORDER BY created_at, ${sql.insertionOrder}`,
        [accountId, kind, JSON.stringify(ids)],
      );
      return rows.map(toResource);
    },

    async listResources(accountId, kind, page: PageRequest, filter): Promise<PageOf<ResourceRecord>> {
      const { where, params } = resourceWhere(sql, accountId, kind, filter);
      // The total rides on every row (computed once: the subquery does not depend on the row),
      // so a page and its total are one round trip and one snapshot; only a page past the end,
      // or of no rows (SCIM's count=0 asks for the total alone), asks for the total on its own.
      const rows = await ex.all<ResourceRow & { total: number }>(
        `SELECT r.*, (SELECT COUNT(*) FROM resources WHERE ${where}) AS total
           FROM resources r WHERE ${where} ORDER BY r.created_at, r.${sql.insertionOrder} LIMIT ? OFFSET ?`,
        [...params, ...params, page.limit, page.offset],
      );
      if (rows.length > 0) return { items: rows.map(toResource), total: Number(rows[0].total) };
      if (page.offset === 0 && page.limit > 0) return { items: [], total: 0 };
      const count = await ex.get<{ n: number }>(`SELECT COUNT(*) AS n FROM resources WHERE ${where}`, params);
      return { items: [], total: Number(count?.n ?? 0) };
    },

    async allResources(accountId, kind, filter) {
      const { where, params } = resourceWhere(sql, accountId, kind, filter);
      return (await ex.all<ResourceRow>(`SELECT * FROM resources WHERE ${where} ORDER BY created_at, ${sql.insertionOrder}`, params)).map(toResource);
    },

    async referrers(accountId, kind, id): Promise<Referrer[]> {
      const rows = await ex.all<{ kind: ResourceKind; id: string; name: string; parent_id: string | null }>(
        `SELECT r.from_kind AS kind, r.from_id AS id, res.name AS name, res.parent_id AS parent_id
           FROM refs r JOIN resources res ON res.account_id = r.account_id AND res.kind = r.from_kind AND res.id = r.from_id
          WHERE r.account_id = ? AND r.to_kind = ? AND r.to_id = ?
          ORDER BY res.created_at, res.${sql.insertionOrder}`,
        [accountId, kind, id],
      );
      return rows.map((r) => ({ kind: r.kind, id: r.id, name: r.name, parentId: r.parent_id }));
    },

    async referrerCounts(accountId, kind, ids, fromKind) {
      const counts = new Map<string, number>(ids.map((id) => [id, 0]));
      if (ids.length === 0) return counts;
      const rows = await ex.all<{ to_id: string; n: number }>(
        `SELECT to_id, COUNT(*) AS n FROM refs WHERE account_id = ? AND to_kind = ? AND from_kind = ? AND ${sql.inJsonArray('to_id')} GROUP BY to_id`,
        [accountId, kind, fromKind, JSON.stringify(ids)],
      );
      for (const row of rows) counts.set(row.to_id, Number(row.n));
      return counts;
    },

    async references(accountId) {
      const rows = await ex.all<{ from_kind: ResourceKind; from_id: string; to_kind: ResourceKind; to_id: string }>(
        'SELECT from_kind, from_id, to_kind, to_id FROM refs WHERE account_id = ? ORDER BY from_kind, from_id, to_kind, to_id',
        [accountId],
      );
      return rows.map((r) => ({ from: { kind: r.from_kind, id: r.from_id }, to: { kind: r.to_kind, id: r.to_id } }));
    },

    async insertResource(resource, refs) {
      const record: ResourceRecord = { ...resource, updatedAt: resource.updatedAt ?? resource.createdAt, version: 1 };
      await ex.run(
        `INSERT INTO resources (account_id, kind, id, parent_id, name, body, secret_hash, created_at, updated_at, version)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          record.accountId,
          record.kind,
          record.id,
          record.parentId,
          record.name,
          JSON.stringify(secrets.seal(record.kind, record.body)),
          record.secretHash,
          record.createdAt,
          record.updatedAt,
          record.version,
        ],
      );
      await writeRefs(record.accountId, record.kind, record.id, refs);
      note({ accountId: record.accountId, action: 'create', resourceKind: record.kind, resourceId: record.id, before: null, after: record.body });
      return record;
    },

    async updateResource(accountId, kind, id, update, refs) {
      const setSecret = update.secretHash !== undefined;
      const before = audited ? await getResource(accountId, kind, id) : undefined;
      const result = await ex.run(
        `UPDATE resources SET name = ?, body = ?, updated_at = ?, version = version + 1${setSecret ? ', secret_hash = ?' : ''}
          WHERE account_id = ? AND kind = ? AND id = ?`,
        [update.name, JSON.stringify(secrets.seal(kind, update.body)), now(), ...(setSecret ? [update.secretHash] : []), accountId, kind, id],
      );
      if (result.changes === 0) return undefined;
      if (refs !== undefined) await writeRefs(accountId, kind, id, refs);
      // A new secret hash is a rotation: say so, since the bodies alone may look alike.
      const rotated = setSecret && update.secretHash !== before?.secretHash;
      note({ accountId, action: rotated ? 'rotate' : 'update', resourceKind: kind, resourceId: id, before: before?.body ?? null, after: update.body });
      return getResource(accountId, kind, id);
    },

    async deleteResource(accountId, kind, id) {
      const before = audited ? await getResource(accountId, kind, id) : undefined;
      const result = await ex.run('DELETE FROM resources WHERE account_id = ? AND kind = ? AND id = ?', [accountId, kind, id]);
      await ex.run('DELETE FROM refs WHERE account_id = ? AND from_kind = ? AND from_id = ?', [accountId, kind, id]);
      if (result.changes > 0) note({ accountId, action: 'delete', resourceKind: kind, resourceId: id, before: before?.body ?? null, after: null });
      return result.changes > 0;
    },
  };
}
