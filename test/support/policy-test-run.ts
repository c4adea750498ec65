// Run a policy test through the official SDK to its end: start it, poll its progress until it is
// no longer processing, and read every user's result. For tests that compare deciders.

import type Cloudflare from 'cloudflare';

/** The progress fields Cloudflare's policy test reports (and `portcullis test --json` repeats). */
export const PROGRESS_FIELDS = [
  'total_users',
  'users_approved',
  'users_blocked',
  'users_errored',
  'percent_approved',
  'percent_blocked',
  'percent_errored',
  'percent_users_processed',
] as const;

export interface PolicyTestRun {
  readonly progress: Record<string, unknown>;
  /** Each user's status, by email (lower-cased). */
  readonly statuses: Map<string, string>;
}

export async function runPolicyTest(sdk: Cloudflare, account_id: string, policies: readonly string[]): Promise<PolicyTestRun> {
  const tests = sdk.zeroTrust.access.applications.policyTests;
  const started = await tests.create({ account_id, policies: [...policies] });
  let progress = await tests.get(started.id!, { account_id });
  while (progress.status === 'processing') {
    await new Promise((resolve) => setTimeout(resolve, 20));
    progress = await tests.get(started.id!, { account_id });
  }
  const statuses = new Map<string, string>();
  for await (const user of tests.users.list(started.id!, { account_id, per_page: 1000 })) statuses.set(user.email!.toLowerCase(), user.status!);
  return { progress: progress as unknown as Record<string, unknown>, statuses };
}

/** The Cloudflare progress fields of a progress object or a `test --json` document. */
export const progressFields = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(PROGRESS_FIELDS.map((f) => [f, o[f]]));
