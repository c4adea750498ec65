// The policy tester's page in a browser when reading a test's progress fails for a moment (a
// network blip, a proxy's 502): the test goes on on the server, so the page reads again and
// shows its results, instead of saying the test could not run and keeping "Run test" disabled.
/// <reference lib="dom" />
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.js';
import { browserUnavailable, launchBrowser, signIn, type Browser } from './browser.js';
import { seedAccount } from './fixture.js';

const skip = browserUnavailable();

describe('the policy tester in a browser, when reading its progress fails', { skip }, () => {
  let s: TestServer;
  let browser: Browser;
  before(async () => {
    s = await startTestServer();
    await seedAccount(s);
    browser = await launchBrowser(s);
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  for (const failure of ['a dropped connection', 'a 502 from a proxy'] as const) {
    it(`reads it again after ${failure} and shows the finished test`, async () => {
      const page = await browser.newPage();
      try {
        await signIn(page, s, '/tester');
        let failed = 0;
        // The first two reads of the test's progress fail; the test itself is untouched.
        await page.route(/\/access\/policy-tests\/[^/?]+(\?.*)?$/, async (route) => {
          if (route.request().method() === 'GET' && failed < 2) {
            failed += 1;
            if (failure === 'a dropped connection') return route.abort('connectionreset');
            return route.fulfill({ status: 502, contentType: 'text/html', body: '<h1>502 Bad Gateway</h1>' });
          }
          return route.continue();
        });
        await page.getByRole('checkbox', { name: /Employees/ }).check();
        await page.getByRole('button', { name: 'Run test' }).click();
        await page.getByText("The test's progress could not be read; trying again", { exact: false }).waitFor();
        await page.getByRole('img', { name: /^Decisions for \d+ users/ }).waitFor({ timeout: 20_000 });
        assert.equal(failed, 2);
        assert.equal(await page.getByText("The test's progress could not be read", { exact: false }).count(), 0, 'the notice is gone once a read succeeds');
        assert.equal(await page.getByText('The test could not run', { exact: false }).count(), 0, 'not told the test did not run');
        assert.equal(await page.getByRole('button', { name: 'Run test' }).isEnabled(), true);
      } finally {
        await page.close();
      }
    });
  }
});
