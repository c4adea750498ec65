// Moving an account's objects through a Cloudflare-compatible API: what the CLI's import,
// export and sync and the server's --demo use. Loading this loads the SDK, so commands that do
// not talk to a server never import it (src/cli/account-files/run.ts loads it on demand).

export { AccountApi, type Endpoint } from './account-api.js';
export { countsByKind, TransferProblems, type ProgressSink, type ScimSecret, type WriteOutcome } from './apply.js';
export { importSnapshot, type ImportOptions, type ImportResult } from './import.js';
export { readInventory } from './plan.js';
export { readAccount } from './read-account.js';
