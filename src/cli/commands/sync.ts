// `portcullis sync`: copy an account's identity providers, Gateway lists, Access groups,
// policies and users with their identities from one API to another: an export read in memory
// (users streamed page by page) and imported at once, with import's matching by name and
// rewriting of references.

import { Option, type Command } from 'commander';
import { EXIT, runAction, wholeNumber, write, writeJson } from '../command-kit.js';
import { addEndpointOptions, resolveEndpoint, SYNC_SOURCE, SYNC_TARGET } from '../endpoint-options.js';
import { importWithProgress, withTransfer } from '../account-files/run.js';
import { transferJson, transferText } from '../account-files/summary.js';

interface SyncOptions {
  readonly users: boolean;
  readonly dryRun?: boolean;
  readonly replaceIdpType?: boolean;
  readonly json?: boolean;
  readonly batchSize?: number;
}

export function registerSync(program: Command): void {
  const command = program
    .command('sync')
    .summary("copy an account's policies, groups, lists, IdPs and users from one server to another")
    .description(
      'Read the identity providers, Gateway lists, Access groups, reusable policies and users (with their last seen identities) of one ' +
        'account and import them into another, on the same or another Cloudflare-compatible API, as `portcullis export` followed by ' +
        '`portcullis import` would: objects are matched by name, references rewritten to the target\'s ids, users imported by email ' +
        '(the target must be portcullis for users; --no-users otherwise). Nothing is deleted on the target.',
    );
  addEndpointOptions(command, SYNC_SOURCE);
  addEndpointOptions(command, SYNC_TARGET)
    .option('--no-users', 'leave users out')
    .option('--replace-idp-type', 'replace a target identity provider of the same name but another type (otherwise the import stops, naming both types)')
    .option('--dry-run', 'say what would be created, updated and (users) left unchanged on the target, and write nothing')
    .option('--json', 'machine-readable summary on stdout')
    .addOption(new Option('--batch-size <n>').argParser(wholeNumber).hideHelp())
    .addHelpText(
      'after',
      '\nExample:\n' +
        '  PORTCULLIS_FROM_TOKEN=... PORTCULLIS_TO_TOKEN=... portcullis sync \\\n' +
        '    --from https://staging.example.com/client/v4 --from-account 0123... \\\n' +
        '    --to http://127.0.0.1:8787/client/v4 --to-account 4567... --dry-run',
    )
    .action(runAction(syncCommand));
}

async function syncCommand(options: SyncOptions): Promise<number> {
  const raw = options as unknown as Record<string, unknown>;
  const from = resolveEndpoint(raw, SYNC_SOURCE);
  const to = resolveEndpoint(raw, SYNC_TARGET);
  return withTransfer(async (transfer) => {
    const source = transfer.AccountApi.connect(from);
    const target = transfer.AccountApi.connect(to);
    const origin = `source (${from.url}, account ${from.account})`;
    const result = await importWithProgress(transfer, target, options, (onProgress) => transfer.readAccount(source, { users: options.users, origin, onProgress }));
    if (options.json === true) await writeJson(transferJson(result, to, from));
    else await write(`From ${from.url}, account ${from.account}.\n` + transferText(result, to, 'Synced'));
    return EXIT.ok;
  });
}
