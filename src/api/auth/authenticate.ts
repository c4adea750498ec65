// Turn a request's credentials into a Principal, or refuse it (401). Secrets are never stored:
// API tokens are kept as SHA-256 hashes (they are 240-bit random strings, so a fast hash is
// the right tool) and looked up by hash; the root secrets are compared as hashes in constant
// time.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { IpSet, parseCidr, parseIp, type Cidr } from '../../engine/index.js';
import type { Store, TokenRecord } from '../../store/store.js';
import { apiError } from '../errors.js';
import { ROOT_PRINCIPAL, tokenPrincipal, type Principal, type TokenPolicy } from './principal.js';

/** A new API token secret: 40 URL-safe characters (240 random bits), like Cloudflare's. */
export const newTokenSecret = (): string => randomBytes(30).toString('base64url');

export const hashSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
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

function ipAllowed(condition: Record<string, unknown> | null, ip: string): boolean {
  const requestIp = (condition?.request_ip ?? undefined) as { in?: unknown; not_in?: unknown } | undefined;
  if (requestIp === undefined) return true;
  const address = parseIp(ip.startsWith('::ffff:') ? ip.slice(7) : ip);
  if (address === undefined) return false;
  const set = (list: unknown): IpSet | undefined =>
    Array.isArray(list) ? new IpSet(list.map((c) => parseCidr(String(c))).filter((c): c is Cidr => c !== undefined)) : undefined;
  const inside = set(requestIp.in);
  const outside = set(requestIp.not_in);
  return (inside === undefined || inside.has(address)) && (outside === undefined || !outside.has(address));
}

export class Authenticator {
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly root: RootCredentials,
  ) {}

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
    if (sameHash(hash, this.root.tokenHash)) return ROOT_PRINCIPAL;
    const token = await this.store.read.getTokenBySecretHash(hash);
    if (token === undefined) throw apiError('invalid_credentials');
    this.checkActive(token, ip);
    this.touch(token.id);
    return tokenPrincipal(token.id, token.policies as TokenPolicy[]);
  }

  private checkActive(token: TokenRecord, ip: string): void {
    const now = Date.now();
    if (token.status !== 'active') throw apiError('inactive_token', { state: token.status });
    if (token.expiresOn !== null && Date.parse(token.expiresOn) <= now) throw apiError('inactive_token', { state: 'expired' });
    if (token.notBefore !== null && Date.parse(token.notBefore) > now) throw apiError('inactive_token', { state: `not valid before ${token.notBefore}` });
    if (!ipAllowed(token.condition, ip)) throw apiError('ip_not_allowed', { ip });
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
