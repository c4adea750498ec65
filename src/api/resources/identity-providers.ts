// Access identity providers: /accounts/{account_id}/access/identity_providers. Rules name them
// (identity_provider_id, login_method.id), so one still named cannot be deleted. Secrets of
// their config (client_secret) are stored but never returned; a replace that leaves a secret
// out keeps the stored one, so that an object read back and sent again keeps working.

import type { ResourceRecord } from '../../store/store.js';
import { validationError } from '../errors.js';
import { DEFAULT_LIMITS } from '../pagination.js';
import type { RouteDef } from '../route.js';
import { IDP_REQUEST, IDP_REQUEST_BY_TYPE, IDP_REQUEST_UNTYPED, IDP_RESPONSE, WRITE_ONLY_CONFIG_FIELDS } from '../schema/identity-providers.js';
import { bodyValidator, type Validator } from '../schema/body-validator.js';
import { compact } from './common.js';
import { crudRoutes, type Draft } from './crud.js';

type IdpBody = {
  readonly name: string;
  readonly type: string;
  readonly config: Record<string, unknown>;
  readonly scim_config?: Record<string, unknown>;
  readonly saml_certificate_set_id?: string;
};

const VALIDATORS: ReadonlyMap<string, Validator> = new Map([...IDP_REQUEST_BY_TYPE].map(([type, schema]) => [type, bodyValidator(schema)]));
const validateUntyped = bodyValidator(IDP_REQUEST_UNTYPED);

/** Check a request against its type's schema (or, without a known type, what can be checked). */
function checkedRequest(input: unknown): IdpBody {
  const type = (input as { type?: unknown } | null)?.type;
  const validate = (typeof type === 'string' ? VALIDATORS.get(type) : undefined) ?? validateUntyped;
  const issues = validate(input);
  if (issues.length > 0) throw validationError(issues);
  const { name, config, scim_config, saml_certificate_set_id } = input as IdpBody;
  return compact({ name, type: type as string, config, scim_config, saml_certificate_set_id });
}

function withoutSecrets(config: Record<string, unknown>): Record<string, unknown> {
  const shown = { ...config };
  for (const field of WRITE_ONLY_CONFIG_FIELDS) delete shown[field];
  return shown;
}

/** The request's config, with stored secrets it leaves out kept (when the type is unchanged). */
function keepStoredSecrets(next: IdpBody, existing: ResourceRecord): Draft {
  const old = existing.body as IdpBody;
  if (old.type !== next.type) return { body: next };
  const kept = Object.fromEntries(WRITE_ONLY_CONFIG_FIELDS.filter((f) => next.config[f] === undefined && old.config[f] !== undefined).map((f) => [f, old.config[f]]));
  return { body: { ...next, config: { ...next.config, ...kept } } };
}

export const identityProviderRoutes: RouteDef[] = crudRoutes(
  {
    kind: 'identity_provider',
    path: '/accounts/{account_id}/access/identity_providers',
    idParam: 'identity_provider_id',
    operationPrefix: 'access-identity-providers',
    tag: 'Access identity providers',
    one: 'an identity provider',
    many: 'identity providers',
    read: ['Access: Organizations, Identity Providers, and Groups Read'],
    write: ['Access: Organizations, Identity Providers, and Groups Write'],
    response: IDP_RESPONSE,
    present: (record) => {
      const body = record.body as IdpBody;
      return { id: record.id, ...body, config: withoutSecrets(body.config) };
    },
  },
  {
    list: { paging: DEFAULT_LIMITS },
    create: { status: 201, documentedBody: IDP_REQUEST, build: (input) => ({ body: checkedRequest(input) }) },
    update: {
      summary: 'Replace an identity provider',
      description: 'A full replace, except that a secret the new config leaves out (client_secret) keeps its stored value while the type stays the same.',
      documentedBody: IDP_REQUEST,
      build: (input, existing) => keepStoredSecrets(checkedRequest(input), existing),
    },
    delete: { status: 202, answer: 'id' },
  },
);
