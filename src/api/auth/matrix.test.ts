// The authorization matrix, for every route the server serves (read from the route table, so
// a new route is covered the day it is added): a token lacking the route's permission group
// gets 403; a token holding it for another account gets 403 and learns nothing about this one
// (no ids, names or counts, and the same answer whether or not the resource exists); a token
// holding it for this account gets past authorization.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { randomAccountId, startTestServer, type TestServer } from '../../../test/support/server.js';
import { ROUTES } from '../routes.js';
import type { RouteDef } from '../route.js';
import { tokenWith } from '../../../test/support/tokens.js';
import { grantedBy, PERMISSION_GROUPS, type PermissionName } from './permissions.js';

const isUserRoute = (route: RouteDef) => !route.path.startsWith('/accounts/');

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

  it('covers every route', () => {
    assert.ok(ROUTES.length > 60, `${ROUTES.length} routes`);
  });

  for (const route of ROUTES) {
    if (route.permissions.length === 0) continue;
    const name = `${route.method} ${route.path}`;

    it(`${name}: refused without "${route.permissions.join('" or "')}"`, async () => {
      const res = await request(route, mine, await token(allBut(route.permissions), everywhere(mine)));
      assert.equal(res.status, 403, JSON.stringify(res.json));
      assert.equal(res.json.errors[0].code, 9109);
    });

    if (!isUserRoute(route)) {
      it(`${name}: refused for another account, revealing nothing`, async () => {
        const other = await token(route.permissions, everywhere(theirs));
        const real = await request(route, mine, other, policyId);
        const fake = await request(route, mine, other);
        assert.equal(real.status, 403);
        assert.deepEqual(real.json, fake.json, 'the same answer whether the resource exists or not');
        const text = JSON.stringify(real.json);
        for (const secret of [mine, policyId, 'Secret project', 'ceo@example.com']) assert.ok(!text.includes(secret), `the answer mentions ${secret}`);
      });
    }

    it(`${name}: allowed with "${route.permissions[0]}" on the account`, async () => {
      const res = await request(route, mine, await token([route.permissions[0]], everywhere(mine)));
      assert.ok(res.status !== 401 && res.status !== 403, `${res.status} ${JSON.stringify(res.json)}`);
    });
  }

  it('answers the same 401 to a missing, a malformed and an unknown token, whatever the path', async () => {
    const answers: unknown[] = [];
    for (const route of ROUTES.filter((r) => r.method === 'GET').slice(0, 5)) {
      answers.push((await request(route, mine, 'Bearer not-a-real-token')).json);
    }
    assert.ok(answers.every((a) => JSON.stringify(a) === JSON.stringify(answers[0])));
  });
});
