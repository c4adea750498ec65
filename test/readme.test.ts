// The README's quick start works as written: the curl command and the SDK example create a
// policy on a freshly started `portcullis serve` (run from a directory of its own, as a
// newcomer would, with only the address changed to a free port).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

    const sdk = await run(process.execPath, [join(ROOT, 'examples/sdk-quickstart.mjs')], {
      cwd: ROOT,
      env: { ...process.env, TOKEN: server.token, ACCOUNT: server.accountId, PORTCULLIS_URL: server.url },
    });
    assert.match(sdk.stdout, /^[0-9a-f-]{36} true$/m);
    assert.ok(readme.includes(readFileSync(join(ROOT, 'examples/sdk-quickstart.mjs'), 'utf8').split('\n').find((l) => l.includes('zeroTrust.access.policies.create'))!.trim()));
  } finally {
    await server.stop();
    dir.remove();
  }
});
