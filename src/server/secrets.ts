// The root API token and the default account id: chosen through the environment, or generated
// on first start and kept in the data directory (readable by its owner only) so that restarts
// and other processes on the same machine find them.

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { newTokenSecret } from '../api/auth/authenticate.js';
import { newSecretKeyText, SecretKeyError, SecretKeyRing } from '../store/secret-box.js';
import type { KeyRingSource } from '../store/secret-sealer.js';
import { ConfigError } from './config.js';

/** A file-system failure as one line: the path, and why in words (not a stack trace). */
export function fileProblem(what: string, path: string, err: unknown): ConfigError {
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === 'EACCES' || code === 'EPERM'
      ? 'permission denied (is it writable by this user?)'
      : code === 'ENOTDIR'
        ? 'a part of the path is a file, not a directory'
        : code === 'EROFS'
          ? 'the file system is read-only'
          : code === 'ENOSPC'
            ? 'the disk is full'
            : (err as Error).message;
  return new ConfigError(`Cannot ${what} ${path}: ${why}. Pass --data-dir (or PORTCULLIS_DATA_DIR) to use another directory.`);
}

/** Create the data directory readable by its owner only (it holds the database and the root token). */
export function ensureDataDir(dataDir: string): void {
  try {
    if (!existsSync(dataDir)) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw fileProblem('create the data directory', dataDir, err);
  }
}

export interface KeptValue {
  readonly value: string;
  /** Where it came from: the environment, an existing file, or generated just now. */
  readonly origin: 'environment' | 'file' | 'generated';
  readonly file: string;
}

/** Refuse a secret file others may read: a secret others can read is no secret. */
function checkPrivate(file: string): void {
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new ConfigError(`${file} can be read by other users (mode ${mode.toString(8).padStart(4, '0')}): run chmod 600 ${file}, or delete it to have a new one generated.`);
  }
}

function keep(dataDir: string, name: string, fromEnv: string | undefined, generate: () => string, secret: boolean): KeptValue {
  const file = join(dataDir, name);
  if (fromEnv !== undefined) return { value: fromEnv, origin: 'environment', file };
  if (existsSync(file)) {
    // An empty secret would leave no working credential.
    if (secret) checkPrivate(file);
    const value = readFileSync(file, 'utf8').trim();
    if (value.length > 0) return { value, origin: 'file', file };
    if (secret) throw new ConfigError(`${file} is empty: put the root token in it, or delete it to have a new one generated.`);
  }
  ensureDataDir(dataDir);
  const value = generate();
  try {
    // 'wx': if another process wrote it first, use theirs.
    writeFileSync(file, value + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw fileProblem('write', file, err);
    return { value: readFileSync(file, 'utf8').trim(), origin: 'file', file };
  }
  return { value, origin: 'generated', file };
}


/** Shorter than this, the root token (every permission on every account) could be guessed; generated ones have 40 characters (240 random bits). */
export const MIN_ROOT_TOKEN_LENGTH = 32;

export function rootToken(dataDir: string, fromEnv: string | undefined): KeptValue {
  const kept = keep(dataDir, 'root-token', fromEnv, newTokenSecret, true);
  if (kept.value.length < MIN_ROOT_TOKEN_LENGTH) {
    const where = kept.origin === 'environment' ? 'PORTCULLIS_API_TOKEN' : kept.file;
    const instead = kept.origin === 'environment' ? 'or unset it to have one generated' : 'or delete the file to have one generated';
    throw new ConfigError(`The root API token in ${where} has ${kept.value.length} character${kept.value.length === 1 ? '' : 's'}: it grants every permission on every account, so use at least ${MIN_ROOT_TOKEN_LENGTH} random ones (openssl rand -base64 30), ${instead}.`);
  }
  return kept;
}

/**
 * The default account's id: from the environment, else the data directory's `account-id`; when
 * there is none, `known` (the accounts the database already holds) decides: its one account is
 * adopted (a database restored or shared without its data directory keeps its default account,
 * rather than getting a second, empty one), none means a new id, and several with no way to tell
 * which is the default stop the start. A chosen or new id is kept in the file.
 */
export async function defaultAccountId(dataDir: string, fromEnv: string | undefined, known: () => Promise<readonly { readonly id: string; readonly name: string }[]>): Promise<KeptValue & { readonly adopted?: boolean }> {
  const file = join(dataDir, 'account-id');
  if (fromEnv !== undefined || existsSync(file)) return keep(dataDir, 'account-id', fromEnv, () => randomBytes(16).toString('hex'), false);
  const accounts = await known();
  const defaults = accounts.filter((a) => a.name === 'Default account');
  const adopted = accounts.length === 1 ? accounts[0] : defaults.length === 1 ? defaults[0] : undefined;
  if (adopted === undefined && accounts.length > 0) {
    const listed = accounts.slice(0, 5).map((a) => `${a.id} (${a.name})`).join(', ');
    throw new ConfigError(`${file} is missing and the database holds ${accounts.length} accounts (${listed}${accounts.length > 5 ? ', ...' : ''}): put the default account's id in that file, or set PORTCULLIS_ACCOUNT_ID.`);
  }
  const kept = keep(dataDir, 'account-id', undefined, () => adopted?.id ?? randomBytes(16).toString('hex'), false);
  return adopted !== undefined && kept.value === adopted.id ? { ...kept, adopted: true } : kept;
}

function ringFrom(text: string, where: string): SecretKeyRing {
  try {
    return SecretKeyRing.fromText(text);
  } catch (err) {
    if (err instanceof SecretKeyError) throw new ConfigError(`${where}: ${err.message}.`);
    throw err;
  }
}

/**
 * The keys that seal secrets at rest: from PORTCULLIS_SECRETS_KEY, or from the key file (one
 * base64 key per line, the current one first), generated on first start. A key file others can
 * read or that holds no key is refused. The file is read again when a stored value names a key
 * the ring lacks, and before each seal when it has changed since (one stat), so that a rotation
 * by another process (`portcullis secrets rotate-key`) is picked up without a restart and no
 * secret is sealed with a key it retires.
 */
export function secretsKeyRing(file: string, fromEnv: string | undefined): KeyRingSource & { readonly origin: KeptValue['origin'] } {
  if (fromEnv !== undefined) return { ring: ringFrom(fromEnv.replace(/,/g, '\n'), 'PORTCULLIS_SECRETS_KEY'), origin: 'environment' };
  // What the file was when last read: a rotation replaces it (a new inode), so a stat tells.
  let seen: { readonly ino: number; readonly mtimeMs: number; readonly size: number } | undefined;
  let ring: SecretKeyRing | undefined;
  const read = (): SecretKeyRing => {
    checkPrivate(file);
    const before = statSync(file);
    ring = ringFrom(readFileSync(file, 'utf8'), file);
    seen = { ino: before.ino, mtimeMs: before.mtimeMs, size: before.size };
    return ring;
  };
  const latest = (): SecretKeyRing => {
    try {
      const now = statSync(file);
      if (seen !== undefined && now.ino === seen.ino && now.mtimeMs === seen.mtimeMs && now.size === seen.size) return ring!;
      return read();
    } catch {
      // A file gone or unreadable for a moment: keep sealing with the keys in hand, which this
      // process can always open; the next seal looks again.
      return ring!;
    }
  };
  let origin: KeptValue['origin'] = 'file';
  if (!existsSync(file)) {
    try {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    } catch (err) {
      throw fileProblem('create the directory of the secrets key', dirname(file), err);
    }
    try {
      writeFileSync(file, `# portcullis secrets key: keep it apart from the database and back it up; without it stored secrets cannot be opened.\n${newSecretKeyText()}\n`, { mode: 0o600, flag: 'wx' });
      origin = 'generated';
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw fileProblem('create the secrets key file', file, err);
    }
  }
  return { ring: read(), reload: read, latest, origin };
}
