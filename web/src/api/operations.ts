// Generated from the API route table (src/api/routes.ts) by `npm run gen:dashboard-api`: do not
// edit. Each operation with its method, path, parameters, query, body and result, typed from
// the JSON Schemas the server validates and documents with (test/codegen/dashboard-api.ts).

import type { PolicyDifference } from '../../../src/engine/explanation-diff.js';
import type { Explanation } from '../../../src/engine/interpreter.js';
import type { WireRule } from '../../../src/engine/wire.js';

/** A last seen identity. Absent or mistyped fields make their selectors false. */
export type Identity = {
  /** Read by email, email_domain and email_list. */
  email?: string;
  name?: string;
  idp?: {
    id?: string;
    type?: string;
    [field: string]: unknown;
  };
  groups?: {
    id?: string;
    name?: string;
    email?: string;
    teams?: string[];
    [field: string]: unknown;
  }[];
  /** Authentication methods (RFC 8176), read by auth_method. */
  amr?: string[];
  auth_contexts?: string[];
  /** OIDC claims: string, number, boolean or array values. */
  oidc_fields?: object;
  /** SAML attributes: string or array values. */
  saml_attributes?: object;
  geo?: {
    country?: string;
    [field: string]: unknown;
  };
  /** IPv4 or IPv6 address. */
  ip?: string;
  devicePosture?: Record<string, {
    success?: boolean;
    [field: string]: unknown;
  }>;
  mtls_auth?: {
    cert_presented?: boolean;
    auth_status?: string;
    [field: string]: unknown;
  };
  common_name?: string;
  service_token_id?: string;
  service_token_status?: boolean;
  linked_app_token?: {
    app_uid?: string;
    [field: string]: unknown;
  };
  /** low, medium or high; absent = unscored. */
  user_risk_score?: string;
  cloudflare_account_ids?: string[];
  [field: string]: unknown;
};

/** A policy as sent on create and update. */
export type PolicyRequest = {
  name: string;
  /** What happens when the policy matches. */
  decision: 'allow' | 'deny' | 'non_identity' | 'bypass';
  /** Rules of which at least one must match. */
  include: WireRule[];
  /** Rules that must all match. */
  require?: WireRule[];
  /** Rules of which none may match. */
  exclude?: WireRule[];
  /** Administrators who approve temporary access. */
  approval_groups?: {
    /** How many approvals are needed. */
    approvals_needed: number;
    email_addresses?: string[];
    /** A Gateway list of type EMAIL holding approvers. */
    email_list_uuid?: string;
  }[];
  /** Users must request approval for each session. */
  approval_required?: boolean;
  /** Users must type a justification to log in. */
  purpose_justification_required?: boolean;
  /** The text of the justification prompt. */
  purpose_justification_prompt?: string;
  /** How long a session lasts, as a Go duration ("30m", "24h"). */
  session_duration?: string | null;
  /** Serve matching users through Browser Isolation. */
  isolation_required?: boolean;
  mfa_config?: {
    allowed_authenticators?: ('totp' | 'biometrics' | 'security_key')[];
    mfa_disabled?: boolean;
    /** MFA session length in m or h, 0m to 720h. */
    session_duration?: string;
  };
  connection_rules?: {
    rdp?: {
      allowed_clipboard_local_to_remote_formats?: ('text' | 'file')[];
      allowed_clipboard_remote_to_local_formats?: ('text' | 'file')[];
    };
  };
};

/** A reusable policy. */
export type Policy = {
  /** The policy id (UUID). */
  id: string;
  name: string;
  /** What happens when the policy matches. */
  decision: 'allow' | 'deny' | 'non_identity' | 'bypass';
  /** Rules of which at least one must match. */
  include: WireRule[];
  /** Rules that must all match. */
  require: WireRule[];
  /** Rules of which none may match. */
  exclude: WireRule[];
  /** Administrators who approve temporary access. */
  approval_groups?: {
    /** How many approvals are needed. */
    approvals_needed: number;
    email_addresses?: string[];
    /** A Gateway list of type EMAIL holding approvers. */
    email_list_uuid?: string;
  }[];
  /** Users must request approval for each session. */
  approval_required: boolean;
  /** Users must type a justification to log in. */
  purpose_justification_required: boolean;
  /** The text of the justification prompt. */
  purpose_justification_prompt?: string;
  /** How long a session lasts, as a Go duration ("30m", "24h"). */
  session_duration: string | null;
  /** Serve matching users through Browser Isolation. */
  isolation_required: boolean;
  mfa_config?: {
    allowed_authenticators?: ('totp' | 'biometrics' | 'security_key')[];
    mfa_disabled?: boolean;
    /** MFA session length in m or h, 0m to 720h. */
    session_duration?: string;
  };
  connection_rules?: {
    rdp?: {
      allowed_clipboard_local_to_remote_formats?: ('text' | 'file')[];
      allowed_clipboard_remote_to_local_formats?: ('text' | 'file')[];
    };
  };
  created_at: string;
  updated_at: string;
  /** How many applications use this policy. */
  app_count: number;
  reusable: true;
};

export type GroupRequest = {
  name: string;
  /** Rules of which at least one must match. */
  include: WireRule[];
  /** Rules that must all match. */
  require?: WireRule[];
  /** Rules of which none may match. */
  exclude?: WireRule[];
  /** Marks the default group. */
  is_default?: boolean;
};

export type Group = {
  id: string;
  name: string;
  /** Rules of which at least one must match. */
  include: WireRule[];
  /** Rules that must all match. */
  require: WireRule[];
  /** Rules of which none may match. */
  exclude: WireRule[];
  /** Marks the default group. */
  is_default?: boolean;
  created_at: string;
  updated_at: string;
};

export type AppPolicyRequest = {
  name: string;
  /** What happens when the policy matches. */
  decision: 'allow' | 'deny' | 'non_identity' | 'bypass';
  /** Rules of which at least one must match. */
  include: WireRule[];
  /** Rules that must all match. */
  require?: WireRule[];
  /** Rules of which none may match. */
  exclude?: WireRule[];
  /** Administrators who approve temporary access. */
  approval_groups?: {
    /** How many approvals are needed. */
    approvals_needed: number;
    email_addresses?: string[];
    /** A Gateway list of type EMAIL holding approvers. */
    email_list_uuid?: string;
  }[];
  /** Users must request approval for each session. */
  approval_required?: boolean;
  /** Users must type a justification to log in. */
  purpose_justification_required?: boolean;
  /** The text of the justification prompt. */
  purpose_justification_prompt?: string;
  /** How long a session lasts, as a Go duration ("30m", "24h"). */
  session_duration?: string | null;
  /** Serve matching users through Browser Isolation. */
  isolation_required?: boolean;
  mfa_config?: {
    allowed_authenticators?: ('totp' | 'biometrics' | 'security_key')[];
    mfa_disabled?: boolean;
    /** MFA session length in m or h, 0m to 720h. */
    session_duration?: string;
  };
  connection_rules?: {
    rdp?: {
      allowed_clipboard_local_to_remote_formats?: ('text' | 'file')[];
      allowed_clipboard_remote_to_local_formats?: ('text' | 'file')[];
    };
  };
  /** Order within the application (unique per application). */
  precedence?: number;
};

export type AppPolicy = {
  id: string;
  name: string;
  /** What happens when the policy matches. */
  decision: 'allow' | 'deny' | 'non_identity' | 'bypass';
  /** Rules of which at least one must match. */
  include: WireRule[];
  /** Rules that must all match. */
  require: WireRule[];
  /** Rules of which none may match. */
  exclude: WireRule[];
  /** Administrators who approve temporary access. */
  approval_groups?: {
    /** How many approvals are needed. */
    approvals_needed: number;
    email_addresses?: string[];
    /** A Gateway list of type EMAIL holding approvers. */
    email_list_uuid?: string;
  }[];
  /** Users must request approval for each session. */
  approval_required: boolean;
  /** Users must type a justification to log in. */
  purpose_justification_required: boolean;
  /** The text of the justification prompt. */
  purpose_justification_prompt?: string;
  /** How long a session lasts, as a Go duration ("30m", "24h"). */
  session_duration: string | null;
  /** Serve matching users through Browser Isolation. */
  isolation_required: boolean;
  mfa_config?: {
    allowed_authenticators?: ('totp' | 'biometrics' | 'security_key')[];
    mfa_disabled?: boolean;
    /** MFA session length in m or h, 0m to 720h. */
    session_duration?: string;
  };
  connection_rules?: {
    rdp?: {
      allowed_clipboard_local_to_remote_formats?: ('text' | 'file')[];
      allowed_clipboard_remote_to_local_formats?: ('text' | 'file')[];
    };
  };
  /** Order within the application (unique per application). */
  precedence: number;
  created_at: string;
  updated_at: string;
  /** A reusable policy the application links, or one of its own (application-scoped). */
  reusable: boolean;
};

/** An Access application. Fields beyond those listed are kept as sent. */
export type AppRequest = {
  /** The application name. */
  name?: string;
  /** The application type. */
  type: 'self_hosted' | 'saas' | 'ssh' | 'vnc' | 'app_launcher' | 'warp' | 'biso' | 'bookmark' | 'dash_sso' | 'infrastructure' | 'rdp' | 'mcp' | 'mcp_portal' | 'proxy_endpoint';
  /** The primary hostname (and path) Access protects. */
  domain?: string;
  self_hosted_domains?: string[];
  /** Identity provider ids users may log in with (all when empty). */
  allowed_idps?: string[];
  /** Session length as a Go duration. */
  session_duration?: string;
  app_launcher_visible?: boolean;
  auto_redirect_to_identity?: boolean;
  allow_authenticate_via_warp?: boolean;
  enable_binding_cookie?: boolean;
  http_only_cookie_attribute?: boolean;
  path_cookie_attribute?: boolean;
  /** Lets CORS preflight requests (OPTIONS with Origin and Access-Control-Request-Method) through to the origin without authentication. Cannot be turned on while cors_headers is set. */
  options_preflight_bypass?: boolean;
  service_auth_401_redirect?: boolean;
  /** A self-hosted application: the one request header (such as "Authorization") in which a service token may come, its value a JSON object {"cf-access-client-id": ..., "cf-access-client-secret": ...}, for callers that can send a single custom header. An HTTP header name, case-insensitive; not cookie, host, the CF-Access-Client-Id/-Secret or Cf-Access-Token headers, nor a hop-by-hop header. Empty or null reads none. The pair of CF-Access-Client-* headers still works, and wins when both come. */
  read_service_tokens_from_header?: string | null;
  /** Stored and returned; changes nothing at the enforcement point (there is no interstitial page). */
  skip_interstitial?: boolean;
  /** Stored and returned; changes nothing at the enforcement point: the application's pages come from its origin, and Access's own pages are never shown in a frame. */
  allow_iframe?: boolean;
  skip_app_launcher_login_page?: boolean;
  same_site_cookie_attribute?: string;
  custom_deny_message?: string;
  custom_deny_url?: string;
  custom_non_identity_deny_url?: string;
  custom_pages?: string[];
  logo_url?: string;
  app_launcher_logo_url?: string;
  bg_color?: string;
  header_bg_color?: string;
  footer_links?: object[];
  landing_page_design?: object;
  /** How Access answers CORS preflight requests itself (they never reach the origin). Cannot be set together with options_preflight_bypass. */
  cors_headers?: {
    /** Allows all HTTP request headers: a preflight is answered with the headers it asks for. */
    allow_all_headers?: boolean;
    /** Allows all HTTP request methods: a preflight is answered with the method it asks for. */
    allow_all_methods?: boolean;
    /** Allows all origins. */
    allow_all_origins?: boolean;
    /** When true, browsers include credentials (cookies, authorization headers or TLS client certificates) with requests. */
    allow_credentials?: boolean;
    /** Allowed HTTP request headers. */
    allowed_headers?: string[];
    /** Allowed HTTP request methods. */
    allowed_methods?: ('GET' | 'POST' | 'HEAD' | 'PUT' | 'DELETE' | 'CONNECT' | 'OPTIONS' | 'TRACE' | 'PATCH')[];
    /** Allowed origins. */
    allowed_origins?: string[];
    /** The maximum number of seconds the results of a preflight request can be cached (-1: not cached). */
    max_age?: number;
  };
  /** Settings of a SaaS application. With auth_type "oidc", client_id and client_secret are made by the server (values sent are ignored) and kept for the application; client_secret is shown in the answer that makes it only (the create). Its client_secret, and any field named like a credential, is stored sealed and never returned otherwise. */
  saas_app?: object;
  /** SCIM provisioning to the application. The credentials under authentication (password, token, client_secret) are stored sealed and never returned. */
  scim_config?: object;
  tags?: string[];
  /** The policies Access applies, by ascending precedence. */
  policies?: (string | object)[];
  [field: string]: unknown;
};

export type App = {
  id: string;
  /** The application audience tag. */
  aud: string;
  /** The application name. */
  name?: string;
  /** The application type. */
  type: 'self_hosted' | 'saas' | 'ssh' | 'vnc' | 'app_launcher' | 'warp' | 'biso' | 'bookmark' | 'dash_sso' | 'infrastructure' | 'rdp' | 'mcp' | 'mcp_portal' | 'proxy_endpoint';
  /** The primary hostname (and path) Access protects. */
  domain?: string;
  self_hosted_domains?: string[];
  /** Identity provider ids users may log in with (all when empty). */
  allowed_idps?: string[];
  /** Session length as a Go duration. */
  session_duration?: string;
  app_launcher_visible?: boolean;
  auto_redirect_to_identity?: boolean;
  allow_authenticate_via_warp?: boolean;
  enable_binding_cookie?: boolean;
  http_only_cookie_attribute?: boolean;
  path_cookie_attribute?: boolean;
  /** Lets CORS preflight requests (OPTIONS with Origin and Access-Control-Request-Method) through to the origin without authentication. Cannot be turned on while cors_headers is set. */
  options_preflight_bypass?: boolean;
  service_auth_401_redirect?: boolean;
  /** A self-hosted application: the one request header (such as "Authorization") in which a service token may come, its value a JSON object {"cf-access-client-id": ..., "cf-access-client-secret": ...}, for callers that can send a single custom header. An HTTP header name, case-insensitive; not cookie, host, the CF-Access-Client-Id/-Secret or Cf-Access-Token headers, nor a hop-by-hop header. Empty or null reads none. The pair of CF-Access-Client-* headers still works, and wins when both come. */
  read_service_tokens_from_header?: string | null;
  /** Stored and returned; changes nothing at the enforcement point (there is no interstitial page). */
  skip_interstitial?: boolean;
  /** Stored and returned; changes nothing at the enforcement point: the application's pages come from its origin, and Access's own pages are never shown in a frame. */
  allow_iframe?: boolean;
  skip_app_launcher_login_page?: boolean;
  same_site_cookie_attribute?: string;
  custom_deny_message?: string;
  custom_deny_url?: string;
  custom_non_identity_deny_url?: string;
  custom_pages?: string[];
  logo_url?: string;
  app_launcher_logo_url?: string;
  bg_color?: string;
  header_bg_color?: string;
  footer_links?: object[];
  landing_page_design?: object;
  /** How Access answers CORS preflight requests itself (they never reach the origin). Cannot be set together with options_preflight_bypass. */
  cors_headers?: {
    /** Allows all HTTP request headers: a preflight is answered with the headers it asks for. */
    allow_all_headers?: boolean;
    /** Allows all HTTP request methods: a preflight is answered with the method it asks for. */
    allow_all_methods?: boolean;
    /** Allows all origins. */
    allow_all_origins?: boolean;
    /** When true, browsers include credentials (cookies, authorization headers or TLS client certificates) with requests. */
    allow_credentials?: boolean;
    /** Allowed HTTP request headers. */
    allowed_headers?: string[];
    /** Allowed HTTP request methods. */
    allowed_methods?: ('GET' | 'POST' | 'HEAD' | 'PUT' | 'DELETE' | 'CONNECT' | 'OPTIONS' | 'TRACE' | 'PATCH')[];
    /** Allowed origins. */
    allowed_origins?: string[];
    /** The maximum number of seconds the results of a preflight request can be cached (-1: not cached). */
    max_age?: number;
  };
  /** Settings of a SaaS application. With auth_type "oidc", client_id and client_secret are made by the server (values sent are ignored) and kept for the application; client_secret is shown in the answer that makes it only (the create). Its client_secret, and any field named like a credential, is stored sealed and never returned otherwise. */
  saas_app?: object;
  /** SCIM provisioning to the application. The credentials under authentication (password, token, client_secret) are stored sealed and never returned. */
  scim_config?: object;
  tags?: string[];
  /** Every policy of the application, reusable and application-scoped, by precedence. */
  policies: AppPolicy[];
  created_at: string;
  updated_at: string;
  [field: string]: unknown;
};

export type UserRequest = {
  /** The user's email address (unique in the account, compared case-insensitively). */
  email: string;
  /** The user's name. */
  name?: string;
};

export type User = {
  /** The user id (UUID). */
  id: string;
  /** The same as id. */
  uid: string;
  /** The same as id: portcullis keeps no separate seats. */
  seat_uid: string;
  email: string;
  name: string;
  /** Whether the user has a last seen identity (logged in, or had one set). */
  access_seat: boolean;
  /** Always false: portcullis has no Gateway. */
  gateway_seat: boolean;
  /** Always 0: portcullis has no devices. */
  active_device_count: number;
  /** When the last seen identity was set; absent before (Cloudflare types it as a date-time, never null). */
  last_successful_login?: string;
  created_at: string;
  updated_at: string;
};

/** As application/json; as application/x-ndjson, one entry per line. */
export type UserImport = {
  users: {
    /** The user's email address (unique in the account, compared case-insensitively). */
    email: string;
    /** The user's name; when left out, an existing user keeps theirs. */
    name?: string;
    /** The last seen identity; its email, when left out, is the entry's. When left out, an existing user keeps theirs. */
    identity?: Identity;
  }[];
};

export type ListItem = {
  value: string;
  description?: string;
  created_at: string;
};

export type ListRequest = {
  /** The list name. */
  name: string;
  /** What the list holds; access rules use IP lists (ip_list) and EMAIL lists (email_list). It never changes. */
  type: 'SERIAL' | 'URL' | 'DOMAIN' | 'EMAIL' | 'IP' | 'CATEGORY' | 'LOCATION' | 'DEVICE' | 'AAGUID';
  /** A free-text description. */
  description?: string;
  /** The first entries (at most 10000). */
  items?: {
    /** The entry: an IP address or CIDR, an email address, a domain, a URL, a serial number... */
    value: string;
    /** A note on the entry. */
    description?: string;
    /** Ignored: accepted so that items read from a list can be sent back as they are. */
    created_at?: string;
  }[];
};

export type ListUpdate = {
  /** The list name. */
  name: string;
  /** A free-text description. */
  description?: string;
  /** Optional; when sent it must be the list's current type. */
  type?: 'SERIAL' | 'URL' | 'DOMAIN' | 'EMAIL' | 'IP' | 'CATEGORY' | 'LOCATION' | 'DEVICE' | 'AAGUID';
  /** When not empty, these entries replace all of the list's entries (at most 10000). */
  items?: {
    /** The entry: an IP address or CIDR, an email address, a domain, a URL, a serial number... */
    value: string;
    /** A note on the entry. */
    description?: string;
    /** Ignored: accepted so that items read from a list can be sent back as they are. */
    created_at?: string;
  }[];
};

export type ListPatch = {
  /** Entries to add; an entry already in the list keeps its description (at most 10000). */
  append?: {
    /** The entry: an IP address or CIDR, an email address, a domain, a URL, a serial number... */
    value: string;
    /** A note on the entry. */
    description?: string;
    /** Ignored: accepted so that items read from a list can be sent back as they are. */
    created_at?: string;
  }[];
  /** Values of entries to remove, applied before `append` (at most 10000). */
  remove?: string[];
};

export type GatewayList = {
  /** The list id (UUID). */
  id: string;
  /** The list name. */
  name: string;
  /** What the list holds; access rules use IP lists (ip_list) and EMAIL lists (email_list). It never changes. */
  type: 'SERIAL' | 'URL' | 'DOMAIN' | 'EMAIL' | 'IP' | 'CATEGORY' | 'LOCATION' | 'DEVICE' | 'AAGUID';
  /** A free-text description. */
  description?: string;
  /** How many entries the list holds. */
  count: number;
  created_at: string;
  updated_at: string;
};

/** An identity provider: the fields of `config` depend on `type`. */
export type IdentityProviderRequest = {
  /** Ignored: the server assigns ids (accepted so that an identity provider read can be sent back). */
  id?: string;
  /** The name shown on the login page. */
  name: string;
  /** The kind of identity provider. */
  type: 'onetimepin';
  /** Settings of the onetimepin identity provider. */
  config: object;
  /** SCIM provisioning settings. `secret` and `scim_base_url` are read-only: ignored when sent. */
  scim_config?: {
    /** SCIM provisioning from this identity provider is on (docs/identity-providers.md "SCIM provisioning"). */
    enabled?: boolean;
    /** End a user's sessions when the identity provider deactivates or deletes them. */
    user_deprovision?: boolean;
    /** Also remove the user from the directory (their Zero Trust seat); needs user_deprovision. */
    seat_deprovision?: boolean;
    /** End a user's sessions when their group membership changes; a group they leave leaves their identity at once. */
    group_member_deprovision?: boolean;
    /** How a SCIM change reaches the identity of a user who has logged in: automatic (written into it), reauth (sessions end on a group change; the next login brings it), no_action (the default: left alone). */
    identity_update_behavior?: 'automatic' | 'reauth' | 'no_action';
    /** Read-only: the bearer secret the identity provider pushes with, made by the server when SCIM is first enabled (or by refresh_scim_secret) and shown only in the answer of that write; stored sealed, never shown again. */
    secret?: string;
    /** Read-only: where the identity provider pushes to (this server's SCIM 2.0 service for the provider). */
    scim_base_url?: string;
  };
  /** The SAML certificate set that signs requests (SAML providers). */
  saml_certificate_set_id?: string;
} | {
  /** Ignored: the server assigns ids (accepted so that an identity provider read can be sent back). */
  id?: string;
  /** The name shown on the login page. */
  name: string;
  /** The kind of identity provider. */
  type: 'azureAD';
  /** Settings of the azureAD identity provider. */
  config: {
    /** The OAuth client id. */
    client_id?: string;
    /** The OAuth client secret. Write-only: stored sealed, never returned. */
    client_secret?: string;
    /** Extra claims of the id token to keep in the identity (for oidc rules) and add to the application token as custom claims. */
    claims?: string[];
    /** The id token claim that holds the email address. */
    email_claim_name?: string;
    /** The Azure directory (tenant) id. */
    directory_id?: string;
    /** Load authentication contexts (for auth_context rules). */
    conditional_access_enabled?: boolean;
    /** Load the user's Azure groups (for azureAD rules). */
    support_groups?: boolean;
    /** The interaction Azure asks of the user. */
    prompt?: 'login' | 'select_account' | 'none';
    [field: string]: unknown;
  };
  /** SCIM provisioning settings. `secret` and `scim_base_url` are read-only: ignored when sent. */
  scim_config?: {
    /** SCIM provisioning from this identity provider is on (docs/identity-providers.md "SCIM provisioning"). */
    enabled?: boolean;
    /** End a user's sessions when the identity provider deactivates or deletes them. */
    user_deprovision?: boolean;
    /** Also remove the user from the directory (their Zero Trust seat); needs user_deprovision. */
    seat_deprovision?: boolean;
    /** End a user's sessions when their group membership changes; a group they leave leaves their identity at once. */
    group_member_deprovision?: boolean;
    /** How a SCIM change reaches the identity of a user who has logged in: automatic (written into it), reauth (sessions end on a group change; the next login brings it), no_action (the default: left alone). */
    identity_update_behavior?: 'automatic' | 'reauth' | 'no_action';
    /** Read-only: the bearer secret the identity provider pushes with, made by the server when SCIM is first enabled (or by refresh_scim_secret) and shown only in the answer of that write; stored sealed, never shown again. */
    secret?: string;
    /** Read-only: where the identity provider pushes to (this server's SCIM 2.0 service for the provider). */
    scim_base_url?: string;
  };
  /** The SAML certificate set that signs requests (SAML providers). */
  saml_certificate_set_id?: string;
} | {
  /** Ignored: the server assigns ids (accepted so that an identity provider read can be sent back). */
  id?: string;
  /** The name shown on the login page. */
  name: string;
  /** The kind of identity provider. */
  type: 'saml';
  /** Settings of the saml identity provider. */
  config: {
    /** The IdP entity id or issuer URL. */
    issuer_url?: string;
    /** Where SAML authentication requests are sent. */
    sso_target_url?: string;
    /** X.509 certificates that verify the signed SAML response. */
    idp_public_certs?: string[];
    /** The SAML attribute that holds the email address. */
    email_attribute_name?: string;
    /** SAML attributes to keep in the identity (for saml rules) and add to the application token as custom claims. */
    attributes?: string[];
    /** Attributes passed to the origin as request headers. */
    header_attributes?: {
      attribute_name?: string;
      header_name?: string;
    }[];
    /** Sign the SAML authentication request. */
    sign_request?: boolean;
    [field: string]: unknown;
  };
  /** SCIM provisioning settings. `secret` and `scim_base_url` are read-only: ignored when sent. */
  scim_config?: {
    /** SCIM provisioning from this identity provider is on (docs/identity-providers.md "SCIM provisioning"). */
    enabled?: boolean;
    /** End a user's sessions when the identity provider deactivates or deletes them. */
    user_deprovision?: boolean;
    /** Also remove the user from the directory (their Zero Trust seat); needs user_deprovision. */
    seat_deprovision?: boolean;
    /** End a user's sessions when their group membership changes; a group they leave leaves their identity at once. */
    group_member_deprovision?: boolean;
    /** How a SCIM change reaches the identity of a user who has logged in: automatic (written into it), reauth (sessions end on a group change; the next login brings it), no_action (the default: left alone). */
    identity_update_behavior?: 'automatic' | 'reauth' | 'no_action';
    /** Read-only: the bearer secret the identity provider pushes with, made by the server when SCIM is first enabled (or by refresh_scim_secret) and shown only in the answer of that write; stored sealed, never shown again. */
    secret?: string;
    /** Read-only: where the identity provider pushes to (this server's SCIM 2.0 service for the provider). */
    scim_base_url?: string;
  };
  /** The SAML certificate set that signs requests (SAML providers). */
  saml_certificate_set_id?: string;
} | {
  /** Ignored: the server assigns ids (accepted so that an identity provider read can be sent back). */
  id?: string;
  /** The name shown on the login page. */
  name: string;
  /** The kind of identity provider. */
  type: 'centrify';
  /** Settings of the centrify identity provider. */
  config: {
    /** The OAuth client id. */
    client_id?: string;
    /** The OAuth client secret. Write-only: stored sealed, never returned. */
    client_secret?: string;
    /** Extra claims of the id token to keep in the identity (for oidc rules) and add to the application token as custom claims. */
    claims?: string[];
    /** The id token claim that holds the email address. */
    email_claim_name?: string;
    /** The Centrify account URL. */
    centrify_account?: string;
    /** The Centrify application id. */
    centrify_app_id?: string;
    [field: string]: unknown;
  };
  /** SCIM provisioning settings. `secret` and `scim_base_url` are read-only: ignored when sent. */
  scim_config?: {
    /** SCIM provisioning from this identity provider is on (docs/identity-providers.md "SCIM provisioning"). */
    enabled?: boolean;
    /** End a user's sessions when the identity provider deactivates or deletes them. */
    user_deprovision?: boolean;
    /** Also remove the user from the directory (their Zero Trust seat); needs user_deprovision. */
    seat_deprovision?: boolean;
    /** End a user's sessions when their group membership changes; a group they leave leaves their identity at once. */
    group_member_deprovision?: boolean;
    /** How a SCIM change reaches the identity of a user who has logged in: automatic (written into it), reauth (sessions end on a group change; the next login brings it), no_action (the default: left alone). */
    identity_update_behavior?: 'automatic' | 'reauth' | 'no_action';
    /** Read-only: the bearer secret the identity provider pushes with, made by the server when SCIM is first enabled (or by refresh_scim_secret) and shown only in the answer of that write; stored sealed, never shown again. */
    secret?: string;
    /** Read-only: where the identity provider pushes to (this server's SCIM 2.0 service for the provider). */
    scim_base_url?: string;
  };
  /** The SAML certificate set that signs requests (SAML providers). */
  saml_certificate_set_id?: string;
} | {
  /** Ignored: the server assigns ids (accepted so that an identity provider read can be sent back). */
  id?: string;
  /** The name shown on the login page. */
  name: string;
  /** The kind of identity provider. */
  type: 'facebook';
  /** Settings of the facebook identity provider. */
  config: {
    /** The OAuth client id. */
    client_id?: string;
    /** The OAuth client secret. Write-only: stored sealed, never returned. */
    client_secret?: string;
    [field: string]: unknown;
  };
  /** SCIM provisioning settings. `secret` and `scim_base_url` are read-only: ignored when sent. */
  scim_config?: {
    /** SCIM provisioning from this identity provider is on (docs/identity-providers.md "SCIM provisioning"). */
    enabled?: boolean;
    /** End a user's sessions when the identity provider deactivates or deletes them. */
    user_deprovision?: boolean;
    /** Also remove the user from the directory (their Zero Trust seat); needs user_deprovision. */
    seat_deprovision?: boolean;
    /** End a user's sessions when their group membership changes; a group they leave leaves their identity at once. */
    group_member_deprovision?: boolean;
    /** How a SCIM change reaches the identity of a user who has logged in: automatic (written into it), reauth (sessions end on a group change; the next login brings it), no_action (the default: left alone). */
    identity_update_behavior?: 'automatic' | 'reauth' | 'no_action';
    /** Read-only: the bearer secret the identity provider pushes with, made by the server when SCIM is first enabled (or by refresh_scim_secret) and shown only in the answer of that write; stored sealed, never shown again. */
    secret?: string;
    /** Read-only: where the identity provider pushes to (this server's SCIM 2.0 service for the provider). */
    scim_base_url?: string;
  };
  /** The SAML certificate set that signs requests (SAML providers). */
  saml_certificate_set_id?: string;
} | {
  /** Ignored: the server assigns ids (accepted so that an identity provider read can be sent back). */
  id?: string;
  /** The name shown on the login page. */
  name: string;
  /** The kind of identity provider. */
  type: 'github';
  /** Settings of the github identity provider. */
  config: {
    /** The OAuth client id. */
    client_id?: string;
    /** The OAuth client secret. Write-only: stored sealed, never returned. */
    client_secret?: string;
    [field: string]: unknown;
  };
  /** SCIM provisioning settings. `secret` and `scim_base_url` are read-only: ignored when sent. */
  scim_config?: {
    /** SCIM provisioning from this identity provider is on (docs/identity-providers.md "SCIM provisioning"). */
    enabled?: boolean;
    /** End a user's sessions when the identity provider deactivates or deletes them. */
    user_deprovision?: boolean;
    /** Also remove the user from the directory (their Zero Trust seat); needs user_deprovision. */
    seat_deprovision?: boolean;
    /** End a user's sessions when their group membership changes; a group they leave leaves their identity at once. */
    group_member_deprovision?: boolean;
    /** How a SCIM change reaches the identity of a user who has logged in: automatic (written into it), reauth (sessions end on a group change; the next login brings it), no_action (the default: left alone). */
    identity_update_behavior?: 'automatic' | 'reauth' | 'no_action';
    /** Read-only: the bearer secret the identity provider pushes with, made by the server when SCIM is first enabled (or by refresh_scim_secret) and shown only in the answer of that write; stored sealed, never shown again. */
    secret?: string;
    /** Read-only: where the identity provider pushes to (this server's SCIM 2.0 service for the provider). */
    scim_base_url?: string;
  };
  /** The SAML certificate set that signs requests (SAML providers). */
  saml_certificate_set_id?: string;
} | {
  /** Ignored: the server assigns ids (accepted so that an identity provider read can be sent back). */
  id?: string;
  /** The name shown on the login page. */
  name: string;
  /** The kind of identity provider. */
  type: 'google-apps';
  /** Settings of the google-apps identity provider. */
  config: {
    /** The OAuth client id. */
    client_id?: string;
    /** The OAuth client secret. Write-only: stored sealed, never returned. */
    client_secret?: string;
    /** Extra claims of the id token to keep in the identity (for oidc rules) and add to the application token as custom claims. */
    claims?: string[];
    /** The id token claim that holds the email address. */
    email_claim_name?: string;
    /** The Google Workspace domain. */
    apps_domain?: string;
    [field: string]: unknown;
  };
  /** SCIM provisioning settings. `secret` and `scim_base_url` are read-only: ignored when sent. */
  scim_config?: {
    /** SCIM provisioning from this identity provider is on (docs/identity-providers.md "SCIM provisioning"). */
    enabled?: boolean;
    /** End a user's sessions when the identity provider deactivates or deletes them. */
    user_deprovision?: boolean;
    /** Also remove the user from the directory (their Zero Trust seat); needs user_deprovision. */
    seat_deprovision?: boolean;
    /** End a user's sessions when their group membership changes; a group they leave leaves their identity at once. */
    group_member_deprovision?: boolean;
    /** How a SCIM change reaches the identity of a user who has logged in: automatic (written into it), reauth (sessions end on a group change; the next login brings it), no_action (the default: left alone). */
    identity_update_behavior?: 'automatic' | 'reauth' | 'no_action';
    /** Read-only: the bearer secret the identity provider pushes with, made by the server when SCIM is first enabled (or by refresh_scim_secret) and shown only in the answer of that write; stored sealed, never shown again. */
    secret?: string;
    /** Read-only: where the identity provider pushes to (this server's SCIM 2.0 service for the provider). */
    scim_base_url?: string;
  };
  /** The SAML certificate set that signs requests (SAML providers). */
  saml_certificate_set_id?: string;
} | {
  /** Ignored: the server assigns ids (accepted so that an identity provider read can be sent back). */
  id?: string;
  /** The name shown on the login page. */
  name: string;
  /** The kind of identity provider. */
  type: 'google';
  /** Settings of the google identity provider. */
  config: {
    /** The OAuth client id. */
    client_id?: string;
    /** The OAuth client secret. Write-only: stored sealed, never returned. */
    client_secret?: string;
    /** Extra claims of the id token to keep in the identity (for oidc rules) and add to the application token as custom claims. */
    claims?: string[];
    /** The id token claim that holds the email address. */
    email_claim_name?: string;
    [field: string]: unknown;
  };
  /** SCIM provisioning settings. `secret` and `scim_base_url` are read-only: ignored when sent. */
  scim_config?: {
    /** SCIM provisioning from this identity provider is on (docs/identity-providers.md "SCIM provisioning"). */
    enabled?: boolean;
    /** End a user's sessions when the identity provider deactivates or deletes them. */
    user_deprovision?: boolean;
    /** Also remove the user from the directory (their Zero Trust seat); needs user_deprovision. */
    seat_deprovision?: boolean;
    /** End a user's sessions when their group membership changes; a group they leave leaves their identity at once. */
    group_member_deprovision?: boolean;
    /** How a SCIM change reaches the identity of a user who has logged in: automatic (written into it), reauth (sessions end on a group change; the next login brings it), no_action (the default: left alone). */
    identity_update_behavior?: 'automatic' | 'reauth' | 'no_action';
    /** Read-only: the bearer secret the identity provider pushes with, made by the server when SCIM is first enabled (or by refresh_scim_secret) and shown only in the answer of that write; stored sealed, never shown again. */
    secret?: string;
    /** Read-only: where the identity provider pushes to (this server's SCIM 2.0 service for the provider). */
    scim_base_url?: string;
  };
  /** The SAML certificate set that signs requests (SAML providers). */
  saml_certificate_set_id?: string;
} | {
  /** Ignored: the server assigns ids (accepted so that an identity provider read can be sent back). */
  id?: string;
  /** The name shown on the login page. */
  name: string;
  /** The kind of identity provider. */
  type: 'linkedin';
  /** Settings of the linkedin identity provider. */
  config: {
    /** The OAuth client id. */
    client_id?: string;
    /** The OAuth client secret. Write-only: stored sealed, never returned. */
    client_secret?: string;
    [field: string]: unknown;
  };
  /** SCIM provisioning settings. `secret` and `scim_base_url` are read-only: ignored when sent. */
  scim_config?: {
    /** SCIM provisioning from this identity provider is on (docs/identity-providers.md "SCIM provisioning"). */
    enabled?: boolean;
    /** End a user's sessions when the identity provider deactivates or deletes them. */
    user_deprovision?: boolean;
    /** Also remove the user from the directory (their Zero Trust seat); needs user_deprovision. */
    seat_deprovision?: boolean;
    /** End a user's sessions when their group membership changes; a group they leave leaves their identity at once. */
    group_member_deprovision?: boolean;
    /** How a SCIM change reaches the identity of a user who has logged in: automatic (written into it), reauth (sessions end on a group change; the next login brings it), no_action (the default: left alone). */
    identity_update_behavior?: 'automatic' | 'reauth' | 'no_action';
    /** Read-only: the bearer secret the identity provider pushes with, made by the server when SCIM is first enabled (or by refresh_scim_secret) and shown only in the answer of that write; stored sealed, never shown again. */
    secret?: string;
    /** Read-only: where the identity provider pushes to (this server's SCIM 2.0 service for the provider). */
    scim_base_url?: string;
  };
  /** The SAML certificate set that signs requests (SAML providers). */
  saml_certificate_set_id?: string;
} | {
  /** Ignored: the server assigns ids (accepted so that an identity provider read can be sent back). */
  id?: string;
  /** The name shown on the login page. */
  name: string;
  /** The kind of identity provider. */
  type: 'oidc';
  /** Settings of the oidc identity provider. */
  config: {
    /** The OAuth client id. */
    client_id?: string;
    /** The OAuth client secret. Write-only: stored sealed, never returned. */
    client_secret?: string;
    /** Extra claims of the id token to keep in the identity (for oidc rules) and add to the application token as custom claims. */
    claims?: string[];
    /** The id token claim that holds the email address. */
    email_claim_name?: string;
    /** The authorization endpoint. */
    auth_url?: string;
    /** The token endpoint. */
    token_url?: string;
    /** The JWKS endpoint. */
    certs_url?: string;
    /** OAuth scopes to request. */
    scopes?: string[];
    /** Use PKCE in the authorization code flow (portcullis: on unless set to false). */
    pkce_enabled?: boolean;
    /** Extension: the provider's issuer, checked against the ID token's iss (default: the origin of auth_url); alone, its discovery document supplies the three URLs. */
    issuer_url?: string;
    [field: string]: unknown;
  };
  /** SCIM provisioning settings. `secret` and `scim_base_url` are read-only: ignored when sent. */
  scim_config?: {
    /** SCIM provisioning from this identity provider is on (docs/identity-providers.md "SCIM provisioning"). */
    enabled?: boolean;
    /** End a user's sessions when the identity provider deactivates or deletes them. */
    user_deprovision?: boolean;
    /** Also remove the user from the directory (their Zero Trust seat); needs user_deprovision. */
    seat_deprovision?: boolean;
    /** End a user's sessions when their group membership changes; a group they leave leaves their identity at once. */
    group_member_deprovision?: boolean;
    /** How a SCIM change reaches the identity of a user who has logged in: automatic (written into it), reauth (sessions end on a group change; the next login brings it), no_action (the default: left alone). */
    identity_update_behavior?: 'automatic' | 'reauth' | 'no_action';
    /** Read-only: the bearer secret the identity provider pushes with, made by the server when SCIM is first enabled (or by refresh_scim_secret) and shown only in the answer of that write; stored sealed, never shown again. */
    secret?: string;
    /** Read-only: where the identity provider pushes to (this server's SCIM 2.0 service for the provider). */
    scim_base_url?: string;
  };
  /** The SAML certificate set that signs requests (SAML providers). */
  saml_certificate_set_id?: string;
} | {
  /** Ignored: the server assigns ids (accepted so that an identity provider read can be sent back). */
  id?: string;
  /** The name shown on the login page. */
  name: string;
  /** The kind of identity provider. */
  type: 'okta';
  /** Settings of the okta identity provider. */
  config: {
    /** The OAuth client id. */
    client_id?: string;
    /** The OAuth client secret. Write-only: stored sealed, never returned. */
    client_secret?: string;
    /** Extra claims of the id token to keep in the identity (for oidc rules) and add to the application token as custom claims. */
    claims?: string[];
    /** The id token claim that holds the email address. */
    email_claim_name?: string;
    /** The Okta account URL. */
    okta_account?: string;
    /** The Okta authorization server id. */
    authorization_server_id?: string;
    [field: string]: unknown;
  };
  /** SCIM provisioning settings. `secret` and `scim_base_url` are read-only: ignored when sent. */
  scim_config?: {
    /** SCIM provisioning from this identity provider is on (docs/identity-providers.md "SCIM provisioning"). */
    enabled?: boolean;
    /** End a user's sessions when the identity provider deactivates or deletes them. */
    user_deprovision?: boolean;
    /** Also remove the user from the directory (their Zero Trust seat); needs user_deprovision. */
    seat_deprovision?: boolean;
    /** End a user's sessions when their group membership changes; a group they leave leaves their identity at once. */
    group_member_deprovision?: boolean;
    /** How a SCIM change reaches the identity of a user who has logged in: automatic (written into it), reauth (sessions end on a group change; the next login brings it), no_action (the default: left alone). */
    identity_update_behavior?: 'automatic' | 'reauth' | 'no_action';
    /** Read-only: the bearer secret the identity provider pushes with, made by the server when SCIM is first enabled (or by refresh_scim_secret) and shown only in the answer of that write; stored sealed, never shown again. */
    secret?: string;
    /** Read-only: where the identity provider pushes to (this server's SCIM 2.0 service for the provider). */
    scim_base_url?: string;
  };
  /** The SAML certificate set that signs requests (SAML providers). */
  saml_certificate_set_id?: string;
} | {
  /** Ignored: the server assigns ids (accepted so that an identity provider read can be sent back). */
  id?: string;
  /** The name shown on the login page. */
  name: string;
  /** The kind of identity provider. */
  type: 'onelogin';
  /** Settings of the onelogin identity provider. */
  config: {
    /** The OAuth client id. */
    client_id?: string;
    /** The OAuth client secret. Write-only: stored sealed, never returned. */
    client_secret?: string;
    /** Extra claims of the id token to keep in the identity (for oidc rules) and add to the application token as custom claims. */
    claims?: string[];
    /** The id token claim that holds the email address. */
    email_claim_name?: string;
    /** The OneLogin account URL. */
    onelogin_account?: string;
    [field: string]: unknown;
  };
  /** SCIM provisioning settings. `secret` and `scim_base_url` are read-only: ignored when sent. */
  scim_config?: {
    /** SCIM provisioning from this identity provider is on (docs/identity-providers.md "SCIM provisioning"). */
    enabled?: boolean;
    /** End a user's sessions when the identity provider deactivates or deletes them. */
    user_deprovision?: boolean;
    /** Also remove the user from the directory (their Zero Trust seat); needs user_deprovision. */
    seat_deprovision?: boolean;
    /** End a user's sessions when their group membership changes; a group they leave leaves their identity at once. */
    group_member_deprovision?: boolean;
    /** How a SCIM change reaches the identity of a user who has logged in: automatic (written into it), reauth (sessions end on a group change; the next login brings it), no_action (the default: left alone). */
    identity_update_behavior?: 'automatic' | 'reauth' | 'no_action';
    /** Read-only: the bearer secret the identity provider pushes with, made by the server when SCIM is first enabled (or by refresh_scim_secret) and shown only in the answer of that write; stored sealed, never shown again. */
    secret?: string;
    /** Read-only: where the identity provider pushes to (this server's SCIM 2.0 service for the provider). */
    scim_base_url?: string;
  };
  /** The SAML certificate set that signs requests (SAML providers). */
  saml_certificate_set_id?: string;
} | {
  /** Ignored: the server assigns ids (accepted so that an identity provider read can be sent back). */
  id?: string;
  /** The name shown on the login page. */
  name: string;
  /** The kind of identity provider. */
  type: 'pingone';
  /** Settings of the pingone identity provider. */
  config: {
    /** The OAuth client id. */
    client_id?: string;
    /** The OAuth client secret. Write-only: stored sealed, never returned. */
    client_secret?: string;
    /** Extra claims of the id token to keep in the identity (for oidc rules) and add to the application token as custom claims. */
    claims?: string[];
    /** The id token claim that holds the email address. */
    email_claim_name?: string;
    /** The PingOne environment id. */
    ping_env_id?: string;
    [field: string]: unknown;
  };
  /** SCIM provisioning settings. `secret` and `scim_base_url` are read-only: ignored when sent. */
  scim_config?: {
    /** SCIM provisioning from this identity provider is on (docs/identity-providers.md "SCIM provisioning"). */
    enabled?: boolean;
    /** End a user's sessions when the identity provider deactivates or deletes them. */
    user_deprovision?: boolean;
    /** Also remove the user from the directory (their Zero Trust seat); needs user_deprovision. */
    seat_deprovision?: boolean;
    /** End a user's sessions when their group membership changes; a group they leave leaves their identity at once. */
    group_member_deprovision?: boolean;
    /** How a SCIM change reaches the identity of a user who has logged in: automatic (written into it), reauth (sessions end on a group change; the next login brings it), no_action (the default: left alone). */
    identity_update_behavior?: 'automatic' | 'reauth' | 'no_action';
    /** Read-only: the bearer secret the identity provider pushes with, made by the server when SCIM is first enabled (or by refresh_scim_secret) and shown only in the answer of that write; stored sealed, never shown again. */
    secret?: string;
    /** Read-only: where the identity provider pushes to (this server's SCIM 2.0 service for the provider). */
    scim_base_url?: string;
  };
  /** The SAML certificate set that signs requests (SAML providers). */
  saml_certificate_set_id?: string;
} | {
  /** Ignored: the server assigns ids (accepted so that an identity provider read can be sent back). */
  id?: string;
  /** The name shown on the login page. */
  name: string;
  /** The kind of identity provider. */
  type: 'yandex';
  /** Settings of the yandex identity provider. */
  config: {
    /** The OAuth client id. */
    client_id?: string;
    /** The OAuth client secret. Write-only: stored sealed, never returned. */
    client_secret?: string;
    [field: string]: unknown;
  };
  /** SCIM provisioning settings. `secret` and `scim_base_url` are read-only: ignored when sent. */
  scim_config?: {
    /** SCIM provisioning from this identity provider is on (docs/identity-providers.md "SCIM provisioning"). */
    enabled?: boolean;
    /** End a user's sessions when the identity provider deactivates or deletes them. */
    user_deprovision?: boolean;
    /** Also remove the user from the directory (their Zero Trust seat); needs user_deprovision. */
    seat_deprovision?: boolean;
    /** End a user's sessions when their group membership changes; a group they leave leaves their identity at once. */
    group_member_deprovision?: boolean;
    /** How a SCIM change reaches the identity of a user who has logged in: automatic (written into it), reauth (sessions end on a group change; the next login brings it), no_action (the default: left alone). */
    identity_update_behavior?: 'automatic' | 'reauth' | 'no_action';
    /** Read-only: the bearer secret the identity provider pushes with, made by the server when SCIM is first enabled (or by refresh_scim_secret) and shown only in the answer of that write; stored sealed, never shown again. */
    secret?: string;
    /** Read-only: where the identity provider pushes to (this server's SCIM 2.0 service for the provider). */
    scim_base_url?: string;
  };
  /** The SAML certificate set that signs requests (SAML providers). */
  saml_certificate_set_id?: string;
} | {
  /** Ignored: the server assigns ids (accepted so that an identity provider read can be sent back). */
  id?: string;
  /** The name shown on the login page. */
  name: string;
  /** The kind of identity provider. */
  type: 'cloudflare';
  /** Settings of the cloudflare identity provider. */
  config: object;
  /** SCIM provisioning settings. `secret` and `scim_base_url` are read-only: ignored when sent. */
  scim_config?: {
    /** SCIM provisioning from this identity provider is on (docs/identity-providers.md "SCIM provisioning"). */
    enabled?: boolean;
    /** End a user's sessions when the identity provider deactivates or deletes them. */
    user_deprovision?: boolean;
    /** Also remove the user from the directory (their Zero Trust seat); needs user_deprovision. */
    seat_deprovision?: boolean;
    /** End a user's sessions when their group membership changes; a group they leave leaves their identity at once. */
    group_member_deprovision?: boolean;
    /** How a SCIM change reaches the identity of a user who has logged in: automatic (written into it), reauth (sessions end on a group change; the next login brings it), no_action (the default: left alone). */
    identity_update_behavior?: 'automatic' | 'reauth' | 'no_action';
    /** Read-only: the bearer secret the identity provider pushes with, made by the server when SCIM is first enabled (or by refresh_scim_secret) and shown only in the answer of that write; stored sealed, never shown again. */
    secret?: string;
    /** Read-only: where the identity provider pushes to (this server's SCIM 2.0 service for the provider). */
    scim_base_url?: string;
  };
  /** The SAML certificate set that signs requests (SAML providers). */
  saml_certificate_set_id?: string;
};

/** An identity provider. Secrets in its config are stored but never returned. */
export type IdentityProvider = {
  /** The id of the identity provider. */
  id: string;
  /** The name shown on the login page. */
  name: string;
  /** The kind of identity provider. */
  type: 'onetimepin' | 'azureAD' | 'saml' | 'centrify' | 'facebook' | 'github' | 'google-apps' | 'google' | 'linkedin' | 'oidc' | 'okta' | 'onelogin' | 'pingone' | 'yandex' | 'cloudflare';
  /** Settings of the identity provider, as sent, except its secrets (config.client_secret; config.* named like a credential; scim_config.secret), which are never returned. */
  config: object;
  /** SCIM provisioning settings, with where to push; `secret` only in the answer of the write that made it. */
  scim_config?: {
    /** SCIM provisioning from this identity provider is on (docs/identity-providers.md "SCIM provisioning"). */
    enabled?: boolean;
    /** End a user's sessions when the identity provider deactivates or deletes them. */
    user_deprovision?: boolean;
    /** Also remove the user from the directory (their Zero Trust seat); needs user_deprovision. */
    seat_deprovision?: boolean;
    /** End a user's sessions when their group membership changes; a group they leave leaves their identity at once. */
    group_member_deprovision?: boolean;
    /** How a SCIM change reaches the identity of a user who has logged in: automatic (written into it), reauth (sessions end on a group change; the next login brings it), no_action (the default: left alone). */
    identity_update_behavior?: 'automatic' | 'reauth' | 'no_action';
    /** Read-only: the bearer secret the identity provider pushes with, made by the server when SCIM is first enabled (or by refresh_scim_secret) and shown only in the answer of that write; stored sealed, never shown again. */
    secret?: string;
    /** Read-only: where the identity provider pushes to (this server's SCIM 2.0 service for the provider). */
    scim_base_url?: string;
  };
  saml_certificate_set_id?: string;
};

/** A service token. Its client secret is never part of it. */
export type ServiceToken = {
  /** The id of the service token. */
  id: string;
  /** The name of the service token. */
  name: string;
  /** Sent in the CF-Access-Client-Id header: 32 hexadecimal characters and ".access". */
  client_id: string;
  /** How long the token stays valid: a Go duration such as "300ms" or "2h45m" (units ns, us, µs, ms, s, m, h), or "forever". */
  duration: string;
  /** A disabled token is kept, but no policy accepts it until it is enabled again. Default true. */
  enabled?: boolean;
  /** Counts the secrets the token has had: 1 on creation, one more per rotation. */
  client_secret_version?: number;
  /** When the token stops being valid (the last create, refresh or duration change plus the duration); absent for "forever". */
  expires_at?: string;
  /** Present while a rotation's grace period runs: until when the previous client secret still works. */
  previous_client_secret_expires_at?: string;
  created_at: string;
  updated_at: string;
};

/** An mTLS CA certificate. The uploaded PEM is not returned. */
export type Certificate = {
  /** The id of the certificate. */
  id: string;
  /** The name of the certificate. */
  name: string;
  /** Hostnames of the applications that use this CA for mTLS. */
  associated_hostnames: string[];
  /** The MD5 fingerprint of the certificate (DER), as "MD5 Fingerprint=" and colon-separated hexadecimal. */
  fingerprint: string;
  /** When the certificate expires (its notAfter). */
  expires_on: string;
  created_at: string;
  updated_at: string;
};

export type PostureRuleRequest = {
  /** The name of the posture rule. */
  name: string;
  /** What the rule checks. */
  type: 'file' | 'application' | 'tanium' | 'gateway' | 'warp' | 'disk_encryption' | 'sentinelone' | 'carbonblack' | 'firewall' | 'os_version' | 'domain_joined' | 'client_certificate' | 'client_certificate_v2' | 'unique_client_id' | 'kolide' | 'tanium_s2s' | 'crowdstrike_s2s' | 'intune' | 'workspace_one' | 'sentinelone_s2s' | 'serial_number' | 'antivirus' | 'custom_s2s';
  /** Free text. */
  description?: string;
  /** How often the WARP client re-checks: a Go duration of at least 1m, such as "5m" or "1h". */
  schedule?: string;
  /** How long a check result stays valid: a Go duration such as "1h". Without it, a result lasts until the next one. */
  expiration?: string;
  /** The platforms the rule applies to. */
  match?: {
    /** An operating system. */
    platform?: 'windows' | 'mac' | 'linux' | 'android' | 'ios' | 'chromeos';
  }[];
  /** What the check compares against; its fields depend on the type. */
  input?: object;
};

/** A device posture rule. */
export type PostureRule = {
  /** The id of the posture rule. */
  id: string;
  /** The name of the posture rule. */
  name: string;
  /** What the rule checks. */
  type: 'file' | 'application' | 'tanium' | 'gateway' | 'warp' | 'disk_encryption' | 'sentinelone' | 'carbonblack' | 'firewall' | 'os_version' | 'domain_joined' | 'client_certificate' | 'client_certificate_v2' | 'unique_client_id' | 'kolide' | 'tanium_s2s' | 'crowdstrike_s2s' | 'intune' | 'workspace_one' | 'sentinelone_s2s' | 'serial_number' | 'antivirus' | 'custom_s2s';
  /** Free text. */
  description?: string;
  /** How often the WARP client re-checks: a Go duration of at least 1m, such as "5m" or "1h". */
  schedule?: string;
  /** How long a check result stays valid: a Go duration such as "1h". Without it, a result lasts until the next one. */
  expiration?: string;
  /** The platforms the rule applies to. */
  match?: {
    /** An operating system. */
    platform?: 'windows' | 'mac' | 'linux' | 'android' | 'ios' | 'chromeos';
  }[];
  /** What the check compares against; its fields depend on the type. */
  input?: object;
};

export type PolicyTestStart = {
  /** The policies to test, in order (bypass and service auth first, then the first allow or block that matches decides). */
  policies: (string | object)[];
  /** Extension: policies to compare with; each user then also gets baseline_status and changed. */
  baseline_policies?: (string | object)[];
};

export type PolicyTestProgress = {
  id: string;
  status: 'blocked' | 'processing' | 'exceeded time' | 'complete';
  total_users: number;
  users_approved: number;
  users_blocked: number;
  users_errored: number;
  percent_approved: number;
  percent_blocked: number;
  percent_errored: number;
  percent_users_processed: number;
  /** Extension: users whose status differs from the baseline (with baseline_policies). */
  users_changed?: number;
  /** Extension: why the test is blocked or exceeded its time. */
  reason?: string;
  created_at: string;
  finished_at?: string;
};

export type PolicyTest = {
  id: string;
  status: 'blocked' | 'processing' | 'exceeded time' | 'complete';
  total_users: number;
  users_approved: number;
  users_blocked: number;
  users_errored: number;
  percent_approved: number;
  percent_blocked: number;
  percent_errored: number;
  percent_users_processed: number;
  /** Extension: users whose status differs from the baseline (with baseline_policies). */
  users_changed?: number;
  /** Extension: why the test is blocked or exceeded its time. */
  reason?: string;
  created_at: string;
  finished_at?: string;
  /** Extension: the policies tested, in order, as they were when the test started. */
  policies: {
    /** The reusable policy's id (absent for an inline policy, such as the dashboard's draft). */
    id?: string;
    name: string;
    decision: string;
  }[];
  /** Extension: the baseline compared with (with baseline_policies). */
  baseline_policies?: {
    /** The reusable policy's id (absent for an inline policy, such as the dashboard's draft). */
    id?: string;
    name: string;
    decision: string;
  }[];
};

export type PolicyTestUser = {
  id: string;
  email: string;
  name: string;
  status: 'approved' | 'blocked' | 'error';
  baseline_status?: 'approved' | 'blocked' | 'error';
  /** Extension: the status differs from the baseline. */
  changed?: boolean;
};

export type PolicyTestUserExplained = {
  id: string;
  email: string;
  name: string;
  status: 'approved' | 'blocked' | 'error';
  baseline_status?: 'approved' | 'blocked' | 'error';
  /** Extension: the status differs from the baseline. */
  changed?: boolean;
  identity_changed: boolean;
  /** Every policy and rule evaluated, with outcomes and reasons. */
  explanation?: Explanation;
  /** Every policy and rule evaluated, with outcomes and reasons. */
  baseline_explanation?: Explanation;
  /** Extension (with baseline_policies): the policies and rules that made the difference for this user, in order of execution. */
  differences?: PolicyDifference[];
};

/** Give policies or app_id, and user_id, email or identity. */
export type WhatIfRequest = {
  /** Policies to evaluate, in order. */
  policies?: (string | object)[];
  /** Evaluate an application's policies by precedence instead. */
  app_id?: string;
  /** Evaluate this user's last seen identity. */
  user_id?: string;
  /** Evaluate the last seen identity of the user with this email. */
  email?: string;
  /** A last seen identity. Absent or mistyped fields make their selectors false. */
  identity?: Identity;
  /** Changes applied to the identity before it is evaluated. */
  context?: {
    /** The request comes from this IP address. */
    ip?: string;
    /** The request comes from this country: a two-letter ISO 3166-1 code. */
    country?: string;
    /** Posture rule id → whether the device passes it. */
    device_posture?: Record<string, boolean>;
    user_risk_score?: 'low' | 'medium' | 'high' | 'unscored';
    /** The authentication methods of the login (RFC 8176), e.g. ["pwd", "mfa"]. */
    amr?: string[];
    /** The login came through this identity provider. */
    identity_provider_id?: string;
  };
};

export type WhatIfResult = {
  status: 'approved' | 'blocked';
  access: 'granted' | 'blocked';
  /** The decision depended on a rule that could not be decided, so access was refused (fail closed). */
  unknown: boolean;
  /** The deciding policy's decision; null when nothing matched or access is unknown. */
  decision: 'allow' | 'deny' | 'non_identity' | 'bypass' | null;
  /** The policy that decided; null when nothing matched. */
  deciding_policy: {
    /** Its place in the evaluated list, from 0. */
    index: number;
    id?: string;
    name: string;
    decision: 'allow' | 'deny' | 'non_identity' | 'bypass';
  } | null;
  summary: string;
  /** The identity as evaluated, context applied. Left out for a directory user when the credentials cannot read users. */
  identity?: object;
  /** Left out for a directory user when the credentials cannot read users (it quotes identity values). */
  explanation?: Explanation;
};

export type ApiToken = {
  id?: string;
  name?: string;
  status?: 'active' | 'disabled' | 'expired';
  issued_on?: string;
  modified_on?: string;
  last_used_on?: string;
  expires_on?: string;
  not_before?: string;
  policies?: {
    /** Assigned by the server. */
    id?: string;
    effect: 'allow' | 'deny';
    permission_groups: {
      id: string;
      name?: string;
      meta?: object;
    }[];
    /** Resource names (com.cloudflare.api.account.<id>, ...) to "*". */
    resources: Record<string, string | object>;
  }[];
  /** Client IP restrictions (CIDRs). */
  condition?: {
    request_ip?: {
      in?: string[];
      not_in?: string[];
    };
  };
  [field: string]: unknown;
};

export type AuditLogEntry = {
  id?: string;
  when?: string;
  action?: {
    /** create, update, delete, import, add_items, remove_items, start, roll. */
    type?: string;
    result?: boolean;
  };
  actor?: {
    /** The API token id ("root" for the root credentials; the identity provider id for a SCIM push). */
    id?: string;
    type?: 'user' | 'admin';
    ip?: string;
  };
  /** "API", or "SCIM" for a change an identity provider pushed (docs/identity-providers.md). */
  interface?: string;
  resource?: {
    id?: string;
    /** policy, group, app, app_policy, user, users, list, api_token, policy_test, ... */
    type?: string;
  };
  /** The value before, as JSON (absent on create). */
  oldValue?: string;
  /** The value after, as JSON (absent on delete). */
  newValue?: string;
  owner?: {
    id?: string;
  };
  /** The request: request_id, method, path. */
  metadata?: object;
};

/** An account. */
export type Account = {
  /** The account id: 32 hexadecimal characters. */
  id: string;
  /** The account name. */
  name: string;
  /** Always "standard". */
  type: 'standard';
  settings: {
    /** Always false: portcullis has no account members to hold to it. */
    enforce_twofactor: boolean;
  };
  /** When the account was created. */
  created_on: string;
};

/** The Zero Trust organization of the account. */
export type Organization = {
  /** The name of the organization, shown on sign-in pages. */
  name: string;
  /** Where users sign in: this server as users reach it ("access.example.com" means https, or a full URL). The issuer of application tokens. */
  auth_domain: string;
  /** How long a sign-in lasts: the global session on the auth domain, and applications that set none (Go duration, e.g. "24h"). */
  session_duration?: string;
  /** Accepted and kept: the dashboard does not lock itself. */
  is_ui_read_only?: boolean;
  ui_read_only_toggle_reason?: string;
  /** Accepted and kept (no seat expires): a Go duration of at least 730h, one month. */
  user_seat_expiration_inactive_time?: string;
  /** Accepted and kept. */
  warp_auth_session_duration?: string;
  allow_authenticate_via_warp?: boolean;
  auto_redirect_to_identity?: boolean;
  login_design?: object;
  custom_pages?: object;
  created_at?: string;
  updated_at?: string;
  [field: string]: unknown;
};

export type OrganizationUpdate = {
  /** The name of the organization, shown on sign-in pages. */
  name?: string;
  /** Where users sign in: this server as users reach it ("access.example.com" means https, or a full URL). The issuer of application tokens. */
  auth_domain?: string;
  /** How long a sign-in lasts: the global session on the auth domain, and applications that set none (Go duration, e.g. "24h"). */
  session_duration?: string;
  /** Accepted and kept: the dashboard does not lock itself. */
  is_ui_read_only?: boolean;
  ui_read_only_toggle_reason?: string;
  /** Accepted and kept (no seat expires): a Go duration of at least 730h, one month. */
  user_seat_expiration_inactive_time?: string;
  /** Accepted and kept. */
  warp_auth_session_duration?: string;
  allow_authenticate_via_warp?: boolean;
  auto_redirect_to_identity?: boolean;
  login_design?: object;
  custom_pages?: object;
  [field: string]: unknown;
};

/** The account's key rotation settings. */
export type AccessKeySettings = {
  /** The number of days between key rotations. */
  key_rotation_interval_days: number;
  /** When the key that signs now was made. */
  last_key_rotation_at: string;
  /** Days until the key is rotated (at its next use after that). */
  days_until_next_rotation: number;
};

/** One entry of the access-request log. */
export type AccessRequest = {
  /** What happened: "login" (a sign-in, or a request decided for a signed-in user or a service token), or "scim" (an identity provider's SCIM push refused for its credentials; docs/identity-providers.md). */
  action: string;
  /** Whether access was granted. */
  allowed: boolean;
  /** The host the request was for. */
  app_domain?: string;
  /** The application id. */
  app_uid?: string;
  /** The identity provider type used to sign in ("development" for the development login). */
  connection?: string;
  /** The client country, when known. */
  country?: string;
  created_at: string;
  /** The client address. */
  ip_address?: string;
  /** An id of the request. */
  ray_id: string;
  /** The user (or the service token client id). */
  user_email?: string;
  /** Extension (as Cloudflare's Logpush field PurposeJustificationPrompt): for a sign-in whose Allow policy asked for a purpose justification, the prompt the user was shown. */
  purpose_justification_prompt?: string;
  /** Extension (as PurposeJustificationResponse): the justification the user wrote. */
  purpose_justification_response?: string;
  /** Extension (as TemporaryAccessApprovers): for a sign-in an approver granted (temporary authentication), who approved. */
  temporary_access_approvers?: string[];
  /** Extension (as TemporaryAccessDuration): how long the approvers granted, in seconds. */
  temporary_access_duration?: number;
  /** Extension: for a refusal, why beyond the policies' verdict: an external evaluation endpoint that gave no answer at the sign-in, by its origin and the evaluator's code (e.g. "external evaluation at https://eval.example.com: timeout"; docs/enforcement.md "External evaluation"). */
  reason?: string;
};

/** Every operation of the API, by operationId. */
export interface Operations {
  /** List accounts */
  'accounts-list-accounts': {
    method: 'GET';
    path: '/accounts';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: {
      page?: number;
      per_page?: number;
    };
    body: undefined;
    result: Account[];
    /** The answer carries result_info. */
    paged: true;
  };
  /** Account details */
  'accounts-account-details': {
    method: 'GET';
    path: '/accounts/{account_id}';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: Record<string, never>;
    body: undefined;
    result: Account;
  };
  /** Create an account */
  'account-creation': {
    method: 'POST';
    path: '/accounts';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: Record<string, never>;
    body: {
      /** The account name. */
      name: string;
      /** Accepted for compatibility; every account is "standard". */
      type?: 'standard' | 'enterprise';
    };
    result: Account;
  };
  /** List reusable policies */
  'access-policies-list': {
    method: 'GET';
    path: '/accounts/{account_id}/access/policies';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: {
      page?: number;
      per_page?: number;
      name?: string;
      search?: string;
    };
    body: undefined;
    result: Policy[];
    /** The answer carries result_info. */
    paged: true;
  };
  /** Create a reusable policy */
  'access-policies-create': {
    method: 'POST';
    path: '/accounts/{account_id}/access/policies';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: Record<string, never>;
    body: PolicyRequest;
    result: Policy;
  };
  /** Get a reusable policy */
  'access-policies-get': {
    method: 'GET';
    path: '/accounts/{account_id}/access/policies/{policy_id}';
    /** Path parameters besides account_id. */
    params: {
      policy_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: Policy;
  };
  /** Replace a reusable policy */
  'access-policies-update': {
    method: 'PUT';
    path: '/accounts/{account_id}/access/policies/{policy_id}';
    /** Path parameters besides account_id. */
    params: {
      policy_id: string;
    };
    query: Record<string, never>;
    body: PolicyRequest;
    result: Policy;
  };
  /** Delete a reusable policy */
  'access-policies-delete': {
    method: 'DELETE';
    path: '/accounts/{account_id}/access/policies/{policy_id}';
    /** Path parameters besides account_id. */
    params: {
      policy_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: {
      id: string;
    };
  };
  /** List Access groups */
  'access-groups-list': {
    method: 'GET';
    path: '/accounts/{account_id}/access/groups';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: {
      page?: number;
      per_page?: number;
      name?: string;
      search?: string;
    };
    body: undefined;
    result: Group[];
    /** The answer carries result_info. */
    paged: true;
  };
  /** Create an Access group */
  'access-groups-create': {
    method: 'POST';
    path: '/accounts/{account_id}/access/groups';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: Record<string, never>;
    body: GroupRequest;
    result: Group;
  };
  /** Get an Access group */
  'access-groups-get': {
    method: 'GET';
    path: '/accounts/{account_id}/access/groups/{group_id}';
    /** Path parameters besides account_id. */
    params: {
      group_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: Group;
  };
  /** Replace an Access group */
  'access-groups-update': {
    method: 'PUT';
    path: '/accounts/{account_id}/access/groups/{group_id}';
    /** Path parameters besides account_id. */
    params: {
      group_id: string;
    };
    query: Record<string, never>;
    body: GroupRequest;
    result: Group;
  };
  /** Delete an Access group */
  'access-groups-delete': {
    method: 'DELETE';
    path: '/accounts/{account_id}/access/groups/{group_id}';
    /** Path parameters besides account_id. */
    params: {
      group_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: {
      id: string;
    };
  };
  /** List an account's policy tests */
  'access-policy-tests-list': {
    method: 'GET';
    path: '/accounts/{account_id}/access/policy-tests';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: {
      page?: number;
      per_page?: number;
    };
    body: undefined;
    result: PolicyTestProgress[];
    /** The answer carries result_info. */
    paged: true;
  };
  /** Start a policy test */
  'access-policy-tests-start': {
    method: 'POST';
    path: '/accounts/{account_id}/access/policy-tests';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: Record<string, never>;
    body: PolicyTestStart;
    result: {
      id: string;
      status: 'success';
    };
  };
  /** Get a policy test's progress */
  'access-policy-tests-get': {
    method: 'GET';
    path: '/accounts/{account_id}/access/policy-tests/{policy_test_id}';
    /** Path parameters besides account_id. */
    params: {
      policy_test_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: PolicyTest;
  };
  /** Page through a policy test's per-user results */
  'access-policy-tests-users': {
    method: 'GET';
    path: '/accounts/{account_id}/access/policy-tests/{policy_test_id}/users';
    /** Path parameters besides account_id. */
    params: {
      policy_test_id: string;
    };
    query: {
      page?: number;
      per_page?: number;
      status?: 'success' | 'fail' | 'error';
      changed?: boolean;
    };
    body: undefined;
    result: PolicyTestUser[];
    /** The answer carries result_info. */
    paged: true;
  };
  /** One user's result, explained */
  'access-policy-tests-user': {
    method: 'GET';
    path: '/accounts/{account_id}/access/policy-tests/{policy_test_id}/users/{user_id}';
    /** Path parameters besides account_id. */
    params: {
      policy_test_id: string;
      user_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: PolicyTestUserExplained;
  };
  /** What-if: decide one identity against policies, explained */
  'access-evaluate': {
    method: 'POST';
    path: '/accounts/{account_id}/access/evaluate';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: Record<string, never>;
    body: WhatIfRequest;
    result: WhatIfResult;
  };
  /** List short-lived certificate CAs */
  'access-short-lived-certificate-c-as-list-short-lived-certificate-c-as': {
    method: 'GET';
    path: '/accounts/{account_id}/access/apps/ca';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: Record<string, never>;
    body: undefined;
    result: {
      id?: string;
      aud?: string;
      public_key?: string;
    };
  };
  /** Get a short-lived certificate CA */
  'access-short-lived-certificate-c-as-get-a-short-lived-certificate-ca': {
    method: 'GET';
    path: '/accounts/{account_id}/access/apps/{app_id}/ca';
    /** Path parameters besides account_id. */
    params: {
      app_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: {
      id?: string;
      aud?: string;
      public_key?: string;
    };
  };
  /** Create a short-lived certificate CA */
  'access-short-lived-certificate-c-as-create-a-short-lived-certificate-ca': {
    method: 'POST';
    path: '/accounts/{account_id}/access/apps/{app_id}/ca';
    /** Path parameters besides account_id. */
    params: {
      app_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: {
      id?: string;
      aud?: string;
      public_key?: string;
    };
  };
  /** Delete a short-lived certificate CA */
  'access-short-lived-certificate-c-as-delete-a-short-lived-certificate-ca': {
    method: 'DELETE';
    path: '/accounts/{account_id}/access/apps/{app_id}/ca';
    /** Path parameters besides account_id. */
    params: {
      app_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: {
      id?: string;
      aud?: string;
      public_key?: string;
    };
  };
  /** List Access applications */
  'access-apps-list': {
    method: 'GET';
    path: '/accounts/{account_id}/access/apps';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: {
      page?: number;
      per_page?: number;
      name?: string;
      domain?: string;
      aud?: string;
      exact?: boolean;
      search?: string;
      target_attributes?: string;
    };
    body: undefined;
    result: App[];
    /** The answer carries result_info. */
    paged: true;
  };
  /** Create an Access application */
  'access-apps-create': {
    method: 'POST';
    path: '/accounts/{account_id}/access/apps';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: Record<string, never>;
    body: AppRequest;
    result: App;
  };
  /** Get an Access application */
  'access-apps-get': {
    method: 'GET';
    path: '/accounts/{account_id}/access/apps/{app_id}';
    /** Path parameters besides account_id. */
    params: {
      app_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: App;
  };
  /** Replace an Access application */
  'access-apps-update': {
    method: 'PUT';
    path: '/accounts/{account_id}/access/apps/{app_id}';
    /** Path parameters besides account_id. */
    params: {
      app_id: string;
    };
    query: Record<string, never>;
    body: AppRequest;
    result: App;
  };
  /** Delete an Access application */
  'access-apps-delete': {
    method: 'DELETE';
    path: '/accounts/{account_id}/access/apps/{app_id}';
    /** Path parameters besides account_id. */
    params: {
      app_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: {
      id: string;
    };
  };
  /** Revoke an Access application's tokens */
  'access-applications-revoke-service-tokens': {
    method: 'POST';
    path: '/accounts/{account_id}/access/apps/{app_id}/revoke_tokens';
    /** Path parameters besides account_id. */
    params: {
      app_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: object;
  };
  /** Replace an Access application's settings */
  'access-applications-put-update-access-application-settings': {
    method: 'PUT';
    path: '/accounts/{account_id}/access/apps/{app_id}/settings';
    /** Path parameters besides account_id. */
    params: {
      app_id: string;
    };
    query: Record<string, never>;
    body: {
      /** Enables loading application content in an iFrame (stored; see the application field). */
      allow_iframe?: boolean;
      /** Enables automatic authentication through cloudflared (stored; see the application field). */
      skip_interstitial?: boolean;
    };
    result: {
      /** Enables loading application content in an iFrame (stored; see the application field). */
      allow_iframe: boolean;
      /** Enables automatic authentication through cloudflared (stored; see the application field). */
      skip_interstitial: boolean;
    };
  };
  /** Change an Access application's settings */
  'access-applications-patch-update-access-application-settings': {
    method: 'PATCH';
    path: '/accounts/{account_id}/access/apps/{app_id}/settings';
    /** Path parameters besides account_id. */
    params: {
      app_id: string;
    };
    query: Record<string, never>;
    body: {
      /** Enables loading application content in an iFrame (stored; see the application field). */
      allow_iframe?: boolean;
      /** Enables automatic authentication through cloudflared (stored; see the application field). */
      skip_interstitial?: boolean;
    };
    result: {
      /** Enables loading application content in an iFrame (stored; see the application field). */
      allow_iframe: boolean;
      /** Enables automatic authentication through cloudflared (stored; see the application field). */
      skip_interstitial: boolean;
    };
  };
  /** List an application's policies */
  'access-app-policies-list': {
    method: 'GET';
    path: '/accounts/{account_id}/access/apps/{app_id}/policies';
    /** Path parameters besides account_id. */
    params: {
      app_id: string;
    };
    query: {
      page?: number;
      per_page?: number;
    };
    body: undefined;
    result: AppPolicy[];
    /** The answer carries result_info. */
    paged: true;
  };
  /** Create an application-scoped policy */
  'access-app-policies-create': {
    method: 'POST';
    path: '/accounts/{account_id}/access/apps/{app_id}/policies';
    /** Path parameters besides account_id. */
    params: {
      app_id: string;
    };
    query: Record<string, never>;
    body: AppPolicyRequest;
    result: AppPolicy;
  };
  /** Get a policy of an application */
  'access-app-policies-get': {
    method: 'GET';
    path: '/accounts/{account_id}/access/apps/{app_id}/policies/{policy_id}';
    /** Path parameters besides account_id. */
    params: {
      app_id: string;
      policy_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: AppPolicy;
  };
  /** Replace an application-scoped policy */
  'access-app-policies-update': {
    method: 'PUT';
    path: '/accounts/{account_id}/access/apps/{app_id}/policies/{policy_id}';
    /** Path parameters besides account_id. */
    params: {
      app_id: string;
      policy_id: string;
    };
    query: Record<string, never>;
    body: AppPolicyRequest;
    result: AppPolicy;
  };
  /** Delete an application-scoped policy */
  'access-app-policies-delete': {
    method: 'DELETE';
    path: '/accounts/{account_id}/access/apps/{app_id}/policies/{policy_id}';
    /** Path parameters besides account_id. */
    params: {
      app_id: string;
      policy_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: {
      id: string;
    };
  };
  /** Turn an application-scoped policy into a reusable policy */
  'access-app-policies-make-reusable': {
    method: 'PUT';
    path: '/accounts/{account_id}/access/apps/{app_id}/policies/{policy_id}/make_reusable';
    /** Path parameters besides account_id. */
    params: {
      app_id: string;
      policy_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: Policy[];
    /** The answer carries result_info. */
    paged: true;
  };
  /** Check one user against an application's policies */
  'access-apps-user-policy-checks': {
    method: 'GET';
    path: '/accounts/{account_id}/access/apps/{app_id}/user_policy_checks';
    /** Path parameters besides account_id. */
    params: {
      app_id: string;
    };
    query: {
      email?: string;
      user_id?: string;
    };
    body: undefined;
    result: {
      app_state?: object;
      user_identity?: object;
      /** Extension: the decision explained. */
      explanation?: object;
    };
  };
  /** List Zero Trust users */
  'access-users-list': {
    method: 'GET';
    path: '/accounts/{account_id}/access/users';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: {
      page?: number;
      per_page?: number;
      email?: string;
      name?: string;
      search?: string;
    };
    body: undefined;
    result: User[];
    /** The answer carries result_info. */
    paged: true;
  };
  /** Create a Zero Trust user */
  'access-users-create': {
    method: 'POST';
    path: '/accounts/{account_id}/access/users';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: Record<string, never>;
    body: UserRequest;
    result: User;
  };
  /** Get a Zero Trust user */
  'access-users-get': {
    method: 'GET';
    path: '/accounts/{account_id}/access/users/{user_id}';
    /** Path parameters besides account_id. */
    params: {
      user_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: User;
  };
  /** Rename a Zero Trust user */
  'access-users-update': {
    method: 'PUT';
    path: '/accounts/{account_id}/access/users/{user_id}';
    /** Path parameters besides account_id. */
    params: {
      user_id: string;
    };
    query: Record<string, never>;
    body: {
      /** The user's current email, as a confirmation: it cannot change. */
      email: string;
      /** The user's name. */
      name: string;
    };
    result: User;
  };
  /** Delete a Zero Trust user */
  'access-users-delete': {
    method: 'DELETE';
    path: '/accounts/{account_id}/access/users/{user_id}';
    /** Path parameters besides account_id. */
    params: {
      user_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: null;
  };
  /** Read users with their last seen identities, in bulk */
  'access-users-identities': {
    method: 'GET';
    path: '/accounts/{account_id}/access/users/identities';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: {
      cursor?: string;
      limit?: number;
    };
    body: undefined;
    result: {
      users: {
        id: string;
        email: string;
        name: string;
        /** A last seen identity. Absent or mistyped fields make their selectors false. */
        identity: {
          /** Read by email, email_domain and email_list. */
          email?: string;
          name?: string;
          idp?: {
            id?: string;
            type?: string;
            [field: string]: unknown;
          };
          groups?: {
            id?: string;
            name?: string;
            email?: string;
            teams?: string[];
            [field: string]: unknown;
          }[];
          /** Authentication methods (RFC 8176), read by auth_method. */
          amr?: string[];
          auth_contexts?: string[];
          /** OIDC claims: string, number, boolean or array values. */
          oidc_fields?: object;
          /** SAML attributes: string or array values. */
          saml_attributes?: object;
          geo?: {
            country?: string;
            [field: string]: unknown;
          };
          /** IPv4 or IPv6 address. */
          ip?: string;
          devicePosture?: Record<string, {
            success?: boolean;
            [field: string]: unknown;
          }>;
          mtls_auth?: {
            cert_presented?: boolean;
            auth_status?: string;
            [field: string]: unknown;
          };
          common_name?: string;
          service_token_id?: string;
          service_token_status?: boolean;
          linked_app_token?: {
            app_uid?: string;
            [field: string]: unknown;
          };
          /** low, medium or high; absent = unscored. */
          user_risk_score?: string;
          cloudflare_account_ids?: string[];
          [field: string]: unknown;
        } | null;
        /** The user's last login or import of an identity; null before the first (a user a SCIM directory pushed may have an identity and no login yet). */
        last_successful_login: string | null;
      }[];
      /** Pass as cursor for the next page; null on the last page. */
      next_cursor: string | null;
      /** On the first page only: how many users the account has. */
      total_count?: number;
    };
  };
  /** Get a user's last seen identity */
  'access-users-last-seen-identity-get': {
    method: 'GET';
    path: '/accounts/{account_id}/access/users/{user_id}/last_seen_identity';
    /** Path parameters besides account_id. */
    params: {
      user_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: Identity;
  };
  /** Set a user's last seen identity */
  'access-users-last-seen-identity-set': {
    method: 'PUT';
    path: '/accounts/{account_id}/access/users/{user_id}/last_seen_identity';
    /** Path parameters besides account_id. */
    params: {
      user_id: string;
    };
    query: Record<string, never>;
    body: Identity;
    result: Identity;
  };
  /** Import users */
  'access-users-import': {
    method: 'POST';
    path: '/accounts/{account_id}/access/users/import';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: Record<string, never>;
    body: UserImport;
    result: {
      /** Users that did not exist. */
      created: number;
      /** Existing users (matched by email, case-insensitively) that the import changed. */
      updated: number;
      /** Existing users whose entry held nothing new (the same name and identity, or none given): left as they were, their updated_at and last_successful_login included. */
      unchanged: number;
    };
  };
  /** Update user seats */
  'zero-trust-seats-update-a-user-seat': {
    method: 'PATCH';
    path: '/accounts/{account_id}/access/seats';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: Record<string, never>;
    body: {
      /** The seat's id: the id of its Zero Trust user. */
      seat_uid: string;
      /** True to keep the Access seat the user holds; false removes it. */
      access_seat: boolean;
      /** Always false here: portcullis has no Gateway seats. */
      gateway_seat: boolean;
    }[];
    result: {
      /** The seat's id: the id of its Zero Trust user. */
      seat_uid: string;
      /** True while the user holds an Access seat (has signed in since the seat was last removed). */
      access_seat: boolean;
      /** Always false: portcullis has no Gateway seats. */
      gateway_seat: boolean;
      created_at: string;
      updated_at: string;
    }[];
  };
  /** Get a user's active sessions */
  'zero-trust-users-get-active-sessions': {
    method: 'GET';
    path: '/accounts/{account_id}/access/users/{user_id}/active_sessions';
    /** Path parameters besides account_id. */
    params: {
      user_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: {
      /** The name of the session. */
      name?: string;
      /** When the session expires, in seconds since the epoch. */
      expiration?: number;
      metadata?: {
        /** The applications the session reached, by application uid: hostname, name, type, uid. */
        apps?: object;
        /** When the session expires, in seconds since the epoch. */
        expires?: number;
        /** When the session was issued, in seconds since the epoch. */
        iat?: number;
        /** The session nonce. */
        nonce?: string;
        /** The session lifetime in seconds. */
        ttl?: number;
        [field: string]: unknown;
      };
      [field: string]: unknown;
    }[];
    /** The answer carries result_info. */
    paged: true;
  };
  /** Get a user's active session */
  'zero-trust-users-get-active-session': {
    method: 'GET';
    path: '/accounts/{account_id}/access/users/{user_id}/active_sessions/{nonce}';
    /** Path parameters besides account_id. */
    params: {
      user_id: string;
      nonce: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: object;
  };
  /** Get a user's failed logins */
  'zero-trust-users-get-failed-logins': {
    method: 'GET';
    path: '/accounts/{account_id}/access/users/{user_id}/failed_logins';
    /** Path parameters besides account_id. */
    params: {
      user_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: {
      /** When the record expires, in seconds since the epoch. */
      expiration?: number;
      /** What is known of the attempt: app_name, aud, datetime, ray_id, user_email, user_uuid. */
      metadata?: object;
      [field: string]: unknown;
    }[];
    /** The answer carries result_info. */
    paged: true;
  };
  /** Get the Access key rotation settings */
  'access-key-configuration-get-the-access-key-configuration': {
    method: 'GET';
    path: '/accounts/{account_id}/access/keys';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: Record<string, never>;
    body: undefined;
    result: AccessKeySettings;
  };
  /** Update the Access key rotation settings */
  'access-key-configuration-update-the-access-key-configuration': {
    method: 'PUT';
    path: '/accounts/{account_id}/access/keys';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: Record<string, never>;
    body: {
      /** The number of days between key rotations. */
      key_rotation_interval_days: number;
    };
    result: AccessKeySettings;
  };
  /** Rotate the Access signing key */
  'access-key-configuration-rotate-access-keys': {
    method: 'POST';
    path: '/accounts/{account_id}/access/keys/rotate';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: Record<string, never>;
    body: undefined;
    result: AccessKeySettings;
  };
  /** Get the Zero Trust organization */
  'zero-trust-organization-get-your-zero-trust-organization': {
    method: 'GET';
    path: '/accounts/{account_id}/access/organizations';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: Record<string, never>;
    body: undefined;
    result: Organization;
  };
  /** Create the Zero Trust organization */
  'zero-trust-organization-create-your-zero-trust-organization': {
    method: 'POST';
    path: '/accounts/{account_id}/access/organizations';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: Record<string, never>;
    body: {
      /** The name of the organization, shown on sign-in pages. */
      name: string;
      /** Where users sign in: this server as users reach it ("access.example.com" means https, or a full URL). The issuer of application tokens. */
      auth_domain: string;
      /** How long a sign-in lasts: the global session on the auth domain, and applications that set none (Go duration, e.g. "24h"). */
      session_duration?: string;
      /** Accepted and kept: the dashboard does not lock itself. */
      is_ui_read_only?: boolean;
      ui_read_only_toggle_reason?: string;
      /** Accepted and kept (no seat expires): a Go duration of at least 730h, one month. */
      user_seat_expiration_inactive_time?: string;
      /** Accepted and kept. */
      warp_auth_session_duration?: string;
      allow_authenticate_via_warp?: boolean;
      auto_redirect_to_identity?: boolean;
      login_design?: object;
      custom_pages?: object;
      [field: string]: unknown;
    };
    result: Organization;
  };
  /** Update the Zero Trust organization */
  'zero-trust-organization-update-your-zero-trust-organization': {
    method: 'PUT';
    path: '/accounts/{account_id}/access/organizations';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: Record<string, never>;
    body: OrganizationUpdate;
    result: Organization;
  };
  /** End a user's sessions */
  'zero-trust-organization-revoke-all-access-tokens-for-a-user': {
    method: 'POST';
    path: '/accounts/{account_id}/access/organizations/revoke_user';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: Record<string, never>;
    body: {
      /** The user whose sessions end. */
      email: string;
      devices?: boolean;
      user_uid?: string;
      warp_session_reauth?: boolean;
    };
    result: boolean;
  };
  /** Get the access-request log */
  'access-authentication-logs-get-access-authentication-logs': {
    method: 'GET';
    path: '/accounts/{account_id}/access/logs/access_requests';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: {
      since?: string;
      until?: string;
      limit?: number;
      direction?: 'desc' | 'asc';
      page?: number;
      per_page?: number;
      email?: string;
      email_exact?: boolean;
      allowed?: boolean;
      app_uid?: string;
    };
    body: undefined;
    result: AccessRequest[];
    /** The answer carries result_info. */
    paged: true;
  };
  /** List the SCIM update logs */
  'access-scim-update-logs-list-access-scim-update-logs': {
    method: 'GET';
    path: '/accounts/{account_id}/access/logs/scim/updates';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: {
      idp_id?: string[];
      status?: ('SUCCESS' | 'FAILURE')[];
      resource_type?: ('USER' | 'GROUP')[];
      request_method?: ('POST' | 'PUT' | 'PATCH' | 'DELETE')[];
      cf_resource_id?: string[];
      idp_resource_id?: string[];
      resource_user_email?: string[];
      resource_group_name?: string[];
      since?: string;
      until?: string;
      direction?: 'desc' | 'asc';
      limit?: number;
      page?: number;
      per_page?: number;
    };
    body: undefined;
    result: {
      /** The id of the SCIM resource here (absent for a create refused before it had one). */
      cf_resource_id?: string;
      /** Why the request was refused, when status is FAILURE. */
      error_description?: string;
      /** The identity provider that pushed it. */
      idp_id: string;
      /** The provider's id of the resource (its externalId). */
      idp_resource_id?: string;
      logged_at: string;
      /** The request body as JSON text, with any password or other credential replaced by "[redacted]". */
      request_body?: string;
      /** POST, PUT, PATCH or DELETE. */
      request_method: string;
      /** The group's display name, for a group. */
      resource_group_name?: string;
      /** USER or GROUP. */
      resource_type: string;
      /** The user's email, for a user. */
      resource_user_email?: string;
      /** SUCCESS or FAILURE. */
      status: string;
    }[];
    /** The answer carries result_info. */
    paged: true;
  };
  /** List Gateway lists */
  'gateway-lists-list': {
    method: 'GET';
    path: '/accounts/{account_id}/gateway/lists';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: {
      type?: 'SERIAL' | 'URL' | 'DOMAIN' | 'EMAIL' | 'IP' | 'CATEGORY' | 'LOCATION' | 'DEVICE' | 'AAGUID';
      search?: string;
      filter?: string[];
      order_by?: 'name' | 'created_at' | 'updated_at' | 'item_count';
      direction?: 'asc' | 'desc';
    };
    body: undefined;
    result: GatewayList[];
    /** The answer carries result_info. */
    paged: true;
  };
  /** Create a Gateway list */
  'gateway-lists-create': {
    method: 'POST';
    path: '/accounts/{account_id}/gateway/lists';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: Record<string, never>;
    body: ListRequest;
    result: {
      /** The list id (UUID). */
      id: string;
      /** The list name. */
      name: string;
      /** What the list holds; access rules use IP lists (ip_list) and EMAIL lists (email_list). It never changes. */
      type: 'SERIAL' | 'URL' | 'DOMAIN' | 'EMAIL' | 'IP' | 'CATEGORY' | 'LOCATION' | 'DEVICE' | 'AAGUID';
      /** A free-text description. */
      description?: string;
      items: ListItem[];
      created_at: string;
      updated_at: string;
    };
  };
  /** Get a Gateway list */
  'gateway-lists-get': {
    method: 'GET';
    path: '/accounts/{account_id}/gateway/lists/{list_id}';
    /** Path parameters besides account_id. */
    params: {
      list_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: GatewayList;
  };
  /** Update a Gateway list */
  'gateway-lists-update': {
    method: 'PUT';
    path: '/accounts/{account_id}/gateway/lists/{list_id}';
    /** Path parameters besides account_id. */
    params: {
      list_id: string;
    };
    query: Record<string, never>;
    body: ListUpdate;
    result: GatewayList;
  };
  /** Add and remove Gateway list entries */
  'gateway-lists-patch': {
    method: 'PATCH';
    path: '/accounts/{account_id}/gateway/lists/{list_id}';
    /** Path parameters besides account_id. */
    params: {
      list_id: string;
    };
    query: Record<string, never>;
    body: ListPatch;
    result: GatewayList;
  };
  /** Delete a Gateway list */
  'gateway-lists-delete': {
    method: 'DELETE';
    path: '/accounts/{account_id}/gateway/lists/{list_id}';
    /** Path parameters besides account_id. */
    params: {
      list_id: string;
    };
    query: Record<string, never>;
    body: object | undefined;
    result: Record<string, never>;
  };
  /** List the entries of a Gateway list */
  'gateway-list-items-list': {
    method: 'GET';
    path: '/accounts/{account_id}/gateway/lists/{list_id}/items';
    /** Path parameters besides account_id. */
    params: {
      list_id: string;
    };
    query: {
      page?: number;
      per_page?: number;
    };
    body: undefined;
    result: ListItem[];
    /** The answer carries result_info. */
    paged: true;
  };
  /** List identity providers */
  'access-identity-providers-list': {
    method: 'GET';
    path: '/accounts/{account_id}/access/identity_providers';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: {
      page?: number;
      per_page?: number;
      scim_enabled?: boolean;
    };
    body: undefined;
    result: IdentityProvider[];
    /** The answer carries result_info. */
    paged: true;
  };
  /** Create an identity provider */
  'access-identity-providers-create': {
    method: 'POST';
    path: '/accounts/{account_id}/access/identity_providers';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: Record<string, never>;
    body: IdentityProviderRequest;
    result: IdentityProvider;
  };
  /** Get an identity provider */
  'access-identity-providers-get': {
    method: 'GET';
    path: '/accounts/{account_id}/access/identity_providers/{identity_provider_id}';
    /** Path parameters besides account_id. */
    params: {
      identity_provider_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: IdentityProvider;
  };
  /** Replace an identity provider */
  'access-identity-providers-update': {
    method: 'PUT';
    path: '/accounts/{account_id}/access/identity_providers/{identity_provider_id}';
    /** Path parameters besides account_id. */
    params: {
      identity_provider_id: string;
    };
    query: Record<string, never>;
    body: IdentityProviderRequest;
    result: IdentityProvider;
  };
  /** Delete an identity provider */
  'access-identity-providers-delete': {
    method: 'DELETE';
    path: '/accounts/{account_id}/access/identity_providers/{identity_provider_id}';
    /** Path parameters besides account_id. */
    params: {
      identity_provider_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: {
      id: string;
    };
  };
  /** Refresh the SCIM secret of an identity provider */
  'access-identity-providers-refresh-scim-secret': {
    method: 'POST';
    path: '/accounts/{account_id}/access/identity_providers/{identity_provider_id}/refresh_scim_secret';
    /** Path parameters besides account_id. */
    params: {
      identity_provider_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: IdentityProvider;
  };
  /** List SCIM User resources */
  'access-identity-providers-list-scim-user-resources': {
    method: 'GET';
    path: '/accounts/{account_id}/access/identity_providers/{identity_provider_id}/scim/users';
    /** Path parameters besides account_id. */
    params: {
      identity_provider_id: string;
    };
    query: {
      cf_resource_id?: string;
      idp_resource_id?: string;
      username?: string;
      email?: string;
      name?: string;
      page?: number;
      per_page?: number;
    };
    body: undefined;
    result: {
      /** The id this server gave the SCIM resource (its SCIM id; cf_resource_id filters by it). */
      id?: string;
      /** The identity provider's own id for the SCIM resource (idp_resource_id filters by it). */
      externalId?: string;
      /** The metadata of the SCIM resource. */
      meta?: {
        /** When the SCIM resource was created. */
        created?: string;
        /** When the SCIM resource was last modified. */
        lastModified?: string;
      };
      /** The SCIM schemas of the resource, as pushed. */
      schemas?: string[];
      /** Whether the SCIM User is active. */
      active?: boolean;
      /** The name of the SCIM User: displayName, else name.formatted, else given and family names. */
      displayName?: string;
      /** The email addresses of the SCIM User. */
      emails?: {
        /** Whether it is the primary email address. */
        primary?: boolean;
        /** The type of the email address (work, home, ...). */
        type?: string;
        /** The email address. */
        value?: string;
      }[];
    }[];
    /** The answer carries result_info. */
    paged: true;
  };
  /** List SCIM Group resources */
  'access-identity-providers-list-scim-group-resources': {
    method: 'GET';
    path: '/accounts/{account_id}/access/identity_providers/{identity_provider_id}/scim/groups';
    /** Path parameters besides account_id. */
    params: {
      identity_provider_id: string;
    };
    query: {
      cf_resource_id?: string;
      idp_resource_id?: string;
      name?: string;
      page?: number;
      per_page?: number;
    };
    body: undefined;
    result: {
      /** The id this server gave the SCIM resource (its SCIM id; cf_resource_id filters by it). */
      id?: string;
      /** The identity provider's own id for the SCIM resource (idp_resource_id filters by it). */
      externalId?: string;
      /** The metadata of the SCIM resource. */
      meta?: {
        /** When the SCIM resource was created. */
        created?: string;
        /** When the SCIM resource was last modified. */
        lastModified?: string;
      };
      /** The SCIM schemas of the resource, as pushed. */
      schemas?: string[];
      /** The display name of the SCIM Group. */
      displayName?: string;
    }[];
    /** The answer carries result_info. */
    paged: true;
  };
  /** List service tokens */
  'access-service-tokens-list': {
    method: 'GET';
    path: '/accounts/{account_id}/access/service_tokens';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: {
      page?: number;
      per_page?: number;
      name?: string;
      search?: string;
    };
    body: undefined;
    result: ServiceToken[];
    /** The answer carries result_info. */
    paged: true;
  };
  /** Create a service token */
  'access-service-tokens-create': {
    method: 'POST';
    path: '/accounts/{account_id}/access/service_tokens';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: Record<string, never>;
    body: {
      /** The name of the service token. */
      name: string;
      /** How long the token stays valid: a Go duration such as "300ms" or "2h45m" (units ns, us, µs, ms, s, m, h), or "forever". */
      duration?: string;
      /** A disabled token is kept, but no policy accepts it until it is enabled again. Default true. */
      enabled?: boolean;
      /** Counts the secrets the token has had: 1 on creation, one more per rotation. */
      client_secret_version?: number;
      /** RFC 3339: until when the previous client secret (and the application tokens made with it) keeps working beside the new one. Left out, or in the past, the previous secret stops at once. A rotation sets it; an update moves it while the grace period runs (into the past: ends it now). */
      previous_client_secret_expires_at?: string;
    };
    result: {
      /** The id of the service token. */
      id: string;
      /** The name of the service token. */
      name: string;
      /** Sent in the CF-Access-Client-Id header: 32 hexadecimal characters and ".access". */
      client_id: string;
      /** How long the token stays valid: a Go duration such as "300ms" or "2h45m" (units ns, us, µs, ms, s, m, h), or "forever". */
      duration: string;
      /** A disabled token is kept, but no policy accepts it until it is enabled again. Default true. */
      enabled?: boolean;
      /** Counts the secrets the token has had: 1 on creation, one more per rotation. */
      client_secret_version?: number;
      /** When the token stops being valid (the last create, refresh or duration change plus the duration); absent for "forever". */
      expires_at?: string;
      /** Present while a rotation's grace period runs: until when the previous client secret still works. */
      previous_client_secret_expires_at?: string;
      created_at: string;
      updated_at: string;
      /** Sent in the CF-Access-Client-Secret header. Shown in this answer only: it is stored as a hash and cannot be read again. */
      client_secret: string;
    };
  };
  /** Get a service token */
  'access-service-tokens-get': {
    method: 'GET';
    path: '/accounts/{account_id}/access/service_tokens/{service_token_id}';
    /** Path parameters besides account_id. */
    params: {
      service_token_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: ServiceToken;
  };
  /** Update a service token */
  'access-service-tokens-update': {
    method: 'PUT';
    path: '/accounts/{account_id}/access/service_tokens/{service_token_id}';
    /** Path parameters besides account_id. */
    params: {
      service_token_id: string;
    };
    query: Record<string, never>;
    body: {
      /** The name of the service token. */
      name?: string;
      /** How long the token stays valid: a Go duration such as "300ms" or "2h45m" (units ns, us, µs, ms, s, m, h), or "forever". */
      duration?: string;
      /** A disabled token is kept, but no policy accepts it until it is enabled again. Default true. */
      enabled?: boolean;
      /** Counts the secrets the token has had: 1 on creation, one more per rotation. */
      client_secret_version?: number;
      /** RFC 3339: until when the previous client secret (and the application tokens made with it) keeps working beside the new one. Left out, or in the past, the previous secret stops at once. A rotation sets it; an update moves it while the grace period runs (into the past: ends it now). */
      previous_client_secret_expires_at?: string;
    };
    result: ServiceToken;
  };
  /** Delete a service token */
  'access-service-tokens-delete': {
    method: 'DELETE';
    path: '/accounts/{account_id}/access/service_tokens/{service_token_id}';
    /** Path parameters besides account_id. */
    params: {
      service_token_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: ServiceToken;
  };
  /** Rotate the secret of a service token */
  'access-service-tokens-rotate': {
    method: 'POST';
    path: '/accounts/{account_id}/access/service_tokens/{service_token_id}/rotate';
    /** Path parameters besides account_id. */
    params: {
      service_token_id: string;
    };
    query: Record<string, never>;
    body: {
      /** RFC 3339: until when the previous client secret (and the application tokens made with it) keeps working beside the new one. Left out, or in the past, the previous secret stops at once. A rotation sets it; an update moves it while the grace period runs (into the past: ends it now). */
      previous_client_secret_expires_at?: string;
    } | undefined;
    result: {
      /** The id of the service token. */
      id: string;
      /** The name of the service token. */
      name: string;
      /** Sent in the CF-Access-Client-Id header: 32 hexadecimal characters and ".access". */
      client_id: string;
      /** How long the token stays valid: a Go duration such as "300ms" or "2h45m" (units ns, us, µs, ms, s, m, h), or "forever". */
      duration: string;
      /** A disabled token is kept, but no policy accepts it until it is enabled again. Default true. */
      enabled?: boolean;
      /** Counts the secrets the token has had: 1 on creation, one more per rotation. */
      client_secret_version?: number;
      /** When the token stops being valid (the last create, refresh or duration change plus the duration); absent for "forever". */
      expires_at?: string;
      /** Present while a rotation's grace period runs: until when the previous client secret still works. */
      previous_client_secret_expires_at?: string;
      created_at: string;
      updated_at: string;
      /** Sent in the CF-Access-Client-Secret header. Shown in this answer only: it is stored as a hash and cannot be read again. */
      client_secret: string;
    };
  };
  /** Refresh a service token */
  'access-service-tokens-refresh': {
    method: 'POST';
    path: '/accounts/{account_id}/access/service_tokens/{service_token_id}/refresh';
    /** Path parameters besides account_id. */
    params: {
      service_token_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: ServiceToken;
  };
  /** List Access tags */
  'access-tags-list-tags': {
    method: 'GET';
    path: '/accounts/{account_id}/access/tags';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: {
      page?: number;
      per_page?: number;
    };
    body: undefined;
    result: {
      /** The name of the tag. */
      name: string;
      /** How many applications of the account carry this tag. */
      app_count: number;
      created_at: string;
      updated_at: string;
    }[];
    /** The answer carries result_info. */
    paged: true;
  };
  /** Get an Access tag */
  'access-tags-get-a-tag': {
    method: 'GET';
    path: '/accounts/{account_id}/access/tags/{tag_name}';
    /** Path parameters besides account_id. */
    params: {
      tag_name: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: {
      /** The name of the tag. */
      name: string;
      /** How many applications of the account carry this tag. */
      app_count: number;
      created_at: string;
      updated_at: string;
    };
  };
  /** Create an Access tag */
  'access-tags-create-tag': {
    method: 'POST';
    path: '/accounts/{account_id}/access/tags';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: Record<string, never>;
    body: {
      /** The name of the tag. */
      name: string;
    };
    result: {
      /** The name of the tag. */
      name: string;
      /** How many applications of the account carry this tag. */
      app_count: number;
      created_at: string;
      updated_at: string;
    };
  };
  /** Rename an Access tag */
  'access-tags-update-a-tag': {
    method: 'PUT';
    path: '/accounts/{account_id}/access/tags/{tag_name}';
    /** Path parameters besides account_id. */
    params: {
      tag_name: string;
    };
    query: Record<string, never>;
    body: {
      /** The name of the tag. */
      name: string;
    };
    result: {
      /** The name of the tag. */
      name: string;
      /** How many applications of the account carry this tag. */
      app_count: number;
      created_at: string;
      updated_at: string;
    };
  };
  /** Delete an Access tag */
  'access-tags-delete-a-tag': {
    method: 'DELETE';
    path: '/accounts/{account_id}/access/tags/{tag_name}';
    /** Path parameters besides account_id. */
    params: {
      tag_name: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: {
      /** The name of the tag. */
      name: string;
    };
  };
  /** List Access custom pages */
  'access-custom-pages-list-custom-pages': {
    method: 'GET';
    path: '/accounts/{account_id}/access/custom_pages';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: {
      page?: number;
      per_page?: number;
    };
    body: undefined;
    result: {
      /** The uid of the custom page. */
      uid: string;
      /** The uid again. */
      id: string;
      /** The name of the custom page. */
      name: string;
      /** When the page is shown: identity_denied (a signed-in user the policies refuse), forbidden (a refusal by non-identity rules, such as a service token refused). login and interstitial pages are kept, but the enforcement point does not show them yet. */
      type: 'identity_denied' | 'forbidden' | 'login' | 'interstitial';
      /** Accepted and kept. */
      contract_version?: number;
      /** How many applications of the account choose this page. */
      app_count: number;
      created_at: string;
      updated_at: string;
    }[];
    /** The answer carries result_info. */
    paged: true;
  };
  /** Get an Access custom page */
  'access-custom-pages-get-a-custom-page': {
    method: 'GET';
    path: '/accounts/{account_id}/access/custom_pages/{custom_page_id}';
    /** Path parameters besides account_id. */
    params: {
      custom_page_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: {
      /** The uid of the custom page. */
      uid: string;
      /** The uid again. */
      id: string;
      /** The name of the custom page. */
      name: string;
      /** When the page is shown: identity_denied (a signed-in user the policies refuse), forbidden (a refusal by non-identity rules, such as a service token refused). login and interstitial pages are kept, but the enforcement point does not show them yet. */
      type: 'identity_denied' | 'forbidden' | 'login' | 'interstitial';
      /** Accepted and kept. */
      contract_version?: number;
      /** How many applications of the account choose this page. */
      app_count: number;
      created_at: string;
      updated_at: string;
      /** The HTML of the page, served as written. */
      custom_html: string;
    };
  };
  /** Create an Access custom page */
  'access-custom-pages-create-a-custom-page': {
    method: 'POST';
    path: '/accounts/{account_id}/access/custom_pages';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: Record<string, never>;
    body: {
      /** The name of the custom page. */
      name: string;
      /** When the page is shown: identity_denied (a signed-in user the policies refuse), forbidden (a refusal by non-identity rules, such as a service token refused). login and interstitial pages are kept, but the enforcement point does not show them yet. */
      type: 'identity_denied' | 'forbidden' | 'login' | 'interstitial';
      /** The HTML of the page, served as written. */
      custom_html: string;
      /** Accepted and kept. */
      contract_version?: number;
    };
    result: {
      /** The uid of the custom page. */
      uid: string;
      /** The uid again. */
      id: string;
      /** The name of the custom page. */
      name: string;
      /** When the page is shown: identity_denied (a signed-in user the policies refuse), forbidden (a refusal by non-identity rules, such as a service token refused). login and interstitial pages are kept, but the enforcement point does not show them yet. */
      type: 'identity_denied' | 'forbidden' | 'login' | 'interstitial';
      /** Accepted and kept. */
      contract_version?: number;
      /** How many applications of the account choose this page. */
      app_count: number;
      created_at: string;
      updated_at: string;
    };
  };
  /** Replace an Access custom page */
  'access-custom-pages-update-a-custom-page': {
    method: 'PUT';
    path: '/accounts/{account_id}/access/custom_pages/{custom_page_id}';
    /** Path parameters besides account_id. */
    params: {
      custom_page_id: string;
    };
    query: Record<string, never>;
    body: {
      /** The name of the custom page. */
      name: string;
      /** When the page is shown: identity_denied (a signed-in user the policies refuse), forbidden (a refusal by non-identity rules, such as a service token refused). login and interstitial pages are kept, but the enforcement point does not show them yet. */
      type: 'identity_denied' | 'forbidden' | 'login' | 'interstitial';
      /** The HTML of the page, served as written. */
      custom_html: string;
      /** Accepted and kept. */
      contract_version?: number;
    };
    result: {
      /** The uid of the custom page. */
      uid: string;
      /** The uid again. */
      id: string;
      /** The name of the custom page. */
      name: string;
      /** When the page is shown: identity_denied (a signed-in user the policies refuse), forbidden (a refusal by non-identity rules, such as a service token refused). login and interstitial pages are kept, but the enforcement point does not show them yet. */
      type: 'identity_denied' | 'forbidden' | 'login' | 'interstitial';
      /** Accepted and kept. */
      contract_version?: number;
      /** How many applications of the account choose this page. */
      app_count: number;
      created_at: string;
      updated_at: string;
    };
  };
  /** Delete an Access custom page */
  'access-custom-pages-delete-a-custom-page': {
    method: 'DELETE';
    path: '/accounts/{account_id}/access/custom_pages/{custom_page_id}';
    /** Path parameters besides account_id. */
    params: {
      custom_page_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: {
      id: string;
    };
  };
  /** List the mTLS hostname settings */
  'access-mtls-authentication-list-mtls-certificates-hostname-settings': {
    method: 'GET';
    path: '/accounts/{account_id}/access/certificates/settings';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: Record<string, never>;
    body: undefined;
    result: {
      /** The hostname these settings apply to. */
      hostname: string;
      /** Whether the hostname is served on the China network (kept only). */
      china_network: boolean;
      /** Whether the client certificate is forwarded to the origin (kept only). */
      client_certificate_forwarding: boolean;
    }[];
    /** The answer carries result_info. */
    paged: true;
  };
  /** Replace the mTLS hostname settings */
  'access-mtls-authentication-update-an-mtls-certificate-settings': {
    method: 'PUT';
    path: '/accounts/{account_id}/access/certificates/settings';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: Record<string, never>;
    body: {
      settings: {
        /** The hostname these settings apply to. */
        hostname: string;
        /** Whether the hostname is served on the China network (kept only). */
        china_network: boolean;
        /** Whether the client certificate is forwarded to the origin (kept only). */
        client_certificate_forwarding: boolean;
      }[];
    };
    result: {
      /** The hostname these settings apply to. */
      hostname: string;
      /** Whether the hostname is served on the China network (kept only). */
      china_network: boolean;
      /** Whether the client certificate is forwarded to the origin (kept only). */
      client_certificate_forwarding: boolean;
    }[];
    /** The answer carries result_info. */
    paged: true;
  };
  /** List mTLS certificates */
  'access-certificates-list': {
    method: 'GET';
    path: '/accounts/{account_id}/access/certificates';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: {
      page?: number;
      per_page?: number;
    };
    body: undefined;
    result: Certificate[];
    /** The answer carries result_info. */
    paged: true;
  };
  /** Upload an mTLS certificate */
  'access-certificates-create': {
    method: 'POST';
    path: '/accounts/{account_id}/access/certificates';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: Record<string, never>;
    body: {
      /** The name of the certificate. */
      name: string;
      /** The PEM-encoded CA certificate. */
      certificate: string;
      /** Hostnames of the applications that use this CA for mTLS. */
      associated_hostnames?: string[];
    };
    result: Certificate;
  };
  /** Get an mTLS certificate */
  'access-certificates-get': {
    method: 'GET';
    path: '/accounts/{account_id}/access/certificates/{certificate_id}';
    /** Path parameters besides account_id. */
    params: {
      certificate_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: Certificate;
  };
  /** Update an mTLS certificate */
  'access-certificates-update': {
    method: 'PUT';
    path: '/accounts/{account_id}/access/certificates/{certificate_id}';
    /** Path parameters besides account_id. */
    params: {
      certificate_id: string;
    };
    query: Record<string, never>;
    body: {
      /** The name of the certificate. */
      name?: string;
      /** Hostnames of the applications that use this CA for mTLS. */
      associated_hostnames: string[];
      /** Accepted only when it is the stored certificate: a certificate cannot change (upload a new one). */
      certificate?: string;
    };
    result: Certificate;
  };
  /** Delete an mTLS certificate */
  'access-certificates-delete': {
    method: 'DELETE';
    path: '/accounts/{account_id}/access/certificates/{certificate_id}';
    /** Path parameters besides account_id. */
    params: {
      certificate_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: {
      id: string;
    };
  };
  /** List device posture rules */
  'device-posture-rules-list': {
    method: 'GET';
    path: '/accounts/{account_id}/devices/posture';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: Record<string, never>;
    body: undefined;
    result: PostureRule[];
    /** The answer carries result_info. */
    paged: true;
  };
  /** Create a device posture rule */
  'device-posture-rules-create': {
    method: 'POST';
    path: '/accounts/{account_id}/devices/posture';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: Record<string, never>;
    body: PostureRuleRequest;
    result: PostureRule;
  };
  /** Get a device posture rule */
  'device-posture-rules-get': {
    method: 'GET';
    path: '/accounts/{account_id}/devices/posture/{rule_id}';
    /** Path parameters besides account_id. */
    params: {
      rule_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: PostureRule;
  };
  /** Replace a device posture rule */
  'device-posture-rules-update': {
    method: 'PUT';
    path: '/accounts/{account_id}/devices/posture/{rule_id}';
    /** Path parameters besides account_id. */
    params: {
      rule_id: string;
    };
    query: Record<string, never>;
    body: PostureRuleRequest;
    result: PostureRule;
  };
  /** Delete a device posture rule */
  'device-posture-rules-delete': {
    method: 'DELETE';
    path: '/accounts/{account_id}/devices/posture/{rule_id}';
    /** Path parameters besides account_id. */
    params: {
      rule_id: string;
    };
    query: Record<string, never>;
    body: object | undefined;
    result: {
      id: string;
    };
  };
  /** List the permission groups a token can be given */
  'user-tokens-permission-groups': {
    method: 'GET';
    path: '/user/tokens/permission_groups';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: Record<string, never>;
    body: undefined;
    result: {
      id?: string;
      name?: string;
      description?: string;
      scopes?: string[];
    }[];
  };
  /** Verify the token making the request */
  'user-tokens-verify': {
    method: 'GET';
    path: '/user/tokens/verify';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: Record<string, never>;
    body: undefined;
    result: {
      id?: string;
      status?: string;
      expires_on?: string;
      not_before?: string;
    };
  };
  /** List API tokens */
  'user-tokens-list': {
    method: 'GET';
    path: '/user/tokens';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: {
      page?: number;
      per_page?: number;
    };
    body: undefined;
    result: ApiToken[];
    /** The answer carries result_info. */
    paged: true;
  };
  /** Create an API token */
  'user-tokens-create': {
    method: 'POST';
    path: '/user/tokens';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: Record<string, never>;
    body: {
      name: string;
      policies: {
        /** Assigned by the server. */
        id?: string;
        effect: 'allow' | 'deny';
        permission_groups: {
          id: string;
          name?: string;
          meta?: object;
        }[];
        /** Resource names (com.cloudflare.api.account.<id>, ...) to "*". */
        resources: Record<string, string | object>;
      }[];
      /** Client IP restrictions (CIDRs). */
      condition?: {
        request_ip?: {
          in?: string[];
          not_in?: string[];
        };
      };
      expires_on?: string;
      not_before?: string;
    };
    result: {
      id?: string;
      name?: string;
      status?: 'active' | 'disabled' | 'expired';
      issued_on?: string;
      modified_on?: string;
      last_used_on?: string;
      expires_on?: string;
      not_before?: string;
      policies?: {
        /** Assigned by the server. */
        id?: string;
        effect: 'allow' | 'deny';
        permission_groups: {
          id: string;
          name?: string;
          meta?: object;
        }[];
        /** Resource names (com.cloudflare.api.account.<id>, ...) to "*". */
        resources: Record<string, string | object>;
      }[];
      /** Client IP restrictions (CIDRs). */
      condition?: {
        request_ip?: {
          in?: string[];
          not_in?: string[];
        };
      };
      /** The secret, shown only now. */
      value?: string;
      [field: string]: unknown;
    };
  };
  /** Get an API token */
  'user-tokens-get': {
    method: 'GET';
    path: '/user/tokens/{token_id}';
    /** Path parameters besides account_id. */
    params: {
      token_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: ApiToken;
  };
  /** Change an API token */
  'user-tokens-update': {
    method: 'PUT';
    path: '/user/tokens/{token_id}';
    /** Path parameters besides account_id. */
    params: {
      token_id: string;
    };
    query: Record<string, never>;
    body: {
      name: string;
      policies: {
        /** Assigned by the server. */
        id?: string;
        effect: 'allow' | 'deny';
        permission_groups: {
          id: string;
          name?: string;
          meta?: object;
        }[];
        /** Resource names (com.cloudflare.api.account.<id>, ...) to "*". */
        resources: Record<string, string | object>;
      }[];
      /** Client IP restrictions (CIDRs). */
      condition?: {
        request_ip?: {
          in?: string[];
          not_in?: string[];
        };
      };
      expires_on?: string;
      not_before?: string;
      status?: 'active' | 'disabled' | 'expired';
      id?: string;
      issued_on?: string;
      modified_on?: string;
      last_used_on?: string;
    };
    result: ApiToken;
  };
  /** Delete an API token */
  'user-tokens-delete': {
    method: 'DELETE';
    path: '/user/tokens/{token_id}';
    /** Path parameters besides account_id. */
    params: {
      token_id: string;
    };
    query: Record<string, never>;
    body: undefined;
    result: {
      id: string;
    };
  };
  /** Roll an API token's secret */
  'user-tokens-roll': {
    method: 'PUT';
    path: '/user/tokens/{token_id}/value';
    /** Path parameters besides account_id. */
    params: {
      token_id: string;
    };
    query: Record<string, never>;
    body: Record<string, never> | undefined;
    result: string;
  };
  /** List an account's audit log */
  'audit-logs-list': {
    method: 'GET';
    path: '/accounts/{account_id}/audit_logs';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: {
      page?: number;
      per_page?: number;
      since?: string;
      before?: string;
      direction?: 'desc' | 'asc';
      'action.type'?: string;
      'actor.ip'?: string;
      'resource.type'?: string;
      'resource.id'?: string;
    };
    body: undefined;
    result: AuditLogEntry[];
    /** The answer carries result_info. */
    paged: true;
  };
  /** List the audit log of API token changes */
  'user-audit-logs-list': {
    method: 'GET';
    path: '/user/audit_logs';
    /** Path parameters besides account_id. */
    params: Record<string, never>;
    query: {
      page?: number;
      per_page?: number;
      since?: string;
      before?: string;
      direction?: 'desc' | 'asc';
      'action.type'?: string;
      'actor.ip'?: string;
      'resource.type'?: string;
      'resource.id'?: string;
    };
    body: undefined;
    result: AuditLogEntry[];
    /** The answer carries result_info. */
    paged: true;
  };
}

export type OperationId = keyof Operations;

/** How to call each operation. */
export const OPERATIONS = {
  'accounts-list-accounts': { method: 'GET', path: '/accounts' },
  'accounts-account-details': { method: 'GET', path: '/accounts/{account_id}' },
  'account-creation': { method: 'POST', path: '/accounts' },
  'access-policies-list': { method: 'GET', path: '/accounts/{account_id}/access/policies' },
  'access-policies-create': { method: 'POST', path: '/accounts/{account_id}/access/policies' },
  'access-policies-get': { method: 'GET', path: '/accounts/{account_id}/access/policies/{policy_id}' },
  'access-policies-update': { method: 'PUT', path: '/accounts/{account_id}/access/policies/{policy_id}' },
  'access-policies-delete': { method: 'DELETE', path: '/accounts/{account_id}/access/policies/{policy_id}' },
  'access-groups-list': { method: 'GET', path: '/accounts/{account_id}/access/groups' },
  'access-groups-create': { method: 'POST', path: '/accounts/{account_id}/access/groups' },
  'access-groups-get': { method: 'GET', path: '/accounts/{account_id}/access/groups/{group_id}' },
  'access-groups-update': { method: 'PUT', path: '/accounts/{account_id}/access/groups/{group_id}' },
  'access-groups-delete': { method: 'DELETE', path: '/accounts/{account_id}/access/groups/{group_id}' },
  'access-policy-tests-list': { method: 'GET', path: '/accounts/{account_id}/access/policy-tests' },
  'access-policy-tests-start': { method: 'POST', path: '/accounts/{account_id}/access/policy-tests' },
  'access-policy-tests-get': { method: 'GET', path: '/accounts/{account_id}/access/policy-tests/{policy_test_id}' },
  'access-policy-tests-users': { method: 'GET', path: '/accounts/{account_id}/access/policy-tests/{policy_test_id}/users' },
  'access-policy-tests-user': { method: 'GET', path: '/accounts/{account_id}/access/policy-tests/{policy_test_id}/users/{user_id}' },
  'access-evaluate': { method: 'POST', path: '/accounts/{account_id}/access/evaluate' },
  'access-short-lived-certificate-c-as-list-short-lived-certificate-c-as': { method: 'GET', path: '/accounts/{account_id}/access/apps/ca' },
  'access-short-lived-certificate-c-as-get-a-short-lived-certificate-ca': { method: 'GET', path: '/accounts/{account_id}/access/apps/{app_id}/ca' },
  'access-short-lived-certificate-c-as-create-a-short-lived-certificate-ca': { method: 'POST', path: '/accounts/{account_id}/access/apps/{app_id}/ca' },
  'access-short-lived-certificate-c-as-delete-a-short-lived-certificate-ca': { method: 'DELETE', path: '/accounts/{account_id}/access/apps/{app_id}/ca' },
  'access-apps-list': { method: 'GET', path: '/accounts/{account_id}/access/apps' },
  'access-apps-create': { method: 'POST', path: '/accounts/{account_id}/access/apps' },
  'access-apps-get': { method: 'GET', path: '/accounts/{account_id}/access/apps/{app_id}' },
  'access-apps-update': { method: 'PUT', path: '/accounts/{account_id}/access/apps/{app_id}' },
  'access-apps-delete': { method: 'DELETE', path: '/accounts/{account_id}/access/apps/{app_id}' },
  'access-applications-revoke-service-tokens': { method: 'POST', path: '/accounts/{account_id}/access/apps/{app_id}/revoke_tokens' },
  'access-applications-put-update-access-application-settings': { method: 'PUT', path: '/accounts/{account_id}/access/apps/{app_id}/settings' },
  'access-applications-patch-update-access-application-settings': { method: 'PATCH', path: '/accounts/{account_id}/access/apps/{app_id}/settings' },
  'access-app-policies-list': { method: 'GET', path: '/accounts/{account_id}/access/apps/{app_id}/policies' },
  'access-app-policies-create': { method: 'POST', path: '/accounts/{account_id}/access/apps/{app_id}/policies' },
  'access-app-policies-get': { method: 'GET', path: '/accounts/{account_id}/access/apps/{app_id}/policies/{policy_id}' },
  'access-app-policies-update': { method: 'PUT', path: '/accounts/{account_id}/access/apps/{app_id}/policies/{policy_id}' },
  'access-app-policies-delete': { method: 'DELETE', path: '/accounts/{account_id}/access/apps/{app_id}/policies/{policy_id}' },
  'access-app-policies-make-reusable': { method: 'PUT', path: '/accounts/{account_id}/access/apps/{app_id}/policies/{policy_id}/make_reusable' },
  'access-apps-user-policy-checks': { method: 'GET', path: '/accounts/{account_id}/access/apps/{app_id}/user_policy_checks' },
  'access-users-list': { method: 'GET', path: '/accounts/{account_id}/access/users' },
  'access-users-create': { method: 'POST', path: '/accounts/{account_id}/access/users' },
  'access-users-get': { method: 'GET', path: '/accounts/{account_id}/access/users/{user_id}' },
  'access-users-update': { method: 'PUT', path: '/accounts/{account_id}/access/users/{user_id}' },
  'access-users-delete': { method: 'DELETE', path: '/accounts/{account_id}/access/users/{user_id}' },
  'access-users-identities': { method: 'GET', path: '/accounts/{account_id}/access/users/identities' },
  'access-users-last-seen-identity-get': { method: 'GET', path: '/accounts/{account_id}/access/users/{user_id}/last_seen_identity' },
  'access-users-last-seen-identity-set': { method: 'PUT', path: '/accounts/{account_id}/access/users/{user_id}/last_seen_identity' },
  'access-users-import': { method: 'POST', path: '/accounts/{account_id}/access/users/import' },
  'zero-trust-seats-update-a-user-seat': { method: 'PATCH', path: '/accounts/{account_id}/access/seats' },
  'zero-trust-users-get-active-sessions': { method: 'GET', path: '/accounts/{account_id}/access/users/{user_id}/active_sessions' },
  'zero-trust-users-get-active-session': { method: 'GET', path: '/accounts/{account_id}/access/users/{user_id}/active_sessions/{nonce}' },
  'zero-trust-users-get-failed-logins': { method: 'GET', path: '/accounts/{account_id}/access/users/{user_id}/failed_logins' },
  'access-key-configuration-get-the-access-key-configuration': { method: 'GET', path: '/accounts/{account_id}/access/keys' },
  'access-key-configuration-update-the-access-key-configuration': { method: 'PUT', path: '/accounts/{account_id}/access/keys' },
  'access-key-configuration-rotate-access-keys': { method: 'POST', path: '/accounts/{account_id}/access/keys/rotate' },
  'zero-trust-organization-get-your-zero-trust-organization': { method: 'GET', path: '/accounts/{account_id}/access/organizations' },
  'zero-trust-organization-create-your-zero-trust-organization': { method: 'POST', path: '/accounts/{account_id}/access/organizations' },
  'zero-trust-organization-update-your-zero-trust-organization': { method: 'PUT', path: '/accounts/{account_id}/access/organizations' },
  'zero-trust-organization-revoke-all-access-tokens-for-a-user': { method: 'POST', path: '/accounts/{account_id}/access/organizations/revoke_user' },
  'access-authentication-logs-get-access-authentication-logs': { method: 'GET', path: '/accounts/{account_id}/access/logs/access_requests' },
  'access-scim-update-logs-list-access-scim-update-logs': { method: 'GET', path: '/accounts/{account_id}/access/logs/scim/updates' },
  'gateway-lists-list': { method: 'GET', path: '/accounts/{account_id}/gateway/lists' },
  'gateway-lists-create': { method: 'POST', path: '/accounts/{account_id}/gateway/lists' },
  'gateway-lists-get': { method: 'GET', path: '/accounts/{account_id}/gateway/lists/{list_id}' },
  'gateway-lists-update': { method: 'PUT', path: '/accounts/{account_id}/gateway/lists/{list_id}' },
  'gateway-lists-patch': { method: 'PATCH', path: '/accounts/{account_id}/gateway/lists/{list_id}' },
  'gateway-lists-delete': { method: 'DELETE', path: '/accounts/{account_id}/gateway/lists/{list_id}' },
  'gateway-list-items-list': { method: 'GET', path: '/accounts/{account_id}/gateway/lists/{list_id}/items' },
  'access-identity-providers-list': { method: 'GET', path: '/accounts/{account_id}/access/identity_providers' },
  'access-identity-providers-create': { method: 'POST', path: '/accounts/{account_id}/access/identity_providers' },
  'access-identity-providers-get': { method: 'GET', path: '/accounts/{account_id}/access/identity_providers/{identity_provider_id}' },
  'access-identity-providers-update': { method: 'PUT', path: '/accounts/{account_id}/access/identity_providers/{identity_provider_id}' },
  'access-identity-providers-delete': { method: 'DELETE', path: '/accounts/{account_id}/access/identity_providers/{identity_provider_id}' },
  'access-identity-providers-refresh-scim-secret': { method: 'POST', path: '/accounts/{account_id}/access/identity_providers/{identity_provider_id}/refresh_scim_secret' },
  'access-identity-providers-list-scim-user-resources': { method: 'GET', path: '/accounts/{account_id}/access/identity_providers/{identity_provider_id}/scim/users' },
  'access-identity-providers-list-scim-group-resources': { method: 'GET', path: '/accounts/{account_id}/access/identity_providers/{identity_provider_id}/scim/groups' },
  'access-service-tokens-list': { method: 'GET', path: '/accounts/{account_id}/access/service_tokens' },
  'access-service-tokens-create': { method: 'POST', path: '/accounts/{account_id}/access/service_tokens' },
  'access-service-tokens-get': { method: 'GET', path: '/accounts/{account_id}/access/service_tokens/{service_token_id}' },
  'access-service-tokens-update': { method: 'PUT', path: '/accounts/{account_id}/access/service_tokens/{service_token_id}' },
  'access-service-tokens-delete': { method: 'DELETE', path: '/accounts/{account_id}/access/service_tokens/{service_token_id}' },
  'access-service-tokens-rotate': { method: 'POST', path: '/accounts/{account_id}/access/service_tokens/{service_token_id}/rotate' },
  'access-service-tokens-refresh': { method: 'POST', path: '/accounts/{account_id}/access/service_tokens/{service_token_id}/refresh' },
  'access-tags-list-tags': { method: 'GET', path: '/accounts/{account_id}/access/tags' },
  'access-tags-get-a-tag': { method: 'GET', path: '/accounts/{account_id}/access/tags/{tag_name}' },
  'access-tags-create-tag': { method: 'POST', path: '/accounts/{account_id}/access/tags' },
  'access-tags-update-a-tag': { method: 'PUT', path: '/accounts/{account_id}/access/tags/{tag_name}' },
  'access-tags-delete-a-tag': { method: 'DELETE', path: '/accounts/{account_id}/access/tags/{tag_name}' },
  'access-custom-pages-list-custom-pages': { method: 'GET', path: '/accounts/{account_id}/access/custom_pages' },
  'access-custom-pages-get-a-custom-page': { method: 'GET', path: '/accounts/{account_id}/access/custom_pages/{custom_page_id}' },
  'access-custom-pages-create-a-custom-page': { method: 'POST', path: '/accounts/{account_id}/access/custom_pages' },
  'access-custom-pages-update-a-custom-page': { method: 'PUT', path: '/accounts/{account_id}/access/custom_pages/{custom_page_id}' },
  'access-custom-pages-delete-a-custom-page': { method: 'DELETE', path: '/accounts/{account_id}/access/custom_pages/{custom_page_id}' },
  'access-mtls-authentication-list-mtls-certificates-hostname-settings': { method: 'GET', path: '/accounts/{account_id}/access/certificates/settings' },
  'access-mtls-authentication-update-an-mtls-certificate-settings': { method: 'PUT', path: '/accounts/{account_id}/access/certificates/settings' },
  'access-certificates-list': { method: 'GET', path: '/accounts/{account_id}/access/certificates' },
  'access-certificates-create': { method: 'POST', path: '/accounts/{account_id}/access/certificates' },
  'access-certificates-get': { method: 'GET', path: '/accounts/{account_id}/access/certificates/{certificate_id}' },
  'access-certificates-update': { method: 'PUT', path: '/accounts/{account_id}/access/certificates/{certificate_id}' },
  'access-certificates-delete': { method: 'DELETE', path: '/accounts/{account_id}/access/certificates/{certificate_id}' },
  'device-posture-rules-list': { method: 'GET', path: '/accounts/{account_id}/devices/posture' },
  'device-posture-rules-create': { method: 'POST', path: '/accounts/{account_id}/devices/posture' },
  'device-posture-rules-get': { method: 'GET', path: '/accounts/{account_id}/devices/posture/{rule_id}' },
  'device-posture-rules-update': { method: 'PUT', path: '/accounts/{account_id}/devices/posture/{rule_id}' },
  'device-posture-rules-delete': { method: 'DELETE', path: '/accounts/{account_id}/devices/posture/{rule_id}' },
  'user-tokens-permission-groups': { method: 'GET', path: '/user/tokens/permission_groups' },
  'user-tokens-verify': { method: 'GET', path: '/user/tokens/verify' },
  'user-tokens-list': { method: 'GET', path: '/user/tokens' },
  'user-tokens-create': { method: 'POST', path: '/user/tokens' },
  'user-tokens-get': { method: 'GET', path: '/user/tokens/{token_id}' },
  'user-tokens-update': { method: 'PUT', path: '/user/tokens/{token_id}' },
  'user-tokens-delete': { method: 'DELETE', path: '/user/tokens/{token_id}' },
  'user-tokens-roll': { method: 'PUT', path: '/user/tokens/{token_id}/value' },
  'audit-logs-list': { method: 'GET', path: '/accounts/{account_id}/audit_logs' },
  'user-audit-logs-list': { method: 'GET', path: '/user/audit_logs' },
} as const satisfies { readonly [K in OperationId]: { readonly method: Operations[K]['method']; readonly path: Operations[K]['path'] } };

/** How the dashboard edits a config field of an identity provider. */
export type IdentityProviderField =
  | { readonly name: string; readonly kind: 'text' | 'secret' | 'lines' | 'json'; readonly description?: string }
  | { readonly name: string; readonly kind: 'boolean'; readonly default?: boolean; readonly description?: string }
  | { readonly name: string; readonly kind: 'select'; readonly options: readonly string[]; readonly description?: string }
  | { readonly name: string; readonly kind: 'pairs'; readonly keys: readonly string[]; readonly description?: string };

/** The config fields of each identity provider type (src/schema/identity-providers.ts); config takes others too. */
export const IDENTITY_PROVIDER_FIELDS: { readonly [T in IdentityProvider['type']]: readonly IdentityProviderField[] } = {
  'onetimepin': [],
  'azureAD': [
    { name: 'client_id', kind: 'text', description: 'The OAuth client id.' },
    { name: 'client_secret', kind: 'secret', description: 'The OAuth client secret. Write-only: stored sealed, never returned.' },
    { name: 'claims', kind: 'lines', description: 'Extra claims of the id token to keep in the identity (for oidc rules) and add to the application token as custom claims.' },
    { name: 'email_claim_name', kind: 'text', description: 'The id token claim that holds the email address.' },
    { name: 'directory_id', kind: 'text', description: 'The Azure directory (tenant) id.' },
    { name: 'conditional_access_enabled', kind: 'boolean', description: 'Load authentication contexts (for auth_context rules).' },
    { name: 'support_groups', kind: 'boolean', description: 'Load the user\'s Azure groups (for azureAD rules).' },
    { name: 'prompt', kind: 'select', options: ['login', 'select_account', 'none'], description: 'The interaction Azure asks of the user.' },
  ],
  'saml': [
    { name: 'issuer_url', kind: 'text', description: 'The IdP entity id or issuer URL.' },
    { name: 'sso_target_url', kind: 'text', description: 'Where SAML authentication requests are sent.' },
    { name: 'idp_public_certs', kind: 'lines', description: 'X.509 certificates that verify the signed SAML response.' },
    { name: 'email_attribute_name', kind: 'text', description: 'The SAML attribute that holds the email address.' },
    { name: 'attributes', kind: 'lines', description: 'SAML attributes to keep in the identity (for saml rules) and add to the application token as custom claims.' },
    { name: 'header_attributes', kind: 'pairs', keys: ['attribute_name', 'header_name'], description: 'Attributes passed to the origin as request headers.' },
    { name: 'sign_request', kind: 'boolean', description: 'Sign the SAML authentication request.' },
  ],
  'centrify': [
    { name: 'client_id', kind: 'text', description: 'The OAuth client id.' },
    { name: 'client_secret', kind: 'secret', description: 'The OAuth client secret. Write-only: stored sealed, never returned.' },
    { name: 'claims', kind: 'lines', description: 'Extra claims of the id token to keep in the identity (for oidc rules) and add to the application token as custom claims.' },
    { name: 'email_claim_name', kind: 'text', description: 'The id token claim that holds the email address.' },
    { name: 'centrify_account', kind: 'text', description: 'The Centrify account URL.' },
    { name: 'centrify_app_id', kind: 'text', description: 'The Centrify application id.' },
  ],
  'facebook': [
    { name: 'client_id', kind: 'text', description: 'The OAuth client id.' },
    { name: 'client_secret', kind: 'secret', description: 'The OAuth client secret. Write-only: stored sealed, never returned.' },
  ],
  'github': [
    { name: 'client_id', kind: 'text', description: 'The OAuth client id.' },
    { name: 'client_secret', kind: 'secret', description: 'The OAuth client secret. Write-only: stored sealed, never returned.' },
  ],
  'google-apps': [
    { name: 'client_id', kind: 'text', description: 'The OAuth client id.' },
    { name: 'client_secret', kind: 'secret', description: 'The OAuth client secret. Write-only: stored sealed, never returned.' },
    { name: 'claims', kind: 'lines', description: 'Extra claims of the id token to keep in the identity (for oidc rules) and add to the application token as custom claims.' },
    { name: 'email_claim_name', kind: 'text', description: 'The id token claim that holds the email address.' },
    { name: 'apps_domain', kind: 'text', description: 'The Google Workspace domain.' },
  ],
  'google': [
    { name: 'client_id', kind: 'text', description: 'The OAuth client id.' },
    { name: 'client_secret', kind: 'secret', description: 'The OAuth client secret. Write-only: stored sealed, never returned.' },
    { name: 'claims', kind: 'lines', description: 'Extra claims of the id token to keep in the identity (for oidc rules) and add to the application token as custom claims.' },
    { name: 'email_claim_name', kind: 'text', description: 'The id token claim that holds the email address.' },
  ],
  'linkedin': [
    { name: 'client_id', kind: 'text', description: 'The OAuth client id.' },
    { name: 'client_secret', kind: 'secret', description: 'The OAuth client secret. Write-only: stored sealed, never returned.' },
  ],
  'oidc': [
    { name: 'client_id', kind: 'text', description: 'The OAuth client id.' },
    { name: 'client_secret', kind: 'secret', description: 'The OAuth client secret. Write-only: stored sealed, never returned.' },
    { name: 'claims', kind: 'lines', description: 'Extra claims of the id token to keep in the identity (for oidc rules) and add to the application token as custom claims.' },
    { name: 'email_claim_name', kind: 'text', description: 'The id token claim that holds the email address.' },
    { name: 'auth_url', kind: 'text', description: 'The authorization endpoint.' },
    { name: 'token_url', kind: 'text', description: 'The token endpoint.' },
    { name: 'certs_url', kind: 'text', description: 'The JWKS endpoint.' },
    { name: 'scopes', kind: 'lines', description: 'OAuth scopes to request.' },
    { name: 'pkce_enabled', kind: 'boolean', default: true, description: 'Use PKCE in the authorization code flow (portcullis: on unless set to false).' },
    { name: 'issuer_url', kind: 'text', description: 'Extension: the provider\'s issuer, checked against the ID token\'s iss (default: the origin of auth_url); alone, its discovery document supplies the three URLs.' },
  ],
  'okta': [
    { name: 'client_id', kind: 'text', description: 'The OAuth client id.' },
    { name: 'client_secret', kind: 'secret', description: 'The OAuth client secret. Write-only: stored sealed, never returned.' },
    { name: 'claims', kind: 'lines', description: 'Extra claims of the id token to keep in the identity (for oidc rules) and add to the application token as custom claims.' },
    { name: 'email_claim_name', kind: 'text', description: 'The id token claim that holds the email address.' },
    { name: 'okta_account', kind: 'text', description: 'The Okta account URL.' },
    { name: 'authorization_server_id', kind: 'text', description: 'The Okta authorization server id.' },
  ],
  'onelogin': [
    { name: 'client_id', kind: 'text', description: 'The OAuth client id.' },
    { name: 'client_secret', kind: 'secret', description: 'The OAuth client secret. Write-only: stored sealed, never returned.' },
    { name: 'claims', kind: 'lines', description: 'Extra claims of the id token to keep in the identity (for oidc rules) and add to the application token as custom claims.' },
    { name: 'email_claim_name', kind: 'text', description: 'The id token claim that holds the email address.' },
    { name: 'onelogin_account', kind: 'text', description: 'The OneLogin account URL.' },
  ],
  'pingone': [
    { name: 'client_id', kind: 'text', description: 'The OAuth client id.' },
    { name: 'client_secret', kind: 'secret', description: 'The OAuth client secret. Write-only: stored sealed, never returned.' },
    { name: 'claims', kind: 'lines', description: 'Extra claims of the id token to keep in the identity (for oidc rules) and add to the application token as custom claims.' },
    { name: 'email_claim_name', kind: 'text', description: 'The id token claim that holds the email address.' },
    { name: 'ping_env_id', kind: 'text', description: 'The PingOne environment id.' },
  ],
  'yandex': [
    { name: 'client_id', kind: 'text', description: 'The OAuth client id.' },
    { name: 'client_secret', kind: 'secret', description: 'The OAuth client secret. Write-only: stored sealed, never returned.' },
  ],
  'cloudflare': [],
};

/** The SCIM settings of an identity provider (scim_config). */
export const SCIM_CONFIG_FIELDS: readonly IdentityProviderField[] = [
  { name: 'enabled', kind: 'boolean', description: 'SCIM provisioning from this identity provider is on (docs/identity-providers.md "SCIM provisioning").' },
  { name: 'user_deprovision', kind: 'boolean', description: 'End a user\'s sessions when the identity provider deactivates or deletes them.' },
  { name: 'seat_deprovision', kind: 'boolean', description: 'Also remove the user from the directory (their Zero Trust seat); needs user_deprovision.' },
  { name: 'group_member_deprovision', kind: 'boolean', description: 'End a user\'s sessions when their group membership changes; a group they leave leaves their identity at once.' },
  { name: 'identity_update_behavior', kind: 'select', options: ['automatic', 'reauth', 'no_action'], description: 'How a SCIM change reaches the identity of a user who has logged in: automatic (written into it), reauth (sessions end on a group change; the next login brings it), no_action (the default: left alone).' },
];

/** The identity provider types this server signs in with (src/access/login/routes.ts); the others are stored only. */
export const SIGN_IN_TYPES: readonly IdentityProvider['type'][] = ['oidc', 'okta', 'azureAD', 'google', 'google-apps', 'onelogin', 'pingone', 'centrify', 'saml', 'onetimepin'];
