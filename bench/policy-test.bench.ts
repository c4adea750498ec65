// The policy tester through the API against the offline CLI, in the same run, over the same
// generated users and policies (bench/support/policy-test-vs-cli.ts). Progress on stderr; last
// stdout line: JSON with users, test_ms, cli_ms, test_over_cli and test_peak_rss_mib.
//
//   npm run bench:policy-test                          (USERS=1000000, SQLite)
//   USERS=200000 DB=postgres://postgres@127.0.0.1:5432/test INSTANCES=2 npm run bench:policy-test
//   ROUNDS=3: best of three runs of each side
//   PAUSE_S=330: wait this long before each API round after the first (a test after a quiet time)

import { measurePolicyTest } from './support/policy-test-vs-cli.js';

const users = Number(process.env.USERS ?? 1_000_000);
const instances = process.env.INSTANCES === '2' ? 2 : 1;
const figures = await measurePolicyTest({
  users,
  ...(process.env.DB !== undefined && process.env.DB !== '' ? { db: process.env.DB } : {}),
  instances,
  rounds: Number(process.env.ROUNDS ?? 1),
  pauseMs: 1000 * Number(process.env.PAUSE_S ?? 0),
  log: (message) => process.stderr.write(`[bench:policy-test] ${message}\n`),
});
console.log(JSON.stringify({ benchmark: 'policy-test', ...figures }));
