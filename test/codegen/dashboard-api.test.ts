import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ROUTES } from '../../src/api/routes.js';
import { DASHBOARD_API_FILE, renderDashboardApi } from './dashboard-api.js';

const FILE = fileURLToPath(new URL(`../../../${DASHBOARD_API_FILE}`, import.meta.url));

test(`${DASHBOARD_API_FILE} is what the route table generates`, () => {
  assert.equal(readFileSync(FILE, 'utf8'), renderDashboardApi(), `${DASHBOARD_API_FILE} is stale: run "npm run gen:dashboard-api"`);
});

test('it types every operation, and names the answers the dashboard reads', () => {
  const text = renderDashboardApi();
  for (const route of ROUTES) assert.ok(text.includes(`  '${route.operationId}': {\n`), route.operationId);
  // A list answers its items' named type; a type the engine declares is imported, not spelt out.
  assert.match(text, /'access-policies-list': \{[^]*?result: Policy\[\];/);
  assert.match(text, /include: WireRule\[\];/);
  assert.match(text, /^import type \{ WireRule \} from '\.\.\/\.\.\/\.\.\/src\/engine\/wire\.js';$/m);
});

test("the identity-provider form's fields are read from the API's schemas: secrets write-only, lists one per line, sign-in types from the server's methods", () => {
  const text = renderDashboardApi();
  assert.match(text, /'oidc': \[[^\]]*\{ name: 'client_secret', kind: 'secret'/);
  assert.match(text, /'saml': \[[^\]]*\{ name: 'idp_public_certs', kind: 'lines'/);
  assert.match(text, /\{ name: 'header_attributes', kind: 'pairs', keys: \['attribute_name', 'header_name'\]/);
  assert.match(text, /\{ name: 'prompt', kind: 'select', options: \['login', 'select_account', 'none'\]/);
  assert.match(text, /export const SCIM_CONFIG_FIELDS[\s\S]*?\{ name: 'identity_update_behavior', kind: 'select', options: \['automatic', 'reauth', 'no_action'\]/);
  const signIn = /export const SIGN_IN_TYPES: [^=]*= \[([^\]]*)\]/.exec(text)?.[1] ?? '';
  assert.deepEqual(signIn.split(', ').sort(), ["'azureAD'", "'centrify'", "'google'", "'google-apps'", "'oidc'", "'okta'", "'onelogin'", "'onetimepin'", "'pingone'", "'saml'"]);
});
