// Where each OpenID Connect identity provider type of Cloudflare's identity_providers API lives:
// the issuer its config fields name (docs/identity-providers.md "Provider types"). One table, so
// the docs and the tests read the same mapping the logins use.

export interface OidcServer {
  /** The issuer the ID token must name. */
  readonly issuer: string;
  /** Endpoints given in the config; absent: discovered from the issuer's /.well-known/openid-configuration. */
  readonly endpoints?: { readonly authorization: string; readonly token: string; readonly jwks: string };
}

type Config = Readonly<Record<string, unknown>>;

const text = (config: Config, field: string): string | undefined => (typeof config[field] === 'string' && (config[field] as string).trim() !== '' ? (config[field] as string).trim() : undefined);

/** An account URL as Cloudflare's forms take it ("dev-1.okta.com" or a full URL), without a trailing slash. */
export function accountUrl(value: string): string {
  const trimmed = value.replace(/\/+$/, '');
  return /^https?:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
}

export interface IssuerRule {
  /** The config fields it needs. */
  readonly needs: readonly string[];
  /** What the docs say about it. */
  readonly issuer: string;
  server(config: Config): OidcServer;
}

export const OIDC_ISSUERS: Readonly<Record<string, IssuerRule>> = {
  oidc: {
    needs: ['client_id', 'auth_url', 'token_url', 'certs_url'],
    issuer: '`issuer_url` when set (then its discovery document may stand in for the three URLs), else the origin of `auth_url`',
    server(config) {
      const issuer = text(config, 'issuer_url');
      const [authorization, token, jwks] = [text(config, 'auth_url'), text(config, 'token_url'), text(config, 'certs_url')];
      if (authorization !== undefined && token !== undefined && jwks !== undefined) return { issuer: issuer?.replace(/\/+$/, '') ?? new URL(authorization).origin, endpoints: { authorization, token, jwks } };
      if (issuer !== undefined) return { issuer: issuer.replace(/\/+$/, '') };
      throw new Error('needs auth_url, token_url and certs_url (or issuer_url)');
    },
  },
  okta: {
    needs: ['client_id', 'okta_account'],
    issuer: '`okta_account`, or `okta_account/oauth2/authorization_server_id` when a custom authorization server is named',
    server(config) {
      const server = text(config, 'authorization_server_id');
      return { issuer: `${accountUrl(text(config, 'okta_account')!)}${server === undefined ? '' : `/oauth2/${encodeURIComponent(server)}`}` };
    },
  },
  azureAD: {
    needs: ['client_id', 'directory_id'],
    issuer: '`https://login.microsoftonline.com/<directory_id>/v2.0`',
    server: (config) => ({ issuer: `https://login.microsoftonline.com/${encodeURIComponent(text(config, 'directory_id')!)}/v2.0` }),
  },
  google: {
    needs: ['client_id'],
    issuer: '`https://accounts.google.com`',
    server: () => ({ issuer: 'https://accounts.google.com' }),
  },
  'google-apps': {
    needs: ['client_id', 'apps_domain'],
    issuer: '`https://accounts.google.com`, and the ID token\'s `hd` must be `apps_domain`',
    server: () => ({ issuer: 'https://accounts.google.com' }),
  },
  onelogin: {
    needs: ['client_id', 'onelogin_account'],
    issuer: '`onelogin_account/oidc/2`',
    server: (config) => ({ issuer: `${accountUrl(text(config, 'onelogin_account')!)}/oidc/2` }),
  },
  pingone: {
    needs: ['client_id', 'ping_env_id'],
    issuer: '`https://auth.pingone.com/<ping_env_id>/as`',
    server: (config) => ({ issuer: `https://auth.pingone.com/${encodeURIComponent(text(config, 'ping_env_id')!)}/as` }),
  },
  centrify: {
    needs: ['client_id', 'centrify_account', 'centrify_app_id'],
    issuer: '`centrify_account/centrify_app_id`',
    server: (config) => ({ issuer: `${accountUrl(text(config, 'centrify_account')!)}/${encodeURIComponent(text(config, 'centrify_app_id')!)}` }),
  },
};

/** The OpenID provider an identity provider's config names, or why it names none. */
export function oidcServer(type: string, config: Config): OidcServer | { readonly error: string } {
  const rule = OIDC_ISSUERS[type];
  if (rule === undefined) return { error: `identity providers of type ${type} do not sign in with OpenID Connect` };
  const missing = rule.needs.filter((field) => text(config, field) === undefined);
  if (missing.length > 0 && !(type === 'oidc' && text(config, 'client_id') !== undefined && text(config, 'issuer_url') !== undefined)) {
    return { error: `the ${type} identity provider's config lacks ${missing.join(', ')}` };
  }
  try {
    return rule.server(config);
  } catch (err) {
    return { error: `the ${type} identity provider's config is unusable: ${(err as Error).message}` };
  }
}
