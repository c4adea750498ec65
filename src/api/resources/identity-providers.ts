// Access identity providers: /accounts/{account_id}/access/identity_providers. Rules name them
// (identity_provider_id, login_method.id), so one still named cannot be deleted. Their secret
// fields (schema/secret-fields.ts: client_secret and any config field named like a credential)
// are stored sealed but never returned; a replace that leaves a secret out keeps the stored one
// while the type stays the same, so that an object read back and sent again keeps working.
// SCIM provisioning (docs/identity-providers.md "SCIM provisioning"): the server makes the
// provider's bearer secret when SCIM is first enabled, or on refresh_scim_secret, and shows it
// in that one answer only; every answer says where the provider pushes to (scim_base_url).
// Deleting a provider deletes the SCIM users and groups it pushed, which scim-listings.ts lists. A SAML provider's
// header_attributes name headers that may neither forge nor override another (schema/saml-headers.ts).

import type { ResourceRecord, StoreWriter } from '../../store/store.js';
import { authDomainOr, readOrganization } from '../../account/organization.js';
import { newScimSecret, scimBaseUrl } from '../../account/scim-provisioning.js';
import { hashSecret } from '../auth/authenticate.js';
import { validationError } from '../errors.js';
import { DEFAULT_LIMITS } from '../pagination.js';
import type { ApiContext, RouteDef } from '../route.js';
import { IDP_REQUEST, IDP_REQUEST_BY_TYPE, IDP_REQUEST_UNTYPED, IDP_RESPONSE, type IdpRequest } from '../../schema/identity-providers.js';
import { headerAttributeIssues } from '../../schema/saml-headers.js';
import { keepOmittedSecrets, withoutSecrets } from '../../schema/secret-fields.js';
import { bodyChecker } from '../../schema/validator.js';
import { bool } from '../../schema/json-schema.js';
import { compact } from './common.js';
import { scimListingRoutes } from './scim-listings.js';
import { changeRoute, crudRoutes, type Draft, type JsonResource } from './crud.js';

/** What is stored: the request without its ignored id. */
type IdpBody = Omit<IdpRequest, 'id'>;

const KIND = 'identity_provider';
const CHECKERS = new Map([...IDP_REQUEST_BY_TYPE].map(([type, schema]) => [type as string, bodyChecker(schema)]));
const checkUntyped = bodyChecker(IDP_REQUEST_UNTYPED);

const typeOf = (input: unknown): unknown => (typeof input === 'object' && input !== null && 'type' in input ? input.type : undefined);

type ScimConfig = NonNullable<IdpBody['scim_config']>;

/** Check a request against its type's schema (or, without a known type, what can be checked). */
function checkedRequest(input: unknown): IdpBody {
  const type = typeOf(input);
  const check = (typeof type === 'string' ? CHECKERS.get(type) : undefined) ?? checkUntyped;
  const checked = check(input);
  if (!checked.ok) throw validationError(checked.issues);
  const { name, config, scim_config, saml_certificate_set_id } = checked.value;
  if (scim_config?.seat_deprovision === true && scim_config.user_deprovision !== true) {
    throw validationError([{ code: 'required', pointer: '/scim_config/user_deprovision', message: 'seat_deprovision needs user_deprovision: a seat is removed only when the user is deprovisioned.' }]);
  }
  // A SAML attribute passed as a request header must not forge or override another header.
  if (checked.value.type === 'saml') {
    const issues = headerAttributeIssues((config as Record<string, unknown>).header_attributes);
    if (issues.length > 0) throw validationError(issues);
  }
  return compact({ name, type: checked.value.type, config, scim_config: scim_config === undefined ? undefined : settingsOnly(scim_config), saml_certificate_set_id });
}

/** scim_config without its read-only fields, which a request may carry back but never sets. */
function settingsOnly(scim: ScimConfig): ScimConfig {
  const { secret: _secret, scim_base_url: _url, ...settings } = scim;
  return settings;
}

const storedScimSecret = (body: Record<string, unknown>): string | undefined => {
  const scim = body.scim_config as Record<string, unknown> | undefined;
  return typeof scim?.secret === 'string' && scim.secret !== '' ? scim.secret : undefined;
};

/**
 * The draft of a write: the SCIM secret kept from `existing` (whatever the type), or made now
 * when SCIM is enabled without one, and then shown in this answer only.
 */
function withScimSecret(body: IdpBody, existing: ResourceRecord | undefined): Draft {
  const scim = body.scim_config;
  if (scim === undefined) return { body };
  const kept = existing === undefined ? undefined : storedScimSecret(existing.body);
  if (kept !== undefined) return { body: { ...body, scim_config: { ...scim, secret: kept } } };
  if (scim.enabled !== true) return { body };
  return withNewScimSecret(body, scim);
}

/** A draft with a new SCIM secret: stored sealed in scim_config, its hash marking the write as a rotation in the audit log, shown once. */
function withNewScimSecret(body: IdpBody, scim: Record<string, unknown>): Draft {
  const secret = newScimSecret();
  return { body: { ...body, scim_config: { ...scim, secret } }, secretHash: hashSecret(secret), once: { scim_config: { secret } } };
}

/** The request, with stored secrets it leaves out kept (when the type is unchanged). */
function keepStoredSecrets(next: IdpBody, existing: ResourceRecord): Draft {
  const kept = (existing.body as IdpBody).type !== next.type ? next : (keepOmittedSecrets(KIND, next, existing.body) as IdpBody);
  return withScimSecret(kept, existing);
}

/** Answers say where each provider pushes SCIM to: the account's auth domain, else this server. */
async function presenter(ctx: ApiContext, accountId: string): Promise<(record: ResourceRecord) => Record<string, unknown>> {
  const authDomain = authDomainOr((await readOrganization(ctx.store.read, accountId))?.body, ctx.defaultAuthDomain());
  return (record) => {
    const body = withoutSecrets(KIND, record.body);
    const scim = body.scim_config as Record<string, unknown> | undefined;
    return { id: record.id, ...body, ...(scim !== undefined ? { scim_config: { ...scim, scim_base_url: scimBaseUrl(authDomain, accountId, record.id) } } : {}) };
  };
}

/** The SCIM users and groups a deleted provider pushed go with it (the directory users stay). */
async function deleteProvisioned(tx: StoreWriter, accountId: string, provider: ResourceRecord): Promise<void> {
  for (const kind of ['scim_group', 'scim_user'] as const) {
    for (const record of await tx.allResources(accountId, kind, { parentId: provider.id })) await tx.deleteResource(accountId, kind, record.id);
  }
}

const IDENTITY_PROVIDERS: JsonResource = {
  kind: KIND,
  path: '/accounts/{account_id}/access/identity_providers',
  idParam: 'identity_provider_id',
  operationPrefix: 'access-identity-providers',
  tag: 'Access identity providers',
  one: 'an identity provider',
  many: 'identity providers',
  read: ['Access: Organizations, Identity Providers, and Groups Read'],
  write: ['Access: Organizations, Identity Providers, and Groups Write'],
  response: IDP_RESPONSE,
  present: (record) => ({ id: record.id, ...withoutSecrets(KIND, record.body) }),
  presenter,
};

export const identityProviderRoutes: RouteDef[] = [
  ...crudRoutes(IDENTITY_PROVIDERS, {
    list: {
      paging: DEFAULT_LIMITS,
      filters: {
        query: { scim_enabled: bool('true: only identity providers with SCIM provisioning enabled (scim_config.enabled); false: only the others.') },
        toFilter: (query) => (typeof query.scim_enabled === 'boolean' ? { flags: [{ path: ['scim_config', 'enabled'], value: query.scim_enabled }] } : {}),
      },
    },
    create: {
      status: 201,
      documentedBody: IDP_REQUEST,
      description: 'With scim_config.enabled, the answer holds scim_config.secret, the bearer secret the provider pushes SCIM with: shown this once.',
      build: (input) => withScimSecret(checkedRequest(input), undefined),
    },
    update: {
      summary: 'Replace an identity provider',
      description:
        'A full replace, except that a secret the new config leaves out (client_secret, or another field named like a credential) keeps its stored value while the type stays the same. The SCIM secret stays while scim_config is sent; enabling SCIM for the first time makes one, shown in this answer only.',
      documentedBody: IDP_REQUEST,
      build: (input, existing) => keepStoredSecrets(checkedRequest(input), existing),
    },
    delete: { status: 202, answer: 'id', description: 'Refused (409) while a rule of a policy or group names it. The SCIM users and groups it pushed are deleted with it; directory users stay.', cascade: deleteProvisioned },
  }),
  changeRoute(IDENTITY_PROVIDERS, {
    action: 'refresh_scim_secret',
    summary: 'Refresh the SCIM secret of an identity provider',
    description: 'Makes a new bearer secret for SCIM pushes, shown in this answer only (scim_config.secret); the previous one stops working at once.',
    build: (_input, existing) => withNewScimSecret(existing.body as IdpBody, (existing.body.scim_config ?? {}) as Record<string, unknown>),
  }),
  // Read-only: what the provider pushed by SCIM.
  ...scimListingRoutes,
];
