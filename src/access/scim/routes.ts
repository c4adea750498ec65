// The SCIM 2.0 service of each identity provider (RFC 7643/7644; docs/identity-providers.md
// "SCIM provisioning"), at /scim/v2/{account_id}/{identity_provider_id}: what the provider
// pushes to, so outside /client/v4, in a scope of its own with SCIM's content types
// (application/scim+json and application/json), error shapes and bearer authentication. Every
// write runs in the account's transaction with the provider as the audit log's actor.

import { isUtf8 } from 'node:buffer';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SCIM_MOUNT } from '../../account/scim-provisioning.js';
import { withAuditActor } from '../../store/audit.js';
import { CommitOutcomeUnknown, isStoreUnavailable } from '../../store/errors.js';
import type { ResourceRecord, Store, StoreReader, StoreWriter } from '../../store/store.js';
import { parseUntrustedJson, unacceptedCharset, UNSTORABLE_MESSAGE, unstorableField } from '../../api/untrusted-json.js';
import { answerFrameworkErrorsUnder } from '../../api/server.js';
import { ApiError } from '../../api/errors.js';
import { DEFAULT_TRUSTED_PROXIES, clientAddress, parseTrustedProxies } from '../../api/trusted-proxies.js';
import { AccessLog } from '../access-log.js';
import { ScimAuthenticator } from './auth.js';
import { userBody, groupBody, type ProviderScope } from './directory.js';
import { listResponse, MAX_RESULTS, resourceTypes, schemas, serviceProviderConfig } from './discovery.js';
import { badRequest, notFound, ScimError } from './errors.js';
import { compileFilter, equalityOn, parseFilter } from './filter.js';
import { createGroup, deleteGroup, replaceGroup } from './groups.js';
import { ownRecordOr404, recordsByKey } from './records.js';
import { presentGroups, presentUsers, projected } from './representation.js';
import { attributeLookup, GROUPS, incoming, patched, USERS, type ResourceTypeInfo } from './schemas.js';
import { createUser, deleteUser, replaceUser } from './users.js';
import { recordScimWrite } from './update-log.js';

export interface ScimOptions {
  readonly store: Store;
  /** This server's public URL (a function when it is known only once the server listens): scim_base_url of an organization without an auth domain. */
  readonly authDomain: string | (() => string);
  /** Largest accepted body (default 1 MiB). */
  readonly bodyLimitBytes?: number;
  /** Peers whose X-Forwarded-For names the client (PORTCULLIS_TRUSTED_PROXIES), for the audit and access logs; loopback by default. */
  readonly trustedProxies?: readonly string[];
}

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';
const DEFAULT_BODY_LIMIT = 1024 * 1024;
const DEFAULT_COUNT = 100;
const BASE = '/:account_id/:identity_provider_id';

/** The SCIM service, under /scim/v2, in a scope of its own (its parsers and errors are not the API's). */
export function registerScimRoutes(app: FastifyInstance, options: ScimOptions): void {
  void app.register(async (scope) => routesIn(scope, options), { prefix: SCIM_MOUNT });
  // A path the router refuses before any route (a segment past its length limit, bad escapes) is
  // still answered as SCIM answers errors.
  answerFrameworkErrorsUnder(app, `${SCIM_MOUNT}/`, (error) => ({
    contentType: SCIM_CONTENT_TYPE,
    body: JSON.stringify(new ScimError(error.status, error.status === 400 ? 'invalidSyntax' : undefined, error.errors.map((e) => e.message).join(' ')).body()),
  }));
}

function send(reply: FastifyReply, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): FastifyReply {
  reply.code(status).headers(headers).header('cache-control', 'no-store');
  return body === undefined ? reply.send() : reply.header('content-type', SCIM_CONTENT_TYPE).send(JSON.stringify(body));
}

/** The account and provider a request names: from its route, or (for a path no route has) from the path itself. */
function namedProvider(request: FastifyRequest): { accountId: string; providerId: string } {
  const params = request.params as Record<string, string | undefined>;
  if (params.account_id !== undefined && params.identity_provider_id !== undefined) return { accountId: params.account_id, providerId: params.identity_provider_id };
  const [accountId = '', providerId = ''] = request.url.split('?')[0]!.slice(SCIM_MOUNT.length + 1).split('/');
  return { accountId, providerId };
}

const sameAttributes = (a: Record<string, unknown>, b: Record<string, unknown>): boolean => JSON.stringify(a) === JSON.stringify(b);

/** What a SCIM write's answer says about it, for the SCIM update log: the resource written (or deleted), or why it was refused. */
interface WriteOutcome {
  resource?: Record<string, unknown>;
  error?: string;
}
const outcomes = new WeakMap<FastifyRequest, WriteOutcome>();
const outcomeOf = (request: FastifyRequest): WriteOutcome => {
  let outcome = outcomes.get(request);
  if (outcome === undefined) outcomes.set(request, (outcome = {}));
  return outcome;
};

const sendError = (reply: FastifyReply, error: ScimError): FastifyReply => {
  outcomeOf(reply.request).error = error.message;
  return send(reply, error.status, error.body(), error.headers);
};

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Fastify's own request errors (body parsing, limits) as SCIM errors. */
function fromFrameworkError(error: Error & { code?: string; statusCode?: number }, limit: number): ScimError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return badRequest('invalidSyntax', 'The body is not JSON.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ScimError(413, undefined, `The body is larger than ${limit} bytes.`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ScimError(415, undefined, 'Send the body as application/scim+json or application/json.');
  }
  if (error instanceof SyntaxError) return badRequest('invalidSyntax', `The body is not JSON: ${error.message}`);
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) return new ScimError(error.statusCode, undefined, error.message);
  // The API's checks a SCIM request also passes through (a trusted proxy's malformed client address).
  if (error instanceof ApiError && error.status < 500) return new ScimError(error.status, undefined, error.message);
  return undefined;
}

/** One query parameter as text (a repeated one is refused). */
function queryText(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, unknown>)[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badRequest('invalidValue', `Give ${name} once.`);
  return value;
}

function queryInteger(request: FastifyRequest, name: string, fallback: number): number {
  const value = queryText(request, name);
  if (value === undefined || value.trim() === '') return fallback;
  if (!/^\s*-?\d{1,15}\s*$/.test(value)) throw badRequest('invalidValue', `${name} must be an integer, not ${JSON.stringify(value)}.`);
  return Number(value);
}

const present = (store: StoreReader, scope: ProviderScope, type: ResourceTypeInfo, records: readonly ResourceRecord[]): Promise<Record<string, unknown>[]> =>
  type === USERS ? presentUsers(store, scope, records) : Promise.resolve(presentGroups(scope, records));

const presentOne = async (store: StoreReader, scope: ProviderScope, type: ResourceTypeInfo, record: ResourceRecord): Promise<Record<string, unknown>> => (await present(store, scope, type, [record]))[0]!;

const versionOf = (resource: Record<string, unknown>): string => String((resource.meta as Record<string, unknown>).version);
const opaque = (etag: string): string => etag.trim().replace(/^W\//, '');

/** RFC 7644 §3.14: a write with If-Match goes ahead only on the version it names. */
async function checkIfMatch(request: FastifyRequest, store: StoreReader, scope: ProviderScope, type: ResourceTypeInfo, record: ResourceRecord): Promise<void> {
  const header = request.headers['if-match'];
  if (header === undefined || header.trim() === '*') return;
  const current = opaque(versionOf(await presentOne(store, scope, type, record)));
  if (!header.split(',').some((tag) => opaque(tag) === current)) throw new ScimError(412, undefined, `The ${type.name} changed since the version If-Match names.`);
}

/** A resource replaced by `attributes`; nothing is written when they are what is stored. */
async function replaced(tx: StoreWriter, scope: ProviderScope, type: ResourceTypeInfo, existing: ResourceRecord, attributes: Record<string, unknown>): Promise<ResourceRecord> {
  const current = type === USERS ? userBody(existing).resource : groupBody(existing).resource;
  if (sameAttributes(current, attributes)) return existing;
  return type === USERS ? replaceUser(tx, scope, existing, attributes) : replaceGroup(tx, scope, existing, attributes);
}

function routesIn(app: FastifyInstance, options: ScimOptions): void {
  const { store } = options;
  const limit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  const serverUrl = (): string => (typeof options.authDomain === 'function' ? options.authDomain() : options.authDomain);
  const authenticator = new ScimAuthenticator(store, new AccessLog(store), serverUrl);
  const scopes = new WeakMap<FastifyRequest, ProviderScope>();
  const trusted = parseTrustedProxies(options.trustedProxies ?? DEFAULT_TRUSTED_PROXIES);
  const scopeOf = (request: FastifyRequest): ProviderScope => scopes.get(request)!;

  app.removeAllContentTypeParsers();
  for (const type of ['application/scim+json', 'application/json']) {
    app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: limit }, (request, body, done) => {
      const charset = unacceptedCharset(request.headers['content-type']);
      if (charset !== undefined) return done(new ScimError(415, undefined, `Send the body in UTF-8, not ${charset}.`), undefined);
      // Bytes that are not UTF-8 are refused, not read as U+FFFD and stored so.
      if (!isUtf8(body as Buffer)) return done(badRequest('invalidSyntax', 'The body is not UTF-8.'), undefined);
      const text = (body as Buffer).toString('utf8');
      if (text.trim() === '') return done(null, undefined);
      try {
        done(null, parseUntrustedJson(text));
      } catch (err) {
        done(badRequest('invalidSyntax', `The body is not JSON: ${(err as Error).message}`), undefined);
      }
    });
  }

  app.setErrorHandler((error: Error, request, reply) => {
    if (error instanceof ScimError) return sendError(reply, error);
    // Not "try again": a create whose commit was lost may have been made, and sent again would be made twice.
    if (error instanceof CommitOutcomeUnknown) return sendError(reply, new ScimError(503, undefined, 'The connection to the database was lost while the change was committed: it may or may not have been made. Read it back before sending it again.'));
    if (isStoreUnavailable(error)) return sendError(reply.header('retry-after', '2'), new ScimError(503, undefined, 'The database is unavailable; try again shortly.'));
    const mapped = fromFrameworkError(error, limit);
    if (mapped !== undefined) return sendError(reply, mapped);
    request.log.error({ err: error }, 'SCIM request failed');
    return sendError(reply, new ScimError(500, undefined, `Internal error (request ${request.id}).`));
  });

  // Each authenticated write to Users or Groups goes to the SCIM update log before its answer goes
  // out (so whoever reads the log after the answer finds it). A failure to log is the server's
  // problem, not the provider's: the answer stands.
  app.addHook('onSend', async (request, reply, payload) => {
    const scope = scopes.get(request);
    const type = /\/(Users|Groups)(\/|$)/.exec(request.routeOptions.url ?? '')?.[1];
    if (scope === undefined || type === undefined || !WRITE_METHODS.has(request.method)) return payload;
    const outcome = outcomes.get(request) ?? {};
    const succeeded = reply.statusCode < 400;
    try {
      await recordScimWrite(store, {
        accountId: scope.accountId,
        idpId: scope.provider.id,
        method: request.method,
        resourceType: type === 'Users' ? 'USER' : 'GROUP',
        succeeded,
        resourceId: (request.params as { id?: string }).id ?? (typeof outcome.resource?.id === 'string' ? outcome.resource.id : undefined),
        attributes: outcome.resource,
        body: request.body,
        error: outcome.error,
      });
    } catch (err) {
      request.log.error({ err }, 'SCIM update log entry not written');
    }
    return payload;
  });

  app.setNotFoundHandler(async (request, reply) => sendError(reply, notFound(`${request.method} ${request.url.split('?')[0]} is not a SCIM endpoint of this server.`)));

  // Credentials are checked before the body is read.
  // (Also before a path no route has: with the right secret it is a 404, without it a 401.)
  app.addHook('onRequest', async (request) => {
    const ip = clientAddress(request, trusted);
    request.clientIp = ip ?? '';
    scopes.set(request, await authenticator.authenticate({ ...namedProvider(request), authorization: request.headers.authorization, ip }));
    const unstorable = unstorableField(request.params as Record<string, unknown>) ?? unstorableField(request.query as Record<string, unknown>);
    if (unstorable !== undefined) throw badRequest('invalidValue', `${unstorable} ${UNSTORABLE_MESSAGE}.`);
  });

  /** Run `write` in the account's transaction, the provider the author of every change it makes. */
  const write = <T>(request: FastifyRequest, fn: (tx: StoreWriter, scope: ProviderScope) => Promise<T>): Promise<T> => {
    const scope = scopeOf(request);
    const actor = { kind: 'scim' as const, tokenId: scope.provider.id, ip: request.clientIp, requestId: String(request.id), method: request.method, path: request.url.split('?')[0]! };
    return withAuditActor(actor, () => store.transaction(scope.accountId, (tx) => fn(tx, scope)));
  };

  const answerOne = (request: FastifyRequest, reply: FastifyReply, status: number, type: ResourceTypeInfo, resource: Record<string, unknown>): FastifyReply => {
    outcomeOf(request).resource = resource;
    const meta = resource.meta as Record<string, unknown>;
    const headers: Record<string, string> = { etag: String(meta.version), ...(status === 201 ? { location: String(meta.location) } : {}) };
    return send(reply, status, projected(resource, type.schema, queryText(request, 'attributes'), queryText(request, 'excludedAttributes')), headers);
  };

  app.get(`${BASE}/ServiceProviderConfig`, async (request, reply) => send(reply, 200, serviceProviderConfig(scopeOf(request))));

  const discovery = (path: string, all: (scope: ProviderScope) => Record<string, unknown>[], idOf: (item: Record<string, unknown>) => string): void => {
    app.get(`${BASE}/${path}`, async (request, reply) => {
      if (queryText(request, 'filter') !== undefined) throw new ScimError(403, undefined, `/${path} cannot be filtered.`);
      const items = all(scopeOf(request));
      return send(reply, 200, listResponse(items, items.length, 1));
    });
    app.get(`${BASE}/${path}/:id`, async (request, reply) => {
      const { id } = request.params as { id: string };
      const item = all(scopeOf(request)).find((i) => idOf(i) === id);
      if (item === undefined) throw notFound(`No ${path} entry ${JSON.stringify(id)}.`);
      return send(reply, 200, item);
    });
  };
  discovery('ResourceTypes', resourceTypes, (t) => String(t.id));
  discovery('Schemas', schemas, (s) => String(s.id));

  for (const type of [USERS, GROUPS]) {
    const lookup = attributeLookup(type);
    const collection = `${BASE}${type.endpoint}`;
    const item = `${collection}/:id`;
    const idOf = (request: FastifyRequest): string => (request.params as { id: string }).id;

    app.get(collection, async (request, reply) => {
      const scope = scopeOf(request);
      const filterText = queryText(request, 'filter');
      const node = filterText === undefined || filterText.trim() === '' ? undefined : parseFilter(filterText);
      const matches = node === undefined ? undefined : compileFilter(node, lookup, type.schema);
      const startIndex = Math.max(1, queryInteger(request, 'startIndex', 1));
      const count = Math.min(MAX_RESULTS, Math.max(0, queryInteger(request, 'count', DEFAULT_COUNT)));
      let page: Record<string, unknown>[];
      let total: number;
      if (node === undefined) {
        const records = await store.read.listResources(scope.accountId, type.kind, { offset: startIndex - 1, limit: count }, { parentId: scope.provider.id });
        page = await present(store.read, scope, type, records.items);
        total = records.total;
      } else {
        // userName eq / displayName eq come from the index; other filters read the provider's resources.
        const key = equalityOn(node, type.keyAttribute, type.schema);
        const candidates = key !== undefined ? await recordsByKey(store.read, scope, type, key) : await store.read.allResources(scope.accountId, type.kind, { parentId: scope.provider.id });
        const found = (await present(store.read, scope, type, candidates)).filter(matches!);
        page = found.slice(startIndex - 1, startIndex - 1 + count);
        total = found.length;
      }
      const attributes = queryText(request, 'attributes');
      const excluded = queryText(request, 'excludedAttributes');
      return send(reply, 200, listResponse(page.map((r) => projected(r, type.schema, attributes, excluded)), total, startIndex));
    });

    app.get(item, async (request, reply) => {
      const scope = scopeOf(request);
      const record = await ownRecordOr404(store.read, scope, type, idOf(request));
      return answerOne(request, reply, 200, type, await presentOne(store.read, scope, type, record));
    });

    app.post(collection, { bodyLimit: limit }, async (request, reply) => {
      const attributes = incoming(type, request.body);
      const resource = await write(request, async (tx, scope) => {
        const record = type === USERS ? await createUser(tx, scope, attributes) : await createGroup(tx, scope, attributes);
        return presentOne(tx, scope, type, record);
      });
      return answerOne(request, reply, 201, type, resource);
    });

    app.put(item, { bodyLimit: limit }, async (request, reply) => {
      const attributes = incoming(type, request.body);
      const resource = await write(request, async (tx, scope) => {
        const existing = await ownRecordOr404(tx, scope, type, idOf(request));
        await checkIfMatch(request, tx, scope, type, existing);
        return presentOne(tx, scope, type, await replaced(tx, scope, type, existing, attributes));
      });
      return answerOne(request, reply, 200, type, resource);
    });

    app.patch(item, { bodyLimit: limit }, async (request, reply) => {
      const resource = await write(request, async (tx, scope) => {
        const existing = await ownRecordOr404(tx, scope, type, idOf(request));
        await checkIfMatch(request, tx, scope, type, existing);
        const current = type === USERS ? userBody(existing).resource : groupBody(existing).resource;
        const attributes = await patched(type, existing.id, current, request.body);
        return presentOne(tx, scope, type, await replaced(tx, scope, type, existing, attributes));
      });
      return answerOne(request, reply, 200, type, resource);
    });

    app.delete(item, async (request, reply) => {
      await write(request, async (tx, scope) => {
        const existing = await ownRecordOr404(tx, scope, type, idOf(request));
        await checkIfMatch(request, tx, scope, type, existing);
        outcomeOf(request).resource = { id: existing.id, ...(type === USERS ? userBody(existing).resource : groupBody(existing).resource) };
        if (type === USERS) await deleteUser(tx, scope, existing.id);
        else await deleteGroup(tx, scope, existing.id);
      });
      return send(reply, 204, undefined);
    });
  }
}
