// JSON Schemas of Access applications. Cloudflare's application types share most fields; the
// known ones are typed, and further fields (newer application types) are kept as sent.

import { CORS_HEADERS } from './cors.js';
import { APP_POLICY_RESPONSE } from './policies.js';
import { anyObject, anyOf, arr, bool, enumOf, nullable, obj, str, type Static } from './json-schema.js';

export const APP_TYPES = [
  'self_hosted',
  'saas',
  'ssh',
  'vnc',
  'app_launcher',
  'warp',
  'biso',
  'bookmark',
  'dash_sso',
  'infrastructure',
  'rdp',
  'mcp',
  'mcp_portal',
  'proxy_endpoint',
] as const;

export type AppType = (typeof APP_TYPES)[number];

const SESSION_APP_DEFAULTS = { app_launcher_visible: true, auto_redirect_to_identity: false, enable_binding_cookie: false, http_only_cookie_attribute: true, path_cookie_attribute: false } as const;
const LAUNCHER_LIKE_DEFAULTS = { auto_redirect_to_identity: false, skip_app_launcher_login_page: false } as const;

/**
 * What Cloudflare's API answers for settings an application of each type leaves out (its
 * documented defaults); the enforcement point applies the same (docs/enforcement.md).
 */
export const APP_DEFAULTS: Readonly<Partial<Record<AppType, Readonly<Record<string, unknown>>>>> = {
  self_hosted: SESSION_APP_DEFAULTS,
  ssh: SESSION_APP_DEFAULTS,
  vnc: SESSION_APP_DEFAULTS,
  // A browser-rendered RDP application is a self-hosted one with targets (its domain is a host Access protects).
  rdp: SESSION_APP_DEFAULTS,
  saas: { app_launcher_visible: true, auto_redirect_to_identity: false },
  bookmark: { app_launcher_visible: true },
  app_launcher: LAUNCHER_LIKE_DEFAULTS,
  warp: LAUNCHER_LIKE_DEFAULTS,
  biso: LAUNCHER_LIKE_DEFAULTS,
};

// Types with a session of their own, in a module of its own for the dashboard to bundle.
export { SESSION_APP_TYPES } from './session-app-types.js';

/**
 * Types whose `domain`, `destinations` and `self_hosted_domains` name hosts Access protects.
 * Others carry none: the App Launcher, WARP enrollment and Browser Isolation live on the team
 * (auth) domain, SaaS and dash_sso applications sign in elsewhere, infrastructure ones secure
 * targets, a bookmark's domain is a link, and a proxy endpoint's is Gateway's. Whatever such an
 * application sends as its domain covers nothing at the enforcement point, so it cannot take a
 * host from the applications that protect it. (src/access/proxy-config.ts, which imports
 * nothing, spells the list again; a test keeps the two alike.)
 */
export const HOST_APP_TYPES: ReadonlySet<string> = new Set(['self_hosted', 'ssh', 'vnc', 'rdp', 'mcp', 'mcp_portal']);

/** Types whose requests must name the domain Access protects. */
export const DOMAIN_REQUIRED_TYPES: ReadonlySet<AppType> = new Set(['self_hosted', 'ssh', 'vnc', 'rdp']);

/**
 * Why `text`, a destination an application names for Access to protect (its `domain`, an entry of
 * `self_hosted_domains`, a public destination's `uri`), could never match a request, or undefined
 * when it can: a hostname (an optional http:// or https:// before it is dropped) and an optional
 * path, as Cloudflare's "Application paths" describes them. Cloudflare's paths take no port
 * number, query string or anchor, and at most one `*` between two dots of the hostname or two
 * slashes of the path; a request is matched by its hostname without a port, so a destination
 * with one would protect nothing.
 */
export function destinationProblem(text: string): string | undefined {
  const trimmed = text.trim().replace(/^https?:\/\//i, '');
  if (/\s/.test(trimmed)) return 'has white space in it';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) return 'names a scheme other than http:// or https://, the only ones Access protects';
  if (/[?#]/.test(trimmed)) return 'has a query string or an anchor (#): Access matches requests by hostname and path only';
  const slash = trimmed.indexOf('/');
  const host = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const path = slash < 0 ? '' : trimmed.slice(slash);
  if (host === '') return 'names no hostname (a destination is a hostname, optionally followed by a path)';
  if (host.includes(':')) return 'has a port number: Access matches a request by its hostname without the port, so name the hostname alone';
  if (!/^[a-z0-9*_-]+(\.[a-z0-9*_-]+)*$/i.test(host)) return `has a hostname, ${JSON.stringify(host)}, that is not letters, digits, hyphens and * in labels between single dots`;
  if (host.split('.').some((label) => label.split('*').length > 2)) return 'has more than one * between two dots of the hostname';
  if (path.split('/').some((segment) => segment.split('*').length > 2)) return 'has more than one * between two slashes of the path';
  return undefined;
}

/** Types whose requests must name the targets they secure (`target_criteria`), as Cloudflare's API requires. */
export const TARGET_REQUIRED_TYPES: ReadonlySet<AppType> = new Set(['infrastructure', 'rdp']);

/**
 * What is wrong with an application's `target_criteria` (by pointer below it), as Cloudflare's
 * API types it: a list of objects, each with the `port` (1-65535) and `protocol` of its targets.
 */
export function targetCriteriaProblems(criteria: unknown): { pointer: string; message: string }[] {
  if (!Array.isArray(criteria)) return [{ pointer: '', message: 'target_criteria must be a list of {"port", "protocol", ...} objects.' }];
  if (criteria.length === 0) return [{ pointer: '', message: 'target_criteria needs at least one criterion: the port and protocol of the targets the application secures.' }];
  const problems: { pointer: string; message: string }[] = [];
  criteria.forEach((criterion: unknown, i) => {
    if (typeof criterion !== 'object' || criterion === null || Array.isArray(criterion)) {
      problems.push({ pointer: `/${i}`, message: 'A target criterion is an object with "port" and "protocol".' });
      return;
    }
    const { port, protocol } = criterion as { port?: unknown; protocol?: unknown };
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) problems.push({ pointer: `/${i}/port`, message: 'The targets\' port is a whole number from 1 to 65535.' });
    if (typeof protocol !== 'string' || protocol === '') problems.push({ pointer: `/${i}/protocol`, message: 'The protocol the application secures on that port (such as "SSH" or "RDP") is required.' });
  });
  return problems;
}

/**
 * An entry of an application's `policies`. Its three shapes are told apart and checked by the
 * handler (inline policies by the policy engine, with its codes and pointers).
 */
export const APP_POLICY_ENTRY = anyOf(
  [str({ minLength: 1 }), anyObject()],
  'A reusable policy id; a link {"id", "precedence"} to a reusable or this application\'s policy; or an inline application-scoped policy (name, decision, include, ... and an optional precedence).',
);

const common = {
  name: str({ maxLength: 4096, description: 'The application name.' }),
  type: enumOf(APP_TYPES, 'The application type.'),
  domain: str({ description: 'The primary hostname (and path) Access protects.' }),
  self_hosted_domains: arr(str()),
  allowed_idps: arr(str(), { description: 'Identity provider ids users may log in with (all when empty).' }),
  session_duration: str({ description: 'Session length as a Go duration.', default: '24h' }),
  app_launcher_visible: bool(),
  auto_redirect_to_identity: bool(),
  allow_authenticate_via_warp: bool(),
  enable_binding_cookie: bool(),
  http_only_cookie_attribute: bool(),
  path_cookie_attribute: bool(),
  options_preflight_bypass: bool('Lets CORS preflight requests (OPTIONS with Origin and Access-Control-Request-Method) through to the origin without authentication. Cannot be turned on while cors_headers is set.'),
  service_auth_401_redirect: bool(),
  read_service_tokens_from_header: nullable(
    str({
      description:
        'A self-hosted application: the one request header (such as "Authorization") in which a service token may come, its value a JSON object {"cf-access-client-id": ..., "cf-access-client-secret": ...}, for callers that can send a single custom header. An HTTP header name, case-insensitive; not cookie, host, the CF-Access-Client-Id/-Secret or Cf-Access-Token headers, nor a hop-by-hop header. Empty or null reads none. The pair of CF-Access-Client-* headers still works, and wins when both come.',
    }),
  ),
  skip_interstitial: bool('Stored and returned; changes nothing at the enforcement point (there is no interstitial page).'),
  allow_iframe: bool("Stored and returned; changes nothing at the enforcement point: the application's pages come from its origin, and Access's own pages are never shown in a frame."),
  skip_app_launcher_login_page: bool(),
  same_site_cookie_attribute: str(),
  custom_deny_message: str(),
  custom_deny_url: str(),
  custom_non_identity_deny_url: str(),
  custom_pages: arr(str()),
  logo_url: str(),
  app_launcher_logo_url: str(),
  bg_color: str(),
  header_bg_color: str(),
  footer_links: arr(anyObject()),
  landing_page_design: anyObject(),
  cors_headers: CORS_HEADERS,
  saas_app: anyObject(
    'Settings of a SaaS application. With auth_type "oidc", client_id and client_secret are made by the server (values sent are ignored) and kept for the application; client_secret is shown in the answer that makes it only (the create). Its client_secret, and any field named like a credential, is stored sealed and never returned otherwise.',
  ),
  scim_config: anyObject('SCIM provisioning to the application. The credentials under authentication (password, token, client_secret) are stored sealed and never returned.'),
  tags: arr(str()),
};

export const APP_REQUEST = obj(
  { ...common, policies: arr(APP_POLICY_ENTRY, { description: 'The policies Access applies, by ascending precedence.' }) },
  { required: ['type'], additional: true, description: 'An Access application. Fields beyond those listed are kept as sent.' },
);

export const APP_RESPONSE = obj(
  {
    id: str(),
    aud: str({ description: 'The application audience tag.' }),
    ...common,
    policies: arr(APP_POLICY_RESPONSE, { description: 'Every policy of the application, reusable and application-scoped, by precedence.' }),
    created_at: str({ format: 'date-time' }),
    updated_at: str({ format: 'date-time' }),
  },
  { required: ['id', 'aud', 'type', 'policies', 'created_at', 'updated_at'], additional: true },
);

export type AppRequest = Static<typeof APP_REQUEST>;
