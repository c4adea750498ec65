// The read path as fractions of the wire (bench/support/read-path.ts): GET of one policy and a
// list of 50, each beside a bare fastify route answering the same bytes, in one run. Prints
// progress to stderr and, as its last stdout line, one JSON object of figures.
//
//   npm run bench:reads     (CONNECTIONS=50 DURATION=10 by default; DB=postgres://… for PostgreSQL)

import { measureReads } from './support/read-path.js';

const figures = await measureReads({
  ...(process.env.DB !== undefined && process.env.DB !== '' ? { db: process.env.DB } : {}),
  connections: Number(process.env.CONNECTIONS ?? 50),
  durationSeconds: Number(process.env.DURATION ?? 10),
});
console.log(JSON.stringify({ benchmark: 'reads', node: process.version, ...figures }));
