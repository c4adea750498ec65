// Scenarios of the policy tester as Cloudflare documents it (start a test of reusable policy ids
// and inline policies, poll its progress, page through its users by status), over a real HTTP
// server with the official SDK as client, on SQLite and PostgreSQL. Where Cloudflare leaves a
// behaviour open, the expectation is the one docs/semantics.md and docs/extensions.md state.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Cloudflare from 'cloudflare';
import { databaseKinds } from '../../../test/support/databases.js';
import { importUsers, runPolicyTest, type ImportedUser } from '../../../test/support/policy-tests.js';
import { randomAccountId, startTestServer, type TestServer } from '../../../test/support/server.js';
import { describeEachDatabase } from '../../../test/support/suite.js';
import { compileTest } from '../../tester/compiled-test.js';
import type { TestDefinition } from '../../tester/definition.js';
import { testSnapshot } from '../../tester/environment.js';
import { evaluateChunk } from '../../tester/evaluate-chunk.js';

const POLICY_TESTS = (account: string) => `/accounts/${account}/access/policy-tests`;

/** Every user of a test, through the SDK's auto-pagination, as [email, status]. */
async function sdkUsers(cf: Cloudflare, account: string, testId: string, params: { status?: 'success' | 'fail' | 'error'; per_page?: number } = {}): Promise<[string, string][]> {
  const users: [string, string][] = [];
  for await (const user of cf.zeroTrust.access.applications.policyTests.users.list(testId, { account_id: account, ...params })) users.push([user.email!, user.status!]);
  return users;
}

/** Start through the SDK and poll through the SDK until the test is no longer processing. */
async function sdkRun(cf: Cloudflare, account: string, policies: unknown[]): Promise<{ id: string; progress: Record<string, unknown> }> {
  const started = await cf.zeroTrust.access.applications.policyTests.create({ account_id: account, policies: policies as never });
  let progress = await cf.zeroTrust.access.applications.policyTests.get(started.id!, { account_id: account });
  for (let i = 0; progress.status === 'processing'; i++) {
    assert.ok(i < 1500, 'the test finishes');
    await new Promise((ok) => setTimeout(ok, 20));
    progress = await cf.zeroTrust.access.applications.policyTests.get(started.id!, { account_id: account });
  }
  return { id: started.id!, progress: progress as Record<string, unknown> };
}

const statusOf = (users: [string, string][]): Record<string, string> => Object.fromEntries(users);

await describeEachDatabase('policy tester, as Cloudflare documents it', (s) => {
  it('tests a reusable policy by id, an inline policy, and both in one list', async () => {
    const account = randomAccountId();
    await importUsers(s, account, [
      { email: 'ada@example.com', name: 'Ada', identity: { geo: { country: 'US' } } },
      { email: 'bob@example.com', name: 'Bob', identity: { geo: { country: 'FR' } } },
      { email: 'eve@other.org', name: 'Eve', identity: { geo: { country: 'US' } } },
    ]);
    const staff = await s.cf.zeroTrust.access.policies.create({ account_id: account, name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });

    const raw = await s.api('POST', POLICY_TESTS(account), { policies: [staff.id] });
    assert.equal(raw.status, 200);
    assert.deepEqual([raw.json.success, raw.json.errors, raw.json.messages, Object.keys(raw.json.result).sort(), raw.json.result.status], [true, [], [], ['id', 'status'], 'success']);
    assert.match(raw.json.result.id, /^[0-9a-f]{64}$/);

    const byId = await sdkRun(s.cf, account, [staff.id]);
    assert.deepEqual(statusOf(await sdkUsers(s.cf, account, byId.id)), { 'ada@example.com': 'approved', 'bob@example.com': 'approved', 'eve@other.org': 'blocked' });

    const inline = await sdkRun(s.cf, account, [{ name: 'From the US', decision: 'allow', include: [{ geo: { country_code: 'US' } }] }]);
    assert.deepEqual(statusOf(await sdkUsers(s.cf, account, inline.id)), { 'ada@example.com': 'approved', 'bob@example.com': 'blocked', 'eve@other.org': 'approved' });

    const both = await sdkRun(s.cf, account, [{ name: 'Block the US', decision: 'deny', include: [{ geo: { country_code: 'US' } }] }, staff.id]);
    assert.deepEqual(statusOf(await sdkUsers(s.cf, account, both.id)), { 'ada@example.com': 'blocked', 'bob@example.com': 'approved', 'eve@other.org': 'blocked' });

    // A user's row carries id, email, name and status (Cloudflare's four fields).
    const page = await s.api('GET', `${POLICY_TESTS(account)}/${byId.id}/users`);
    assert.deepEqual(Object.keys(page.json.result[0]).sort(), ['email', 'id', 'name', 'status']);
    assert.deepEqual([page.json.result[0].email, page.json.result[0].name], ['ada@example.com', 'Ada']);

    // A reusable policy is tested as it was when the test started: a later edit changes nothing.
    await s.cf.zeroTrust.access.policies.update(staff.id!, { account_id: account, name: 'Staff', decision: 'deny', include: [{ email_domain: { domain: 'example.com' } }] });
    assert.deepEqual(statusOf(await sdkUsers(s.cf, account, byId.id)), { 'ada@example.com': 'approved', 'bob@example.com': 'approved', 'eve@other.org': 'blocked' });
  });

  it('combines include (any), require (all) and exclude (none)', async () => {
    const account = randomAccountId();
    await importUsers(s, account, [
      { email: 'ok@example.com', identity: { geo: { country: 'US' }, amr: ['pwd', 'mfa'] } },
      { email: 'no-mfa@example.com', identity: { geo: { country: 'US' }, amr: ['pwd'] } },
      { email: 'abroad@example.com', identity: { geo: { country: 'FR' }, amr: ['mfa'] } },
      { email: 'guest@other.org', identity: { geo: { country: 'US' }, amr: ['mfa'] } },
      { email: 'stranger@other.org', identity: { geo: { country: 'US' }, amr: ['mfa'] } },
      { email: 'banned@example.com', identity: { geo: { country: 'US' }, amr: ['mfa'] } },
    ]);
    const { id, progress } = await sdkRun(s.cf, account, [
      {
        name: 'Staff and one guest, from the US with MFA, but not banned',
        decision: 'allow',
        include: [{ email_domain: { domain: 'example.com' } }, { email: { email: 'guest@other.org' } }],
        require: [{ geo: { country_code: 'US' } }, { auth_method: { auth_method: 'mfa' } }],
        exclude: [{ email: { email: 'banned@example.com' } }],
      },
    ]);
    assert.deepEqual(statusOf(await sdkUsers(s.cf, account, id)), {
      'ok@example.com': 'approved',
      'no-mfa@example.com': 'blocked',
      'abroad@example.com': 'blocked',
      'guest@other.org': 'approved',
      'stranger@other.org': 'blocked',
      'banned@example.com': 'blocked',
    });
    assert.deepEqual([progress.users_approved, progress.users_blocked, progress.percent_approved, progress.percent_blocked], [2, 4, 33, 67]);
  });

  it('decides each decision as the order of execution says: bypass and service auth first, then allow or block, else blocked', async () => {
    const account = randomAccountId();
    const tokenId = (await s.cf.zeroTrust.access.serviceTokens.create({ account_id: account, name: 'CI' })).id!;
    await importUsers(s, account, [
      { email: 'office@example.com', identity: { ip: '192.0.2.10' } },
      { email: 'robot@example.com', identity: { service_token_id: tokenId, service_token_status: true } },
      { email: 'home@example.com', identity: { ip: '198.51.100.7' } },
    ]);
    const allow = { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] };
    const deny = { name: 'Block everyone', decision: 'deny', include: [{ everyone: {} }] };
    const bypass = { name: 'Office', decision: 'bypass', include: [{ ip: { ip: '192.0.2.0/24' } }] };
    const service = { name: 'CI', decision: 'non_identity', include: [{ service_token: { token_id: tokenId } }] };
    const cases: [string, unknown[], Record<string, string>][] = [
      ['allow alone', [allow], { 'office@example.com': 'approved', 'robot@example.com': 'approved', 'home@example.com': 'approved' }],
      ['deny alone blocks, and nothing else grants', [deny], { 'office@example.com': 'blocked', 'robot@example.com': 'blocked', 'home@example.com': 'blocked' }],
      ['bypass alone', [bypass], { 'office@example.com': 'approved', 'robot@example.com': 'blocked', 'home@example.com': 'blocked' }],
      ['service auth alone', [service], { 'office@example.com': 'blocked', 'robot@example.com': 'approved', 'home@example.com': 'blocked' }],
      ['deny before allow', [deny, allow], { 'office@example.com': 'blocked', 'robot@example.com': 'blocked', 'home@example.com': 'blocked' }],
      ['bypass and service auth run before a deny listed first', [deny, bypass, service], { 'office@example.com': 'approved', 'robot@example.com': 'approved', 'home@example.com': 'blocked' }],
    ];
    for (const [what, policies, expected] of cases) {
      const { id, progress } = await sdkRun(s.cf, account, policies);
      assert.equal(progress.status, 'complete', what);
      assert.deepEqual(statusOf(await sdkUsers(s.cf, account, id)), expected, what);
    }
    // Bypass skips the login, so it cannot name who logged in (refused, not tested).
    const refused = await s.api('POST', POLICY_TESTS(account), { policies: [{ name: 'b', decision: 'bypass', include: [{ email_domain: { domain: 'example.com' } }] }] });
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.json.errors.map((e: { code: number; source: { pointer: string } }) => [e.code, e.source.pointer]), [[1320, '/policies/0/include/0/email_domain']]);
  });

  it('reports the users it cannot decide as errors, and decides users who never logged in on their email alone', async () => {
    const account = randomAccountId();
    await importUsers(s, account, [
      { email: 'known@example.com', identity: { geo: { country: 'US' } } },
      { email: 'asked@example.com', identity: { geo: { country: 'FR' } } },
      { email: 'never-logged-in@example.com' },
      { email: 'never-logged-in@other.org' },
    ]);
    // No external evaluator: the rule is unknown, and decides only the users it could change.
    const { id, progress } = await sdkRun(s.cf, account, [
      { name: 'US', decision: 'allow', include: [{ geo: { country_code: 'US' } }] },
      { name: 'Ask outside', decision: 'allow', include: [{ external_evaluation: { evaluate_url: 'https://eval.example/ask', keys_url: 'https://eval.example/keys' } }] },
    ]);
    assert.deepEqual(
      [progress.total_users, progress.users_approved, progress.users_blocked, progress.users_errored, progress.percent_approved, progress.percent_blocked, progress.percent_errored],
      [4, 1, 0, 3, 25, 0, 75],
    );
    assert.deepEqual(await sdkUsers(s.cf, account, id, { status: 'error' }), [
      ['asked@example.com', 'error'],
      ['never-logged-in@example.com', 'error'],
      ['never-logged-in@other.org', 'error'],
    ]);
    assert.deepEqual(await sdkUsers(s.cf, account, id, { status: 'success' }), [['known@example.com', 'approved']]);
    assert.deepEqual(await sdkUsers(s.cf, account, id, { status: 'fail' }), []);

    const byEmail = await sdkRun(s.cf, account, [{ name: 'Staff in the US', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] }]);
    assert.deepEqual(statusOf(await sdkUsers(s.cf, account, byEmail.id)), {
      'known@example.com': 'approved',
      'asked@example.com': 'approved',
      'never-logged-in@example.com': 'approved',
      'never-logged-in@other.org': 'blocked',
    });
    const byCountry = await sdkRun(s.cf, account, [{ name: 'US', decision: 'allow', include: [{ geo: { country_code: 'US' } }] }]);
    assert.equal(statusOf(await sdkUsers(s.cf, account, byCountry.id))['never-logged-in@example.com'], 'blocked', 'no identity: the country is absent, not unknown');
  });

  it('pages through the users with each status filter, per_page and result_info as Cloudflare pages', async () => {
    const account = randomAccountId();
    const users: ImportedUser[] = Array.from({ length: 30 }, (_, i) => ({
      email: `u${String(i).padStart(2, '0')}@${i % 5 === 0 ? 'example.com' : i % 5 === 1 ? 'ask.example' : 'other.org'}`,
    }));
    await importUsers(s, account, users);
    const { id, progress } = await sdkRun(s.cf, account, [
      { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] },
      { name: 'Ask', decision: 'allow', include: [{ email_domain: { domain: 'ask.example' } }], require: [{ external_evaluation: { evaluate_url: 'https://eval.example/ask', keys_url: 'https://eval.example/keys' } }] },
    ]);
    assert.deepEqual([progress.users_approved, progress.users_blocked, progress.users_errored], [6, 18, 6]);
    const emails = users.map((u) => u.email);
    const expected: Record<string, string[]> = {
      all: emails,
      success: emails.filter((e) => e.endsWith('@example.com')),
      fail: emails.filter((e) => e.endsWith('@other.org')),
      error: emails.filter((e) => e.endsWith('@ask.example')),
    };
    for (const [filter, want] of Object.entries(expected)) {
      const query = filter === 'all' ? '' : `&status=${filter}`;
      const got: string[] = [];
      const perPage = 4;
      const pages = Math.ceil(want.length / perPage);
      for (let page = 1; page <= pages + 1; page++) {
        const res = await s.api('GET', `${POLICY_TESTS(account)}/${id}/users?page=${page}&per_page=${perPage}${query}`);
        assert.equal(res.status, 200);
        const count = page <= pages ? Math.min(perPage, want.length - (page - 1) * perPage) : 0;
        assert.deepEqual(res.json.result_info, { page, per_page: perPage, count, total_count: want.length, total_pages: pages }, `${filter}, page ${page}`);
        assert.equal(res.json.result.length, count);
        got.push(...res.json.result.map((u: { email: string }) => u.email));
      }
      assert.deepEqual(got, want, `${filter}: every user once, in directory order`);
      // The SDK walks the same pages.
      const viaSdk = await sdkUsers(s.cf, account, id, { ...(filter === 'all' ? {} : { status: filter as 'success' | 'fail' | 'error' }), per_page: 7 });
      assert.deepEqual(viaSdk.map(([e]) => e), want, `${filter} through the SDK`);
    }

    const defaults = await s.api('GET', `${POLICY_TESTS(account)}/${id}/users`);
    assert.deepEqual([defaults.json.result.length, defaults.json.result_info.per_page, defaults.json.result_info.page, defaults.json.result_info.total_pages], [25, 25, 1, 2]);
    const max = await s.api('GET', `${POLICY_TESTS(account)}/${id}/users?per_page=1000`);
    assert.deepEqual([max.status, max.json.result.length], [200, 30]);
    for (const query of ['per_page=1001', 'per_page=0', 'page=0', 'page=-1', 'per_page=abc', 'status=approved', 'status=blocked']) {
      const bad = await s.api('GET', `${POLICY_TESTS(account)}/${id}/users?${query}`);
      assert.equal(bad.status, 400, query);
      assert.equal(bad.json.success, false, query);
      assert.ok(bad.json.errors.length > 0 && bad.json.errors.every((e: { code: number; message: string }) => e.code >= 1000 && e.message.length > 0), query);
    }
  });

  it('answers an unknown test with 404, and refuses bad requests with a 400 naming each entry', async () => {
    const account = randomAccountId();
    const other = randomAccountId();
    await importUsers(s, account, [{ email: 'a@example.com' }]);
    const foreign = await s.cf.zeroTrust.access.policies.create({ account_id: other, name: 'Elsewhere', decision: 'allow', include: [{ everyone: {} }] });
    const app = await s.cf.zeroTrust.access.applications.create({ account_id: account, type: 'self_hosted', name: 'App', domain: 'app.example.com' } as never);
    const scoped = await s.api('POST', `/accounts/${account}/access/apps/${app.id}/policies`, { name: 'Scoped', decision: 'allow', include: [{ everyone: {} }] });
    assert.equal(scoped.status, 201, JSON.stringify(scoped.json.errors));

    const unknownId = 'f'.repeat(64);
    for (const path of [`${POLICY_TESTS(account)}/${unknownId}`, `${POLICY_TESTS(account)}/${unknownId}/users`]) {
      const res = await s.api('GET', path);
      assert.equal(res.status, 404, path);
      assert.deepEqual([res.json.success, res.json.errors[0].code, res.json.result ?? null], [false, 1102, null], path);
    }
    await assert.rejects(s.cf.zeroTrust.access.applications.policyTests.get(unknownId, { account_id: account }), Cloudflare.NotFoundError);
    await assert.rejects(sdkUsers(s.cf, account, unknownId), Cloudflare.NotFoundError);
    const tooLong = await s.api('GET', `${POLICY_TESTS(account)}/${'f'.repeat(65)}`);
    assert.deepEqual([tooLong.status, tooLong.json.errors[0].code], [404, 1102], 'an id no test can have is not found either');

    // A test of one account is unknown to another.
    const { id } = await runPolicyTest(s, account, { policies: [{ name: 'p', decision: 'allow', include: [{ everyone: {} }] }] });
    assert.equal((await s.api('GET', `${POLICY_TESTS(other)}/${id}`)).status, 404);
    assert.equal((await s.api('GET', `${POLICY_TESTS(other)}/${id}/users`)).status, 404);

    const refusals: [string, unknown, [number, string][]][] = [
      ['no policies field', {}, [[1301, '/policies']]],
      ['an empty list', { policies: [] }, [[1316, '/policies']]],
      ['not a list', { policies: 'p' }, [[1300, '/policies']]],
      ['an id that does not exist', { policies: ['6f1c3a5e-0000-4000-8000-000000000000'] }, [[1357, '/policies/0']]],
      ['a policy of another account', { policies: [foreign.id] }, [[1357, '/policies/0']]],
      ['an application-scoped policy, not a reusable one', { policies: [scoped.json.result.id] }, [[1357, '/policies/0']]],
      ['an inline policy without include', { policies: [{ name: 'n', decision: 'allow' }] }, [[1301, '/policies/0/include']]],
      ['an inline policy with an unknown decision', { policies: [{ name: 'n', decision: 'maybe', include: [{ everyone: {} }] }] }, [[1303, '/policies/0/decision']]],
    ];
    for (const [what, body, errors] of refusals) {
      const res = await s.api('POST', POLICY_TESTS(account), body);
      assert.equal(res.status, 400, what);
      assert.equal(res.json.success, false, what);
      assert.deepEqual(res.json.errors.map((e: { code: number; source?: { pointer: string } }) => [e.code, e.source?.pointer]), errors, what);
    }
    await assert.rejects(s.cf.zeroTrust.access.applications.policyTests.create({ account_id: account, policies: [foreign.id!] }), Cloudflare.BadRequestError);
    for (const entry of [42, null, '', ['nested']]) {
      const res = await s.api('POST', POLICY_TESTS(account), { policies: [entry] });
      assert.equal(res.status, 400, JSON.stringify(entry));
      assert.equal(res.json.errors[0].source.pointer.startsWith('/policies/0'), true, JSON.stringify(entry));
    }
    const noBody = await s.api('POST', POLICY_TESTS(account), undefined, { 'content-type': 'application/json' });
    assert.equal(noBody.status, 400);
    const notJson = await s.api('POST', POLICY_TESTS(account), '{"policies": [', { 'content-type': 'application/json' });
    assert.equal(notJson.status, 400);
  });

  it('rounds percentages to the nearest whole number of the users processed, halves up', async () => {
    const staff = [{ name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] }];
    // [users, of whom approved, percent_approved, percent_blocked]: 12.5 and 87.5 are exact in
    // binary; 57.5 (23 of 40) and 42.5 are not, and part / total * 100 gives 57.49999999999999.
    for (const [total, approved, percentApproved, percentBlocked] of [[8, 1, 13, 88], [40, 23, 58, 43], [200, 29, 15, 86]]) {
      const account = randomAccountId();
      await importUsers(s, account, Array.from({ length: total }, (_, i) => ({ email: `u${i}@${i < approved ? 'example.com' : 'other.org'}` })));
      const { progress } = await sdkRun(s.cf, account, staff);
      assert.deepEqual(
        [progress.users_approved, progress.users_blocked, progress.percent_approved, progress.percent_blocked, progress.percent_errored, progress.percent_users_processed],
        [approved, total - approved, percentApproved, percentBlocked, 0, 100],
        `${approved} of ${total}`,
      );
    }
  });
});

for (const kind of await databaseKinds()) {
  describe(`policy tester progress while it runs (${kind.name})`, { skip: kind.skip }, () => {
    it('reports processing with the users done so far, then complete with every user', async () => {
      // No runner loop: this test decides the chunks itself, one at a time, as a runner would.
      // Chunks of 29 of 50 users: 29 of 50 is exactly 58 %, which 29 / 50 * 100 (57.99999999999999) floors to 57.
      const s: TestServer = await startTestServer({ database: await kind.create(), settings: { testChunkSize: 29 }, tester: { concurrency: 0 } });
      try {
        const account = randomAccountId();
        // Users 0 to 22 are staff: the first chunk holds 23 of them and 6 others.
        const emails = Array.from({ length: 50 }, (_, i) => `u${String(i).padStart(2, '0')}@${i < 23 ? 'example.com' : 'other.org'}`);
        await importUsers(s, account, emails.map((email) => ({ email })));
        const started = await s.api('POST', POLICY_TESTS(account), { policies: [{ name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] }] });
        const id = started.json.result.id as string;
        const progress = async () => (await s.api('GET', `${POLICY_TESTS(account)}/${id}`)).json.result;
        const users = async () => (await s.api('GET', `${POLICY_TESTS(account)}/${id}/users`)).json;

        const before = await progress();
        assert.deepEqual(
          [before.status, before.total_users, before.users_approved, before.users_blocked, before.users_errored, before.percent_approved, before.percent_blocked, before.percent_users_processed, before.finished_at],
          ['processing', 50, 0, 0, 0, 0, 0, 0, undefined],
        );
        assert.deepEqual([(await users()).result, (await users()).result_info.total_count], [[], 0]);

        const record = (await s.store.tests.get(account, id))!;
        const compiled = compileTest({ definition: record.definition as TestDefinition, snapshot: await testSnapshot(s.store.tests, s.store.read, record) });
        const decideOne = async () => {
          const lease = (await s.store.tests.lease('scenario', Date.now(), 60_000))!;
          const rows = await s.store.tests.usersInRange(account, lease.seqFrom, lease.seqTo);
          const outcome = evaluateChunk(compiled, rows.map((u) => [u.id, u.email, u.name, u.identity] as const));
          assert.equal(await s.store.tests.complete(lease, 'scenario', outcome, new Date().toISOString()), true);
        };

        await decideOne();
        const midway = await progress();
        assert.deepEqual(
          [midway.status, midway.total_users, midway.users_approved, midway.users_blocked, midway.percent_approved, midway.percent_blocked, midway.percent_users_processed],
          ['processing', 50, 23, 6, 79, 21, 58],
          'percentages of the users processed so far; processed of the whole directory',
        );
        const page = await users();
        assert.deepEqual(page.result.slice(0, 1).map((u: { email: string; status: string }) => [u.email, u.status]), [['u00@example.com', 'approved']]);
        assert.deepEqual([page.result.length, page.result_info.total_count, page.result_info.total_pages], [25, 29, 2], 'the users processed so far');
        const blockedSoFar = (await s.api('GET', `${POLICY_TESTS(account)}/${id}/users?status=fail`)).json;
        assert.deepEqual(blockedSoFar.result.map((u: { email: string }) => u.email), emails.slice(23, 29));

        // A user deleted before their chunk is decided leaves the directory the test counts.
        const gone = (await s.api('GET', `/accounts/${account}/access/users?email=${encodeURIComponent(emails[49]!)}`)).json.result[0].id as string;
        assert.equal((await s.api('DELETE', `/accounts/${account}/access/users/${gone}`)).status, 202);
        await decideOne();
        const after = await progress();
        assert.deepEqual(
          [after.status, after.total_users, after.users_approved, after.users_blocked, after.percent_approved, after.percent_blocked, after.percent_users_processed],
          ['complete', 49, 23, 26, 47, 53, 100],
        );
        assert.match(after.finished_at, /^\d{4}-\d\d-\d\dT/);
        assert.equal((await users()).result_info.total_count, 49);
      } finally {
        await s.close();
      }
    });
  });
}
