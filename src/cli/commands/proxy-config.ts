// `portcullis proxy-config <app>`: the nginx, Caddy or Traefik configuration that puts an
// application of a server behind its enforcement point, generated from the application's
// settings (its hostnames, and the headers the account's SAML providers pass) by the same code the end-to-end tests run (access/proxy-config.ts).

import type { Command } from 'commander';
import { appPortFor, DEFAULT_LISTEN, HOST_PORT, listenProblem, PROXIES, PROXIED_APP_TYPES, hostsOf, hostsSharedWith, proxyConfigFile, type ProxyName } from '../../access/proxy-config.js';
import { samlHeaderNamesOf } from '../../schema/saml-headers.js';
import { EXIT, runAction, UsageError, write } from '../command-kit.js';
import { addEndpointOptions, resolveEndpoint, TARGET } from '../endpoint-options.js';

interface ProxyConfigOptions {
  readonly proxy: string;
  readonly upstream: string;
  readonly portcullis?: string;
  readonly listen?: string;
}

/**
 * Where the proxy reaches portcullis when --portcullis is not given: the API URL's host and port.
 * The generated configurations speak plain http to it, so an https API URL (a TLS front in
 * between) says nothing about where portcullis itself listens: it is refused rather than turned
 * into an http address on the TLS port or on port 80.
 */
function defaultPortcullis(apiUrl: string): string {
  const url = new URL(apiUrl);
  if (url.protocol !== 'http:') {
    throw new UsageError(`The API URL ${JSON.stringify(url.origin)} is not plain http: give --portcullis HOST:PORT, where the proxy reaches portcullis over plain http (e.g. 127.0.0.1:8787).`);
  }
  return `${url.hostname}:${url.port === '' ? '80' : url.port}`;
}

async function proxyConfigCommand(appName: string, options: ProxyConfigOptions): Promise<number> {
  const proxy = options.proxy.toLowerCase();
  if (!(PROXIES as readonly string[]).includes(proxy)) throw new UsageError(`--proxy must be one of ${PROXIES.join(', ')}, got ${JSON.stringify(options.proxy)}.`);
  if (!HOST_PORT.test(options.upstream)) throw new UsageError(`--upstream is the application's HOST:PORT (e.g. 127.0.0.1:3000), got ${JSON.stringify(options.upstream)}.`);
  if (options.portcullis !== undefined && !HOST_PORT.test(options.portcullis)) {
    throw new UsageError(`--portcullis is the HOST:PORT the proxy reaches portcullis at over plain http (e.g. 127.0.0.1:8787), got ${JSON.stringify(options.portcullis)}.`);
  }
  const endpoint = resolveEndpoint(options as unknown as Record<string, unknown>, TARGET);
  const portcullis = options.portcullis ?? defaultPortcullis(endpoint.url);
  const { AccountApi } = await import('../../transfer/account-api.js');
  const listenRefused = listenProblem(proxy as ProxyName, options.listen);
  if (listenRefused !== undefined) throw new UsageError(`--listen ${listenRefused}.`);
  const listen = options.listen ?? DEFAULT_LISTEN;
  const api = AccountApi.connect(endpoint);
  const apps = await api.applications();
  const app = apps.find((a) => a.id === appName) ?? apps.find((a) => a.name === appName);
  if (app === undefined) {
    const names = apps.map((a) => JSON.stringify(a.name)).join(', ');
    throw new UsageError(`No Access application named or with the id ${JSON.stringify(appName)} in account ${endpoint.account}${names === '' ? ' (it has none)' : `; it has ${names}`}.`);
  }
  const hosts = hostsOf(app);
  if (hosts.length === 0 && typeof app.type === 'string' && !PROXIED_APP_TYPES.includes(app.type)) {
    throw new UsageError(`Application ${JSON.stringify(app.name)} is of type ${app.type}, which protects no host of its own (only ${PROXIED_APP_TYPES.join(', ')} applications do).`);
  }
  if (hosts.length === 0) throw new UsageError(`Application ${JSON.stringify(app.name)} names no hostname (domain, destinations or self_hosted_domains) to protect.`);
  // The SAML providers' header_attributes: the proxy copies them from the answer (docs/identity-providers.md).
  const headers = samlHeaderNamesOf(await api.list('identity_provider'));
  const target = { portcullis, upstream: options.upstream, ...(headers.length > 0 ? { headers } : {}) };
  await write(proxyConfigFile(proxy as ProxyName, app.name as string | undefined, hosts, target, listen, hostsSharedWith(app, apps)));
  // An application's domain names no port, so the server must be told where the proxy serves them.
  const port = appPortFor(listen);
  if (port !== undefined) {
    process.stderr.write(`note: this proxy serves the application on port ${port}: start portcullis with --app-port ${port} (PORTCULLIS_APP_PORT), so that the App Launcher's tiles open it there (docs/enforcement.md "App Launcher").\n`);
  }
  return EXIT.ok;
}

export function registerProxyConfig(program: Command): void {
  const command = program
    .command('proxy-config <app>')
    .summary('print the nginx, Caddy or Traefik configuration that puts an application behind portcullis')
    .description(
      "Read an Access application (by name or id) from a server and print the reverse-proxy configuration that asks the server's " +
        'enforcement point about every request to its hostnames (docs/enforcement.md).',
    )
    .option('--proxy <name>', `one of ${PROXIES.join(', ')}`, 'nginx')
    .requiredOption('--upstream <host:port>', 'where the application itself listens, e.g. 127.0.0.1:3000')
    .option('--portcullis <host:port>', "where the proxy reaches portcullis over plain http (default: the host and port of an http API URL)")
    .option('--listen <address>', "where the proxy listens: nginx's listen (e.g. 127.0.0.1:8080); Caddy: PORT or ADDRESS:PORT for plain http there (80 keeps Caddy's automatic HTTPS); not for Traefik (default: ${DEFAULT_LISTEN})");
  addEndpointOptions(command, TARGET)
    .addHelpText('after', '\nExamples:\n  portcullis proxy-config Wiki --upstream 127.0.0.1:3000 > /etc/nginx/conf.d/wiki.conf\n  portcullis proxy-config Wiki --proxy caddy --upstream 127.0.0.1:3000')
    .action(runAction(proxyConfigCommand));
}
