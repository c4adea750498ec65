// `portcullis serve --demo` (`npm start -- --demo`): a newcomer's server is populated at once.
// Once listening, the server imports the examples of examples/ into its default account (or the
// first `--account`) through its own API, as `portcullis import` would (identity providers,
// Gateway lists, Access groups, policies, users with identities), adds the example application
// with those policies, and prints what it loaded and a curl command that starts a policy test.
// An account that already holds anything is left as it is: the demo never mixes with someone's
// data. It says so, and how to see the examples anyway (a fresh data directory, or a new account).

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Problems } from '../../transfer/problems.js';
import { readImportFiles } from '../account-files/read-files.js';
import type { KeptValue } from '../../server/secrets.js';
import type { Inventory } from '../../transfer/plan.js';
import { OBJECT_KINDS } from '../../transfer/snapshot.js';
import { plural } from '../render.js';

const EXAMPLES = fileURLToPath(new URL('../../../../examples/', import.meta.url));

export interface DemoTarget {
  /** The server's address, e.g. http://127.0.0.1:8787. */
  readonly url: string;
  readonly token: KeptValue;
  /** The account to load the examples into. */
  readonly account: string;
  /** The server's default account (the dashboard link names another one). */
  readonly defaultAccount: string;
  /**
   * The options the server was started with that a suggested restart must repeat: `listening`
   * (port, host) for both suggestions, `store` (data directory, database) for the one that keeps
   * this server's data.
   */
  readonly startedWith?: { readonly listening: string; readonly store: string };
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

/** What an account holds, in words ("1 policy", "3 Access groups and 8 users"). */
function holdings(inventory: Inventory, users: number): string {
  const parts = [
    [inventory.identity_provider.length, 'identity provider', 'identity providers'],
    [inventory.list.length, 'Gateway list', 'Gateway lists'],
    [inventory.group.length, 'Access group', 'Access groups'],
    [inventory.policy.length, 'policy', 'policies'],
    [users, 'user', 'users'],
  ] as const;
  const said = parts.filter(([n]) => n > 0).map(([n, one, many]) => plural(n, one, many));
  return said.length === 1 ? said[0] : `${said.slice(0, -1).join(', ')} and ${said[said.length - 1]}`;
}

/** The names of the example policies: an account holding them all holds the demo already. */
function examplePolicyNames(): string[] {
  return (JSON.parse(readFileSync(EXAMPLES + 'policies.json', 'utf8')) as { name: string }[]).map((p) => p.name);
}

/** Load the examples into the account unless it holds something; print what happened, or what to do instead. */
export async function loadDemo(target: DemoTarget, print: (line: string) => void): Promise<void> {
  const transfer = await import('../../transfer/index.js');
  const endpoint = { url: `${target.url}/client/v4`, token: target.token.value, account: target.account };
  const api = transfer.AccountApi.connect(endpoint);
  const inventory = await transfer.readInventory(api);
  let users = 0;
  for await (const page of api.userPages()) {
    users = page.total ?? page.users.length;
    break;
  }
  const held = OBJECT_KINDS.reduce((n, kind) => n + inventory[kind].length, 0) + users;
  if (held > 0) {
    const names = new Set(inventory.policy.map((p) => p.name));
    if (examplePolicyNames().every((name) => names.has(name))) {
      print(`  demo:      account ${endpoint.account} already holds the examples (loaded by an earlier --demo): nothing was loaded again`);
      return;
    }
    print(`  demo:      not loaded: account ${endpoint.account} already holds ${holdings(inventory, users)}, and the demo loads only into an empty account`);
    const listening = target.startedWith?.listening ?? '';
    print(`             To see the examples, start on a fresh data directory:  npm start -- --demo --data-dir ./data-demo${listening}`);
    print(`             or load them into a new account of this server:       npm start -- --demo --account ${randomBytes(16).toString('hex')}${listening}${target.startedWith?.store ?? ''}`);
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
  if (target.account !== target.defaultAccount) {
    print(`  dashboard: ${target.url}/?account=${target.account}`);
    // The server's own address is the default account's auth domain: another account's sign-ins need one of its own.
    print(`  sign-in:   to sign in to the example application, give account ${target.account} an auth domain of its own (a host name that reaches this server):`);
    print(`             PUT ${endpoint.url}/accounts/${target.account}/access/organizations {"auth_domain": "…"} (docs/enforcement.md, "Several accounts on one server")`);
  }
  const token = tokenExpression(target.token);
  const tests = `${endpoint.url}/accounts/${endpoint.account}/access/policy-tests`;
  print('  Start a policy test of the example policies over the example users:');
  print(`    curl -s ${tests} \\`);
  print(`      -H "Authorization: Bearer ${token}" -H 'Content-Type: application/json' \\`);
  print(`      -d '${JSON.stringify({ policies: policies.map((p) => p.id) })}'`);
  print(`  then follow it with: curl -s ${tests}/<id from the answer> -H "Authorization: Bearer ${token}"`);
}
