// The store, written once in SQL both dialects understand. The few dialect differences
// (reading a JSON array parameter as rows) live in `sqlFor`; drivers translate placeholders.

import { auditTime, currentAuditActor, writeAudit, type AuditChange, type AuditRecord } from './audit.js';
import { sqlFor, type DialectSql } from './dialect.js';
import type { Dialect, Driver, Executor } from './driver.js';
import { MIGRATIONS } from './migrations.js';
import { SqlPolicyTests } from './sql-policy-tests.js';
import { TOKENS_SCOPE } from './store.js';
import type {
  AuditFilter,
  ListItemRecord,
  NewResource,
  PageOf,
  PageRequest,
  Referrer,
  ResourceFilter,
  ResourceKind,
  ResourceRecord,
  ResourceRef,
  Store,
  StoreWriter,
  TokenRecord,
  UserFilter,
  UserRecord,
  UserUpsert,
} from './store.js';

/** Escape a user's search text for LIKE ... ESCAPE '\'. */
function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c)}%`;
}

const now = (): string => new Date().toISOString();

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

function toResource(row: ResourceRow): ResourceRecord {
  return {
    accountId: row.account_id,
    kind: row.kind,
    id: row.id,
    parentId: row.parent_id,
    name: row.name,
    body: JSON.parse(row.body) as Record<string, unknown>,
    secretHash: row.secret_hash,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: Number(row.version),
  };
}

interface UserRow {
  seq: number;
  account_id: string;
  id: string;
  email: string;
  name: string;
  identity: string | null;
  created_at: string;
  updated_at: string;
  last_seen_at: string | null;
}

function toUser(row: UserRow): UserRecord {
  return {
    accountId: row.account_id,
    id: row.id,
    email: row.email,
    name: row.name,
    identity: row.identity === null ? null : (JSON.parse(row.identity) as Record<string, unknown>),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastSeenAt: row.last_seen_at,
    seq: Number(row.seq),
  };
}

interface TokenRow {
  id: string;
  name: string;
  secret_hash: string;
  policies: string;
  condition: string | null;
  status: TokenRecord['status'];
  issued_on: string;
  modified_on: string;
  expires_on: string | null;
  not_before: string | null;
  last_used_on: string | null;
}

function toToken(row: TokenRow): TokenRecord {
  return {
    id: row.id,
    name: row.name,
    secretHash: row.secret_hash,
    policies: JSON.parse(row.policies) as unknown[],
    condition: row.condition === null ? null : (JSON.parse(row.condition) as Record<string, unknown>),
    status: row.status,
    issuedOn: row.issued_on,
    modifiedOn: row.modified_on,
    expiresOn: row.expires_on,
    notBefore: row.not_before,
    lastUsedOn: row.last_used_on,
  };
}

interface AuditRow {
  seq: number;
  id: string;
  account_id: string | null;
  at: string;
  actor_kind: 'root' | 'token';
  actor_token_id: string;
  actor_ip: string;
  request_id: string;
  method: string;
  path: string;
  action: string;
  resource_kind: string;
  resource_id: string;
  before: string | null;
  after: string | null;
}

function toAudit(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    seq: Number(row.seq),
    at: row.at,
    accountId: row.account_id,
    actor: { kind: row.actor_kind, tokenId: row.actor_token_id, ip: row.actor_ip, requestId: row.request_id, method: row.method, path: row.path },
    action: row.action,
    resourceKind: row.resource_kind,
    resourceId: row.resource_id,
    before: row.before === null ? null : (JSON.parse(row.before) as unknown),
    after: row.after === null ? null : (JSON.parse(row.after) as unknown),
  };
}

const emailKey = (email: string): string => email.toLowerCase();

/** What the audit log keeps of a user. */
const userAudit = (u: UserRecord) => ({ email: u.email, name: u.name, identity: u.identity });
/** What the audit log keeps of an API token: never its secret's hash. */
const tokenAudit = (t: TokenRecord) => ({ name: t.name, status: t.status, policies: t.policies, condition: t.condition, expires_on: t.expiresOn, not_before: t.notBefore });

function dedupeRefs(refs: readonly ResourceRef[]): ResourceRef[] {
  const seen = new Map<string, ResourceRef>();
  for (const ref of refs) seen.set(`${ref.kind}\n${ref.id}`, ref);
  return [...seen.values()];
}

/** Reads and writes over one executor: the reader connection, or an open transaction. */
class SqlRepository implements StoreWriter {
  constructor(
    private readonly ex: Executor,
    private readonly sql: DialectSql,
    /** Where writes note what they changed, for the audit log (absent: not audited). */
    private readonly changes?: AuditChange[],
  ) {}

  private note(change: AuditChange): void {
    this.changes?.push(change);
  }

  // ------------------------------------------------------------------ resources

  async getResource(accountId: string, kind: ResourceKind, id: string): Promise<ResourceRecord | undefined> {
    const row = await this.ex.get<ResourceRow>('SELECT * FROM resources WHERE account_id = ? AND kind = ? AND id = ?', [accountId, kind, id]);
    return row === undefined ? undefined : toResource(row);
  }

  async getResources(accountId: string, kind: ResourceKind, ids: readonly string[]): Promise<ResourceRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.ex.all<ResourceRow>(
      `SELECT * FROM resources WHERE account_id = ? AND kind = ? AND ${this.sql.inJsonArray('id')} ORDER BY created_at, ${this.sql.insertionOrder}`,
      [accountId, kind, JSON.stringify(ids)],
    );
    return rows.map(toResource);
  }

  private resourceWhere(accountId: string, kind: ResourceKind, filter: ResourceFilter = {}): { where: string; params: unknown[] } {
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
      clauses.push("lower(name) LIKE ? ESCAPE '\\'");
      params.push(likePattern(filter.search));
    }
    return { where: clauses.join(' AND '), params };
  }

  async listResources(accountId: string, kind: ResourceKind, page: PageRequest, filter?: ResourceFilter): Promise<PageOf<ResourceRecord>> {
    const { where, params } = this.resourceWhere(accountId, kind, filter);
    const rows = await this.ex.all<ResourceRow>(`SELECT * FROM resources WHERE ${where} ORDER BY created_at, ${this.sql.insertionOrder} LIMIT ? OFFSET ?`, [
      ...params,
      page.limit,
      page.offset,
    ]);
    const count = await this.ex.get<{ n: number }>(`SELECT COUNT(*) AS n FROM resources WHERE ${where}`, params);
    return { items: rows.map(toResource), total: Number(count?.n ?? 0) };
  }

  async allResources(accountId: string, kind: ResourceKind, filter?: ResourceFilter): Promise<ResourceRecord[]> {
    const { where, params } = this.resourceWhere(accountId, kind, filter);
    return (await this.ex.all<ResourceRow>(`SELECT * FROM resources WHERE ${where} ORDER BY created_at, ${this.sql.insertionOrder}`, params)).map(toResource);
  }

  async referrers(accountId: string, kind: ResourceKind, id: string): Promise<Referrer[]> {
    const rows = await this.ex.all<{ kind: ResourceKind; id: string; name: string; parent_id: string | null }>(
      `SELECT r.from_kind AS kind, r.from_id AS id, res.name AS name, res.parent_id AS parent_id
         FROM refs r JOIN resources res ON res.account_id = r.account_id AND res.kind = r.from_kind AND res.id = r.from_id
        WHERE r.account_id = ? AND r.to_kind = ? AND r.to_id = ?
        ORDER BY res.created_at, res.${this.sql.insertionOrder}`,
      [accountId, kind, id],
    );
    return rows.map((r) => ({ kind: r.kind, id: r.id, name: r.name, parentId: r.parent_id }));
  }

  async referrerCounts(accountId: string, kind: ResourceKind, ids: readonly string[], fromKind: ResourceKind): Promise<Map<string, number>> {
    const counts = new Map<string, number>(ids.map((id) => [id, 0]));
    if (ids.length === 0) return counts;
    const rows = await this.ex.all<{ to_id: string; n: number }>(
      `SELECT to_id, COUNT(*) AS n FROM refs WHERE account_id = ? AND to_kind = ? AND from_kind = ? AND ${this.sql.inJsonArray('to_id')} GROUP BY to_id`,
      [accountId, kind, fromKind, JSON.stringify(ids)],
    );
    for (const row of rows) counts.set(row.to_id, Number(row.n));
    return counts;
  }

  async references(accountId: string): Promise<{ from: ResourceRef; to: ResourceRef }[]> {
    const rows = await this.ex.all<{ from_kind: ResourceKind; from_id: string; to_kind: ResourceKind; to_id: string }>(
      'SELECT from_kind, from_id, to_kind, to_id FROM refs WHERE account_id = ? ORDER BY from_kind, from_id, to_kind, to_id',
      [accountId],
    );
    return rows.map((r) => ({ from: { kind: r.from_kind, id: r.from_id }, to: { kind: r.to_kind, id: r.to_id } }));
  }

  private async writeRefs(accountId: string, kind: ResourceKind, id: string, refs: readonly ResourceRef[]): Promise<void> {
    await this.ex.run('DELETE FROM refs WHERE account_id = ? AND from_kind = ? AND from_id = ?', [accountId, kind, id]);
    const unique = dedupeRefs(refs);
    if (unique.length === 0) return;
    await this.ex.run(
      `INSERT INTO refs (account_id, from_kind, from_id, to_kind, to_id)
       SELECT ?, ?, ?, x.kind, x.id FROM ${this.sql.jsonRows(['kind', 'id'])} AS x WHERE true`,
      [accountId, kind, id, JSON.stringify(unique)],
    );
  }

  async insertResource(resource: NewResource, refs: readonly ResourceRef[]): Promise<ResourceRecord> {
    const record: ResourceRecord = { ...resource, updatedAt: resource.updatedAt ?? resource.createdAt, version: 1 };
    await this.ex.run(
      `INSERT INTO resources (account_id, kind, id, parent_id, name, body, secret_hash, created_at, updated_at, version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        record.accountId,
        record.kind,
        record.id,
        record.parentId,
        record.name,
        JSON.stringify(record.body),
        record.secretHash,
        record.createdAt,
        record.updatedAt,
        record.version,
      ],
    );
    await this.writeRefs(record.accountId, record.kind, record.id, refs);
    this.note({ accountId: record.accountId, action: 'create', resourceKind: record.kind, resourceId: record.id, before: null, after: record.body });
    return record;
  }

  async updateResource(
    accountId: string,
    kind: ResourceKind,
    id: string,
    update: { readonly name: string; readonly body: Record<string, unknown>; readonly secretHash?: string | null },
    refs?: readonly ResourceRef[],
  ): Promise<ResourceRecord | undefined> {
    const setSecret = update.secretHash !== undefined;
    const before = this.changes === undefined ? undefined : await this.getResource(accountId, kind, id);
    const result = await this.ex.run(
      `UPDATE resources SET name = ?, body = ?, updated_at = ?, version = version + 1${setSecret ? ', secret_hash = ?' : ''}
        WHERE account_id = ? AND kind = ? AND id = ?`,
      [update.name, JSON.stringify(update.body), now(), ...(setSecret ? [update.secretHash] : []), accountId, kind, id],
    );
    if (result.changes === 0) return undefined;
    if (refs !== undefined) await this.writeRefs(accountId, kind, id, refs);
    this.note({ accountId, action: 'update', resourceKind: kind, resourceId: id, before: before?.body ?? null, after: update.body });
    return this.getResource(accountId, kind, id);
  }

  async deleteResource(accountId: string, kind: ResourceKind, id: string): Promise<boolean> {
    const before = this.changes === undefined ? undefined : await this.getResource(accountId, kind, id);
    const result = await this.ex.run('DELETE FROM resources WHERE account_id = ? AND kind = ? AND id = ?', [accountId, kind, id]);
    await this.ex.run('DELETE FROM refs WHERE account_id = ? AND from_kind = ? AND from_id = ?', [accountId, kind, id]);
    if (result.changes > 0) this.note({ accountId, action: 'delete', resourceKind: kind, resourceId: id, before: before?.body ?? null, after: null });
    return result.changes > 0;
  }

  // ------------------------------------------------------------------ Gateway list items

  async listItems(accountId: string, listId: string, page: PageRequest): Promise<PageOf<ListItemRecord>> {
    const rows = await this.ex.all<{ value: string; description: string | null; created_at: string }>(
      'SELECT value, description, created_at FROM list_items WHERE account_id = ? AND list_id = ? ORDER BY created_at, value LIMIT ? OFFSET ?',
      [accountId, listId, page.limit, page.offset],
    );
    const count = await this.ex.get<{ n: number }>('SELECT COUNT(*) AS n FROM list_items WHERE account_id = ? AND list_id = ?', [accountId, listId]);
    return { items: rows.map((r) => ({ value: r.value, description: r.description, createdAt: r.created_at })), total: Number(count?.n ?? 0) };
  }

  async listItemValues(accountId: string, listId: string): Promise<string[]> {
    const rows = await this.ex.all<{ value: string }>('SELECT value FROM list_items WHERE account_id = ? AND list_id = ?', [accountId, listId]);
    return rows.map((r) => r.value);
  }

  async listItemCounts(accountId: string, listIds: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>(listIds.map((id) => [id, 0]));
    if (listIds.length === 0) return counts;
    const rows = await this.ex.all<{ list_id: string; n: number }>(
      `SELECT list_id, COUNT(*) AS n FROM list_items WHERE account_id = ? AND ${this.sql.inJsonArray('list_id')} GROUP BY list_id`,
      [accountId, JSON.stringify(listIds)],
    );
    for (const row of rows) counts.set(row.list_id, Number(row.n));
    return counts;
  }

  async addListItems(accountId: string, listId: string, items: readonly { value: string; description?: string | null }[]): Promise<number> {
    if (items.length === 0) return 0;
    const rows = items.map((i) => ({ value: i.value, description: i.description ?? null }));
    const result = await this.ex.run(
      `INSERT INTO list_items (account_id, list_id, value, description, created_at)
       SELECT ?, ?, x.value, x.description, ? FROM ${this.sql.jsonRows(['value', 'description'])} AS x WHERE true
       ON CONFLICT (account_id, list_id, value) DO NOTHING`,
      [accountId, listId, now(), JSON.stringify(rows)],
    );
    this.note({ accountId, action: 'add_items', resourceKind: 'list', resourceId: listId, before: null, after: rows });
    return result.changes;
  }

  async removeListItems(accountId: string, listId: string, values: readonly string[]): Promise<number> {
    if (values.length === 0) return 0;
    const result = await this.ex.run(`DELETE FROM list_items WHERE account_id = ? AND list_id = ? AND ${this.sql.inJsonArray('value')}`, [
      accountId,
      listId,
      JSON.stringify(values),
    ]);
    if (result.changes > 0) this.note({ accountId, action: 'remove_items', resourceKind: 'list', resourceId: listId, before: values, after: null });
    return result.changes;
  }

  async deleteListItems(accountId: string, listId: string): Promise<void> {
    const removed = await this.ex.run('DELETE FROM list_items WHERE account_id = ? AND list_id = ?', [accountId, listId]);
    if (removed.changes > 0) this.note({ accountId, action: 'remove_items', resourceKind: 'list', resourceId: listId, before: { count: removed.changes }, after: null });
  }

  // ------------------------------------------------------------------ users

  async getUser(accountId: string, id: string): Promise<UserRecord | undefined> {
    const row = await this.ex.get<UserRow>('SELECT * FROM users WHERE account_id = ? AND id = ?', [accountId, id]);
    return row === undefined ? undefined : toUser(row);
  }

  async getUserByEmail(accountId: string, email: string): Promise<UserRecord | undefined> {
    const row = await this.ex.get<UserRow>('SELECT * FROM users WHERE account_id = ? AND email_key = ?', [accountId, emailKey(email)]);
    return row === undefined ? undefined : toUser(row);
  }

  async listUsers(accountId: string, page: PageRequest, filter: UserFilter = {}): Promise<PageOf<UserRecord>> {
    const clauses = ['account_id = ?'];
    const params: unknown[] = [accountId];
    if (filter.email !== undefined) {
      clauses.push('email_key = ?');
      params.push(emailKey(filter.email));
    }
    if (filter.name !== undefined) {
      clauses.push('name = ?');
      params.push(filter.name);
    }
    if (filter.search !== undefined && filter.search !== '') {
      clauses.push("(email_key LIKE ? ESCAPE '\\' OR lower(name) LIKE ? ESCAPE '\\')");
      params.push(likePattern(filter.search), likePattern(filter.search));
    }
    const where = clauses.join(' AND ');
    const rows = await this.ex.all<UserRow>(`SELECT * FROM users WHERE ${where} ORDER BY seq LIMIT ? OFFSET ?`, [...params, page.limit, page.offset]);
    const count = await this.ex.get<{ n: number }>(`SELECT COUNT(*) AS n FROM users WHERE ${where}`, params);
    return { items: rows.map(toUser), total: Number(count?.n ?? 0) };
  }

  async countUsers(accountId: string): Promise<number> {
    const row = await this.ex.get<{ n: number }>('SELECT COUNT(*) AS n FROM users WHERE account_id = ?', [accountId]);
    return Number(row?.n ?? 0);
  }

  async insertUser(user: { accountId: string; id: string; email: string; name: string; identity: Record<string, unknown> | null }): Promise<UserRecord> {
    const at = now();
    await this.ex.run(
      `INSERT INTO users (account_id, id, email, email_key, name, identity, created_at, updated_at, last_seen_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        user.accountId,
        user.id,
        user.email,
        emailKey(user.email),
        user.name,
        user.identity === null ? null : JSON.stringify(user.identity),
        at,
        at,
        user.identity === null ? null : at,
      ],
    );
    const created = (await this.getUser(user.accountId, user.id))!;
    this.note({ accountId: user.accountId, action: 'create', resourceKind: 'user', resourceId: user.id, before: null, after: userAudit(created) });
    return created;
  }

  async updateUser(accountId: string, id: string, update: { name?: string; identity?: Record<string, unknown> | null }): Promise<UserRecord | undefined> {
    const at = now();
    const sets = ['updated_at = ?'];
    const params: unknown[] = [at];
    if (update.name !== undefined) {
      sets.push('name = ?');
      params.push(update.name);
    }
    if (update.identity !== undefined) {
      sets.push('identity = ?', 'last_seen_at = ?');
      params.push(update.identity === null ? null : JSON.stringify(update.identity), update.identity === null ? null : at);
    }
    const before = this.changes === undefined ? undefined : await this.getUser(accountId, id);
    const result = await this.ex.run(`UPDATE users SET ${sets.join(', ')} WHERE account_id = ? AND id = ?`, [...params, accountId, id]);
    if (result.changes === 0) return undefined;
    const after = (await this.getUser(accountId, id))!;
    this.note({ accountId, action: 'update', resourceKind: 'user', resourceId: id, before: before === undefined ? null : userAudit(before), after: userAudit(after) });
    return after;
  }

  async deleteUser(accountId: string, id: string): Promise<boolean> {
    const before = this.changes === undefined ? undefined : await this.getUser(accountId, id);
    const deleted = (await this.ex.run('DELETE FROM users WHERE account_id = ? AND id = ?', [accountId, id])).changes > 0;
    if (deleted) this.note({ accountId, action: 'delete', resourceKind: 'user', resourceId: id, before: before === undefined ? null : userAudit(before), after: null });
    return deleted;
  }

  async upsertUsers(accountId: string, users: readonly UserUpsert[], newId: () => string): Promise<{ created: number; updated: number }> {
    if (users.length === 0) return { created: 0, updated: 0 };
    const keys = users.map((u) => emailKey(u.email));
    const existingRows = await this.ex.all<{ email_key: string }>(
      `SELECT email_key FROM users WHERE account_id = ? AND ${this.sql.inJsonArray('email_key')}`,
      [accountId, JSON.stringify(keys)],
    );
    const existing = new Set(existingRows.map((r) => r.email_key));
    const at = now();
    const toRow = (u: UserUpsert, key: string) => ({
      id: newId(),
      email: u.email,
      email_key: key,
      name: u.name ?? null,
      identity: u.identity === undefined || u.identity === null ? null : JSON.stringify(u.identity),
    });
    const inserts: ReturnType<typeof toRow>[] = [];
    const updates: ReturnType<typeof toRow>[] = [];
    users.forEach((u, i) => (existing.has(keys[i]) ? updates : inserts).push(toRow(u, keys[i])));
    const columns = ['id', 'email', 'email_key', 'name', 'identity'];
    if (inserts.length > 0) {
      await this.ex.run(
        `INSERT INTO users (account_id, id, email, email_key, name, identity, created_at, updated_at, last_seen_at)
         SELECT ?, x.id, x.email, x.email_key, COALESCE(x.name, ''), x.identity, ?, ?, CASE WHEN x.identity IS NULL THEN NULL ELSE ? END
           FROM ${this.sql.jsonRows(columns)} AS x WHERE true`,
        [accountId, at, at, at, JSON.stringify(inserts)],
      );
    }
    if (updates.length > 0) {
      // MATERIALIZED makes SQLite read the JSON rows first and find each user by its unique
      // (account_id, email_key) index; inline, it scans every user of the account per row.
      await this.ex.run(
        `WITH x AS MATERIALIZED ${this.sql.jsonRows(columns)}
         UPDATE users SET
            name = COALESCE(x.name, users.name),
            identity = COALESCE(x.identity, users.identity),
            last_seen_at = CASE WHEN x.identity IS NULL THEN users.last_seen_at ELSE ? END,
            updated_at = ?
           FROM x
          WHERE users.account_id = ? AND users.email_key = x.email_key`,
        [JSON.stringify(updates), at, at, accountId],
      );
    }
    // One entry per import, not per user: an import may hold a million users.
    this.note({ accountId, action: 'import', resourceKind: 'users', resourceId: accountId, before: null, after: { created: inserts.length, updated: updates.length } });
    return { created: inserts.length, updated: updates.length };
  }

  // ------------------------------------------------------------------ API tokens

  async getToken(id: string): Promise<TokenRecord | undefined> {
    const row = await this.ex.get<TokenRow>('SELECT * FROM api_tokens WHERE id = ?', [id]);
    return row === undefined ? undefined : toToken(row);
  }

  async getTokenBySecretHash(secretHash: string): Promise<TokenRecord | undefined> {
    const row = await this.ex.get<TokenRow>('SELECT * FROM api_tokens WHERE secret_hash = ?', [secretHash]);
    return row === undefined ? undefined : toToken(row);
  }

  async listTokens(page: PageRequest): Promise<PageOf<TokenRecord>> {
    const rows = await this.ex.all<TokenRow>('SELECT * FROM api_tokens ORDER BY issued_on, id LIMIT ? OFFSET ?', [page.limit, page.offset]);
    const count = await this.ex.get<{ n: number }>('SELECT COUNT(*) AS n FROM api_tokens');
    return { items: rows.map(toToken), total: Number(count?.n ?? 0) };
  }

  async insertToken(token: TokenRecord): Promise<void> {
    await this.ex.run(
      `INSERT INTO api_tokens (id, name, secret_hash, policies, condition, status, issued_on, modified_on, expires_on, not_before, last_used_on)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        token.id,
        token.name,
        token.secretHash,
        JSON.stringify(token.policies),
        token.condition === null ? null : JSON.stringify(token.condition),
        token.status,
        token.issuedOn,
        token.modifiedOn,
        token.expiresOn,
        token.notBefore,
        token.lastUsedOn,
      ],
    );
    this.note({ accountId: null, action: 'create', resourceKind: 'api_token', resourceId: token.id, before: null, after: tokenAudit(token) });
  }

  async updateToken(id: string, update: Partial<Omit<TokenRecord, 'id' | 'issuedOn'>>): Promise<TokenRecord | undefined> {
    const current = await this.getToken(id);
    if (current === undefined) return undefined;
    const next: TokenRecord = { ...current, ...update, modifiedOn: update.modifiedOn ?? now() };
    await this.ex.run(
      `UPDATE api_tokens SET name = ?, secret_hash = ?, policies = ?, condition = ?, status = ?, modified_on = ?, expires_on = ?, not_before = ?, last_used_on = ?
        WHERE id = ?`,
      [
        next.name,
        next.secretHash,
        JSON.stringify(next.policies),
        next.condition === null ? null : JSON.stringify(next.condition),
        next.status,
        next.modifiedOn,
        next.expiresOn,
        next.notBefore,
        next.lastUsedOn,
        id,
      ],
    );
    const rolled = update.secretHash !== undefined && update.secretHash !== current.secretHash;
    this.note({ accountId: null, action: rolled ? 'roll' : 'update', resourceKind: 'api_token', resourceId: id, before: tokenAudit(current), after: tokenAudit(next) });
    return next;
  }

  // ------------------------------------------------------------------ audit log

  async listAudit(accountId: string | null, page: PageRequest, filter: AuditFilter = {}): Promise<PageOf<AuditRecord>> {
    const clauses = [accountId === null ? 'account_id IS NULL' : 'account_id = ?'];
    const params: unknown[] = accountId === null ? [] : [accountId];
    const add = (clause: string, value: unknown) => {
      if (value === undefined) return;
      clauses.push(clause);
      params.push(value);
    };
    add('at >= ?', filter.since && auditTime(filter.since));
    add('at < ?', filter.before && auditTime(filter.before));
    add('action = ?', filter.action);
    add('resource_kind = ?', filter.resourceKind);
    add('resource_id = ?', filter.resourceId);
    add('actor_ip = ?', filter.actorIp);
    const where = clauses.join(' AND ');
    const order = filter.direction === 'asc' ? 'ASC' : 'DESC';
    const rows = await this.ex.all<AuditRow>(`SELECT * FROM audit_log WHERE ${where} ORDER BY seq ${order} LIMIT ? OFFSET ?`, [...params, page.limit, page.offset]);
    const count = await this.ex.get<{ n: number }>(`SELECT COUNT(*) AS n FROM audit_log WHERE ${where}`, params);
    return { items: rows.map(toAudit), total: Number(count?.n ?? 0) };
  }

  async deleteToken(id: string): Promise<boolean> {
    const before = this.changes === undefined ? undefined : await this.getToken(id);
    const deleted = (await this.ex.run('DELETE FROM api_tokens WHERE id = ?', [id])).changes > 0;
    if (deleted) this.note({ accountId: null, action: 'delete', resourceKind: 'api_token', resourceId: id, before: before === undefined ? null : tokenAudit(before), after: null });
    return deleted;
  }
}

/** The store over a driver: reads on the reader, writes in serialized transactions. */
export class SqlStore implements Store {
  readonly read: SqlRepository;
  readonly tests: SqlPolicyTests;
  private readonly sql: DialectSql;

  private constructor(private readonly driver: Driver) {
    this.sql = sqlFor(driver.dialect);
    this.read = new SqlRepository(driver.reader, this.sql);
    this.tests = new SqlPolicyTests(driver, this.sql);
  }

  /** Open over a driver and bring its schema up to date. */
  static async open(driver: Driver): Promise<SqlStore> {
    try {
      await driver.migrate(MIGRATIONS);
    } catch (err) {
      await driver.close().catch(() => undefined);
      throw err;
    }
    return new SqlStore(driver);
  }

  get dialect(): Dialect {
    return this.driver.dialect;
  }

  transaction<T>(scope: string, fn: (tx: StoreWriter) => Promise<T>): Promise<T> {
    const actor = currentAuditActor();
    return this.driver.transaction(scope, async (ex) => {
      const changes: AuditChange[] | undefined = actor === undefined ? undefined : [];
      const result = await fn(new SqlRepository(ex, this.sql, changes));
      if (actor !== undefined && changes!.length > 0) await writeAudit(ex, actor, changes!);
      return result;
    });
  }

  async touchToken(id: string, at: string): Promise<void> {
    // A write like any other: on SQLite a write from the reader connection could wait on the
    // writer's open transaction while holding the only thread.
    await this.driver.transaction(TOKENS_SCOPE, (ex) => ex.run('UPDATE api_tokens SET last_used_on = ? WHERE id = ?', [at, id]));
  }

  close(): Promise<void> {
    return this.driver.close();
  }
}
