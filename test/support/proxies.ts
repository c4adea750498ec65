// Real reverse proxies in front of an upstream, asking the enforcement point about every request:
// Debian's nginx (auth_request) and Caddy (forward_auth), started on loopback ports with
// configurations written like the ones docs/enforcement.md shows. Where a binary is missing the
// tests are skipped, saying why, unless PORTCULLIS_TEST_PROXIES_REQUIRED=1 (CI) makes that a failure.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './databases.js';
import { caddySite, nginxServerBlock, type ProxyTarget } from '../../src/access/proxy-config.js';

export { caddySite, nginxServerBlock, type ProxyTarget };

export interface RunningProxy {
  readonly name: 'nginx' | 'caddy';
  readonly port: number;
  /** What the proxy's access log holds so far (nginx, which logs every request by default, as a server's would); undefined for Caddy, which keeps none. */
  accessLog(): string | undefined;
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

function started(name: 'nginx' | 'caddy', port: number, child: ChildProcess, dir: { remove(): void }, accessLogFile?: string): RunningProxy {
  return {
    name,
    port,
    accessLog: () => (accessLogFile === undefined ? undefined : existsSync(accessLogFile) ? readFileSync(accessLogFile, 'utf8') : ''),
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

/**
 * An auth domain's server block, as docs/enforcement.md "Several accounts on one server" shows it:
 * everything under /cdn-cgi/access/ on that host goes to portcullis.
 */
const nginxAuthDomainBlock = (listen: string, serverName: string, portcullis: string): string => `
  server {
    listen ${listen};
    server_name ${serverName};
    location /cdn-cgi/access/ {
      proxy_pass http://${portcullis};
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-For $remote_addr;
    }
  }`;

/**
 * `port`: where it listens, when the caller must know it first (e.g. to make it an auth domain);
 * default a free one. `site.serverName`: the application's host (default app.test);
 * `site.authDomain`: a host whose /cdn-cgi/access/ the same nginx also passes to portcullis, in
 * a server block of its own (the application's block serves its own host only).
 */
export async function startNginx(target: ProxyTarget, port?: number, site: { readonly serverName?: string; readonly authDomain?: string } = {}): Promise<RunningProxy> {
  const dir = tempDir('portcullis-nginx-');
  port ??= await freePort();
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
  access_log ${join(dir.path, 'logs', 'access.log')};
  client_body_temp_path ${join(dir.path, 'tmp', 'body')};
  proxy_temp_path ${join(dir.path, 'tmp', 'proxy')};
  fastcgi_temp_path ${join(dir.path, 'tmp', 'fastcgi')};
  uwsgi_temp_path ${join(dir.path, 'tmp', 'uwsgi')};
  scgi_temp_path ${join(dir.path, 'tmp', 'scgi')};
${nginxServerBlock({ listen: `127.0.0.1:${port}`, serverName: site.serverName ?? 'app.test' }, target)}${site.authDomain === undefined ? '' : nginxAuthDomainBlock(`127.0.0.1:${port}`, site.authDomain, target.portcullis)}
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
  return started('nginx', port, child, dir, join(dir.path, 'logs', 'access.log'));
}

export async function startCaddy(host: string, target: ProxyTarget): Promise<RunningProxy> {
  const dir = tempDir('portcullis-caddy-');
  const port = await freePort();
  const file = join(dir.path, 'Caddyfile');
  writeFileSync(file, `{
  admin off
  auto_https off
}
${caddySite({ address: `http://${host}:${port}`, bind: '127.0.0.1' }, target)}
`);
  let output = '';
  const env = { ...process.env, HOME: dir.path, XDG_DATA_HOME: join(dir.path, 'data'), XDG_CONFIG_HOME: join(dir.path, 'config') };
  const child = spawn(CADDY!, ['run', '--config', file, '--adapter', 'caddyfile'], { stdio: ['ignore', 'pipe', 'pipe'], env });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await waitForPort(port, child, () => output);
  return started('caddy', port, child, dir);
}
