// A real portcullis HTTP server for tests: a fresh database (SQLite file or PostgreSQL
// schema), listening on an ephemeral loopback port, with a known root token.

import { randomBytes } from 'node:crypto';
import Cloudflare from 'cloudflare';
import type { FastifyInstance } from 'fastify';
import { hashSecret } from '../../src/api/auth/authenticate.js';
import { ROUTES } from '../../src/api/routes.js';
import { buildServer } from '../../src/api/server.js';
import type { SpoolOptions } from '../../src/api/ndjson-body.js';
import type { ServerSettings } from '../../src/api/settings.js';
import type { RunnerOptions } from '../../src/tester/runner.js';
import type { ExternalEvaluator } from '../../src/engine/index.js';
import { openStore } from '../../src/store/open.js';
import { testKeys } from './secrets-key.js';
import { registerAccessRoutes, type AccessOptions } from '../../src/access/routes.js';
import { registerScimRoutes } from '../../src/access/scim/routes.js';
import { SigningKeys } from '../../src/account/signing-keys.js';
import { accountEvaluators } from '../../src/server/account-evaluators.js';
import type { Store } from '../../src/store/store.js';
import { sqliteDatabase, type TestDatabase } from './databases.js';

export interface TestServer {
  readonly baseUrl: string;
  /** The API base the SDK needs: baseUrl + /client/v4. */
  readonly apiUrl: string;
  readonly rootToken: string;
  readonly accountId: string;
  readonly store: Store;
  readonly app: FastifyInstance;
  readonly database: TestDatabase;
  /** The enforcement point's signing keys, when it is served (options.access). */
  readonly accessKeys?: SigningKeys;
  /** fetch against the API with the root token (or the given headers). */
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; json: any }>;
  sdk(token?: string): Cloudflare;
  close(): Promise<void>;
}

export const randomAccountId = (): string => randomBytes(16).toString('hex');

export interface TestServerOptions {
  readonly database?: TestDatabase;
  readonly settings?: Partial<ServerSettings>;
  /** Keep the database when closing (to reopen it in a restart test). */
  readonly keepDatabase?: boolean;
  /** X-Auth-Email / X-Auth-Key credentials with root rights. */
  readonly authKey?: { readonly email: string; readonly key: string };
  /** Policy-test runner options (concurrency 0: tests stay processing until a test runs them). */
  readonly tester?: RunnerOptions;
  /** Asks external_evaluation endpoints with this evaluator (its own key) for every account; none: such rules are unknown. */
  readonly external?: ExternalEvaluator;
  /**
   * Asks external_evaluation endpoints as `portcullis serve` does, signing with each account's
   * Access key, for the API and the sign-ins; these hosts may be reached although not public.
   */
  readonly accountExternal?: { readonly allowlist: readonly string[] };
  /** Serve the enforcement point too (docs/enforcement.md), with the auth domain at the server's own URL. */
  readonly access?: Omit<AccessOptions, 'store' | 'keys' | 'accountId' | 'authDomain'> & { readonly accountId?: string };
  /** The built dashboard to serve (default dist/web). */
  readonly webRoot?: string;
  /** A pino configuration (e.g. a level and a stream to read the log from); default none. */
  /** Where and past how many bytes an import's body goes to a temporary file (ndjson-body.ts). */
  readonly spool?: SpoolOptions;
  readonly logger?: Record<string, unknown>;
  /** PORTCULLIS_TRUSTED_PROXIES for the API (and the enforcement point unless access names its own); loopback by default. */
  readonly trustedProxies?: readonly string[];
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const database = options.database ?? sqliteDatabase();
  const store = await openStore(database.url, { secrets: testKeys() });
  const rootToken = randomBytes(30).toString('base64url');
  const root = {
    tokenHash: hashSecret(rootToken),
    ...(options.authKey !== undefined ? { authEmail: options.authKey.email, authKeyHash: hashSecret(options.authKey.key) } : {}),
  };
  const signingKeys = new SigningKeys(store);
  const externalFor =
    options.accountExternal !== undefined ? accountEvaluators(signingKeys, { allowlist: options.accountExternal.allowlist, timeoutMs: 5000 }) : options.external !== undefined ? () => options.external! : undefined;
  let listening = '';
  const accountId = options.access?.accountId ?? randomAccountId();
  const app = await buildServer({
    store,
    signingKeys,
    defaultAuthDomain: () => listening,
    defaultAccountId: accountId,
    root,
    routes: ROUTES,
    // Tests pick random account ids, as SDK suites do; the tests of explicit accounts say openAccounts: false.
    settings: { openAccounts: true, ...options.settings },
    tester: { idleMs: 50, ...options.tester },
    ...(externalFor !== undefined ? { externalFor } : {}),
    ...(options.webRoot !== undefined ? { webRoot: options.webRoot } : {}),
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
    ...(options.spool !== undefined ? { spool: options.spool } : {}),
    ...(options.trustedProxies !== undefined ? { trustedProxies: options.trustedProxies } : {}),
  });
  const accessKeys = options.access === undefined ? undefined : signingKeys;
  if (options.access !== undefined) {
    registerAccessRoutes(app, {
      store,
      keys: accessKeys!,
      authDomain: () => listening,
      ...(externalFor !== undefined ? { externalFor } : {}),
      ...(options.trustedProxies !== undefined ? { trustedProxies: options.trustedProxies } : {}),
      ...options.access,
      accountId,
    });
  }
  // As `portcullis serve` does: every server takes SCIM pushes.
  registerScimRoutes(app, { store, authDomain: () => listening, ...(options.trustedProxies !== undefined ? { trustedProxies: options.trustedProxies } : {}) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  const baseUrl = `http://127.0.0.1:${address.port}`;
  listening = baseUrl;
  const apiUrl = `${baseUrl}/client/v4`;
  return {
    ...(accessKeys !== undefined ? { accessKeys } : {}),
    baseUrl,
    apiUrl,
    rootToken,
    accountId,
    store,
    app,
    database,
    async api(method, path, body, headers) {
      const res = await fetch(apiUrl + path, {
        method,
        headers: {
          authorization: `Bearer ${rootToken}`,
          ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new Error(`${method} ${path}: ${res.status} answered non-JSON: ${text.slice(0, 200)}`);
      }
      return { status: res.status, headers: res.headers, json };
    },
    sdk(token = rootToken) {
      return new Cloudflare({ apiToken: token, baseURL: apiUrl, maxRetries: 0 });
    },
    async close() {
      await app.close();
      await store.close();
      if (options.keepDatabase !== true) await database.drop();
    },
  };
}
