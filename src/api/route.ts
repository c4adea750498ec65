// A route is data: method, path, permissions, JSON Schemas and a handler. The server registers
// routes from this table and the OpenAPI document is generated from the same table, so what
// is documented is exactly what is validated and served.

import type { FastifyRequest } from 'fastify';
import type { ExternalEvaluator } from '../engine/index.js';
import type { Store } from '../store/store.js';
import type { TestRunner } from '../tester/runner.js';
import type { Principal } from './auth/principal.js';
import type { PermissionName } from './auth/permissions.js';
import type { EnvelopeMessage } from './errors.js';
import type { ResultInfo } from './pagination.js';
import type { JsonSchema } from './schema/json-schema.js';
import type { ServerSettings } from './settings.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Services a handler may use. */
export interface ApiContext {
  readonly store: Store;
  readonly settings: ServerSettings;
  /** This process's policy-test runner (kick it when a test starts). */
  readonly tester: TestRunner;
  /** Asks external_evaluation endpoints; absent when outbound calls are off. */
  readonly external: ExternalEvaluator | undefined;
}

export interface HandlerInput {
  /** Path parameters (strings; account_id already checked and lower-cased). */
  readonly params: Readonly<Record<string, string>>;
  /** The validated query, with defaults applied. */
  readonly query: Readonly<Record<string, unknown>>;
  /** The validated body (a parsed JSON value, or the raw text of an NDJSON body). */
  readonly body: unknown;
  readonly accountId: string;
  readonly principal: Principal;
  readonly ctx: ApiContext;
  readonly request: FastifyRequest;
}

export interface HandlerOutput {
  readonly result: unknown;
  readonly resultInfo?: ResultInfo;
  /** Envelope `messages` (lint warnings, notes). */
  readonly messages?: readonly EnvelopeMessage[];
  /** Overrides the route's success status. */
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RouteDef {
  readonly method: HttpMethod;
  /** OpenAPI-style path below /client/v4, e.g. /accounts/{account_id}/access/policies/{policy_id}. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  /** Any one of these permissions is enough; [] = any valid credentials. */
  readonly permissions: readonly PermissionName[];
  /** Path parameters besides account_id. */
  readonly params?: Readonly<Record<string, JsonSchema>>;
  /** Properties of the query string. */
  readonly query?: Readonly<Record<string, JsonSchema>>;
  /** Validated by Ajv before the handler runs. */
  readonly body?: JsonSchema;
  /** Documented, but validated by the handler itself (policies and groups: the engine does it). */
  readonly documentedBody?: JsonSchema;
  /** A body is required (default: true when a body schema is given). */
  readonly bodyRequired?: boolean;
  /** Accepted request content types (default application/json). */
  readonly contentTypes?: readonly string[];
  /** Largest accepted body in bytes, or where the server's settings keep it (default: the server's limit). */
  readonly bodyLimit?: number | ((settings: ServerSettings) => number);
  readonly status: number;
  /** Schema of `result` on success. */
  readonly result?: JsonSchema;
  /** The result is a page: the envelope carries result_info. */
  readonly paged?: boolean;
  /** Not part of Cloudflare's API (a portcullis extension). */
  readonly extension?: boolean;
  readonly handler: (input: HandlerInput) => Promise<HandlerOutput>;
}
