// `portcullis serve --demo` (`npm start -- --demo`): a newcomer's server is populated at once.
// Once listening, the server imports the examples of examples/ into its default account through
// its own API, as `portcullis import` would (identity providers, Gateway lists, Access groups,
// policies, users with identities), adds the example application with those policies, and
// prints what it loaded and a curl command that starts a policy test. An account that already
// holds anything is left as it is: the demo never overwrites someone's data.

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Problems } from '../../transfer/problems.js';
import { readImportFiles } from '../account-files/read-files.js';
import type { KeptValue } from '../../server/secrets.js';

const EXAMPLES = fileURLToPath(new URL('../../../../examples/', import.meta.url));

export interface DemoTarget {
  /** The server's address, e.g. http://127.0.0.1:8787. */
  readonly url: string;
  readonly token: KeptValue;
  readonly account: KeptValue;
}

/** How a shell gets the root token: from the variable or the file it came from. */
function tokenExpression(token: KeptValue): string {
  if (token.origin === 'environment') return '$PORTCULLIS_API_TOKEN';
  const file = relative(process.cwd(), token.file);
  return `$(cat ${file.startsWith('..') ? token.file : file})`;
}

/** The example application, its policies named by name, linked to the ids the import gave them. */
function application(policyIds: ReadonlyMap<string, string>): Record<string, unknown> {
  const app = JSON.parse(readFileSync(EXAMPLES + 'application.json', 'utf8')) as { policies: string[] } & Record<string, unknown>;
  return { ...app, policies: app.policies.map((name, i) => ({ id: policyIds.get(name), precedence: i + 1 })) };
}

/** Load the examples into the default account unless it holds something; print what happened. */
export async function loadDemo(target: DemoTarget, print: (line: string) => void): Promise<void> {
  const transfer = await import('../../transfer/index.js');
  const endpoint = { url: `${target.url}/client/v4`, token: target.token.value, account: target.account.value };
  const api = transfer.AccountApi.connect(endpoint);
  const inventory = await transfer.readInventory(api);
  let users = 0;
  for await (const page of api.userPages()) {
    users = page.users.length;
    break;
  }
  const held = Object.values(inventory).reduce((n, objects) => n + objects.length, 0) + users;
  if (held > 0) {
    print(`  demo:      account ${endpoint.account} already holds data: the examples were not loaded again`);
    return;
  }
  const read = await readImportFiles(
    {
      policies: EXAMPLES + 'policies.json',
      groups: EXAMPLES + 'groups.json',
      lists: EXAMPLES + 'lists.json',
      idps: EXAMPLES + 'idps.json',
      users: EXAMPLES + 'users.ndjson',
      withUsers: true,
    },
    new Problems(),
  );
  let result;
  try {
    result = await transfer.importSnapshot(api, read.snapshot);
  } finally {
    read.dispose();
  }
  const policies = result.outcomes.filter((o) => o.kind === 'policy');
  const app = await api.createApplication(application(new Map(policies.map((p) => [p.name, p.id!]))));
  const count = (kind: string) => result.outcomes.filter((o) => o.kind === kind).length;
  print(
    `  demo:      loaded examples/ into account ${endpoint.account}: ${count('identity_provider')} identity providers, ${count('list')} Gateway lists, ` +
      `${count('group')} Access groups, ${policies.length} policies, ${result.users?.created ?? 0} users with identities, ` +
      `and the application ${JSON.stringify(app.name)} using the policies`,
  );
  const token = tokenExpression(target.token);
  const tests = `${endpoint.url}/accounts/${endpoint.account}/access/policy-tests`;
  print('  Start a policy test of the example policies over the example users:');
  print(`    curl -s ${tests} \\`);
  print(`      -H "Authorization: Bearer ${token}" -H 'Content-Type: application/json' \\`);
  print(`      -d '${JSON.stringify({ policies: policies.map((p) => p.id) })}'`);
  print(`  then follow it with: curl -s ${tests}/<id from the answer> -H "Authorization: Bearer ${token}"`);
}
