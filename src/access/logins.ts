// What every login records (the development login now, identity providers later): the user,
// created on their first login, and their last seen identity, the one the policies and the
// policy tester evaluate.

import { timeOrderedUuid } from '../store/time-ordered-id.js';
import type { Store, UserRecord } from '../store/store.js';

export interface LoginIdentity {
  readonly email: string;
  readonly name?: string;
  readonly ip: string | undefined;
  readonly groups: readonly string[];
  readonly idp: { readonly id: string; readonly type: string };
  readonly amr?: readonly string[];
}

export async function recordLogin(store: Store, accountId: string, login: LoginIdentity): Promise<UserRecord> {
  const identity: Record<string, unknown> = {
    email: login.email,
    ...(login.ip !== undefined ? { ip: login.ip } : {}),
    groups: login.groups.map((name) => ({ id: name, name })),
    idp: login.idp,
    amr: login.amr ?? ['pwd'],
  };
  return store.transaction(accountId, async (tx) => {
    const existing = await tx.getUserByEmail(accountId, login.email);
    if (existing !== undefined) return (await tx.updateUser(accountId, existing.id, { identity: { ...identity, email: existing.email } }))!;
    const created = await tx.insertUser({ accountId, id: timeOrderedUuid(), email: login.email, name: login.name ?? login.email.split('@')[0]!, identity: null });
    return (await tx.updateUser(accountId, created.id, { identity }))!;
  });
}
