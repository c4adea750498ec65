// docs/cli.md stays true: its example commands run against examples/ with the exit codes it
// states (those that talk to a server, against a server started for them), and it documents
// every command and every input problem code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../test/support/databases.js';
import { startServerProcess, type ServerProcess } from '../../test/support/server-process.js';
import { SYNC_SOURCE, SYNC_TARGET, TARGET } from './endpoint-options.js';
import { INPUT_PROBLEM_CODES } from '../transfer/problems.js';
import { portcullis, ROOT, STACK_TRACE } from '../../test/support/cli-harness.js';

const SERVER_COMMANDS = new Set(['import', 'export', 'sync']);
const COMMANDS = ['test', 'diff', 'lint', 'check', 'import', 'export', 'sync'];

/** What the documented server examples assume: PORTCULLIS_URL etc., and a second account to sync to. */
function serverEnv(server: ServerProcess): NodeJS.ProcessEnv {
  const other = randomBytes(16).toString('hex');
  return {
    PORTCULLIS_URL: server.apiUrl,
    PORTCULLIS_TOKEN: server.token,
    PORTCULLIS_ACCOUNT: server.accountId,
    PORTCULLIS_FROM_URL: server.apiUrl,
    PORTCULLIS_FROM_TOKEN: server.token,
    PORTCULLIS_FROM_ACCOUNT: server.accountId,
    PORTCULLIS_TO_URL: server.apiUrl,
    PORTCULLIS_TO_TOKEN: server.token,
    PORTCULLIS_TO_ACCOUNT: other,
  };
}

const DOC = readFileSync(join(ROOT, 'docs/cli.md'), 'utf8');

/** `portcullis ...` lines of ```sh blocks, with the exit code a trailing `# exits N` states (default 0). */
function exampleCommands(): { line: string; args: string[]; exit: number }[] {
  const out: { line: string; args: string[]; exit: number }[] = [];
  for (const block of DOC.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const raw of block[1].split('\n')) {
      const line = raw.trim();
      if (!line.startsWith('portcullis ')) continue;
      const exits = /#\s*exits (\d+)\s*$/.exec(line);
      const command = line.replace(/#.*$/, '').trim();
      // Split as a shell would for these lines: on spaces, except inside double quotes ("Status page").
      const args = (command.match(/"[^"]*"|\S+/g) ?? []).map((a) => (a.startsWith('"') ? a.slice(1, -1) : a));
      out.push({ line, args: args.slice(1), exit: exits === null ? 0 : Number(exits[1]) });
    }
  }
  return out;
}

test('every example command of docs/cli.md runs with the exit code it states', async () => {
  const commands = exampleCommands();
  assert.ok(commands.length >= 8, `found only ${commands.length} example commands`);
  const dir = tempDir('portcullis-docs-');
  let server: ServerProcess | undefined;
  let env: NodeJS.ProcessEnv = {};
  try {
    for (const { line, args, exit } of commands) {
      assert.ok(!args.some((a) => a.includes('...') || a === '|'), `examples must be runnable as written: ${line}`);
      if (SERVER_COMMANDS.has(args[0]) && server === undefined) {
        server = await startServerProcess(join(dir.path, 'data'));
        env = serverEnv(server);
      }
      const r = portcullis(args, SERVER_COMMANDS.has(args[0]) ? env : {});
      assert.equal(r.status, exit, `${line}\n${r.stdout}\n${r.stderr}`);
      assert.doesNotMatch(r.stderr, STACK_TRACE);
    }
  } finally {
    await server?.stop();
    dir.remove();
  }
  const used = new Set(commands.map((c) => c.args[0]));
  for (const command of COMMANDS) assert.ok(used.has(command), `no example of ${command}`);
});

test('docs/cli.md documents every command and every input problem code', () => {
  for (const command of COMMANDS) assert.match(DOC, new RegExp(`^## \`portcullis ${command}\`$`, 'm'));
  for (const code of Object.keys(INPUT_PROBLEM_CODES)) assert.match(DOC, new RegExp(`^\\| \`${code}\` \\|`, 'm'), `${code} is not in docs/cli.md`);
  for (const exit of ['0', '1', '2', '3']) assert.match(DOC, new RegExp(`^\\| \`${exit}\` \\|`, 'm'));
});

test('docs/cli.md documents every option and environment variable that names a server', () => {
  for (const endpoint of [TARGET, SYNC_SOURCE, SYNC_TARGET]) {
    for (const name of Object.values(endpoint.env)) assert.ok(DOC.includes(`\`${name}\``), `docs/cli.md misses ${name}`);
    for (const option of [endpoint.url, endpoint.token, endpoint.account]) assert.ok(DOC.includes(`--${option} `), `docs/cli.md misses --${option}`);
  }
});
