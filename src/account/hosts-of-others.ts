// The hosts the server's other accounts sign in on (their auth domains) and protect (their
// applications). An auth domain's host serves its account's sign-in pages, keys and global
// session cookie; an application's host the endpoints of the account holding it (docs/
// enforcement.md "Several accounts on one server"). One account may not take a host of the
// other kind from another, or its sign-in pages and cookies would be served on the other's
// application origin. Each read goes over every account: asked only when an auth domain or an
// application's destinations are written, and then through the write's transaction after it has
// taken HOST_CLAIMS_LOCK: two accounts' claims of one host at once are decided one after the other.

import { authDomainHosts } from '../schema/auth-domain.js';
import { destinationCoversHost, enforcedDestinationsOf } from '../schema/destination-hosts.js';
import type { StoreReader } from '../store/store.js';
import { readOrganization } from './organization.js';

/** The server's default account and its own address, where that account signs in while its organization names no auth domain. */
export interface DefaultAuthDomain {
  readonly accountId: string | undefined;
  readonly authDomain: string;
}

/** An auth domain of another account, as the enforcement point tells it apart: host and port (authDomainHosts' `exact`). */
export interface AuthDomainOfAnother {
  readonly host: string;
  /** The server's own address, the default account's auth domain while its organization names none. */
  readonly serverAddress: boolean;
}

/** The accounts the enforcement point serves other than `accountId`: every account created, and the default one. */
async function otherAccounts(read: StoreReader, accountId: string, defaultAccountId: string | undefined): Promise<string[]> {
  const ids = new Set((await read.listAccounts()).map((account) => account.id));
  if (defaultAccountId !== undefined) ids.add(defaultAccountId);
  ids.delete(accountId);
  return [...ids];
}

/** The auth domain an account's organization names, if it names one. */
async function namedAuthDomain(read: StoreReader, accountId: string): Promise<string | undefined> {
  const named = (await readOrganization(read, accountId))?.body.auth_domain;
  return typeof named === 'string' && named.trim() !== '' ? named : undefined;
}

/** Where the server's accounts other than `accountId` sign in: their organizations' auth domains, and the server's own address while the default account's names none. */
export async function authDomainsOfOthers(read: StoreReader, accountId: string, server: DefaultAuthDomain): Promise<AuthDomainOfAnother[]> {
  const found: AuthDomainOfAnother[] = [];
  for (const id of await otherAccounts(read, accountId, server.accountId)) {
    const named = await namedAuthDomain(read, id);
    const serverAddress = named === undefined && id === server.accountId;
    const authDomain = named ?? (serverAddress ? server.authDomain : undefined);
    const host = authDomain === undefined ? undefined : authDomainHosts(authDomain)?.exact;
    if (host !== undefined) found.push({ host, serverAddress });
  }
  return found;
}

/** Whether an application of another account than `accountId` covers `host` (on any port: applications match hosts without one). */
export async function othersProtect(read: StoreReader, accountId: string, host: string, defaultAccountId: string | undefined): Promise<boolean> {
  for (const id of await otherAccounts(read, accountId, defaultAccountId)) {
    for (const app of await read.allResources(id, 'app')) {
      if (enforcedDestinationsOf(app).some((text) => destinationCoversHost(text, host))) return true;
    }
  }
  return false;
}
