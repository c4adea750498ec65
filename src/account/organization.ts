// The account's Zero Trust organization (Cloudflare's access/organizations): its name, its auth
// domain (where users sign in, the issuer of application tokens), the default session length,
// and when each user's sessions were last revoked. Read by the API and the enforcement point.

import type { ResourceRecord, Store, StoreReader, StoreWriter } from '../store/store.js';

import { authDomainUrl } from '../schema/auth-domain.js';
export { authDomainUrl };

export interface OrganizationBody {
  readonly name?: string;
  readonly auth_domain?: string;
  readonly session_duration?: string;
  readonly [field: string]: unknown;
}

export async function readOrganization(store: StoreReader, accountId: string): Promise<{ body: OrganizationBody; createdAt: string; updatedAt: string } | undefined> {
  const record = await store.getResource(accountId, 'organization', accountId);
  return record === undefined ? undefined : { body: record.body as OrganizationBody, createdAt: record.createdAt, updatedAt: record.updatedAt };
}

/** The account's auth domain URL: the organization's when it names one, else `fallback` (this server's own URL). */
export function authDomainOr(organization: OrganizationBody | undefined, fallback: string): string {
  const named = organization?.auth_domain;
  return typeof named === 'string' && named.trim() !== '' ? authDomainUrl(named) : fallback.replace(/\/+$/, '');
}

/** When a revocation record says sessions end (ms); one whose time cannot be read ends them all (fails closed). */
export function revocationTime(record: ResourceRecord | undefined): number | undefined {
  if (record === undefined) return undefined;
  const at = Date.parse(String(record.body.revoked_at));
  return Number.isFinite(at) ? at : Number.POSITIVE_INFINITY;
}

/** When the user's sessions were last revoked (ms), if ever. */
export async function sessionsRevokedAt(store: StoreReader, accountId: string, userId: string): Promise<number | undefined> {
  return revocationTime(await store.getResource(accountId, 'session_revocation', userId));
}

/** End every session the user holds now (tokens issued before this instant stop working). */
export async function revokeSessions(store: Store, accountId: string, userId: string, now = Date.now()): Promise<void> {
  await store.transaction(accountId, (tx) => revokeSessionsIn(tx, accountId, userId, now));
}

/**
 * revokeSessions inside an open transaction of the account (with the writes it belongs to). The
 * subject is a user (every session of theirs) or an application (every token issued for it:
 * apps/{id}/revoke_tokens); both are ids no other object shares.
 */
export async function revokeSessionsIn(tx: StoreWriter, accountId: string, subjectId: string, now = Date.now()): Promise<void> {
  const body = { name: subjectId, revoked_at: new Date(now).toISOString() };
  const existing = await tx.getResource(accountId, 'session_revocation', subjectId);
  if (existing === undefined) await tx.insertResource({ accountId, kind: 'session_revocation', id: subjectId, parentId: null, name: subjectId, body, secretHash: null, createdAt: new Date(now).toISOString() }, []);
  else await tx.updateResource(accountId, 'session_revocation', subjectId, { name: subjectId, body });
}

/** Whether a token issued at `iat` (seconds) was issued before a revocation at `revokedAt` (ms); a token of the same second counts as before. */
export const issuedBefore = (iat: number | undefined, revokedAt: number | undefined): boolean => revokedAt !== undefined && !((iat ?? 0) * 1000 > revokedAt);
