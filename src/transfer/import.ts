// An import from start to end: read what the target has, plan (match by name, check every
// reference), stop on any problem before writing, then write the objects in dependency order
// and the users in batches. A dry run stops after planning and says what it would do.

import type { AccountApi } from './account-api.js';
import { applyPlan, plannedOutcomes, TransferProblems, type ProgressSink, type WriteOutcome } from './apply.js';
import { planImport, readInventory } from './plan.js';
import type { Snapshot } from './snapshot.js';
import { importUsers, planUsers, USERS_PER_BATCH, type UserCounts } from './users.js';

export interface ImportOptions {
  readonly dryRun?: boolean;
  readonly onProgress?: ProgressSink;
  readonly usersPerBatch?: number;
}

export interface ImportResult {
  readonly dryRun: boolean;
  readonly outcomes: readonly WriteOutcome[];
  /** Undefined when the snapshot has no users. */
  readonly users: UserCounts | undefined;
}

export async function importSnapshot(api: AccountApi, snapshot: Snapshot, options: ImportOptions = {}): Promise<ImportResult> {
  const inventory = await readInventory(api);
  const plan = planImport(snapshot, inventory);
  if (plan.problems.length > 0) throw new TransferProblems(plan.problems, 0);
  if (options.dryRun === true) {
    const users = snapshot.users === undefined ? undefined : await planUsers(api, snapshot.users);
    return { dryRun: true, outcomes: plannedOutcomes(plan), users };
  }
  const { outcomes, ids } = await applyPlan(api, plan, options.onProgress);
  const users = snapshot.users === undefined ? undefined : await importUsers(api, snapshot.users, ids, options.onProgress, options.usersPerBatch ?? USERS_PER_BATCH);
  return { dryRun: false, outcomes, users };
}
