// Running a command that talks to a server: the transfer modules (and the SDK, slow to load)
// are loaded only then, and problems with the data (found while planning, or objects the
// target refused) become the usual input problems: one line each, exit 2.

import { InputError } from '../../transfer/problems.js';
import { plural } from '../render.js';

export type Transfer = typeof import('../../transfer/index.js');

export async function withTransfer<T>(run: (transfer: Transfer) => Promise<T>): Promise<T> {
  const transfer = await import('../../transfer/index.js');
  try {
    return await run(transfer);
  } catch (err) {
    if (!(err instanceof transfer.TransferProblems)) throw err;
    if (err.written > 0) {
      process.stderr.write(
        `The target refused what follows; the ${plural(err.written, 'object')} written before stay there (importing again updates them by name, it does not duplicate them).\n`,
      );
    }
    throw new InputError(err.problems);
  }
}
