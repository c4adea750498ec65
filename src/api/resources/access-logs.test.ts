// Cloudflare's access-request log read with its filters: entries made by real sign-ins through
// the development login, some of which the policies refuse, paged with result_info, narrowed by
// email (a part or exact, through the official SDK), and by the allowed and app_uid extensions.
// SQLite and PostgreSQL.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDatabase } from '../../../test/support/suite.js';

interface Entry {
  readonly user_email: string;
  readonly allowed: boolean;
  readonly app_domain: string;
  readonly app_uid: string;
}

await describeEachDatabase(
  'access-request log filters',
  (s) => {
    it('pages the entries and narrows them by email, outcome and application', async () => {
      const A = `/accounts/${s.accountId}/access`;
      const staff = await s.api('POST', `${A}/policies`, { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
      const policies = [{ id: staff.json.result.id, precedence: 1 }];
      const wiki = (await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Wiki', domain: 'wiki.test', policies })).json.result;
      const crm = (await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'CRM', domain: 'crm.test', policies })).json.result;
      /** A development sign-in: whether it ended with a token for the application (else the sign-in refused it). */
      const signIn = async (email: string, host: string): Promise<boolean> => {
        const res = await fetch(`${s.baseUrl}/cdn-cgi/access/login/${host}`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ email, redirect_url: `http://${host}/` }).toString(),
        });
        assert.equal(res.status, 302);
        return new URL(res.headers.get('location')!).searchParams.get('token') !== null;
      };
      assert.equal(await signIn('ada@example.com', 'wiki.test'), true);
      assert.equal(await signIn('eve@elsewhere.org', 'wiki.test'), false, 'refused at the sign-in');
      assert.equal(await signIn('Ada@Example.com', 'crm.test'), true);
      assert.equal(await signIn('eve@elsewhere.org', 'crm.test'), false);

      const log = async (query: string) => {
        const res = await s.api('GET', `${A}/logs/access_requests?direction=asc&${query}`);
        assert.equal(res.status, 200, JSON.stringify(res.json.errors));
        return { entries: (res.json.result as Entry[]).map((e) => `${e.user_email} ${e.app_domain} ${e.allowed}`), info: res.json.result_info };
      };
      const all = await log('');
      assert.deepEqual(all.entries, ['ada@example.com wiki.test true', 'eve@elsewhere.org wiki.test false', 'ada@example.com crm.test true', 'eve@elsewhere.org crm.test false']);
      assert.deepEqual(all.info, { page: 1, per_page: 25, count: 4, total_count: 4, total_pages: 1 });

      const first = await log('per_page=3');
      assert.equal(first.entries.length, 3);
      assert.deepEqual(first.info, { page: 1, per_page: 3, count: 3, total_count: 4, total_pages: 2 });
      const second = await log('per_page=3&page=2');
      assert.deepEqual(second.entries, [all.entries[3]]);
      assert.deepEqual((await log('limit=2&page=2')).entries, all.entries.slice(2), 'limit sets the page size as per_page does');
      assert.deepEqual((await log('limit=1&per_page=2')).info.per_page, 2, 'per_page wins over limit');

      assert.deepEqual((await log('email=ADA')).entries, [all.entries[0], all.entries[2]], 'a part of the email, in any case');
      assert.deepEqual((await log('email=ada%40example.com&email_exact=true')).entries, [all.entries[0], all.entries[2]]);
      assert.deepEqual((await log('email=ada&email_exact=true')).entries, [], 'exact means the whole email');
      assert.deepEqual((await log('allowed=false')).entries, [all.entries[1], all.entries[3]]);
      assert.deepEqual((await log(`app_uid=${crm.id}`)).entries, [all.entries[2], all.entries[3]]);
      assert.deepEqual((await log(`app_uid=${wiki.id}&allowed=false&email=eve`)).entries, [all.entries[1]]);
      assert.deepEqual((await log(`app_uid=${wiki.id}&allowed=true&email=eve`)).entries, []);

      // The official SDK sends Cloudflare's documented filters.
      const sdk = await s.cf.zeroTrust.access.logs.accessRequests.list({ account_id: s.accountId, email: 'eve@elsewhere.org', email_exact: true, direction: 'asc' });
      assert.deepEqual(
        (sdk as unknown as Entry[]).map((e) => `${e.app_domain} ${e.allowed}`),
        ['wiki.test false', 'crm.test false'],
      );

      for (const bad of ['allowed=maybe', 'per_page=0', 'limit=1001', 'page=0', 'email=', 'app_uid=']) {
        const res = await s.api('GET', `${A}/logs/access_requests?${bad}`);
        assert.equal(res.status, 400, bad);
        assert.equal(res.json.success, false);
      }
    });
  },
  { access: { devLogin: true } },
);
