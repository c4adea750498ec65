// Which API a command talks to: a base URL, an API token and an account id, from options or the
// environment (tokens are better kept off the command line, where `ps` shows them). Any
// Cloudflare-compatible API works: portcullis, or https://api.cloudflare.com/client/v4.

import type { Command } from 'commander';
import type { Endpoint } from '../transfer/account-api.js';
import { UsageError } from './command-kit.js';

/** One endpoint's options: their names and the environment variables they fall back to. */
export interface EndpointNames {
  readonly url: string;
  readonly token: string;
  readonly account: string;
  readonly env: { readonly url: string; readonly token: string; readonly account: string };
  /** "the target", "the source": how help texts and errors name this endpoint. */
  readonly role: string;
}

/** One endpoint's option names, and the variables PREFIX_URL, PREFIX_TOKEN and PREFIX_ACCOUNT. */
function endpointNames(options: { readonly url: string; readonly token: string; readonly account: string }, envPrefix: string, role: string): EndpointNames {
  return { ...options, env: { url: `${envPrefix}URL`, token: `${envPrefix}TOKEN`, account: `${envPrefix}ACCOUNT` }, role };
}

export const TARGET = endpointNames({ url: 'url', token: 'token', account: 'account' }, 'PORTCULLIS_', 'the server');
export const SYNC_SOURCE = endpointNames({ url: 'from', token: 'from-token', account: 'from-account' }, 'PORTCULLIS_FROM_', 'the source');
export const SYNC_TARGET = endpointNames({ url: 'to', token: 'to-token', account: 'to-account' }, 'PORTCULLIS_TO_', 'the target');

export function addEndpointOptions(command: Command, names: EndpointNames): Command {
  return command
    .option(`--${names.url} <url>`, `API base URL of ${names.role}, e.g. http://127.0.0.1:8787/client/v4 (env ${names.env.url})`)
    .option(`--${names.token} <token>`, `API token for ${names.role} (env ${names.env.token}; the environment keeps it out of \`ps\`)`)
    .option(`--${names.account} <id>`, `account id on ${names.role} (env ${names.env.account})`);
}

/** commander's key of an option: --from-token → fromToken. */
const key = (option: string): string => option.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * The endpoint the options (or the environment) name. A URL without a path gets /client/v4,
 * where Cloudflare-compatible APIs live.
 */
export function resolveEndpoint(options: Record<string, unknown>, names: EndpointNames, env: NodeJS.ProcessEnv = process.env): Endpoint {
  const pick = (option: string, variable: string): string | undefined => {
    const value = options[key(option)] ?? env[variable];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const url = pick(names.url, names.env.url);
  const token = pick(names.token, names.env.token);
  const account = pick(names.account, names.env.account);
  const missing = [
    url === undefined ? `--${names.url} (or ${names.env.url})` : undefined,
    token === undefined ? `--${names.token} (or ${names.env.token})` : undefined,
    account === undefined ? `--${names.account} (or ${names.env.account})` : undefined,
  ].filter((m) => m !== undefined);
  if (missing.length > 0) throw new UsageError(`Say which API ${names.role} is: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing.`);
  let parsed: URL;
  try {
    parsed = new URL(url!);
  } catch {
    throw new UsageError(`--${names.url} ${JSON.stringify(url)} is not a URL; give the API base, e.g. http://127.0.0.1:8787/client/v4.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`--${names.url} must be an http:// or https:// URL, got ${JSON.stringify(url)}.`);
  // A URL with a user name or password could not be used (fetch refuses it), and would be echoed
  // in every message, summary and manifest that names the API: refused without repeating it.
  if (parsed.username !== '' || parsed.password !== '') {
    throw new UsageError(`--${names.url} (or ${names.env.url}) holds a user name or password (USER:PASSWORD@): give the API base without it, and the token with --${names.token} or ${names.env.token}.`);
  }
  const base = parsed.pathname === '/' ? `${parsed.origin}/client/v4` : url!.replace(/\/+$/, '');
  const source = (option: string, variable: string) => `--${option} or ${variable}`;
  return {
    url: base,
    token: token!,
    account: account!,
    sources: { url: source(names.url, names.env.url), token: source(names.token, names.env.token), account: source(names.account, names.env.account) },
  };
}
