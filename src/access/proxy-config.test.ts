// The Traefik configuration generated for an application (nginx and Caddy run for real in
// enforcement.test.ts; Traefik is not packaged for the test machines): read back with a YAML
// parser that refuses repeated keys, and walked as Traefik would use it. And nginx's names and
// Caddy's sites for hostnames with `*`, checked by nginx and Caddy themselves where installed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { tempDir } from '../../test/support/databases.js';
import { caddyAddress, hostsOf, hostsSharedWith, listenProblem, PROXIED_APP_TYPES, PROXIES, proxyConfigFile, traefikConfig } from './proxy-config.js';
import { HOST_APP_TYPES } from '../schema/apps.js';

interface TraefikDynamic {
  http: {
    middlewares: Record<string, { forwardAuth: { address: string; authResponseHeaders: string[] } }>;
    routers: Record<string, { rule: string; service: string; middlewares?: string[]; priority?: number }>;
    services: Record<string, { loadBalancer: { servers: { url: string }[]; passHostHeader?: boolean } }>;
  };
}

const target = { portcullis: '127.0.0.1:8787', upstream: '127.0.0.1:3000' };

/** The one YAML document of a configuration; the parser throws on a repeated key. */
function readTraefik(text: string): TraefikDynamic {
  const documents = parseAllDocuments(text);
  assert.ok(Array.isArray(documents), 'a YAML stream');
  assert.equal(documents.length, 1, 'one document');
  assert.deepEqual(documents[0]!.errors, []);
  return documents[0]!.toJS({ maxAliasCount: 0 }) as TraefikDynamic;
}

/** Every router's service and middlewares are defined in the same configuration. */
function assertReferencesResolve(config: TraefikDynamic): void {
  for (const [name, router] of Object.entries(config.http.routers)) {
    assert.ok(config.http.services[router.service] !== undefined, `router ${name}'s service ${router.service} is defined`);
    for (const middleware of router.middlewares ?? []) assert.ok(config.http.middlewares[middleware] !== undefined, `router ${name}'s middleware ${middleware} is defined`);
  }
}

describe('Traefik configuration', () => {
  it('puts every hostname of an application in one document: one protected router, one for /cdn-cgi/access/ tried first', () => {
    const config = readTraefik(proxyConfigFile('traefik', 'Wiki', ['wiki.example.com', 'kb.example.com'], target, '80'));
    assertReferencesResolve(config);
    const routers = Object.entries(config.http.routers);
    assert.equal(routers.length, 2);
    const [protectedRouter, accessRouter] = [routers.find(([, r]) => !r.rule.includes('PathPrefix'))![1], routers.find(([, r]) => r.rule.includes('PathPrefix'))![1]];
    assert.equal(protectedRouter.rule, 'Host(`wiki.example.com`) || Host(`kb.example.com`)');
    assert.equal(accessRouter.rule, '(Host(`wiki.example.com`) || Host(`kb.example.com`)) && PathPrefix(`/cdn-cgi/access/`)');
    // Traefik ranks routers without a priority by the length of their rule.
    assert.equal(protectedRouter.priority, undefined);
    assert.equal(accessRouter.priority, undefined);
    assert.ok(accessRouter.rule.length > protectedRouter.rule.length);
    const auth = config.http.middlewares[protectedRouter.middlewares![0]!]!.forwardAuth;
    assert.equal(auth.address, 'http://127.0.0.1:8787/cdn-cgi/access/authorize?redirect=1&cookie=1');
    assert.deepEqual(auth.authResponseHeaders, ['Cf-Access-Jwt-Assertion', 'Cf-Access-Authenticated-User-Email', 'Cookie']);
    assert.deepEqual(config.http.services[protectedRouter.service]!.loadBalancer.servers, [{ url: 'http://127.0.0.1:3000' }]);
    assert.deepEqual(config.http.services[accessRouter.service]!.loadBalancer, { passHostHeader: true, servers: [{ url: 'http://127.0.0.1:8787' }] });
  });

  it("names each application's objects apart, so that two files in the provider's directory do not drop each other's", () => {
    const wiki = readTraefik(traefikConfig(['wiki.example.com'], target));
    const crm = readTraefik(traefikConfig(['crm.example.com'], { ...target, upstream: '127.0.0.1:4000' }));
    for (const kind of ['middlewares', 'routers', 'services'] as const) {
      const shared = Object.keys(wiki.http[kind]).filter((name) => name in crm.http[kind]);
      assert.deepEqual(shared, [], `${kind} named in both`);
    }
    for (const config of [wiki, crm]) for (const name of Object.keys(config.http.routers)) assert.doesNotMatch(name, /@/, 'Traefik refuses @ in a router name');
  });

  it('matches a wildcard hostname as portcullis reads it (a subdomain one label down, not the apex) with a regular expression kept as written', () => {
    const config = readTraefik(traefikConfig(['*.apps.example.com', 'apps.example.com'], target));
    assertReferencesResolve(config);
    const rule = Object.values(config.http.routers).find((r) => !r.rule.includes('PathPrefix'))!.rule;
    assert.equal(rule, 'HostRegexp(`^[^.]+\\.apps\\.example\\.com$`) || Host(`apps.example.com`)');
    const pattern = new RegExp(/HostRegexp\(`(.*?)`\)/.exec(rule)![1]!);
    assert.ok(pattern.test('wiki.apps.example.com'));
    assert.ok(!pattern.test('a.b.apps.example.com'), 'as on Cloudflare, * is one label');
    assert.ok(!pattern.test('apps.example.com'));
    assert.ok(!pattern.test('wikiapps.example.com'));
  });
});

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((path) => existsSync(path));

describe('nginx server names', () => {
  it('keeps nginx\'s own wildcards and turns a * elsewhere into a regular expression that matches as portcullis does', { skip: NGINX === undefined ? 'nginx is not installed' : false }, () => {
    const text = proxyConfigFile('nginx', 'Apps', ['*.example.org', 'www.example.*', 'app-*.example.com'], target, '80');
    assert.match(text, /server_name \*\.example\.org;/);
    assert.match(text, /server_name www\.example\.\*;/);
    const regex = /server_name ~(\S+);/.exec(text);
    assert.ok(regex !== null, text);
    const pattern = new RegExp(regex[1]!);
    assert.ok(pattern.test('app-eu.example.com'));
    assert.ok(!pattern.test('app-eu.west.example.com'), 'a * within a label stays in it');
    assert.ok(!pattern.test('api.example.com'));
    const dir = tempDir('portcullis-nginx-names-');
    try {
      mkdirSync(join(dir.path, 'logs'));
      const conf = join(dir.path, 'nginx.conf');
      writeFileSync(conf, `pid ${join(dir.path, 'nginx.pid')};\nerror_log ${join(dir.path, 'logs', 'error.log')};\nevents {}\nhttp {\n  access_log off;\n${text.replace(/listen 80;/g, 'listen 127.0.0.1:18081;')}\n}\n`);
      const check = spawnSync(NGINX!, ['-t', '-p', dir.path, '-c', conf], { encoding: 'utf8' });
      assert.equal(check.status, 0, check.stderr);
    } finally {
      dir.remove();
    }
  });
});

const CADDY = ['/usr/bin/caddy', '/usr/local/bin/caddy'].find((path) => existsSync(path));

describe('Caddy sites', () => {
  it('gives whole-label wildcards a site and hostnames Caddy would refuse only a comment; Caddy loads the result', { skip: CADDY === undefined ? 'Caddy is not installed' : false }, () => {
    const text = proxyConfigFile('caddy', 'Apps', ['wiki.example.com', '*.example.org', 'app-*.example.com', 'www.example.*'], target, '80');
    assert.match(text, /^wiki\.example\.com \{$/m);
    assert.match(text, /^\*\.example\.org \{$/m);
    for (const refused of ['app-*.example.com', 'www.example.*']) {
      const mentions = text.split('\n').filter((line) => line.includes(refused));
      assert.ok(mentions.length > 0 && mentions.every((line) => line.startsWith('#')), `${refused} only in a comment`);
    }
    const dir = tempDir('portcullis-caddy-sites-');
    try {
      const file = join(dir.path, 'Caddyfile');
      writeFileSync(file, text);
      const adapted = spawnSync(CADDY!, ['adapt', '--config', file, '--adapter', 'caddyfile'], { encoding: 'utf8' });
      assert.equal(adapted.status, 0, adapted.stderr);
      const hosts = (JSON.parse(adapted.stdout) as { apps: { http: { servers: Record<string, { routes: { match?: { host?: string[] }[] }[] }> } } }).apps.http.servers;
      const matched = Object.values(hosts).flatMap((server) => server.routes.flatMap((route) => (route.match ?? []).flatMap((m) => m.host ?? [])));
      assert.deepEqual(matched.sort(), ['*.example.org', 'wiki.example.com']);
    } finally {
      dir.remove();
    }
  });
});

describe('Caddy sites on a port of their own (--listen)', () => {
  it('serve plain http on PORT or ADDRESS:PORT, bound to the address; 80 keeps the bare host name; Caddy loads the result', { skip: CADDY === undefined ? 'Caddy is not installed' : false }, () => {
    assert.deepEqual(caddyAddress('wiki.example.com', '80'), { address: 'wiki.example.com' });
    assert.deepEqual(caddyAddress('wiki.example.com', '8080'), { address: 'http://wiki.example.com:8080' });
    assert.deepEqual(caddyAddress('wiki.example.com', '[::1]:8080'), { address: 'http://wiki.example.com:8080', bind: '::1' });
    assert.throws(() => caddyAddress('wiki.example.com', '443 ssl'), /for Caddy give PORT or ADDRESS:PORT/);
    const text = proxyConfigFile('caddy', 'Wiki', ['wiki.example.com'], target, '127.0.0.1:18080');
    assert.match(text, /^http:\/\/wiki\.example\.com:18080 \{\n  bind 127\.0\.0\.1$/m);
    const dir = tempDir('portcullis-caddy-listen-');
    try {
      const file = join(dir.path, 'Caddyfile');
      writeFileSync(file, text);
      const adapted = spawnSync(CADDY!, ['adapt', '--config', file, '--adapter', 'caddyfile'], { encoding: 'utf8' });
      assert.equal(adapted.status, 0, adapted.stderr);
      const servers = (JSON.parse(adapted.stdout) as { apps: { http: { servers: Record<string, { listen: string[] }> } } }).apps.http.servers;
      assert.deepEqual(Object.values(servers).flatMap((server) => server.listen), ['127.0.0.1:18080']);
    } finally {
      dir.remove();
    }
  });
});

describe('--listen, per proxy (listenProblem: what the CLI and the dashboard refuse)', () => {
  it("takes nginx's listen directive, Caddy's PORT or ADDRESS:PORT, and nothing but the default for Traefik, with one message each", () => {
    for (const good of ['80', '127.0.0.1:8080', '[::1]:8080', '443 ssl', 'unix:/run/nginx.sock', '8080 default_server backlog=511']) assert.equal(listenProblem('nginx', good), undefined, good);
    for (const bad of ['80; include /etc/passwd', '80 {', '', ' 80', '80 # x']) {
      assert.equal(listenProblem('nginx', bad), `${JSON.stringify(bad)} is not what nginx's listen takes here: [ADDRESS:]PORT, an address, or unix:PATH, then listen parameters (e.g. 127.0.0.1:8080, or 443 ssl)`);
    }
    for (const good of ['80', '8080', '127.0.0.1:8080', '[::1]:8080']) assert.equal(listenProblem('caddy', good), undefined, good);
    for (const bad of ['443 ssl', 'unix:/run/caddy.sock', '']) assert.equal(listenProblem('caddy', bad), `${JSON.stringify(bad)}: for Caddy give PORT or ADDRESS:PORT (e.g. 127.0.0.1:8080)`);
    // Not given is every proxy's default; given to Traefik, any value (80 too) would be ignored.
    for (const proxy of PROXIES) assert.equal(listenProblem(proxy, undefined), undefined, proxy);
    for (const given of ['80', '8080']) assert.match(listenProblem('traefik', given) ?? '', /^does not apply to Traefik: Traefik listens on its entry points/, given);
  });

  it('accepts exactly what the configuration can be generated with', () => {
    for (const proxy of PROXIES) {
      for (const listen of ['80', '8080', '127.0.0.1:8080', '443 ssl', 'unix:/run/proxy.sock', '80;', 'a b {']) {
        const generate = () => proxyConfigFile(proxy, 'Wiki', ['wiki.example.com'], target, listen);
        // Only Caddy's generator reads the address (Traefik's ignores it; nginx's writes it as given).
        if (proxy === 'caddy' && listenProblem(proxy, listen) !== undefined) assert.throws(generate, { message: `--listen ${listenProblem(proxy, listen)}` });
        else assert.doesNotThrow(generate);
      }
    }
  });
});

describe("an application's hostnames", () => {
  it('are its domain and its destinations, which supersede its self_hosted_domains (as at the enforcement point)', () => {
    const portal = { domain: 'portal.example.com', self_hosted_domains: ['portal.example.com', 'legacy.example.com'] };
    assert.deepEqual(hostsOf(portal), ['portal.example.com', 'legacy.example.com']);
    const destinations = [{ type: 'public', uri: 'https://API.example.com/v1' }, { type: 'private', hostname: 'db.internal' }];
    assert.deepEqual(hostsOf({ ...portal, destinations }), ['portal.example.com', 'api.example.com']);
    assert.deepEqual(hostsOf({ ...portal, destinations: [] }), ['portal.example.com', 'legacy.example.com'], 'an empty list names none, as if left out');
  });

  it('are none for a type that protects no host, whatever its domain: the App Launcher is on the auth domain, a bookmark is a link', () => {
    for (const type of ['app_launcher', 'warp', 'biso', 'bookmark', 'saas', 'dash_sso', 'infrastructure', 'proxy_endpoint']) {
      assert.deepEqual(hostsOf({ type, domain: 'wiki.example.com', self_hosted_domains: ['kb.example.com'] }), [], type);
    }
    for (const type of ['self_hosted', 'ssh', 'vnc', 'rdp', 'mcp', 'mcp_portal']) assert.deepEqual(hostsOf({ type, domain: 'wiki.example.com' }), ['wiki.example.com'], type);
    const launcher = { id: 'l', name: 'App Launcher', type: 'app_launcher', domain: 'wiki.example.com' };
    assert.deepEqual(hostsSharedWith({ id: 'w', name: 'Wiki', type: 'self_hosted', domain: 'wiki.example.com' }, [launcher]), [], 'nor does it share a host with the application there');
  });

  it('are named for the types the enforcement point enforces (the list this module, importing nothing, spells again)', () => {
    assert.deepEqual([...PROXIED_APP_TYPES].sort(), [...HOST_APP_TYPES].sort());
  });
});

describe('applications sharing a hostname', () => {
  const wiki = { id: 'a1', name: 'Wiki', domain: 'wiki.example.com', self_hosted_domains: ['wiki.example.com', 'kb.example.com'] };
  const admin = { id: 'a2', name: 'Wiki admin', domain: 'https://Wiki.example.com/admin' };
  const unnamed = { id: 'a3', domain: 'kb.example.com/private/*' };
  const elsewhere = { id: 'a4', name: 'CRM', domain: 'crm.example.com', self_hosted_domains: ['*.example.com'] };
  const apps = [wiki, admin, unnamed, elsewhere];

  it('names, for each hostname, the other applications on it (by name, or id when unnamed), and not the application itself', () => {
    assert.deepEqual(hostsSharedWith(wiki, apps), [
      { host: 'wiki.example.com', apps: ['Wiki admin'] },
      { host: 'kb.example.com', apps: ['a3'] },
    ]);
    assert.deepEqual(hostsSharedWith(admin, apps), [{ host: 'wiki.example.com', apps: ['Wiki'] }]);
    // A wildcard and a hostname under it are different sites to every proxy: each keeps its own configuration.
    assert.deepEqual(hostsSharedWith(elsewhere, apps), []);
  });

  it("says so in a comment above every proxy's configuration, which each proxy reads as a comment", () => {
    const shared = hostsSharedWith(admin, apps);
    for (const proxy of ['nginx', 'caddy', 'traefik'] as const) {
      const text = proxyConfigFile(proxy, 'Wiki admin', ['wiki.example.com'], target, '80', shared);
      const lines = text.split('\n');
      const note = lines.findIndex((line) => line.includes('is also a hostname of'));
      assert.equal(lines[note], '# wiki.example.com is also a hostname of "Wiki": this configuration protects them all (portcullis', proxy);
      assert.match(lines[note + 1]!, /^# decides each request by its path\)\. Install one configuration for wiki\.example\.com, not one per application\.$/);
      assert.equal(text.replace(/^# wiki\.example\.com is also.*\n#.*\n/m, ''), proxyConfigFile(proxy, 'Wiki admin', ['wiki.example.com'], target, '80'), 'the configuration itself is unchanged');
    }
    assert.equal(readTraefik(proxyConfigFile('traefik', 'Wiki admin', ['wiki.example.com'], target, '80', shared)).http.routers['wiki-example-com']!.rule, 'Host(`wiki.example.com`)');
  });
});
