// What a server keeps on disk is its owner's only: the data directory 0700, the database and
// its WAL 0600, the root token 0600; a root-token file others can read, or an empty one, stops
// the start with one line saying what to do. Real `portcullis serve` processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../../test/support/databases.js';
import { startServerProcess } from '../../test/support/server-process.js';

const BIN = fileURLToPath(new URL('../../../bin/portcullis.js', import.meta.url));
const modeOf = (path: string): string => (statSync(path).mode & 0o777).toString(8);

test('a fresh data directory, database and root token are readable by their owner only', async () => {
  const dir = tempDir('portcullis-perms-');
  const data = join(dir.path, 'data');
  const server = await startServerProcess(data);
  try {
    // A write makes sure the WAL exists.
    const res = await fetch(`${server.apiUrl}/accounts/${server.accountId}/access/policies`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'P', decision: 'allow', include: [{ everyone: {} }] }),
    });
    assert.equal(res.status, 201);
    assert.equal(modeOf(data), '700');
    assert.equal(modeOf(join(data, 'root-token')), '600');
    assert.equal(modeOf(join(data, 'portcullis.db')), '600');
    if (existsSync(join(data, 'portcullis.db-wal'))) assert.equal(modeOf(join(data, 'portcullis.db-wal')), '600');
  } finally {
    await server.stop();
    dir.remove();
  }
});

test('a root-token file others can read, an empty one, or a root token shorter than 32 characters is refused at start with one line', () => {
  const dir = tempDir('portcullis-token-');
  try {
    const data = join(dir.path, 'data');
    mkdirSync(data, { mode: 0o700 });
    const token = join(data, 'root-token');
    const serve = () => spawnSync(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', data], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, PORTCULLIS_API_TOKEN: '' } });

    writeFileSync(token, 'a-token-of-forty-characters-0123456789ab\n');
    chmodSync(token, 0o644);
    const wide = serve();
    assert.equal(wide.status, 2, wide.stderr);
    assert.equal(wide.stderr.trim().split('\n').length, 1, wide.stderr);
    assert.match(wide.stderr, /root-token can be read by other users \(mode 0644\): run chmod 600 /);

    writeFileSync(token, '\n');
    chmodSync(token, 0o600);
    const empty = serve();
    assert.equal(empty.status, 2, empty.stderr);
    assert.match(empty.stderr, /root-token is empty: put the root token in it, or delete it/);

    // A guessable root token (it grants everything) is refused, from the file or the environment.
    writeFileSync(token, 'short-token\n');
    const short = serve();
    assert.equal(short.status, 2, short.stderr);
    assert.match(short.stderr, /The root API token in .*root-token has 11 characters: .* at least 32 random ones .* or delete the file/);
    const fromEnv = spawnSync(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', data], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, PORTCULLIS_API_TOKEN: 'x' } });
    assert.equal(fromEnv.status, 2, fromEnv.stderr);
    assert.match(fromEnv.stderr, /The root API token in PORTCULLIS_API_TOKEN has 1 character: .* or unset it/);
  } finally {
    dir.remove();
  }
});

test('an X-Auth-Key shorter than 32 characters is refused at start with one line: it has root rights, and the failed-credentials limit does not slow guessing', () => {
  const dir = tempDir('portcullis-auth-key-');
  try {
    const data = join(dir.path, 'data');
    const serve = (key: string) =>
      spawnSync(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', data], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, PORTCULLIS_AUTH_EMAIL: 'ops@example.com', PORTCULLIS_AUTH_KEY: key } });
    const short = serve('hunter2');
    assert.equal(short.status, 2, short.stderr);
    assert.equal(short.stderr.trim().split('\n').length, 1, short.stderr);
    assert.match(short.stderr, /PORTCULLIS_AUTH_KEY has 7 characters: .* at least 32 random ones/);
    assert.doesNotMatch(short.stderr, /hunter2/, 'the key is not echoed');
  } finally {
    dir.remove();
  }
});

test('an unrecognised --db, and a port in use, stop the start with one line and exit 2', async () => {
  const dir = tempDir('portcullis-db-');
  try {
    for (const db of ['postgres//127.0.0.1/test', 'mysql://127.0.0.1/test', 'data/portcullis']) {
      const run = spawnSync(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', join(dir.path, 'data'), '--db', db], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(run.status, 2, `${db}: ${run.stderr}`);
      assert.match(run.stderr, /is not a database: use sqlite:PATH, a file ending in \.db or \.sqlite, or postgres:\/\//);
      assert.equal(existsSync(join(dir.path, 'postgres')), false, 'no stray SQLite file was made');
    }
    const first = await startServerProcess(join(dir.path, 'one'));
    try {
      const port = new URL(first.url).port;
      const second = spawnSync(process.execPath, [BIN, 'serve', '--port', port, '--data-dir', join(dir.path, 'two')], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(second.status, 2, second.stderr);
      assert.match(second.stderr, /port in use: .* pass --port or PORT/);
    } finally {
      await first.stop();
    }
  } finally {
    dir.remove();
  }
});

test('stored secrets are sealed with a key in its own 0600 file; rotate-key re-seals them while a server serves; a key that does not fit, or a readable key file, stops the start', async () => {
  const dir = tempDir('portcullis-sealed-');
  const data = join(dir.path, 'data');
  const keyFile = join(data, 'secrets.key');
  const stored = () => ['portcullis.db', 'portcullis.db-wal'].map((f) => (existsSync(join(data, f)) ? readFileSync(join(data, f)).toString('latin1') : '')).join('');
  const keys = () => readFileSync(keyFile, 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  try {
    let server = await startServerProcess(data);
    const idps = () => `${server.apiUrl}/accounts/${server.accountId}/access/identity_providers`;
    const call = async (method: string, url: string, body?: unknown) => {
      const res = await fetch(url, { method, headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      return { status: res.status, json: (await res.json()) as any };
    };
    let id: string;
    try {
      assert.equal(modeOf(keyFile), '600');
      assert.equal(keys().length, 1);
      const created = await call('POST', idps(), { name: 'Okta', type: 'okta', config: { client_id: 'c', client_secret: 'idp-secret-1', okta_account: 'https://x.okta.com' } });
      assert.equal(created.status, 201);
      id = created.json.result.id;
      assert.ok(stored().includes('https://x.okta.com'), 'the database holds the provider');
      assert.ok(!stored().includes('idp-secret-1'), 'but not its secret');

      const firstKey = keys()[0];
      const rotation = spawnSync(process.execPath, [BIN, 'secrets', 'rotate-key', '--data-dir', data], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(rotation.status, 0, rotation.stderr);
      assert.match(rotation.stdout, /sealed again under the new key: the secrets of 1 resource\. The old keys are gone/);
      assert.equal(keys().length, 1, 'the old key is retired');
      assert.notEqual(keys()[0], firstKey);
      assert.equal(modeOf(keyFile), '600');

      // A secret the running server seals next, before it has read any value of the new key,
      // is sealed with the new key (the retired one is in no file now: the restart below would
      // refuse a value of it).
      const after = await call('POST', idps(), { name: 'Made after the rotation', type: 'okta', config: { client_id: 'c2', client_secret: 'idp-secret-2', okta_account: 'https://y.okta.com' } });
      assert.equal(after.status, 201);
      // The running server meets a value of a key it did not start with, reads the file again, and carries on.
      const read = await call('GET', `${idps()}/${id}`);
      assert.equal(read.status, 200);
      assert.equal((await call('PUT', `${idps()}/${id}`, { ...read.json.result, name: 'Okta 2' })).status, 200);
    } finally {
      await server.stop();
    }
    server = await startServerProcess(data);
    await server.stop(); // the restart opened every stored secret with the rotated key

    // Pointed at a database that is not the servers' (none there, or one holding no account),
    // the command refuses before it touches the key file, and makes no database.
    const keyText = readFileSync(keyFile, 'utf8');
    const elsewhere = join(dir.path, 'elsewhere');
    const missing = spawnSync(process.execPath, [BIN, 'secrets', 'rotate-key', '--data-dir', elsewhere, '--secrets-key-file', keyFile], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(missing.status, 2, missing.stderr);
    assert.match(missing.stderr, /There is no database at .*elsewhere\/portcullis\.db: point --db \(or --data-dir\) at the database the servers use; the key file was not changed/);
    assert.equal(existsSync(join(elsewhere, 'portcullis.db')), false, 'no database made');
    writeFileSync(join(dir.path, 'empty.db'), '');
    const empty = spawnSync(process.execPath, [BIN, 'secrets', 'rotate-key', '--db', `sqlite:${join(dir.path, 'empty.db')}`, '--secrets-key-file', keyFile], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(empty.status, 2, empty.stderr);
    assert.match(empty.stderr, /is not a portcullis database .*the key file was not changed/);
    assert.equal(readFileSync(keyFile, 'utf8'), keyText, 'the key file is as it was');

    const serve = () => spawnSync(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', data], { encoding: 'utf8', timeout: 20_000 });
    const rotatedKey = readFileSync(keyFile, 'utf8');
    writeFileSync(keyFile, `${Buffer.alloc(32, 7).toString('base64')}\n`);
    const stranger = serve();
    assert.equal(stranger.status, 2, stranger.stderr);
    assert.equal(stranger.stderr.trim().split('\n').length, 1, stranger.stderr);
    assert.match(stranger.stderr, /The secrets key does not fit .*which the secrets key file does not hold/);

    writeFileSync(keyFile, rotatedKey);
    chmodSync(keyFile, 0o640);
    const readable = serve();
    assert.equal(readable.status, 2, readable.stderr);
    assert.match(readable.stderr, /secrets\.key can be read by other users \(mode 0640\)/);
  } finally {
    dir.remove();
  }
});

test('a data directory or database that cannot be made stops the start with one line naming the path and why, exit 2', () => {
  const dir = tempDir('portcullis-unwritable-');
  try {
    const file = join(dir.path, 'a-file');
    writeFileSync(file, 'not a directory');
    const serve = (...args: string[]) => spawnSync(process.execPath, [BIN, 'serve', '--port', '0', ...args], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, PORTCULLIS_API_TOKEN: '' } });
    const data = serve('--data-dir', join(file, 'data'));
    assert.equal(data.status, 2, data.stderr);
    assert.equal(data.stderr.trim().split('\n').length, 1, data.stderr);
    assert.match(data.stderr, /Cannot create the data directory .*a-file\/data: a part of the path is a file, not a directory\. Pass --data-dir/);
    const db = serve('--data-dir', join(dir.path, 'ok'), '--db', `sqlite:${join(file, 'x.db')}`);
    assert.equal(db.status, 2, db.stderr);
    assert.equal(db.stderr.trim().split('\n').length, 1, db.stderr);
    assert.match(db.stderr, /Cannot open the database sqlite:.*a-file\/x\.db: .*\(check that the directory of .* exists and is writable by this user, or pass --db\)/);
  } finally {
    dir.remove();
  }
});

test("a database restored without its data directory's account-id keeps its default account; one of several accounts is not guessed", async () => {
  const dir = tempDir('portcullis-restore-');
  try {
    const original = join(dir.path, 'original');
    const db = `sqlite:${join(dir.path, 'kept.db')}`;
    const first = await startServerProcess(original, {}, ['--db', db]);
    await first.stop();
    // A new data directory (its key copied, as a restore would), the same database.
    const restored = join(dir.path, 'restored');
    mkdirSync(restored, { mode: 0o700 });
    writeFileSync(join(restored, 'secrets.key'), readFileSync(join(original, 'secrets.key')), { mode: 0o600 });
    const again = await startServerProcess(restored, {}, ['--db', db]);
    try {
      assert.equal(again.accountId, first.accountId, 'the database\'s account, kept in the new account-id');
      const accounts = await fetch(`${again.apiUrl}/accounts`, { headers: { authorization: `Bearer ${again.token}` } });
      assert.deepEqual(((await accounts.json()) as { result: { id: string }[] }).result.map((a) => a.id), [first.accountId], 'no second, empty default account');
    } finally {
      await again.stop();
    }
    // Two accounts that were each some server's default (the mistake this guards against, made
    // before), and no account-id: the start stops and says how to choose.
    const twoAccounts = join(dir.path, 'two-accounts');
    for (const id of ['ab', 'cd']) {
      const seeding = await startServerProcess(join(dir.path, 'seed'), { PORTCULLIS_ACCOUNT_ID: id.repeat(16) }, ['--db', `sqlite:${join(dir.path, 'two.db')}`]);
      await seeding.stop();
    }
    const refused = spawnSync(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', twoAccounts, '--db', `sqlite:${join(dir.path, 'two.db')}`, '--secrets-key-file', join(dir.path, 'seed', 'secrets.key')], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(refused.status, 2, refused.stderr);
    assert.match(refused.stderr, /account-id is missing and the database holds 2 accounts .*: put the default account's id in that file, or set PORTCULLIS_ACCOUNT_ID/);
  } finally {
    dir.remove();
  }
});
