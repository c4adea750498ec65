// Server configuration from flags and environment (flags win), with the defaults that
// docs/operations.md "Running the server" documents: http://127.0.0.1:8787, SQLite under ./data.

import { resolve } from 'node:path';
import type { ServerSettings } from '../api/settings.js';
import { trustedProxyList } from '../api/trusted-proxies.js';
import type { RunnerOptions } from '../tester/runner.js';
import { checkMailFrom, isLoopback, parseSmtpUrl, type SmtpSettings } from '../access/login/smtp-settings.js';

export interface ServeFlags {
  readonly port?: string;
  readonly host?: string;
  readonly db?: string;
  readonly dataDir?: string;
  /** Load examples/ into the default account once listening, if it is empty (demo.ts). */
  readonly demo?: boolean;
  /** Accounts that must exist once the server starts (besides the default one). */
  readonly account?: readonly string[];
  /** Serve any well-formed account id, as if it existed. */
  readonly openAccounts?: boolean;
  /** The file of keys that seal secrets at rest. */
  readonly secretsKeyFile?: string;
  /** Serve the development login (docs/enforcement.md). */
  readonly devLogin?: boolean;
  /** Serve the development login although the server listens beyond loopback. */
  readonly devLoginAnywhere?: boolean;
  /** The public URL users reach this server at (the auth domain). */
  readonly authDomain?: string;
  /** The port the proxy serves the applications on, when not the scheme's default (App Launcher tiles). */
  readonly appPort?: string;
  /** The SMTP server one-time PIN codes (and access requests to their approvers) are mailed through. */
  readonly smtpUrl?: string;
  /** The From address of that mail. */
  readonly mailFrom?: string;
  /** Worker threads of the policy tester (PORTCULLIS_TEST_WORKERS). */
  readonly testWorkers?: string;
}

export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  /** sqlite:PATH or postgres://... */
  readonly db: string;
  /** Holds the SQLite database by default, the generated root token and account id. */
  readonly dataDir: string;
  /** The file of keys that seal secret fields at rest; best kept apart from the database. */
  readonly secretsKeyFile: string;
  /** The keys themselves, when given through PORTCULLIS_SECRETS_KEY (the file is then not used). */
  readonly secretsKey: string | undefined;
  /** Enforcement (docs/enforcement.md): the auth domain URL, or undefined for the listening address. */
  readonly authDomain: string | undefined;
  /** Peers whose X-Forwarded-* headers are believed. */
  readonly trustedProxies: readonly string[];
  /** What a request no application covers gets. */
  readonly noApplication: 'deny' | 'allow';
  readonly devLogin: boolean;
  /** The port the proxy serves applications on, for the App Launcher's tiles; undefined: the scheme's default. */
  readonly appPort: number | undefined;
  /** Where one-time PIN mail goes (docs/operations.md "Mail for one-time PINs"); undefined: PINs are off. */
  readonly smtp: SmtpSettings | undefined;
  /** The root API token, when chosen through PORTCULLIS_API_TOKEN. */
  readonly apiToken: string | undefined;
  readonly authEmail: string | undefined;
  readonly authKey: string | undefined;
  readonly accountId: string | undefined;
  /** More accounts to make sure of at start (--account, PORTCULLIS_ACCOUNTS). */
  readonly accounts: readonly string[];
  readonly logLevel: string;
  readonly sqliteSynchronous: 'normal' | 'full';
  /** Whether external_evaluation rules may call out at all. */
  readonly externalEvaluation: boolean;
  /** Hosts, IPs or CIDRs external evaluation may reach although they are not public. */
  readonly externalAllowlist: readonly string[];
  readonly externalTimeoutMs: number;
  /** How long a start waits for a database that cannot take connections yet (0: not at all). */
  readonly dbWaitMs: number;
  /** Server limits set through the environment (the rest keep their defaults). */
  readonly settings: Partial<ServerSettings>;
  /** Policy-test runner knobs set through the environment. */
  readonly tester: RunnerOptions;
}

/** Optional whole-number settings read from the environment: variable → how it applies. */
function optionalInteger(env: NodeJS.ProcessEnv, name: string, scale = 1): number | undefined {
  const text = env[name];
  return text === undefined || text === '' ? undefined : positiveInteger(text, name) * scale;
}

/** Like optionalInteger, but 0 is allowed (it switches a limit off). */
function optionalCount(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${name} must be a whole number, 0 or more, got ${JSON.stringify(text)}.`);
  return n;
}

function definedOnly<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export class ConfigError extends Error {}

function port(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`Invalid port ${JSON.stringify(text)}: use a number from 0 to 65535.`);
  return n;
}

function positiveInteger(text: string, name: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new ConfigError(`${name} must be a positive whole number, got ${JSON.stringify(text)}.`);
  return n;
}

/**
 * An on/off switch from the environment: `on` or `off` (any case), `fallback` when unset or
 * empty. Anything else is refused: `false` or `0` read as "not off" once left outbound calls on.
 */
function onOff(env: NodeJS.ProcessEnv, name: string, fallback: boolean, more: readonly string[] = []): boolean | string {
  const text = (env[name] ?? '').trim().toLowerCase();
  if (text === '') return fallback;
  if (text === 'on' || text === 'off') return text === 'on';
  if (more.includes(text)) return text;
  throw new ConfigError(`${name} must be on or off${more.map((m) => ` or ${m}`).join('')}, got ${JSON.stringify(env[name])}.`);
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * A database location as --db / PORTCULLIS_DB may give it: `sqlite:PATH`, a path ending in .db,
 * .sqlite or .sqlite3, or a postgres:// or postgresql:// URL. Anything else is refused rather than
 * taken for a file name: `postgres//host/db` (a missing colon) would otherwise quietly become a
 * SQLite file of its own.
 */
export function checkedDatabase(text: string, source: string): string {
  // The scheme in lower case: everything after this reads it so (POSTGRES:// must not become a file).
  if (/^postgres(ql)?:\/\//i.test(text) || /^sqlite:./i.test(text)) return text.replace(/^[a-z]+:/i, (scheme) => scheme.toLowerCase());
  if (/\.(db|sqlite3?)$/i.test(text) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return text;
  throw new ConfigError(`${source} ${JSON.stringify(text)} is not a database: use sqlite:PATH, a file ending in .db or .sqlite, or postgres://USER@HOST:PORT/DATABASE.`);
}

function authDomainOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`--auth-domain / PORTCULLIS_AUTH_DOMAIN must be a URL such as https://access.example.com, got ${JSON.stringify(text)}.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`The auth domain must be an http(s) URL, got ${JSON.stringify(text)}.`);
  // Sign-in pages live at the root of the host only: a path would be dropped without a word, so it
  // is refused, as the organizations API refuses one (docs/enforcement.md "Sessions and tokens").
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw new ConfigError(`--auth-domain / PORTCULLIS_AUTH_DOMAIN must be an http(s) URL without a path, query or fragment (the sign-in pages are at the host's root), got ${JSON.stringify(text)}.`);
  }
  return url.origin;
}

function trustedProxiesOf(text: string | undefined): string[] {
  try {
    return trustedProxyList(text);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}

/** An application's domain names no port, so the App Launcher's tiles take this one when the proxy listens elsewhere than 80/443. */
function appPortOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= 65535)) throw new ConfigError(`--app-port / PORTCULLIS_APP_PORT must be a port from 1 to 65535 (where your proxy serves the applications), got ${JSON.stringify(text)}.`);
  return n;
}

function noApplicationOf(text: string | undefined): 'deny' | 'allow' {
  const value = (text ?? 'deny').toLowerCase();
  if (value !== 'deny' && value !== 'allow') throw new ConfigError(`PORTCULLIS_NO_APPLICATION must be "deny" or "allow", got ${JSON.stringify(text)}.`);
  return value;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Whether an auth domain is plain http on a host other machines reach: sign-in cookies and
 * application tokens would then cross the network unencrypted (the start says so).
 */
export function plainHttpAwayFromLoopback(authDomain: string): boolean {
  const url = new URL(authDomain);
  if (url.protocol !== 'http:') return false;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return !isLoopback(host) && !host.endsWith('.localhost');
}

/** The development login lets anyone in as anyone: off unless asked for, and only on loopback unless forced. */
function devLoginOf(flags: ServeFlags, env: NodeJS.ProcessEnv, host: string): boolean {
  const switched = onOff(env, 'PORTCULLIS_DEV_LOGIN', false, ['anywhere']);
  const wanted = flags.devLogin === true || switched === true;
  if (!wanted) return false;
  const anywhere = flags.devLoginAnywhere === true || switched === 'anywhere';
  if (!LOOPBACK.has(host) && !anywhere) {
    throw new ConfigError(`The development login lets anyone sign in as anyone: it is refused on ${host}, which other machines can reach. Listen on 127.0.0.1, or pass --dev-login-anywhere if you really mean it.`);
  }
  return true;
}

/** The SMTP server and From address, both or neither; the messages never repeat the URL (it may hold a password). */
function smtpOf(flags: ServeFlags, env: NodeJS.ProcessEnv): SmtpSettings | undefined {
  const url = flags.smtpUrl ?? (env.PORTCULLIS_SMTP_URL || undefined);
  const from = flags.mailFrom ?? (env.PORTCULLIS_MAIL_FROM || undefined);
  if (url === undefined) {
    if (from !== undefined) throw new ConfigError('--mail-from / PORTCULLIS_MAIL_FROM is set without --smtp-url / PORTCULLIS_SMTP_URL: name the SMTP server too, or leave both out.');
    return undefined;
  }
  const server = parseSmtpUrl(url);
  if ('error' in server) throw new ConfigError(`--smtp-url / PORTCULLIS_SMTP_URL ${server.error}.`);
  if (from === undefined) throw new ConfigError('--smtp-url / PORTCULLIS_SMTP_URL needs --mail-from / PORTCULLIS_MAIL_FROM, the address one-time PIN mail comes from.');
  const checked = checkMailFrom(from);
  if (typeof checked !== 'string') throw new ConfigError(`--mail-from / PORTCULLIS_MAIL_FROM ${checked.error}, got ${JSON.stringify(from)}.`);
  return { url, from: checked };
}

/** Shorter than this, the X-Auth-Key (root rights) could be guessed: the root token's minimum too (secrets.ts). */
export const MIN_AUTH_KEY_LENGTH = 32;

export function resolveConfig(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const dataDir = resolve(flags.dataDir ?? (env.PORTCULLIS_DATA_DIR || undefined) ?? 'data');
  const sync = (env.PORTCULLIS_SQLITE_SYNC ?? 'normal').toLowerCase();
  if (sync !== 'normal' && sync !== 'full') throw new ConfigError(`PORTCULLIS_SQLITE_SYNC must be "normal" or "full", got ${JSON.stringify(sync)}.`);
  const accountId = env.PORTCULLIS_ACCOUNT_ID?.toLowerCase();
  if (accountId !== undefined && !/^[0-9a-f]{32}$/.test(accountId)) throw new ConfigError('PORTCULLIS_ACCOUNT_ID must be 32 hexadecimal characters.');
  const accounts = [...(flags.account ?? []), ...(env.PORTCULLIS_ACCOUNTS ?? '').split(',')].map((id) => id.trim().toLowerCase()).filter((id) => id !== '');
  const badAccount = accounts.find((id) => !/^[0-9a-f]{32}$/.test(id));
  if (badAccount !== undefined) throw new ConfigError(`Account id ${JSON.stringify(badAccount)} (--account or PORTCULLIS_ACCOUNTS) must be 32 hexadecimal characters.`);
  // Empty HOST (a `HOST=` line in an env file) counts as unset: '' would mean every interface.
  const host = flags.host ?? (env.HOST || undefined) ?? '127.0.0.1';
  const openAccounts = flags.openAccounts === true || onOff(env, 'PORTCULLIS_OPEN_ACCOUNTS', false) === true;
  const logLevel = (env.PORTCULLIS_LOG_LEVEL || 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`PORTCULLIS_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(env.PORTCULLIS_LOG_LEVEL)}.`);
  const authEmail = env.PORTCULLIS_AUTH_EMAIL || undefined;
  const authKey = env.PORTCULLIS_AUTH_KEY || undefined;
  if ((authEmail === undefined) !== (authKey === undefined)) throw new ConfigError('Set both PORTCULLIS_AUTH_EMAIL and PORTCULLIS_AUTH_KEY, or neither.');
  // The key has the root token's rights, so the root token's rule (secrets.ts): the failed-credentials
  // limit answers a right guess even over the limit (a shared address is not locked out), so only
  // the key's length keeps it from being guessed.
  if (authKey !== undefined && authKey.length < MIN_AUTH_KEY_LENGTH) {
    throw new ConfigError(`PORTCULLIS_AUTH_KEY has ${authKey.length} character${authKey.length === 1 ? '' : 's'}: it grants every permission on every account, so use at least ${MIN_AUTH_KEY_LENGTH} random ones (openssl rand -base64 30).`);
  }
  return {
    // Empty PORT counts as unset too: '' would mean a random port.
    port: port(flags.port ?? (env.PORT || undefined) ?? '8787'),
    host,
    db:
      flags.db !== undefined
        ? checkedDatabase(flags.db, '--db')
        : env.PORTCULLIS_DB !== undefined && env.PORTCULLIS_DB !== ''
          ? checkedDatabase(env.PORTCULLIS_DB, 'PORTCULLIS_DB')
          : `sqlite:${resolve(dataDir, 'portcullis.db')}`,
    dataDir,
    secretsKeyFile: resolve(flags.secretsKeyFile ?? (env.PORTCULLIS_SECRETS_KEY_FILE || undefined) ?? resolve(dataDir, 'secrets.key')),
    secretsKey: env.PORTCULLIS_SECRETS_KEY || undefined,
    authDomain: authDomainOf(flags.authDomain ?? (env.PORTCULLIS_AUTH_DOMAIN || undefined)),
    trustedProxies: trustedProxiesOf(env.PORTCULLIS_TRUSTED_PROXIES),
    noApplication: noApplicationOf(env.PORTCULLIS_NO_APPLICATION),
    devLogin: devLoginOf(flags, env, host),
    appPort: appPortOf(flags.appPort ?? (env.PORTCULLIS_APP_PORT || undefined)),
    smtp: smtpOf(flags, env),
    apiToken: env.PORTCULLIS_API_TOKEN || undefined,
    authEmail,
    authKey,
    accountId,
    accounts: [...new Set(accounts)],
    logLevel,
    sqliteSynchronous: sync,
    externalEvaluation: onOff(env, 'PORTCULLIS_EXTERNAL_EVALUATION', true) === true,
    externalAllowlist: (env.PORTCULLIS_EXTERNAL_ALLOWLIST ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0),
    externalTimeoutMs: positiveInteger(env.PORTCULLIS_EXTERNAL_TIMEOUT_MS ?? '5000', 'PORTCULLIS_EXTERNAL_TIMEOUT_MS'),
    dbWaitMs: (optionalCount(env, 'PORTCULLIS_DB_WAIT_S') ?? 30) * 1000,
    settings: definedOnly({
      testChunkSize: optionalInteger(env, 'PORTCULLIS_TEST_CHUNK_SIZE'),
      testTimeBudgetMs: optionalInteger(env, 'PORTCULLIS_TEST_TIME_BUDGET_S', 1000),
      testMaxUsers: optionalInteger(env, 'PORTCULLIS_TEST_MAX_USERS'),
      testsPerAccount: optionalInteger(env, 'PORTCULLIS_TESTS_PER_ACCOUNT'),
      rateLimit: optionalCount(env, 'PORTCULLIS_RATE_LIMIT'),
      rateWindowMs: optionalInteger(env, 'PORTCULLIS_RATE_WINDOW_S', 1000),
      rateLimitRoot: (env.PORTCULLIS_RATE_LIMIT_ROOT ?? '') === '' ? undefined : onOff(env, 'PORTCULLIS_RATE_LIMIT_ROOT', false) === true,
      failedAuthPerMinute: optionalCount(env, 'PORTCULLIS_FAILED_AUTH_PER_MINUTE'),
      bodyLimitBytes: optionalInteger(env, 'PORTCULLIS_BODY_LIMIT_KB', 1024),
      importBodyLimitBytes: optionalInteger(env, 'PORTCULLIS_IMPORT_LIMIT_MB', 1024 * 1024),
      importMaxUsers: optionalInteger(env, 'PORTCULLIS_IMPORT_MAX_USERS'),
      importConcurrency: optionalInteger(env, 'PORTCULLIS_IMPORT_CONCURRENCY'),
      requestTimeoutMs: optionalInteger(env, 'PORTCULLIS_REQUEST_TIMEOUT_S', 1000),
      openAccounts: openAccounts ? true : undefined,
    }),
    tester: definedOnly({
      // A server keeps its policy-test threads (and their sessions): a test after a quiet time is then as fast as the one before.
      residentThreads: true,
      leaseMs: optionalInteger(env, 'PORTCULLIS_TEST_LEASE_MS'),
      workers: optionalCount(flags.testWorkers !== undefined ? { '--test-workers': flags.testWorkers } : env, flags.testWorkers !== undefined ? '--test-workers' : 'PORTCULLIS_TEST_WORKERS'),
      retentionMs: optionalInteger(env, 'PORTCULLIS_TEST_RETENTION_DAYS', 24 * 3600_000),
      keepPerAccount: optionalInteger(env, 'PORTCULLIS_TEST_KEEP'),
    }),
  };
}
