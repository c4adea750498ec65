import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LINT_CODES, VALIDATION_CODES } from '../engine/index.js';
import { updateDoc } from './errors-doc.js';

const DOC = fileURLToPath(new URL('../../../docs/errors.md', import.meta.url));

test('docs/errors.md lists every validation and lint code, as the code defines them', () => {
  const doc = readFileSync(DOC, 'utf8');
  assert.equal(doc, updateDoc(doc), 'docs/errors.md is stale: run "npm run docs"');
  for (const code of [...Object.keys(VALIDATION_CODES), ...Object.keys(LINT_CODES)]) {
    assert.ok(doc.includes(`| \`${code}\` |`), `docs/errors.md misses ${code}`);
  }
});
