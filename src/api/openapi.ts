// The OpenAPI 3.0 document of what this server serves, generated from the route table: the
// same JSON Schemas validate requests (or, for policies and groups, document what the engine
// validates from the same selector catalog), so the document cannot drift from the server.

import { API_ERRORS } from './errors.js';
import type { RouteDef } from './route.js';
import { Type } from '@sinclair/typebox';
import { anyValue, arr, int, nullOnly, obj, str, type TSchema } from '../schema/json-schema.js';

const MESSAGE = obj(
  { code: int({ minimum: 1000 }), message: str(), source: obj({ pointer: str({ description: 'JSON pointer (RFC 6901) into the request.' }) }) },
  { required: ['code', 'message'] },
);

const RESULT_INFO = obj({ page: int(), per_page: int(), count: int(), total_count: int(), total_pages: int() });

function successEnvelope(result: TSchema | undefined, paged: boolean): TSchema {
  return obj(
    {
      success: Type.Unsafe<true>({ type: 'boolean', enum: [true] }),
      errors: arr(MESSAGE, { maxItems: 0 }),
      messages: arr(MESSAGE, { description: 'Notes and lint warnings (code, message, source.pointer).' }),
      result: result ?? anyValue(),
      ...(paged ? { result_info: RESULT_INFO } : {}),
    },
    { required: ['success', 'errors', 'messages', 'result'] },
  );
}

const FAILURE = obj(
  {
    success: Type.Unsafe<false>({ type: 'boolean', enum: [false] }),
    errors: arr(MESSAGE, { minItems: 1 }),
    messages: arr(MESSAGE),
    result: nullOnly(),
  },
  { required: ['success', 'errors', 'messages', 'result'] },
);

const ACCOUNT_ID = str({ pattern: '^[0-9a-fA-F]{32}$', patternHint: 'a 32-character hexadecimal account id' });

function parameters(route: RouteDef): object[] {
  const names = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  const path = names.map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: name === 'account_id' ? ACCOUNT_ID : (route.params?.[name] ?? str()),
  }));
  const query = Object.entries(route.query ?? {}).map(([name, schema]) => ({ name, in: 'query', required: false, schema }));
  return [...path, ...query];
}

function operation(route: RouteDef): object {
  const body = route.body ?? route.documentedBody;
  const contentTypes = route.contentTypes ?? ['application/json'];
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description !== undefined ? { description: route.description } : {}),
    tags: [route.tag],
    parameters: parameters(route),
    ...(body !== undefined
      ? { requestBody: { required: route.bodyRequired ?? true, content: Object.fromEntries(contentTypes.map((t) => [t, { schema: t === 'application/json' ? body : { type: 'string' } }])) } }
      : {}),
    responses: {
      [String(route.status)]: { description: route.summary, content: { 'application/json': { schema: successEnvelope(route.result, route.paged === true) } } },
      '4XX': { description: 'Failure: the errors say why (see docs/errors.md).', content: { 'application/json': { schema: FAILURE } } },
    },
    security: [{ api_token: [] }, { api_email: [], api_key: [] }],
    'x-api-token-group': route.permissions,
    ...(route.extension === true ? { 'x-portcullis-extension': true } : {}),
  };
}

export interface OpenApiInfo {
  readonly version: string;
}

export function openApiDocument(routes: readonly RouteDef[], info: OpenApiInfo): Record<string, unknown> {
  const paths: Record<string, Record<string, object>> = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    paths[route.path][route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'portcullis: Cloudflare Access reusable policies and policy tester, self-hosted',
      version: info.version,
      description:
        'Wire-compatible with the Cloudflare v4 API for the resources below; operations marked x-portcullis-extension are portcullis additions. ' +
        `Every failure uses the envelope of the 4XX responses; codes are listed in docs/errors.md (e.g. ${API_ERRORS.route_not_found.code} no route, ${API_ERRORS.forbidden.code} unauthorized).`,
    },
    servers: [{ url: '/client/v4' }],
    paths,
    components: {
      securitySchemes: {
        api_token: { type: 'http', scheme: 'bearer' },
        api_email: { type: 'apiKey', in: 'header', name: 'X-Auth-Email' },
        api_key: { type: 'apiKey', in: 'header', name: 'X-Auth-Key' },
      },
    },
  };
}
