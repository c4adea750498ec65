// `portcullis serve` as `npm start` runs it, at the default log level: the start banner is for a
// person, with no JSON log line in it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tempDir } from '../../../test/support/databases.js';
import { startServerProcess } from '../../../test/support/server-process.js';

test('the start banner (with the demo loaded) holds no JSON log line at the default log level', async () => {
  const dir = tempDir('portcullis-banner-');
  const server = await startServerProcess(join(dir.path, 'data'), { PORTCULLIS_LOG_LEVEL: 'info' }, ['--demo']);
  try {
    const output = await server.waitForOutput(/then follow it with: .+\n/);
    const lines = output.trimEnd().split('\n');
    assert.match(lines[0], /^portcullis listening on http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(lines.some((l) => l.startsWith('  root API token')) && lines.some((l) => l.startsWith('  demo:')), output);
    assert.deepEqual(lines.filter((l) => l.trimStart().startsWith('{')), [], 'no JSON line between the banner lines');
  } finally {
    await server.stop();
    dir.remove();
  }
});
