// The authorization matrix: which permission groups each route (method and path) needs, written
// out here rather than read from the route table, so that a route the matrix does not name, or
// whose permissions differ from what it expects, fails. For each: a token lacking those
// permission groups gets 403; a token holding them for another account gets 403 and learns
// nothing about this one (no ids, names or counts, and the same answer whether or not the
// resource exists); a token holding one of them for this account gets past authorization.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { randomAccountId, startTestServer, type TestServer } from '../../../test/support/server.js';
import { ROUTES } from '../routes.js';
import type { RouteDef } from '../route.js';
import { tokenWith } from '../../../test/support/tokens.js';
import { ACCOUNT_PERMISSIONS, grantedBy, PERMISSION_GROUPS, type PermissionName } from './permissions.js';

const isUserRoute = (route: RouteDef) => !route.path.startsWith('/accounts/');
const nameOf = (route: RouteDef) => `${route.method} ${route.path}`;

type AreaOf<P> = P extends `${infer A} ${'Read' | 'Write'}` ? A : never;
/** What a Read and Write pair of groups is about ("Access: Device Posture"). */
type Area = AreaOf<PermissionName>;
/** Reading: the Read group, or the Write group (which includes it). */
const read = <A extends Area>(area: A) => [`${area} Read`, `${area} Write`] as const;
const write = <A extends Area>(area: A) => [`${area} Write`] as const;

const APPS = 'Access: Apps and Policies';
const GROUPS = 'Access: Organizations, Identity Providers, and Groups';
const TESTER = 'Access: Policy Test';
const SEATS: readonly PermissionName[] = ['Zero Trust: Seats Write'];
const LISTS = 'Zero Trust';
const SERVICE_TOKENS = 'Access: Service Tokens';
const CERTIFICATES = 'Access: Mutual TLS Certificates';
const POSTURE = 'Access: Device Posture';
const API_TOKENS = 'API Tokens';

/** Route (method and path) → the permission groups of which any one lets a token through. */
/** Routes for the root credentials alone (creating accounts). */
const ROOT_ONLY = new Set(['POST /accounts']);

const MATRIX: Readonly<Record<string, readonly PermissionName[]>> = {
  'GET /accounts/{account_id}/access/policies': read(APPS),
  'POST /accounts/{account_id}/access/policies': write(APPS),
  'GET /accounts/{account_id}/access/policies/{policy_id}': read(APPS),
  'PUT /accounts/{account_id}/access/policies/{policy_id}': write(APPS),
  'DELETE /accounts/{account_id}/access/policies/{policy_id}': write(APPS),
  'GET /accounts/{account_id}/access/groups': read(GROUPS),
  'POST /accounts/{account_id}/access/groups': write(GROUPS),
  'GET /accounts/{account_id}/access/groups/{group_id}': read(GROUPS),
  'PUT /accounts/{account_id}/access/groups/{group_id}': write(GROUPS),
  'DELETE /accounts/{account_id}/access/groups/{group_id}': write(GROUPS),
  'GET /accounts/{account_id}/access/policy-tests': read(TESTER),
  'POST /accounts/{account_id}/access/policy-tests': write(TESTER),
  'GET /accounts/{account_id}/access/policy-tests/{policy_test_id}': read(TESTER),
  'GET /accounts/{account_id}/access/policy-tests/{policy_test_id}/users': read(TESTER),
  'GET /accounts/{account_id}/access/policy-tests/{policy_test_id}/users/{user_id}': read(TESTER),
  'POST /accounts/{account_id}/access/evaluate': read(TESTER),
  'GET /accounts/{account_id}/access/apps': read(APPS),
  'POST /accounts/{account_id}/access/apps': write(APPS),
  'GET /accounts/{account_id}/access/apps/{app_id}': read(APPS),
  'PUT /accounts/{account_id}/access/apps/{app_id}/settings': write(APPS),
  'PATCH /accounts/{account_id}/access/apps/{app_id}/settings': write(APPS),
  'GET /accounts/{account_id}/access/apps/ca': read(APPS),
  'GET /accounts/{account_id}/access/apps/{app_id}/ca': read(APPS),
  'POST /accounts/{account_id}/access/apps/{app_id}/ca': write(APPS),
  'DELETE /accounts/{account_id}/access/apps/{app_id}/ca': write(APPS),
  'PATCH /accounts/{account_id}/access/seats': SEATS,
  'PUT /accounts/{account_id}/access/apps/{app_id}': write(APPS),
  'DELETE /accounts/{account_id}/access/apps/{app_id}': write(APPS),
  'POST /accounts/{account_id}/access/apps/{app_id}/revoke_tokens': [`${APPS} Revoke`, `${APPS} Write`],
  'GET /accounts/{account_id}/access/apps/{app_id}/policies': read(APPS),
  'POST /accounts/{account_id}/access/apps/{app_id}/policies': write(APPS),
  'GET /accounts/{account_id}/access/apps/{app_id}/policies/{policy_id}': read(APPS),
  'PUT /accounts/{account_id}/access/apps/{app_id}/policies/{policy_id}': write(APPS),
  'DELETE /accounts/{account_id}/access/apps/{app_id}/policies/{policy_id}': write(APPS),
  'PUT /accounts/{account_id}/access/apps/{app_id}/policies/{policy_id}/make_reusable': write(APPS),
  'GET /accounts/{account_id}/access/apps/{app_id}/user_policy_checks': read(APPS),
  // Users are read with the audit log's group, written with the seats group.
  'GET /accounts/{account_id}/access/users': ['Access: Audit Logs Read', ...SEATS],
  'POST /accounts/{account_id}/access/users': SEATS,
  'GET /accounts/{account_id}/access/users/{user_id}': ['Access: Audit Logs Read', ...SEATS],
  'PUT /accounts/{account_id}/access/users/{user_id}': SEATS,
  'DELETE /accounts/{account_id}/access/users/{user_id}': SEATS,
  'GET /accounts/{account_id}/access/users/{user_id}/last_seen_identity': ['Access: Audit Logs Read', ...SEATS],
  'GET /accounts/{account_id}/access/users/identities': ['Access: Audit Logs Read', ...SEATS],
  'PUT /accounts/{account_id}/access/users/{user_id}/last_seen_identity': SEATS,
  'POST /accounts/{account_id}/access/users/import': SEATS,
  'GET /accounts/{account_id}/gateway/lists': read(LISTS),
  'POST /accounts/{account_id}/gateway/lists': write(LISTS),
  'GET /accounts/{account_id}/gateway/lists/{list_id}': read(LISTS),
  'PUT /accounts/{account_id}/gateway/lists/{list_id}': write(LISTS),
  'PATCH /accounts/{account_id}/gateway/lists/{list_id}': write(LISTS),
  'DELETE /accounts/{account_id}/gateway/lists/{list_id}': write(LISTS),
  'GET /accounts/{account_id}/gateway/lists/{list_id}/items': read(LISTS),
  'GET /accounts/{account_id}/access/identity_providers': read(GROUPS),
  'POST /accounts/{account_id}/access/identity_providers': write(GROUPS),
  'GET /accounts/{account_id}/access/identity_providers/{identity_provider_id}': read(GROUPS),
  'PUT /accounts/{account_id}/access/identity_providers/{identity_provider_id}': write(GROUPS),
  'DELETE /accounts/{account_id}/access/identity_providers/{identity_provider_id}': write(GROUPS),
  'POST /accounts/{account_id}/access/identity_providers/{identity_provider_id}/refresh_scim_secret': write(GROUPS),
  'GET /accounts/{account_id}/access/identity_providers/{identity_provider_id}/scim/users': read(GROUPS),
  'GET /accounts/{account_id}/access/identity_providers/{identity_provider_id}/scim/groups': read(GROUPS),
  'GET /accounts/{account_id}/access/service_tokens': read(SERVICE_TOKENS),
  'POST /accounts/{account_id}/access/service_tokens': write(SERVICE_TOKENS),
  'GET /accounts/{account_id}/access/service_tokens/{service_token_id}': read(SERVICE_TOKENS),
  'PUT /accounts/{account_id}/access/service_tokens/{service_token_id}': write(SERVICE_TOKENS),
  'DELETE /accounts/{account_id}/access/service_tokens/{service_token_id}': write(SERVICE_TOKENS),
  'POST /accounts/{account_id}/access/service_tokens/{service_token_id}/rotate': write(SERVICE_TOKENS),
  'POST /accounts/{account_id}/access/service_tokens/{service_token_id}/refresh': write(SERVICE_TOKENS),
  'GET /accounts/{account_id}/access/certificates': read(CERTIFICATES),
  'POST /accounts/{account_id}/access/certificates': write(CERTIFICATES),
  'GET /accounts/{account_id}/access/certificates/{certificate_id}': read(CERTIFICATES),
  'PUT /accounts/{account_id}/access/certificates/{certificate_id}': write(CERTIFICATES),
  'DELETE /accounts/{account_id}/access/certificates/{certificate_id}': write(CERTIFICATES),
  'GET /accounts/{account_id}/access/certificates/settings': read(CERTIFICATES),
  'PUT /accounts/{account_id}/access/certificates/settings': write(CERTIFICATES),
  'GET /accounts/{account_id}/access/tags': read(APPS),
  'POST /accounts/{account_id}/access/tags': write(APPS),
  'GET /accounts/{account_id}/access/tags/{tag_name}': read(APPS),
  'PUT /accounts/{account_id}/access/tags/{tag_name}': write(APPS),
  'DELETE /accounts/{account_id}/access/tags/{tag_name}': write(APPS),
  'GET /accounts/{account_id}/access/custom_pages': read(GROUPS),
  'POST /accounts/{account_id}/access/custom_pages': write(GROUPS),
  'GET /accounts/{account_id}/access/custom_pages/{custom_page_id}': read(GROUPS),
  'PUT /accounts/{account_id}/access/custom_pages/{custom_page_id}': write(GROUPS),
  'DELETE /accounts/{account_id}/access/custom_pages/{custom_page_id}': write(GROUPS),
  'GET /accounts/{account_id}/devices/posture': read(POSTURE),
  'POST /accounts/{account_id}/devices/posture': write(POSTURE),
  'GET /accounts/{account_id}/devices/posture/{rule_id}': read(POSTURE),
  'PUT /accounts/{account_id}/devices/posture/{rule_id}': write(POSTURE),
  'DELETE /accounts/{account_id}/devices/posture/{rule_id}': write(POSTURE),
  'GET /user/tokens/permission_groups': read(API_TOKENS),
  // Any valid credentials may verify themselves.
  'GET /user/tokens/verify': [],
  'GET /user/tokens': read(API_TOKENS),
  'POST /user/tokens': write(API_TOKENS),
  'GET /user/tokens/{token_id}': read(API_TOKENS),
  'PUT /user/tokens/{token_id}': write(API_TOKENS),
  'DELETE /user/tokens/{token_id}': write(API_TOKENS),
  'PUT /user/tokens/{token_id}/value': write(API_TOKENS),
  // The account's audit log needs the Read group itself (no Write group of that name exists).
  'GET /accounts/{account_id}/audit_logs': ['Access: Audit Logs Read'],
  'GET /user/audit_logs': read(API_TOKENS),
  // Any credentials list the accounts they reach; any account permission reads the account.
  'GET /accounts': [],
  'POST /accounts': [],
  'GET /accounts/{account_id}': ACCOUNT_PERMISSIONS,
  'GET /accounts/{account_id}/access/users/{user_id}/active_sessions': ['Access: Audit Logs Read', ...SEATS],
  'GET /accounts/{account_id}/access/users/{user_id}/active_sessions/{nonce}': ['Access: Audit Logs Read', ...SEATS],
  'GET /accounts/{account_id}/access/users/{user_id}/failed_logins': ['Access: Audit Logs Read', ...SEATS],
  // The keys that sign application tokens belong with the organization.
  'GET /accounts/{account_id}/access/keys': read(GROUPS),
  'PUT /accounts/{account_id}/access/keys': write(GROUPS),
  'POST /accounts/{account_id}/access/keys/rotate': write(GROUPS),
  'GET /accounts/{account_id}/access/organizations': read(GROUPS),
  'POST /accounts/{account_id}/access/organizations': write(GROUPS),
  'PUT /accounts/{account_id}/access/organizations': write(GROUPS),
  'POST /accounts/{account_id}/access/organizations/revoke_user': write(GROUPS),
  'GET /accounts/{account_id}/access/logs/access_requests': ['Access: Audit Logs Read'],
  'GET /accounts/{account_id}/access/logs/scim/updates': ['Access: Audit Logs Read'],
};

describe('authorization matrix', () => {
  let s: TestServer;
  const mine = randomAccountId();
  const theirs = randomAccountId();
  let policyId: string;

  before(async () => {
    s = await startTestServer({ settings: { rateLimit: 0 } });
    const created = await s.api('POST', `/accounts/${mine}/access/policies`, { name: 'Secret project', decision: 'allow', include: [{ email: { email: 'ceo@example.com' } }] });
    policyId = created.json.result.id;
  });
  after(() => s.close());

  const token = async (groups: readonly string[], resources: Record<string, string>) => `Bearer ${await tokenWith(s.store, groups, resources)}`;

  const everywhere = (account: string) => ({ [`com.cloudflare.api.account.${account}`]: '*', 'com.cloudflare.api.user.portcullis': '*' });

  function request(route: RouteDef, account: string, authorization: string, id: string = randomUUID()) {
    const path = route.path.replace('{account_id}', account).replace(/\{[a-z_]+\}/g, id);
    const hasBody = route.method !== 'GET' && route.method !== 'DELETE';
    return s.api(route.method, path, hasBody ? {} : undefined, { authorization });
  }

  /** Every permission group except those that grant one of `needed`. */
  function allBut(needed: readonly PermissionName[]): string[] {
    return PERMISSION_GROUPS.filter((g) => !grantedBy(g).some((p) => (needed as readonly string[]).includes(p))).map((g) => g.name);
  }

  it('names every route of the table, and each route asks for the permissions the matrix expects', () => {
    const served = ROUTES.map(nameOf);
    assert.deepEqual(served.filter((name) => !(name in MATRIX)), [], 'routes the matrix does not name');
    assert.deepEqual(Object.keys(MATRIX).filter((name) => !served.includes(name)), [], 'matrix entries no route serves');
    for (const route of ROUTES) assert.deepEqual([...route.permissions].sort(), [...MATRIX[nameOf(route)]].sort(), nameOf(route));
  });

  for (const [name, permissions] of Object.entries(MATRIX)) {
    const route = ROUTES.find((r) => nameOf(r) === name);
    // A matrix entry without its route fails the test above.
    if (route === undefined) continue;

    if (ROOT_ONLY.has(name)) {
      it(`${name}: refused to every API token, whatever it holds`, async () => {
        const res = await request(route, mine, await token(PERMISSION_GROUPS.map((g) => g.name), everywhere(mine)));
        assert.equal(res.status, 403, JSON.stringify(res.json));
        assert.equal(res.json.errors[0].code, 9109);
      });
      continue;
    }

    if (permissions.length === 0) {
      it(`${name}: allowed with any valid credentials`, async () => {
        const res = await request(route, mine, await token(['Zero Trust Read'], everywhere(theirs)));
        assert.ok(res.status !== 401 && res.status !== 403, `${res.status} ${JSON.stringify(res.json)}`);
      });
      continue;
    }

    it(`${name}: refused without "${permissions.join('" or "')}"`, async () => {
      const res = await request(route, mine, await token(allBut(permissions), everywhere(mine)));
      assert.equal(res.status, 403, JSON.stringify(res.json));
      assert.equal(res.json.errors[0].code, 9109);
    });

    if (!isUserRoute(route)) {
      it(`${name}: refused for another account, revealing nothing`, async () => {
        const other = await token(permissions, everywhere(theirs));
        const real = await request(route, mine, other, policyId);
        const fake = await request(route, mine, other);
        assert.equal(real.status, 403);
        assert.deepEqual(real.json, fake.json, 'the same answer whether the resource exists or not');
        const text = JSON.stringify(real.json);
        for (const secret of [mine, policyId, 'Secret project', 'ceo@example.com']) assert.ok(!text.includes(secret), `the answer mentions ${secret}`);
      });
    }

    for (const permission of permissions) {
      it(`${name}: allowed with "${permission}" on the account`, async () => {
        const res = await request(route, mine, await token([permission], everywhere(mine)));
        assert.ok(res.status !== 401 && res.status !== 403, `${res.status} ${JSON.stringify(res.json)}`);
      });
    }
  }

  it('answers the same 401 to a missing, a malformed and an unknown token, whatever the path', async () => {
    const answers: unknown[] = [];
    for (const route of ROUTES.filter((r) => r.method === 'GET').slice(0, 5)) {
      answers.push((await request(route, mine, 'Bearer not-a-real-token')).json);
    }
    assert.ok(answers.every((a) => JSON.stringify(a) === JSON.stringify(answers[0])));
  });
});
