import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OIDC_ISSUERS } from '../../src/access/login/oidc-issuers.js';
import { updateDoc } from './identity-providers-doc.js';

const DOC = fileURLToPath(new URL('../../../docs/identity-providers.md', import.meta.url));

test('docs/identity-providers.md maps every OpenID Connect provider type to its issuer as the logins do', () => {
  const doc = readFileSync(DOC, 'utf8');
  assert.equal(doc, updateDoc(doc), 'docs/identity-providers.md is stale: run "npm run docs"');
  for (const type of Object.keys(OIDC_ISSUERS)) assert.ok(doc.includes(`| \`${type}\` |`), `the doc misses ${type}`);
});
