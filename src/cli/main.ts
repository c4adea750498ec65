// The `portcullis` command. For now it offers the offline engine demo (`npm start`); the
// server, policy tests, diffs and sync arrive as their own commands.

import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { compilePolicySet, explain, prepareIdentity, resultAccess, resultDecidingIndex } from '../engine/index.js';
import { explanationTree, table } from './render.js';
import { loadWorkspace, WorkspaceError } from './workspace.js';

const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url));

function demo(options: { explain?: string; json?: boolean }): void {
  const ws = loadWorkspace({
    policies: EXAMPLES + 'policies.json',
    groups: EXAMPLES + 'groups.json',
    lists: EXAMPLES + 'lists.json',
    users: EXAMPLES + 'users.ndjson',
  });
  const compiled = compilePolicySet(ws.policies, ws.env);
  const results = ws.users.map((u) => {
    const packed = compiled.evaluate(prepareIdentity(u.identity));
    const index = resultDecidingIndex(packed);
    const access = resultAccess(packed);
    return {
      id: u.id,
      email: u.email,
      name: u.name,
      status: access === 'granted' ? 'approved' : access === 'blocked' ? 'blocked' : 'error',
      deciding_policy: index >= 0 ? ws.policies[index].name : null,
    };
  });
  if (options.json) {
    console.log(JSON.stringify({ policies: ws.policies.map((p) => p.name), users: results }, null, 2));
    return;
  }
  console.log(`portcullis demo: ${ws.policies.length} policies from examples/policies.json, ${ws.users.length} users\n`);
  console.log(table(['email', 'status', 'decided by', 'who'], results.map((r) => [r.email, r.status, r.deciding_policy ?? '(no policy matched: blocked by default)', r.name])));
  const who = options.explain ?? 'bob@example.com';
  const user = ws.users.find((u) => u.email.toLowerCase() === who.toLowerCase());
  if (user === undefined) {
    console.error(`\nNo user with email ${who} in examples/users.ndjson.`);
    process.exitCode = 1;
    return;
  }
  console.log(`\nWhy ${user.email}? (--explain EMAIL to pick another user)\n`);
  console.log(explanationTree(explain(ws.policies, prepareIdentity(user.identity), ws.env)));
}

export function main(argv: string[]): void {
  const program = new Command();
  program.name('portcullis').description('Cloudflare Access reusable policies and policy tester, self-hosted');
  program
    .command('demo')
    .description('evaluate the example policies (examples/) for the example users and explain one decision')
    .option('--explain <email>', 'explain the decision for this user')
    .option('--json', 'machine-readable output')
    .action((options: { explain?: string; json?: boolean }) => {
      try {
        demo(options);
      } catch (err) {
        if (err instanceof WorkspaceError) {
          console.error(err.message);
          process.exitCode = 2;
        } else throw err;
      }
    });
  program.parse(argv);
}
