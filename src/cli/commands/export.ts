// `portcullis export`: an account's identity providers, Gateway lists (with their entries),
// Access groups, reusable policies, applications with their policies by precedence, and users
// with their last seen identities, read through the official SDK from any Cloudflare-compatible
// API, written as one export file or as a directory of the files `test`, `diff`, `lint` and
// `import` read, with a manifest that lets them refuse an incomplete or changed export.

import type { Command } from 'commander';
import { EXIT, runAction, UsageError, write, writeJson } from '../command-kit.js';
import { addEndpointOptions, resolveEndpoint, TARGET } from '../endpoint-options.js';
import { plural } from '../render.js';
import { StepProgress } from '../terminal.js';
import { withTransfer } from '../account-files/run.js';
import { checkExportDestination, exportDestination, writeExport, type ExportCounts, type ExportDestination } from '../account-files/write-files.js';

interface ExportOptions {
  readonly out?: string;
  readonly users: boolean;
  readonly json?: boolean;
}

export function registerExport(program: Command): void {
  const command = program
    .command('export')
    .summary('export policies, groups, lists, IdPs and users from a server to files')
    .description(
      'Read the identity providers, Gateway lists (with their entries), Access groups, reusable policies, applications (with their policies ' +
        'by precedence) and users (with their last seen identities) of an account of a Cloudflare-compatible API, and write them as one export ' +
        'file or as a directory of files that `portcullis test`, `diff`, `lint` and `import` read. Files appear when all of them are complete; ' +
        'a directory gets a manifest.json with each file\'s size and SHA-256, checked by the commands that read it. ' +
        'Secrets (IdP client secrets) are never returned by the API, so never exported.',
    )
    .option('--out <path>', 'a .json path: one export file; any other path: a directory (policies.json, groups.json, lists.json, idps.json, apps.json, users.ndjson, manifest.json); default or "-": stdout')
    .option('--no-users', 'leave users out')
    .option('--json', 'machine-readable summary on stdout (needs --out)');
  addEndpointOptions(command, TARGET)
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  portcullis export --out backup.json\n' +
        '  portcullis export --out snapshot/ && portcullis test --policies snapshot/policies.json --groups snapshot/groups.json \\\n' +
        '    --lists snapshot/lists.json --idps snapshot/idps.json --users snapshot/users.ndjson [--apps snapshot/apps.json --app NAME]',
    )
    .action(runAction(exportCommand));
}

function describe(counts: ExportCounts): string {
  const parts = [
    plural(counts.identity_providers, 'identity provider'),
    `${plural(counts.lists, 'Gateway list')} (${plural(counts.list_entries, 'entry', 'entries')})`,
    plural(counts.groups, 'Access group'),
    plural(counts.policies, 'policy', 'policies'),
    plural(counts.apps, 'application'),
  ];
  if (counts.users !== null) parts.push(`${plural(counts.users, 'user')} (${counts.identities!.toLocaleString('en-US')} with a last seen identity)`);
  return parts.join(', ');
}

const placeOf = (destination: ExportDestination): string => (destination.kind === 'stdout' ? 'stdout' : destination.path);

async function exportCommand(options: ExportOptions): Promise<number> {
  const endpoint = resolveEndpoint(options as unknown as Record<string, unknown>, TARGET);
  const destination = exportDestination(options.out);
  if (options.json === true && destination.kind === 'stdout') throw new UsageError('--json prints a summary on stdout, where the export goes without --out: give --out FILE.json or --out DIR.');
  checkExportDestination(destination);
  return withTransfer(async (transfer) => {
    const progress = new StepProgress();
    // A scoped token meets the server's rate limit on a large directory: wait and go on, saying so.
    const api = transfer.AccountApi.connect(endpoint, { rateLimitWaits: 50, onRateLimited: (seconds) => progress.rateLimited(seconds) });
    let counts: ExportCounts;
    try {
      const snapshot = await transfer.readAccount(api, { users: options.users, origin: endpoint.url, onProgress: (step, done, total) => progress.update(step, done, total) });
      const apps = await api.applications();
      counts = await writeExport(snapshot, apps, destination, { url: endpoint.url, account: endpoint.account }, (done, total) => progress.update('Users', done, total));
    } finally {
      progress.stop();
    }
    if (options.json === true) await writeJson({ source: { url: endpoint.url, account: endpoint.account }, out: placeOf(destination), format: destination.kind, ...counts });
    else if (destination.kind !== 'stdout') await write(`Exported from ${endpoint.url}, account ${endpoint.account}, to ${placeOf(destination)}: ${describe(counts)}.\n`);
    return EXIT.ok;
  });
}
