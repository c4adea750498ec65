// Access application tokens, as Cloudflare issues them (docs/enforcement.md "Tokens"): RS256
// JWTs with the header {alg, kid, typ} and the claims aud (the application's AUD tag, in an
// array), email, exp, iat, nbf, iss (the account's auth domain), type "app", identity_nonce, sub
// (the user id) and country; for a service token, common_name (its client id) and an empty sub.
// Verification accepts RS256 only, with a key the account publishes, for the one audience asked:
// anything unreadable, expired, forged or meant for another application is refused.

import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { SigningKey } from '../account/signing-keys.js';

export interface AppTokenClaims extends JWTPayload {
  readonly type: 'app';
  readonly email?: string;
  readonly identity_nonce?: string;
  readonly country?: string;
  readonly common_name?: string;
}

export interface UserTokenInput {
  readonly aud: string;
  readonly issuer: string;
  readonly lifetimeSeconds: number;
  readonly userId: string;
  readonly email: string;
  readonly country?: string;
  /** Ties the token to the identity recorded at login (one per login). */
  readonly identityNonce?: string;
}

export interface ServiceTokenInput {
  readonly aud: string;
  readonly issuer: string;
  readonly lifetimeSeconds: number;
  readonly clientId: string;
}

export const newIdentityNonce = (): string => randomBytes(12).toString('base64url');

function signed(claims: Record<string, unknown>, key: SigningKey, aud: string, issuer: string, lifetimeSeconds: number, now: number): Promise<string> {
  const iat = Math.floor(now / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .setAudience([aud])
    .setIssuer(issuer)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + Math.max(1, Math.floor(lifetimeSeconds)))
    .sign(key.privateKey);
}

export function userAppToken(input: UserTokenInput, key: SigningKey, now = Date.now()): Promise<string> {
  return signed(
    { type: 'app', email: input.email, sub: input.userId, identity_nonce: input.identityNonce ?? newIdentityNonce(), ...(input.country !== undefined ? { country: input.country } : {}) },
    key,
    input.aud,
    input.issuer,
    input.lifetimeSeconds,
    now,
  );
}

export function serviceAppToken(input: ServiceTokenInput, key: SigningKey, now = Date.now()): Promise<string> {
  return signed({ type: 'app', common_name: input.clientId, sub: '' }, key, input.aud, input.issuer, input.lifetimeSeconds, now);
}

/** The claims of a token this account signed for `aud`, or undefined for anything else. */
export async function verifyAppToken(token: string, keys: readonly SigningKey[], aud: string, issuer: string, now = Date.now()): Promise<AppTokenClaims | undefined> {
  try {
    const jwks = createLocalJWKSet({ keys: keys.map((k) => k.publicJwk) });
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { algorithms: ['RS256'], audience: aud, issuer, currentDate: new Date(now), typ: 'JWT' });
    if (protectedHeader.kid === undefined || payload.type !== 'app') return undefined;
    return payload as AppTokenClaims;
  } catch {
    return undefined;
  }
}
