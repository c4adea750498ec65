// Which account a request to the enforcement point is for (docs/enforcement.md "Several accounts
// on one server"). With one account, that one, whatever the host. With several: for forward
// auth and the application host's endpoints, the account that holds the host (the one whose
// application on it is the oldest: another account's application there is ignored, so no account
// can take a path of another's host), then its application covering the path most specifically
// (two accounts holding a host since the same instant fail closed); for the auth domain's endpoints
// (keys, login pages, identity providers' callbacks), the account whose organization's
// auth_domain is the request's host. The index is rebuilt only when an account's version or the
// list of accounts moves, and, where the store has a commit stamp (SQLite), reused without any
// read while the stamp stays put, by forward auth and every other endpoint alike
// (docs/enforcement.md "Sessions and caching").

import { authDomainHostKey, authDomainHosts } from '../schema/auth-domain.js';
import type { ResourceRecord, Store } from '../store/store.js';
import { bestMatches, candidatesOnHost, slashesDecoded, type Candidate } from './app-match.js';
import { HostMemo, MAX_AGE_MS, type AccountView, type AccountViews } from './account-views.js';
import { ProblemLog } from './problem-log.js';

export type ApplicationMatch =
  | { readonly kind: 'application'; readonly view: AccountView; readonly app: ResourceRecord }
  | { readonly kind: 'none' }
  /** Applications of several accounts hold the host since the same instant: a configuration error, refused. */
  | { readonly kind: 'conflict'; readonly accountIds: readonly string[] };

/** Whether two matches name the same application (or both none, or the same tie). */
function sameMatch(a: ApplicationMatch, b: ApplicationMatch): boolean {
  if (a.kind === 'application' && b.kind === 'application') return a.app.id === b.app.id && a.view.accountId === b.view.accountId;
  if (a.kind === 'conflict' && b.kind === 'conflict') return a.accountIds.join() === b.accountIds.join();
  return a.kind === b.kind;
}

type AccountCandidate = Candidate<{ readonly view: AccountView; readonly app: ResourceRecord }>;

/** Who decides a host, of several accounts' applications; `onHost`: every account's applications there. */
type Holding = { readonly onHost: readonly AccountCandidate[] } & (
  | { readonly kind: 'none' }
  | { readonly kind: 'conflict'; readonly accountIds: readonly string[] }
  /** `candidates`: the holder's applications on the host; `others`: accounts whose applications there are passed over. */
  | { readonly kind: 'held'; readonly view: AccountView; readonly candidates: readonly AccountCandidate[]; readonly others: readonly string[] }
);

/**
 * The account holding a host, of the applications on it (several accounts): the account of the
 * oldest one. Undefined when accounts' oldest applications there were made at the same instant.
 */
function holderOf(onHost: readonly { readonly view: AccountView; readonly app: ResourceRecord }[]): { readonly view: AccountView } | { readonly tied: readonly string[] } {
  let oldest = onHost[0]!;
  let tied = new Set([oldest.view.accountId]);
  for (const entry of onHost.slice(1)) {
    const order = entry.app.createdAt.localeCompare(oldest.app.createdAt);
    if (order < 0) {
      oldest = entry;
      tied = new Set([entry.view.accountId]);
    } else if (order === 0) tied.add(entry.view.accountId);
  }
  return tied.size === 1 ? { view: oldest.view } : { tied: [...tied] };
}

const NONE: ApplicationMatch = Object.freeze({ kind: 'none' });
const NO_HOLDER: Holding = Object.freeze({ kind: 'none', onHost: [] });

/** Who decides `host`: the account holding it, with its applications there, and the accounts passed over. */
function holdingOf(candidates: readonly AccountCandidate[], host: string): Holding {
  const onHost = candidatesOnHost(candidates, host);
  if (onHost.length === 0) return NO_HOLDER;
  const holder = holderOf(onHost.map((candidate) => candidate.value));
  if ('tied' in holder) return { kind: 'conflict', accountIds: holder.tied, onHost };
  return {
    kind: 'held',
    onHost,
    view: holder.view,
    candidates: onHost.filter((candidate) => candidate.value.view === holder.view),
    others: [...new Set(onHost.filter((candidate) => candidate.value.view !== holder.view).map((candidate) => candidate.value.view.accountId))],
  };
}

const withoutPort = (host: string): string => host.replace(/:\d+$/, '');

/** Adds `view` under `key`; a key two accounts claim stands for neither (null). */
function claim(map: Map<string, AccountView | null>, key: string, view: AccountView): void {
  const held = map.get(key);
  map.set(key, held === undefined || held === view ? view : null);
}

/** The accounts' views at one moment, with what finds the account of a request. */
export class AccountIndex {
  /** Every account's applications, for a host and path that several accounts may cover. */
  private readonly candidates: readonly AccountCandidate[];
  /**
   * Each host's holding, worked out on its first request: the index never changes, and scanning
   * every account's applications on every request made each decision cost as much as the
   * number of accounts (docs/benchmarks.md, "Many accounts").
   */
  private readonly holdings = new HostMemo<Holding>();
  private readonly exactHosts = new Map<string, AccountView | null>();
  private readonly hostnames = new Map<string, AccountView | null>();
  /** Auth domain hosts that several accounts name: neither answers there. */
  readonly sharedAuthDomains: readonly string[];
  readonly builtAt: number;

  constructor(
    /** The default account's view first. */
    readonly views: readonly AccountView[],
    /** This server's own URL: the auth domain of the default account while its organization names none. */
    serverUrl: string,
    /** Told when applications of `others` on a host `holder` holds were passed over. */
    private readonly ignored?: (host: string, holder: string, others: readonly string[]) => void,
  ) {
    this.builtAt = Math.min(...views.map((v) => v.builtAt));
    this.candidates = views.length < 2 ? [] : views.flatMap((view) => view.candidates.map((c) => ({ value: { view, app: c.value }, destinations: c.destinations })));
    for (const view of views) {
      const named = view.organization?.auth_domain;
      const hosts = typeof named === 'string' && named.trim() !== '' ? authDomainHosts(named) : undefined;
      if (hosts === undefined) continue;
      claim(this.exactHosts, hosts.exact, view);
      claim(this.hostnames, hosts.hostname, view);
    }
    const shared = [...this.exactHosts].filter(([, view]) => view === null).map(([host]) => host);
    // The default account answers on the server's own address unless its organization moved it
    // elsewhere, and unless an account names that address as its own.
    const fallback = views[0];
    const own = authDomainHosts(serverUrl);
    if (fallback !== undefined && own !== undefined && !(typeof fallback.organization?.auth_domain === 'string' && fallback.organization.auth_domain.trim() !== '')) {
      if (!this.exactHosts.has(own.exact)) this.exactHosts.set(own.exact, fallback);
      if (!this.hostnames.has(own.hostname)) this.hostnames.set(own.hostname, fallback);
    }
    this.sharedAuthDomains = shared;
  }

  /** The one account when the server serves only one (every host is its own). */
  get only(): AccountView | undefined {
    return this.views.length === 1 ? this.views[0] : undefined;
  }

  /**
   * The application covering `host` and `path`, and its account. A path with an encoded slash
   * (or backslash) whose application (or account, or none) would differ were it read as a slash
   * is refused (an error answered 400): the proxy passes `%2F` and `%5C` on as they came, and which reading the
   * application behind it takes cannot be known, so neither application's policies may decide.
   */
  application(host: string, path: string): ApplicationMatch {
    const match = this.applicationAsWritten(host, path);
    const decoded = slashesDecoded(path);
    if (decoded !== undefined && !sameMatch(match, this.applicationAsWritten(host, decoded))) {
      throw Object.assign(new Error(`The path ${JSON.stringify(path.split('?')[0])} holds an encoded slash (%2F) or backslash (%5C), and another Access application covers it when that is read as a slash, as some applications behind a proxy read it: which one decides cannot be told, so the request is refused.`), { statusCode: 400 });
    }
    return match;
  }

  private applicationAsWritten(host: string, path: string): ApplicationMatch {
    const only = this.only;
    if (only !== undefined) {
      const app = only.application(host, path);
      return app === undefined ? NONE : { kind: 'application', view: only, app };
    }
    const holding = this.holding(host);
    if (holding.kind === 'none') return NONE;
    if (holding.kind === 'conflict') return { kind: 'conflict', accountIds: holding.accountIds };
    if (holding.others.length > 0) this.ignored?.(host, holding.view.accountId, holding.others);
    const best = bestMatches(holding.candidates, host, path)[0];
    return best === undefined ? NONE : { kind: 'application', view: best.view, app: best.app };
  }

  /**
   * The account that decides `host` (with one account: that one, on any host); undefined when no
   * account's application is on it or accounts hold it since the same instant.
   */
  holderOf(host: string): AccountView | undefined {
    const only = this.only;
    if (only !== undefined) return only;
    const holding = this.holding(host);
    return holding.kind === 'held' ? holding.view : undefined;
  }

  /**
   * Every account's applications with a destination on `host`, whatever its path (those of the
   * accounts passed over too): found with the host's holding, not by a pass over every account's.
   */
  applicationsOn(host: string): readonly Candidate<ResourceRecord>[] {
    const only = this.only;
    if (only !== undefined) return only.applicationsOn(host);
    return this.holding(host).onHost.map((candidate) => ({ value: candidate.value.app, destinations: candidate.destinations }));
  }

  private holding(host: string): Holding {
    return this.holdings.get(host, () => holdingOf(this.candidates, host));
  }

  /** The account whose auth domain `host` is (with one account: that one, on any host). */
  authDomainAccount(host: string): AccountView | undefined {
    const only = this.only;
    if (only !== undefined) return only;
    const key = authDomainHostKey(host);
    const exact = this.exactHosts.get(key);
    if (exact !== undefined) return exact ?? undefined;
    return this.hostnames.get(withoutPort(key)) ?? undefined;
  }
}

/** The current AccountIndex of the accounts this server serves: every account it holds, and its default one. */
export class EnforcedAccounts {
  private index: AccountIndex | undefined;
  /** Hosts where other accounts' applications were passed over, logged once a minute each. */
  private readonly passedOver = new ProblemLog();
  private confirmed: { readonly index: AccountIndex; readonly stamp: number } | undefined;
  /** The digest of the accounts' versions the index was last built or confirmed on (Store.accountVersionsDigest). */
  private listed: { readonly digest: string; readonly index: AccountIndex } | undefined;
  /** The index this turn's decisions wait for, until its work starts. */
  private pending: Promise<AccountIndex> | undefined;

  constructor(
    private readonly store: Store,
    private readonly views: AccountViews,
    private readonly defaultAccountId: string,
    private readonly serverUrl: () => string,
    /** Told about a configuration error of a new index (an auth domain several accounts name). */
    private readonly warn: (message: string, details: Record<string, unknown>) => void = () => undefined,
  ) {}

  /**
   * The index as it was last confirmed current, with the commit stamp it was confirmed at,
   * without reading anything. It is still current only while the store's commit stamp is that
   * one: the caller checks (CommitStampCheck) before acting on it.
   */
  lastConfirmed(now = Date.now()): { readonly index: AccountIndex; readonly stamp: number } | undefined {
    const confirmed = this.confirmed;
    return confirmed === undefined || now - confirmed.index.builtAt >= MAX_AGE_MS ? undefined : confirmed;
  }

  /**
   * The index now: one read of the accounts and their versions, and the views of those that
   * moved. Worked out once for all the decisions that asked in this turn of the event loop, after
   * they had all arrived: each still rests on a read made after its request came in (the
   * reasoning of CommitStampCheck), and a server of many accounts reads and compares their list
   * once a turn instead of once a request.
   */
  get(now = Date.now()): Promise<AccountIndex> {
    if (this.pending === undefined) {
      this.pending = new Promise((resolve, reject) =>
        // setImmediate runs after the poll phase, in which this turn's requests were read.
        setImmediate(() => {
          this.pending = undefined;
          this.refresh(now).then(resolve, reject);
        }),
      );
    }
    return this.pending;
  }

  private async refresh(now: number): Promise<AccountIndex> {
    // Taken before anything is read: any commit after this point moves the stamp, so an index
    // of what is read next is current for as long as the stamp stays this one.
    const stamp = this.store.commitStamp();
    // Nothing committed since the index was last confirmed (SQLite): it stands without a read.
    // The digest is a sum over every account, so reading it for each sign-in page, key set or
    // logout cost as much as the number of accounts (docs/benchmarks.md "Many accounts").
    const confirmed = this.lastConfirmed(now);
    if (stamp !== undefined && confirmed !== undefined && confirmed.stamp === stamp && confirmed.index === this.index) return confirmed.index;
    // Read before the list, so that a write in between shows as a digest that moved next time.
    const digest = await this.store.read.accountVersionsDigest();
    const last = this.listed;
    if (last !== undefined && last.digest === digest && last.index === this.index && now - last.index.builtAt < MAX_AGE_MS) {
      // No account added, none moved: the index stands, whatever the number of accounts.
      if (stamp !== undefined) this.confirmed = { index: last.index, stamp };
      return last.index;
    }
    const listed = await this.store.read.accountVersions();
    const versions = new Map(listed.map((a) => [a.id, a.version]));
    // The default account first, even where it was never created (a server with open accounts).
    const defaultListed = versions.has(this.defaultAccountId);
    const defaultVersion = versions.get(this.defaultAccountId) ?? (await this.store.read.accountVersion(this.defaultAccountId));
    versions.delete(this.defaultAccountId);
    const ids: [string, number][] = [[this.defaultAccountId, defaultVersion], ...versions];
    let index = this.index;
    // The views of accounts that did not move are the index's own: only the others are asked
    // for, so that a decision does not wait on every account the server holds.
    const kept = index === undefined || index.views.length !== ids.length ? undefined : index.views;
    const keptView = (i: number, id: string, version: number): AccountView | undefined => {
      const view = kept?.[i];
      return view !== undefined && view.accountId === id && view.version === version && now - view.builtAt < MAX_AGE_MS ? view : undefined;
    };
    const views = ids.every(([id, version], i) => keptView(i, id, version) !== undefined)
      ? kept!
      : await Promise.all(ids.map(([id, version], i) => keptView(i, id, version) ?? this.views.get(id, now, version)));
    if (index === undefined || index.views.length !== views.length || index.views.some((view, i) => view !== views[i])) {
      index = new AccountIndex(views, this.serverUrl(), (host, holder, others) => {
        const report = this.passedOver.report(host);
        if (report !== undefined) this.warn("applications of other accounts on a host an account holds are ignored: the account whose application on the host is the oldest decides all of it", { host, holder, ignored: others, since: report.refusedSince });
      });
      this.index = index;
      if (index.sharedAuthDomains.length > 0) this.warn('several accounts name the same auth domain: none of them answers there', { authDomains: index.sharedAuthDomains });
    }
    if (stamp !== undefined) this.confirmed = { index, stamp };
    // The digest covers only accounts that were created: an unlisted default account's version is read every time.
    this.listed = defaultListed ? { digest, index } : undefined;
    return index;
  }
}
