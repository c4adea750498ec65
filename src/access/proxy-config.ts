// Reverse-proxy configurations that put portcullis in front of an application
// (docs/enforcement.md): the nginx server block and the Caddy site the end-to-end tests run, and
// a Traefik configuration, generated for one application. `portcullis proxy-config` prints them
// and the dashboard's "Protect it" page shows them, both through proxyConfigFile. This module is
// pure (it imports nothing), so the dashboard bundles it as it is (test/architecture.test.ts).

export const PROXIES = ['nginx', 'caddy', 'traefik'] as const;
export type ProxyName = (typeof PROXIES)[number];

/** host:port, as the proxy reaches portcullis or the application (e.g. 127.0.0.1:3000). */
export const HOST_PORT = /^[^\s/]+:\d+$/;

export interface ProxyTarget {
  /** host:port of portcullis. */
  readonly portcullis: string;
  /** host:port of the protected upstream. */
  readonly upstream: string;
  /** More headers of portcullis's answer to pass upstream: the SAML providers' header_attributes (docs/identity-providers.md). */
  readonly headers?: readonly string[];
}

/** An answer header as an nginx variable: $upstream_http_<name in lower case, "-" as "_">. */
const nginxVariable = (header: string): string => header.toLowerCase().replace(/-/g, '_');

/** The headers of portcullis's answer to a CORS preflight it answers itself (docs/enforcement.md "CORS"). */
export const PREFLIGHT_HEADERS = ['Access-Control-Allow-Origin', 'Access-Control-Allow-Credentials', 'Access-Control-Allow-Methods', 'Access-Control-Allow-Headers', 'Access-Control-Max-Age', 'Vary'] as const;
/** The nginx variable one of them is read into: $preflight_allow_origin, ..., $preflight_vary. */
const preflightVariable = (header: string): string => `$preflight_${nginxVariable(header.replace(/^Access-Control-/, ''))}`;
const NGINX_PREFLIGHT_READ =
  '\n      auth_request_set $preflight $upstream_http_x_access_preflight;' + PREFLIGHT_HEADERS.map((h) => `\n      auth_request_set ${preflightVariable(h)} $upstream_http_${nginxVariable(h)};`).join('');
const NGINX_PREFLIGHT_ANSWER = PREFLIGHT_HEADERS.map((h) => `\n      add_header ${h} ${preflightVariable(h)};`).join('');

/**
 * The auth_request_set and proxy_set_header lines that pass the extra headers upstream. nginx
 * reads an answer's header as $upstream_http_<name in lower case, "-" as "_">; header names are
 * letters, digits and "-" (schema/saml-headers.ts), so each has one.
 */
function nginxExtraHeaders(headers: readonly string[]): { readonly read: string; readonly pass: string } {
  const read: string[] = [];
  const pass: string[] = [];
  for (const header of headers) {
    const variable = nginxVariable(header);
    read.push(`\n      auth_request_set $saml_${variable} $upstream_http_${variable};`);
    pass.push(`\n      proxy_set_header ${header} $saml_${variable};`);
  }
  return { read: read.join(''), pass: pass.join('') };
}

/** One CF_Binding cookie in a Cookie header (binding-cookie.ts); no cookie's value holds a `;`. */
const BINDING_PAIR = 'CF_Binding=[^;]*';

/**
 * A Cookie header without its first CF_Binding cookie: the cookies before it and those after it,
 * `$1$2` (nginx's PCRE). First, among others, last or alone, the separators stay right:
 * `a=1; CF_Binding=x; b=2` becomes `a=1; b=2`, `CF_Binding=x; a=1` becomes `a=1`.
 */
export const WITHOUT_BINDING_COOKIE = `^(.*?)(?:^${BINDING_PAIR}(?:; *)?|; *${BINDING_PAIR})(.*)$`;

/**
 * How many times the nginx server block takes the first CF_Binding out. A browser sends one per
 * path its session was set on that covers the request (nested destinations), a few at most;
 * nginx cannot repeat a replacement until nothing matches, so a header still holding one after
 * these is refused (HOLDS_BINDING_COOKIE) rather than passed on.
 */
export const NGINX_BINDING_STRIPS = 4;

/** A Cookie header that holds a CF_Binding cookie. */
export const HOLDS_BINDING_COOKIE = `(?:^|;) *CF_Binding=`;

/**
 * Every CF_Binding cookie in a Cookie header, for a replacement of every match by `$1` (Caddy's
 * header_up: Go's ReplaceAllString). Not by "": a Caddyfile reads an empty replacement as none,
 * and would set the header to the expression itself. CF_Bindings that end the header go with the
 * separator before them; any other run of them goes with the separators after it, and the one
 * before it is put back as `$1`: `a=1; CF_Binding=x; b=2; CF_Binding=y` becomes `a=1; b=2`,
 * `CF_Binding=x; CF_Binding=y; a=1` becomes `a=1`. (Go has no lookbehind, and a match cannot
 * reuse the `;` the previous one took: hence a whole run in one match.)
 */
export const EVERY_BINDING_COOKIE = `(?:^|; *)${BINDING_PAIR}(?:; *${BINDING_PAIR})*$|(^|; *)(?:${BINDING_PAIR}; *)+`;

/**
 * A Cookie header that holds CF_Binding cookies and nothing else, as Caddy's placeholder gives it
 * (its lines joined by `,`). header_up would pass such a header on emptied; the Caddy site removes
 * it instead, so that the upstream gets no Cookie header rather than an empty one.
 */
export const ONLY_BINDING_COOKIES = `^ *CF_Binding=[^;,]*(?:[;,] *CF_Binding=[^;,]*)*;? *$`;

/**
 * A regular expression for a hostname with `*`, as portcullis reads it (src/schema/destination-hosts.ts):
 * a label that is just `*` is one label, a `*` within a label any run of that label's characters.
 */
const hostPattern = (host: string): string => `^${hostLabelsPattern(host)}$`;

/** hostPattern without its anchors. */
const hostLabelsPattern = (host: string): string =>
  host
    .split('.')
    .map((label) => (label === '*' ? '[^.]+' : label.split('*').map((text) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^.]*')))
    .join('\\.');

/**
 * nginx's server_name for a hostname: as it is, including its own wildcards (`*.example.com`,
 * `www.example.*`, which nginx also matches on deeper names; portcullis then finds no
 * application for those); a `*` anywhere else as a regular expression.
 */
function nginxServerName(host: string): string {
  const stars = host.split('*').length - 1;
  if (stars === 0 || (stars === 1 && (host.startsWith('*.') || host.endsWith('.*')))) return host;
  return `~${hostPattern(host)}`;
}

/** One step of the nginx server block's CF_Binding stripping: the first one left goes. */
const NGINX_BINDING_STRIP = `
    if ($upstream_cookie ~ "${WITHOUT_BINDING_COOKIE}") {
      set $upstream_cookie $1$2;
    }`;

/**
 * What the nginx server block's `listen` may say: `[ADDRESS:]PORT`, an address alone, or
 * `unix:PATH`, then nginx's own parameters (`ssl`, `default_server`, `backlog=511`, ...). Nothing
 * that could end the directive or open another (`;`, braces, quotes, `#`, a line break).
 */
const NGINX_LISTEN = /^(?:(?:\[[0-9A-Fa-f:.]+\]|\*|[A-Za-z0-9.-]+):\d{1,5}|\d{1,5}|[A-Za-z0-9.-]+|unix:\/[A-Za-z0-9_./-]+)(?:[ \t]+[A-Za-z0-9_=.:/-]+)*$/;

/** The nginx server block for one protected host (as docs/enforcement.md shows it). */
export function nginxServerBlock(site: { readonly listen: string; readonly serverName: string }, target: ProxyTarget): string {
  const extra = nginxExtraHeaders(target.headers ?? []);
  return `
  server {
    listen ${site.listen};
    server_name ${nginxServerName(site.serverName)};
    # portcullis decides on the Host header, and nginx picked this block by the request line's
    # host when it names one ($host), or took a host no block names as its port's default: a
    # request for any other host than this block's, or whose Host disagrees, is refused, or the
    # application would serve what portcullis decided for another host.
    set $request_host "$host $http_host";
    if ($request_host !~* "^(${hostLabelsPattern(site.serverName)}) \\1\\.?(?::\\d+)?$") {
      return 421;
    }
    # CF_Binding (an application's binding cookie) is for portcullis alone: the upstream gets
    # every other cookie. A browser sends one for each path its session was set on that covers
    # the request; nginx takes out the first at a time, so ${NGINX_BINDING_STRIPS} times here, and location /
    # refuses a header that still holds one. (At server level, where if and set are safe.)
    set $upstream_cookie $http_cookie;${NGINX_BINDING_STRIP.repeat(NGINX_BINDING_STRIPS)}
    # Ask portcullis about every request; its answer's headers go upstream.
    location = /cdn-cgi/access/authorize-subrequest {
      internal;
      proxy_pass http://${target.portcullis}/cdn-cgi/access/authorize;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-Uri $request_uri;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Method $request_method;
      proxy_set_header X-Forwarded-For $remote_addr;
    }
    # Sign-in, identity and sign-out on the application's own host.
    location /cdn-cgi/access/ {${nginxToPortcullis(target)}
    }
    # The sign-in's last step carries the application token in its query: it stays out of the
    # access log, where whoever reads the log could take the session.
    location = /cdn-cgi/access/authorized {
      access_log off;${nginxToPortcullis(target)}
    }
    location / {
      # More CF_Binding cookies than the strips above: refused, never passed on. (Here, not at
      # server level, so the browser can still sign out, which clears them.)
      if ($upstream_cookie ~ "${HOLDS_BINDING_COOKIE}") {
        return 400;
      }
      auth_request /cdn-cgi/access/authorize-subrequest;
      auth_request_set $access_jwt $upstream_http_cf_access_jwt_assertion;
      auth_request_set $access_email $upstream_http_cf_access_authenticated_user_email;
      auth_request_set $access_login $upstream_http_x_access_login;
      auth_request_set $access_app_session $upstream_http_set_cookie;
      auth_request_set $access_deny_url $upstream_http_x_access_deny_url;${extra.read}${NGINX_PREFLIGHT_READ}
      error_page 401 = @access_login;
      error_page 403 = @access_refused;
      proxy_set_header Cf-Access-Jwt-Assertion $access_jwt;
      proxy_set_header Cf-Access-Authenticated-User-Email $access_email;${extra.pass}
      proxy_set_header Cookie $upstream_cookie;
      # The application's own host and scheme, as Caddy and Traefik pass them (nginx would say
      # the upstream's address): an application builds its links and picks its site from them.
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_pass http://${target.upstream};
    }
    # No sign-in address: an AJAX request (X-Requested-With), which gets the 401 itself. The
    # redirect to sign in carries the CF_AppSession nonce portcullis set (an empty one is left out).
    location @access_login {
      add_header Set-Cookie $access_app_session always;
      if ($access_login = "") {
        return 401;
      }
      return 302 $access_login;
    }
    # A refusal goes to the application's custom_deny_url when it has one. A CORS preflight
    # portcullis answers for the application (its cors_headers) comes as a 403 marked
    # X-Access-Preflight: it gets a 204 with portcullis's Access-Control-* headers (an empty one
    # is left out), never the upstream. Any other 403 is portcullis's own page (the application's
    # custom_deny_message), asked for again: auth_request keeps only a subrequest's status.
    location @access_refused {
      if ($access_deny_url != "") {
        return 302 $access_deny_url;
      }
      if ($preflight = "") {
        rewrite ^ /cdn-cgi/access/authorize-subrequest last;
      }${NGINX_PREFLIGHT_ANSWER}
      return 204;
    }
  }`;
}

/** What an application host's /cdn-cgi/access/ locations pass to portcullis, and how. */
function nginxToPortcullis(target: ProxyTarget): string {
  return `
      proxy_pass http://${target.portcullis};
      # portcullis's redirects name the host they mean (sign-out goes on to the auth domain).
      proxy_redirect off;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-For $remote_addr;`;
}

/** The Caddyfile site for one protected host (as docs/enforcement.md shows it); `bind` limits the listening address. */
export function caddySite(site: { readonly address: string; readonly bind?: string }, target: ProxyTarget): string {
  return `${site.address} {${site.bind === undefined ? '' : `\n  bind ${site.bind}`}
  # Sign-in, identity and sign-out on the application's own host.
  handle /cdn-cgi/access/* {
    reverse_proxy ${target.portcullis}
  }
  handle {
    # Ask portcullis about every request; redirect=1 makes it send browsers to sign in itself.
    forward_auth ${target.portcullis} {
      uri /cdn-cgi/access/authorize?redirect=1
      copy_headers ${['Cf-Access-Jwt-Assertion', 'Cf-Access-Authenticated-User-Email', ...(target.headers ?? [])].join(' ')}
      # A CORS preflight portcullis answers for the application (its cors_headers) comes as a
      # 403 marked X-Access-Preflight: it gets a 204 with those headers, never the upstream.
      @preflight_answered {
        status 403
        header X-Access-Preflight answered
      }
      handle_response @preflight_answered {
        copy_response_headers {
          include ${PREFLIGHT_HEADERS.join(' ')}
        }
        respond 204
      }
    }
    # A Cookie header of CF_Binding cookies alone goes altogether (after forward_auth, which
    # reads it: Caddy runs forward_auth before request_header).
    @binding_cookies_only expression \`{http.request.header.Cookie}.matches("${ONLY_BINDING_COOKIES}")\`
    request_header @binding_cookies_only -Cookie
    reverse_proxy ${target.upstream} {
      # CF_Binding (an application's binding cookie) is for portcullis alone: the upstream
      # gets every other cookie: header_up replaces every match, so every CF_Binding goes ($1
      # puts back the separator before a run of them that other cookies follow).
      header_up Cookie "${EVERY_BINDING_COOKIE}" "$1"
    }
  }
}`;
}

/**
 * What a Traefik (v3) rule says of one hostname: that host, or where it has a `*` (within one
 * label, as portcullis reads it: `*.example.com` is every subdomain one level down, not the apex)
 * a Go regular expression in its place.
 */
function traefikHostMatcher(host: string): string {
  return host.includes('*') ? `HostRegexp(\`${hostPattern(host)}\`)` : `Host(\`${host}\`)`;
}

/**
 * The prefix of an application's Traefik objects (routers, services, middleware), from its first
 * hostname: a file provider's directory merges every file into one configuration, where a name
 * one application's file shares with another's would be kept once and the other dropped.
 */
function traefikName(host: string): string {
  return host.replace(/\*/g, 'wildcard').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

/** The headers of portcullis's answer that Traefik puts on the upstream request, each replacing the request's own (absent from the answer: removed). */
const TRAEFIK_AUTH_RESPONSE_HEADERS = ['Cf-Access-Jwt-Assertion', 'Cf-Access-Authenticated-User-Email', 'Cookie'];

/**
 * Traefik's dynamic configuration (file provider) for one application: one document, its
 * hostnames in one rule. (YAML single quotes keep a wildcard's regular expression as it is.)
 */
export function traefikConfig(hosts: readonly string[], target: ProxyTarget): string {
  const name = traefikName(hosts[0]!);
  const matchers = hosts.map(traefikHostMatcher);
  const anyHost = matchers.length === 1 ? matchers[0]! : matchers.join(' || ');
  return `http:
  middlewares:
    ${name}-portcullis:
      forwardAuth:
        # Ask portcullis about every request; redirect=1 makes it send browsers to sign in itself,
        # cookie=1 makes it answer with the request's cookies less the binding cookie (CF_Binding,
        # for portcullis alone), which replace the upstream's: Traefik cannot edit a header.
        address: "http://${target.portcullis}/cdn-cgi/access/authorize?redirect=1&cookie=1"
        authResponseHeaders: [${TRAEFIK_AUTH_RESPONSE_HEADERS.concat(target.headers ?? []).map((h) => `"${h}"`).join(', ')}]
  routers:
    ${name}:
      rule: '${anyHost}'
      middlewares: ["${name}-portcullis"]
      service: ${name}-upstream
    ${name}-access:
      # Sign-in, identity and sign-out on the application's own hosts. Its rule is the one above
      # and more, so Traefik (which ranks routers by the length of their rule) tries it first.
      rule: '${matchers.length === 1 ? anyHost : `(${anyHost})`} && PathPrefix(\`/cdn-cgi/access/\`)'
      service: ${name}-portcullis
  services:
    ${name}-upstream:
      loadBalancer:
        servers: [{ url: "http://${target.upstream}" }]
    ${name}-portcullis:
      loadBalancer:
        passHostHeader: true
        servers: [{ url: "http://${target.portcullis}" }]
`;
}

/** A Caddy --listen other than the default: PORT or ADDRESS:PORT (the address bracketed when IPv6). */
const CADDY_LISTEN = /^(?:(\[[^\]]+\]|[^\s:\[\]]+):)?(\d{1,5})$/;

/**
 * Why `listen` cannot be where `proxy` listens, or undefined when it can: the one check behind
 * `portcullis proxy-config --listen` (which puts "--listen " in front) and the dashboard's field
 * (which shows it as it is), so that both refuse the same values in the same words.
 */
/** Where nginx and Caddy listen when --listen is not given. */
export const DEFAULT_LISTEN = '80';

export function listenProblem(proxy: ProxyName, listen: string | undefined): string | undefined {
  // Not given: every proxy's default (DEFAULT_LISTEN for nginx and Caddy, Traefik's entry points).
  if (listen === undefined) return undefined;
  switch (proxy) {
    case 'nginx':
      return NGINX_LISTEN.test(listen) ? undefined : `${JSON.stringify(listen)} is not what nginx's listen takes here: [ADDRESS:]PORT, an address, or unix:PATH, then listen parameters (e.g. 127.0.0.1:8080, or 443 ssl)`;
    case 'caddy':
      return listen === '80' || CADDY_LISTEN.test(listen.trim()) ? undefined : `${JSON.stringify(listen)}: for Caddy give PORT or ADDRESS:PORT (e.g. 127.0.0.1:8080)`;
    case 'traefik':
      // The routers printed name no entry point: Traefik's static configuration says where it
      // listens. Any value given, 80 too, would be silently ignored, so it is refused.
      return 'does not apply to Traefik: Traefik listens on its entry points, which its own static configuration defines (the routers printed name none, so Traefik serves them on every entry point)';
  }
}

/**
 * The TCP port a --listen that listenProblem accepts has the proxy serve on: its first word's
 * trailing `:PORT` or a bare PORT, else 80 (an address alone, nginx's default); undefined for a
 * unix socket, which no browser reaches by port.
 */
function listenPort(listen: string): number | undefined {
  const first = listen.trim().split(/[ \t]+/)[0] ?? '';
  if (first.startsWith('unix:')) return undefined;
  const port = /(?:^|:)(\d{1,5})$/.exec(first);
  return port === null ? 80 : Number(port[1]);
}

/**
 * The port to start portcullis with (--app-port) for a proxy listening as `listen`: an
 * application's domain names no port, so the App Launcher's tiles would miss any but 80 and 443.
 * Undefined when none is needed.
 */
export function appPortFor(listen: string): number | undefined {
  const port = listenPort(listen);
  return port === undefined || port === 80 || port === 443 ? undefined : port;
}

/**
 * Where a Caddy site listens for --listen: the default (80) keeps the bare host name, which
 * Caddy serves on 80 and 443 with automatic HTTPS; PORT or ADDRESS:PORT serves plain http on
 * that port (bound to that address), as for a first try on a loopback port.
 */
export function caddyAddress(host: string, listen: string): { readonly address: string; readonly bind?: string } {
  if (listen === '80') return { address: host };
  const parts = CADDY_LISTEN.exec(listen.trim());
  if (parts === null) throw new Error(`--listen ${listenProblem('caddy', listen)}`);
  const bind = parts[1]?.replace(/^\[|\]$/g, '');
  return { address: `http://${host}:${parts[2]}`, ...(bind !== undefined ? { bind } : {}) };
}

/**
 * The Caddyfile site for a hostname, or a comment saying why Caddy cannot have one: Caddy takes
 * a `*` only as a whole label that is not the last (`*.example.com`, one label deep, as
 * portcullis reads it), and refuses to load a site address such as `app-*.example.com` or
 * `www.example.*`.
 */
function caddySiteFor(host: string, target: ProxyTarget, listen: string): string {
  const site = caddyAddress(host, listen);
  if (!host.includes('*')) return caddySite(site, target);
  const labels = host.split('.');
  if (labels.some((label) => label.includes('*') && label !== '*') || labels.at(-1) === '*') {
    return `# ${host}: Caddy takes * only as a whole label before the domain (as in *.example.com) and would refuse
# this address; put this hostname behind nginx or Traefik, or name its hosts in the application.`;
  }
  return caddySite(site, target);
}

/** Application types that protect hosts: src/schema/apps.ts's HOST_APP_TYPES (this module imports nothing). */
export const PROXIED_APP_TYPES: readonly string[] = ['self_hosted', 'ssh', 'vnc', 'rdp', 'mcp', 'mcp_portal'];

/**
 * The hostnames an application protects (its paths are decided by portcullis, not the proxy):
 * none for a type that protects no host (an App Launcher, a bookmark, ...), whatever its domain.
 */
export function hostsOf(app: ProxiedApp): string[] {
  if (typeof app.type === 'string' && !PROXIED_APP_TYPES.includes(app.type)) return [];
  // Its destinations' uri supersede its self_hosted_domains, as at the enforcement point (src/schema/destination-hosts.ts).
  const uris = Array.isArray(app.destinations) ? app.destinations.map((d: unknown) => (typeof d === 'object' && d !== null ? (d as { uri?: unknown }).uri : undefined)) : [];
  const others = Array.isArray(app.destinations) && app.destinations.length > 0 ? uris : Array.isArray(app.self_hosted_domains) ? (app.self_hosted_domains as unknown[]) : [];
  const destinations = [app.domain, ...others].filter((d): d is string => typeof d === 'string');
  return [...new Set(destinations.map((d) => d.replace(/^https?:\/\//, '').split('/')[0]!.toLowerCase()).filter((h) => h !== ''))];
}

/** An application as the generator reads it: its id, name, type and destinations. */
export interface ProxiedApp {
  readonly id?: unknown;
  readonly name?: unknown;
  /** Its type: only some types protect hosts (PROXIED_APP_TYPES). */
  readonly type?: unknown;
  readonly domain?: unknown;
  readonly self_hosted_domains?: unknown;
  readonly destinations?: unknown;
}

/** A hostname of an application that other applications of the account name too (by name, or id when unnamed). */
export interface SharedHost {
  readonly host: string;
  readonly apps: readonly string[];
}

/**
 * The hostnames `app` shares with others of `apps` (different paths of one host, say). A proxy
 * routes by hostname, so one configuration of such a host serves every application on it and
 * portcullis tells them apart by path; a second one conflicts (Caddy refuses to load two sites of
 * one address, nginx ignores the second server block, Traefik keeps one file's routers).
 */
export function hostsSharedWith(app: ProxiedApp, apps: readonly ProxiedApp[]): SharedHost[] {
  const shared: SharedHost[] = [];
  for (const host of hostsOf(app)) {
    const others = apps.filter((other) => other.id !== app.id && hostsOf(other).includes(host)).map((other) => String(other.name ?? other.id));
    if (others.length > 0) shared.push({ host, apps: others });
  }
  return shared;
}

/** The comment above a configuration that names the applications sharing its hostnames. */
function sharedHostsComment(shared: readonly SharedHost[]): string {
  return shared
    .map(
      ({ host, apps }) =>
        `# ${host} is also a hostname of ${apps.map((name) => JSON.stringify(name)).join(', ')}: this configuration protects them all (portcullis\n` +
        `# decides each request by its path). Install one configuration for ${host}, not one per application.\n`,
    )
    .join('');
}

/** One proxy's configuration for every hostname of an application. */
export function proxyConfigText(proxy: ProxyName, hosts: readonly string[], target: ProxyTarget, listen: string): string {
  // Traefik's configuration is one YAML document: every hostname in the same routers.
  if (proxy === 'traefik') return traefikConfig(hosts, target);
  const parts = hosts.map((host) => (proxy === 'nginx' ? nginxServerBlock({ listen, serverName: host }, target).replace(/^\n/, '') : caddySiteFor(host, target, listen)));
  return parts.join('\n\n') + '\n';
}

/** What `portcullis proxy-config` prints: a comment naming the application, then the configuration. */
export function proxyConfigFile(proxy: ProxyName, appName: string | undefined, hosts: readonly string[], target: ProxyTarget, listen: string, shared: readonly SharedHost[] = []): string {
  return `# ${proxy} configuration for the Access application ${JSON.stringify(appName)} (${hosts.join(', ')}); docs/enforcement.md explains it.\n` + sharedHostsComment(shared) + proxyConfigText(proxy, hosts, target, listen);
}
