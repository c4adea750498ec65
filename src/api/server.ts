// The HTTP server: fastify, Cloudflare's v4 envelope on every answer (errors included), auth
// on every route, request validation from the route table, and JSON content type always.

import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { withAuditActor } from '../store/audit.js';
import { CommitOutcomeUnknown, isStoreUnavailable } from '../store/errors.js';
import { TOKENS_SCOPE, type Store } from '../store/store.js';
import { TestRunner, type RunnerOptions } from '../tester/runner.js';
import { quote, type ExternalEvaluator } from '../engine/index.js';
import { Authenticator, type RootCredentials } from './auth/authenticate.js';
import { ChangeStamps, type ChangeStamp } from './change-stamps.js';
import { KeptAnswers } from './kept-answers.js';
import { accountResource, userResource } from './auth/permissions.js';
import type { Principal } from './auth/principal.js';
import { failure, success } from './envelope.js';
import { API_ERRORS, ApiError, apiError, queryValidationError, renderMessage, shouldRetry, validationError, type EnvelopeMessage } from './errors.js';
import { KnownAccounts } from './known-accounts.js';
import { openApiDocument } from './openapi.js';
import { clientBucket, RateLimiter } from './rate-limit.js';
import { DEFAULT_TRUSTED_PROXIES, clientAddress, parseTrustedProxies, type TrustedProxies } from './trusted-proxies.js';
import type { ApiContext, HandlerOutput, RouteDef } from './route.js';
import { bodyValidator, queryValidator, type Validator } from '../schema/validator.js';
import { obj } from '../schema/json-schema.js';
import { DEFAULT_SETTINGS, type ServerSettings } from './settings.js';
import { DEFAULT_WEB_ROOT, registerDashboard } from './static.js';
import { SigningKeys } from '../account/signing-keys.js';
import { UNSTORABLE_MESSAGE, parseUntrustedJson, unacceptedCharset, unstorableField } from './untrusted-json.js';
import { answerClientError, frameworkError, isClientAbort, type ErrorBodyRenderer } from './transport-errors.js';
import { setAsideUnknownFields, topLevelFields } from './unknown-fields.js';
import { ImportSlots } from './import-slots.js';
import { ImportGarbage } from './import-garbage.js';
import { NdjsonBody, type SpoolOptions } from './ndjson-body.js';

export const API_PREFIX = '/client/v4';
const ACCOUNT_ID = /^[0-9a-f]{32}$/i;
const JSON_TYPE = 'application/json';
/** Fastify appends the charset on some paths; say it always, so every answer is the same. */
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
const NDJSON_TYPE = 'application/x-ndjson';
/** Longest path parameter the router accepts (ids are far shorter). */
const MAX_PARAM_LENGTH = 256;

export interface BuildServerOptions {
  readonly store: Store;
  /** The accounts' signing keys, to share with the enforcement point (made here when left out). */
  readonly signingKeys?: SigningKeys;
  /** The server's public URL (known once it listens), for organizations that name no auth domain. */
  readonly defaultAuthDomain?: () => string;
  /** The default account, whose auth domain that URL is while its organization names none. */
  readonly defaultAccountId?: string;
  readonly root: RootCredentials;
  readonly routes: readonly RouteDef[];
  readonly settings?: Partial<ServerSettings>;
  /** A pino logger configuration, or false for none (tests). */
  readonly logger?: boolean | Record<string, unknown>;
  /** The policy-test runner's options (it starts with the server and stops with it). */
  readonly tester?: RunnerOptions;
  /** Asks external_evaluation endpoints for an account (server/account-evaluators.ts); without it those rules are unknown. */
  readonly externalFor?: (accountId: string) => ExternalEvaluator;
  /** The built dashboard (default dist/web); served at / when it exists. */
  readonly webRoot?: string;
  /** Where a user import's body waits past what is held in memory (ndjson-body.ts): serve gives the data directory; the OS's temporary directory by default. */
  readonly spool?: SpoolOptions;
  /** Peers whose X-Forwarded-For names the client (PORTCULLIS_TRUSTED_PROXIES); loopback by default. */
  readonly trustedProxies?: readonly string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** For a route that keeps its answers: the account's change stamp, read with the token's. */
    keptStamp: Promise<ChangeStamp> | null;
    /** The client's address, from a trusted proxy's X-Forwarded-For (trusted-proxies.ts), once its route's checks begin. */
    clientIp: string;
  }
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function send(reply: FastifyReply, status: number, payload: unknown, headers: Readonly<Record<string, string>> = {}): FastifyReply {
  return sendText(reply, status, JSON.stringify(payload), headers);
}

/** Send JSON already serialised. */
function sendText(reply: FastifyReply, status: number, text: string, headers: Readonly<Record<string, string>> = {}): FastifyReply {
  reply.code(status).headers(headers).header('content-type', JSON_CONTENT_TYPE);
  if (status >= 400 && !shouldRetry(status)) reply.header('x-should-retry', 'false');
  return reply.send(text);
}

function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  return send(reply, error.status, failure(error.errors), error.headers);
}

const frameworkErrorAnswers = new WeakMap<FastifyInstance, { readonly prefix: string; readonly render: ErrorBodyRenderer }[]>();

/**
 * Answer errors found before any route or scope under `prefix` with `render`'s body instead of
 * the envelope: framework errors (a path the router cannot decode, a segment past the length
 * limit), where only the root instance's handler runs, and the HTTP parser's (headers too large),
 * answered on the socket (transport-errors.ts).
 */
export function answerFrameworkErrorsUnder(app: FastifyInstance, prefix: string, render: ErrorBodyRenderer): void {
  frameworkErrorAnswers.set(app, [...(frameworkErrorAnswers.get(app) ?? []), { prefix, render }]);
}

/** The renderer registered for a path, if any. */
const rendererFor = (app: FastifyInstance, path: string): ErrorBodyRenderer | undefined => frameworkErrorAnswers.get(app)?.find(({ prefix }) => path.startsWith(prefix))?.render;

function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendRendered(request, reply, frameworkError(error, MAX_PARAM_LENGTH));
}

/** An error answered as the path's renderer says (a sign-in page in HTML, SCIM in its format), else in the API's envelope. */
function sendRendered(request: FastifyRequest, reply: FastifyReply, answer: ApiError): FastifyReply {
  const render = rendererFor(request.server, request.url);
  if (render === undefined) return sendError(reply, answer);
  const rendered = render(answer);
  return reply.code(answer.status).headers(answer.headers ?? {}).header('cache-control', 'no-store').header('content-type', rendered.contentType).send(rendered.body);
}

/** Map fastify's own request errors (body parsing, limits, URLs) into the registry. */
function fromFastifyError(error: FastifyError & { statusCode?: number }, request: FastifyRequest, settings: ServerSettings): ApiError {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return apiError('invalid_json', { detail: 'it could not be parsed' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return apiError('missing_body');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return apiError('body_too_large', { limit: request.routeOptions.bodyLimit ?? settings.bodyLimitBytes });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return apiError('unsupported_media_type', { contentType: JSON.stringify(request.headers['content-type'] ?? '(none)'), expected: JSON_TYPE });
    default:
      // Not to be retried blindly: the SDKs send a 503 again unless told not to, and a create sent again would be made twice.
      if (error instanceof CommitOutcomeUnknown) return apiError('commit_outcome_unknown', {}, { 'x-should-retry': 'false' });
      if (isStoreUnavailable(error)) return apiError('store_unavailable', {}, { 'retry-after': '2' });
      if (error instanceof SyntaxError) return apiError('invalid_json', { detail: error.message });
      if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
        return new ApiError(error.statusCode, [{ code: API_ERRORS.bad_request.code, message: renderMessage(API_ERRORS.bad_request.message, { detail: error.message }) }]);
      }
      return apiError('internal_error', { requestId: request.id });
  }
}

/** A body parser that refuses a declared charset other than UTF-8 (415), and bytes that are not UTF-8 (400), before `parse` reads the text. */
/** A request body's content coding other than none (identity), which this server does not undo: read as it is, it would be taken for bad JSON. */
function unacceptedCoding(header: string | undefined): string | undefined {
  const codings = (header ?? '').split(',').map((c) => c.trim().toLowerCase()).filter((c) => c !== '' && c !== 'identity');
  return codings.length === 0 ? undefined : codings.join(', ');
}

function utf8Body(parse: (text: string) => unknown) {
  return (request: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void): void => {
    const charset = unacceptedCharset(request.headers['content-type']);
    if (charset !== undefined) return done(apiError('unsupported_charset', { charset: quote(charset) }), undefined);
    const coding = unacceptedCoding(request.headers['content-encoding']);
    if (coding !== undefined) return done(apiError('unsupported_encoding', { coding: quote(coding) }), undefined);
    // Bytes that are not UTF-8 are refused, not read as U+FFFD and stored so.
    if (typeof body !== 'string' && !isUtf8(body)) return done(apiError('invalid_json', { detail: 'it is not UTF-8' }), undefined);
    try {
      done(null, parse(typeof body === 'string' ? body : body.toString('utf8')));
    } catch (err) {
      done(err as Error, undefined);
    }
  };
}

/** Path templates as regular expressions, to tell 405 (known path, other method) from 404. */
function pathMatcher(routes: readonly RouteDef[]): (path: string) => string[] {
  const compiled = routes.map((r) => ({
    method: r.method,
    // The path exactly as routed: a trailing slash is another path (no route), never a wrong method.
    re: new RegExp(`^${API_PREFIX}${r.path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }));
  return (path) => [...new Set(compiled.filter((c) => c.re.test(path)).map((c) => c.method))];
}

const toFastifyPath = (path: string): string => API_PREFIX + path.replace(/\{([^}]+)\}/g, ':$1');

function contentType(request: FastifyRequest): string | undefined {
  const header = request.headers['content-type'];
  return header === undefined ? undefined : header.split(';')[0].trim().toLowerCase();
}

export async function buildServer(options: BuildServerOptions): Promise<FastifyInstance> {
  const settings: ServerSettings = { ...DEFAULT_SETTINGS, ...options.settings };
  let made: FastifyInstance | undefined;
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: settings.bodyLimitBytes,
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    requestTimeout: settings.requestTimeoutMs,
    // Node checks timeouts on an interval (30 s by default): check often enough that a request
    // timeout is enforced close to when it is due.
    http: {
      connectionsCheckingInterval: Math.max(100, Math.min(30_000, Math.floor(settings.requestTimeoutMs / 4))),
      headersTimeout: Math.min(60_000, settings.requestTimeoutMs),
    },
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: answerFrameworkError,
    // The instance is known once made; the parser's errors come only after it listens.
    clientErrorHandler: (error, socket) => answerClientError(error, socket, settings, (path) => (made === undefined ? undefined : rendererFor(made, path))),
  });
  made = app;
  const tester = new TestRunner(options.store, {
    exclusive: options.store.dialect === 'sqlite',
    log: (message, err) => app.log.error({ err }, message),
    info: (message, fields) => app.log.info(fields, message),
    ...(options.externalFor !== undefined ? { externalFor: options.externalFor } : {}),
    ...options.tester,
  });
  app.addHook('onReady', () => tester.start());
  app.addHook('onClose', () => tester.stop());
  // A request answered before its body arrived in full (an import refused mid-body: too large, or
  // its body could not be kept) leaves the rest of that body on the connection, where a client's
  // next request on it would wait behind bytes no one reads: the connection closes after the answer.
  // No browser may take an answer for another type than it declares (a JSON error echoing a
  // stored name read as a page): every answer, the API's and the enforcement point's, says so.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-content-type-options', 'nosniff');
    if (!request.raw.complete) reply.header('connection', 'close');
    done(null, payload);
  });
  const limits = new RequestLimits(settings);
  const ctx: ApiContext = {
    store: options.store,
    settings,
    tester,
    externalFor: options.externalFor,
    accounts: new KnownAccounts(options.store, settings.openAccounts),
    signingKeys: options.signingKeys ?? new SigningKeys(options.store),
    defaultAuthDomain: options.defaultAuthDomain ?? (() => ''),
    defaultAccountId: options.defaultAccountId,
    chargeOutboundCalls: (principal, calls) => limits.charge(principal, calls, 'outbound external evaluation calls'),
    importSlots: new ImportSlots(settings.importConcurrency),
    importGarbage: new ImportGarbage((report) => app.log.info({ collectedAfterImport: report }, 'collected the heap after a large import')),
  };
  const stamps = new ChangeStamps(options.store);
  const authenticator = new Authenticator(options.store, options.root, stamps);
  const allowedMethods = pathMatcher(options.routes);

  app.decorateRequest('principal', null);
  app.decorateRequest('keptStamp', null);
  app.decorateRequest('clientIp', '');

  // JSON with the parser's own message on errors, refusing prototype pollution; JSON and
  // NDJSON only as UTF-8 (a body declared in another charset would be misread).
  app.removeContentTypeParser(JSON_TYPE);
  app.addContentTypeParser(JSON_TYPE, { parseAs: 'buffer' }, utf8Body((text) => {
    if (text.trim().length === 0) return undefined;
    try {
      return parseUntrustedJson(text);
    } catch (err) {
      throw apiError('invalid_json', { detail: (err as Error).message });
    }
  }));
  // NDJSON (the user import) is handed over unread, to be read as it streams in (ndjson-body.ts).
  app.addContentTypeParser(NDJSON_TYPE, (request, payload, done) => {
    const charset = unacceptedCharset(request.headers['content-type']);
    if (charset !== undefined) return done(apiError('unsupported_charset', { charset: quote(charset) }), undefined);
    const coding = unacceptedCoding(request.headers['content-encoding']);
    if (coding !== undefined) return done(apiError('unsupported_encoding', { coding: quote(coding) }), undefined);
    // Only the user import accepts NDJSON (other routes refuse it unread, as unsupported).
    const limit = settings.importBodyLimitBytes;
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return done(apiError('body_too_large', { limit }), undefined);
    done(null, new NdjsonBody(payload, limit, options.spool));
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ApiError) return sendRendered(request, reply, error);
    if (isClientAbort(error, request.raw)) {
      request.log.debug({ err: error }, 'the client closed the connection before its request arrived in full');
      return sendError(reply, apiError('bad_request', { detail: 'the connection closed before the request arrived in full' }));
    }
    const mapped = fromFastifyError(error, request, settings);
    // A database outage fails every request alike: one line each, not a stack trace each.
    if (mapped.status === 503) request.log.warn({ reason: error.message }, 'database unavailable');
    else if (mapped.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendRendered(request, reply, mapped);
  });

  const dashboard = registerDashboard(app, options.webRoot ?? DEFAULT_WEB_ROOT, API_PREFIX);

  app.setNotFoundHandler(async (request, reply) => {
    if (await dashboard.fallback(request, reply)) return reply;
    const path = request.url.split('?')[0];
    const allowed = allowedMethods(path);
    if (allowed.length > 0) {
      return sendError(reply, apiError('method_not_allowed', { method: request.method, path, allowed: allowed.join(', ') }, { allow: allowed.join(', ') }));
    }
    return sendError(reply, apiError('route_not_found', { method: request.method, path }));
  });

  // Liveness: the process answers. Readiness: it can also read its database now, which a load
  // balancer should check before sending it traffic (a hung database holds requests until they time out).
  app.get('/healthz', async (_request, reply) => send(reply, 200, success({ status: 'ok' })));
  app.get('/readyz', async (_request, reply) => {
    const ready = await databaseAnswers(options.store, READY_CHECK_MS);
    if (!ready) return sendError(reply, apiError('store_unavailable', {}, { 'retry-after': '2' }));
    return send(reply, 200, success({ status: 'ok' }));
  });
  // The document itself (not wrapped in an envelope), readable without credentials.
  const document = JSON.stringify(openApiDocument(options.routes, { version: packageVersion() }));
  app.get(`${API_PREFIX}/openapi.json`, async (_request, reply) => reply.header('content-type', JSON_CONTENT_TYPE).send(document));

  const kept = { stamps, answers: new KeptAnswers() };
  const trusted = parseTrustedProxies(options.trustedProxies ?? DEFAULT_TRUSTED_PROXIES);
  for (const route of options.routes) registerRoute(app, route, ctx, authenticator, limits, kept, trusted);
  return app;
}

function registerRoute(
  app: FastifyInstance,
  route: RouteDef,
  ctx: ApiContext,
  authenticator: Authenticator,
  limits: RequestLimits,
  kept: { readonly stamps: ChangeStamps; readonly answers: KeptAnswers },
  trusted: TrustedProxies,
): void {
  if (route.keep !== undefined && (route.method !== 'GET' || route.path.startsWith('/accounts/{account_id}/') === false)) {
    throw new Error(`${route.operationId}: only a GET of an account may keep its answers`);
  }
  const validateQuery: Validator | undefined = route.query !== undefined ? queryValidator(obj({ ...route.query }, { additional: true })) : undefined;
  const validateBody: Validator | undefined = route.body !== undefined ? bodyValidator(route.body) : undefined;
  const bodyFields = route.method === 'GET' ? undefined : topLevelFields(route.body ?? route.documentedBody, route.result);
  const acceptsBody = route.body !== undefined || route.documentedBody !== undefined;
  const bodyRequired = route.bodyRequired ?? acceptsBody;
  const contentTypes = route.contentTypes ?? [JSON_TYPE];
  const isUserRoute = !route.path.startsWith('/accounts/');
  const bodyLimit = typeof route.bodyLimit === 'function' ? route.bodyLimit(ctx.settings) : route.bodyLimit;

  app.route({
    method: route.method,
    url: toFastifyPath(route.path),
    ...(bodyLimit !== undefined ? { bodyLimit } : {}),
    // Credentials and permissions are checked before the body is read.
    onRequest: async (request) => {
      // The router lets a parameter be empty (`.../policies/` reaches the item route): no route has an empty id.
      if (Object.values(request.params as Record<string, string>).some((value) => value === '')) {
        throw apiError('route_not_found', { method: request.method, path: request.url.split('?')[0] });
      }
      // Before the credentials: a token's IP condition and the failed-credentials limit both read it.
      request.clientIp = clientAddress(request, trusted) ?? '';
      if (route.keep === 'account') {
        // Asked in the same turn as the token's stamp, so one read of the store serves both
        // (SQLite's commit stamp covers every scope). Still read after the request arrived and
        // before the handler reads, which is all a kept answer needs (change-stamps.ts).
        const accountId = (request.params as Record<string, string>).account_id ?? '';
        if (ACCOUNT_ID.test(accountId)) request.keptStamp = kept.stamps.read(accountId.toLowerCase());
      }
      const principal = await limits.authenticate(request, () =>
        authenticator.authenticate({
          authorization: request.headers.authorization,
          authEmail: header(request, 'x-auth-email'),
          authKey: header(request, 'x-auth-key'),
          ip: request.clientIp,
        }),
      );
      request.principal = principal;
      const params = request.params as Record<string, string>;
      let resource = userResource();
      if (!isUserRoute) {
        if (!ACCOUNT_ID.test(params.account_id ?? '')) throw apiError('account_not_found', { accountId: JSON.stringify(params.account_id ?? '') });
        resource = accountResource(params.account_id.toLowerCase());
      }
      if (route.rootOnly === true && principal.kind !== 'root') throw apiError('forbidden', { reason: 'only the root credentials may do this' });
      if (route.permissions.length > 0 && !principal.can(route.permissions, resource)) {
        throw apiError('forbidden', { reason: `this request needs the "${route.permissions.join('" or "')}" permission on ${isUserRoute ? 'your API tokens' : 'this account'}` });
      }
      // Asked only once the credentials may reach the account: others learn nothing of which ids exist.
      if (!isUserRoute && !(await ctx.accounts.exists(params.account_id.toLowerCase()))) {
        throw apiError('forbidden', { reason: `account ${params.account_id.toLowerCase()} does not exist, or these credentials cannot reach it (GET /accounts lists the ones they can)` });
      }
    },
    handler: async (request, reply) => {
      const params = { ...(request.params as Record<string, string>) };
      const accountId = (params.account_id ?? '').toLowerCase();
      if (params.account_id !== undefined) params.account_id = accountId;

      const unstorable = unstorableField(params) ?? unstorableField(request.query as Record<string, unknown>);
      if (unstorable !== undefined) throw apiError('bad_request', { detail: `${JSON.stringify(unstorable)} ${UNSTORABLE_MESSAGE}` });

      const query = { ...(request.query as Record<string, unknown>) };
      const queryIssues = validateQuery?.(query) ?? [];
      if (queryIssues.length > 0) throw queryValidationError(queryIssues);

      let body: unknown = request.body;
      if (body !== undefined && acceptsBody) {
        const type = contentType(request);
        if (type !== undefined && !contentTypes.includes(type)) {
          throw apiError('unsupported_media_type', { contentType: JSON.stringify(type), expected: contentTypes.join(' or ') });
        }
      }
      if (!acceptsBody) body = undefined;
      if (body === undefined && bodyRequired) throw apiError('missing_body');
      let notes: EnvelopeMessage[] = [];
      if (body !== undefined && bodyFields !== undefined && !(body instanceof NdjsonBody)) ({ body, messages: notes } = setAsideUnknownFields(body, bodyFields));
      // NDJSON arrives unread for the handler to parse; every JSON body is validated, a JSON string too.
      if (body !== undefined && validateBody !== undefined && contentType(request) !== NDJSON_TYPE) {
        const issues = validateBody(body);
        if (issues.length > 0) throw validationError(issues);
      }

      const principal = request.principal!;
      const run = () => route.handler({ params, query, body, accountId, principal, ctx, request });
      if (route.keep === 'account') {
        // Read before the handler reads: a write after this point moves it (change-stamps.ts).
        const stamp = await (request.keptStamp ?? kept.stamps.read(accountId));
        // The URL as sent determines the parameters and the query, so it keys the answer
        // (another spelling of the same request is kept apart, never confused with it).
        const key = `${route.operationId}\n${request.url}`;
        const answer = stamp === undefined ? undefined : kept.answers.get(key, stamp);
        if (answer !== undefined) return sendText(reply, answer.status, answer.text, answer.headers);
        const out = await run();
        const fresh = { status: out.status ?? route.status, text: JSON.stringify(success(out.result, out.messages ?? [], out.resultInfo)), headers: out.headers };
        if (stamp !== undefined) kept.answers.set(key, stamp, fresh);
        return sendText(reply, fresh.status, fresh.text, fresh.headers);
      }
      // Writes are audited: the store records who made them in the same transaction.
      const out: HandlerOutput =
        route.method === 'GET'
          ? await run()
          : await withAuditActor({ kind: principal.kind, tokenId: principal.tokenId, ip: request.clientIp, requestId: String(request.id), method: route.method, path: request.url.split('?')[0] }, run);
      return send(reply, out.status ?? route.status, success(out.result, [...notes, ...(out.messages ?? [])], out.resultInfo), out.headers);
    },
  });
}

/** Rate limits on credentials: per API token, and per client (request.clientIp's bucket: an IPv6 client's /64) for failed authentication. */
class RequestLimits {
  private readonly perToken: RateLimiter;
  private readonly failures: RateLimiter;

  constructor(private readonly settings: ServerSettings) {
    this.perToken = new RateLimiter({ limit: settings.rateLimit, windowMs: settings.rateWindowMs });
    this.failures = new RateLimiter({ limit: settings.failedAuthPerMinute, windowMs: 60_000 });
  }

  async authenticate(request: FastifyRequest, authenticate: () => Promise<Principal>): Promise<Principal> {
    let principal: Principal;
    try {
      principal = await authenticate();
    } catch (err) {
      const decision = this.failures.take(clientBucket(request.clientIp));
      if (!decision.allowed) throw limited('with bad credentials from this address', this.settings.failedAuthPerMinute, 'minute', decision.retryAfterS);
      throw err;
    }
    if (principal.kind === 'token' || this.settings.rateLimitRoot) {
      const decision = this.perToken.take(principal.tokenId);
      if (!decision.allowed) throw limited('for this API token', this.settings.rateLimit, `${Math.round(this.settings.rateWindowMs / 1000)} s`, decision.retryAfterS);
    }
    return principal;
  }

  /** Charge work done for an already admitted request (counted like requests, in the same bucket). */
  charge(principal: Principal, cost: number, what: string): void {
    if (cost <= 0 || !(principal.kind === 'token' || this.settings.rateLimitRoot)) return;
    const decision = this.perToken.take(principal.tokenId, Date.now(), cost);
    if (!decision.allowed) throw limited(`for this API token (${cost} ${what} count as ${cost} requests)`, this.settings.rateLimit, `${Math.round(this.settings.rateWindowMs / 1000)} s`, decision.retryAfterS);
  }
}

function limited(who: string, limit: number, window: string, retryAfterS: number): ApiError {
  return apiError('rate_limited', { who, limit, window, retryAfter: retryAfterS }, { 'retry-after': String(retryAfterS) });
}


function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** How long a readiness check waits for the database. */
const READY_CHECK_MS = 2_000;

/**
 * Whether a small read of the database is answered within `withinMs`: one indexed row (the API
 * tokens' version), the same however many accounts the server holds (a list of every account's
 * version made each probe cost as much as their number).
 */
async function databaseAnswers(store: Store, withinMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), withinMs)));
  try {
    return await Promise.race([store.read.accountVersion(TOKENS_SCOPE).then(() => true as const, () => false as const), late]);
  } finally {
    clearTimeout(timer);
  }
}
