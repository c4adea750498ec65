// What a person does in the dashboard, as steps shared by the end-to-end tests and the
// screenshot script.

import type { Locator, Page } from 'playwright-core';

type Section = 'Include' | 'Require' | 'Exclude';

/** The rule at `position` (1-based) of a section of the rule builder. */
export const ruleAt = (page: Page, section: Section, position: number): Locator => page.getByRole('listitem', { name: `${section} rule ${position}`, exact: true });

/**
 * Set the rule at `position` of `section` (adding it when it is past the end) to `selector`
 * (its title in the builder) with `fields` by label.
 */
export async function setRule(page: Page, section: Section, position: number, selector: string, fields: Readonly<Record<string, string>>): Promise<Locator> {
  const rule = ruleAt(page, section, position);
  if ((await rule.count()) === 0) await page.getByRole('button', { name: `Add ${section.toLowerCase()} rule` }).click();
  await rule.getByLabel('Selector').selectOption({ label: selector });
  for (const [label, value] of Object.entries(fields)) await rule.getByLabel(label, { exact: true }).fill(value);
  return rule;
}

/** Fill a new policy's name and its rules: email domain, country and authentication method. */
export async function buildEngineersPolicy(page: Page, name: string): Promise<void> {
  await page.getByRole('link', { name: 'New policy' }).click();
  await page.getByRole('heading', { name: 'New policy', level: 1 }).waitFor();
  await page.getByLabel('Name', { exact: true }).fill(name);
  await setRule(page, 'Include', 1, 'Email domain', { Domain: 'example.com' });
  await setRule(page, 'Require', 1, 'Country', { 'Country code': 'US' });
  await setRule(page, 'Require', 2, 'Authentication method', { 'Method (RFC 8176, e.g. mfa)': 'mfa' });
}

/** On the tester page: tick the policies, run the test and wait for its chart. */
export async function runTest(page: Page, policyNames: readonly string[]): Promise<Locator> {
  for (const name of policyNames) await page.getByRole('checkbox', { name: new RegExp(name) }).check();
  await page.getByRole('button', { name: 'Run test' }).click();
  const chart = page.getByRole('img', { name: /^Decisions for \d+ users/ });
  await chart.waitFor();
  return chart;
}

/** Show only the users of one filter ("Blocked", "Lose access", ...) and wait for their count. */
export async function showUsers(page: Page, filter: string, count: number): Promise<void> {
  await page.getByLabel('Show', { exact: true }).selectOption({ label: filter });
  await page.getByRole('status').filter({ hasText: `${count} users` }).waitFor();
}
