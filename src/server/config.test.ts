// resolveConfig: the import limits read from the environment, and refused when they make no sense.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, resolveConfig } from './config.js';

test('reads how many imports run at once, and refuses none or a fraction', () => {
  assert.equal(resolveConfig({}, { PORTCULLIS_IMPORT_CONCURRENCY: '3' }).settings.importConcurrency, 3);
  assert.equal(resolveConfig({}, {}).settings.importConcurrency, undefined, 'unset: the server default applies');
  for (const value of ['0', '-1', '1.5', 'two']) {
    assert.throws(() => resolveConfig({}, { PORTCULLIS_IMPORT_CONCURRENCY: value }), (err: unknown) => err instanceof ConfigError && /PORTCULLIS_IMPORT_CONCURRENCY/.test(err.message), value);
  }
});
