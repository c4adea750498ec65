#!/usr/bin/env node
// Rewrites the generated tables in docs/errors.md, docs/selectors.md and docs/identity-providers.md from the code (run after
// "npm run build:test").
import { readFileSync, writeFileSync } from 'node:fs';
import { updateDoc as updateErrors } from '../dist-test/test/docs/errors-doc.js';
import { updateDoc as updateSelectors } from '../dist-test/test/docs/selectors-doc.js';
import { updateDoc as updateIdentityProviders } from '../dist-test/test/docs/identity-providers-doc.js';

for (const [name, update] of [
  ['errors.md', updateErrors],
  ['selectors.md', updateSelectors],
  ['identity-providers.md', updateIdentityProviders],
]) {
  const path = new URL(`../docs/${name}`, import.meta.url);
  const before = readFileSync(path, 'utf8');
  const after = update(before);
  if (after !== before) writeFileSync(path, after);
  console.log(after === before ? `docs/${name} is up to date` : `docs/${name} updated`);
}
