import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SELECTORS } from '../../src/engine/index.js';

const DOC = fileURLToPath(new URL('../../../docs/selectors.md', import.meta.url));

test('docs/selectors.md has a row for each of the 26 selectors, with its exact wire key', () => {
  const doc = readFileSync(DOC, 'utf8');
  assert.equal(SELECTORS.length, 26);
  SELECTORS.forEach((s, i) => {
    assert.ok(doc.includes(`| ${i + 1} | \`${s.selector}\` | \`{"${s.selector}":`), `docs/selectors.md lacks the row of ${s.selector}`);
  });
});
