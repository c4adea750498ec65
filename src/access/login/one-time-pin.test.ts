// One-time PIN sign-in end to end: a real SMTP server on loopback receives the code that a real
// portcullis server mails through nodemailer, and the forms are posted as a browser would. The
// right code signs in once; a reused, wrong, expired or unmailed code, and too many codes asked
// for, are refused with a page and an access-log entry. docs/identity-providers.md "One-time PIN".
import { startSignIn } from '../../../test/support/app-session.js';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startSmtpCapture, type SmtpCapture } from '../../../test/support/smtp-capture.js';
import { describeEachDatabase, type SuiteServer } from '../../../test/support/suite.js';
import { startTestServer, type TestServer } from '../../../test/support/server.js';
import { startServerProcess } from '../../../test/support/server-process.js';
import { tempDir } from '../../../test/support/databases.js';
import { smtpMailer } from './mailer.js';
import { PIN_CODES_PER_ADDRESS, PIN_CODES_PER_EMAIL, PIN_CODES_PER_EMAIL_PER_DAY, PIN_DAY_SECONDS, PIN_MAX_WRONG, PIN_RATE_WINDOW_SECONDS, PIN_SECONDS, PIN_WRONG_PER_EMAIL_PER_DAY } from './one-time-pin.js';

const SMTP_USER = 'portcullis';
const SMTP_PASS = 'p@ss word/1';
const capture: SmtpCapture = await startSmtpCapture({ credentials: { user: SMTP_USER, pass: SMTP_PASS } });
after(() => capture.close());

/** The clock the servers time sign-ins by: tests move it forward to expire a code. */
let skewMs = 0;
const clock = (): number => Date.now() + skewMs;

const unescapeHtml = (text: string): string => text.replace(/&(amp|lt|gt|quot|#39);/g, (_m, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[name]!);

interface Form {
  readonly action: string;
  readonly fields: Record<string, string>;
}

/** The page's form as a browser would post it: its action and hidden fields. */
function formIn(html: string): Form {
  const action = /<form method="post" action="([^"]*)">/.exec(html);
  assert.ok(action, `a form in: ${html}`);
  const fields = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map((m) => [unescapeHtml(m[1]!), unescapeHtml(m[2]!)]));
  return { action: unescapeHtml(action[1]!), fields };
}

const messageIn = (html: string): string => unescapeHtml(/<p id="message">([^<]*)<\/p>/.exec(html)?.[1] ?? /<p class="error">([^<]*)<\/p>/.exec(html)?.[1] ?? '');
const codeIn = (text: string): string => /\b(\d{6})\b/.exec(text)?.[1] ?? assert.fail(`no code in: ${text}`);
const otherCode = (code: string, by = 1): string => String((Number(code) + by) % 1_000_000).padStart(6, '0');

interface Answer {
  readonly status: number;
  readonly html: string;
  readonly location: string | null;
}

async function post(baseUrl: string, form: Form, typed: Record<string, string>, ip: string): Promise<Answer> {
  const res = await fetch(new URL(form.action, baseUrl), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip },
    body: new URLSearchParams({ ...form.fields, ...typed }).toString(),
  });
  return { status: res.status, html: await res.text(), location: res.headers.get('location') };
}

/** Open the PIN provider's page for wiki.test and ask for a code for `email` from `ip`. */
async function askCode(baseUrl: string, idpId: string, email: string, ip: string, appSession?: string): Promise<Answer & { readonly form: Form | undefined }> {
  const start = await fetch(`${baseUrl}/cdn-cgi/access/login/wiki.test/idp/${idpId}?redirect_url=${encodeURIComponent('http://wiki.test/docs')}${appSession === undefined ? '' : `&app_session=${appSession}`}`, { headers: { 'x-forwarded-for': ip } });
  const page = await start.text();
  assert.equal(start.status, 200, page);
  const answer = await post(baseUrl, formIn(page), { email }, ip);
  return { ...answer, form: answer.status === 200 ? formIn(answer.html) : undefined };
}

interface LogEntry {
  readonly user_email: string | null;
  readonly allowed: boolean;
  readonly connection: string | null;
  readonly ip_address: string | null;
  readonly app_domain: string | null;
}

async function logFrom(s: TestServer, ip: string): Promise<LogEntry[]> {
  const res = await s.api('GET', `/accounts/${s.accountId}/access/logs/access_requests?limit=1000&direction=asc`);
  assert.equal(res.status, 200);
  return (res.json.result as LogEntry[]).filter((e) => e.ip_address === ip);
}

/** The access log from `ip` once it has `count` entries (some are written after the answer). */
async function logOnceFrom(s: TestServer, ip: string, count: number): Promise<LogEntry[]> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const entries = await logFrom(s, ip);
    if (entries.length >= count || Date.now() > deadline) return entries;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What setting up needs of a server: its API (in-process or a `portcullis serve` process). */
interface ApiClient {
  readonly accountId: string;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
}

async function setUp(s: ApiClient): Promise<string> {
  const A = `/accounts/${s.accountId}/access`;
  const pin = await s.api('POST', `${A}/identity_providers`, { name: 'Email code', type: 'onetimepin', config: {} });
  assert.equal(pin.status, 201, JSON.stringify(pin.json));
  const staff = await s.api('POST', `${A}/policies`, { name: 'Staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
  const app = await s.api('POST', `${A}/apps`, { type: 'self_hosted', name: 'Wiki', domain: 'wiki.test', allowed_idps: [pin.json.result.id], policies: [{ id: staff.json.result.id, precedence: 1 }] });
  assert.ok(app.status === 200 || app.status === 201, JSON.stringify(app.json));
  return pin.json.result.id as string;
}

await describeEachDatabase(
  'one-time PIN sign-in',
  (s: SuiteServer) => {
    let idpId: string;
    before(async () => {
      idpId = await setUp(s);
    });

    it('is offered on the login page, mails a 6-digit code, and the right code signs in once', async () => {
      const ip = '192.0.2.10';
      const login = await fetch(`${s.baseUrl}/cdn-cgi/access/login/wiki.test?redirect_url=${encodeURIComponent('http://wiki.test/docs')}`);
      const loginHtml = await login.text();
      assert.match(loginHtml, new RegExp(`href="/cdn-cgi/access/login/wiki\\.test/idp/${idpId}\\?redirect_url=[^"]+">Sign in with Email code<`));

      // Started on the application's host, as the proxy sends a browser: its nonce digest rides along the forms.
      const started = await startSignIn(s.baseUrl, 'http://wiki.test/docs');
      const asked = await askCode(s.baseUrl, idpId, '  Ada@Example.com ', ip, started.appSession);
      assert.equal(asked.status, 200, asked.html);
      assert.match(asked.html, /<h1>Check your email<\/h1>/);
      assert.match(asked.html, /If ada@example\.com may sign in to Wiki, a code was mailed to it/);

      const mail = await capture.next('ada@example.com');
      assert.equal(mail.user, SMTP_USER, 'the SMTP credentials of the URL were used');
      assert.equal(mail.headers.get('from'), 'Access <access@portcullis.test>');
      assert.equal(mail.envelopeFrom, 'access@portcullis.test');
      assert.equal(mail.subject, 'Your sign-in code for Wiki');
      const code = codeIn(mail.text);
      assert.match(mail.text, /within 10 minutes/);

      const signedIn = await post(s.baseUrl, asked.form!, { code: ` ${code.slice(0, 3)} ${code.slice(3)} ` }, ip);
      assert.equal(signedIn.status, 302, signedIn.html);
      const next = new URL(signedIn.location!);
      assert.equal(next.origin + next.pathname, 'http://wiki.test/cdn-cgi/access/authorized');
      assert.equal(next.searchParams.get('redirect_url'), 'http://wiki.test/docs');

      // The token works: the application's host keeps it as the cookie, and forward auth lets it in.
      assert.equal(next.searchParams.get('app_session'), started.appSession);
      const authorized = await fetch(`${s.baseUrl}${next.pathname}${next.search}`, { redirect: 'manual', headers: { 'x-forwarded-host': 'wiki.test', cookie: started.cookie } });
      assert.equal(authorized.status, 302);
      const cookie = /^(CF_Authorization=[^;]+)/.exec(authorized.headers.get('set-cookie') ?? '')![1]!;
      const allowed = await fetch(`${s.baseUrl}/cdn-cgi/access/authorize`, { headers: { 'x-forwarded-host': 'wiki.test', 'x-forwarded-uri': '/docs', cookie } });
      assert.equal(allowed.status, 200);
      assert.equal(allowed.headers.get('cf-access-authenticated-user-email'), 'ada@example.com');

      const A = `/accounts/${s.accountId}/access`;
      const user = (await s.api('GET', `${A}/users?email=ada@example.com`)).json.result[0];
      assert.ok(user, 'the user was created at the first sign-in');
      const identity = (await s.api('GET', `${A}/users/${user.id}/last_seen_identity`)).json.result;
      assert.deepEqual(identity.idp, { id: idpId, type: 'onetimepin' });
      assert.deepEqual(identity.amr, ['otp']);
      assert.deepEqual(identity.groups, []);
      assert.equal(identity.email, 'ada@example.com');

      // The same code again: the challenge is gone.
      const reused = await post(s.baseUrl, asked.form!, { code }, ip);
      assert.equal(reused.status, 400);
      assert.match(messageIn(reused.html), /expired or was already used/);

      const log = await logFrom(s, ip);
      assert.deepEqual(
        log.map((e) => [e.user_email ?? null, e.allowed, e.connection, e.app_domain]),
        [
          ['ada@example.com', true, 'onetimepin', 'wiki.test'],
          [null, false, 'onetimepin', 'wiki.test'],
        ],
      );
    });

    it('mails nothing to an address no policy lets in, answers the same page, and logs the request', async () => {
      const ip = '192.0.2.20';
      const asked = await askCode(s.baseUrl, idpId, 'eve@elsewhere.org', ip);
      assert.equal(asked.status, 200);
      assert.match(asked.html, /<h1>Check your email<\/h1>/);
      assert.match(asked.html, /If eve@elsewhere\.org may sign in to Wiki, a code was mailed to it/);
      // A code asked for afterwards arrives; none went to eve before it.
      await askCode(s.baseUrl, idpId, 'bob@example.com', ip);
      await capture.next('bob@example.com');
      assert.equal(capture.to('eve@elsewhere.org').length, 0);
      // Whatever eve types is wrong (no code was made for her to know).
      const typed = await post(s.baseUrl, asked.form!, { code: '000000' }, ip);
      assert.equal(typed.status, 401);
      const log = await logOnceFrom(s, ip, 2);
      assert.deepEqual(
        log.map((e) => [e.user_email, e.allowed, e.connection]),
        [
          ['eve@elsewhere.org', false, 'onetimepin'],
          ['eve@elsewhere.org', false, 'onetimepin'],
        ],
      );
    });

    it("tests the provider for the dashboard (Test button): a code to an address an application lets in, then the identity, shown once, with no user made", async () => {
      // docs/identity-providers.md "In the dashboard": the Test button runs the provider's sign-in
      // with no application, so its forms cannot name an application's host.
      const ip = '192.0.2.60';
      const start = await fetch(`${s.baseUrl}/cdn-cgi/access/test-idp/${idpId}`, { headers: { 'x-forwarded-for': ip } });
      assert.equal(start.status, 200);
      const asked = await post(s.baseUrl, formIn(await start.text()), { email: 'Tess@example.com' }, ip);
      assert.equal(asked.status, 200, asked.html);
      assert.match(asked.html, /<h1>Check your email<\/h1>/);
      const mail = await capture.next('tess@example.com');
      assert.doesNotMatch(mail.text, /\(\)/, 'no empty host in the mail');
      const shown = await post(s.baseUrl, formIn(asked.html), { code: codeIn(mail.text) }, ip);
      assert.equal(shown.status, 302, shown.html);
      const result = new URL(shown.location!, s.baseUrl);
      assert.match(result.pathname, /^\/cdn-cgi\/access\/test-idp\/result\//);
      const page = await fetch(result);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /Email code works/);
      assert.match(html, /tess@example\.com/);
      assert.match(html, /onetimepin/);
      assert.equal((await fetch(result)).status, 404, 'shown once');
      assert.equal(((await s.api('GET', `/accounts/${s.accountId}/access/users?email=tess@example.com`)).json.result as unknown[]).length, 0, 'no user was made');

      // As a sign-in: no code to an address no application lets in with this provider.
      const other = await post(s.baseUrl, formIn(await (await fetch(`${s.baseUrl}/cdn-cgi/access/test-idp/${idpId}`)).text()), { email: 'eve@elsewhere.org' }, ip);
      assert.equal(other.status, 200);
      await post(s.baseUrl, formIn(await (await fetch(`${s.baseUrl}/cdn-cgi/access/test-idp/${idpId}`)).text()), { email: 'tess@example.com' }, ip);
      await capture.next('tess@example.com');
      assert.equal(capture.to('eve@elsewhere.org').length, 0);
      // A test's code finishes no sign-in to an application, and an application's none of a test.
      assert.equal((await post(s.baseUrl, { ...formIn(other.html), action: `/cdn-cgi/access/login/wiki.test/idp/${idpId}/pin/code` }, { code: '000000' }, ip)).status, 400);
      const wiki = await askCode(s.baseUrl, idpId, 'walt@example.com', ip);
      const waltCode = codeIn((await capture.next('walt@example.com')).text);
      assert.equal((await post(s.baseUrl, { ...wiki.form!, action: `/cdn-cgi/access/test-idp/${idpId}/pin/code` }, { code: waltCode }, ip)).status, 400);
    });

    it(`refuses wrong codes, each logged, and after ${PIN_MAX_WRONG} the right one no longer works`, async () => {
      const ip = '192.0.2.30';
      const asked = await askCode(s.baseUrl, idpId, 'carol@example.com', ip);
      const code = codeIn((await capture.next('carol@example.com')).text);
      for (let i = 1; i <= PIN_MAX_WRONG; i++) {
        const wrong = await post(s.baseUrl, asked.form!, { code: otherCode(code, i) }, ip);
        assert.equal(wrong.status, 401);
        const left = PIN_MAX_WRONG - i;
        assert.equal(messageIn(wrong.html), left > 0 ? `That code is not right: ${left} ${left === 1 ? 'try' : 'tries'} left.` : 'That code is not right, and it was the last try: ask for a new code.');
      }
      const notANumber = await post(s.baseUrl, asked.form!, { code: 'abcdef' }, ip);
      assert.equal(notANumber.status, 401);
      const right = await post(s.baseUrl, asked.form!, { code }, ip);
      assert.equal(right.status, 401, 'the right code comes too late');
      assert.match(messageIn(right.html), /Too many wrong codes/);
      const log = await logFrom(s, ip);
      assert.equal(log.length, PIN_MAX_WRONG + 2);
      assert.ok(log.every((e) => e.user_email === 'carol@example.com' && !e.allowed && e.connection === 'onetimepin'));
      // A new code works.
      const again = await askCode(s.baseUrl, idpId, 'carol@example.com', ip);
      const fresh = codeIn((await capture.next('carol@example.com')).text);
      assert.equal((await post(s.baseUrl, again.form!, { code: fresh }, ip)).status, 302);
    });

    it('refuses a code typed after it expired', async () => {
      const ip = '192.0.2.40';
      const asked = await askCode(s.baseUrl, idpId, 'dan@example.com', ip);
      const code = codeIn((await capture.next('dan@example.com')).text);
      skewMs = PIN_SECONDS * 1000 + 1000;
      try {
        const late = await post(s.baseUrl, asked.form!, { code }, ip);
        assert.equal(late.status, 401);
        assert.match(messageIn(late.html), /This code has expired/);
      } finally {
        skewMs = 0;
      }
      const log = await logFrom(s, ip);
      assert.deepEqual(log.map((e) => [e.user_email, e.allowed]), [['dan@example.com', false]]);
      assert.equal((await s.api('GET', `/accounts/${s.accountId}/access/users?email=dan@example.com`)).json.result.length, 0, 'no user was made');
    });

    it(`answers 429 past ${PIN_CODES_PER_EMAIL} codes for one address or ${PIN_CODES_PER_ADDRESS} from one client, and logs it`, async () => {
      for (let i = 0; i < PIN_CODES_PER_EMAIL; i++) assert.equal((await askCode(s.baseUrl, idpId, 'erin@example.com', `198.51.100.${i + 1}`)).status, 200);
      const tooMany = await askCode(s.baseUrl, idpId, 'ERIN@example.com', '198.51.100.99');
      assert.equal(tooMany.status, 429);
      assert.match(messageIn(tooMany.html), /Too many sign-in codes were asked for/);
      assert.deepEqual((await logFrom(s, '198.51.100.99')).map((e) => [e.user_email, e.allowed, e.connection]), [['erin@example.com', false, 'onetimepin']]);

      const ip = '203.0.113.7';
      for (let i = 0; i < PIN_CODES_PER_ADDRESS; i++) assert.equal((await askCode(s.baseUrl, idpId, `user${i}@example.com`, ip)).status, 200, `code ${i + 1}`);
      const fromHere = await askCode(s.baseUrl, idpId, 'someone-new@example.com', ip);
      assert.equal(fromHere.status, 429);
      assert.deepEqual((await logFrom(s, ip)).map((e) => [e.user_email, e.allowed]), [['someone-new@example.com', false]]);
      // Another client is not held back by this one.
      assert.equal((await askCode(s.baseUrl, idpId, 'someone-new@example.com', '203.0.113.8')).status, 200);
      for (const to of ['someone-new@example.com', ...Array.from({ length: PIN_CODES_PER_ADDRESS }, (_, i) => `user${i}@example.com`)]) await capture.next(to);
      for (let i = 0; i < PIN_CODES_PER_EMAIL; i++) await capture.next('erin@example.com');
    });

    /**
     * Codes for `email`, each from a client address of its own, moving the clock past the
     * 15-minute limit (by `step`) when the next `together` codes would not fit in its window.
     */
    const codesFor = (email: string, ipPrefix: string, step = PIN_RATE_WINDOW_SECONDS * 1000) => {
      let inWindow = 0;
      let asked = 0;
      return async (together = 1): Promise<{ readonly form: Form; readonly ip: string; readonly html: string }> => {
        if (inWindow + together > PIN_CODES_PER_EMAIL) {
          skewMs += step;
          inWindow = 0;
        }
        inWindow++;
        const ip = `${ipPrefix}.${++asked}`;
        const answer = await askCode(s.baseUrl, idpId, email, ip);
        assert.equal(answer.status, 200, answer.html);
        return { form: answer.form!, ip, html: answer.html };
      };
    };

    /** Whether a code was mailed to `email` since it had `before` mails: another address's code, asked for after, arrives first. */
    const mailedSince = async (email: string, before: number, other: string, ip: string): Promise<boolean> => {
      const asked = await askCode(s.baseUrl, idpId, other, ip);
      assert.equal(asked.status, 200, asked.html);
      const code = codeIn((await capture.next(other)).text);
      assert.equal((await post(s.baseUrl, asked.form!, { code }, ip)).status, 302, `${other} is not held back`);
      return capture.to(email).length > before;
    };

    it(`after ${PIN_WRONG_PER_EMAIL_PER_DAY} wrong codes for an address in a day, across new codes and after their challenges are gone, refuses even the right code and mails none until the day is over`, async () => {
      const email = 'ivy@example.com';
      // Two hours between windows: past the hour's grace after which expired challenges are removed.
      const ask = codesFor(email, '198.18.1', 2 * 3_600_000);
      try {
        let wrong = 0;
        const typeWrong = async (form: Form, code: string, ip: string, times: number): Promise<void> => {
          for (let i = 1; i <= times; i++, wrong++) {
            const res = await post(s.baseUrl, form, { code: otherCode(code, i) }, ip);
            assert.equal(res.status, 401, res.html);
            assert.match(messageIn(res.html), /That code is not right/);
          }
        };
        while (wrong + PIN_MAX_WRONG < PIN_WRONG_PER_EMAIL_PER_DAY) {
          const { form, ip } = await ask();
          await typeWrong(form, codeIn((await capture.next(email)).text), ip, PIN_MAX_WRONG);
        }
        // The last wrong codes, and beside them a code kept to be typed right once they are in.
        const last = await ask(2);
        const lastCode = codeIn((await capture.next(email)).text);
        const kept = await ask();
        const keptCode = codeIn((await capture.next(email)).text);
        await typeWrong(last.form, lastCode, last.ip, PIN_WRONG_PER_EMAIL_PER_DAY - wrong);

        const right = await post(s.baseUrl, kept.form, { code: keptCode }, kept.ip);
        assert.equal(right.status, 401, 'the right code is refused once the day has had its wrong codes');
        assert.match(messageIn(right.html), /Too many wrong codes .*ask for a new code/);

        // A new code: the page reads as ever, and nothing is mailed.
        const before = capture.to(email).length;
        const refused = await ask();
        assert.match(refused.html, /<h1>Check your email<\/h1>/);
        assert.match(refused.html, /If ivy@example\.com may sign in to Wiki, a code was mailed to it/);
        assert.equal(await mailedSince(email, before, 'jay@example.com', '198.18.2.1'), false, 'no code was mailed');

        // A day later, codes are mailed and work again.
        skewMs += PIN_DAY_SECONDS * 1000;
        const again = await ask();
        const fresh = codeIn((await capture.next(email)).text);
        assert.equal((await post(s.baseUrl, again.form, { code: fresh }, again.ip)).status, 302);
      } finally {
        skewMs = 0;
      }
    });

    it(`mails no more than ${PIN_CODES_PER_EMAIL_PER_DAY} codes to an address in a day, with the same page, and again a day later`, async () => {
      const email = 'kim@example.com';
      const ask = codesFor(email, '198.18.3');
      try {
        for (let i = 0; i < PIN_CODES_PER_EMAIL_PER_DAY; i++) {
          await ask();
          await capture.next(email);
        }
        const before = capture.to(email).length;
        const refused = await ask();
        assert.match(refused.html, /<h1>Check your email<\/h1>/);
        assert.match(refused.html, /If kim@example\.com may sign in to Wiki, a code was mailed to it/);
        assert.equal(await mailedSince(email, before, 'lee@example.com', '198.18.4.1'), false, 'no code was mailed');
        assert.equal((await post(s.baseUrl, refused.form, { code: '123456' }, refused.ip)).status, 401);

        skewMs += PIN_DAY_SECONDS * 1000;
        const again = await ask();
        const fresh = codeIn((await capture.next(email)).text);
        assert.equal((await post(s.baseUrl, again.form, { code: fresh }, again.ip)).status, 302);
      } finally {
        skewMs = 0;
      }
    });

    it('answers bad input with a 4xx page, never a sign-in', async () => {
      const ip = '192.0.2.50';
      const start = await fetch(`${s.baseUrl}/cdn-cgi/access/login/wiki.test/idp/${idpId}?redirect_url=${encodeURIComponent('http://wiki.test/')}`);
      const emailForm = formIn(await start.text());
      // Text the mail library would read as another mailbox (decided as one address, mailed to
      // another: past the policies' email rules and the per-address limit) is no address either.
      const mailboxes = ['"eve"@elsewhere.org', 'x<eve@elsewhere.org>', 'eve@elsewhere.org>', 'Eve <eve@elsewhere.org>', 'ada@example.com,eve@elsewhere.org'];
      for (const email of ['', 'not an email', 'a@', `${'x'.repeat(250)}@example.com`, ...mailboxes]) {
        const res = await post(s.baseUrl, emailForm, { email }, ip);
        assert.equal(res.status, 400, email);
        assert.match(res.html, /Type an email address/);
      }
      // A page to return to on another host is replaced by the application host's root.
      const elsewhere = await post(s.baseUrl, { ...emailForm, fields: { redirect_url: 'https://evil.example/' } }, { email: 'hal@example.com' }, ip);
      assert.equal(elsewhere.status, 200);
      const back = await post(s.baseUrl, formIn(elsewhere.html), { code: codeIn((await capture.next('hal@example.com')).text) }, ip);
      assert.equal(back.status, 302);
      assert.equal(new URL(back.location!).searchParams.get('redirect_url'), 'http://wiki.test/');
      const noSuchIdp = await post(s.baseUrl, { ...emailForm, action: emailForm.action.replace(idpId, 'not-an-idp') }, { email: 'ada@example.com' }, ip);
      assert.equal(noSuchIdp.status, 400);

      const codeAction = `/cdn-cgi/access/login/wiki.test/idp/${idpId}/pin/code`;
      for (const challenge of [undefined, '', 'made-up', 'x'.repeat(500)]) {
        const res = await post(s.baseUrl, { action: codeAction, fields: challenge === undefined ? {} : { challenge } }, { code: '123456' }, ip);
        assert.equal(res.status, 400, String(challenge));
      }
      // A real challenge, sent to another provider's or host's address.
      const asked = await askCode(s.baseUrl, idpId, 'fay@example.com', ip);
      const code = codeIn((await capture.next('fay@example.com')).text);
      const otherHost = await post(s.baseUrl, { ...asked.form!, action: asked.form!.action.replace('wiki.test', 'crm.test') }, { code }, ip);
      assert.equal(otherHost.status, 400);
      // Fields of the wrong type (a JSON body) are wrong answers, not errors.
      const json = (action: string, body: unknown) =>
        fetch(new URL(action, s.baseUrl), { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, body: JSON.stringify(body) });
      assert.equal((await json(emailForm.action, { email: ['ada@example.com'], redirect_url: { href: 'http://wiki.test/' } })).status, 400);
      assert.equal((await json(asked.form!.action, { challenge: asked.form!.fields.challenge, code: Number(code) })).status, 401);
      assert.equal((await json(asked.form!.action, { challenge: [asked.form!.fields.challenge], code })).status, 400);
      assert.equal((await post(s.baseUrl, asked.form!, { code }, ip)).status, 302, 'the code still works where it belongs');
      const failures = await logFrom(s, ip);
      assert.equal(failures.filter((e) => !e.allowed).length, 7, 'each refused code answer is logged');
      assert.equal(capture.to('eve@elsewhere.org').length, 0, 'nothing was mailed to the mailbox inside');
    });
  },
  { access: { mailer: smtpMailer({ url: capture.url, from: 'Access <access@portcullis.test>' }), clock } },
);

describe('one-time PIN without an SMTP server', () => {
  let s: TestServer;
  let idpId: string;
  before(async () => {
    s = await startTestServer({ access: {} });
    idpId = await setUp(s);
  });
  after(() => s?.close());

  it('is not offered, and its pages answer 503', async () => {
    const login = await fetch(`${s.baseUrl}/cdn-cgi/access/login/wiki.test?redirect_url=${encodeURIComponent('http://wiki.test/')}`);
    const html = await login.text();
    assert.doesNotMatch(html, /Email code/);
    assert.match(html, /No identity provider is set up/);
    const start = await fetch(`${s.baseUrl}/cdn-cgi/access/login/wiki.test/idp/${idpId}?redirect_url=${encodeURIComponent('http://wiki.test/')}`);
    assert.equal(start.status, 503);
    assert.match(messageIn(await start.text()), /no mail server is configured/);
    const posted = await post(s.baseUrl, { action: `/cdn-cgi/access/login/wiki.test/idp/${idpId}/pin`, fields: { redirect_url: 'http://wiki.test/' } }, { email: 'ada@example.com' }, '192.0.2.60');
    assert.equal(posted.status, 503);
  });
});

it('portcullis serve mails codes through --smtp-url and never prints its password', async () => {
  const dir = tempDir('portcullis-pin-');
  const server = await startServerProcess(join(dir.path, 'data'), {}, ['--smtp-url', capture.url, '--mail-from', 'access@portcullis.test']);
  try {
    const banner = await server.waitForOutput(/PINs: .*\n/);
    assert.match(banner, new RegExp(`PINs: +one-time PIN codes mailed through smtp://127\\.0\\.0\\.1:${capture.port} from access@portcullis\\.test\\n`));
    assert.ok(!banner.includes(SMTP_PASS) && !banner.includes(encodeURIComponent(SMTP_PASS)), 'the password is not printed');
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${server.apiUrl}${path}`, { method, headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      return { status: res.status, json: (await res.json()) as any };
    };
    const idpId = await setUp({ api, accountId: server.accountId });
    const asked = await askCode(server.url, idpId, 'gus@example.com', '192.0.2.70');
    const mail = await capture.next('gus@example.com');
    assert.equal(mail.user, SMTP_USER);
    assert.equal((await post(server.url, asked.form!, { code: codeIn(mail.text) }, '192.0.2.70')).status, 302);
  } finally {
    await server.stop();
    dir.remove();
  }
});
