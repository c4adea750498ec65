// The route table: what the server registers and the OpenAPI document lists must be unambiguous.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { obj, str } from '../schema/json-schema.js';
import { defineRoute } from './route.js';
import { ROUTES } from './routes.js';

const repeated = (values: readonly string[]) => values.filter((v, i) => values.indexOf(v) !== i);

test('every route has its own operationId and its own method and path', () => {
  assert.deepEqual(repeated(ROUTES.map((r) => r.operationId)), []);
  assert.deepEqual(repeated(ROUTES.map((r) => `${r.method} ${r.path}`)), []);
});

test('operationIds are kebab-case and every route documents its result', () => {
  for (const route of ROUTES) {
    assert.match(route.operationId, /^[a-z0-9]+(-[a-z0-9]+)*$/, route.operationId);
    assert.ok(route.result !== undefined, `${route.operationId} has a result schema`);
    assert.ok(route.summary.length > 0 && route.tag.length > 0, route.operationId);
  }
});

test('every path parameter of a route is described', () => {
  for (const route of ROUTES) {
    const names = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).filter((n) => n !== 'account_id');
    assert.deepEqual(names.filter((n) => route.params?.[n] === undefined), [], route.operationId);
  }
});

// Checked when the tests compile: each @ts-expect-error must meet its error, or the build fails.
test('routes are typed by their schemas: permissions are group names, params and bodies are what the schemas say', () => {
  const route = defineRoute({
    method: 'POST',
    path: '/accounts/{account_id}/examples/{example_id}',
    operationId: 'examples-create',
    summary: 'An example',
    tag: 'Examples',
    // @ts-expect-error -- a misspelt permission group is no PermissionName
    permissions: ['Access: Apps and Policy Write'],
    params: { example_id: str() },
    body: obj({ name: str(), note: str() }, { required: ['name'] }),
    status: 200,
    handler: async ({ params, body }) => {
      // @ts-expect-error -- a path parameter the route does not declare
      const other: string = params.other_id;
      // @ts-expect-error -- an optional field may be absent
      const note: string = body.note;
      const name: string = body.name;
      return { result: { id: params.example_id, name, note, other } };
    },
  });
  assert.deepEqual(Object.keys(route.params ?? {}), ['example_id']);
  // @ts-expect-error -- a required field the object does not have
  obj({ name: str() }, { required: ['nmae'] });
});
