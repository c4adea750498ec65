// Where the CLI's API is: the URL, token and account from options or the environment, refused
// when they cannot name an API (and, for a URL carrying a password, without repeating it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from './command-kit.js';
import { resolveEndpoint, TARGET } from './endpoint-options.js';

const env = { PORTCULLIS_TOKEN: 't', PORTCULLIS_ACCOUNT: '0123456789abcdef0123456789abcdef' };

test('a URL without a path gets /client/v4; one with a path is kept', () => {
  assert.equal(resolveEndpoint({}, TARGET, { ...env, PORTCULLIS_URL: 'http://127.0.0.1:8787' }).url, 'http://127.0.0.1:8787/client/v4');
  assert.equal(resolveEndpoint({ url: 'https://api.example.com/client/v4/' }, TARGET, env).url, 'https://api.example.com/client/v4');
});

test('a URL holding a user name or password is refused, and the message does not repeat it', () => {
  for (const url of ['http://admin:hunter2@127.0.0.1:8787/client/v4', 'https://admin@api.example.com/client/v4']) {
    assert.throws(
      () => resolveEndpoint({}, TARGET, { ...env, PORTCULLIS_URL: url }),
      (err: unknown) => err instanceof UsageError && /holds a user name or password/.test(err.message) && !err.message.includes('hunter2') && !err.message.includes('admin'),
    );
  }
});

test('a missing value or a URL of another scheme is refused, naming what to give', () => {
  assert.throws(() => resolveEndpoint({}, TARGET, env), (err: unknown) => err instanceof UsageError && /--url \(or PORTCULLIS_URL\) is missing/.test(err.message));
  assert.throws(() => resolveEndpoint({ url: 'ftp://x/' }, TARGET, env), (err: unknown) => err instanceof UsageError && /must be an http:\/\/ or https:\/\/ URL/.test(err.message));
});
