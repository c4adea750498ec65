// An import from start to end: read what the target has, plan (match by name, check every
// reference), stop on any problem before writing, then write the objects in dependency order
// and the users in batches. A dry run stops after planning and says what it would do.

import type { AccountApi } from './account-api.js';
import { applyPlan, plannedIdpIds, plannedOutcomes, TransferProblems, withWrittenSoFar, type Applied, type ProgressSink, type ScimSecret, type ScimSecretSink, type WriteOutcome } from './apply.js';
import { planImport, readInventory } from './plan.js';
import type { Snapshot } from './snapshot.js';
import { importUsers, planUsers, UserBatchFailed, USERS_PER_BATCH, type UserCounts, type UserPlan } from './users.js';

export interface ImportOptions {
  readonly dryRun?: boolean;
  readonly onProgress?: ProgressSink;
  /**
   * Each SCIM secret the target makes, as soon as it does: the only time it is shown, so a caller
   * can still show those made before an import that fails part way.
   */
  readonly onScimSecret?: ScimSecretSink;
  readonly usersPerBatch?: number;
  /** Replace a target identity provider of the same name but another type (--replace-idp-type). */
  readonly replaceIdentityProviderTypes?: boolean;
}

export interface ImportResult {
  readonly dryRun: boolean;
  readonly outcomes: readonly WriteOutcome[];
  /** Undefined when the snapshot has no users; a dry run's plan (UserPlan) when dryRun. */
  readonly users: UserCounts | UserPlan | undefined;
  /** The SCIM secrets the target made for identity providers (shown by the API this once). */
  readonly scimSecrets: readonly ScimSecret[];
}

export async function importSnapshot(api: AccountApi, snapshot: Snapshot, options: ImportOptions = {}): Promise<ImportResult> {
  const inventory = await readInventory(api, snapshot);
  const plan = planImport(snapshot, inventory, { replaceIdentityProviderTypes: options.replaceIdentityProviderTypes === true });
  if (plan.problems.length > 0) throw new TransferProblems(plan.problems);
  if (options.dryRun === true) {
    const users = snapshot.users === undefined ? undefined : await planUsers(api, snapshot.users, plannedIdpIds(plan));
    return { dryRun: true, outcomes: plannedOutcomes(plan), users, scimSecrets: [] };
  }
  let applied: Applied;
  const scimSecrets: ScimSecret[] = [];
  const onScimSecret: ScimSecretSink = (secret) => {
    scimSecrets.push(secret);
    options.onScimSecret?.(secret);
  };
  try {
    applied = await applyPlan(api, plan, options.onProgress, onScimSecret);
  } catch (err) {
    // A refusal stops the import before the users too: say so with the kinds it did not write.
    if (err instanceof TransferProblems && snapshot.users !== undefined) throw new TransferProblems(err.problems, err.written, [...err.notWritten, usersWord(snapshot.users.total)], err.refusedObjects);
    throw err;
  }
  const { outcomes, ids } = applied;
  if (snapshot.users === undefined) return { dryRun: false, outcomes, users: undefined, scimSecrets };
  try {
    const users = await importUsers(api, snapshot.users, ids, options.onProgress, options.usersPerBatch ?? USERS_PER_BATCH);
    return { dryRun: false, outcomes, users, scimSecrets };
  } catch (err) {
    if (err instanceof UserBatchFailed) throw withWrittenSoFar(err.failure, outcomes, err.sending ? 'users' : 'nothing', err.imported);
    throw err;
  }
}

/** The users of an import, as a message counts them. */
function usersWord(total: number | undefined): string {
  if (total === undefined) return 'the users';
  return `${total.toLocaleString('en-US')} ${total === 1 ? 'user' : 'users'}`;
}
