// One account of a Cloudflare-compatible API, reached through the official SDK
// (`new Cloudflare({apiToken, baseURL})`): portcullis or Cloudflare itself. The SDK's request
// types describe each selector and IdP config in detail; objects here come from files and other
// servers as plain JSON, already validated, so they are handed over with one cast per call.

import Cloudflare from 'cloudflare';
import { calling } from './api-failures.js';
import type { ListEntry, ObjectKind, WireObject } from './snapshot.js';

/** The import's answer; `unchanged` is missing from a server older than it. */
export interface ImportAnswer {
  readonly created: number;
  readonly updated: number;
  readonly unchanged?: number;
}

/** Kinds of objects that rules name by id but import does not move: they must be on the target already. */
export type UnmovedKind = 'service_token' | 'posture_rule' | 'app';

export interface Endpoint {
  /** The API base, e.g. http://127.0.0.1:8787/client/v4. */
  readonly url: string;
  readonly token: string;
  readonly account: string;
  /** Where each came from, for messages that say what to check ("--from-token or PORTCULLIS_FROM_TOKEN"). */
  readonly sources?: { readonly url: string; readonly token: string; readonly account: string };
}

/** Entries per request to a Gateway list: Cloudflare's documented maximum. */
export const LIST_ENTRIES_PER_REQUEST = 1000;
const PAGE = 1000;

// The SDK's params types are unions of every selector's shape; these objects are plain JSON.
const as = <T>(body: WireObject): T => body as unknown as T;

interface Collection {
  list(): AsyncIterable<unknown>;
  create(body: WireObject): Promise<unknown>;
  update(id: string, body: WireObject): Promise<unknown>;
}

export interface UserPage {
  readonly users: readonly WireObject[];
  /** Users in the account, from the first page's result_info, when the server says. */
  readonly total: number | undefined;
}

/** A page of portcullis's bulk identity read: users with their identities (null: none yet). */
export interface IdentityPage {
  readonly users: readonly {
    readonly id: string;
    readonly email: string;
    readonly name: string;
    readonly identity: WireObject | null;
    /** Null before the user's first login or import; missing from a server older than it. */
    readonly last_successful_login?: string | null;
  }[];
  readonly next_cursor: string | null;
  /** First page only. */
  readonly total_count?: number;
}

/** How long one request may take (the SDK's default), a request sent again after a 429 included. */
const REQUEST_TIMEOUT_MS = 60_000;

/** A create is sent once: see AccountApi.connect. */
const ONCE = { maxRetries: 0 } as const;

/** Each header CLOUDFLARE_CUSTOM_HEADERS names ("Name: value" lines), cleared (null drops it in the SDK). */
function withoutEnvironmentHeaders(): Record<string, null> {
  const cleared: Record<string, null> = {};
  for (const line of (process.env.CLOUDFLARE_CUSTOM_HEADERS ?? '').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) cleared[line.slice(0, colon).trim()] = null;
  }
  return cleared;
}

export class AccountApi {
  private readonly collections: Readonly<Record<ObjectKind, Collection>>;

  constructor(
    readonly client: Cloudflare,
    readonly endpoint: Endpoint,
  ) {
    const account_id = endpoint.account;
    const zt = client.zeroTrust;
    this.collections = {
      identity_provider: {
        list: () => zt.identityProviders.list({ account_id }),
        create: (body) => zt.identityProviders.create(as({ account_id, ...body }), ONCE),
        update: (id, body) => zt.identityProviders.update(id, as({ account_id, ...body })),
      },
      list: {
        list: () => zt.gateway.lists.list({ account_id }),
        create: (body) => zt.gateway.lists.create(as({ account_id, ...body }), ONCE),
        update: (id, body) => zt.gateway.lists.update(id, as({ account_id, ...body })),
      },
      group: {
        list: () => zt.access.groups.list({ account_id }),
        create: (body) => zt.access.groups.create(as({ account_id, ...body }), ONCE),
        update: (id, body) => zt.access.groups.update(id, as({ account_id, ...body })),
      },
      policy: {
        list: () => zt.access.policies.list({ account_id }),
        create: (body) => zt.access.policies.create(as({ account_id, ...body }), ONCE),
        update: (id, body) => zt.access.policies.update(id, as({ account_id, ...body })),
      },
    };
  }

  /**
   * A client of the API at `endpoint`. Requests are never redirected (an API base needs none; a
   * redirect is answered as the error it is, not followed to another host with the request's
   * body). A 429 is waited through here, as long as the server's Retry-After asks (at most a
   * minute), up to `rateLimitWaits` times in a row, each told to `onRateLimited`, so that a long
   * export rides out a scoped token's limit. Other failures (no connection, a 5xx) are retried by
   * the SDK `maxRetries` times (its default, 2), but never a create: one whose answer was lost may
   * have been made, and sending it again would make a second object of the same name.
   */
  static connect(
    endpoint: Endpoint,
    options: { readonly maxRetries?: number; readonly rateLimitWaits?: number; readonly onRateLimited?: (waitSeconds: number) => void; readonly timeoutMs?: number } = {},
  ): AccountApi {
    const waits = options.rateLimitWaits ?? 5;
    const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
    const guarded = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
      const once = { ...init, redirect: 'manual' as const };
      let answer = await fetch(input, once);
      for (let waited = 0; answer.status === 429 && waited < waits; waited++) {
        const seconds = Math.min(60, Math.max(1, Number(answer.headers.get('retry-after') ?? '1') || 1));
        options.onRateLimited?.(seconds);
        await answer.body?.cancel();
        await new Promise((resume) => setTimeout(resume, seconds * 1000));
        // A timeout of its own: the SDK's (a minute for the request) may have run out while waiting.
        answer = await fetch(input, { ...once, signal: AbortSignal.timeout(timeoutMs) });
      }
      return answer;
    };
    const client = new Cloudflare({
      apiToken: endpoint.token,
      // Only the token the user named: left unset, the SDK would add CLOUDFLARE_API_KEY,
      // CLOUDFLARE_EMAIL, CLOUDFLARE_API_USER_SERVICE_KEY and CLOUDFLARE_CUSTOM_HEADERS from the
      // environment to every request (a Cloudflare account's global key sent to whatever --url
      // names, and on to any host it redirects to, as fetch keeps custom headers across origins).
      apiKey: null,
      apiEmail: null,
      userServiceKey: null,
      defaultHeaders: withoutEnvironmentHeaders(),
      baseURL: endpoint.url,
      ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
      fetch: guarded as never,
      timeout: timeoutMs,
    });
    return new AccountApi(client, endpoint);
  }

  /** The account's Access applications, as the API answers them. */
  async applications(): Promise<WireObject[]> {
    return calling(this.endpoint, 'listing the Access applications', async () => {
      const out: WireObject[] = [];
      for await (const app of this.client.zeroTrust.access.applications.list({ account_id: this.endpoint.account })) out.push(app as WireObject);
      return out;
    });
  }

  /** The ids of the account's service tokens, device posture rules or Access applications (which import does not move, only names). */
  async unmovedIds(kind: UnmovedKind): Promise<string[]> {
    const account_id = this.endpoint.account;
    const pages =
      kind === 'service_token'
        ? this.client.zeroTrust.access.serviceTokens.list({ account_id })
        : kind === 'posture_rule'
          ? this.client.zeroTrust.devices.posture.list({ account_id })
          : this.client.zeroTrust.access.applications.list({ account_id });
    const out: string[] = [];
    for await (const item of pages) out.push(String((item as { id?: unknown }).id));
    return out;
  }

  /** Every object of a kind, as the API answers them. */
  async list(kind: ObjectKind): Promise<WireObject[]> {
    const out: WireObject[] = [];
    for await (const item of this.collections[kind].list()) out.push(item as WireObject);
    return out;
  }

  async create(kind: ObjectKind, body: WireObject): Promise<WireObject> {
    return (await this.collections[kind].create(body)) as WireObject;
  }

  async update(kind: ObjectKind, id: string, body: WireObject): Promise<WireObject> {
    return (await this.collections[kind].update(id, body)) as WireObject;
  }

  async listEntries(listId: string): Promise<ListEntry[]> {
    const out: ListEntry[] = [];
    for await (const item of this.client.zeroTrust.gateway.lists.items.list(listId, { account_id: this.endpoint.account, per_page: PAGE })) {
      const { value, description } = item as { value?: string; description?: string };
      if (typeof value === 'string') out.push(description ? { value, description } : { value });
    }
    return out;
  }

  async editList(listId: string, change: { readonly append?: readonly ListEntry[]; readonly remove?: readonly string[] }): Promise<void> {
    await this.client.zeroTrust.gateway.lists.edit(listId, as({ account_id: this.endpoint.account, ...change }));
  }

  /** Create an Access application (its `policies` name reusable policies by id, by precedence). */
  async createApplication(body: WireObject): Promise<WireObject> {
    return (await this.client.zeroTrust.access.applications.create(as({ account_id: this.endpoint.account, ...body }), ONCE)) as unknown as WireObject;
  }

  /** The account's users, a page at a time. */
  async *userPages(): AsyncGenerator<UserPage> {
    const first = await this.client.zeroTrust.access.users.list({ account_id: this.endpoint.account, per_page: PAGE });
    // total_count is in every v4 answer, though the SDK's type leaves it out.
    const total = (first.result_info as { total_count?: number } | undefined)?.total_count;
    for await (const page of first.iterPages()) yield { users: page.getPaginatedItems() as unknown as WireObject[], total };
  }

  /**
   * portcullis's bulk read of users with their identities (docs/extensions.md), a page at a time;
   * undefined when the server does not have it (Cloudflare answers 404), so callers fall back to
   * one last_seen_identity request per user.
   */
  async identityPage(cursor: string | undefined, limit: number): Promise<IdentityPage | undefined> {
    try {
      const answer = await this.client.get(`/accounts/${encodeURIComponent(this.endpoint.account)}/access/users/identities`, {
        query: { limit, ...(cursor !== undefined ? { cursor } : {}) },
      });
      return (answer as { result: IdentityPage }).result;
    } catch (err) {
      if (err instanceof Cloudflare.NotFoundError) return undefined;
      throw err;
    }
  }

  /** A user's last seen identity; undefined when the user has none (404). */
  async lastSeenIdentity(userId: string): Promise<WireObject | undefined> {
    try {
      return (await this.client.zeroTrust.access.users.lastSeenIdentity.get(userId, { account_id: this.endpoint.account })) as unknown as WireObject;
    } catch (err) {
      if (err instanceof Cloudflare.NotFoundError) return undefined;
      throw err;
    }
  }

  /** portcullis's bulk user import (docs/extensions.md): NDJSON, all or nothing. */
  async importUsers(ndjson: string): Promise<ImportAnswer> {
    const answer = await this.client.post(`/accounts/${encodeURIComponent(this.endpoint.account)}/access/users/import`, {
      body: ndjson,
      headers: { 'content-type': 'application/x-ndjson' },
    });
    return (answer as { result: ImportAnswer }).result;
  }
}
