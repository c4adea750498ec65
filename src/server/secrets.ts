// The root API token and the default account id: chosen through the environment, or generated
// on first start and kept in the data directory (readable by its owner only) so that restarts
// and other processes on the same machine find them.

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newTokenSecret } from '../api/auth/authenticate.js';
import { ConfigError } from './config.js';

/** Create the data directory readable by its owner only (it holds the database and the root token). */
export function ensureDataDir(dataDir: string): void {
  if (!existsSync(dataDir)) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
}

export interface KeptValue {
  readonly value: string;
  /** Where it came from: the environment, an existing file, or generated just now. */
  readonly origin: 'environment' | 'file' | 'generated';
  readonly file: string;
}

function keep(dataDir: string, name: string, fromEnv: string | undefined, generate: () => string, secret: boolean): KeptValue {
  const file = join(dataDir, name);
  if (fromEnv !== undefined) return { value: fromEnv, origin: 'environment', file };
  if (existsSync(file)) {
    // A secret others can read is no secret; an empty one would leave no working credential.
    const mode = statSync(file).mode & 0o777;
    if (secret && (mode & 0o077) !== 0) {
      throw new ConfigError(`${file} can be read by other users (mode ${mode.toString(8).padStart(4, '0')}): run chmod 600 ${file}, or delete it to have a new one generated.`);
    }
    const value = readFileSync(file, 'utf8').trim();
    if (value.length > 0) return { value, origin: 'file', file };
    if (secret) throw new ConfigError(`${file} is empty: put the root token in it, or delete it to have a new one generated.`);
  }
  ensureDataDir(dataDir);
  const value = generate();
  try {
    // 'wx': if another process wrote it first, use theirs.
    writeFileSync(file, value + '\n', { mode: 0o600, flag: 'wx' });
  } catch {
    return { value: readFileSync(file, 'utf8').trim(), origin: 'file', file };
  }
  return { value, origin: 'generated', file };
}


export const rootToken = (dataDir: string, fromEnv: string | undefined): KeptValue => keep(dataDir, 'root-token', fromEnv, newTokenSecret, true);

export const defaultAccountId = (dataDir: string, fromEnv: string | undefined): KeptValue =>
  keep(dataDir, 'account-id', fromEnv, () => randomBytes(16).toString('hex'), false);
