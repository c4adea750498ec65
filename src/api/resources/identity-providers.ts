// Access identity providers: /accounts/{account_id}/access/identity_providers. Rules name them
// (identity_provider_id, login_method.id), so one still named cannot be deleted. Their secret
// fields (schema/secret-fields.ts: client_secret and any config field named like a credential)
// are stored sealed but never returned; a replace that leaves a secret out keeps the stored one
// while the type stays the same, so that an object read back and sent again keeps working.

import type { ResourceRecord } from '../../store/store.js';
import { validationError } from '../errors.js';
import { DEFAULT_LIMITS } from '../pagination.js';
import type { RouteDef } from '../route.js';
import { IDP_REQUEST, IDP_REQUEST_BY_TYPE, IDP_REQUEST_UNTYPED, IDP_RESPONSE, type IdpRequest } from '../../schema/identity-providers.js';
import { keepOmittedSecrets, withoutSecrets } from '../../schema/secret-fields.js';
import { bodyChecker } from '../../schema/validator.js';
import { compact } from './common.js';
import { crudRoutes, type Draft } from './crud.js';

/** What is stored: the request without its ignored id. */
type IdpBody = Omit<IdpRequest, 'id'>;

const KIND = 'identity_provider';
const CHECKERS = new Map([...IDP_REQUEST_BY_TYPE].map(([type, schema]) => [type as string, bodyChecker(schema)]));
const checkUntyped = bodyChecker(IDP_REQUEST_UNTYPED);

const typeOf = (input: unknown): unknown => (typeof input === 'object' && input !== null && 'type' in input ? input.type : undefined);

/** Check a request against its type's schema (or, without a known type, what can be checked). */
function checkedRequest(input: unknown): IdpBody {
  const type = typeOf(input);
  const check = (typeof type === 'string' ? CHECKERS.get(type) : undefined) ?? checkUntyped;
  const checked = check(input);
  if (!checked.ok) throw validationError(checked.issues);
  const { name, config, scim_config, saml_certificate_set_id } = checked.value;
  return compact({ name, type: checked.value.type, config, scim_config, saml_certificate_set_id });
}

/** The request, with stored secrets it leaves out kept (when the type is unchanged). */
function keepStoredSecrets(next: IdpBody, existing: ResourceRecord): Draft {
  if ((existing.body as IdpBody).type !== next.type) return { body: next };
  return { body: keepOmittedSecrets(KIND, next, existing.body) as IdpBody };
}

export const identityProviderRoutes: RouteDef[] = crudRoutes(
  {
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
    present: (record) => {
      const body = record.body as IdpBody;
      return { id: record.id, ...withoutSecrets(KIND, body) };
    },
  },
  {
    list: { paging: DEFAULT_LIMITS },
    create: { status: 201, documentedBody: IDP_REQUEST, build: (input) => ({ body: checkedRequest(input) }) },
    update: {
      summary: 'Replace an identity provider',
      description: 'A full replace, except that a secret the new config leaves out (client_secret, or another field named like a credential) keeps its stored value while the type stays the same.',
      documentedBody: IDP_REQUEST,
      build: (input, existing) => keepStoredSecrets(checkedRequest(input), existing),
    },
    delete: { status: 202, answer: 'id' },
  },
);
