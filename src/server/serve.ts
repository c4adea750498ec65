// The server of `portcullis serve` (and `npm start`): open the store, build the API server,
// listen, and print where it is; closing lets in-flight requests finish, then closes the database.

import { accessSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { hashSecret } from '../api/auth/authenticate.js';
import { ROUTES } from '../api/routes.js';
import { accountEvaluators } from './account-evaluators.js';
import { buildServer } from '../api/server.js';
import { isPostgresUrl, openStore, redactUrl } from '../store/open.js';
import { isStoreUnavailable } from '../store/errors.js';
import { ACCOUNTS_SCOPE, type Store } from '../store/store.js';
import { ConfigError, plainHttpAwayFromLoopback, resolveConfig, type ServeFlags, type ServerConfig } from './config.js';
import { SecretKeyError } from '../store/secret-box.js';
import { registerAccessRoutes } from '../access/routes.js';
import { smtpMailer } from '../access/login/mailer.js';
import { registerScimRoutes } from '../access/scim/routes.js';
import { SigningKeys } from '../account/signing-keys.js';
import { authDomainOr, readOrganization } from '../account/organization.js';
import { defaultAccountId, rootToken, secretsKeyRing, type KeptValue } from './secrets.js';

export interface RunningServer {
  readonly config: ServerConfig;
  readonly url: string;
  readonly rootToken: KeptValue;
  readonly account: KeptValue;
  readonly app: FastifyInstance;
  readonly store: Store;
  close(): Promise<void>;
}

/**
 * Where large import bodies wait (api/ndjson-body.ts): the data directory, unless the server
 * runs without a writable one (every value from the environment, a read-only file system).
 */
function spoolDir(dataDir: string): string {
  try {
    accessSync(dataDir, constants.W_OK);
    return dataDir;
  } catch {
    return tmpdir();
  }
}

/**
 * Fastify logs "Server listening at ..." as a JSON line while the banner below is printed, which
 * says the same for a person; that one line is dropped so that no JSON lands in the banner.
 */
function withoutListeningLine(this: unknown, args: unknown[], method: (...args: unknown[]) => void): void {
  if (typeof args[0] === 'string' && args[0].startsWith('Server listening at ')) return;
  method.apply(this, args);
}

/**
 * Open the store; a database that cannot take connections yet (still starting, restarting, not
 * yet reachable: a server started beside its database) is tried again every second for up to
 * `dbWaitMs`, saying so once, rather than failing the start at the first refusal.
 */
async function openStoreWaiting(config: ServerConfig, keys: ReturnType<typeof secretsKeyRing>, print: (line: string) => void): Promise<Store> {
  const giveUpAt = Date.now() + config.dbWaitMs;
  let waiting = false;
  for (;;) {
    try {
      return await openStore(config.db, { sqliteSynchronous: config.sqliteSynchronous, secrets: keys });
    } catch (err) {
      const left = giveUpAt - Date.now();
      if (!isStoreUnavailable(err) || left <= 0) {
        if (waiting && isStoreUnavailable(err) && err instanceof Error) err.message += ` (still, after waiting ${Math.round(config.dbWaitMs / 1000)} s: PORTCULLIS_DB_WAIT_S)`;
        throw err;
      }
      if (!waiting) print(`portcullis: the database ${redactUrl(config.db)} cannot take connections yet (${(err as Error).message}); trying again every second for up to ${Math.ceil(left / 1000)} s`);
      waiting = true;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, left)));
    }
  }
}

export async function startServer(flags: ServeFlags, print: (line: string) => void = console.log): Promise<RunningServer> {
  const config = resolveConfig(flags);
  const token = rootToken(config.dataDir, config.apiToken);
  const keys = secretsKeyRing(config.secretsKeyFile, config.secretsKey);
  let store: Store;
  try {
    store = await openStoreWaiting(config, keys, print);
  } catch (err) {
    const message = (err as Error).message;
    // SQLite says only "unable to open database file": say where and what to check.
    const hint = /unable to open database file|SQLITE_CANTOPEN|EACCES|EPERM|EROFS|ENOTDIR|EEXIST|ENOENT/i.test(message) && !isPostgresUrl(config.db) ? ` (check that the directory of ${redactUrl(config.db)} exists and is writable by this user, or pass --db)` : '';
    throw new ConfigError(`Cannot open the database ${redactUrl(config.db)}: ${message}${hint}`);
  }
  try {
    // Seals secrets stored before sealing existed or under an older key, and proves that the
    // key ring opens every stored secret before anything is served.
    await store.resealSecrets();
  } catch (err) {
    await store.close();
    if (err instanceof SecretKeyError) throw new ConfigError(`The secrets key does not fit ${redactUrl(config.db)}: ${err.message} (${keys.origin === 'environment' ? 'PORTCULLIS_SECRETS_KEY' : config.secretsKeyFile}).`);
    throw new ConfigError(`Cannot check the stored secrets in ${redactUrl(config.db)}: ${(err as Error).message}`);
  }
  let account: Awaited<ReturnType<typeof defaultAccountId>>;
  try {
    account = await defaultAccountId(config.dataDir, config.accountId, () => store.read.listAccounts());
  } catch (err) {
    await store.close();
    throw err;
  }
  try {
    const createdAt = new Date().toISOString();
    for (const id of [account.value, ...config.accounts]) {
      await store.transaction(ACCOUNTS_SCOPE, (tx) => tx.insertAccount({ id, name: id === account.value ? 'Default account' : `Account ${id.slice(0, 8)}`, createdAt }));
    }
  } catch (err) {
    await store.close();
    throw new ConfigError(`Cannot record the accounts in ${redactUrl(config.db)}: ${(err as Error).message}`);
  }
  const signingKeys = new SigningKeys(store);
  const mailer = config.smtp === undefined ? undefined : smtpMailer(config.smtp);
  let listening = '';
  // The API (what-if, policy tests) and the sign-ins ask endpoints alike, signing with the account's key.
  const externalFor = config.externalEvaluation ? accountEvaluators(signingKeys, { allowlist: config.externalAllowlist, timeoutMs: config.externalTimeoutMs }) : undefined;
  const app = await buildServer({
    store,
    signingKeys,
    defaultAuthDomain: () => config.authDomain ?? listening,
    defaultAccountId: account.value,
    routes: ROUTES,
    root: {
      tokenHash: hashSecret(token.value),
      ...(config.authEmail !== undefined && config.authKey !== undefined ? { authEmail: config.authEmail, authKeyHash: hashSecret(config.authKey) } : {}),
    },
    logger: { level: config.logLevel, hooks: { logMethod: withoutListeningLine } },
    settings: config.settings,
    spool: { dir: spoolDir(config.dataDir) },
    tester: config.tester,
    trustedProxies: config.trustedProxies,
    ...(externalFor !== undefined ? { externalFor } : {}),
  });
  registerAccessRoutes(app, {
    store,
    keys: signingKeys,
    accountId: account.value,
    authDomain: () => config.authDomain ?? listening,
    trustedProxies: config.trustedProxies,
    noApplication: config.noApplication,
    devLogin: config.devLogin,
    ...(config.appPort !== undefined ? { appPort: config.appPort } : {}),
    ...(mailer !== undefined ? { mailer } : {}),
    ...(externalFor !== undefined ? { externalFor } : {}),
  });
  // What identity providers push their directories to (docs/identity-providers.md "SCIM provisioning").
  registerScimRoutes(app, { store, authDomain: () => config.authDomain ?? listening, trustedProxies: config.trustedProxies });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    await store.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new ConfigError(`port in use: ${config.host}:${config.port} is taken (another portcullis?): pass --port or PORT (0 picks a free port).`);
    }
    throw new ConfigError(`Cannot listen on ${config.host}:${config.port}: ${(err as Error).message}`);
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  listening = url;
  // The default account's auth domain as sign-ins and tokens use it: its organization's
  // auth_domain wins over --auth-domain (docs/enforcement.md), so the banner says that one.
  const serverAuthDomain = authDomainOr(undefined, config.authDomain ?? url);
  let authDomain = serverAuthDomain;
  try {
    authDomain = authDomainOr((await readOrganization(store.read, account.value))?.body, serverAuthDomain);
  } catch {
    // The banner is no reason to stop a start: the server's own address stands in.
  }
  const authDomainNote = authDomain === serverAuthDomain ? '' : " (the organization's auth_domain)";
  print(`portcullis listening on ${url}`);
  print(`  dashboard: ${url}/?account=${account.value}`);
  print(`  API:       ${url}/client/v4   (OpenAPI: ${url}/client/v4/openapi.json)`);
  print(`  database:  ${redactUrl(config.db)}`);
  print(`  access:    forward auth at ${url}/cdn-cgi/access/authorize, auth domain ${authDomain}${authDomainNote}${config.devLogin ? ' (development login ON)' : ''}`);
  if (config.appPort !== undefined) print(`  launcher:  App Launcher tiles open the applications on port ${config.appPort} (--app-port)`);
  if (plainHttpAwayFromLoopback(authDomain)) {
    print(`  warning:   the auth domain ${authDomain} is plain http on a host other machines reach: sign-in cookies and application tokens would cross the network unencrypted; put TLS in front and make the auth domain https (docs/enforcement.md)`);
  }
  print(`  PINs:      ${mailer === undefined ? 'off (one-time PIN sign-in needs --smtp-url and --mail-from)' : `one-time PIN codes mailed through ${mailer.description}`}`);
  print(`  SCIM:      ${authDomain}/scim/v2/<account id>/<identity provider id> (each provider's scim_base_url)`);
  print(`  account:   ${account.value}${account.origin === 'environment' ? '' : `   (kept in ${account.file}${account.adopted === true ? ', which was missing: the database\'s account' : ''})`}`);
  if (config.accounts.length > 0) print(`  accounts:  ${config.accounts.join(', ')}`);
  if (config.settings.openAccounts === true) print('  accounts:  open (any well-formed account id is served)');
  print(`  secrets:   ${keys.origin === 'environment' ? 'sealed with PORTCULLIS_SECRETS_KEY' : `sealed with the key in ${config.secretsKeyFile}${keys.origin === 'generated' ? ' (generated: back it up, apart from the database)' : ''}`}`);
  if (token.origin === 'generated') print(`  root API token (generated, kept in ${token.file}):\n    ${token.value}`);
  else if (token.origin === 'file') print(`  root API token: in ${token.file}`);
  else print('  root API token: from PORTCULLIS_API_TOKEN');
  return {
    config,
    url,
    rootToken: token,
    account,
    app,
    store,
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}
