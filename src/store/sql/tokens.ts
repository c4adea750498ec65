// API tokens in SQL. They belong to the user, not to an account, so their audit entries carry
// no account; the audit log never sees a token's secret hash.

import type { StoreWriter, TokenRecord } from '../store.js';
import { now, type SqlContext } from './context.js';

export type TokenRepository = Pick<StoreWriter, 'getToken' | 'getTokenBySecretHash' | 'listTokens' | 'insertToken' | 'updateToken' | 'deleteToken'>;

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

/** What the audit log keeps of an API token: never its secret's hash. */
const tokenAudit = (t: TokenRecord) => ({ name: t.name, status: t.status, policies: t.policies, condition: t.condition, expires_on: t.expiresOn, not_before: t.notBefore });

export function tokenRepository({ ex, audited, note }: SqlContext): TokenRepository {
  const getToken = async (id: string): Promise<TokenRecord | undefined> => {
    const row = await ex.get<TokenRow>('SELECT * FROM api_tokens WHERE id = ?', [id]);
    return row === undefined ? undefined : toToken(row);
  };

  return {
    getToken,

    async getTokenBySecretHash(secretHash) {
      const row = await ex.get<TokenRow>('SELECT * FROM api_tokens WHERE secret_hash = ?', [secretHash]);
      return row === undefined ? undefined : toToken(row);
    },

    async listTokens(page) {
      const rows = await ex.all<TokenRow>('SELECT * FROM api_tokens ORDER BY issued_on, id LIMIT ? OFFSET ?', [page.limit, page.offset]);
      const count = await ex.get<{ n: number }>('SELECT COUNT(*) AS n FROM api_tokens');
      return { items: rows.map(toToken), total: Number(count?.n ?? 0) };
    },

    async insertToken(token) {
      await ex.run(
        `INSERT INTO api_tokens (name, secret_hash, policies, condition, status, modified_on, expires_on, not_before, last_used_on, issued_on, id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [...mutableColumns(token), token.issuedOn, token.id],
      );
      note({ accountId: null, action: 'create', resourceKind: 'api_token', resourceId: token.id, before: null, after: tokenAudit(token) });
    },

    async updateToken(id, update) {
      const current = await getToken(id);
      if (current === undefined) return undefined;
      const next: TokenRecord = { ...current, ...update, modifiedOn: update.modifiedOn ?? now() };
      await ex.run(
        `UPDATE api_tokens SET name = ?, secret_hash = ?, policies = ?, condition = ?, status = ?, modified_on = ?, expires_on = ?, not_before = ?, last_used_on = ?
          WHERE id = ?`,
        [...mutableColumns(next), id],
      );
      const rolled = update.secretHash !== undefined && update.secretHash !== current.secretHash;
      note({ accountId: null, action: rolled ? 'roll' : 'update', resourceKind: 'api_token', resourceId: id, before: tokenAudit(current), after: tokenAudit(next) });
      return next;
    },

    async deleteToken(id) {
      const before = audited ? await getToken(id) : undefined;
      const deleted = (await ex.run('DELETE FROM api_tokens WHERE id = ?', [id])).changes > 0;
      if (deleted) note({ accountId: null, action: 'delete', resourceKind: 'api_token', resourceId: id, before: before === undefined ? null : tokenAudit(before), after: null });
      return deleted;
    },
  };
}

/** The columns a token update may change, in the order the INSERT and the UPDATE name them. */
function mutableColumns(token: TokenRecord): unknown[] {
  return [
    token.name,
    token.secretHash,
    JSON.stringify(token.policies),
    token.condition === null ? null : JSON.stringify(token.condition),
    token.status,
    token.modifiedOn,
    token.expiresOn,
    token.notBefore,
    token.lastUsedOn,
  ];
}
