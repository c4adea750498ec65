// Turn a request's credentials into a Principal, or refuse it (401). Secrets are never stored:
// API tokens are kept as SHA-256 hashes (they are 240-bit random strings, so a fast hash is
// the right tool) and looked up by hash; the root secrets are compared as hashes in constant
// time.
//
// A token found is kept, by hash, with the tokens' change stamp it was read at (change-stamps.ts),
// and used again only while that stamp has not moved: any token written since (revoked, deleted,
// its policies or condition changed), in this instance or another, and every kept token is read
// again on its next request. Its lifetime and IP condition are checked on every request, against
// the clock and the request. Unknown hashes are not kept (they are refused and rate limited).

import crypto, { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { TOKENS_SCOPE, type Store, type TokenRecord } from '../../store/store.js';
import type { ChangeStamps } from '../change-stamps.js';
import { apiError } from '../errors.js';
import { parseInstant } from '../instant.js';
import { conditionAllows } from './condition.js';
import { LRU_MOVE_MS } from '../lru-move.js';
import { ROOT_PRINCIPAL, tokenPrincipal, type Principal } from './principal.js';

/** A new API token secret: 40 URL-safe characters (240 random bits), like Cloudflare's. */
export const newTokenSecret = (): string => randomBytes(30).toString('base64url');

/** Node's one-shot hash (20.12 and later) skips making a Hash object for every request. */
const oneShotHash = typeof crypto.hash === 'function' ? crypto.hash : undefined;

export const hashSecret = (secret: string): string => (oneShotHash !== undefined ? oneShotHash('sha256', secret, 'hex') : createHash('sha256').update(secret, 'utf8').digest('hex'));

function sameHash(a: string, b: string | Buffer): boolean {
  const x = Buffer.from(a, 'hex');
  const y = typeof b === 'string' ? Buffer.from(b, 'hex') : b;
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface RootCredentials {
  /** SHA-256 of the root API token. */
  readonly tokenHash: string;
  /** X-Auth-Email / X-Auth-Key pair with root rights, when configured. */
  readonly authEmail?: string;
  readonly authKeyHash?: string;
}

export interface RequestCredentials {
  readonly authorization?: string;
  readonly authEmail?: string;
  readonly authKey?: string;
  readonly ip: string;
}

/** How often a token's last_used_on is written, at most (a write per request would cost too much). */
const TOUCH_INTERVAL_MS = 60_000;
/** Tokens kept at most (the least recently used go first). */
const MAX_KEPT_TOKENS = 10_000;
/**
 * A kept token is read again after this long even if the stamp says nothing changed: a hand-made
 * change to the tokens table on PostgreSQL moves no version (on SQLite every commit moves the stamp).
 */
const MAX_KEPT_MS = 60_000;

interface KeptToken {
  readonly token: TokenRecord;
  readonly principal: Principal;
  readonly stamp: string;
  readonly readAt: number;
  /** When it last moved to the most recently used end of the map. */
  movedAt: number;
}

export class Authenticator {
  private readonly touched = new Map<string, number>();
  private readonly kept = new Map<string, KeptToken>();
  /** The root token's hash as bytes, compared with every token's (decoded once, not per request). */
  private readonly rootTokenHash: Buffer;

  constructor(
    private readonly store: Store,
    private readonly root: RootCredentials,
    private readonly stamps?: ChangeStamps,
  ) {
    this.rootTokenHash = Buffer.from(root.tokenHash, 'hex');
  }

  async authenticate(credentials: RequestCredentials): Promise<Principal> {
    const { authorization, authEmail, authKey } = credentials;
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (match === null) throw apiError('invalid_credentials');
      return this.tokenPrincipal(match[1], credentials.ip);
    }
    if (authEmail !== undefined || authKey !== undefined) {
      if (
        authEmail === undefined ||
        authKey === undefined ||
        this.root.authEmail === undefined ||
        this.root.authKeyHash === undefined ||
        authEmail.toLowerCase() !== this.root.authEmail.toLowerCase() ||
        !sameHash(hashSecret(authKey), this.root.authKeyHash)
      ) {
        throw apiError('invalid_credentials');
      }
      return ROOT_PRINCIPAL;
    }
    throw apiError('missing_credentials');
  }

  private async tokenPrincipal(secret: string, ip: string): Promise<Principal> {
    const hash = hashSecret(secret);
    if (sameHash(hash, this.rootTokenHash)) return ROOT_PRINCIPAL;
    const { token, principal } = await this.findToken(hash);
    this.checkActive(token, ip);
    this.touch(token.id);
    return principal;
  }

  /** The token of a secret's hash, as of a read made after the request arrived, or 401. */
  private async findToken(hash: string): Promise<{ readonly token: TokenRecord; readonly principal: Principal }> {
    // Read before the token: a write after this point moves it, so a token kept under this
    // stamp is current for as long as the stamp stays this one.
    const stamp = this.stamps === undefined ? undefined : await this.stamps.read(TOKENS_SCOPE);
    const now = Date.now();
    const kept = this.kept.get(hash);
    if (kept !== undefined && stamp !== undefined && kept.stamp === stamp && now - kept.readAt < MAX_KEPT_MS) {
      // The map's order is the LRU order; moving a token once a second is close enough to it
      // and spares the map a delete and an insert on every request.
      if (now - kept.movedAt >= LRU_MOVE_MS) {
        kept.movedAt = now;
        this.kept.delete(hash);
        this.kept.set(hash, kept);
      }
      return kept;
    }
    const token = await this.store.read.getTokenBySecretHash(hash);
    if (token === undefined) {
      this.kept.delete(hash);
      throw apiError('invalid_credentials');
    }
    const found = { token, principal: tokenPrincipal(token.id, token.policies) };
    this.kept.delete(hash);
    if (stamp !== undefined) {
      this.kept.set(hash, { ...found, stamp, readAt: now, movedAt: now });
      if (this.kept.size > MAX_KEPT_TOKENS) this.kept.delete(this.kept.keys().next().value!);
    }
    return found;
  }

  private checkActive(token: TokenRecord, ip: string): void {
    if (token.status !== 'active') throw apiError('inactive_token', { state: token.status });
    switch (tokenLifetime(token, Date.now())) {
      case 'expired':
        throw apiError('inactive_token', { state: 'expired' });
      case 'not_yet_valid':
        throw apiError('inactive_token', { state: `not valid before ${token.notBefore}` });
      case 'unreadable':
        throw apiError('inactive_token', { state: 'unusable: its expires_on or not_before cannot be read' });
    }
    if (!conditionAllows(token.condition, ip)) throw apiError('ip_not_allowed', { ip });
  }

  private touch(tokenId: string): void {
    const now = Date.now();
    const last = this.touched.get(tokenId);
    if (last !== undefined && now - last < TOUCH_INTERVAL_MS) return;
    this.touched.set(tokenId, now);
    if (this.touched.size > 10_000) this.touched.clear();
    this.store.touchToken(tokenId, new Date(now).toISOString()).catch(() => undefined);
  }
}

/** Where a moment falls in a token's lifetime; "unreadable" when expires_on or not_before cannot be read. */
export type Lifetime = 'active' | 'expired' | 'not_yet_valid' | 'unreadable';

/**
 * A time that cannot be read fails closed: comparisons with NaN are all false, so it must never
 * reach one, and a token with such a time is refused like an expired one.
 */
export function tokenLifetime(token: Pick<TokenRecord, 'expiresOn' | 'notBefore'>, now: number): Lifetime {
  const expires = token.expiresOn === null ? Infinity : parseInstant(token.expiresOn);
  const notBefore = token.notBefore === null ? -Infinity : parseInstant(token.notBefore);
  if (expires === undefined || notBefore === undefined) return 'unreadable';
  if (expires <= now) return 'expired';
  return notBefore > now ? 'not_yet_valid' : 'active';
}
