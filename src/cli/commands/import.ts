// `portcullis import`: identity providers, Gateway lists, Access groups, policies and users from
// files into an account of a Cloudflare-compatible API, through the official SDK. Objects are
// matched by name (updated in place, else created) and their references rewritten to the ids
// the target gives; users go through portcullis's import extension in batches.

import { Option, type Command } from 'commander';
import { EXIT, runAction, wholeNumber, write, writeJson } from '../command-kit.js';
import { addEndpointOptions, resolveEndpoint, TARGET } from '../endpoint-options.js';
import { Problems } from '../../transfer/problems.js';
import { readImportFiles } from '../account-files/read-files.js';
import { importWithProgress, withTransfer } from '../account-files/run.js';
import { transferJson, transferText } from '../account-files/summary.js';
import { USERS_FORMATS, type UsersFormat } from '../users/source.js';

interface ImportOptions {
  readonly policies?: string;
  readonly groups?: string;
  readonly lists?: string;
  readonly idps?: string;
  /** A users file, or false with --no-users. */
  readonly users?: string | false;
  readonly usersFormat?: UsersFormat;
  readonly dryRun?: boolean;
  readonly replaceIdpType?: boolean;
  readonly json?: boolean;
  readonly batchSize?: number;
}

export function registerImport(program: Command): void {
  const command = program
    .command('import')
    .summary('import policies, groups, lists, IdPs and users from files into a server')
    .description(
      'Create or update, in an account of a Cloudflare-compatible API (portcullis, or Cloudflare), the identity providers, Gateway lists, ' +
        'Access groups and reusable policies of an export file or directory, and its users with their identities (portcullis only). ' +
        'Objects are matched by name on the target: one of the same name is updated, otherwise one is created; references between ' +
        'objects are rewritten to the ids the target gives them. Nothing is written when any input has a problem.',
    )
    .argument('[source]', 'an export file (.json) or directory, as `portcullis export` writes them')
    .option('--policies <file>', 'policies (instead of those of the source)')
    .option('--groups <file>', 'Access groups')
    .option('--lists <file>', 'Gateway lists, with their items')
    .option('--idps <file>', 'identity providers')
    .option('--users <file>', 'users: NDJSON, a JSON array, or CSV (docs/cli.md)')
    .option('--no-users', 'leave users out, even when the source has them')
    .addOption(new Option('--users-format <format>', 'read the users file as this format instead of detecting it').choices(USERS_FORMATS))
    .option('--replace-idp-type', 'replace a target identity provider of the same name but another type (otherwise the import stops, naming both types)')
    .option('--dry-run', 'say what would be created, updated and (users) left unchanged, and write nothing')
    .option('--json', 'machine-readable summary on stdout');
  addEndpointOptions(command, TARGET)
    // Hidden: users per import request (default 5,000); tests use it to cross batch boundaries.
    .addOption(new Option('--batch-size <n>').argParser(wholeNumber).hideHelp())
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  export PORTCULLIS_URL=http://127.0.0.1:8787/client/v4 PORTCULLIS_TOKEN=$(cat data/root-token) PORTCULLIS_ACCOUNT=$(cat data/account-id)\n' +
        '  portcullis import export.json --dry-run\n' +
        '  portcullis import --policies examples/policies.json --groups examples/groups.json --lists examples/lists.json \\\n' +
        '    --idps examples/idps.json --users examples/users.ndjson',
    )
    .action(runAction(importCommand));
}

async function importCommand(source: string | undefined, options: ImportOptions): Promise<number> {
  const endpoint = resolveEndpoint(options as Record<string, unknown>, TARGET);
  const read = await readImportFiles(
    {
      ...(source !== undefined ? { source } : {}),
      ...(options.policies !== undefined ? { policies: options.policies } : {}),
      ...(options.groups !== undefined ? { groups: options.groups } : {}),
      ...(options.lists !== undefined ? { lists: options.lists } : {}),
      ...(options.idps !== undefined ? { idps: options.idps } : {}),
      ...(typeof options.users === 'string' ? { users: options.users } : {}),
      ...(options.usersFormat !== undefined ? { usersFormat: options.usersFormat } : {}),
      withUsers: options.users !== false,
    },
    new Problems(),
  );
  try {
    return await withTransfer(async (transfer) => {
      const result = await importWithProgress(transfer, transfer.AccountApi.connect(endpoint), options, async () => read.snapshot);
      if (options.json === true) await writeJson({ ...transferJson(result, endpoint), apps_not_imported: read.appsNotImported });
      else await write(transferText(result, endpoint, 'Imported') + appsNotImportedText(read.appsNotImported));
      return EXIT.ok;
    });
  } finally {
    read.dispose();
  }
}

/** Import does not create or update applications: say so when the source holds some. */
function appsNotImportedText(apps: number): string {
  if (apps === 0) return '';
  return `\n${apps === 1 ? '1 application' : `${apps.toLocaleString('en-US')} applications`} of the source ${apps === 1 ? 'was' : 'were'} not imported: import does not create or update Access applications (docs/cli.md). Create ${apps === 1 ? 'it' : 'them'} on the target and attach the imported policies by name.\n`;
}
