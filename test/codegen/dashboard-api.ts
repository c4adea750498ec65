// The dashboard's API types (web/src/api/operations.ts), generated from the route table: for
// every operation its method, path, path parameters, query, body and result, printed as
// TypeScript from the same JSON Schemas that validate requests and make the OpenAPI document.
// A generated file rather than a type-only import of src/api: the dashboard is a browser
// project, and type-checking the server's modules there would bring Node's and fastify's types
// into it. The file also carries the identity-provider form's fields per type, read from the same
// schemas, so the dashboard keeps no list of its own. `npm run gen:dashboard-api` writes the file;
// dashboard-api.test.ts fails when stale.

import { loginMethods } from '../../src/access/login/routes.js';
import type { RouteDef } from '../../src/api/route.js';
import { ROUTES } from '../../src/api/routes.js';
import { IDENTITY_SCHEMA } from '../../src/schema/identity.js';
import { TYPE_NAME, type TSchema, type TypeName } from '../../src/schema/json-schema.js';

/** Where the file is, from the repository root. */
export const DASHBOARD_API_FILE = 'web/src/api/operations.ts';

type Schema = TSchema;

/** A TypeScript type as printed: key() on one line without comments (to recognise named types), render() for the file. */
type Ts =
  | { readonly kind: 'name'; readonly text: string }
  | { readonly kind: 'union'; readonly members: readonly Ts[] }
  | { readonly kind: 'array'; readonly item: Ts }
  | { readonly kind: 'object'; readonly fields: readonly Field[]; readonly rest?: Ts };

interface Field {
  readonly name: string;
  readonly optional: boolean;
  readonly type: Ts;
  readonly doc?: string;
}

const name = (text: string): Ts => ({ kind: 'name', text });
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
/** A string literal, quoted as the project writes them. */
const literal = (value: string): string => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const fieldName = (n: string): string => (IDENTIFIER.test(n) ? n : literal(n));

function key(t: Ts): string {
  switch (t.kind) {
    case 'name':
      return t.text;
    case 'union':
      return t.members.map(key).join(' | ');
    case 'array':
      return `${t.item.kind === 'union' ? `(${key(t.item)})` : key(t.item)}[]`;
    case 'object':
      return `{ ${[...t.fields.map((f) => `${fieldName(f.name)}${f.optional ? '?' : ''}: ${key(f.type)};`), ...(t.rest !== undefined ? [`[field: string]: ${key(t.rest)};`] : [])].join(' ')} }`;
  }
}

function render(t: Ts, indent: string): string {
  switch (t.kind) {
    case 'name':
      return t.text;
    case 'union':
      return t.members.map((m) => render(m, indent)).join(' | ');
    case 'array':
      return `${t.item.kind === 'union' ? `(${render(t.item, indent)})` : render(t.item, indent)}[]`;
    case 'object': {
      if (t.fields.length === 0) return t.rest === undefined ? 'Record<string, never>' : `Record<string, ${render(t.rest, indent)}>`;
      const inner = `${indent}  `;
      const lines = t.fields.flatMap((f) => [
        ...(f.doc !== undefined ? [`${inner}/** ${f.doc.replace(/\*\//g, '*\\/')} */`] : []),
        `${inner}${fieldName(f.name)}${f.optional ? '?' : ''}: ${render(f.type, inner)};`,
      ]);
      if (t.rest !== undefined) lines.push(`${inner}[field: string]: ${render(t.rest, inner)};`);
      return `{\n${lines.join('\n')}\n${indent}}`;
    }
  }
}

const union = (members: readonly Ts[]): Ts => {
  const flat = members.flatMap((m) => (m.kind === 'union' ? m.members : [m]));
  const unique = flat.filter((m, i) => flat.findIndex((o) => key(o) === key(m)) === i);
  return unique.length === 1 ? unique[0] : { kind: 'union', members: unique };
};

/** Prints schemas, naming the types it was told of and importing those declared elsewhere. */
class Printer {
  private readonly named = new Map<string, string>();
  readonly imports = new Map<string, Set<string>>();

  /** Print `schema` and name its type `typeName` from now on; returns the type to declare. */
  declare(typeName: string, schema: Schema): Ts {
    const type = this.type(schema);
    this.named.set(key(type), typeName);
    return type;
  }

  type(schema: Schema): Ts {
    const type = this.unnamed(schema);
    const known = this.named.get(key(type));
    return known !== undefined ? name(known) : type;
  }

  private unnamed(schema: Schema): Ts {
    const declared = Reflect.get(schema, TYPE_NAME) as TypeName | undefined;
    if (declared !== undefined) {
      const module = `../../../${declared.module.replace(/\.ts$/, '.js')}`;
      this.imports.set(module, (this.imports.get(module) ?? new Set()).add(declared.name));
      return name(declared.name);
    }
    const type = this.shape(schema);
    return schema.nullable === true ? union([type, name('null')]) : type;
  }

  private shape(schema: Schema): Ts {
    if (Array.isArray(schema.enum)) return union(schema.enum.map((v: unknown) => name(typeof v === 'string' ? literal(v) : JSON.stringify(v))));
    const alternatives = (schema.oneOf ?? schema.anyOf) as Schema[] | undefined;
    if (alternatives !== undefined) return union(alternatives.map((s) => this.type(s)));
    switch (schema.type) {
      case 'string':
        return name('string');
      case 'integer':
      case 'number':
        return name('number');
      case 'boolean':
        return name('boolean');
      case 'array':
        return { kind: 'array', item: this.type(schema.items as Schema) };
      case 'object':
        return this.object(schema);
      default:
        return name('unknown');
    }
  }

  private object(schema: Schema): Ts {
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    const required = new Set((schema.required ?? []) as string[]);
    const fields = Object.entries(properties).map(([field, s]) => ({
      name: field,
      optional: !required.has(field),
      type: this.type(s),
      ...(typeof s.description === 'string' ? { doc: s.description } : {}),
    }));
    const additional = schema.additionalProperties;
    // An object whose fields are not described: any object (an interface is one too, as an index signature would deny).
    if (fields.length === 0 && additional === true) return name('object');
    const rest = additional === true ? name('unknown') : typeof additional === 'object' && additional !== null ? this.type(additional as Schema) : undefined;
    return { kind: 'object', fields, ...(rest !== undefined ? { rest } : {}) };
  }
}

const byId = new Map(ROUTES.map((r) => [r.operationId, r]));

function route(operationId: string): RouteDef {
  const found = byId.get(operationId);
  if (found === undefined) throw new Error(`no route ${operationId}: update NAMED in test/codegen/dashboard-api.ts`);
  return found;
}
const bodyOf = (operationId: string): Schema => route(operationId).body ?? route(operationId).documentedBody;
const resultOf = (operationId: string): Schema => route(operationId).result!;
const itemOf = (operationId: string): Schema => resultOf(operationId).items;

/**
 * Types the file declares by name, each where the schemas first give it: wherever the same type
 * comes up again (a list's items, a field) it is named. In order: a type named here may use the
 * ones above it.
 */
const NAMED: readonly (readonly [string, () => Schema])[] = [
  ['Identity', () => IDENTITY_SCHEMA],
  ['PolicyRequest', () => bodyOf('access-policies-create')],
  ['Policy', () => resultOf('access-policies-get')],
  ['GroupRequest', () => bodyOf('access-groups-create')],
  ['Group', () => resultOf('access-groups-get')],
  ['AppPolicyRequest', () => bodyOf('access-app-policies-create')],
  ['AppPolicy', () => resultOf('access-app-policies-get')],
  ['AppRequest', () => bodyOf('access-apps-create')],
  ['App', () => resultOf('access-apps-get')],
  ['UserRequest', () => bodyOf('access-users-create')],
  ['User', () => resultOf('access-users-get')],
  ['UserImport', () => bodyOf('access-users-import')],
  ['ListItem', () => itemOf('gateway-list-items-list')],
  ['ListRequest', () => bodyOf('gateway-lists-create')],
  ['ListUpdate', () => bodyOf('gateway-lists-update')],
  ['ListPatch', () => bodyOf('gateway-lists-patch')],
  ['GatewayList', () => resultOf('gateway-lists-get')],
  ['IdentityProviderRequest', () => bodyOf('access-identity-providers-create')],
  ['IdentityProvider', () => resultOf('access-identity-providers-get')],
  ['ServiceToken', () => resultOf('access-service-tokens-get')],
  ['Certificate', () => resultOf('access-certificates-get')],
  ['PostureRuleRequest', () => bodyOf('device-posture-rules-create')],
  ['PostureRule', () => resultOf('device-posture-rules-get')],
  ['PolicyTestStart', () => bodyOf('access-policy-tests-start')],
  ['PolicyTestProgress', () => itemOf('access-policy-tests-list')],
  ['PolicyTest', () => resultOf('access-policy-tests-get')],
  ['PolicyTestUser', () => itemOf('access-policy-tests-users')],
  ['PolicyTestUserExplained', () => resultOf('access-policy-tests-user')],
  ['WhatIfRequest', () => bodyOf('access-evaluate')],
  ['WhatIfResult', () => resultOf('access-evaluate')],
  ['ApiToken', () => resultOf('user-tokens-get')],
  ['AuditLogEntry', () => itemOf('audit-logs-list')],
  ['Account', () => itemOf('accounts-list-accounts')],
  ['Organization', () => resultOf('zero-trust-organization-get-your-zero-trust-organization')],
  ['OrganizationUpdate', () => bodyOf('zero-trust-organization-update-your-zero-trust-organization')],
  ['AccessKeySettings', () => resultOf('access-key-configuration-get-the-access-key-configuration')],
  ['AccessRequest', () => itemOf('access-authentication-logs-get-access-authentication-logs')],
];

/**
 * How the dashboard's identity-provider form edits a config field, read from its JSON Schema:
 * a secret is write-only, a list of strings is one per line, pairs are a list of small objects.
 */
function formField(field: string, schema: Schema): string {
  const doc = typeof schema.description === 'string' ? `, description: ${literal(schema.description)}` : '';
  const head = `{ name: ${literal(field)}`;
  if (Array.isArray(schema.enum)) return `${head}, kind: 'select', options: [${(schema.enum as unknown[]).map((v) => literal(String(v))).join(', ')}]${doc} }`;
  if (schema.type === 'string') return `${head}, kind: '${schema.writeOnly === true ? 'secret' : 'text'}'${doc} }`;
  if (schema.type === 'boolean') return `${head}, kind: 'boolean'${typeof schema.default === 'boolean' ? `, default: ${schema.default}` : ''}${doc} }`;
  const items = schema.type === 'array' ? (schema.items as Schema) : undefined;
  if (items?.type === 'string') return `${head}, kind: 'lines'${doc} }`;
  const keys = Object.entries((items?.properties ?? {}) as Record<string, Schema>);
  if (items?.type === 'object' && keys.length > 0 && keys.every(([, s]) => s.type === 'string')) return `${head}, kind: 'pairs', keys: [${keys.map(([k]) => literal(k)).join(', ')}]${doc} }`;
  return `${head}, kind: 'json'${doc} }`;
}

/** The form's fields of an object schema, one a line; read-only fields (the server's answers) are not edited. */
function formFields(object: Schema, indent: string): string {
  const fields = Object.entries((object.properties ?? {}) as Record<string, Schema>).filter(([, s]) => s.readOnly !== true);
  return fields.length === 0 ? '[]' : `[\n${fields.map(([field, s]) => `${indent}  ${formField(field, s)},`).join('\n')}\n${indent}]`;
}

/** The forms of identity providers: each type's config fields and the SCIM settings, from the schemas the API validates with. */
function identityProviderForms(): string[] {
  const alternatives = bodyOf('access-identity-providers-create').oneOf as Schema[];
  const byType = alternatives.map((request) => {
    const props = request.properties as Record<string, Schema>;
    return `  ${literal(String((props.type!.enum as unknown[])[0]))}: ${formFields(props.config!, '  ')},`;
  });
  const scim = (alternatives[0]!.properties as Record<string, Schema>).scim_config!;
  const signIn = [...new Set(loginMethods({}).flatMap((method) => method.types))];
  return [
    '/** How the dashboard edits a config field of an identity provider. */',
    'export type IdentityProviderField =',
    '  | { readonly name: string; readonly kind: \'text\' | \'secret\' | \'lines\' | \'json\'; readonly description?: string }',
    '  | { readonly name: string; readonly kind: \'boolean\'; readonly default?: boolean; readonly description?: string }',
    '  | { readonly name: string; readonly kind: \'select\'; readonly options: readonly string[]; readonly description?: string }',
    '  | { readonly name: string; readonly kind: \'pairs\'; readonly keys: readonly string[]; readonly description?: string };',
    '',
    '/** The config fields of each identity provider type (src/schema/identity-providers.ts); config takes others too. */',
    'export const IDENTITY_PROVIDER_FIELDS: { readonly [T in IdentityProvider[\'type\']]: readonly IdentityProviderField[] } = {',
    ...byType,
    '};',
    '',
    '/** The SCIM settings of an identity provider (scim_config). */',
    `export const SCIM_CONFIG_FIELDS: readonly IdentityProviderField[] = ${formFields(scim, '')};`,
    '',
    '/** The identity provider types this server signs in with (src/access/login/routes.ts); the others are stored only. */',
    `export const SIGN_IN_TYPES: readonly IdentityProvider['type'][] = [${signIn.map(literal).join(', ')}];`,
  ];
}

function operation(printer: Printer, r: RouteDef): Ts {
  const params = Object.entries<Schema>(r.params ?? {}).map(([p, s]) => ({ name: p, optional: false, type: printer.type(s) }));
  const query = Object.entries<Schema>(r.query ?? {}).map(([q, s]) => ({ name: q, optional: true, type: printer.type(s) }));
  const body: Schema | undefined = r.body ?? r.documentedBody;
  const optionalBody = body !== undefined && r.bodyRequired === false;
  return {
    kind: 'object',
    fields: [
      { name: 'method', optional: false, type: name(literal(r.method)) },
      { name: 'path', optional: false, type: name(literal(r.path)) },
      { name: 'params', optional: false, type: { kind: 'object', fields: params }, doc: 'Path parameters besides account_id.' },
      { name: 'query', optional: false, type: { kind: 'object', fields: query } },
      { name: 'body', optional: false, type: body === undefined ? name('undefined') : optionalBody ? union([printer.type(body), name('undefined')]) : printer.type(body) },
      { name: 'result', optional: false, type: r.result === undefined ? name('unknown') : printer.type(r.result) },
      ...(r.paged === true ? [{ name: 'paged', optional: false, type: name('true'), doc: 'The answer carries result_info.' }] : []),
    ],
  };
}

/** The text of web/src/api/operations.ts. */
export function renderDashboardApi(): string {
  const printer = new Printer();
  const declarations = NAMED.map(([typeName, find]) => {
    const schema = find();
    const doc = typeof schema.description === 'string' ? `/** ${schema.description} */\n` : '';
    return `${doc}export type ${typeName} = ${render(printer.declare(typeName, schema), '')};`;
  });
  const operations = ROUTES.map((r) => `  /** ${r.summary} */\n  ${literal(r.operationId)}: ${render(operation(printer, r), '  ')};`);
  const table = ROUTES.map((r) => `  ${literal(r.operationId)}: { method: ${literal(r.method)}, path: ${literal(r.path)} },`);
  const imports = [...printer.imports].sort(([a], [b]) => a.localeCompare(b)).map(([module, names]) => `import type { ${[...names].sort().join(', ')} } from '${module}';`);
  return [
    '// Generated from the API route table (src/api/routes.ts) by `npm run gen:dashboard-api`: do not',
    '// edit. Each operation with its method, path, parameters, query, body and result, typed from',
    '// the JSON Schemas the server validates and documents with (test/codegen/dashboard-api.ts).',
    '',
    ...imports,
    '',
    declarations.join('\n\n'),
    '',
    '/** Every operation of the API, by operationId. */',
    'export interface Operations {',
    operations.join('\n'),
    '}',
    '',
    'export type OperationId = keyof Operations;',
    '',
    '/** How to call each operation. */',
    'export const OPERATIONS = {',
    table.join('\n'),
    '} as const satisfies { readonly [K in OperationId]: { readonly method: Operations[K][\'method\']; readonly path: Operations[K][\'path\'] } };',
    '',
    ...identityProviderForms(),
    '',
  ].join('\n');
}
