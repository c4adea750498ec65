// Colour only on a terminal: NO_COLOR turns it off, FORCE_COLOR on (for pipes, as here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXAMPLE_CATALOG, example, portcullis } from '../../test/support/cli-harness.js';
import { StepProgress } from './terminal.js';

const RUN = ['test', '--policies', example('policies.json'), ...EXAMPLE_CATALOG, '--users', example('users.ndjson'), '--explain', 'bob@example.com'];
const ANSI = /\u001b\[\d+m/;

test('no colour on a pipe; FORCE_COLOR colours status words and marks; NO_COLOR wins', () => {
  const plain = portcullis(RUN, { NO_COLOR: '' });
  assert.equal(plain.status, 0, plain.stderr);
  assert.doesNotMatch(plain.stdout, ANSI);

  const forced = portcullis(RUN, { NO_COLOR: '', FORCE_COLOR: '1' });
  assert.match(forced.stdout, /\u001b\[32mapproved\u001b\[39m/);
  assert.match(forced.stdout, /\u001b\[31m✘\u001b\[39m auth_method: Login used pwd, not "mfa"\./);
  assert.equal(forced.stdout.replace(/\u001b\[\d+m/g, ''), plain.stdout, 'colour changes nothing else');

  const both = portcullis(RUN, { NO_COLOR: '1', FORCE_COLOR: '1' });
  assert.equal(both.stdout, plain.stdout);
  assert.equal(both.stderr, '', 'no progress bar or anything else on a pipe');
});

test('--json is never coloured', () => {
  const r = portcullis([...RUN, '--json'], { NO_COLOR: '', FORCE_COLOR: '1' });
  assert.doesNotMatch(r.stdout, ANSI);
  JSON.parse(r.stdout);
});

/** A stream that says it is a terminal and keeps what is written to it. */
function fakeTerminal(isTTY: boolean): NodeJS.WriteStream & { text: () => string } {
  const chunks: string[] = [];
  const stream = {
    isTTY,
    columns: 100,
    write: (s: string) => (chunks.push(String(s)), true),
    cursorTo: () => true,
    moveCursor: () => true,
    clearLine: () => true,
    clearScreenDown: () => true,
    on: () => stream,
    removeListener: () => stream,
    text: () => chunks.join(''),
  };
  return stream as unknown as NodeJS.WriteStream & { text: () => string };
}

test('transfer progress: one bar per step on a terminal, nothing on a pipe', () => {
  const terminal = fakeTerminal(true);
  const progress = new StepProgress(terminal, 0);
  progress.update('Policies', 2, 4);
  progress.update('Users', 3, 10);
  progress.update('Users', 10, undefined);
  progress.stop();
  assert.match(terminal.text(), /Policies\s+\[.*\] 2\/4/);
  assert.match(terminal.text(), /Users\s+\[.*\] 10\/10/);

  const pipe = fakeTerminal(false);
  const quiet = new StepProgress(pipe, 0);
  quiet.update('Users', 3, 10);
  quiet.stop();
  assert.equal(pipe.text(), '');
});
