// The served OpenAPI document describes exactly the routes the server serves, its schemas
// compile, and the documented policy schema accepts what the engine accepts.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parsePolicy, type WireGroup, type WirePolicy } from '../engine/index.js';
import { CONFORMANCE_CASES } from '../../test/engine/conformance.cases.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { ROUTES } from './routes.js';
import type { Static } from '../schema/json-schema.js';
import { GROUP_REQUEST, POLICY_REQUEST } from '../schema/policies.js';

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext resolution.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;
import { bodyValidator } from '../schema/validator.js';

/** true when each type is assignable to the other. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

describe('OpenAPI document', () => {
  let s: TestServer;
  let doc: any;
  before(async () => {
    s = await startTestServer();
    const res = await fetch(`${s.apiUrl}/openapi.json`);
    assert.equal(res.status, 200, 'served without credentials');
    doc = await res.json();
  });
  after(() => s.close());

  it('lists every route once, with unique operation ids and declared path parameters', () => {
    assert.equal(doc.openapi, '3.0.3');
    const operations = Object.entries(doc.paths).flatMap(([path, ops]: [string, any]) => Object.entries(ops).map(([method, op]) => ({ path, method, op: op as any })));
    assert.equal(operations.length, ROUTES.length);
    for (const route of ROUTES) assert.ok(doc.paths[route.path]?.[route.method.toLowerCase()], `${route.method} ${route.path} is documented`);
    const ids = operations.map((o) => o.op.operationId);
    assert.equal(new Set(ids).size, ids.length, 'operation ids are unique');
    for (const { path, op } of operations) {
      const declared = op.parameters.filter((p: any) => p.in === 'path').map((p: any) => p.name).sort();
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      assert.deepEqual(declared, inPath, path);
      assert.ok(op.responses['4XX'], `${path} documents failures`);
    }
  });

  it('has schemas that compile', () => {
    // The formats the document uses (uri, email, date-time) must be known, as the server's own validator knows them.
    const ajv = addFormats(new Ajv({ strict: false }));
    for (const [path, ops] of Object.entries(doc.paths) as [string, any][]) {
      for (const [method, op] of Object.entries(ops) as [string, any][]) {
        for (const content of Object.values(op.requestBody?.content ?? {}) as any[]) assert.doesNotThrow(() => ajv.compile(content.schema), `${method} ${path} request`);
        for (const response of Object.values(op.responses) as any[]) assert.doesNotThrow(() => ajv.compile(response.content['application/json'].schema), `${method} ${path} response`);
      }
    }
  });

  it('documents a policy schema that accepts every policy the engine accepts', () => {
    // Its TypeScript type is the engine's wire type, both ways: this compiles only while they agree.
    const agree: [Same<Static<typeof POLICY_REQUEST>, WirePolicy>, Same<Static<typeof GROUP_REQUEST>, WireGroup>] = [true, true];
    assert.deepEqual(agree, [true, true]);
    const validate = bodyValidator(POLICY_REQUEST);
    let checked = 0;
    for (const c of CONFORMANCE_CASES) {
      for (const wire of c.policies as unknown[]) {
        if (!parsePolicy(wire).ok) continue;
        checked++;
        assert.deepEqual(validate(wire), [], JSON.stringify(wire));
      }
    }
    assert.ok(checked > 200, `checked ${checked} policies`);
    assert.notDeepEqual(validate({ name: 'x', decision: 'allow', include: [{ emial: {} }] }), [], 'and refuses what the engine refuses');
  });
});
