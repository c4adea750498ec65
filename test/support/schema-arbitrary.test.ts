// The fuzzer's generators: schema-derived values are (nearly always) valid against the schema
// the server validates with, and mutated bodies are what their label says.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ROUTES } from '../../src/api/routes.js';
import { bodyValidator } from '../../src/schema/validator.js';
import { deepJson, mutatedJsonText, mutatedValue } from './mutations.js';
import { schemaArbitrary } from './schema-arbitrary.js';

describe('schema arbitraries', () => {
  it('generate bodies the route validator accepts, for every route that validates its body', () => {
    for (const route of ROUTES.filter((r) => r.body !== undefined)) {
      const validate = bodyValidator(route.body!);
      const values = fc.sample(schemaArbitrary(route.body), { numRuns: 40, seed: 7 });
      const refused = values.filter((v) => validate(v).length > 0);
      assert.ok(refused.length <= 2, `${route.operationId}: ${refused.length} of 40 refused, e.g. ${JSON.stringify(refused[0])?.slice(0, 300)}: ${JSON.stringify(validate(refused[0]))}`);
    }
  });

  it('honour enums, patterns, bounds and required fields', () => {
    const schema = { type: 'object', properties: { a: { type: 'string', pattern: '^[A-Za-z]{2}$' }, b: { type: 'integer', minimum: 3, maximum: 5 }, c: { type: 'string', enum: ['x', 'y'] } }, required: ['a', 'b', 'c'], additionalProperties: false };
    for (const value of fc.sample(schemaArbitrary(schema), { numRuns: 50, seed: 1 }) as { a: string; b: number; c: string }[]) {
      assert.match(value.a, /^[A-Za-z]{2}$/);
      assert.ok(value.b >= 3 && value.b <= 5);
      assert.ok(['x', 'y'].includes(value.c));
    }
  });
});

describe('mutations', () => {
  it('splice deep nesting and unrepresentable numbers into the text, never building them as values', () => {
    assert.equal(deepJson(3, 'array'), '[[[]]]');
    assert.equal(deepJson(2, 'object'), '{"a":{"a":1}}');
    const texts = fc.sample(mutatedValue(fc.constant({ name: 'x', items: [1, 2] })).map(mutatedJsonText), { numRuns: 200, seed: 3 });
    assert.ok(texts.some((t) => t.includes('[[[[')), 'some are deeply nested');
    assert.ok(texts.some((t) => t.includes('1e400') || t.includes('123456789012345678901234567890')), 'some carry numbers no double holds');
    assert.ok(texts.every((t) => !t.includes('\\u0000splice')), 'no placeholder is left behind');
  });
});
