// The root API token and the default account id: chosen through the environment, or generated
// on first start and kept in the data directory (readable by its owner only) so that restarts
// and other processes on the same machine find them.

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newTokenSecret } from '../api/auth/authenticate.js';

export interface KeptValue {
  readonly value: string;
  /** Where it came from: the environment, an existing file, or generated just now. */
  readonly origin: 'environment' | 'file' | 'generated';
  readonly file: string;
}

function keep(dataDir: string, name: string, fromEnv: string | undefined, generate: () => string): KeptValue {
  const file = join(dataDir, name);
  if (fromEnv !== undefined) return { value: fromEnv, origin: 'environment', file };
  if (existsSync(file)) {
    const value = readFileSync(file, 'utf8').trim();
    if (value.length > 0) return { value, origin: 'file', file };
  }
  mkdirSync(dataDir, { recursive: true });
  const value = generate();
  try {
    // 'wx': if another process wrote it first, use theirs.
    writeFileSync(file, value + '\n', { mode: 0o600, flag: 'wx' });
  } catch {
    return { value: readFileSync(file, 'utf8').trim(), origin: 'file', file };
  }
  return { value, origin: 'generated', file };
}


export const rootToken = (dataDir: string, fromEnv: string | undefined): KeptValue => keep(dataDir, 'root-token', fromEnv, newTokenSecret);

export const defaultAccountId = (dataDir: string, fromEnv: string | undefined): KeptValue =>
  keep(dataDir, 'account-id', fromEnv, () => randomBytes(16).toString('hex'));
