// `portcullis proxy-config` against a running server: the configuration printed for an
// application's hostnames, checked by nginx itself where it is installed; unknown applications
// and proxies are refused with one line and exit 2.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { portcullisAsync } from '../../../test/support/cli-harness.js';
import { tempDir } from '../../../test/support/databases.js';
import { startTestServer, type TestServer } from '../../../test/support/server.js';
import { parse } from 'yaml';
import { proxyConfigFile } from '../../access/proxy-config.js';

describe('portcullis proxy-config', () => {
  let s: TestServer;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    s = await startTestServer();
    env = { PORTCULLIS_URL: s.apiUrl, PORTCULLIS_TOKEN: s.rootToken, PORTCULLIS_ACCOUNT: s.accountId };
    const created = await s.api('POST', `/accounts/${s.accountId}/access/apps`, { type: 'self_hosted', name: 'Wiki', domain: 'wiki.example.com/docs', self_hosted_domains: ['wiki.example.com', 'kb.example.com'] });
    assert.equal(created.status, 201);
  });
  after(() => s?.close());

  it("prints an nginx server block per hostname of the application, which nginx accepts", async () => {
    const run = await portcullisAsync(['proxy-config', 'Wiki', '--upstream', '127.0.0.1:3000'], env);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /server_name wiki\.example\.com;/);
    assert.match(run.stdout, /server_name kb\.example\.com;/);
    assert.equal(run.stdout.match(/server \{/g)?.length, 2, 'one block per hostname, the path left to portcullis');
    assert.match(run.stdout, new RegExp(`proxy_pass http://${new URL(s.baseUrl).host.replace('.', '\\.')}/cdn-cgi/access/authorize;`));
    assert.match(run.stdout, /proxy_pass http:\/\/127\.0\.0\.1:3000;/);
    // The one generator: the dashboard's "Protect it" page shows what this prints.
    const target = { portcullis: new URL(s.baseUrl).host, upstream: '127.0.0.1:3000' };
    assert.equal(run.stdout, proxyConfigFile('nginx', 'Wiki', ['wiki.example.com', 'kb.example.com'], target, '80'));
    const nginx = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
    if (nginx !== undefined) {
      const dir = tempDir('portcullis-proxy-config-');
      try {
        mkdirSync(join(dir.path, 'logs'));
        const conf = join(dir.path, 'nginx.conf');
        writeFileSync(conf, `pid ${join(dir.path, 'nginx.pid')};\nerror_log ${join(dir.path, 'logs', 'error.log')};\nevents {}\nhttp {\n  access_log off;\n${run.stdout.replace(/listen 80;/g, 'listen 127.0.0.1:18080;')}\n}\n`);
        const check = spawnSync(nginx, ['-t', '-p', dir.path, '-c', conf], { encoding: 'utf8' });
        assert.equal(check.status, 0, check.stderr);
      } finally {
        dir.remove();
      }
    }
  });

  it('prints Caddy and Traefik configurations too', async () => {
    const caddy = await portcullisAsync(['proxy-config', 'Wiki', '--proxy', 'caddy', '--upstream', '127.0.0.1:3000'], env);
    assert.equal(caddy.status, 0, caddy.stderr);
    assert.match(caddy.stdout, /^wiki\.example\.com \{$/m);
    assert.match(caddy.stdout, /forward_auth /);
    const traefik = await portcullisAsync(['proxy-config', 'Wiki', '--proxy', 'traefik', '--upstream', '127.0.0.1:3000'], env);
    assert.equal(traefik.status, 0, traefik.stderr);
    // One YAML document (a second `http:` key would be refused), both hostnames in one rule.
    const config = parse(traefik.stdout) as { http: { routers: Record<string, { rule: string }>; middlewares: Record<string, { forwardAuth?: unknown }> } };
    assert.ok(Object.values(config.http.middlewares).some((m) => m.forwardAuth !== undefined));
    assert.ok(Object.values(config.http.routers).some((r) => r.rule === 'Host(`wiki.example.com`) || Host(`kb.example.com`)'), traefik.stdout);
  });

  it("says on stderr, for a proxy on another port than 80 or 443, to start portcullis with --app-port so the App Launcher's tiles open that port", async () => {
    for (const [proxy, listen] of [['nginx', '127.0.0.1:8080'], ['nginx', '[::1]:8080 default_server'], ['caddy', '8080']] as const) {
      const run = await portcullisAsync(['proxy-config', 'Wiki', '--proxy', proxy, '--upstream', '127.0.0.1:3000', '--listen', listen], env);
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stderr, /--app-port 8080\b/, `${proxy} ${listen}`);
      assert.doesNotMatch(run.stdout, /app-port/, 'the configuration itself is unchanged');
    }
    for (const [proxy, listen] of [['nginx', '80'], ['nginx', '443 ssl'], ['nginx', 'unix:/run/wiki.sock'], ['caddy', '80'], ['caddy', '127.0.0.1:443']] as const) {
      const run = await portcullisAsync(['proxy-config', 'Wiki', '--proxy', proxy, '--upstream', '127.0.0.1:3000', '--listen', listen], env);
      assert.equal(run.status, 0, run.stderr);
      assert.doesNotMatch(run.stderr, /app-port/, `${proxy} ${listen}`);
    }
  });

  it('names the other applications on the same hostname in a comment: one configuration protects them all', async () => {
    const admin = await s.api('POST', `/accounts/${s.accountId}/access/apps`, { type: 'self_hosted', name: 'Wiki admin', domain: 'wiki.example.com/admin' });
    assert.equal(admin.status, 201);
    try {
      for (const [app, other, host] of [['Wiki', 'Wiki admin', 'wiki.example.com'], ['Wiki admin', 'Wiki', 'wiki.example.com']] as const) {
        const run = await portcullisAsync(['proxy-config', app, '--proxy', 'caddy', '--upstream', '127.0.0.1:3000'], env);
        assert.equal(run.status, 0, run.stderr);
        assert.match(run.stdout, new RegExp(`^# ${host.replace(/\./g, '\\.')} is also a hostname of "${other}": `, 'm'));
      }
      const wiki = await portcullisAsync(['proxy-config', 'Wiki', '--upstream', '127.0.0.1:3000'], env);
      assert.doesNotMatch(wiki.stdout, /kb\.example\.com is also/, 'only the hostname they share');
    } finally {
      assert.equal((await s.api('DELETE', `/accounts/${s.accountId}/access/apps/${admin.json.result.id}`)).status, 202);
    }
  });

  it('refuses an unknown application, an unknown proxy and a malformed upstream with one line, exit 2', async () => {
    const unknown = await portcullisAsync(['proxy-config', 'Nope', '--upstream', '127.0.0.1:3000'], env);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /No Access application named or with the id "Nope" .* it has "Wiki"/);
    const proxy = await portcullisAsync(['proxy-config', 'Wiki', '--proxy', 'apache', '--upstream', '127.0.0.1:3000'], env);
    assert.equal(proxy.status, 2);
    assert.match(proxy.stderr, /--proxy must be one of nginx, caddy, traefik/);
    const upstream = await portcullisAsync(['proxy-config', 'Wiki', '--upstream', 'http://x'], env);
    assert.equal(upstream.status, 2);
  });

  it("refuses a --listen that would not be one nginx listen directive, and a --listen for Traefik, which listens on its entry points", async () => {
    for (const bad of ['80; include /etc/passwd', '8080 {', '127.0.0.1:8080\nserver_name x', '8080 # all', '"8080"', '']) {
      const run = await portcullisAsync(['proxy-config', 'Wiki', '--upstream', '127.0.0.1:3000', '--listen', bad], env);
      assert.equal(run.status, 2, `${JSON.stringify(bad)}: ${run.stdout}`);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /--listen .*nginx's listen/);
    }
    for (const good of ['8080', '127.0.0.1:8080', '[::1]:8443', '*:80', 'localhost', '443 ssl', '443 ssl default_server backlog=511', 'unix:/run/proxy.sock']) {
      const run = await portcullisAsync(['proxy-config', 'Wiki', '--upstream', '127.0.0.1:3000', '--listen', good], env);
      assert.equal(run.status, 0, `${good}: ${run.stderr}`);
      assert.match(run.stdout, new RegExp(`\\n    listen ${good.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')};\\n`));
    }
    // Given to Traefik, any --listen would be ignored, even the default's value: refused.
    for (const given of ['8080', '80']) {
      const traefik = await portcullisAsync(['proxy-config', 'Wiki', '--proxy', 'traefik', '--upstream', '127.0.0.1:3000', '--listen', given], env);
      assert.equal(traefik.status, 2, `${given}: ${traefik.stdout}`);
      assert.match(traefik.stderr, /Traefik listens on its entry points/);
    }
  });

  it('refuses a --portcullis that is not HOST:PORT (a URL would print proxy_pass http://http://...), and an https API URL without one', async () => {
    for (const bad of ['http://127.0.0.1:8787', '127.0.0.1', '127.0.0.1:8787/']) {
      const run = await portcullisAsync(['proxy-config', 'Wiki', '--upstream', '127.0.0.1:3000', '--portcullis', bad], env);
      assert.equal(run.status, 2, `${bad}: ${run.stdout}`);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /--portcullis is the HOST:PORT/);
    }
    const good = await portcullisAsync(['proxy-config', 'Wiki', '--upstream', '127.0.0.1:3000', '--portcullis', 'auth.internal:8787'], env);
    assert.equal(good.status, 0, good.stderr);
    assert.match(good.stdout, /proxy_pass http:\/\/auth\.internal:8787\/cdn-cgi\/access\/authorize;/);
    // The proxies speak plain http to portcullis: an https API URL names a TLS front, not where portcullis listens.
    const https = await portcullisAsync(['proxy-config', 'Wiki', '--upstream', '127.0.0.1:3000'], { ...env, PORTCULLIS_URL: 'https://access.example.com/client/v4' });
    assert.equal(https.status, 2, https.stdout);
    assert.match(https.stderr, /not plain http: give --portcullis HOST:PORT/);
  });

  it("copies the headers the account's SAML providers pass (header_attributes) from the answer, in each proxy's configuration", async () => {
    const created = await s.api('POST', `/accounts/${s.accountId}/access/identity_providers`, {
      name: 'Corporate SAML',
      type: 'saml',
      config: { sso_target_url: 'https://idp.example.com/sso', idp_public_certs: [], header_attributes: [{ attribute_name: 'department', header_name: 'X-Department' }, { attribute_name: 'cost_center', header_name: 'X-Cost-Center' }] },
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    try {
      const nginx = await portcullisAsync(['proxy-config', 'Wiki', '--upstream', '127.0.0.1:3000'], env);
      assert.equal(nginx.status, 0, nginx.stderr);
      assert.match(nginx.stdout, /auth_request_set \$saml_x_department \$upstream_http_x_department;/);
      assert.match(nginx.stdout, /proxy_set_header X-Cost-Center \$saml_x_cost_center;/);
      const target = { portcullis: new URL(s.baseUrl).host, upstream: '127.0.0.1:3000', headers: ['X-Department', 'X-Cost-Center'] };
      assert.equal(nginx.stdout, proxyConfigFile('nginx', 'Wiki', ['wiki.example.com', 'kb.example.com'], target, '80'));
      const caddy = await portcullisAsync(['proxy-config', 'Wiki', '--proxy', 'caddy', '--upstream', '127.0.0.1:3000'], env);
      assert.match(caddy.stdout, /copy_headers Cf-Access-Jwt-Assertion Cf-Access-Authenticated-User-Email X-Department X-Cost-Center$/m);
      const traefik = await portcullisAsync(['proxy-config', 'Wiki', '--proxy', 'traefik', '--upstream', '127.0.0.1:3000'], env);
      assert.match(traefik.stdout, /authResponseHeaders: \["Cf-Access-Jwt-Assertion", "Cf-Access-Authenticated-User-Email", "Cookie", "X-Department", "X-Cost-Center"\]/);
    } finally {
      await s.api('DELETE', `/accounts/${s.accountId}/access/identity_providers/${created.json.result.id}`);
    }
  });
});
