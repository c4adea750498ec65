// Issue-17 scale targets in one run (docs/benchmarks.md "Scale"): the user import against a bare
// loop writing the same rows with the same driver, the policy test through the API against the
// offline CLI over the same users (then paging of the users and of the results on that server),
// and reads of one policy and of a list of 50 against a bare route answering the same bytes.
// Progress on stderr; the last stdout line is one JSON object with every ratio and the figures
// behind it.
//
//   npm run bench:scale                                               (USERS=1000000, SQLite)
//   USERS=10000000 npm run bench:scale
//   DB=postgres://postgres@127.0.0.1:5432/test npm run bench:scale    (PostgreSQL throughout; the
//   import part uses PORTCULLIS_TEST_POSTGRES_URL's server, by default the same local one)
//   PARTS=import,test,reads: only some of the three

import { loadavg } from 'node:os';
import { measureImport } from './support/import-floor.js';
import { measurePolicyTest } from './support/policy-test-vs-cli.js';
import { measureReads } from './support/read-path.js';

const users = Number(process.env.USERS ?? 1_000_000);
const db = process.env.DB !== undefined && process.env.DB !== '' ? process.env.DB : undefined;
const store = db === undefined ? 'sqlite' : 'postgres';
const parts = new Set((process.env.PARTS ?? 'import,test,reads').split(','));
const log = (message: string) => process.stderr.write(`[bench:scale] ${message}\n`);

const loadAtStart = loadavg()[0];
log(`${users} users on ${store}; parts: ${[...parts].join(', ')}; load average ${loadAtStart.toFixed(1)}`);
const started = performance.now();

const imported = parts.has('import') ? await measureImport({ users, store }) : undefined;
if (imported !== undefined) log(`import: ${imported.import_ms} ms, bare loop ${imported.bare_ms} ms (${imported.import_over_bare}×)`);

const tested = parts.has('test') ? await measurePolicyTest({ users, ...(db !== undefined ? { db } : {}), paging: true, log: (m) => log(`test: ${m}`) }) : undefined;
if (tested !== undefined) log(`policy test: ${tested.test_ms} ms, CLI ${tested.cli_ms} ms (${tested.test_over_cli}×), peak RSS ${tested.test_peak_rss_mib} MiB`);

const reads = parts.has('reads') ? await measureReads({ ...(db !== undefined ? { db } : {}), connections: 50, durationSeconds: Number(process.env.DURATION ?? 10) }) : undefined;
if (reads !== undefined) log(`reads: GET ${reads.get_fraction_of_bare} of bare (p99 ${reads.get_p99_ms} ms), list ${reads.list_fraction_of_bare} of bare`);

console.log(
  JSON.stringify({
    benchmark: 'scale',
    users,
    store,
    import_over_bare: imported?.import_over_bare ?? null,
    test_over_cli: tested?.test_over_cli ?? null,
    get_fraction_of_bare: reads?.get_fraction_of_bare ?? null,
    list_fraction_of_bare: reads?.list_fraction_of_bare ?? null,
    get_p99_ms: reads?.get_p99_ms ?? null,
    test_peak_rss_mib: tested?.test_peak_rss_mib ?? null,
    import_ms: imported?.import_ms ?? null,
    bare_import_ms: imported?.bare_ms ?? null,
    import_peak_rss_mib: imported?.server_peak_rss_mib ?? null,
    test_ms: tested?.test_ms ?? null,
    cli_ms: tested?.cli_ms ?? null,
    get_rps: reads?.get_rps ?? null,
    bare_get_rps: reads?.bare_get_rps ?? null,
    list_rps: reads?.list_rps ?? null,
    bare_list_rps: reads?.bare_list_rps ?? null,
    paging: tested?.paging ?? null,
    import: imported ?? null,
    policy_test: tested ?? null,
    reads: reads ?? null,
    total_s: Math.round((performance.now() - started) / 1000),
    load_average_at_start: Math.round(loadAtStart * 100) / 100,
    node: process.version,
  }),
);
