// A route is data: method, path, permissions, JSON Schemas and a handler. The server registers
// routes from this table and the OpenAPI document is generated from the same table, so what
// is documented is exactly what is validated and served. The schemas are TypeBox's, so they
// type the handler too: defineRoute infers its params, query, body and result from them.

import type { FastifyRequest } from 'fastify';
import type { ExternalEvaluator } from '../engine/index.js';
import type { SigningKeys } from '../account/signing-keys.js';
import type { Store } from '../store/store.js';
import type { TestRunner } from '../tester/runner.js';
import type { Principal } from './auth/principal.js';
import type { KnownAccounts } from './known-accounts.js';
import type { PermissionName } from './auth/permissions.js';
import type { EnvelopeMessage } from './errors.js';
import type { ResultInfo } from './pagination.js';
import type { Properties, Static, TSchema } from '../schema/json-schema.js';
import type { ImportSlots } from './import-slots.js';
import type { ImportGarbage } from './import-garbage.js';
import type { ServerSettings } from './settings.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Services a handler may use. */
export interface ApiContext {
  readonly store: Store;
  readonly settings: ServerSettings;
  /** This process's policy-test runner (kick it when a test starts). */
  readonly tester: TestRunner;
  /** Asks external_evaluation endpoints for an account (signing with its key); undefined: such rules are unknown. */
  readonly externalFor: ((accountId: string) => ExternalEvaluator) | undefined;
  /** Count `calls` outbound requests made for the caller against its rate limit (429 when over). */
  chargeOutboundCalls(principal: Principal, calls: number): void;
  /** Which account ids exist (and creating them). */
  readonly accounts: KnownAccounts;
  /** The accounts' keys that sign Access application tokens (shared with the enforcement point). */
  readonly signingKeys: SigningKeys;
  /** The server's own public URL, the auth domain of an organization that names none. */
  defaultAuthDomain(): string;
  /** The server's default account, which answers on defaultAuthDomain() while its organization names none; undefined when not told. */
  readonly defaultAccountId: string | undefined;
  /** User imports running at once, at most settings.importConcurrency. */
  readonly importSlots: ImportSlots;
  /** Collects the heap after a large import (its garbage would otherwise stay until some later request). */
  readonly importGarbage: ImportGarbage;
}

/** A validated query: the declared parameters typed (each may be absent), others as sent. */
export type QueryOf<Q extends Properties> = { readonly [K in keyof Q]?: Static<Q[K]> } & Readonly<Record<string, unknown>>;

/** What a validated body is: the schema's type (or undefined when it may be left out); unknown when the handler validates it. */
export type BodyOf<B extends TSchema | undefined, Optional extends boolean | undefined> = B extends TSchema ? (Optional extends false ? Static<B> | undefined : Static<B>) : unknown;

export interface HandlerInput<P extends Properties = Properties, Q extends Properties = Properties, B = unknown> {
  /** Path parameters besides account_id (strings). */
  readonly params: { readonly [K in keyof P]: string };
  /** The validated query, with defaults applied. */
  readonly query: QueryOf<Q>;
  /** The validated body (a parsed JSON value, or the raw text of an NDJSON body). */
  readonly body: B;
  /** The account of the path (checked and lower-cased); '' on /user routes. */
  readonly accountId: string;
  readonly principal: Principal;
  readonly ctx: ApiContext;
  readonly request: FastifyRequest;
}

export interface HandlerOutput<T = unknown> {
  readonly result: T;
  readonly resultInfo?: ResultInfo;
  /** Envelope `messages` (lint warnings, notes). */
  readonly messages?: readonly EnvelopeMessage[];
  /** Overrides the route's success status. */
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * One route. Its type parameters are its schemas (path parameters, query properties, body, and
 * whether the body may be left out); `RouteDef` without them is any route, as the table holds
 * them. Write routes with defineRoute, which infers them. Results are documented, not typed
 * here: they are built from stored records, whose bodies the store keeps as plain JSON.
 */
export interface RouteDef<P extends Properties = any, Q extends Properties = any, B extends TSchema | undefined = any, O extends boolean | undefined = any> {
  readonly method: HttpMethod;
  /** OpenAPI-style path below /client/v4, e.g. /accounts/{account_id}/access/policies/{policy_id}. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  /** Only the root credentials may call it (checked before the body is read). */
  readonly rootOnly?: boolean;
  /** Any one of these permissions is enough; [] = any valid credentials. */
  readonly permissions: readonly PermissionName[];
  /** Path parameters besides account_id. */
  readonly params?: P;
  /** Properties of the query string. */
  readonly query?: Q;
  /** Validated by Ajv before the handler runs. */
  readonly body?: B;
  /** Documented, but validated by the handler itself (policies and groups: the engine does it). */
  readonly documentedBody?: TSchema;
  /** A body is required (default: true when a body schema is given). */
  readonly bodyRequired?: O;
  /** Accepted request content types (default application/json). */
  readonly contentTypes?: readonly string[];
  /** Largest accepted body in bytes, or where the server's settings keep it (default: the server's limit). */
  readonly bodyLimit?: number | ((settings: ServerSettings) => number);
  readonly status: number;
  /** Schema of `result` on success. */
  readonly result?: TSchema;
  /** The result is a page: the envelope carries result_info. */
  readonly paged?: boolean;
  /** Not part of Cloudflare's API (a portcullis extension). */
  readonly extension?: boolean;
  /**
   * 'account': a GET whose answer depends only on the account's stored objects and the
   * request's path and query (not on the caller, nor the clock), so the server keeps the answer
   * and gives it again until anything in the account changes (kept-answers.ts).
   */
  readonly keep?: 'account';
  readonly handler: (input: HandlerInput<P, Q, BodyOf<B, O>>) => Promise<HandlerOutput>;
}

/** A route, its handler typed by its schemas (inferred: write no type arguments). */
export function defineRoute<
  const P extends Properties = {},
  const Q extends Properties = {},
  B extends TSchema | undefined = undefined,
  const O extends boolean | undefined = undefined,
>(route: RouteDef<P, Q, B, O>): RouteDef {
  return route;
}
