// Real reverse proxies in front of an upstream, asking the enforcement point about every request:
// Debian's nginx (auth_request) and Caddy (forward_auth), started on loopback ports with
// configurations written like the ones docs/enforcement.md shows. Where a binary is missing the
// tests are skipped, saying why, unless PORTCULLIS_TEST_PROXIES_REQUIRED=1 (CI) makes that a failure.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './databases.js';

export interface RunningProxy {
  readonly name: 'nginx' | 'caddy';
  readonly port: number;
  stop(): Promise<void>;
}

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
const CADDY = ['/usr/bin/caddy', '/usr/local/bin/caddy'].find((p) => existsSync(p));

/** undefined when the proxy can run here; otherwise why its tests are skipped. */
export function proxyUnavailable(name: 'nginx' | 'caddy'): string | undefined {
  const missing = name === 'nginx' ? NGINX === undefined : CADDY === undefined;
  if (!missing) return undefined;
  const why = `${name} is not installed (apt-get install ${name})`;
  if (process.env.PORTCULLIS_TEST_PROXIES_REQUIRED === '1') throw new Error(`${why}, and PORTCULLIS_TEST_PROXIES_REQUIRED=1`);
  return why;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`the proxy exited with ${child.exitCode}: ${output()}`);
    try {
      await fetch(`http://127.0.0.1:${port}/`, { redirect: 'manual' });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`the proxy did not listen on ${port}: ${output()}`);
}

function started(name: 'nginx' | 'caddy', port: number, child: ChildProcess, dir: { remove(): void }): RunningProxy {
  return {
    name,
    port,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      dir.remove();
    },
  };
}

export interface ProxyTarget {
  /** host:port of portcullis. */
  readonly portcullis: string;
  /** host:port of the protected upstream. */
  readonly upstream: string;
}

/** The nginx configuration for one protected server (as docs/enforcement.md shows it). */
export function nginxServerBlock(port: number, target: ProxyTarget): string {
  return `
  server {
    listen 127.0.0.1:${port};
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
    location /cdn-cgi/access/ {
      proxy_pass http://${target.portcullis};
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-For $remote_addr;
    }
    location / {
      auth_request /cdn-cgi/access/authorize-subrequest;
      auth_request_set $access_jwt $upstream_http_cf_access_jwt_assertion;
      auth_request_set $access_email $upstream_http_cf_access_authenticated_user_email;
      auth_request_set $access_login $upstream_http_x_access_login;
      error_page 401 = @access_login;
      proxy_set_header Cf-Access-Jwt-Assertion $access_jwt;
      proxy_set_header Cf-Access-Authenticated-User-Email $access_email;
      proxy_pass http://${target.upstream};
    }
    location @access_login {
      return 302 $access_login;
    }
  }`;
}

export async function startNginx(target: ProxyTarget): Promise<RunningProxy> {
  const dir = tempDir('portcullis-nginx-');
  const port = await freePort();
  for (const sub of ['logs', 'tmp']) mkdirSync(join(dir.path, sub));
  const conf = join(dir.path, 'nginx.conf');
  writeFileSync(
    conf,
    `daemon off;
worker_processes 1;
pid ${join(dir.path, 'nginx.pid')};
error_log ${join(dir.path, 'logs', 'error.log')} warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${join(dir.path, 'tmp', 'body')};
  proxy_temp_path ${join(dir.path, 'tmp', 'proxy')};
  fastcgi_temp_path ${join(dir.path, 'tmp', 'fastcgi')};
  uwsgi_temp_path ${join(dir.path, 'tmp', 'uwsgi')};
  scgi_temp_path ${join(dir.path, 'tmp', 'scgi')};
${nginxServerBlock(port, target)}
}
`,
  );
  const check = spawnSync(NGINX!, ['-t', '-p', dir.path, '-c', conf], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`nginx -t: ${check.stderr}`);
  let output = '';
  const child = spawn(NGINX!, ['-p', dir.path, '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await waitForPort(port, child, () => output);
  return started('nginx', port, child, dir);
}

/** The Caddyfile site for one protected application (as docs/enforcement.md shows it). */
export function caddySite(host: string, port: number, target: ProxyTarget): string {
  return `http://${host}:${port} {
  bind 127.0.0.1
  # Sign-in, identity and sign-out on the application's own host.
  handle /cdn-cgi/access/* {
    reverse_proxy ${target.portcullis}
  }
  handle {
    # Ask portcullis about every request; redirect=1 makes it send browsers to sign in itself.
    forward_auth ${target.portcullis} {
      uri /cdn-cgi/access/authorize?redirect=1
      copy_headers Cf-Access-Jwt-Assertion Cf-Access-Authenticated-User-Email
    }
    reverse_proxy ${target.upstream}
  }
}`;
}

export async function startCaddy(host: string, target: ProxyTarget): Promise<RunningProxy> {
  const dir = tempDir('portcullis-caddy-');
  const port = await freePort();
  const file = join(dir.path, 'Caddyfile');
  writeFileSync(file, `{
  admin off
  auto_https off
}
${caddySite(host, port, target)}
`);
  let output = '';
  const env = { ...process.env, HOME: dir.path, XDG_DATA_HOME: join(dir.path, 'data'), XDG_CONFIG_HOME: join(dir.path, 'config') };
  const child = spawn(CADDY!, ['run', '--config', file, '--adapter', 'caddyfile'], { stdio: ['ignore', 'pipe', 'pipe'], env });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await waitForPort(port, child, () => output);
  return started('caddy', port, child, dir);
}
