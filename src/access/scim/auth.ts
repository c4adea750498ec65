// Who is pushing: the identity provider the path names, proven by its SCIM secret as an
// `Authorization: Bearer` token, compared in constant time. A missing or wrong secret, an
// unknown account or provider are one and the same 401 (nothing tells which ids exist); a
// refusal for a provider that exists goes to the account's access log (at most once a minute
// per address). The right secret with SCIM turned off is a 403.

import { createHash, timingSafeEqual } from 'node:crypto';
import { authDomainOr, readOrganization } from '../../account/organization.js';
import { scimBaseUrl, scimSettings } from '../../account/scim-provisioning.js';
import type { Store } from '../../store/store.js';
import type { AccessLog } from '../access-log.js';
import type { ProviderScope } from './directory.js';
import { ScimError } from './errors.js';

const ACCOUNT_ID = /^[0-9a-f]{32}$/i;
const PROVIDER_ID = /^[0-9A-Za-z-]{1,64}$/;
const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

const unauthorized = (detail: string): ScimError => new ScimError(401, undefined, detail, { 'www-authenticate': 'Bearer realm="SCIM"' });

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Whether `sent` is `secret`, in time that does not depend on where they differ. */
export const sameSecret = (sent: string, secret: string): boolean => timingSafeEqual(digest(sent), digest(secret));

export interface ScimRequest {
  readonly accountId: string;
  readonly providerId: string;
  readonly authorization: string | undefined;
  readonly ip: string | undefined;
}

export class ScimAuthenticator {
  constructor(
    private readonly store: Store,
    private readonly log: AccessLog,
    /** This server's own URL, the auth domain of an organization that names none. */
    private readonly serverUrl: () => string,
  ) {}

  async authenticate(request: ScimRequest): Promise<ProviderScope> {
    const token = BEARER.exec(request.authorization ?? '')?.[1];
    if (!ACCOUNT_ID.test(request.accountId) || !PROVIDER_ID.test(request.providerId)) throw unauthorized('Unknown SCIM service, or a wrong secret.');
    const accountId = request.accountId.toLowerCase();
    const provider = await this.store.read.getResource(accountId, 'identity_provider', request.providerId);
    const settings = provider === undefined ? undefined : scimSettings(provider.body);
    if (provider === undefined || settings?.secret === undefined || token === undefined || !sameSecret(token, settings.secret)) {
      if (provider !== undefined) await this.log.scimRefusal(accountId, { id: provider.id, type: String(provider.body.type) }, request.ip);
      throw unauthorized(token === undefined ? "Authorization: Bearer <the identity provider's SCIM secret> is required." : 'Unknown SCIM service, or a wrong secret.');
    }
    if (!settings.enabled) throw new ScimError(403, undefined, 'SCIM provisioning is turned off for this identity provider (scim_config.enabled).');
    const authDomain = authDomainOr((await readOrganization(this.store.read, accountId))?.body, this.serverUrl());
    return { accountId, provider: { id: provider.id, type: String(provider.body.type) }, settings, baseUrl: scimBaseUrl(authDomain, accountId, provider.id) };
  }
}
