// User-import benchmark: N generated users as one NDJSON request to a real `portcullis serve`
// against a bare loop that writes the same rows with the same driver (bench/support/import-floor.ts).
// Progress on stderr; last stdout line: JSON.
//
//   npm run bench:import                    (USERS=1000000, DB=sqlite)
//   USERS=200000 DB=postgres npm run bench:import
//   STORES=sqlite,postgres npm run bench:import

import { measureImport, type ImportStore } from './support/import-floor.js';

const USERS = Number(process.env.USERS ?? 1_000_000);
const STORES = (process.env.STORES ?? process.env.DB ?? 'sqlite').split(',').map((s) => s.trim()) as ImportStore[];
for (const store of STORES) if (store !== 'sqlite' && store !== 'postgres') throw new Error(`unknown store ${JSON.stringify(store)}: sqlite or postgres`);

const runs = [];
for (const store of STORES) runs.push(await measureImport({ users: USERS, store }));
const figures = runs.length === 1 ? runs[0] : { users: USERS, stores: runs };
console.log(JSON.stringify({ benchmark: 'import', node: process.version, ...figures }));
