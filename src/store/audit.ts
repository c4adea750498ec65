// The audit log: every write made through the API or pushed by an identity provider over SCIM
// (who, with which token or provider, from where, what, and the value before and after) is
// recorded in the same transaction as the write itself, so the log and the data can never
// disagree. The API and the SCIM endpoints set the actor for the duration of a request; writes
// without an actor (the policy-test runner's bookkeeping) are not audited.

import { AsyncLocalStorage } from 'node:async_hooks';
import { timeOrderedUuid } from './time-ordered-id.js';
import { redactedSecrets } from '../schema/secret-fields.js';
import type { Executor } from './driver.js';

export interface AuditActor {
  /** The root credentials, an API token, or an identity provider provisioning over SCIM. */
  readonly kind: 'root' | 'token' | 'scim';
  /** The API token's id ("root" for the root credentials; the identity provider's id for SCIM). */
  readonly tokenId: string;
  readonly ip: string;
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
}

/** One change a write made. */
export interface AuditChange {
  /** The account, or null for user-level objects (API tokens). */
  readonly accountId: string | null;
  /** create, update, delete, import, add_items, remove_items, start, ... */
  readonly action: string;
  /** policy, group, user, list_items, api_token, policy_test, ... */
  readonly resourceKind: string;
  readonly resourceId: string;
  readonly before: unknown;
  readonly after: unknown;
}

export interface AuditRecord extends AuditChange {
  readonly id: string;
  readonly seq: number;
  readonly at: string;
  readonly actor: AuditActor;
}

const current = new AsyncLocalStorage<AuditActor>();
/** Calls of withAuditActor whose work has not ended yet. */
let inFlight = 0;

/**
 * Run `fn` with `actor` as the author of every write it makes. An AsyncLocalStorage, once run,
 * puts a hook on every promise the process makes from then on: about a seventh of the server's
 * CPU on a `GET` answered from memory (docs/benchmarks.md). Writes are a small share of
 * requests, so tracking is on only while some audited call is in flight and turned off again
 * when the last one ends (`run` turns it back on).
 */
export function withAuditActor<T>(actor: AuditActor, fn: () => T): T {
  inFlight++;
  let result: T;
  try {
    result = current.run(actor, fn);
  } catch (err) {
    ended();
    throw err;
  }
  if (typeof (result as { then?: unknown } | null)?.then === 'function') {
    Promise.resolve(result).then(ended, ended);
  } else {
    ended();
  }
  return result;
}

function ended(): void {
  if (--inFlight === 0) current.disable();
}

export function currentAuditActor(): AuditActor | undefined {
  return current.getStore();
}

const isBody = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A value of `kind` as JSON with its secret fields (schema/secret-fields.ts) shown as "[redacted]". */
export function auditJson(kind: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return JSON.stringify(isBody(value) ? redactedSecrets(kind, value) : value);
}

const FIRST_STORABLE = Date.parse('0000-01-01T00:00:00.000Z');
const LAST_STORABLE = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * An instant as the audit log stores `at`: UTC text with milliseconds (toISOString), whose
 * order as text is the order in time, so both databases filter by time with a text comparison
 * (and never parse). Outside years 0000-9999 that text changes shape ("+010000-..."), so an
 * instant there is clamped to the nearest storable one, which compares alike with every entry.
 */
export function auditTime(instant: Date): string {
  return new Date(Math.min(Math.max(instant.getTime(), FIRST_STORABLE), LAST_STORABLE)).toISOString();
}

/** Record changes in the open transaction. */
export async function writeAudit(ex: Executor, actor: AuditActor, changes: readonly AuditChange[]): Promise<void> {
  const at = auditTime(new Date());
  for (const c of changes) {
    await ex.run(
      `INSERT INTO audit_log (id, account_id, at, actor_kind, actor_token_id, actor_ip, request_id, method, path, action, resource_kind, resource_id, before, after)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [timeOrderedUuid(), c.accountId, at, actor.kind, actor.tokenId, actor.ip, actor.requestId, actor.method, actor.path, c.action, c.resourceKind, c.resourceId, auditJson(c.resourceKind, c.before), auditJson(c.resourceKind, c.after)],
    );
  }
}
