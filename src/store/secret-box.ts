// Secrets at rest: each secret field (schema/secret-fields.ts) is stored sealed with AES-256-GCM
// under a key kept apart from the database, so a copy of the database (a backup, a stolen
// file) holds no usable credential. The key ring holds the current key, which seals, and older
// keys, which still open what they sealed until a rotation has re-sealed it.

import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** What a sealed value starts with; nothing else stored in a secret field may. */
const PREFIX = 'portcullis-sealed:v1:';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretKeyError extends Error {}

export interface SecretKey {
  /** A short fingerprint of the key, stored with each value it seals. */
  readonly id: string;
  readonly key: Buffer;
}

export const keyId = (key: Buffer): string => createHash('sha256').update(key).digest('hex').slice(0, 16);

/** A key from its base64 text (32 bytes), or a SecretKeyError saying what is wrong with it. */
export function parseSecretKey(text: string): SecretKey {
  const trimmed = text.trim();
  const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0);
  if (key.length !== KEY_BYTES) throw new SecretKeyError(`a secrets key is ${KEY_BYTES} random bytes in base64 (44 characters); this one is not`);
  return { id: keyId(key), key };
}

export const newSecretKeyText = (): string => randomBytes(KEY_BYTES).toString('base64');

export const isSealed = (value: unknown): value is string => typeof value === 'string' && value.startsWith(PREFIX);

export class SecretKeyRing {
  private readonly byId: ReadonlyMap<string, SecretKey>;

  /** `keys`: the current key first, then older keys that may still have sealed stored values. */
  constructor(readonly keys: readonly SecretKey[]) {
    if (keys.length === 0) throw new SecretKeyError('a key ring needs at least one key');
    this.byId = new Map(keys.map((k) => [k.id, k]));
  }

  get current(): SecretKey {
    return this.keys[0]!;
  }

  /** The ring from key-file text: one base64 key per line, the current one first; # starts a comment. */
  static fromText(text: string): SecretKeyRing {
    const lines = text.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter((l) => l !== '');
    return new SecretKeyRing(lines.map(parseSecretKey));
  }

  toText(): string {
    return this.keys.map((k) => k.key.toString('base64')).join('\n') + '\n';
  }

  /** A ring whose current key is new and which still holds these keys, to open what they sealed. */
  rotated(): SecretKeyRing {
    return new SecretKeyRing([parseSecretKey(newSecretKeyText()), ...this.keys]);
  }

  /** Whether `sealed` was sealed by the current key. */
  sealedByCurrent(sealed: string): boolean {
    return sealed.slice(PREFIX.length).split(':')[0] === this.current.id;
  }

  seal(value: unknown): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${PREFIX}${this.current.id}:${iv.toString('base64url')}:${data.toString('base64url')}`;
  }

  /** The value `sealed` holds; a SecretKeyError when no key of the ring opens it (fails closed). */
  open(sealed: string): unknown {
    const [id, ivText, dataText, ...rest] = sealed.slice(PREFIX.length).split(':');
    const key = id === undefined ? undefined : this.byId.get(id);
    if (key === undefined) throw new SecretKeyError(`a stored secret was sealed with key ${id ?? '?'}, which the secrets key file does not hold`);
    const iv = Buffer.from(ivText ?? '', 'base64url');
    const data = Buffer.from(dataText ?? '', 'base64url');
    if (rest.length > 0 || iv.length !== IV_BYTES || data.length < TAG_BYTES) throw new SecretKeyError('a stored secret is damaged');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.key, iv);
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      return JSON.parse(Buffer.concat([decipher.update(data.subarray(0, data.length - TAG_BYTES)), decipher.final()]).toString('utf8'));
    } catch {
      throw new SecretKeyError(`a stored secret does not open with key ${id}: it was changed or damaged`);
    }
  }
}
