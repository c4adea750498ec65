// Running a command that talks to a server: the transfer modules (and the SDK, slow to load)
// are loaded only then, and problems with the data (found while planning, or objects the
// target refused) become the usual input problems: one line each, exit 2.

import type { AccountApi } from '../../transfer/account-api.js';
import type { ProgressSink, ScimSecret } from '../../transfer/apply.js';
import type { ImportResult } from '../../transfer/import.js';
import { InputError } from '../../transfer/problems.js';
import type { Snapshot } from '../../transfer/snapshot.js';
import { StepProgress } from '../terminal.js';
import { scimSecretsText } from './summary.js';

export type Transfer = typeof import('../../transfer/index.js');

export async function withTransfer<T>(run: (transfer: Transfer) => Promise<T>): Promise<T> {
  const transfer = await import('../../transfer/index.js');
  try {
    return await run(transfer);
  } catch (err) {
    if (!(err instanceof transfer.TransferProblems)) throw err;
    // Planning problems come alone: nothing was tried. A refusal says exactly what happened to
    // every object: written (and kept), refused, or not attempted; on stderr and in --json.
    if (err.refusedObjects === undefined) throw new InputError(err.problems);
    const summary = refusalSummary(err, transfer);
    process.stderr.write(summary + '\n');
    throw new InputError(err.problems, 0, { refusal: { summary, refused: err.refusedObjects, written: err.written, not_attempted: err.notWritten } });
  }
}

/** "The target refused 1 policy (below). Written, and kept on the target: ... Not attempted: ..." */
function refusalSummary(err: InstanceType<Transfer['TransferProblems']>, transfer: Transfer): string {
  const created = err.written.filter((o) => o.action === 'create').length;
  const written =
    err.written.length === 0
      ? 'Nothing was written.'
      : `Written, and kept on the target: ${transfer.countsByKind(err.written).join(', ')} (${created} created, ${err.written.length - created} updated; importing again updates them by name, it does not duplicate them).`;
  const notAttempted = err.notWritten.length > 0 ? ` Not attempted: ${err.notWritten.join(', ')}.` : '';
  return `The target refused ${err.refusedObjects} (below). ${written}${notAttempted}`;
}

/** The flags import and sync share about how the snapshot is imported. */
export interface ImportFlags {
  readonly dryRun?: boolean;
  readonly replaceIdpType?: boolean;
  readonly batchSize?: number;
}

/**
 * Import the snapshot `snapshotOf` gives into `target`, with the progress on the terminal (its
 * reading too, for sync). The target may make SCIM secrets before the import fails part way: they
 * are written to stderr then, the only chance to show them.
 */
export async function importWithProgress(
  transfer: Transfer,
  target: AccountApi,
  flags: ImportFlags,
  snapshotOf: (onProgress: ProgressSink) => Promise<Snapshot>,
): Promise<ImportResult> {
  const progress = new StepProgress();
  const scimSecrets: ScimSecret[] = [];
  const onProgress: ProgressSink = (step, done, total) => progress.update(step, done, total);
  try {
    return await transfer.importSnapshot(target, await snapshotOf(onProgress), {
      onScimSecret: (secret) => scimSecrets.push(secret),
      dryRun: flags.dryRun === true,
      replaceIdentityProviderTypes: flags.replaceIdpType === true,
      onProgress,
      ...(flags.batchSize !== undefined && flags.batchSize > 0 ? { usersPerBatch: flags.batchSize } : {}),
    });
  } catch (err) {
    progress.stop();
    if (scimSecrets.length > 0) process.stderr.write(scimSecretsText(scimSecrets));
    throw err;
  } finally {
    progress.stop();
  }
}
