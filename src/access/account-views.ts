// What the enforcement point derives from an account's objects (its applications, their
// compiled policy sets, service tokens, session revocations, the sign-ins signed out of, its
// organization, the request headers its SAML providers pass), kept until the
// account's version moves (every write to the account moves it, in any instance: see
// Store.accountVersion). A decision then reads at most that version instead of reading and
// compiling everything, and a change still applies from the next request on. Which views are
// current, and since which commit stamp, is kept by EnforcedAccounts (enforced-accounts.ts)
// for every account the server serves (docs/enforcement.md "Sessions and caching").

import { compilePolicySet, type CompiledPolicySet, type Policy } from '../engine/index.js';
import { loadAccountEnv } from '../account/account-env.js';
import { readOrganization, revocationTime, type OrganizationBody } from '../account/organization.js';
import { attachedPolicies, attachedPolicy } from '../api/resources/app-attachments.js';
import type { ResourceRecord, Store, UserRecord } from '../store/store.js';
import { candidatesOnHost, matchDestination, type Candidate } from './app-match.js';
import { samlHeaderNamesOf } from '../schema/saml-headers.js';
import { enforcedDestinationsOf } from '../schema/destination-hosts.js';

/** Views older than this are rebuilt anyway (compiled sets read the clock, e.g. for expiries). */
export const MAX_AGE_MS = 60_000;
const MAX_ACCOUNTS = 1000;
const MAX_USERS = 50_000;
/**
 * Hosts whose applications a view (or, with several accounts, an index) keeps: more than any
 * deployment serves, so that only requests naming hosts no application is on (scanners, typos)
 * ever push one out.
 */
export const MAX_KEPT_HOSTS = 10_000;

/** Something worked out for a host on its first request and kept, for up to MAX_KEPT_HOSTS hosts (then all forgotten at once). */
export class HostMemo<T> {
  private readonly byHost = new Map<string, T>();

  get(host: string, workOut: () => T): T {
    const key = host.toLowerCase();
    let value = this.byHost.get(key);
    if (value === undefined) {
      value = workOut();
      if (this.byHost.size >= MAX_KEPT_HOSTS) this.byHost.clear();
      this.byHost.set(key, value);
    }
    return value;
  }
}

export interface CompiledApp {
  readonly policies: readonly Policy[];
  readonly compiled: CompiledPolicySet;
}

/** A load shared by everyone who asks, and its value once it has arrived (read without waiting). */
class Loading<T> {
  settled = false;
  value: T | undefined;
  constructor(readonly promise: Promise<T>) {
    promise.then((value) => {
      this.value = value;
      this.settled = true;
    }, () => undefined);
  }
}

export class AccountView {
  private readonly compiledApps = new Map<string, Loading<CompiledApp>>();
  private readonly users = new Map<string, Loading<UserRecord | undefined>>();
  /** Each host's applications, worked out on its first request: a decision then tests only those, however many the account has. */
  private readonly onHost = new HostMemo<readonly Candidate<ResourceRecord>[]>();

  constructor(
    private readonly store: Store,
    readonly accountId: string,
    readonly version: number,
    readonly builtAt: number,
    /** The account's applications with their destinations. */
    readonly candidates: readonly Candidate<ResourceRecord>[],
    readonly serviceTokens: readonly ResourceRecord[],
    readonly organization: OrganizationBody | undefined,
    private readonly revocationRecords: ReadonlyMap<string, ResourceRecord>,
    /** Every header the account's SAML providers pass (header_attributes), once each, as first configured. */
    readonly samlHeaderNames: readonly string[],
    /** The sign-ins signed out of (their identity nonce), with when their longest token expires (ms). */
    private readonly endedSignIns: ReadonlyMap<string, number>,
  ) {}

  application(host: string, path: string): ResourceRecord | undefined {
    return matchDestination(this.applicationsOn(host), host, path);
  }

  /** The account's applications with a destination on `host`, whatever its path. */
  applicationsOn(host: string): readonly Candidate<ResourceRecord>[] {
    return this.onHost.get(host, () => candidatesOnHost(this.candidates, host));
  }

  compiled(app: ResourceRecord): Promise<CompiledApp> {
    let entry = this.compiledApps.get(app.id);
    if (entry === undefined) {
      const loading = (async () => {
        const attached = await attachedPolicies(this.store.read, this.accountId, app);
        const policies = attached.map(attachedPolicy).filter((p): p is Policy => p !== undefined);
        const { env } = await loadAccountEnv(this.store.read, this.accountId, policies, this.builtAt);
        return { policies, compiled: compilePolicySet(policies, env) };
      })();
      loading.catch(() => this.compiledApps.delete(app.id));
      entry = new Loading(loading);
      this.compiledApps.set(app.id, entry);
    }
    return entry.promise;
  }

  /** The application's compiled set if it is built already, without waiting. */
  compiledNow(app: ResourceRecord): CompiledApp | undefined {
    const entry = this.compiledApps.get(app.id);
    return entry?.settled === true ? entry.value : undefined;
  }

  /** A user as of this version (user writes move the account's version too). Bounded. */
  user(userId: string): Promise<UserRecord | undefined> {
    let entry = this.users.get(userId);
    if (entry === undefined) {
      const loading = this.store.read.getUser(this.accountId, userId);
      loading.catch(() => this.users.delete(userId));
      entry = new Loading(loading);
      this.users.set(userId, entry);
      if (this.users.size > MAX_USERS) this.users.delete(this.users.keys().next().value!);
    }
    return entry.promise;
  }

  /** The user if read already, without waiting: `{ user }` (undefined when there is none), else undefined. */
  userNow(userId: string): { readonly user: UserRecord | undefined } | undefined {
    const entry = this.users.get(userId);
    return entry?.settled === true ? { user: entry.value } : undefined;
  }

  /**
   * Whether the sign-in with this identity nonce was signed out of: then none of its tokens (the
   * global session, any application's) is a session any more. A lookup in memory, for forward auth.
   */
  signInEnded(nonce: unknown): boolean {
    return typeof nonce === 'string' && this.endedSignIns.has(nonce);
  }

  /** Until when (ms) the sign-in is recorded as ended, if it is. */
  signInEndedUntil(nonce: string): number | undefined {
    return this.endedSignIns.get(nonce);
  }

  /** When the user's sessions were revoked (ms), if ever; unreadable times revoke everything. */
  revokedAt(userId: string): number | undefined {
    return revocationTime(this.revocationRecords.get(userId));
  }
}

export class AccountViews {
  private readonly views = new Map<string, Promise<AccountView>>();

  constructor(private readonly store: Store) {}

  /** The account's view now: the kept one while the account's version (`version` when the caller read it already) is the same. */
  async get(accountId: string, now = Date.now(), version?: number): Promise<AccountView> {
    const current = version ?? (await this.store.read.accountVersion(accountId));
    const cached = this.views.get(accountId);
    let view = cached === undefined ? undefined : await cached.catch(() => undefined);
    if (view === undefined || view.version !== current || now - view.builtAt >= MAX_AGE_MS) {
      const building = this.build(accountId, current, now);
      this.views.delete(accountId);
      this.views.set(accountId, building);
      if (this.views.size > MAX_ACCOUNTS) this.views.delete(this.views.keys().next().value!);
      building.catch(() => this.views.delete(accountId));
      view = await building;
    }
    return view;
  }

  private async build(accountId: string, version: number, now: number): Promise<AccountView> {
    const read = this.store.read;
    const [apps, tokens, revocations, organization, providers, ended] = await Promise.all([
      read.allResources(accountId, 'app'),
      read.allResources(accountId, 'service_token'),
      read.allResources(accountId, 'session_revocation'),
      readOrganization(read, accountId),
      read.allResources(accountId, 'identity_provider'),
      read.endedSignIns(accountId, now),
    ]);
    return new AccountView(
      this.store,
      accountId,
      version,
      now,
      apps.map((app) => ({ value: app, destinations: enforcedDestinationsOf(app) })),
      tokens,
      organization?.body,
      new Map(revocations.map((r) => [r.id, r])),
      samlHeaderNamesOf(providers.map((idp) => idp.body)),
      new Map(ended.map((e) => [e.nonce, e.expiresAt])),
    );
  }
}

