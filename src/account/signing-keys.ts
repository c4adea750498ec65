// Each account's keys that sign its Access application tokens: RS256 key pairs kept as
// `signing_key` resources, whose private half the store seals at rest (schema/secret-fields.ts).
// The newest key signs; older keys stay published at /cdn-cgi/access/certs until the tokens
// they signed have expired, so a rotation never cuts a session short. A key older than the
// account's rotation interval is replaced when next used (Cloudflare's access/keys settings).

import { hkdfSync, type webcrypto } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { timeOrderedUuid } from '../store/time-ordered-id.js';
import { certificateForJwk } from './self-signed-certificate.js';
import type { ResourceRecord, Store } from '../store/store.js';

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: webcrypto.CryptoKey;
  readonly publicJwk: JWK;
  /** The public key in a self-signed X.509 certificate (PEM), Cloudflare's public_cert(s). */
  readonly certificate: string;
  /**
   * A secret derived from the private key, for values only this account's servers can make from
   * a token it signed (the binding cookie, access/binding-cookie.ts); as secret as the key.
   */
  readonly bindingSecret: Buffer;
  readonly createdAt: string;
}

interface KeyBody {
  readonly kid: string;
  readonly public_jwk: JWK;
  readonly private_jwk: JWK;
  /** Its self-signed certificate (PEM); keys made before certificates were served get one when next read. */
  readonly certificate_pem?: string;
  /** When the key stops being published (set when a newer key replaces it). */
  readonly retire_at?: string;
  /** Days between rotations (the account's setting, kept on its current key). */
  readonly rotation_interval_days?: number;
}

export const DEFAULT_ROTATION_INTERVAL_DAYS = 30;
/** How old the keys in hand must be before a token naming a key they lack has them read again. */
export const UNKNOWN_KEY_REREAD_MS = 1_000;

/** The key id a token's header names, if it is a JWT with one (nothing is verified here). */
function kidOf(token: string): string | undefined {
  try {
    const kid = decodeProtectedHeader(token).kid;
    return typeof kid === 'string' ? kid : undefined;
  } catch {
    return undefined;
  }
}
const DAY_MS = 24 * 3600 * 1000;

/** Cloudflare's shape of an account's key rotation settings. */
export interface KeySettings {
  readonly key_rotation_interval_days: number;
  readonly last_key_rotation_at: string;
  readonly days_until_next_rotation: number;
}

/** How long a replaced key stays published: longer than any session a token may carry. */
export const RETIRED_KEY_GRACE_MS = 31 * 24 * 3600 * 1000;

/** Valid longer than a key is ever published (its rotation interval plus the grace of retired keys). */
const keyCertificate = (kid: string, publicJwk: JWK, privateJwk: JWK, now: number): string => certificateForJwk(`portcullis access ${kid.slice(0, 16)}`, publicJwk, privateJwk, 3650, new Date(now));

async function newKeyBody(now = Date.now()): Promise<KeyBody> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), alg: 'RS256', use: 'sig' };
  const kid = Buffer.from(await calculateJwkThumbprint(publicJwk, 'sha256'), 'base64url').toString('hex');
  const privateJwk = await exportJWK(privateKey);
  return { kid, public_jwk: { ...publicJwk, kid }, private_jwk: privateJwk, certificate_pem: keyCertificate(kid, publicJwk, privateJwk, now) };
}

/** Accounts whose keys SigningKeys keeps at once. */
const MAX_KEPT_ACCOUNTS = 1_000;

const bodyOf = (record: ResourceRecord): KeyBody => record.body as unknown as KeyBody;

export class SigningKeys {
  private readonly cache = new Map<string, { readonly at: number; readonly keys: Promise<SigningKey[]>; loaded?: SigningKey[] }>();

  constructor(
    private readonly store: Store,
    /** How long keys read from the store are reused (another instance may have rotated them). */
    private readonly cacheMs = 10_000,
    /**
     * Accounts whose keys are kept at most, the longest since read from the store first out (an
     * account in use is read again every cacheMs, so it is never far from the end): a server of
     * many accounts kept every account's keys it ever used, for good. One pushed out is read
     * again, as it would be after cacheMs anyway.
     */
    private readonly maxAccounts = MAX_KEPT_ACCOUNTS,
  ) {}

  /** Published keys, newest first (a key is made when the account has none). */
  keys(accountId: string, now = Date.now()): Promise<SigningKey[]> {
    const cached = this.cache.get(accountId);
    if (cached !== undefined && now - cached.at < this.cacheMs) return cached.keys;
    const keys = this.load(accountId, now);
    const entry: { at: number; keys: Promise<SigningKey[]>; loaded?: SigningKey[] } = { at: now, keys };
    // The map's order is the order of reads from the store: an account read again moves to its end.
    this.cache.delete(accountId);
    this.cache.set(accountId, entry);
    if (this.cache.size > this.maxAccounts) this.cache.delete(this.cache.keys().next().value!);
    keys.then((loaded) => (entry.loaded = loaded), () => this.cache.delete(accountId));
    return keys;
  }

  /** The published keys if keys() has them at hand (loaded, and recent enough), without waiting; else undefined. */
  keysNow(accountId: string, now = Date.now()): readonly SigningKey[] | undefined {
    const cached = this.cache.get(accountId);
    return cached !== undefined && now - cached.at < this.cacheMs ? cached.loaded : undefined;
  }

  /**
   * The published keys to check `token` with: read again first when the token names a key they
   * lack and they were read over UNKNOWN_KEY_REREAD_MS ago, since another instance may have
   * rotated the keys (its tokens were refused here until the cache ran out). A token that names
   * no key, or one the store does not hold either, costs at most one read a second an account.
   */
  keysFor(accountId: string, token: string | undefined, now = Date.now()): Promise<SigningKey[]> {
    if (this.staleFor(accountId, token, now)) this.cache.delete(accountId);
    return this.keys(accountId, now);
  }

  /** keysNow for `token`: undefined when keysFor would read the keys again. */
  keysNowFor(accountId: string, token: string | undefined, now = Date.now()): readonly SigningKey[] | undefined {
    return this.staleFor(accountId, token, now) ? undefined : this.keysNow(accountId, now);
  }

  private staleFor(accountId: string, token: string | undefined, now: number): boolean {
    const cached = this.cache.get(accountId);
    if (token === undefined || cached?.loaded === undefined || now - cached.at < UNKNOWN_KEY_REREAD_MS) return false;
    const kid = kidOf(token);
    return kid !== undefined && !cached.loaded.some((key) => key.kid === kid);
  }

  /** The key that signs now. */
  async current(accountId: string): Promise<SigningKey> {
    return (await this.keys(accountId))[0]!;
  }

  /** A new signing key; the previous ones stay published for RETIRED_KEY_GRACE_MS. */
  async rotate(accountId: string, now = Date.now()): Promise<SigningKey> {
    await this.rotateRecords(accountId, now, false);
    this.cache.delete(accountId);
    return (await this.keys(accountId, now))[0]!;
  }

  /**
   * A new current key, the others retired. `onlyIfDue` (the rotation a key's age calls for): done
   * only if the current key is still past its interval inside the transaction, so that instances
   * noticing the same old key at once make one new key between them, not one each.
   */
  private async rotateRecords(accountId: string, now: number, onlyIfDue: boolean): Promise<void> {
    const interval = await this.intervalDays(accountId);
    const body: KeyBody = { ...(await newKeyBody(now)), rotation_interval_days: interval };
    await this.store.transaction(accountId, async (tx) => {
      const records = await tx.allResources(accountId, 'signing_key');
      const current = records.find((r) => bodyOf(r).retire_at === undefined);
      if (onlyIfDue && current !== undefined && now - Date.parse(current.createdAt) < (bodyOf(current).rotation_interval_days ?? DEFAULT_ROTATION_INTERVAL_DAYS) * DAY_MS) return;
      for (const old of records) {
        if (bodyOf(old).retire_at === undefined) {
          await tx.updateResource(accountId, 'signing_key', old.id, { name: old.name, body: { ...old.body, retire_at: new Date(now + RETIRED_KEY_GRACE_MS).toISOString() } });
        }
      }
      await tx.insertResource({ accountId, kind: 'signing_key', id: timeOrderedUuid(), parentId: null, name: body.kid, body: { ...body }, secretHash: null, createdAt: new Date(now).toISOString() }, []);
    });
  }

  /** The rotation settings, in Cloudflare's shape (the account's first key is made if needed). */
  async settings(accountId: string, now = Date.now()): Promise<KeySettings> {
    await this.keys(accountId, now);
    const current = await this.currentRecord(accountId);
    const interval = bodyOf(current).rotation_interval_days ?? DEFAULT_ROTATION_INTERVAL_DAYS;
    const age = now - Date.parse(current.createdAt);
    return { key_rotation_interval_days: interval, last_key_rotation_at: current.createdAt, days_until_next_rotation: Math.max(0, Math.ceil((interval * DAY_MS - age) / DAY_MS)) };
  }

  async setIntervalDays(accountId: string, days: number, now = Date.now()): Promise<KeySettings> {
    await this.keys(accountId, now);
    const current = await this.currentRecord(accountId);
    await this.store.transaction(accountId, (tx) => tx.updateResource(accountId, 'signing_key', current.id, { name: current.name, body: { ...current.body, rotation_interval_days: days } }));
    this.cache.delete(accountId);
    return this.settings(accountId, now);
  }

  private async intervalDays(accountId: string): Promise<number> {
    const records = await this.store.read.allResources(accountId, 'signing_key');
    const current = records.find((r) => bodyOf(r).retire_at === undefined);
    return current === undefined ? DEFAULT_ROTATION_INTERVAL_DAYS : (bodyOf(current).rotation_interval_days ?? DEFAULT_ROTATION_INTERVAL_DAYS);
  }

  private async currentRecord(accountId: string): Promise<ResourceRecord> {
    const records = await this.store.read.allResources(accountId, 'signing_key');
    return records.find((r) => bodyOf(r).retire_at === undefined)!;
  }

  private async load(accountId: string, now: number): Promise<SigningKey[]> {
    let records = await this.store.read.allResources(accountId, 'signing_key');
    if (!records.some((r) => bodyOf(r).retire_at === undefined)) {
      // The first key of the account, made once even when several requests ask at once.
      const body = await newKeyBody(now);
      records = await this.store.transaction(accountId, async (tx) => {
        const again = await tx.allResources(accountId, 'signing_key');
        if (again.some((r) => bodyOf(r).retire_at === undefined)) return again;
        await tx.insertResource({ accountId, kind: 'signing_key', id: timeOrderedUuid(), parentId: null, name: body.kid, body: { ...body }, secretHash: null, createdAt: new Date(now).toISOString() }, []);
        return tx.allResources(accountId, 'signing_key');
      });
    }
    // A key past the rotation interval is replaced now (the old one stays published).
    const current = records.find((r) => bodyOf(r).retire_at === undefined)!;
    const interval = bodyOf(current).rotation_interval_days ?? DEFAULT_ROTATION_INTERVAL_DAYS;
    if (now - Date.parse(current.createdAt) >= interval * DAY_MS) {
      await this.rotateRecords(accountId, now, true);
      records = await this.store.read.allResources(accountId, 'signing_key');
    }
    const published = records.filter((r) => {
      const retireAt = bodyOf(r).retire_at;
      return retireAt === undefined || Date.parse(retireAt) > now;
    });
    // Keys made before certificates were served get theirs, kept so every instance serves the same.
    if (published.some((r) => bodyOf(r).certificate_pem === undefined)) {
      await this.store.transaction(accountId, async (tx) => {
        for (const r of published) {
          const body = bodyOf(r);
          if (body.certificate_pem !== undefined) continue;
          const fresh = await tx.getResource(accountId, 'signing_key', r.id);
          if (fresh === undefined || bodyOf(fresh).certificate_pem !== undefined) continue;
          await tx.updateResource(accountId, 'signing_key', r.id, { name: r.name, body: { ...fresh.body, certificate_pem: keyCertificate(body.kid, body.public_jwk, body.private_jwk, now) } });
        }
      });
      const again = new Map((await this.store.read.allResources(accountId, 'signing_key')).map((r) => [r.id, r]));
      published.splice(0, published.length, ...published.map((r) => again.get(r.id) ?? r));
    }
    // Newest first: the current key (never retired) leads.
    published.sort((a, b) => (bodyOf(a).retire_at === undefined ? -1 : bodyOf(b).retire_at === undefined ? 1 : b.createdAt.localeCompare(a.createdAt)));
    return Promise.all(
      published.map(async (r) => {
        const body = bodyOf(r);
        return { kid: body.kid, privateKey: (await importJWK(body.private_jwk, 'RS256')) as webcrypto.CryptoKey, publicJwk: body.public_jwk, certificate: body.certificate_pem ?? '', bindingSecret: bindingSecretOf(body.private_jwk), createdAt: r.createdAt };
      }),
    );
  }
}

/** The key's binding secret: HKDF-SHA256 of its private exponent, for this one use. */
export function bindingSecretOf(privateJwk: JWK): Buffer {
  // Fail closed: a key without its private exponent makes no secret anyone could match.
  if (typeof privateJwk.d !== 'string' || privateJwk.d === '') throw new Error('a signing key without its private exponent');
  return Buffer.from(hkdfSync('sha256', Buffer.from(privateJwk.d, 'base64url'), Buffer.alloc(0), 'portcullis CF_Binding cookie', 32));
}
