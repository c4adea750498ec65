// The store: everything portcullis persists, behind one interface with a SQLite and a
// PostgreSQL implementation (sql-store.ts over a driver). Both pass one conformance suite
// (conformance.ts). Reads see committed state; writes happen inside `transaction`, which is
// serialized per scope (an account, or the API tokens) across every process on the database.

import type { AuditRecord } from './audit.js';
import type { Dialect, ThreadConnection, TransactionOptions } from './driver.js';

export type { ThreadConnection, TransactionOptions };

/** The kinds of account objects kept as JSON documents. */
export type ResourceKind =
  | 'policy'
  | 'group'
  | 'identity_provider'
  | 'service_token'
  | 'app'
  | 'app_policy'
  | 'certificate'
  | 'list'
  | 'posture_rule'
  /** An account's key pair that signs Access application tokens (its private half sealed). */
  | 'signing_key'
  /** The key that signs an account's SAML authentication requests, with its certificate (one, with the account's id; private half sealed). */
  | 'saml_sp_key'
  /** The account's Zero Trust organization (one, with the account's id). */
  | 'organization'
  /** An Access tag, with its name as its id. */
  | 'tag'
  /** An Access custom page (a block or sign-in page's HTML), referenced by applications and the organization. */
  | 'custom_page'
  /** The mTLS hostname settings (one, with the account's id). */
  | 'certificate_settings'
  /** When a user's sessions were revoked (one per user, with the user's id). */
  | 'session_revocation'
  /** A SCIM User an identity provider pushed (its parent the provider; named by its userName, lower-cased). */
  | 'scim_user'
  /** A SCIM Group an identity provider pushed (its parent the provider; named by its displayName, lower-cased). */
  | 'scim_group';

export interface ResourceRecord {
  readonly accountId: string;
  readonly kind: ResourceKind;
  readonly id: string;
  /** The owning resource, e.g. an app-scoped policy's app. */
  readonly parentId: string | null;
  readonly name: string;
  /** The resource as the API stores it (validated request fields, plus any stored extras). */
  readonly body: Record<string, unknown>;
  /** Hash of a secret that is shown only once (service tokens). */
  readonly secretHash: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** 1 on creation, +1 on every update. */
  readonly version: number;
}

export type NewResource = Omit<ResourceRecord, 'version' | 'updatedAt'> & { readonly updatedAt?: string };

/** A reference from one resource to another (a rule naming a group, an app linking a policy, ...). */
export interface ResourceRef {
  readonly kind: ResourceKind;
  readonly id: string;
}

export interface Referrer {
  readonly kind: ResourceKind;
  readonly id: string;
  readonly name: string;
  readonly parentId: string | null;
}

export interface PageRequest {
  readonly offset: number;
  readonly limit: number;
}

export interface PageOf<T> {
  readonly items: T[];
  /** All matches, regardless of the page. */
  readonly total: number;
}

export interface ResourceFilter {
  readonly parentId?: string;
  /** Exact name. */
  readonly name?: string;
  /** Case-insensitive substring of the name. */
  readonly search?: string;
  /** Text matches a record must all pass (an application's domain, its aud, ...). */
  readonly text?: readonly TextMatch[];
  /** Boolean fields of the body a record must have as given. */
  readonly flags?: readonly FlagMatch[];
}

/**
 * Where a text filter looks: the record's name, or a string field of its body by its path
 * (fixed names of our own, e.g. ['domain']; never request input).
 */
export type TextSource = 'name' | { readonly body: readonly string[] };

/** A record matches when any of `in` holds `value`: equal (case-sensitive) when `exact`, else as a case-insensitive substring. */
export interface TextMatch {
  readonly in: readonly TextSource[];
  readonly value: string;
  readonly exact: boolean;
}

/** `value: true` matches records whose body has JSON true at `path`; `false` matches every other record. */
export interface FlagMatch {
  readonly path: readonly string[];
  readonly value: boolean;
}

export interface ListItemRecord {
  readonly value: string;
  readonly description: string | null;
  readonly createdAt: string;
}

export interface UserRecord {
  readonly accountId: string;
  readonly id: string;
  readonly email: string;
  readonly name: string;
  /** The last seen identity document (docs/semantics.md "Identity model"), or null before the first login/import. */
  readonly identity: Record<string, unknown> | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** When an identity was last seen at a sign-in (or recorded as if, by the API or an import); SCIM writes leave it. */
  readonly lastSeenAt: string | null;
  /** Insertion order: stable across pages and restarts. */
  readonly seq: number;
}

export interface UserFilter {
  /** Exact email, case-insensitive. */
  readonly email?: string;
  /** Exact name. */
  readonly name?: string;
  /** Case-insensitive substring of email or name. */
  readonly search?: string;
}

export interface UserUpsert {
  readonly email: string;
  readonly name?: string;
  /** undefined = keep the stored identity; null = clear it. */
  readonly identity?: Record<string, unknown> | null;
}

/**
 * A user of an import, checked and serialized once: what is written for them, as text.
 * A null name or identity keeps the stored one (a new user gets no name, no identity).
 */
export interface PreparedUser {
  readonly email: string;
  readonly name: string | null;
  /** The identity as stored: JSON text. */
  readonly identity: string | null;
  /** The identity's record (engine/identity-record.ts), null when there is no identity. */
  readonly identityRecord: string | null;
}

/** What an import (or upsert) of users did, entry by entry. */
export interface ImportCounts {
  /** Entries for users that did not exist. */
  readonly created: number;
  /** Entries that changed an existing user. */
  readonly updated: number;
  /**
   * Entries that matched an existing user and would have written what is stored (the same
   * name and identity, or none given): the user is left as it is, its updated_at and last
   * sign-in time included.
   */
  readonly unchanged: number;
}

export interface TokenRecord {
  readonly id: string;
  readonly name: string;
  readonly secretHash: string;
  readonly policies: unknown[];
  readonly condition: Record<string, unknown> | null;
  readonly status: 'active' | 'disabled' | 'expired';
  readonly issuedOn: string;
  readonly modifiedOn: string;
  readonly expiresOn: string | null;
  readonly notBefore: string | null;
  readonly lastUsedOn: string | null;
}

/** An account: everything else lives in one. They exist explicitly (created, never implied by use). */
/** One entry of the access-request log: a sign-in, or a request the policies refused. */
export interface AccessRequestRecord {
  readonly id: string;
  readonly accountId: string;
  readonly createdAt: string;
  /** "login" (a sign-in, or a request decided for a signed-in user), or "scim" (a SCIM push refused for its credentials). */
  readonly action: string;
  readonly allowed: boolean;
  readonly appDomain: string | null;
  readonly appUid: string | null;
  readonly appName: string | null;
  /** The identity provider's type ("development" for the development login; the pushing provider's for "scim"). */
  readonly connection: string | null;
  readonly country: string | null;
  readonly ipAddress: string | null;
  readonly rayId: string;
  readonly userEmail: string | null;
  readonly userId: string | null;
  /** For a sign-in: the session's identity nonce and when it expires. */
  readonly nonce: string | null;
  readonly expiresAt: string | null;
  /** For a sign-in that asked for a purpose justification: the prompt shown, and what the user wrote. */
  readonly justificationPrompt?: string | null;
  readonly justificationResponse?: string | null;
  /** For a sign-in an approver granted: who approved, and for how long (seconds). */
  readonly approvers?: readonly string[] | null;
  readonly approvedSeconds?: number | null;
  /** For a refusal: why, beyond the policies' verdict (an external evaluation endpoint that gave no answer, and its code). */
  readonly reason?: string | null;
}

/**
 * A sign-in signed out of (docs/enforcement.md "Sessions and tokens"): every token it made (the
 * global session, each application's) carries its identity nonce and opens nothing any more. Kept
 * until the longest of those tokens would have expired, then removed (see endSignIn).
 */
export interface EndedSignInRecord {
  readonly accountId: string;
  /** The sign-in's identity_nonce. */
  readonly nonce: string;
  readonly userId: string;
  /** Milliseconds since the epoch: when the sign-in's longest token expires, and the record with it. */
  readonly expiresAt: number;
  /** When it was first signed out of. */
  readonly endedAt: string;
}

/**
 * A sign-in under way: an identity provider login between its start and its callback (its id is
 * the OAuth `state` or SAML `RelayState`), or a one-time PIN mailed and not yet typed.
 */
export interface LoginChallengeRecord {
  readonly id: string;
  readonly accountId: string;
  /** What is under way: "oidc", "saml", "saml_request" (an AuthnRequest id), "pin". */
  readonly kind: string;
  /** Who it is for, when known (the address a PIN was mailed to). */
  readonly email: string | null;
  /** The address the sign-in started from. */
  readonly ipAddress: string | null;
  /** What finishing it needs (the application, where to return, PKCE verifier, the PIN's hash...). */
  readonly body: Record<string, unknown>;
  /** Wrong answers so far (a mistyped PIN). */
  readonly attempts: number;
  readonly createdAt: string;
  /** Milliseconds since the epoch after which it cannot be finished. */
  readonly expiresAt: number;
}

/** Sign-ins under way (see LoginChallengeRecord), outside any account transaction. */
export interface LoginChallengeStore {
  put(challenge: LoginChallengeRecord): Promise<void>;
  /** The challenge, while it is unexpired (it stays: see take). */
  get(accountId: string, id: string, now: number): Promise<LoginChallengeRecord | undefined>;
  /** Remove and return the challenge: each is finished at most once, by whichever instance asks first. */
  take(accountId: string, id: string, now: number): Promise<LoginChallengeRecord | undefined>;
  /**
   * Record `challenge` unless an unexpired one of its id is kept: whether this call recorded it.
   * A one-time value (a binding proof) is used once: of instances claiming it at once, one wins.
   */
  claim(challenge: LoginChallengeRecord): Promise<boolean>;
  /** The unexpired challenges of a kind whose ids start with `prefix` (an access request's approvers' answers), oldest first. */
  withPrefix(accountId: string, kind: string, prefix: string, now: number): Promise<LoginChallengeRecord[]>;
  /** Count one more wrong answer; the attempts after it (undefined when the challenge is gone). */
  addAttempt(accountId: string, id: string): Promise<number | undefined>;
  /** How many challenges of a kind were made since `since` for an email, or from an address. */
  countSince(accountId: string, kind: string, who: { readonly email?: string; readonly ipAddress?: string }, since: Date): Promise<number>;
  /** Forget challenges expired before `now`; how many were removed. */
  prune(now: number): Promise<number>;
}

/**
 * Counts that outlive the sign-ins they count (a challenge is gone an hour after it expires): a
 * one-time PIN's codes and wrong answers per address per day. Each count is of a window that
 * starts with its first addition and lasts `windowMs`; once it is over the count is 0 again.
 */
export interface SignInCounterStore {
  /**
   * Add `by` (negative to give back; the count stays at least 0) to an account's count `name`,
   * atomically, and return the count after it: of concurrent additions, each sees its own.
   */
  add(accountId: string, name: string, by: number, now: number, windowMs: number): Promise<number>;
  /** The count in its window, 0 when there is none. */
  get(accountId: string, name: string, now: number): Promise<number>;
}

export interface AccessRequestFilter {
  readonly since?: Date;
  readonly until?: Date;
  readonly userId?: string;
  /** The user's email exactly (case-insensitive), or with `emailContains` any containing it. */
  readonly email?: string;
  readonly emailContains?: boolean;
  readonly appUid?: string;
  readonly allowed?: boolean;
  readonly nonce?: string;
  readonly direction?: 'asc' | 'desc';
}

/** One SCIM write an identity provider pushed (Cloudflare's SCIM update log), succeeded or refused. */
export interface ScimUpdateRecord {
  readonly id: string;
  readonly accountId: string;
  readonly idpId: string;
  readonly loggedAt: string;
  readonly status: 'SUCCESS' | 'FAILURE';
  readonly resourceType: 'USER' | 'GROUP';
  readonly requestMethod: string;
  /** The SCIM resource's id here (null for a create refused before it had one). */
  readonly cfResourceId: string | null;
  /** The provider's id for it (externalId). */
  readonly idpResourceId: string | null;
  readonly resourceUserEmail: string | null;
  readonly resourceGroupName: string | null;
  /** The request body as JSON text, credentials redacted (null when there was none). */
  readonly requestBody: string | null;
  readonly errorDescription: string | null;
}

/** Every field given must match; a list matches any of its values. */
export interface ScimUpdateFilter {
  readonly idpIds: readonly string[];
  readonly statuses?: readonly string[];
  readonly resourceTypes?: readonly string[];
  readonly requestMethods?: readonly string[];
  readonly cfResourceIds?: readonly string[];
  readonly idpResourceIds?: readonly string[];
  /** Case-insensitive. */
  readonly userEmails?: readonly string[];
  readonly groupNames?: readonly string[];
  readonly since?: Date;
  readonly until?: Date;
  readonly direction?: 'asc' | 'desc';
}

export interface AccountRecord {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
}

/** The scope of account creation (accounts are not inside an account). */
export const ACCOUNTS_SCOPE = 'accounts';

export interface AuditFilter {
  /** Only entries at or after this instant. */
  readonly since?: Date;
  /** Only entries before this instant. */
  readonly before?: Date;
  readonly action?: string;
  readonly resourceKind?: string;
  readonly resourceId?: string;
  readonly actorIp?: string;
  /** Newest first (default) or oldest first. */
  readonly direction?: 'desc' | 'asc';
}

export interface StoreReader {
  getResource(accountId: string, kind: ResourceKind, id: string): Promise<ResourceRecord | undefined>;
  getResources(accountId: string, kind: ResourceKind, ids: readonly string[]): Promise<ResourceRecord[]>;
  /** A page in creation order; its rows and its total are read together (one snapshot). */
  listResources(accountId: string, kind: ResourceKind, page: PageRequest, filter?: ResourceFilter): Promise<PageOf<ResourceRecord>>;
  /** Every resource of a kind (for evaluation: groups, lists, ...), in creation order. */
  allResources(accountId: string, kind: ResourceKind, filter?: ResourceFilter): Promise<ResourceRecord[]>;
  /** The resources that reference this one. */
  referrers(accountId: string, kind: ResourceKind, id: string): Promise<Referrer[]>;
  /** How many resources of `fromKind` reference each of `ids` (e.g. app_count of policies). */
  referrerCounts(accountId: string, kind: ResourceKind, ids: readonly string[], fromKind: ResourceKind): Promise<Map<string, number>>;
  /** Every reference of an account, whether or not its ends exist (for consistency checks). */
  references(accountId: string): Promise<{ from: ResourceRef; to: ResourceRef }[]>;

  listItems(accountId: string, listId: string, page: PageRequest): Promise<PageOf<ListItemRecord>>;
  listItemValues(accountId: string, listId: string): Promise<string[]>;
  listItemCounts(accountId: string, listIds: readonly string[]): Promise<Map<string, number>>;

  getUser(accountId: string, id: string): Promise<UserRecord | undefined>;
  getUserByEmail(accountId: string, email: string): Promise<UserRecord | undefined>;
  listUsers(accountId: string, page: PageRequest, filter?: UserFilter): Promise<PageOf<UserRecord>>;
  countUsers(accountId: string): Promise<number>;
  /**
   * The place in the directory (seq) a user has, or had before being deleted, so that a policy
   * test's result for them is found in one chunk; undefined for an id the account never had.
   */
  userSeq(accountId: string, id: string): Promise<number | undefined>;
  /** Users after `afterSeq` in insertion order, at most `limit` (keyset paging: as fast on the last page as on the first). */
  usersAfter(accountId: string, afterSeq: number, limit: number): Promise<UserRecord[]>;

  getToken(id: string): Promise<TokenRecord | undefined>;
  getTokenBySecretHash(secretHash: string): Promise<TokenRecord | undefined>;
  listTokens(page: PageRequest): Promise<PageOf<TokenRecord>>;

  getAccount(id: string): Promise<AccountRecord | undefined>;
  /** Every account, oldest first. */
  listAccounts(): Promise<AccountRecord[]>;
  /**
   * A number every committed write to the account moves on (0 before the first): what is
   * derived from the account's objects is still true while it is unchanged. Given TOKENS_SCOPE,
   * the API tokens' version, which every token write (not touchToken) moves on.
   */
  accountVersion(accountId: string): Promise<number>;
  /** The accountVersion of each of `scopes` (accounts or TOKENS_SCOPE), in one read: the API's change stamps of a turn. */
  scopeVersions(scopes: readonly string[]): Promise<ReadonlyMap<string, number>>;
  /** Every account (oldest first) with its accountVersion, in one read: what the enforcement point checks per decision when it serves several. */
  accountVersions(): Promise<{ readonly id: string; readonly version: number }[]>;
  /**
   * A short text that is the same as an earlier one only if no account was created and no
   * account's version moved in between (accounts are never deleted, and versions only grow):
   * what lets a server of many accounts see that accountVersions would answer as before without
   * reading them all.
   */
  accountVersionsDigest(): Promise<string>;
  /** The account's sign-ins signed out of whose tokens may not have expired yet at `now` (of one user, when given), soonest expiry first. */
  endedSignIns(accountId: string, now: number, userId?: string): Promise<EndedSignInRecord[]>;
  /** Access-request log entries of an account, newest first unless direction is asc. */
  listAccessRequests(accountId: string, limit: number, filter?: AccessRequestFilter): Promise<AccessRequestRecord[]>;
  /** A page of them, with how many match in all. */
  pageAccessRequests(accountId: string, page: PageRequest, filter?: AccessRequestFilter): Promise<PageOf<AccessRequestRecord>>;

  /** A page of the account's SCIM update log, newest first unless direction is asc, with how many match in all. */
  pageScimUpdates(accountId: string, page: PageRequest, filter: ScimUpdateFilter): Promise<PageOf<ScimUpdateRecord>>;

  /** Audit entries of an account (null: user-level entries, i.e. API tokens). */
  listAudit(accountId: string | null, page: PageRequest, filter?: AuditFilter): Promise<PageOf<AuditRecord>>;
}

export interface StoreWriter extends StoreReader {
  /** Insert a resource and its outgoing references. */
  insertResource(resource: NewResource, refs: readonly ResourceRef[]): Promise<ResourceRecord>;
  /**
   * Replace a resource's name/body (and secret hash when given) and, when `refs` is given, its
   * outgoing references (left out: they stay as they are).
   */
  updateResource(
    accountId: string,
    kind: ResourceKind,
    id: string,
    update: { readonly name: string; readonly body: Record<string, unknown>; readonly secretHash?: string | null },
    refs?: readonly ResourceRef[],
  ): Promise<ResourceRecord | undefined>;
  /** Delete a resource and its outgoing references; true when it existed. */
  deleteResource(accountId: string, kind: ResourceKind, id: string): Promise<boolean>;

  /** Add items (an existing value keeps its first description); returns how many were new. */
  addListItems(accountId: string, listId: string, items: readonly { value: string; description?: string | null }[]): Promise<number>;
  removeListItems(accountId: string, listId: string, values: readonly string[]): Promise<number>;
  deleteListItems(accountId: string, listId: string): Promise<void>;

  /**
   * `signedIn: false`: the identity comes from a directory (SCIM provisioning), not from a
   * sign-in or a recorded one, so it sets no last login time (lastSeenAt).
   */
  insertUser(user: { accountId: string; id: string; email: string; name: string; identity: Record<string, unknown> | null; signedIn?: boolean }): Promise<UserRecord>;
  /** `signedIn: false`: as for insertUser, the new identity leaves lastSeenAt as it was. */
  updateUser(accountId: string, id: string, update: { name?: string; identity?: Record<string, unknown> | null; signedIn?: boolean }): Promise<UserRecord | undefined>;
  deleteUser(accountId: string, id: string): Promise<boolean>;
  /** Create or update users by email (case-insensitive), in order. */
  upsertUsers(accountId: string, users: readonly UserUpsert[], newId: () => string): Promise<ImportCounts>;
  /**
   * The same for an import's users, prepared by the caller: written in large batches (SQLite:
   * multi-row inserts; PostgreSQL: COPY into a staging table, then one merge), with one audit
   * entry for the whole import.
   */
  importUsers(accountId: string, users: readonly PreparedUser[], newId: () => string): Promise<ImportCounts>;

  insertToken(token: TokenRecord): Promise<void>;
  updateToken(id: string, update: Partial<Omit<TokenRecord, 'id' | 'issuedOn'>>): Promise<TokenRecord | undefined>;
  deleteToken(id: string): Promise<boolean>;

  /** Create an account unless one with this id exists; true when it was created. */
  insertAccount(account: AccountRecord): Promise<boolean>;
  insertAccessRequest(entry: AccessRequestRecord): Promise<void>;
  /** Record a SCIM write, and forget the account's entries logged before `forgetBefore`. */
  insertScimUpdate(entry: ScimUpdateRecord, forgetBefore: string): Promise<void>;
  /**
   * Record a sign-in as signed out of (its nonce once: ending it again keeps the later expiry),
   * and remove the account's records expired at `now`; true when it was not ended before.
   */
  endSignIn(ended: EndedSignInRecord, now: number): Promise<boolean>;

  /**
   * Hold the server-wide lock `name` (HOST_CLAIMS_LOCK) until this transaction ends, whatever its
   * scope: a scope's lock keeps out only the writes of that scope, and a check across accounts
   * needs one for all of them. Transactions that take one name never overlap from there on (in
   * this process or another on the same database), and reads through this writer after it see
   * every write of those that held it before. Costs every other holder a wait: take it only in
   * the writes that need it, and only one name in a transaction.
   */
  takeLock(name: string): Promise<void>;
}

export type PolicyTestStatus = 'processing' | 'complete' | 'exceeded time' | 'blocked';

export interface PolicyTestRecord {
  readonly id: string;
  readonly accountId: string;
  readonly status: PolicyTestStatus;
  /** Why a test is blocked or ran out of time. */
  readonly reason: string | null;
  /** What the tester needs to run it (policies, baseline), as JSON. */
  readonly definition: unknown;
  /** Users in the test (the directory when it started, less users deleted before their turn). */
  readonly totalUsers: number;
  readonly processedUsers: number;
  readonly approved: number;
  readonly blocked: number;
  readonly errored: number;
  /** Users whose status differs from the baseline's. */
  readonly changed: number;
  readonly chunkCount: number;
  readonly chunksDone: number;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  /** After this (ms since the epoch) an unfinished test stops as "exceeded time". */
  readonly deadlineMs: number;
}

export type NewPolicyTest = Pick<PolicyTestRecord, 'id' | 'accountId' | 'status' | 'reason' | 'definition' | 'totalUsers' | 'createdAt' | 'deadlineMs'> & {
  /**
   * What the test's policies read from the account when it started (groups, lists, ...), as
   * JSON; kept apart from the record because it can be large and only the runner needs it.
   */
  readonly environment?: unknown;
};

/** A slice of an account's users, by insertion sequence (inclusive bounds). */
export interface ChunkRange {
  readonly seqFrom: number;
  readonly seqTo: number;
  readonly expectedUsers: number;
}

export interface ChunkLease extends ChunkRange {
  readonly testId: string;
  readonly chunkNo: number;
}

export interface ChunkSummary extends ChunkRange {
  readonly chunkNo: number;
  readonly state: 'pending' | 'done' | 'cancelled';
  /** Results per filter (e.g. "all", "approved", "changed:blocked"), once done. */
  readonly counts: Record<string, number> | null;
  /** The runner (server process) that completed it. */
  readonly completedBy: string | null;
}

export interface ChunkOutcome {
  readonly processed: number;
  readonly approved: number;
  readonly blocked: number;
  readonly errored: number;
  readonly changed: number;
  readonly counts: Record<string, number>;
  /** The chunk's per-user results, serialized by the tester. */
  readonly results: string;
}

/** A user as the tester reads it: the identity still as JSON text. */
export interface RawUser {
  readonly seq: number;
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly identity: string | null;
}

/**
 * A user as the tester's worker threads read it (chunk-reader.ts): a tuple, cheaper to build than
 * an object. The identity is there only when no record of the engine's version
 * (engine/identity-record.ts) stands for it; the record is there as stored, of whatever version.
 */
export type UserRow = readonly [id: string, email: string, name: string, identity: string | null, identityRecord?: string | null];

/**
 * Policy tests. Their users are split into chunks that any server process may lease, process
 * and complete; completing a chunk records its results and bumps the test's counters in one
 * transaction, and only the current lease holder can complete it, so no user counts twice.
 */
export interface PolicyTestStore {
  /** Split an account's users into chunks of about `size` (the directory as it stands now). */
  userChunks(accountId: string, size: number): Promise<ChunkRange[]>;
  /**
   * Create a test and its chunks, unless its account already has `maxProcessing` tests
   * processing (checked under the account's lock): then nothing is written and the answer is
   * how many are processing.
   */
  create(test: NewPolicyTest, chunks: readonly ChunkRange[], maxProcessing?: number): Promise<{ created: boolean; processing: number }>;
  get(accountId: string, id: string): Promise<PolicyTestRecord | undefined>;
  /** A test by id alone, for the runner (callers of the API always go through get). */
  find(id: string): Promise<PolicyTestRecord | undefined>;
  /** The environment stored with a test; undefined when the test is unknown or has none. */
  environment(id: string): Promise<unknown | undefined>;
  /** Stop a test that cannot run, with the reason; its pending chunks are cancelled. */
  block(id: string, reason: string, now: string): Promise<void>;
  /** Tests of an account not yet finished. */
  countProcessing(accountId: string): Promise<number>;
  /** An account's tests, newest first. */
  list(accountId: string, page: PageRequest): Promise<PageOf<PolicyTestRecord>>;
  chunkSummaries(testId: string): Promise<ChunkSummary[]>;
  chunkResults(testId: string, chunkNo: number): Promise<string | undefined>;
  /** Take a pending chunk of a processing test whose lease is free or expired. */
  lease(owner: string, nowMs: number, leaseMs: number): Promise<ChunkLease | undefined>;
  /**
   * Extend `owner`'s lease of a chunk still pending to `expiresMs`, while it is being decided (a
   * chunk slower than a lease would otherwise pass from process to process and never finish);
   * false when `owner` no longer holds it.
   */
  renew(lease: ChunkLease, owner: string, expiresMs: number): Promise<boolean>;
  /** Record a chunk's results if `owner` still holds its lease; false when it lost it. */
  complete(lease: ChunkLease, owner: string, outcome: ChunkOutcome, now: string): Promise<boolean>;
  usersInRange(accountId: string, seqFrom: number, seqTo: number): Promise<RawUser[]>;
  /**
   * How a worker thread of this process reads users itself (chunk-reader.ts openChunkReader),
   * so that neither the rows nor their decoding pass through the event loop; undefined when
   * only this thread can reach the database (in-memory SQLite).
   */
  readonly threadConnection: ThreadConnection | undefined;
  /** Stop processing tests past their deadline ("exceeded time"); returns their ids. */
  expire(nowMs: number, now: string): Promise<string[]>;
  /** Give up `owner`'s leases (a clean shutdown), or every lease when owner is null. */
  release(owner: string | null): Promise<void>;
  /** Delete finished tests created before `before`, and beyond the newest `keep` per account. */
  prune(before: string, keep: number): Promise<number>;
  /** The identity-record version every user's record was last brought to (markRecordsVersion), or null. */
  recordsVersion(): Promise<number | null>;
  /**
   * Bring identity records to the engine's version, a slice at a time: of the users after
   * `afterSeq` (every account, in seq order, at most `limit` looked at), each with an identity
   * whose record is missing or of another version gets the record of that identity, unless the
   * identity changed meanwhile (then its writer wrote the record).
   */
  rebuildRecords(afterSeq: number, limit: number): Promise<RecordRebuildSlice>;
  /** Note that every user's record is of `version` (a rebuild pass reached the last user). */
  markRecordsVersion(version: number): Promise<void>;
}

export interface RecordRebuildSlice {
  /** The last seq looked at; null when no user was left after `afterSeq`. */
  readonly lastSeq: number | null;
  /** Users looked at (the slice's size but for the last). */
  readonly usersLookedAt: number;
  /** Records written. */
  readonly rewritten: number;
}

export interface Store {
  readonly dialect: Dialect;
  readonly read: StoreReader;
  readonly tests: PolicyTestStore;
  readonly challenges: LoginChallengeStore;
  readonly counters: SignInCounterStore;
  /**
   * Run `fn` in one transaction: all of its writes or none. Transactions of one scope never
   * overlap (in this process or another on the same database).
   */
  transaction<T>(scope: string, fn: (tx: StoreWriter) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * An import of users in a transaction of its own in the account's scope (StoreWriter's
   * importUsers, as a bulk transaction), written batch by batch as `batches` hands them on, so
   * the next batch can be checked while one is written. A batch source that throws ends the
   * import with nothing written (the error is the import's). No transaction is opened for a
   * source that ends before its first user. On PostgreSQL the rows are staged where only this
   * transaction sees them before the account's lock is taken, so a process that stalls while
   * sending them holds up no other. An import that creates and changes no user writes nothing
   * at all: the account's version stays, and no audit entry is made.
   */
  importUsers(accountId: string, batches: AsyncIterable<readonly PreparedUser[]>, newId: () => string): Promise<ImportCounts>;
  /**
   * A number that moves whenever anything is committed to the database, by this process or
   * another, read synchronously without a round trip: while it has not moved, nothing read
   * from the database has changed (the enforcement point's decisions rely on it, see
   * docs/enforcement.md "Sessions and caching"). Undefined when the store cannot tell without
   * a round trip (PostgreSQL): then read accountVersion.
   */
  commitStamp(): number | undefined;
  /** Record that a token was used (best effort, outside any transaction). */
  touchToken(id: string, at: string): Promise<void>;
  /**
   * Seal every stored secret with the current key: values stored in plain text before sealing
   * existed, and values of older keys. Throws a SecretKeyError when a value opens with no key.
   */
  resealSecrets(): Promise<ResealReport>;
  close(): Promise<void>;
}

export interface ResealReport {
  /** Resources that may hold secrets, all of whose secrets opened. */
  readonly checked: number;
  /** Those whose secrets were sealed again. */
  readonly resealed: number;
}

/**
 * The lock of writes that claim a host for their account (an auth domain, an application's
 * destinations) after checking that no other account holds it (docs/enforcement.md "Several
 * accounts on one server"): the check reads every account, beyond its own transaction's scope.
 */
export const HOST_CLAIMS_LOCK = 'portcullis:host-claims';

/** The scope of API-token writes (tokens belong to the user, not to an account). */
export const TOKENS_SCOPE = 'user:tokens';
