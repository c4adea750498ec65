// `portcullis secrets rotate-key`: a new current key for the secrets stored sealed. In three
// steps, each safe to stop after: (1) the key file gets the new key first with the old ones
// kept after it, so that running servers, which read the file again when they meet a key they
// lack, open values of either key; (2) every stored secret is sealed again under the new key;
// (3) the old keys leave the file. A failure in (2) leaves both keys in the file. Running
// servers that read the same file seal with whatever key it holds first (one stat before each
// seal, server/secrets.ts), and a seal happens inside its account's transaction, which (2)'s walk
// of that account waits for: nothing is sealed with an old key after the walk has passed.

import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fchmodSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { isPostgresUrl, openDriver, openStore, redactUrl, sqlitePath } from '../store/open.js';
import { SecretKeyError, SecretKeyRing } from '../store/secret-box.js';
import type { ResealReport } from '../store/store.js';
import { ConfigError, type ServerConfig } from './config.js';
import { secretsKeyRing } from './secrets.js';

/**
 * Replace the key file in one step (a crash leaves the old file or the new one, never half), on
 * disk before the database is told anything sealed with the new key: the file and its folder are
 * synced (after a power cut a rename not yet on disk would leave the old file beside values
 * sealed with a key it lacks). The temporary file is new ('wx'): nothing planted there is followed.
 */
function writeKeyFile(file: string, ring: SecretKeyRing): void {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, `# portcullis secrets key (the current key first): keep it apart from the database and back it up.\n${ring.toText()}`);
    fchmodSync(fd, 0o600);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
  const folder = openSync(dirname(file), 'r');
  try {
    fsyncSync(folder);
  } finally {
    closeSync(folder);
  }
}

export interface RotationReport extends ResealReport {
  readonly keyFile: string;
  readonly newKeyId: string;
  readonly retiredKeyIds: readonly string[];
}

/**
 * Refuse a database that holds no account: opening a path or URL that names the wrong place
 * would make an empty database, "seal again" nothing, and drop the only key the real one needs.
 */
async function checkServersDatabase(url: string, options: Pick<ServerConfig, 'sqliteSynchronous'>): Promise<void> {
  const fix = 'point --db (or --data-dir) at the database the servers use; the key file was not changed';
  if (!isPostgresUrl(url) && !existsSync(sqlitePath(url))) throw new ConfigError(`There is no database at ${sqlitePath(url)}: ${fix}.`);
  let accounts: unknown[];
  const driver = openDriver(url, { sqliteSynchronous: options.sqliteSynchronous });
  try {
    accounts = await driver.reader.all('SELECT id FROM accounts LIMIT 1');
  } catch (err) {
    throw new ConfigError(`${redactUrl(url)} is not a portcullis database (${(err as Error).message}): ${fix}.`);
  } finally {
    await driver.close().catch(() => undefined);
  }
  if (accounts.length === 0) throw new ConfigError(`${redactUrl(url)} holds no account: ${fix}.`);
}

export async function rotateSecretsKey(config: ServerConfig, print: (line: string) => void): Promise<RotationReport> {
  if (config.secretsKey !== undefined) {
    throw new ConfigError('The keys come from PORTCULLIS_SECRETS_KEY, which this command cannot rewrite: set it to a new key followed by the old one (comma-separated), start the server (it seals everything again under the new key), then drop the old key.');
  }
  const file = config.secretsKeyFile;
  if (!existsSync(file)) throw new ConfigError(`There is no key file at ${file} (a server makes one on first start): nothing to rotate.`);
  await checkServersDatabase(config.db, config);
  const before = secretsKeyRing(file, undefined).ring;
  const during = before.rotated();
  writeKeyFile(file, during);
  print(`new key ${during.current.id} written first in ${file}; the old ${before.keys.map((k) => k.id).join(', ')} kept until every secret is sealed again`);
  let report: ResealReport;
  try {
    const store = await openStore(config.db, { secrets: { ring: during }, sqliteSynchronous: config.sqliteSynchronous });
    try {
      report = await store.resealSecrets();
    } finally {
      await store.close();
    }
  } catch (err) {
    const why = err instanceof SecretKeyError ? err.message : `cannot reach ${redactUrl(config.db)}: ${(err as Error).message}`;
    throw new ConfigError(`Rotation stopped: ${why}. ${file} still holds the new and the old keys, so nothing is lost; run the command again once this is fixed.`);
  }
  writeKeyFile(file, new SecretKeyRing([during.current]));
  const others = report.checked - report.resealed;
  const unchanged = others === 0 ? '' : `; ${others} other${others === 1 ? '' : 's'} of a kind that can hold secrets hold${others === 1 ? 's' : ''} none`;
  print(`sealed again under the new key: the secrets of ${report.resealed} resource${report.resealed === 1 ? '' : 's'}${unchanged}. The old keys are gone from ${file}`);
  return { ...report, keyFile: file, newKeyId: during.current.id, retiredKeyIds: before.keys.map((k) => k.id) };
}
