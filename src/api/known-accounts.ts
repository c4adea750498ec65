// Which account ids exist. Accounts are created, never implied by use: a request naming any
// other well-formed id is answered as Cloudflare answers an account the credentials cannot
// reach. Accounts are never deleted, so an id once found stays known without asking the
// store again; an unknown id is asked each time (another instance may have created it).

import { ACCOUNTS_SCOPE, type AccountRecord, type Store } from '../store/store.js';

export class KnownAccounts {
  private readonly known = new Set<string>();

  /** `open`: every well-formed id counts as an account (settings.openAccounts). */
  constructor(
    private readonly store: Store,
    private readonly open: boolean,
  ) {}

  async exists(id: string): Promise<boolean> {
    if (this.open || this.known.has(id)) return true;
    const found = (await this.store.read.getAccount(id)) !== undefined;
    if (found) this.known.add(id);
    return found;
  }

  /** Create the account unless it exists; true when it was created. */
  async create(account: AccountRecord): Promise<boolean> {
    const created = await this.store.transaction(ACCOUNTS_SCOPE, (tx) => tx.insertAccount(account));
    this.known.add(account.id);
    return created;
  }
}
