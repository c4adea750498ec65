// JSON Schemas of Access identity providers. The request is a union keyed by `type`: each
// type's `config` has the fields Cloudflare documents for it, typed, and stays open to others
// (Cloudflare adds provider options over time). One schema per type, so that a field is
// checked against its own provider's definition (`prompt` differs between Azure AD and Google).

import { secretFieldPaths } from './secret-fields.js';
import { anyObject, arr, bool, enumOf, obj, oneOf, str, type Properties, type Static, type TSchema } from './json-schema.js';

export const IDP_TYPES = ['onetimepin', 'azureAD', 'saml', 'centrify', 'facebook', 'github', 'google-apps', 'google', 'linkedin', 'oidc', 'okta', 'onelogin', 'pingone', 'yandex', 'cloudflare'] as const;

export type IdpType = (typeof IDP_TYPES)[number];

/** scim_config.identity_update_behavior: how a SCIM change reaches a logged-in user's identity (account/scim-provisioning.ts). */
export const IDENTITY_UPDATE_BEHAVIORS = ['automatic', 'reauth', 'no_action'] as const;

const OAUTH: Properties = {
  client_id: str({ description: 'The OAuth client id.' }),
  client_secret: str({ writeOnly: true, description: 'The OAuth client secret. Write-only: stored sealed, never returned.' }),
};

const OAUTH_WITH_CLAIMS: Properties = {
  ...OAUTH,
  claims: arr(str(), { description: 'Extra claims of the id token to keep in the identity (for oidc rules) and add to the application token as custom claims.' }),
  email_claim_name: str({ description: 'The id token claim that holds the email address.' }),
};

const CONFIG_FIELDS: Record<IdpType, Properties> = {
  onetimepin: {},
  azureAD: {
    ...OAUTH_WITH_CLAIMS,
    directory_id: str({ description: 'The Azure directory (tenant) id.' }),
    conditional_access_enabled: bool('Load authentication contexts (for auth_context rules).'),
    support_groups: bool('Load the user\'s Azure groups (for azureAD rules).'),
    prompt: enumOf(['login', 'select_account', 'none'], 'The interaction Azure asks of the user.'),
  },
  saml: {
    issuer_url: str({ description: 'The IdP entity id or issuer URL.' }),
    sso_target_url: str({ description: 'Where SAML authentication requests are sent.' }),
    idp_public_certs: arr(str(), { description: 'X.509 certificates that verify the signed SAML response.' }),
    email_attribute_name: str({ description: 'The SAML attribute that holds the email address.' }),
    attributes: arr(str(), { description: 'SAML attributes to keep in the identity (for saml rules) and add to the application token as custom claims.' }),
    header_attributes: arr(obj({ attribute_name: str(), header_name: str() }), { description: 'Attributes passed to the origin as request headers.' }),
    sign_request: bool('Sign the SAML authentication request.'),
  },
  centrify: { ...OAUTH_WITH_CLAIMS, centrify_account: str({ description: 'The Centrify account URL.' }), centrify_app_id: str({ description: 'The Centrify application id.' }) },
  facebook: OAUTH,
  github: OAUTH,
  'google-apps': { ...OAUTH_WITH_CLAIMS, apps_domain: str({ description: 'The Google Workspace domain.' }) },
  google: OAUTH_WITH_CLAIMS,
  linkedin: OAUTH,
  oidc: {
    ...OAUTH_WITH_CLAIMS,
    auth_url: str({ description: 'The authorization endpoint.' }),
    token_url: str({ description: 'The token endpoint.' }),
    certs_url: str({ description: 'The JWKS endpoint.' }),
    scopes: arr(str(), { description: 'OAuth scopes to request.' }),
    pkce_enabled: bool('Use PKCE in the authorization code flow (portcullis: on unless set to false).', true),
    issuer_url: str({ description: "Extension: the provider's issuer, checked against the ID token's iss (default: the origin of auth_url); alone, its discovery document supplies the three URLs." }),
  },
  okta: { ...OAUTH_WITH_CLAIMS, okta_account: str({ description: 'The Okta account URL.' }), authorization_server_id: str({ description: 'The Okta authorization server id.' }) },
  onelogin: { ...OAUTH_WITH_CLAIMS, onelogin_account: str({ description: 'The OneLogin account URL.' }) },
  pingone: { ...OAUTH_WITH_CLAIMS, ping_env_id: str({ description: 'The PingOne environment id.' }) },
  yandex: OAUTH,
  /** Logins with a Cloudflare account (for cloudflare_account_member rules). */
  cloudflare: {},
};

const SCIM_SETTINGS = {
  enabled: bool('SCIM provisioning from this identity provider is on (docs/identity-providers.md "SCIM provisioning").'),
  user_deprovision: bool('End a user\'s sessions when the identity provider deactivates or deletes them.'),
  seat_deprovision: bool('Also remove the user from the directory (their Zero Trust seat); needs user_deprovision.'),
  group_member_deprovision: bool('End a user\'s sessions when their group membership changes; a group they leave leaves their identity at once.'),
  identity_update_behavior: enumOf(IDENTITY_UPDATE_BEHAVIORS, 'How a SCIM change reaches the identity of a user who has logged in: automatic (written into it), reauth (sessions end on a group change; the next login brings it), no_action (the default: left alone).'),
};

const SCIM_READ_ONLY = {
  secret: str({ readOnly: true, description: 'Read-only: the bearer secret the identity provider pushes with, made by the server when SCIM is first enabled (or by refresh_scim_secret) and shown only in the answer of that write; stored sealed, never shown again.' }),
  scim_base_url: str({ readOnly: true, description: 'Read-only: where the identity provider pushes to (this server\'s SCIM 2.0 service for the provider).' }),
};

/** In requests the read-only fields are accepted (an object read back can be sent again) and ignored. */
const SCIM_CONFIG = obj({ ...SCIM_SETTINGS, ...SCIM_READ_ONLY }, { description: 'SCIM provisioning settings. `secret` and `scim_base_url` are read-only: ignored when sent.' });

const SCIM_CONFIG_RESPONSE = obj({ ...SCIM_SETTINGS, ...SCIM_READ_ONLY }, { description: 'SCIM provisioning settings, with where to push; `secret` only in the answer of the write that made it.' });

const NAME = str({ minLength: 1, description: 'The name shown on the login page.' });

function request<const T extends readonly IdpType[], C extends TSchema>(types: T, config: C, title?: string) {
  return obj(
    {
      id: str({ description: 'Ignored: the server assigns ids (accepted so that an identity provider read can be sent back).' }),
      name: NAME,
      type: enumOf(types, 'The kind of identity provider.'),
      config,
      scim_config: SCIM_CONFIG,
      saml_certificate_set_id: str({ description: 'The SAML certificate set that signs requests (SAML providers).' }),
    },
    { required: ['name', 'type', 'config'], ...(title !== undefined ? { description: title } : {}) },
  );
}

/** The request for each type, its config typed as documented for that type. */
export const IDP_REQUEST_BY_TYPE = new Map(
  IDP_TYPES.map((type) => [type, request([type], obj(CONFIG_FIELDS[type], { additional: true, description: `Settings of the ${type} identity provider.` }), `A ${type} identity provider.`)]),
);

/** What can be checked of a request whose type is missing or unknown. */
export const IDP_REQUEST_UNTYPED = request(IDP_TYPES, anyObject('Settings of the identity provider; which fields depends on the type.'));

export const IDP_REQUEST = oneOf([...IDP_REQUEST_BY_TYPE.values()], 'An identity provider: the fields of `config` depend on `type`.');

/** A request whose type's schema holds. */
export type IdpRequest = Static<typeof IDP_REQUEST>;

export const IDP_RESPONSE = obj(
  {
    id: str({ description: 'The id of the identity provider.' }),
    name: NAME,
    type: enumOf(IDP_TYPES, 'The kind of identity provider.'),
    config: anyObject(`Settings of the identity provider, as sent, except its secrets (${secretFieldPaths('identity_provider').join('; ')}), which are never returned.`),
    scim_config: SCIM_CONFIG_RESPONSE,
    saml_certificate_set_id: str(),
  },
  { required: ['id', 'name', 'type', 'config'], description: 'An identity provider. Secrets in its config are stored but never returned.' },
);
