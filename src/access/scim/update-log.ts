// The SCIM update log (Cloudflare's logs/scim/updates): one entry per SCIM write an identity
// provider pushes (create, replace, patch or delete of a user or group), succeeded or refused,
// with the request body as sent but for its credentials. Written as the answer goes out, in a
// transaction of its own, so a refused write is logged too; entries are kept RETENTION_DAYS.
// Pushes refused for their credentials are in the access log instead (access-log.ts).

import { timeOrderedUuid } from '../../store/time-ordered-id.js';
import type { Store } from '../../store/store.js';
import { isObject } from '../../engine/is-object.js';
import { emailOf } from './directory.js';

export const RETENTION_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Attributes whose values are never kept: a user's password, and anything named like a credential. */
const CREDENTIAL = /password|secret|token|credential/i;

/** One SCIM write as answered. */
export interface ScimWrite {
  readonly accountId: string;
  readonly idpId: string;
  readonly method: string;
  readonly resourceType: 'USER' | 'GROUP';
  readonly succeeded: boolean;
  /** The resource's id here: the path's, or the created one's. */
  readonly resourceId: string | undefined;
  /** The resource as written (or, for a delete, as it was), else the request body. */
  readonly attributes: Record<string, unknown> | undefined;
  readonly body: unknown;
  readonly error: string | undefined;
}

/** The body with each credential's value replaced, in attributes and in PATCH operations naming one by path. */
export function redacted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redacted);
  if (!isObject(value)) return value;
  const namesCredential = typeof value.path === 'string' && CREDENTIAL.test(value.path);
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, CREDENTIAL.test(key) || (namesCredential && key === 'value') ? '[redacted]' : redacted(v)]));
}

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value : null);

export async function recordScimWrite(store: Store, write: ScimWrite, now = Date.now()): Promise<void> {
  const attributes = write.attributes ?? (isObject(write.body) ? write.body : {});
  const user = write.resourceType === 'USER';
  await store.transaction(write.accountId, (tx) =>
    tx.insertScimUpdate(
      {
        id: timeOrderedUuid(now),
        accountId: write.accountId,
        idpId: write.idpId,
        loggedAt: new Date(now).toISOString(),
        status: write.succeeded ? 'SUCCESS' : 'FAILURE',
        resourceType: write.resourceType,
        requestMethod: write.method,
        cfResourceId: write.resourceId ?? null,
        idpResourceId: text(attributes.externalId),
        resourceUserEmail: user ? (emailOf(attributes) ?? null) : null,
        resourceGroupName: user ? null : text(attributes.displayName),
        requestBody: write.body === undefined ? null : JSON.stringify(redacted(write.body)),
        errorDescription: write.succeeded ? null : (write.error ?? null),
      },
      new Date(now - RETENTION_DAYS * DAY_MS).toISOString(),
    ),
  );
}
