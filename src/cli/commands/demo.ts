// `portcullis demo`: the example policies of examples/ decided offline for the example users,
// and one decision explained. `portcullis serve --demo` loads the same examples into a server.

import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { compilePolicySet, explain, prepareIdentity } from '../../engine/index.js';
import { EXIT, runAction, write, writeJson } from '../command-kit.js';
import { decidingPolicy, statusOf } from '../evaluation.js';
import { evaluateUsers } from '../bulk/run.js';
import type { UsersPartial } from '../collectors/users.js';
import { loadInputs } from '../inputs.js';
import { explanationTree, table } from '../render.js';
import { styleFor } from '../terminal.js';
import type { SourceUser } from '../users/user.js';

const EXAMPLES = fileURLToPath(new URL('../../../../examples/', import.meta.url));

interface DemoOptions {
  readonly explain?: string;
  readonly json?: boolean;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('evaluate the example policies (examples/) for the example users offline and explain one decision (serve --demo loads them into a server)')
    .option('--explain <email>', 'explain the decision for this user')
    .option('--json', 'machine-readable output')
    .action(runAction(demo));
}

async function demo(options: DemoOptions): Promise<number> {
  const inputs = {
    groups: EXAMPLES + 'groups.json',
    lists: EXAMPLES + 'lists.json',
    users: EXAMPLES + 'users.ndjson',
  };
  const { inputs: run, context } = loadInputs([{ file: EXAMPLES + 'policies.json' }], inputs);
  const policies = context.policySets[0];
  const users: SourceUser[] = [];
  await evaluateUsers<UsersPartial>(inputs, run, context, { kind: 'users', emails: null }, (p) => users.push(...p.users), 'Loading');
  const compiled = compilePolicySet(policies, context.env);
  const results = users.map((u) => {
    const packed = compiled.evaluate(prepareIdentity(u.identity));
    return { id: u.id, email: u.email, name: u.name, status: statusOf(packed), deciding_policy: decidingPolicy(policies, packed)?.name ?? null };
  });
  if (options.json === true) {
    await writeJson({ policies: policies.map((p) => p.name), users: results });
    return EXIT.ok;
  }
  const out = [`portcullis demo: ${policies.length} policies from examples/policies.json, ${users.length} users\n`];
  out.push(table(['email', 'status', 'decided by', 'who'], results.map((r) => [r.email, r.status, r.deciding_policy ?? '(no policy matched: blocked by default)', r.name])));
  const who = options.explain ?? 'bob@example.com';
  const user = users.find((u) => u.email.toLowerCase() === who.toLowerCase());
  if (user === undefined) {
    await write(out.join('\n') + '\n');
    process.stderr.write(`\nNo user with email ${who} in examples/users.ndjson.\n`);
    return EXIT.failed;
  }
  out.push(`\nWhy ${user.email}? (--explain EMAIL to pick another user)\n`);
  out.push(explanationTree(explain(policies, prepareIdentity(user.identity), context.env), styleFor(process.stdout)));
  await write(out.join('\n') + '\n');
  return EXIT.ok;
}
