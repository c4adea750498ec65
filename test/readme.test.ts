// The README's quick start works as written: the curl command and the SDK example create a
// policy on a freshly started `portcullis serve` (run from a directory of its own, as a
// newcomer would, with only the address changed to a free port). The example runs with the
// command its own header gives, and the token example of docs/operations.md with the quick
// start's variables, so the three agree on one set of variable names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from './support/databases.js';
import { startServerProcess } from './support/server-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

function codeBlockAfter(markdown: string, marker: string): string {
  const at = markdown.indexOf(marker);
  assert.ok(at >= 0, `README mentions ${marker}`);
  const match = /```sh\n([\s\S]*?)```/.exec(markdown.slice(at));
  assert.ok(match, `a sh block follows ${marker}`);
  return match[1];
}

test('the README quick start creates a policy with curl and with the SDK', async () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const dir = tempDir('portcullis-readme-');
  const server = await startServerProcess(join(dir.path, 'data'));
  try {
    const address = new URL(server.url).host;
    const curl = codeBlockAfter(readme, 'Create your first reusable policy with `curl`').replaceAll('127.0.0.1:8787', address);
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', curl], { cwd: dir.path });
    const created = JSON.parse(stdout) as { success: boolean; result: { name: string; reusable: boolean } };
    assert.equal(created.success, true);
    assert.equal(created.result.name, 'Engineers with MFA');

    const example = readFileSync(join(ROOT, 'examples/sdk-quickstart.mjs'), 'utf8');
    const command = /^\/\/ {3}(PORTCULLIS_URL=.*)$/m.exec(example);
    assert.ok(command, 'the example says how to run it');
    symlinkSync(join(ROOT, 'examples'), join(dir.path, 'examples'));
    const sdk = await run('bash', ['-euo', 'pipefail', '-c', command[1].replaceAll('127.0.0.1:8787', address)], { cwd: dir.path });
    assert.match(sdk.stdout, /^[0-9a-f-]{36} true$/m);
    assert.ok(readme.includes(example.split('\n').find((l) => l.includes('zeroTrust.access.policies.create'))!.trim()));
    assert.ok(readme.includes(example.split('\n').find((l) => l.includes('new Cloudflare('))!.trim()), 'the README shows the example as it is');

    // The policy tester block: imports the example users with the CLI, then starts a test of the
    // policy made above and reads its progress and the users it lets in.
    symlinkSync(join(ROOT, 'bin'), join(dir.path, 'bin'));
    const tester = codeBlockAfter(readme, 'Then run the policy tester').replaceAll('127.0.0.1:8787', address);
    const exportFirst = curl.split('\n').find((l) => l.startsWith('export PORTCULLIS_URL='))!;
    const testerRun = await run('bash', ['-euo', 'pipefail', '-c', `${exportFirst}\n${tester}\necho; echo "TEST=$TEST"`], { cwd: dir.path });
    const testId = /^TEST=([0-9a-f]+)$/m.exec(testerRun.stdout)?.[1];
    assert.ok(testId, testerRun.stdout);
    let progress: { status: string; total_users: number; users_approved: number } | undefined;
    for (let tries = 0; tries < 100 && progress?.status !== 'complete'; tries++) {
      if (tries > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      const answer = await fetch(`${server.apiUrl}/accounts/${server.accountId}/access/policy-tests/${testId}`, { headers: { authorization: `Bearer ${server.token}` } });
      progress = ((await answer.json()) as { result: typeof progress }).result;
    }
    assert.equal(progress?.status, 'complete');
    assert.equal(progress.total_users, 8, 'the example users were imported');
    assert.ok(progress.users_approved > 0 && progress.users_approved < 8, JSON.stringify(progress));
    // Its last line, the users page, once the test is complete (the block may have asked sooner).
    const usersLine = tester.trim().split('\n').at(-1)!;
    assert.match(usersLine, /users\?status=success/);
    const users = await run('bash', ['-euo', 'pipefail', '-c', `${exportFirst}\nTEST=${testId}\n${usersLine}`], { cwd: dir.path });
    assert.match(users.stdout, /"email":"alice@example\.com"/, 'the users page lists who gets in');

    // docs/operations.md's token example, after the quick start's `export` line.
    const operations = readFileSync(join(ROOT, 'docs/operations.md'), 'utf8');
    const exportLine = curl.split('\n').find((l) => l.startsWith('export PORTCULLIS_URL='));
    assert.ok(exportLine, 'the quick start exports the variables the CLI and the examples read');
    const tokenCurl = codeBlockAfter(operations, 'a token that may read and write the policies of one account');
    const token = await run('bash', ['-euo', 'pipefail', '-c', `${exportLine}\n${tokenCurl}`], { cwd: dir.path });
    const minted = JSON.parse(token.stdout) as { success: boolean; result: { value: string } };
    assert.equal(minted.success, true, token.stdout);
    assert.ok(minted.result.value.length > 20);
  } finally {
    await server.stop();
    dir.remove();
  }
});
