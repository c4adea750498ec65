// resolveConfig: values read from flags and the environment, and refused when they make no sense.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, plainHttpAwayFromLoopback, resolveConfig } from './config.js';
import { isPostgresUrl, redactUrl, sqlitePath } from '../store/open.js';

test('reads how many imports run at once, and refuses none or a fraction', () => {
  assert.equal(resolveConfig({}, { PORTCULLIS_IMPORT_CONCURRENCY: '3' }).settings.importConcurrency, 3);
  assert.equal(resolveConfig({}, {}).settings.importConcurrency, undefined, 'unset: the server default applies');
  for (const value of ['0', '-1', '1.5', 'two']) {
    assert.throws(() => resolveConfig({}, { PORTCULLIS_IMPORT_CONCURRENCY: value }), (err: unknown) => err instanceof ConfigError && /PORTCULLIS_IMPORT_CONCURRENCY/.test(err.message), value);
  }
});

test('an empty HOST or PORT (a `HOST=` line in an env file) counts as unset, not as every interface or a random port', () => {
  const config = resolveConfig({}, { HOST: '', PORT: '' });
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.port, 8787);
  assert.equal(resolveConfig({}, { HOST: '0.0.0.0', PORT: '9000' }).host, '0.0.0.0', 'a value given is kept');
});

test("a database URL's scheme in any case is read as the same scheme, and its password is never printed", () => {
  const url = 'POSTGRES://admin:hunter2@db.internal:5432/portcullis';
  const db = resolveConfig({ db: url }, {}).db;
  assert.equal(db, 'postgres://admin:hunter2@db.internal:5432/portcullis');
  assert.equal(isPostgresUrl(db), true);
  assert.equal(isPostgresUrl(url), true, 'not taken for a SQLite file name either way');
  assert.equal(redactUrl(url).includes('hunter2'), false);
  assert.equal(resolveConfig({}, { PORTCULLIS_DB: 'SQLite:/tmp/x.db' }).db, 'sqlite:/tmp/x.db');
  assert.equal(sqlitePath('SQLITE:/tmp/x.db'), '/tmp/x.db');
  assert.equal(redactUrl('mysql://u:secret@h/db').includes('secret'), false, 'any scheme://user:password@ form');
  assert.equal(redactUrl('postgres://u@h/db?password=hunter2&sslmode=require'), 'postgres://u@h/db?password=***&sslmode=require', 'and a password given as a parameter');
});

test('an on/off switch takes on or off (any case) and refuses anything else; a log level must be one pino knows', () => {
  assert.equal(resolveConfig({}, {}).externalEvaluation, true);
  assert.equal(resolveConfig({}, { PORTCULLIS_EXTERNAL_EVALUATION: 'OFF' }).externalEvaluation, false);
  for (const value of ['false', '0', 'no', 'disabled']) {
    assert.throws(() => resolveConfig({}, { PORTCULLIS_EXTERNAL_EVALUATION: value }), (err: unknown) => err instanceof ConfigError && /PORTCULLIS_EXTERNAL_EVALUATION must be on or off/.test(err.message), value);
  }
  assert.throws(() => resolveConfig({}, { PORTCULLIS_OPEN_ACCOUNTS: 'true' }), (err: unknown) => err instanceof ConfigError && /PORTCULLIS_OPEN_ACCOUNTS must be on or off/.test(err.message));
  assert.equal(resolveConfig({}, { PORTCULLIS_RATE_LIMIT_ROOT: 'ON' }).settings.rateLimitRoot, true);
  assert.throws(() => resolveConfig({}, { PORTCULLIS_LOG_LEVEL: 'verbose' }), (err: unknown) => err instanceof ConfigError && /PORTCULLIS_LOG_LEVEL must be one of/.test(err.message));
  assert.equal(resolveConfig({}, { PORTCULLIS_LOG_LEVEL: 'WARN' }).logLevel, 'warn');
  assert.equal(resolveConfig({}, { PORTCULLIS_DATA_DIR: '' }).dataDir, resolveConfig({}, {}).dataDir, 'an empty data directory counts as unset');
});

test('a plain-http auth domain is flagged only where other machines reach it (the start then warns)', () => {
  for (const away of ['http://access.example.com', 'http://0.0.0.0:8787', 'http://10.0.0.5:8787', 'http://[2001:db8::1]:8787', 'http://128.0.0.1']) {
    assert.equal(plainHttpAwayFromLoopback(away), true, away);
  }
  for (const fine of ['https://access.example.com', 'http://127.0.0.1:8787', 'http://127.5.6.7', 'http://localhost:8787', 'http://app.localhost', 'http://[::1]:8787']) {
    assert.equal(plainHttpAwayFromLoopback(fine), false, fine);
  }
});

test('an auth domain with a path, query or fragment is refused at start, as the organizations API refuses it, rather than cut to its origin', () => {
  // Sign-in pages are served at the root of the auth domain's host only; a path would be dropped
  // silently and users sent somewhere else than the URL the operator gave.
  for (const value of ['https://example.com/access', 'http://127.0.0.1:8787/portcullis/', 'https://access.example.com?x=1', 'https://access.example.com#top']) {
    assert.throws(() => resolveConfig({ authDomain: value }, {}), (err: unknown) => err instanceof ConfigError && /without a path/.test(err.message), value);
    assert.throws(() => resolveConfig({}, { PORTCULLIS_AUTH_DOMAIN: value }), (err: unknown) => err instanceof ConfigError && /without a path/.test(err.message), value);
  }
  assert.equal(resolveConfig({ authDomain: 'https://access.example.com/' }, {}).authDomain, 'https://access.example.com', 'a trailing slash is no path');
  assert.equal(resolveConfig({ authDomain: 'http://127.0.0.1:8787' }, {}).authDomain, 'http://127.0.0.1:8787');
});

test("the applications' port (--app-port, PORTCULLIS_APP_PORT) is a port from 1 to 65535, the flag winning, and unset by default", () => {
  assert.equal(resolveConfig({}, {}).appPort, undefined);
  assert.equal(resolveConfig({}, { PORTCULLIS_APP_PORT: '' }).appPort, undefined);
  assert.equal(resolveConfig({}, { PORTCULLIS_APP_PORT: '8080' }).appPort, 8080);
  assert.equal(resolveConfig({ appPort: '8443' }, { PORTCULLIS_APP_PORT: '8080' }).appPort, 8443);
  for (const value of ['0', '65536', '80a', '-1', '1.5']) {
    assert.throws(() => resolveConfig({ appPort: value }, {}), (err: unknown) => err instanceof ConfigError && /--app-port \/ PORTCULLIS_APP_PORT/.test(err.message), value);
  }
});
