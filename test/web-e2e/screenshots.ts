// `npm run screenshots`: the dashboard's main pages at 1280×800, on a seeded test server, into
// docs/screenshots/ (shown in the README). Needs Debian's chromium, like the browser tests.
// `npm run screenshots -- access-log policies` writes only those (every step still runs, as later
// pages build on earlier ones), so a change to one page does not rewrite the other pictures.

import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { startTestServer } from '../support/server.js';
import { CHROMIUM_PATH, browserUnavailable, launchBrowser, signIn } from './browser.js';
import { devSignIn, seedAccount } from './fixture.js';
import { buildEngineersPolicy, ruleAt, runTest, showUsers } from './steps.js';

const OUT = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));
/** The pictures asked for by name; none named: all of them. */
const ONLY: ReadonlySet<string> = new Set(process.argv.slice(2));
const shot = new Set<string>();

async function shoot(page: Page, name: string): Promise<void> {
  shot.add(name);
  if (ONLY.size > 0 && !ONLY.has(name)) return;
  // Let the caret and focus rings settle where the step left them.
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => done(undefined))));
  await page.screenshot({ path: `${OUT}${name}.png` });
  console.log(`docs/screenshots/${name}.png`);
}

async function main(): Promise<void> {
  if (browserUnavailable() !== undefined) throw new Error(`screenshots need Chromium at ${CHROMIUM_PATH}`);
  mkdirSync(OUT, { recursive: true });
  const server = await startTestServer({ access: { devLogin: true } });
  const browser = await launchBrowser(server);
  try {
    await seedAccount(server);
    const page = await browser.newPage({ width: 1280, height: 800 });
    await signIn(page, server, '/');
    await page.locator('.overview-counts').waitFor();
    await shoot(page, 'overview');
    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Policies' }).click();
    await page.getByRole('cell').first().waitFor();
    await shoot(page, 'policies');

    await buildEngineersPolicy(page, 'Engineers in the US with MFA');
    const country = ruleAt(page, 'Require', 1).getByLabel('Country code');
    await country.fill('USA');
    await page.getByRole('button', { name: 'Create policy' }).click();
    await page.getByRole('alert').first().waitFor();
    await ruleAt(page, 'Require', 1).evaluate((rule) => rule.scrollIntoView({ block: 'center' }));
    await shoot(page, 'rule-builder-error');

    await country.fill('US');
    await page.getByRole('button', { name: 'Create policy' }).click();
    await page.getByRole('status').filter({ hasText: 'Policy created.' }).waitFor();
    await page.getByRole('link', { name: 'Policy tester' }).click();
    await runTest(page, ['Engineers in the US with MFA']);
    await showUsers(page, 'Blocked', 10);
    await page.getByRole('heading', { name: 'Results' }).evaluate((h) => h.scrollIntoView({ block: 'start' }));
    await shoot(page, 'tester-results');

    await page.getByRole('button', { name: 'Explain the result of linus@example.com' }).click();
    await page.getByRole('dialog').getByText('No policy matched, so access is blocked by default.').waitFor();
    await shoot(page, 'explanation');
    await page.keyboard.press('Escape');

    await page.getByRole('link', { name: 'What-if' }).click();
    await page.getByLabel('Search users').fill('linus');
    const user = page.getByLabel('User', { exact: true });
    await user.locator('option', { hasText: 'linus@example.com' }).waitFor({ state: 'attached' });
    await user.selectOption({ label: 'linus@example.com (Linus Example)' });
    await page.getByRole('checkbox', { name: /Engineers in the US with MFA/ }).check();
    await page.getByLabel('Country', { exact: true }).fill('US');
    await page.getByRole('button', { name: 'Evaluate' }).click();
    await page.locator('.verdict').waitFor();
    await page.getByText('Request context').evaluate((legend) => legend.scrollIntoView({ block: 'start' }));
    await shoot(page, 'what-if');

    const nav = page.getByRole('navigation', { name: 'Dashboard' });
    await nav.getByRole('link', { name: 'Organization' }).click();
    await page.getByLabel('Rotation interval (days)').waitFor();
    await shoot(page, 'organization');

    await nav.getByRole('link', { name: 'Applications' }).click();
    await page.getByRole('link', { name: 'Protect it: Wiki' }).click();
    await page.getByRole('heading', { name: 'Protect Wiki' }).waitFor();
    await page.getByRole('button', { name: 'Copy the nginx configuration' }).click();
    await page.getByRole('heading', { name: 'nginx' }).evaluate((h) => h.scrollIntoView({ block: 'start' }));
    await shoot(page, 'protect-app');

    // The access log of real sign-ins through the development login, and one the policies refuse.
    for (const email of ['ada@example.com', 'grace@example.com', 'linus@example.com', 'eve@elsewhere.org']) await devSignIn(server, email, 'wiki.example.com');
    await nav.getByRole('link', { name: 'Access log' }).click();
    await page.locator('table tbody tr').first().waitFor();
    await shoot(page, 'access-log');

    await page.setViewportSize({ width: 400, height: 800 });
    await page.getByRole('link', { name: 'Policies' }).click();
    await page.getByRole('cell').first().waitFor();
    await shoot(page, 'policies-narrow');
    const unknown = [...ONLY].filter((name) => !shot.has(name));
    if (unknown.length > 0) throw new Error(`no screenshot named ${unknown.join(', ')}; the names are ${[...shot].join(', ')}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
