// Headless Chromium for the dashboard's end-to-end tests and screenshots: Debian's chromium
// driven by playwright-core (no browser download). Where it is missing the tests are skipped
// with the reason printed, unless PORTCULLIS_TEST_BROWSER_REQUIRED=1 (as .ci/run sets), which
// makes that a failure. Every page records requests that leave the test server.

import { existsSync } from 'node:fs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { tempDir } from '../support/databases.js';
import type { TestServer } from '../support/server.js';

export const CHROMIUM_PATH = process.env.PORTCULLIS_CHROMIUM ?? '/usr/bin/chromium';
const REQUIRED = process.env.PORTCULLIS_TEST_BROWSER_REQUIRED === '1';

/** undefined when Chromium is there; otherwise why the browser tests are skipped. */
export function browserUnavailable(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  const reason = `no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set PORTCULLIS_CHROMIUM)`;
  if (REQUIRED) throw new Error(`PORTCULLIS_TEST_BROWSER_REQUIRED=1 but ${reason}`);
  console.log(`# skipping browser tests: ${reason}`);
  return reason;
}

export interface Browser {
  readonly context: BrowserContext;
  /** Requests the pages made to anywhere but the test server. */
  readonly foreignRequests: string[];
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

export async function launchBrowser(server: TestServer): Promise<Browser> {
  const profile = tempDir('portcullis-chromium-');
  const context = await chromium.launchPersistentContext(profile.path, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const origin = new URL(server.baseUrl).origin;
  const foreignRequests: string[] = [];
  context.on('request', (request) => {
    const url = request.url();
    if (url.startsWith('data:') || url.startsWith('blob:') || url === 'about:blank') return;
    if (new URL(url).origin !== origin) foreignRequests.push(url);
  });
  return {
    context,
    foreignRequests,
    async newPage(viewport) {
      const page = await context.newPage();
      if (viewport !== undefined) await page.setViewportSize(viewport);
      return page;
    },
    async close() {
      await context.close();
      profile.remove();
    },
  };
}

/** Open the dashboard at `path` and sign in with the server's root token and account. */
export async function signIn(page: Page, server: TestServer, path = '/'): Promise<void> {
  await page.goto(`${server.baseUrl}${path}${path.includes('?') ? '&' : '?'}account=${server.accountId}`);
  await page.getByLabel('API token').fill(server.rootToken);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Dashboard' }).waitFor();
}
