// `portcullis serve --demo` (and `npm start -- --demo`): a new server comes up populated with
// the examples, prints a curl that starts a policy test, and never loads them over existing data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from '../../../test/support/databases.js';
import { startServerProcess } from '../../../test/support/server-process.js';
import Cloudflare from 'cloudflare';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const LOADED = /then follow it with: .+\n/;

/** The printed curl command that starts a policy test (its three lines, joined as the shell would). */
function startTestCommand(output: string): string {
  const lines = output.split('\n');
  const at = lines.findIndex((l) => l.includes('Start a policy test'));
  assert.ok(at >= 0, output);
  return lines.slice(at + 1, at + 4).map((l) => l.trim()).join('\n');
}

test('serve --demo loads the examples and an application, prints a curl that starts a policy test, and loads nothing twice', async () => {
  const dir = tempDir('portcullis-demo-');
  const dataDir = join(dir.path, 'data');
  let server = await startServerProcess(dataDir, {}, ['--demo']);
  try {
    const output = await server.waitForOutput(LOADED);
    assert.match(output, /demo: {6}loaded examples\/ into account [0-9a-f]{32}: 3 identity providers, 2 Gateway lists, 3 Access groups, 4 policies, 8 users with identities, and the application "Status page" using the policies/);

    const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', startTestCommand(output)], { cwd: ROOT });
    const started = JSON.parse(stdout) as { success: boolean; result: { id: string } };
    assert.equal(started.success, true, stdout);
    const cf = new Cloudflare({ apiToken: server.token, baseURL: server.apiUrl, maxRetries: 0 });
    const account_id = server.accountId;
    let progress = await cf.zeroTrust.access.applications.policyTests.get(started.result.id, { account_id });
    while (progress.status === 'processing') {
      await new Promise((resolve) => setTimeout(resolve, 20));
      progress = await cf.zeroTrust.access.applications.policyTests.get(started.result.id, { account_id });
    }
    assert.deepEqual([progress.status, progress.total_users, progress.users_approved, progress.users_blocked], ['complete', 8, 3, 5], 'as `portcullis demo` decides them offline');

    const apps = [];
    for await (const app of cf.zeroTrust.access.applications.list({ account_id })) apps.push(app as unknown as { name: string; policies: { name: string; precedence: number }[] });
    assert.deepEqual(apps.map((a) => a.name), ['Status page']);
    assert.deepEqual(apps[0].policies.map((p) => p.name), ['Office network bypass for the status page', 'Block high-risk users', 'Employees with MFA', 'Contractors from approved countries']);

    await server.stop();
    server = await startServerProcess(dataDir, {}, ['--demo']);
    assert.match(await server.waitForOutput(/demo: .+\n/), /demo: {6}account [0-9a-f]{32} already holds the examples \(loaded by an earlier --demo\): nothing was loaded again/);
    let policies = 0;
    for await (const _ of cf.withOptions({ baseURL: server.apiUrl }).zeroTrust.access.policies.list({ account_id })) policies++;
    assert.equal(policies, 4);
  } finally {
    await server.stop();
    dir.remove();
  }
});

test("serve --demo on the quick start's data says how to see the examples, and --demo --account NEW loads them beside that data", async () => {
  const dir = tempDir('portcullis-demo-');
  const dataDir = join(dir.path, 'data');
  let server = await startServerProcess(dataDir);
  try {
    // The README's quick start: one policy in the default account.
    const cf = new Cloudflare({ apiToken: server.token, baseURL: server.apiUrl, maxRetries: 0 });
    const account_id = server.accountId;
    await cf.zeroTrust.access.policies.create({ account_id, name: 'Engineers with MFA', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] });
    await server.stop();

    server = await startServerProcess(dataDir, {}, ['--demo']);
    const output = await server.waitForOutput(/--demo --account [0-9a-f]{32}.*\n/);
    const said = output.slice(output.indexOf('  demo:'));
    assert.match(said, new RegExp(`^  demo: {6}not loaded: account ${account_id} already holds 1 policy, and the demo loads only into an empty account\n`));
    // Each suggestion repeats how this server was started (the harness gives --port 0 and --data-dir).
    assert.match(said, /To see the examples, start on a fresh data directory: +npm start -- --demo --data-dir \.\/data-demo --port 0\n/);
    assert.doesNotMatch(said, /were not loaded again/);
    const suggested = /npm start -- --demo --account ([0-9a-f]{32}) --port 0 --data-dir (\S+)\n/.exec(said)!;
    assert.equal(suggested[2], dataDir, 'the same data directory');
    const fresh = suggested[1];
    await server.stop();

    server = await startServerProcess(dataDir, {}, ['--demo', '--account', fresh]);
    const loaded = await server.waitForOutput(LOADED);
    assert.match(loaded, new RegExp(`demo: {6}loaded examples/ into account ${fresh}: 3 identity providers, 2 Gateway lists, 3 Access groups, 4 policies, 8 users`));
    assert.match(loaded, new RegExp(`dashboard: http://127\\.0\\.0\\.1:\\d+/\\?account=${fresh}\n`));
    assert.match(loaded, new RegExp(`sign-in: +to sign in to the example application, give account ${fresh} an auth domain of its own`), 'and how its sign-ins can work');
    const named = async (account: string) => {
      const names: string[] = [];
      for await (const p of cf.withOptions({ baseURL: server.apiUrl }).zeroTrust.access.policies.list({ account_id: account })) names.push(p.name!);
      return names.sort();
    };
    assert.deepEqual(await named(account_id), ['Engineers with MFA'], 'the default account keeps its own data only');
    assert.equal((await named(fresh)).length, 4);
  } finally {
    await server.stop();
    dir.remove();
  }
});

test('npm start -- --demo passes the flag to portcullis serve', async () => {
  const dir = tempDir('portcullis-npm-start-');
  // --ignore-scripts skips the prestart build (the test runs on the build already made).
  const child = spawn('npm', ['start', '--ignore-scripts', '--', '--demo', '--port', '0', '--data-dir', join(dir.path, 'data')], {
    cwd: ROOT,
    env: { ...process.env, PORTCULLIS_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'ignore'],
    detached: true,
  });
  try {
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no demo output within 60 s: ${out}`)), 60_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (LOADED.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`npm start exited with ${code}: ${out}`)));
    });
    assert.match(out, /node bin\/portcullis\.js serve --demo --port 0/);
    assert.match(out, /demo: {6}loaded examples\//);
  } finally {
    // npm runs the server in a shell of its own: stop the whole process group it leads.
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
    await exited;
    dir.remove();
  }
});
