import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ALL_VALIDATION_CODES, API_ERRORS, LINT_CODES, LINT_NUMBERS, VALIDATION_NUMBERS } from '../../src/api/errors.js';
import { updateDoc } from './errors-doc.js';

const DOC = fileURLToPath(new URL('../../../docs/errors.md', import.meta.url));

test('docs/errors.md lists every error, validation and lint code, as the registry defines them', () => {
  const doc = readFileSync(DOC, 'utf8');
  assert.equal(doc, updateDoc(doc), 'docs/errors.md is stale: run "npm run docs"');
  for (const name of [...Object.keys(API_ERRORS), ...Object.keys(ALL_VALIDATION_CODES), ...Object.keys(LINT_CODES)]) {
    assert.ok(doc.includes(`| \`${name}\` |`), `docs/errors.md misses ${name}`);
  }
});

test('numeric codes are unique across the registry and at least 1000', () => {
  const numbers = [...Object.values(API_ERRORS).map((e) => e.code), ...Object.values(VALIDATION_NUMBERS), ...Object.values(LINT_NUMBERS)];
  assert.equal(new Set(numbers).size, numbers.length, 'every code means one thing');
  assert.ok(numbers.every((n) => Number.isInteger(n) && n >= 1000));
});
