// `portcullis export` stopped part-way, as Ctrl-C or a crash stops it: the real CLI exports a
// server with 15,000 users through a proxy that holds back the second page of users, so the
// export is always stopped with 10,000 users written to its temporary file; then it is killed
// (SIGKILL: no clean-up at all) or interrupted (SIGINT). Nothing the export directory holds
// afterwards may pass for the interrupted export: `portcullis test` finds no users file in a new
// directory (nor its hidden temporary file), and the previous, complete export in a directory
// that held one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../../../test/support/server.js';
import { BIN, jsonOf, ndjson, portcullisAsync, ROOT, tempFiles } from '../../../test/support/cli-harness.js';
import { serverEnv } from '../../../test/support/transfer-harness.js';

const USERS = 15_000;

/** A proxy to `upstream` that answers everything except a request for a later page of users with identities, which it holds. */
async function holdingProxy(upstream: string): Promise<{ url: string; held: () => number; close: () => Promise<void> }> {
  const held: ServerResponse[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url!.includes('/access/users/identities') && req.url!.includes('cursor=')) {
        held.push(res);
        return;
      }
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => name !== 'host' && name !== 'content-length')) as Record<string, string>;
      fetch(upstream + req.url, { method: req.method, headers, ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}) }).then(
        async (answer) => {
          const body = Buffer.from(await answer.arrayBuffer());
          const kept: Record<string, string> = {};
          answer.headers.forEach((value, name) => {
            if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(name)) kept[name] = value;
          });
          res.writeHead(answer.status, kept);
          res.end(body);
        },
        () => res.destroy(),
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    held: () => held.length,
    close: async () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Wait until `ready` holds (checking every 20 ms), failing after 60 s with `what`. */
async function waitFor(ready: () => boolean, what: string): Promise<void> {
  const until = Date.now() + 60_000;
  while (!ready()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The export's temporary folder in `dir` and its users file, once it holds the first page of users. */
function stagedUsers(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const staging = readdirSync(dir).find((name) => name.startsWith('.export-'));
  const users = staging === undefined ? undefined : join(dir, staging, 'users.ndjson');
  return users !== undefined && existsSync(users) && statSync(users).size > 0 ? users : undefined;
}

describe('an interrupted export', () => {
  let server: TestServer;
  let proxy: Awaited<ReturnType<typeof holdingProxy>>;
  before(async () => {
    server = await startTestServer();
    const users = Array.from({ length: USERS }, (_, i) => ({ email: `user${i}@example.com`, identity: { groups: [{ name: `team-${i % 20}` }], amr: ['pwd', 'mfa'] } }));
    const files = tempFiles({ 'users.ndjson': ndjson(users) });
    try {
      const imported = await portcullisAsync(['import', '--users', files.path('users.ndjson')], serverEnv(server));
      assert.equal(imported.status, 0, imported.stderr);
    } finally {
      files.cleanup();
    }
    proxy = await holdingProxy(server.baseUrl);
  });
  after(async () => {
    await proxy.close();
    await server.close();
  });

  /** Start an export to `dir` through the proxy; resolves once 10,000 users are in its temporary file and the next page is held. */
  async function exportHeldBack(dir: string): Promise<{ child: ChildProcess; stderr: () => string; exited: Promise<{ code: number | null; signal: string | null }> }> {
    const heldBefore = proxy.held();
    const env = { ...process.env, ...serverEnv({ apiUrl: `${proxy.url}/client/v4`, rootToken: server.rootToken, accountId: server.accountId }) };
    const child = spawn(process.execPath, [BIN, 'export', '--out', dir], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    await waitFor(() => proxy.held() > heldBefore, 'the export to ask for the second page of users');
    await waitFor(() => {
      const users = stagedUsers(dir);
      return users !== undefined && readFileSync(users, 'utf8').split('\n').length >= 10_000;
    }, 'the first page of users in the temporary file');
    return { child, stderr: () => stderr, exited };
  }

  const testArgs = (dir: string) => ['test', '--policies', join(dir, 'policies.json'), '--groups', join(dir, 'groups.json'), '--lists', join(dir, 'lists.json'), '--users', join(dir, 'users.ndjson'), '--json'];

  test('killed (SIGKILL) into a new directory: no file of the export appears, so `portcullis test` has nothing to read', async () => {
    const files = tempFiles({});
    try {
      const dir = files.path('snapshot');
      const run = await exportHeldBack(dir);
      run.child.kill('SIGKILL');
      assert.deepEqual(await run.exited, { code: null, signal: 'SIGKILL' });
      assert.deepEqual(readdirSync(dir).filter((name) => !name.startsWith('.')), [], 'only the hidden temporary folder is left');
      const tested = await portcullisAsync(testArgs(dir));
      assert.equal(tested.status, 2);
      assert.match(tested.stderr, /policies\.json: No such file\. \[file_not_found\]/);
      assert.match(tested.stderr, /users\.ndjson: No such file\. \[file_not_found\]/);
      // The temporary users file, named by its hidden path, is refused too.
      const staged = stagedUsers(dir)!;
      writeFileSync(files.path('policies.json'), '[]');
      const partial = await portcullisAsync(['test', '--policies', files.path('policies.json'), '--users', staged]);
      assert.equal(partial.status, 2);
      assert.match(partial.stderr, /^.+users\.ndjson: Part of an export started at .+ that did not finish \(this is its temporary folder\): incomplete\. Export again\. \[export_mismatch\]\n$/);
    } finally {
      files.cleanup();
    }
  });

  test('interrupted (SIGINT, as Ctrl-C) over a complete export: the temporary files go, the earlier export stays whole and is still accepted', async () => {
    const files = tempFiles({});
    try {
      const dir = files.path('snapshot');
      // A complete export first (straight to the server), to be overwritten.
      const complete = await portcullisAsync(['export', '--out', dir], serverEnv(server));
      assert.equal(complete.status, 0, complete.stderr);
      const manifest = readFileSync(join(dir, 'manifest.json'), 'utf8');
      const run = await exportHeldBack(dir);
      run.child.kill('SIGINT');
      assert.deepEqual(await run.exited, { code: 130, signal: null });
      assert.equal(run.stderr().trim().split('\n').pop(), 'portcullis: SIGINT: the export stopped; nothing was written.');
      assert.deepEqual(readdirSync(dir).sort(), ['apps.json', 'groups.json', 'idps.json', 'lists.json', 'manifest.json', 'policies.json', 'users.ndjson'], 'no temporary file is left');
      assert.equal(readFileSync(join(dir, 'manifest.json'), 'utf8'), manifest, 'the earlier export is untouched');
      const tested = await portcullisAsync(testArgs(dir));
      assert.equal(tested.status, 0, tested.stderr);
      assert.equal(jsonOf<{ total_users: number }>(tested).total_users, USERS, 'the earlier, complete export');

      // And killed over it: the earlier export is still whole (its manifest still matches every file).
      const killed = await exportHeldBack(dir);
      killed.child.kill('SIGKILL');
      await killed.exited;
      const again = await portcullisAsync(testArgs(dir));
      assert.equal(again.status, 0, again.stderr);
      assert.equal(jsonOf<{ total_users: number }>(again).total_users, USERS);
    } finally {
      files.cleanup();
    }
  });
});
