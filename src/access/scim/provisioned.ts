// What provisioning knows of a user who logs in, for the login to merge with
// (account/scim-identity.ts mergeLoginWithScim): the provider's SCIM user for them, if it pushes
// one and it is active, with its name and pushed groups, and the provider's
// identity_update_behavior. A login flow calls it with the identity provider it signed in through.

import { mergeLoginWithScim, type ScimIdentityParts } from '../../account/scim-identity.js';
import { scimSettings, type IdentityUpdateBehavior } from '../../account/scim-provisioning.js';
import type { StoreReader } from '../../store/store.js';
import { displayNameOf, emailOf, groupBody, identityGroup, isActive, userBody } from './directory.js';

export interface Provisioned {
  readonly parts: ScimIdentityParts;
  readonly behavior: IdentityUpdateBehavior;
}

/** What `provider` provisions of the user with `email`, or undefined when it pushes no active SCIM user for them. */
export async function provisionedFor(store: StoreReader, accountId: string, provider: { readonly id: string; readonly type: string }, email: string): Promise<Provisioned | undefined> {
  const record = await store.getResource(accountId, 'identity_provider', provider.id);
  if (record === undefined) return undefined;
  const settings = scimSettings(record.body);
  if (!settings.enabled) return undefined;
  const directory = await store.getUserByEmail(accountId, email);
  const linked = (body: ReturnType<typeof userBody>): boolean => (directory !== undefined && body.user_id === directory.id) || emailOf(body.resource)?.toLowerCase() === email.toLowerCase();
  // Most providers push the email as the userName: found by the index; others by reading the provider's users.
  let scimUser = (await store.allResources(accountId, 'scim_user', { parentId: provider.id, name: email.toLowerCase() })).find((r) => linked(userBody(r)));
  scimUser ??= (await store.allResources(accountId, 'scim_user', { parentId: provider.id })).find((r) => linked(userBody(r)));
  if (scimUser === undefined || !isActive(userBody(scimUser).resource)) return undefined;
  const body = userBody(scimUser);
  const groups = (await store.getResources(accountId, 'scim_group', body.group_ids)).map((g) => identityGroup({ id: g.id, resource: groupBody(g).resource }));
  const name = displayNameOf(body.resource);
  return { parts: { email: directory?.email ?? email, ...(name !== undefined ? { name } : {}), idp: { id: provider.id, type: provider.type }, groups }, behavior: settings.identityUpdateBehavior };
}

/** The identity a login through `login.idp` records, merged with what that provider provisions of the user. */
export async function loginIdentityWithScim(store: StoreReader, accountId: string, login: Record<string, unknown> & { readonly email: string; readonly idp: { readonly id: string; readonly type: string } }): Promise<Record<string, unknown>> {
  const provisioned = await provisionedFor(store, accountId, login.idp, login.email);
  return provisioned === undefined ? mergeLoginWithScim(login, undefined, 'no_action') : mergeLoginWithScim(login, provisioned.parts, provisioned.behavior);
}
