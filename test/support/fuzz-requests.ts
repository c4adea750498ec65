// Requests for the API fuzzer, generated from the served OpenAPI document: for each operation
// mostly-valid path parameters (real ids from the pool), query strings and bodies, then one
// layer of trouble on top (a mutated body, broken bytes, a wrong content type, odd paths and
// query strings, wrong methods, no or bad credentials). Each request is the exact bytes sent.

import fc from 'fast-check';
import { stringHints } from './fuzz-hints.js';
import { pick, type Collection, type IdPool } from './fuzz-ids.js';
import { mutatedJsonText, mutatedValue, rawBodyArbitrary, UNICODE_ODDITIES } from './mutations.js';
import { schemaArbitrary, type Schema } from './schema-arbitrary.js';

export const API_PREFIX = '/client/v4';

export interface Operation {
  readonly operationId: string;
  readonly method: string;
  /** The OpenAPI path, below /client/v4. */
  readonly template: string;
  readonly pathParams: readonly { readonly name: string; readonly schema: Schema }[];
  readonly query: readonly { readonly name: string; readonly schema: Schema }[];
  readonly body?: { readonly required: boolean; readonly contentTypes: readonly string[]; readonly schema: Schema };
  /** Where an item this operation creates is addressed (POST on a collection). */
  readonly creates?: Collection;
  /** The documented success answer (the whole envelope). */
  readonly success?: Schema;
}

export interface FuzzRequest {
  /** The operation aimed at (the request may have been bent away from it). */
  readonly operationId: string;
  readonly method: string;
  /** Path and query string, exactly as sent. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | undefined;
  /** How it was built: the operation and every twist applied. */
  readonly label: string;
}

/** Every operation of an OpenAPI document. */
export function operationsOf(document: { paths: Record<string, Record<string, any>> }): Operation[] {
  const templates = Object.keys(document.paths);
  const operations: Operation[] = [];
  for (const [template, methods] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const parameters = (op.parameters ?? []) as { name: string; in: string; schema: Schema }[];
      const content = op.requestBody?.content as Record<string, { schema: Schema }> | undefined;
      const itemParam = templates.map((t) => t.match(new RegExp(`^${escapeRegExp(template)}/\\{([^}]+)\\}$`))?.[1]).find((p) => p !== undefined);
      operations.push({
        operationId: op.operationId,
        method: method.toUpperCase(),
        template,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => ({ name: p.name, schema: p.schema })),
        query: parameters.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema })),
        ...(content !== undefined
          ? { body: { required: op.requestBody.required === true, contentTypes: Object.keys(content), schema: content['application/json']?.schema ?? { type: 'object' } } }
          : {}),
        ...(method === 'post' && itemParam !== undefined ? { creates: { template, idParam: itemParam } } : {}),
        ...successSchema(op.responses),
      });
    }
  }
  return operations;
}

function successSchema(responses: Record<string, { content?: Record<string, { schema: Schema }> }> | undefined): { success?: Schema } {
  const status = Object.keys(responses ?? {}).find((s) => /^2\d\d$/.test(s));
  const schema = status === undefined ? undefined : responses![status].content?.['application/json']?.schema;
  return schema === undefined ? {} : { success: schema };
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What the generator may use: accounts, credentials, and the ids seen so far. */
export interface FuzzTarget {
  /** The seeded account (most requests), then others (an empty one, a stranger's). */
  readonly accounts: readonly string[];
  readonly pool: IdPool;
  /** Realistic bodies by operationId (see fuzz-examples.ts), used beside the schema's. */
  readonly examples: Readonly<Record<string, fc.Arbitrary<unknown>>>;
  readonly credentials: {
    readonly root: string;
    /** Scoped tokens: one that may only read, one that may write the seeded account. */
    readonly reader: string;
    readonly writer: string;
  };
}

interface Part<T> {
  readonly value: T;
  readonly label?: string;
}

const labelled = <T>(arb: fc.Arbitrary<T>, label: string): fc.Arbitrary<Part<T>> => arb.map((value) => ({ value, label }));

// ------------------------------------------------------------------ path

/** Path parameter values that are not ids: empty, traversal, bad escapes, too long, odd unicode. */
const ODD_SEGMENTS: readonly string[] = [
  '',
  '.',
  '..',
  '%2e%2e',
  '%2F',
  'a%2Fb',
  '%00',
  '%',
  '%ZZ',
  '%C0%AF',
  '%ED%A0%80',
  '%FF',
  '\u00e9',
  'null',
  'undefined',
  '-1',
  '1e400',
  '__proto__',
  'constructor',
  '%20',
  '*',
  'a'.repeat(255),
  'a'.repeat(256),
  'a'.repeat(257),
  'a'.repeat(5_000),
  ...UNICODE_ODDITIES.filter((u) => u !== '').map((u) => encodeURIComponent(u.replace(/[\uD800-\uDFFF]/g, 'x'))),
];

function accountSegment(target: FuzzTarget): fc.Arbitrary<Part<string>> {
  const [primary, ...others] = target.accounts;
  return fc.oneof(
    { weight: 40, arbitrary: fc.constant({ value: primary }) },
    { weight: 2, arbitrary: fc.constantFrom(...others).map((value) => ({ value, label: 'another account' })) },
    { weight: 1, arbitrary: fc.constant({ value: primary.toUpperCase(), label: 'upper-case account id' }) },
    { weight: 1, arbitrary: fc.constantFrom('xyz', primary.slice(1), primary + '0', '0'.repeat(32), 'g'.repeat(32), ...ODD_SEGMENTS).map((value) => ({ value, label: `account id ${JSON.stringify(value.slice(0, 40))}` })) },
  );
}

function idSegment(op: Operation, name: string, target: FuzzTarget): fc.Arbitrary<Part<string>> {
  const collection = op.template.slice(0, op.template.indexOf(`/{${name}}`));
  const real = pick(() => target.pool.ids(collection, name), fc.uuid());
  return fc.oneof(
    { weight: 30, arbitrary: real.map((value) => ({ value: encodeURIComponent(value) })) },
    { weight: 2, arbitrary: fc.oneof(fc.uuid(), fc.stringMatching(/^[0-9a-f]{64}$/)).map((value) => ({ value, label: `unknown ${name}` })) },
    { weight: 1, arbitrary: real.map((value) => ({ value: encodeURIComponent(value.toUpperCase() + ' '), label: `${name} upper-cased with a space` })) },
    { weight: 2, arbitrary: fc.constantFrom(...ODD_SEGMENTS).map((value) => ({ value, label: `${name} ${JSON.stringify(value.slice(0, 40))}` })) },
  );
}

function pathArbitrary(op: Operation, target: FuzzTarget): fc.Arbitrary<Part<string>> {
  const params = op.pathParams.map((p) => (p.name === 'account_id' ? accountSegment(target) : idSegment(op, p.name, target)));
  const filled = fc.tuple(fc.tuple(...params), fc.nat({ max: 4 })).map(([drawn, mismatch]) => {
    // A child's parent (an app-scoped policy's application) follows the child, mostly.
    const parts = drawn.map((part, i) => {
      const child = drawn[i + 1];
      const parent = child === undefined || child.label !== undefined ? undefined : target.pool.parentOf(decodeURIComponent(child.value));
      return parent !== undefined && mismatch > 0 ? { value: encodeURIComponent(parent) } : part;
    });
    let path = op.template;
    op.pathParams.forEach((p, i) => (path = path.replace(`{${p.name}}`, () => parts[i].value)));
    return { value: API_PREFIX + path, label: parts.map((p) => p.label).filter((l) => l !== undefined).join(', ') || undefined };
  });
  return fc.oneof({ weight: 15, arbitrary: filled }, { weight: 1, arbitrary: fc.tuple(filled, pathTwist).map(([p, twist]) => ({ value: twist.bend(p.value), label: [p.label, twist.label].filter(Boolean).join(', ') })) });
}

interface Twist {
  readonly bend: (path: string) => string;
  readonly label: string;
}

/** Structural oddities of a whole path. */
const pathTwist: fc.Arbitrary<Twist> = fc.oneof(
  fc.nat().map((n) => ({
    label: 'double slash',
    bend: (path: string) => {
      const slashes = [...path.matchAll(/\//g)].map((m) => m.index!);
      const at = slashes[n % slashes.length];
      return path.slice(0, at) + '/' + path.slice(at);
    },
  })),
  fc.constantFrom<Twist>(
    { label: 'trailing slash', bend: (p) => p + '/' },
    { label: 'two trailing slashes', bend: (p) => p + '//' },
    { label: 'trailing ?', bend: (p) => p + '?' },
    { label: 'fragment', bend: (p) => p + '#frag' },
    { label: '/./ inside', bend: (p) => p.replace('/client/v4/', '/client/v4/./') },
    { label: '.. back into the API', bend: (p) => p.replace('/client/v4/', '/client/v4/x/../') },
    { label: '.. out of the API', bend: (p) => p + '/../../../../../../healthz' },
    { label: 'upper-case prefix', bend: (p) => p.replace('/client/v4', '/CLIENT/V4') },
    { label: 'unknown suffix', bend: (p) => p + '/nothing-here' },
    { label: 'unknown resource', bend: (p) => p.replace(/\/[a-z_-]+(\/[^/]*)?$/, '/widgets$1') },
    { label: 'no prefix', bend: (p) => p.replace('/client/v4', '') },
    { label: 'API root', bend: () => '/client/v4' },
    { label: 'API root with slash', bend: () => '/client/v4/' },
    { label: 'slash', bend: () => '/' },
    { label: 'asterisk', bend: () => '*' },
    { label: 'encoded prefix', bend: (p) => p.replace('/client/v4', '/client%2Fv4') },
    { label: 'latin-1 byte', bend: (p) => p + '\u00ff' },
    { label: 'backslashes', bend: (p) => p.replace(/\//g, '\\') },
    { label: 'many segments', bend: (p) => p + '/x'.repeat(2_000) },
    { label: 'path over the header limit', bend: (p) => p + '/' + 'a'.repeat(20_000) },
  ),
);

// ------------------------------------------------------------------ query

function queryArbitrary(op: Operation, target: FuzzTarget): fc.Arbitrary<Part<string>> {
  const hints = stringHints(target.pool);
  const pairs = op.query.map((q) =>
    fc.option(
      schemaArbitrary(q.schema, { maxStringLength: 12, stringFor: hints }, q.name).map((v) => `${encodeURIComponent(q.name)}=${encodeURIComponent(String(v))}`),
      { freq: 2 },
    ),
  );
  const normal = fc.tuple(...pairs).map((parts) => ({ value: joinQuery(parts.filter((p): p is string => p !== null)) }));
  const names = op.query.length > 0 ? op.query.map((q) => q.name) : ['page'];
  const odd = fc.tuple(fc.constantFrom(...names), fc.constantFrom(...ODD_QUERY_VALUES), fc.constantFrom(...ODD_QUERY_SHAPES)).map(([name, value, shape]) => ({
    value: `?${shape(name, value)}`,
    label: `query ${JSON.stringify(shape(name, value).slice(0, 60))}`,
  }));
  return fc.oneof({ weight: 12, arbitrary: normal }, { weight: 1, arbitrary: odd });
}

const joinQuery = (parts: readonly string[]): string => (parts.length === 0 ? '' : `?${parts.join('&')}`);

const ODD_QUERY_VALUES: readonly string[] = [
  '1e400',
  '-1e400',
  '99999999999999999999',
  '9007199254740993',
  '92233720368547758',
  '1e17',
  '-1',
  '0',
  '-0',
  '1.5',
  'NaN',
  'Infinity',
  '0x10',
  '+1',
  '%201',
  '',
  '%00',
  '%ZZ',
  '%F0%9F%98%80',
  '%ED%A0%80',
  '\u00e9',
  'true',
  'null',
  '[]',
  '{}',
  'a'.repeat(10_000),
];

const ODD_QUERY_SHAPES: readonly ((name: string, value: string) => string)[] = [
  (name, value) => `${name}=${value}`,
  (name, value) => `${name}=1&${name}=${value}`,
  (name, value) => `${name}[]=${value}`,
  (name, value) => `${name}[a]=${value}`,
  (name, value) => `${name}.x=${value}`,
  (name) => name,
  (name, value) => `${name}=${value}&${name}`,
  (_name, value) => `=${value}&&=&`,
  (name, value) => `${name}=${value}&unknown_param=${value}`,
  (name, value) => `${encodeURIComponent(name.toUpperCase())}=${value}`,
  (name, value) => `${name}=${value}&__proto__=1&constructor=2`,
];

// ------------------------------------------------------------------ headers

function authArbitrary(target: FuzzTarget): fc.Arbitrary<Part<Record<string, string>>> {
  const { root, reader, writer } = target.credentials;
  return fc.oneof(
    { weight: 40, arbitrary: fc.constant({ value: { authorization: `Bearer ${root}` } }) },
    { weight: 2, arbitrary: labelled(fc.constant({ authorization: `Bearer ${reader}` }), 'read-only token') },
    { weight: 2, arbitrary: labelled(fc.constant({ authorization: `Bearer ${writer}` }), 'writer token') },
    { weight: 1, arbitrary: labelled(fc.constant({}), 'no credentials') },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom<Record<string, string>>(
          { authorization: 'Bearer wrong-token' },
          { authorization: 'Bearer' },
          { authorization: 'Bearer ' },
          { authorization: `bearer ${root}` },
          { authorization: `Bearer  ${root}` },
          { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
          { authorization: `Bearer ${'x'.repeat(4_000)}` },
          { authorization: 'Bearer \u00ff\u00fe' },
          { 'x-auth-email': 'admin@example.com', 'x-auth-key': 'wrong' },
          { 'x-auth-email': 'admin@example.com' },
          { 'x-auth-key': root },
        )
        .map((value) => ({ value, label: `credentials ${JSON.stringify(value).slice(0, 60)}` })),
    },
  );
}

const CONTENT_TYPE_TWISTS: readonly (string | undefined)[] = [
  undefined,
  '',
  'text/plain',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'APPLICATION/JSON',
  'application/json;',
  'application/json, text/plain',
  'application/jsonx',
  'application/vnd.api+json',
  'application/x-ndjson',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  ';;;',
  'application/json; charset="utf-8"; foo=bar',
  '\u00e9/json',
];

// ------------------------------------------------------------------ body

interface BodyPart {
  readonly bytes: Buffer | undefined;
  readonly contentType: string | undefined;
  readonly label?: string;
}

function bodyArbitrary(op: Operation, target: FuzzTarget): fc.Arbitrary<BodyPart> {
  const declared = op.body;
  if (declared === undefined) {
    // Operations without a body now and then get one anyway.
    return fc.oneof(
      { weight: 12, arbitrary: fc.constant<BodyPart>({ bytes: undefined, contentType: undefined }) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v): BodyPart => ({ bytes: Buffer.from(JSON.stringify(v)), contentType: 'application/json', label: 'unexpected JSON body' })) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 32 }).map((b): BodyPart => ({ bytes: Buffer.from(b), contentType: 'application/json', label: 'unexpected garbage body' })) },
    );
  }
  const fromSchema = schemaArbitrary(declared.schema, { stringFor: stringHints(target.pool) });
  const example = target.examples[op.operationId];
  const valid = example === undefined ? fromSchema : fc.oneof({ weight: 3, arbitrary: example }, { weight: 2, arbitrary: fromSchema });
  const contentType = fc.constantFrom(...declared.contentTypes);
  const asBody = (text: string, type: string): Buffer => Buffer.from(type === 'application/x-ndjson' ? ndjson(text) : text);
  const validBody = fc.tuple(valid, contentType).map(([v, type]): BodyPart => ({ bytes: asBody(JSON.stringify(v), type), contentType: type }));
  const mutated = fc.tuple(mutatedValue(valid), contentType).map(([m, type]): BodyPart => ({ bytes: asBody(mutatedJsonText(m), type), contentType: type, label: `body: ${m.label}` }));
  const broken = fc
    .tuple(valid, contentType)
    .chain(([v, type]) => rawBodyArbitrary(JSON.stringify(v)).map((raw): BodyPart => ({ bytes: raw.bytes, contentType: type, label: `body: ${raw.label}` })));
  const retyped = fc
    .tuple(validBody, fc.constantFrom(...CONTENT_TYPE_TWISTS))
    .map(([b, type]): BodyPart => ({ bytes: b.bytes, contentType: type, label: `content type ${JSON.stringify(type ?? '(none)')}` }));
  return fc.oneof(
    { weight: 14, arbitrary: validBody },
    { weight: 6, arbitrary: mutated },
    { weight: 3, arbitrary: broken },
    { weight: 2, arbitrary: retyped },
    { weight: 1, arbitrary: fc.constant<BodyPart>({ bytes: undefined, contentType: undefined, label: 'no body' }) },
  );
}

/** A JSON import body as NDJSON (one user a line); other bodies stay as they are. */
function ndjson(text: string): string {
  try {
    const parsed = JSON.parse(text) as { users?: unknown };
    if (Array.isArray(parsed?.users)) return parsed.users.map((u) => JSON.stringify(u)).join('\n');
  } catch {
    // Not JSON: sent as it is.
  }
  return text;
}

// ------------------------------------------------------------------ request

const OTHER_METHODS: readonly string[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'PURGE', 'FOO'];

function methodArbitrary(op: Operation): fc.Arbitrary<Part<string>> {
  return fc.oneof({ weight: 40, arbitrary: fc.constant({ value: op.method }) }, { weight: 1, arbitrary: fc.constantFrom(...OTHER_METHODS).map((value) => ({ value, label: `method ${value}` })) });
}

/** A request aimed at `op`. */
export function requestArbitrary(op: Operation, target: FuzzTarget): fc.Arbitrary<FuzzRequest> {
  return fc
    .tuple(methodArbitrary(op), pathArbitrary(op, target), queryArbitrary(op, target), authArbitrary(target), bodyArbitrary(op, target))
    .map(([method, path, query, auth, body]) => {
      const headers: Record<string, string> = { ...auth.value };
      if (body.contentType !== undefined) headers['content-type'] = body.contentType;
      const twists = [method.label, path.label, query.label, auth.label, body.label].filter((l) => l !== undefined && l !== '');
      const request: FuzzRequest = {
        operationId: op.operationId,
        method: method.value,
        path: path.value + query.value,
        headers,
        body: body.bytes,
        label: [op.operationId, ...twists].join('; '),
      };
      // fast-check prints counterexamples with this: short, never megabytes of body.
      Object.defineProperty(request, fc.toStringMethod, { value: () => `${request.method} ${request.path.slice(0, 200)} (${request.label})` });
      return request;
    });
}

/** A request aimed at any of `operations`, each equally likely. */
export function anyRequestArbitrary(operations: readonly Operation[], target: FuzzTarget): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(...operations.map((op) => requestArbitrary(op, target)));
}

const SHOWN_BODY_BYTES = 2_000;

/** A request as a failure report shows it: enough to send it again (long bodies cut, with their size and how they were built). */
export function describeRequest(request: FuzzRequest, secrets: Readonly<Record<string, string>> = {}): string {
  let headers = JSON.stringify(request.headers);
  for (const [name, secret] of Object.entries(secrets)) headers = headers.split(secret).join(`<${name}>`);
  const path = request.path.length > 300 ? `${request.path.slice(0, 300)}... (${request.path.length} characters)` : request.path;
  const lines = [`${request.method} ${path}`, `headers: ${headers}`, `built as: ${request.label}`];
  if (request.body !== undefined) {
    const shown = request.body.subarray(0, SHOWN_BODY_BYTES);
    const text = shown.toString('utf8');
    const readable = Buffer.from(text, 'utf8').equals(shown);
    lines.push(`body (${request.body.length} bytes${request.body.length > SHOWN_BODY_BYTES ? `, first ${SHOWN_BODY_BYTES} shown` : ''}): ${readable ? JSON.stringify(text) : `hex ${shown.toString('hex')}`}`);
  }
  return lines.join('\n');
}
