// Access application tokens, as Cloudflare issues them (docs/enforcement.md "Tokens"): RS256
// JWTs with the header {alg, kid, typ} and the claims aud (the application's AUD tag, in an
// array), email, exp, iat, nbf, iss (the account's auth domain), type "app", identity_nonce, sub
// (the user id) and country; for a service token, common_name (its client id) and an empty sub.
// A SAML sign-in's header_attributes add saml_headers, a purpose justification written at
// sign-in purpose_justified, an approver's grant access_approved, a service token's secret version
// client_secret_version: portcullis's own claims.
// Verification accepts RS256 only, with a key the account publishes, for the one audience asked:
// anything unreadable, expired, forged or meant for another application is refused.

import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { SigningKey } from '../account/signing-keys.js';
import type { ExternalVerdicts } from './sign-in-external.js';

/** The cookie that carries an application token on its host (and the global session on the auth domain). */
export const TOKEN_COOKIE = 'CF_Authorization';

export interface AppTokenClaims extends JWTPayload {
  readonly type: 'app';
  readonly email?: string;
  readonly identity_nonce?: string;
  readonly country?: string;
  readonly common_name?: string;
  /** portcullis's own: the request headers a SAML sign-in's header_attributes made (docs/identity-providers.md). */
  readonly saml_headers?: Readonly<Record<string, string>>;
  /** portcullis's own: the user wrote a purpose justification at this sign-in (docs/enforcement.md "Purpose justification"). */
  readonly purpose_justified?: boolean;
  /** portcullis's own: an approver granted this session (docs/enforcement.md "Temporary authentication"); it ends with the grant. */
  readonly access_approved?: boolean;
  /** portcullis's own: the external evaluation endpoints' answers at sign-in (sign-in-external.ts), read as unknown until checked. */
  readonly external_evaluation?: unknown;
  /** portcullis's own, on a service token's token: the secret version its credentials had (a rotation ends the token). */
  readonly client_secret_version?: unknown;
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
  /** Request headers for the application, fixed at sign-in (a SAML provider's header_attributes). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The user wrote a purpose justification before this token was issued. */
  readonly justified?: true;
  /** An approver granted the session. */
  readonly approved?: true;
  /** The external evaluation endpoints' answers at sign-in, which hold for the session. */
  readonly external?: ExternalVerdicts;
  /** The SAML attributes and OIDC claims the identity provider's config keeps, as Cloudflare's JWT carries them. */
  readonly custom?: Readonly<Record<string, unknown>>;
}

export interface ServiceTokenInput {
  readonly aud: string;
  readonly issuer: string;
  readonly lifetimeSeconds: number;
  readonly clientId: string;
  /** The service token's client_secret_version the credentials were checked against: a rotation ends the token. */
  readonly secretVersion: number;
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
    { type: 'app', email: input.email, sub: input.userId, identity_nonce: input.identityNonce ?? newIdentityNonce(), ...(input.country !== undefined ? { country: input.country } : {}), ...(input.headers !== undefined ? { saml_headers: { ...input.headers } } : {}), ...(input.justified === true ? { purpose_justified: true } : {}), ...(input.approved === true ? { access_approved: true } : {}), ...(input.external !== undefined ? { external_evaluation: { ...input.external } } : {}), ...(input.custom !== undefined ? { custom: { ...input.custom } } : {}) },
    key,
    input.aud,
    input.issuer,
    input.lifetimeSeconds,
    now,
  );
}

export function serviceAppToken(input: ServiceTokenInput, key: SigningKey, now = Date.now()): Promise<string> {
  return signed({ type: 'app', common_name: input.clientId, sub: '', client_secret_version: input.secretVersion }, key, input.aud, input.issuer, input.lifetimeSeconds, now);
}

/**
 * Tokens whose signature was checked, with their claims: a browser sends the same token with
 * every request, and an RSA check per request would cost more than the rest of the decision.
 * The audience, issuer and times are still checked on every use. Bounded, oldest out first.
 */
export class VerifiedTokens {
  private readonly verified = new Map<string, { readonly claims: AppTokenClaims; readonly kid: string }>();

  constructor(private readonly capacity = 20_000) {}

  /**
   * The claims of a token whose signature was checked before, when it still passes every other
   * check now (without waiting); undefined when that takes verify().
   */
  known(token: string, keys: readonly SigningKey[], aud: string, issuer: string, now = Date.now()): AppTokenClaims | undefined {
    const known = this.verified.get(token);
    if (known === undefined) return undefined;
    const c = known.claims;
    const seconds = now / 1000;
    // Same checks as jwtVerify's, without the signature: still published key, audience, issuer, times.
    if (hasKey(keys, known.kid) && (Array.isArray(c.aud) ? c.aud.includes(aud) : c.aud === aud) && c.iss === issuer && c.exp !== undefined && c.exp > seconds && (c.nbf === undefined || c.nbf <= seconds)) return c;
    if (c.exp === undefined || c.exp <= seconds) this.verified.delete(token);
    return undefined;
  }

  async verify(token: string, keys: readonly SigningKey[], aud: string, issuer: string, now = Date.now()): Promise<AppTokenClaims | undefined> {
    const known = this.known(token, keys, aud, issuer, now);
    if (known !== undefined) return known;
    if (this.verified.has(token)) return verifyAppToken(token, keys, aud, issuer, now);
    const claims = await verifyAppToken(token, keys, aud, issuer, now);
    if (claims !== undefined) {
      const kid = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')).kid as string;
      this.verified.set(token, { claims, kid });
      if (this.verified.size > this.capacity) this.verified.delete(this.verified.keys().next().value!);
    }
    return claims;
  }
}

function hasKey(keys: readonly SigningKey[], kid: string): boolean {
  for (const key of keys) if (key.kid === kid) return true;
  return false;
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

/** The audiences a token names, unverified (to pick the application it is then verified for); none when it cannot be read. */
export function audiencesOf(token: string): unknown[] {
  try {
    const { aud } = decodeJwt(token);
    return Array.isArray(aud) ? aud : [aud];
  } catch {
    return [];
  }
}
