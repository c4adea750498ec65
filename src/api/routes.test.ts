// The route table: what the server registers and the OpenAPI document lists must be unambiguous.
import { test } from 'node:test';
import assert from 'node:assert/strict';
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
