// Helpers every resource shares: ids, not-found and in-use errors, and how stored records
// become API objects.

import { parseGoDuration, quote } from '../../engine/index.js';
import type { Referrer, ResourceKind, ResourceRecord, StoreReader, StoreWriter } from '../../store/store.js';
import { timeOrderedUuid } from '../../store/time-ordered-id.js';
import { apiError, sameNameNote, type EnvelopeMessage, type RequestIssue } from '../errors.js';
import type { DefaultAuthDomain } from '../../account/hosts-of-others.js';
import type { ApiContext } from '../route.js';

/** The server's default account and its own address, where it signs in while its organization names no auth domain. */
export const defaultAuthDomainOf = (ctx: ApiContext): DefaultAuthDomain => ({ accountId: ctx.defaultAccountId, authDomain: ctx.defaultAuthDomain() });

/** Ids of new objects: UUIDs that sort by creation time, so the store's indexes grow at their end. */
export const newId = (): string => timeOrderedUuid();

/** How each kind is named in messages. */
export const KIND_NAMES: Record<ResourceKind, string> = {
  policy: 'Access policy',
  group: 'Access group',
  identity_provider: 'Identity provider',
  service_token: 'Service token',
  app: 'Access application',
  app_policy: 'Application policy',
  certificate: 'mTLS certificate',
  list: 'Gateway list',
  posture_rule: 'Device posture rule',
  signing_key: 'Signing key',
  saml_sp_key: 'SAML service provider key',
  organization: 'Zero Trust organization',
  certificate_settings: 'mTLS hostname settings',
  tag: 'Access tag',
  custom_page: 'Access custom page',
  session_revocation: 'Session revocation',
  scim_user: 'SCIM user',
  scim_group: 'SCIM group',
};

const SAME_NAME_WORDS = { policy: 'reusable policy', group: 'Access group' } as const;

/**
 * A note (or none) that other objects of `kind` already have `name`: saved all the same, as
 * Cloudflare saves them, but import, export and sync match objects by name (docs/cli.md).
 */
export async function sameNameNotes(reader: StoreReader, accountId: string, kind: keyof typeof SAME_NAME_WORDS, name: string, id: string): Promise<EnvelopeMessage[]> {
  const others = (await reader.listResources(accountId, kind, { offset: 0, limit: 11 }, { name })).items.map((r) => r.id).filter((other) => other !== id);
  return others.length === 0 ? [] : [sameNameNote(SAME_NAME_WORDS[kind], name, others)];
}

export async function getOr404(store: StoreReader, accountId: string, kind: ResourceKind, id: string): Promise<ResourceRecord> {
  const record = await store.getResource(accountId, kind, id);
  if (record === undefined) throw apiError('not_found', { what: KIND_NAMES[kind], id: JSON.stringify(id) });
  return record;
}

export function describeReferrers(referrers: readonly Referrer[]): string {
  const shown = referrers.slice(0, 5).map((r) => `${KIND_NAMES[r.kind].toLowerCase()} ${JSON.stringify(r.name)} (${r.id})`);
  const more = referrers.length > shown.length ? ` and ${referrers.length - shown.length} more` : '';
  return shown.join(', ') + more;
}

/** Refuse (409) to delete something that other resources still reference. */
export async function assertUnused(tx: StoreWriter, accountId: string, kind: ResourceKind, id: string): Promise<void> {
  const users = (await tx.referrers(accountId, kind, id)).filter((r) => !(r.kind === kind && r.id === id));
  if (users.length > 0) {
    throw apiError('in_use', { what: KIND_NAMES[kind], id: JSON.stringify(id), users: describeReferrers(users) });
  }
}

/** Delete after checking that nothing uses it; 404 when it does not exist. */
export async function deleteUnused(tx: StoreWriter, accountId: string, kind: ResourceKind, id: string): Promise<ResourceRecord> {
  const record = await getOr404(tx, accountId, kind, id);
  await assertUnused(tx, accountId, kind, id);
  await tx.deleteResource(accountId, kind, id);
  return record;
}

export const timestamps = (r: ResourceRecord): { created_at: string; updated_at: string } => ({ created_at: r.createdAt, updated_at: r.updatedAt });

/** Drop undefined values so that absent fields stay absent in JSON. */
export function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The issue with a duration field: not Go syntax ("30m", "2h45m"), not longer than zero, or
 * shorter than `minimum` (itself a Go duration); undefined when it is fine.
 */
export function durationIssue(value: string, pointer: string, minimum?: string): RequestIssue | undefined {
  const parsed = parseGoDuration(value);
  if (parsed === undefined) return { code: 'invalid_duration', pointer, message: `${quote(value)} is not a duration; use Go syntax such as "30m", "24h" or "2h45m".` };
  const least = minimum === undefined ? undefined : parseGoDuration(minimum)?.ns;
  if (parsed.ns <= 0 || (least !== undefined && parsed.ns < least)) {
    return { code: 'invalid_duration', pointer, message: `Must be ${minimum === undefined ? 'longer than zero' : `at least ${minimum}`}, got ${quote(value)}.` };
  }
  return undefined;
}
