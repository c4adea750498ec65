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
    const stopped = err.notWritten.length > 0 ? ` The import stopped there and did not write ${err.notWritten.join(', ')}.` : '';
    if (err.written > 0) {
      process.stderr.write(
        `The target refused what follows; the ${plural(err.written, 'object')} written before stay there (importing again updates them by name, it does not duplicate them).${stopped}\n`,
      );
    } else if (stopped !== '') {
      process.stderr.write(`The target refused what follows; nothing was written.${stopped}\n`);
    }
    throw new InputError(err.problems);
  }
}
