import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SELECTORS } from '../../src/engine/index.js';
import { generatedBlock, renderSelectorTables } from './selectors-doc.js';

const DOC = fileURLToPath(new URL('../../../docs/selectors.md', import.meta.url));

test('docs/selectors.md carries the tables the catalogue generates, whole', () => {
  const doc = readFileSync(DOC, 'utf8');
  const block = generatedBlock(doc);
  assert.ok(block !== undefined, 'docs/selectors.md lacks the generated-block markers');
  assert.equal(block, renderSelectorTables(), 'docs/selectors.md is stale: run "npm run docs"');
});

test('the generated tables give every selector a row with its exact wire key', () => {
  const tables = renderSelectorTables();
  assert.equal(SELECTORS.length, 26);
  SELECTORS.forEach((s, i) => {
    assert.ok(tables.includes(`| ${i + 1} | \`${s.selector}\` | ${s.title} | \`{"${s.selector}":{`), `no row for ${s.selector}`);
    for (const code of Object.keys(s.reasons)) assert.ok(tables.includes(`\`${code}\``), `${s.selector}: reason ${code} missing`);
  });
});
