// What the enforcement point writes to the account's access-request log: every sign-in, failed
// sign-ins, requests the policies refuse to a signed-in user or a service token, and SCIM pushes
// refused for their credentials. Refusals are written at most once a minute per user (or token,
// or address) and application (or identity provider), failed sign-ins at most FAILED_PER_MINUTE a
// minute per address, so a flood cannot fill the disk; sign-ins are kept.

import { randomBytes } from 'node:crypto';
import { timeOrderedUuid } from '../store/time-ordered-id.js';
import type { AccessRequestRecord, ResourceRecord, Store } from '../store/store.js';

export const REFUSAL_INTERVAL_MS = 60_000;
export const FAILED_PER_MINUTE = 20;
const REMEMBERED_REFUSALS = 10_000;

export const newRayId = (): string => randomBytes(8).toString('hex');

export interface LoggedRequest {
  readonly app: ResourceRecord;
  readonly host: string;
  readonly ip: string | undefined;
  readonly userId?: string;
  readonly userEmail?: string;
  readonly connection?: string;
  readonly nonce?: string;
  readonly expiresAt?: Date;
  /** A sign-in's purpose justification: the prompt shown and what the user wrote. */
  readonly justification?: { readonly prompt: string; readonly response: string };
  /** A sign-in an approver granted: who approved, and for how long. */
  readonly approval?: { readonly approvers: readonly string[]; readonly seconds: number };
  /** A refusal's reason beyond the policies' verdict, such as an external evaluation that gave no answer. */
  readonly reason?: string;
}

/** A failed sign-in: the application may not be known (a forged or stale callback). */
export type FailedSignIn = Omit<LoggedRequest, 'app' | 'host'> & {
  readonly app: ResourceRecord | undefined;
  readonly host: string | undefined;
};

export class AccessLog {
  /** When a refusal was last written, per account, user and application. */
  private readonly lastRefusal = new Map<string, number>();
  /** Failed sign-ins written in the current minute, per account and address. */
  private readonly failures = new Map<string, { minute: number; count: number }>();

  constructor(private readonly store: Store) {}

  private entry(accountId: string, allowed: boolean, r: LoggedRequest | FailedSignIn, now: number): AccessRequestRecord {
    return {
      id: timeOrderedUuid(now),
      accountId,
      createdAt: new Date(now).toISOString(),
      action: 'login',
      allowed,
      appDomain: r.host?.replace(/:\d+$/, '') ?? null,
      appUid: r.app?.id ?? null,
      appName: r.app?.name ?? null,
      connection: r.connection ?? null,
      country: null,
      ipAddress: r.ip ?? null,
      rayId: newRayId(),
      userEmail: r.userEmail ?? null,
      userId: r.userId ?? null,
      nonce: r.nonce ?? null,
      expiresAt: r.expiresAt?.toISOString() ?? null,
      justificationPrompt: r.justification?.prompt ?? null,
      justificationResponse: r.justification?.response ?? null,
      approvers: r.approval?.approvers ?? null,
      approvedSeconds: r.approval?.seconds ?? null,
      reason: r.reason ?? null,
    };
  }

  async signIn(accountId: string, request: LoggedRequest, now = Date.now()): Promise<void> {
    const entry = this.entry(accountId, true, request, now);
    await this.store.transaction(accountId, (tx) => tx.insertAccessRequest(entry));
  }

  /** Log a refusal unless this user was refused this application within the last minute. */
  async refusal(accountId: string, request: LoggedRequest, now = Date.now()): Promise<boolean> {
    if (!this.due(`${accountId}\n${request.userId ?? request.userEmail ?? request.ip ?? ''}\n${request.app.id}`, now)) return false;
    const entry = this.entry(accountId, false, request, now);
    await this.store.transaction(accountId, (tx) => tx.insertAccessRequest(entry));
    return true;
  }

  /**
   * Log a SCIM push refused for its credentials (action "scim", the provider's type as the
   * connection), unless one from this address to this provider was logged within the last minute.
   */
  async scimRefusal(accountId: string, provider: { readonly id: string; readonly type: string }, ip: string | undefined, now = Date.now()): Promise<boolean> {
    if (!this.due(`${accountId}\nscim ${ip ?? ''}\n${provider.id}`, now)) return false;
    const entry: AccessRequestRecord = {
      id: timeOrderedUuid(now),
      accountId,
      createdAt: new Date(now).toISOString(),
      action: 'scim',
      allowed: false,
      appDomain: null,
      appUid: null,
      appName: null,
      connection: provider.type,
      country: null,
      ipAddress: ip ?? null,
      rayId: newRayId(),
      userEmail: null,
      userId: null,
      nonce: null,
      expiresAt: null,
    };
    await this.store.transaction(accountId, (tx) => tx.insertAccessRequest(entry));
    return true;
  }

  /** Whether a refusal under `key` is to be written now (none within the interval), remembering that it is. */
  private due(key: string, now: number): boolean {
    const last = this.lastRefusal.get(key);
    if (last !== undefined && now - last < REFUSAL_INTERVAL_MS) return false;
    this.lastRefusal.delete(key);
    this.lastRefusal.set(key, now);
    if (this.lastRefusal.size > REMEMBERED_REFUSALS) this.lastRefusal.delete(this.lastRefusal.keys().next().value!);
    return true;
  }

  /** Log a failed sign-in unless this address already had FAILED_PER_MINUTE logged this minute. */
  async failedSignIn(accountId: string, request: FailedSignIn, now = Date.now()): Promise<boolean> {
    const key = `${accountId}\n${request.ip ?? ''}`;
    const minute = Math.floor(now / 60_000);
    const seen = this.failures.get(key);
    if (seen !== undefined && seen.minute === minute && seen.count >= FAILED_PER_MINUTE) return false;
    this.failures.delete(key);
    this.failures.set(key, { minute, count: seen?.minute === minute ? seen.count + 1 : 1 });
    if (this.failures.size > REMEMBERED_REFUSALS) this.failures.delete(this.failures.keys().next().value!);
    const entry = this.entry(accountId, false, request, now);
    await this.store.transaction(accountId, (tx) => tx.insertAccessRequest(entry));
    return true;
  }
}
