// Export benchmark: `portcullis import` of USERS users (each with an identity) into a fresh
// server, then `portcullis export` of the same users to files, timed side by side in one run
// (both CLI processes against the same server process, SQLite). The export reads users with
// their identities in bulk (docs/extensions.md); the target is an export within 2× the import.
// Prints progress to stderr and, as its last stdout line, one JSON object of figures.
//
//   npm run bench:export            (USERS=1000000 by default)

import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startServerProcess } from '../test/support/server-process.js';

const USERS = Number(process.env.USERS ?? 1_000_000);
const BIN = fileURLToPath(new URL('../../bin/portcullis.js', import.meta.url));
const run = promisify(execFile);
const log = (msg: string) => process.stderr.write(`[bench:export] ${msg}\n`);

async function writeUsers(path: string): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < USERS; i++) {
    const line = JSON.stringify({
      email: `user${i}@example${i % 50}.com`,
      name: `User ${i}`,
      identity: { ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, geo: { country: i % 2 === 0 ? 'US' : 'DE' }, groups: [{ name: `team-${i % 20}` }], amr: ['pwd', 'mfa'] },
    });
    if (!out.write(line + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function timed(label: string, args: string[], env: Record<string, string>): Promise<number> {
  const started = performance.now();
  await run(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 });
  const ms = performance.now() - started;
  log(`${label}: ${(ms / 1000).toFixed(1)} s (${Math.round(USERS / (ms / 1000)).toLocaleString('en-US')} users/s)`);
  return ms;
}

const dir = mkdtempSync(join(tmpdir(), 'portcullis-bench-export-'));
const server = await startServerProcess(join(dir, 'data'));
try {
  const source = join(dir, 'source');
  mkdirSync(source);
  for (const file of ['policies.json', 'groups.json', 'lists.json', 'idps.json']) writeFileSync(join(source, file), '[]\n');
  await writeUsers(join(source, 'users.ndjson'));
  log(`${USERS.toLocaleString('en-US')} users, ${(statSync(join(source, 'users.ndjson')).size / 1024 / 1024).toFixed(0)} MiB of NDJSON`);
  const env = { PORTCULLIS_URL: server.apiUrl, PORTCULLIS_TOKEN: server.token, PORTCULLIS_ACCOUNT: server.accountId };
  const importMs = await timed('import', ['import', source, '--json'], env);
  const exportMs = await timed('export', ['export', '--out', join(dir, 'exported'), '--json'], env);
  const exportedBytes = statSync(join(dir, 'exported', 'users.ndjson')).size;
  console.log(
    JSON.stringify({
      benchmark: 'export',
      store: 'sqlite',
      users: USERS,
      import_ms: Math.round(importMs),
      export_ms: Math.round(exportMs),
      export_over_import: Number((exportMs / importMs).toFixed(2)),
      exported_mib: Number((exportedBytes / 1024 / 1024).toFixed(1)),
      node: process.version,
    }),
  );
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
