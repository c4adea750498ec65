// The real ExternalEvaluator: asks an `external_evaluation` endpoint about a user, with the
// protocol of Cloudflare Access (see docs/external-evaluation.md).
//
//   portcullis → POST evaluate_url  {"token": JWT(signed by portcullis){identity, nonce, iat, exp, iss, aud}}
//   endpoint   → 200                {"token": JWT(signed by the endpoint){success: boolean, nonce}}
//
// The answer is verified against the JWKS at keys_url (fetched through the same outbound guard
// and cached). Anything but a verified answer with the right nonce and a boolean `success`
// rejects, which the engine treats as unknown (fail closed).

import { createPublicKey, KeyObject as NodeKeyObject, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import * as jose from 'jose';
import type { ExternalEvaluator } from '../engine/external.js';
import type { Identity } from '../engine/identity.js';
import type { ExternalEvaluationRule } from '../engine/rules.js';
import { compileAllowlist, type Allowlist } from './allowlist.js';
import { EndpointSlots, MAX_SOCKETS_PER_HOST } from './endpoint-slots.js';
import { guardedRequest, type GuardedResponse } from './guarded-request.js';
import { abortable, OutboundRequestError } from './outbound-error.js';
import type { Resolver } from './outbound-target.js';

export type ExternalEvaluationErrorCode =
  /** The outbound guard refused the URL or the address it resolves to. */
  | 'blocked'
  /** The whole evaluation (evaluate request + JWKS fetch) took longer than timeoutMs. */
  | 'timeout'
  /** DNS, connection or protocol failure. */
  | 'network'
  /** A non-2xx answer (3xx included: redirects are not followed). */
  | 'http_status'
  /** A response body larger than maxResponseBytes. */
  | 'too_large'
  /** The evaluate response is not JSON of the form {"token": "<JWT>"}. */
  | 'bad_response'
  /** The keys_url response is not a usable JWKS. */
  | 'bad_jwks'
  /** The answer's signature does not verify against keys_url (or no key matches). */
  | 'bad_signature'
  /** The answer token is malformed, not yet valid, or uses a refused algorithm. */
  | 'bad_token'
  /** The answer token has expired. */
  | 'expired'
  /** The answer does not echo the nonce that was sent. */
  | 'nonce_mismatch'
  /** The answer has no boolean `success` claim. */
  | 'missing_success'
  /** The request token could not be signed (misconfigured signing key). */
  | 'signing';

export class ExternalEvaluationError extends Error {
  readonly code: ExternalEvaluationErrorCode;
  /** For `http_status`: the status the endpoint answered. */
  readonly status?: number;
  constructor(code: ExternalEvaluationErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options);
    this.name = 'ExternalEvaluationError';
    this.code = code;
    if (options?.status !== undefined) this.status = options.status;
  }
}

export interface SigningKeyOption {
  /** Private key that signs the request tokens. */
  readonly key: jose.CryptoKey | jose.KeyObject;
  /** Key id, put in the JWT header and in publicJwks(). */
  readonly kid: string;
  /** JWS algorithm; inferred from the key when absent (EC P-256 → ES256, RSA → RS256, Ed25519 → EdDSA). */
  readonly alg?: string;
  /** The public half as a JWK, for publicJwks(); derived from the key when absent and possible. */
  readonly publicJwk?: jose.JWK;
}

export interface ExternalEvaluatorOptions {
  /** Key for signing request tokens; default: an ES256 key pair generated once, at creation. */
  readonly signingKey?: SigningKeyOption;
  /** Limit for the whole evaluation, evaluate request and JWKS fetch together. Default 5000. */
  readonly timeoutMs?: number;
  /** Host names, IPs or CIDRs that may be reached even though they are not public. */
  readonly allowlist?: readonly string[];
  /** Largest accepted response body (evaluate and keys). Default 64 KiB. */
  readonly maxResponseBytes?: number;
  /** How long a keys_url's JWKS is reused. Default 5 minutes. */
  readonly jwksCacheMs?: number;
  /** `iss` of request tokens. Default "portcullis". */
  readonly issuer?: string;
  /** `aud` of request tokens. Default "portcullis". */
  readonly audience?: string;
  /** Lifetime of request tokens in seconds. Default 60. */
  readonly tokenTtlSeconds?: number;
  /** Leeway for the answer's exp/nbf, in seconds. Default 5. */
  readonly clockToleranceSeconds?: number;
  /** Host name resolver; default node:dns lookup (all addresses). For tests. */
  readonly resolver?: Resolver;
  /** The clock of the JWKS cache and its refetch cooldown; default Date.now. For tests. */
  readonly now?: () => number;
}

/** The key that signs one evaluation's request token. */
export interface RequestSigningKey {
  readonly key: jose.CryptoKey | jose.KeyObject;
  readonly kid: string;
  readonly alg: string;
}

/**
 * What evaluators can share whatever key signs their requests: the connection pool, the calls in
 * flight per endpoint URL and the keys_url JWKS cache all belong to the endpoint, not to the
 * signer. The server keeps one for every account (server/account-evaluators.ts).
 */
export interface ExternalEvaluationClient {
  /** Ask the rule's endpoint about the identity, the request token signed with the key `signingKey` gives (awaited within the timeout). */
  evaluate(rule: ExternalEvaluationRule, identity: Identity, signingKey: () => Promise<RequestSigningKey>): Promise<boolean>;
  /** Drop idle pooled connections. The client still works afterwards. */
  close(): void;
}

export interface PortcullisExternalEvaluator extends ExternalEvaluator {
  /** The public keys that verify request tokens, to give to endpoint authors. */
  publicJwks(): Promise<jose.JSONWebKeySet>;
  /** Drop idle pooled connections. The evaluator still works afterwards. */
  close(): void;
}

/** Algorithms accepted on answers: asymmetric only (no "none", no shared-secret HMAC). */
const ANSWER_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
/** Most keys_url JWKS cached at once (inline policies in the tester can name any URL). */
const JWKS_CACHE_LIMIT = 256;
/**
 * Least time between two fetches of one keys_url made because an answer did not verify (jose's
 * createRemoteJWKSet cooldownDuration), or because the last fetch failed: neither a forged answer
 * nor a failing key server can make every call fetch the keys again.
 */
export const JWKS_REFETCH_COOLDOWN_MS = 30_000;
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'];

interface PreparedKey {
  readonly key: jose.CryptoKey | jose.KeyObject;
  readonly kid: string;
  readonly alg: string;
  /** The public JWK, or why there is none. */
  readonly publicJwk: jose.JWK | Error;
}

/** The last fetch of a keys_url, begun (the refetch cooldown counts from then), and how it failed if it did. */
interface JwksFetch {
  readonly startedAt: number;
  failure?: ExternalEvaluationError;
}

interface CachedJwks {
  readonly keySet: jose.LocalJWKSet;
  /**
   * When its fetch began: it goes stale jwksCacheMs later, and the refetch cooldown counts from
   * here when lastJwksFetch has already forgotten its keys_url (over JWKS_CACHE_LIMIT other fetches).
   */
  readonly fetchedAt: number;
}

/** An evaluator that signs with one key: options.signingKey, or a key pair made now. */
export function createExternalEvaluator(options: ExternalEvaluatorOptions = {}): PortcullisExternalEvaluator {
  const client = createExternalEvaluationClient(options);
  const keyPromise = prepareKey(options.signingKey);
  keyPromise.catch(() => {}); // surfaced on use, not as an unhandled rejection
  return {
    evaluate: (rule, identity) => client.evaluate(rule, identity, () => keyPromise),

    async publicJwks(): Promise<jose.JSONWebKeySet> {
      const key = await keyPromise;
      if (key.publicJwk instanceof Error) throw key.publicJwk;
      return { keys: [{ ...key.publicJwk, kid: key.kid, alg: key.alg, use: 'sig' }] };
    },

    close: () => client.close(),
  };
}

/** A client that signs each evaluation with the key it is given (see ExternalEvaluationClient). */
export function createExternalEvaluationClient(options: Omit<ExternalEvaluatorOptions, 'signingKey'> = {}): ExternalEvaluationClient {
  const timeoutMs = positive(options.timeoutMs, 5000, 'timeoutMs');
  const maxResponseBytes = positive(options.maxResponseBytes, 64 * 1024, 'maxResponseBytes');
  const jwksCacheMs = nonNegative(options.jwksCacheMs, 5 * 60 * 1000, 'jwksCacheMs');
  const tokenTtl = positive(options.tokenTtlSeconds, 60, 'tokenTtlSeconds');
  const clockTolerance = nonNegative(options.clockToleranceSeconds, 5, 'clockToleranceSeconds');
  const issuer = options.issuer ?? 'portcullis';
  const audience = options.audience ?? 'portcullis';
  const allowlist: Allowlist = compileAllowlist(options.allowlist ?? []);
  const resolver = options.resolver;
  const now = options.now ?? Date.now;
  const agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_HOST }),
    https: new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_HOST }),
  };
  // Fewer calls per URL than sockets per host: a path that never answers cannot starve the others.
  const slots = new EndpointSlots();
  const jwksCache = new Map<string, CachedJwks>();
  /** Fetches under way, per keys_url: concurrent evaluations share one. */
  const jwksFetches = new Map<string, Promise<CachedJwks>>();
  /** The last fetch of each keys_url (a failed one included), for the refetch cooldown. */
  const lastJwksFetch = new Map<string, JwksFetch>();

  async function request(url: string, what: string, init: { method: 'GET' | 'POST'; body?: string }, signal: AbortSignal): Promise<GuardedResponse> {
    let res: GuardedResponse;
    let release: (() => void) | undefined;
    try {
      release = await slots.acquire(url, signal);
      res = await guardedRequest(url, {
        method: init.method,
        headers: {
          accept: 'application/json',
          'user-agent': 'portcullis-external-evaluation',
          ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: init.body,
        signal,
        allowlist,
        maxResponseBytes,
        resolver,
        agents,
      });
    } catch (err) {
      if (err instanceof ExternalEvaluationError) throw err; // the timeout, as the abort reason
      if (err instanceof OutboundRequestError) {
        const code: ExternalEvaluationErrorCode =
          err.code === 'forbidden_url' || err.code === 'forbidden_address'
            ? 'blocked'
            : err.code === 'too_large'
              ? 'too_large'
              : 'network';
        throw new ExternalEvaluationError(code, `${what} ${url}: ${err.message}`, { cause: err });
      }
      throw new ExternalEvaluationError('network', `${what} ${url} failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    } finally {
      // guardedRequest has settled: the response was read, or the request destroyed (its socket freed).
      release?.();
    }
    if (res.status < 200 || res.status > 299) {
      const redirect = res.status >= 300 && res.status <= 399 ? ' (redirects are not followed)' : '';
      throw new ExternalEvaluationError('http_status', `${what} ${url} answered HTTP ${res.status}${redirect}.`, { status: res.status });
    }
    return res;
  }

  /**
   * Fetch keys_url, or join a fetch of it already under way. The fetch runs on its own deadline
   * (timeoutMs, as an evaluation), not on the signal of the evaluation that started it, so an
   * evaluation that ends early does not fail the others that joined; each still waits only until
   * its own signal aborts.
   */
  function fetchJwks(keysUrl: string, signal: AbortSignal): Promise<CachedJwks> {
    let fetching = jwksFetches.get(keysUrl);
    if (fetching === undefined) {
      const record: JwksFetch = { startedAt: now() };
      lastJwksFetch.delete(keysUrl);
      lastJwksFetch.set(keysUrl, record);
      while (lastJwksFetch.size > JWKS_CACHE_LIMIT) lastJwksFetch.delete(lastJwksFetch.keys().next().value as string);
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new ExternalEvaluationError('timeout', `Keys URL ${keysUrl} did not answer within ${timeoutMs} ms.`)), timeoutMs);
      fetching = fetchJwksNow(keysUrl, controller.signal)
        .catch((err: unknown) => {
          record.failure = err instanceof ExternalEvaluationError ? err : new ExternalEvaluationError('network', `Keys URL ${keysUrl} failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
          throw record.failure;
        })
        .finally(() => {
          clearTimeout(timer);
          jwksFetches.delete(keysUrl);
        });
      fetching.catch(() => {}); // each joiner sees the rejection; none is left unhandled
      jwksFetches.set(keysUrl, fetching);
    }
    return abortable(fetching, signal);
  }

  async function fetchJwksNow(keysUrl: string, signal: AbortSignal): Promise<CachedJwks> {
    const fetchedAt = now();
    const res = await request(keysUrl, 'Keys URL', { method: 'GET' }, signal);
    let json: unknown;
    try {
      json = JSON.parse(res.body.toString('utf8'));
    } catch (err) {
      throw new ExternalEvaluationError('bad_jwks', `Keys URL ${keysUrl} did not return JSON.`, { cause: err });
    }
    let keySet: jose.LocalJWKSet;
    try {
      keySet = jose.createLocalJWKSet(json as jose.JSONWebKeySet);
    } catch (err) {
      throw new ExternalEvaluationError('bad_jwks', `Keys URL ${keysUrl} did not return a JWKS: ${(err as Error).message}`, { cause: err });
    }
    const entry: CachedJwks = { keySet, fetchedAt };
    if (jwksCacheMs > 0) {
      jwksCache.delete(keysUrl);
      jwksCache.set(keysUrl, entry);
      while (jwksCache.size > JWKS_CACHE_LIMIT) jwksCache.delete(jwksCache.keys().next().value as string);
    }
    return entry;
  }

  /** The cached JWKS when fresh, else undefined (and a stale one is dropped). */
  function freshJwks(keysUrl: string): CachedJwks | undefined {
    const cached = jwksCache.get(keysUrl);
    if (cached !== undefined && now() - cached.fetchedAt < jwksCacheMs) return cached;
    if (cached !== undefined) jwksCache.delete(keysUrl);
    return undefined;
  }

  /**
   * Throw again the failure of keys_url's last fetch while it is within the refetch cooldown: with
   * no usable keys the evaluation fails closed at once, without fetching or asking the endpoint.
   */
  function refuseWithinFailureCooldown(keysUrl: string): void {
    const last = lastJwksFetch.get(keysUrl);
    if (last?.failure === undefined || now() - last.startedAt >= JWKS_REFETCH_COOLDOWN_MS) return;
    const { code, status, message } = last.failure;
    throw new ExternalEvaluationError(code, `${message} (the last fetch of these keys; the next is not made until ${JWKS_REFETCH_COOLDOWN_MS / 1000} s after it began)`, {
      cause: last.failure,
      ...(status !== undefined ? { status } : {}),
    });
  }

  async function verifyAnswer(token: string, keySet: jose.LocalJWKSet, rule: ExternalEvaluationRule): Promise<jose.JWTPayload> {
    try {
      const { payload } = await jose.jwtVerify(token, keySet, { algorithms: ANSWER_ALGORITHMS, clockTolerance });
      return payload;
    } catch (err) {
      const code = (err as { code?: string })?.code;
      const reason = (err as Error)?.message ?? String(err);
      if (code === 'ERR_JWT_EXPIRED') throw new ExternalEvaluationError('expired', `The answer of ${rule.evaluateUrl} has expired.`, { cause: err });
      if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' || code === 'ERR_JWKS_NO_MATCHING_KEY' || code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') {
        throw new ExternalEvaluationError('bad_signature', `The answer of ${rule.evaluateUrl} does not verify against ${rule.keysUrl}: ${reason}`, { cause: err });
      }
      throw new ExternalEvaluationError('bad_token', `The answer of ${rule.evaluateUrl} is not a valid token: ${reason}`, { cause: err });
    }
  }

  async function run(rule: ExternalEvaluationRule, identity: Identity, signingKey: () => Promise<RequestSigningKey>, signal: AbortSignal): Promise<boolean> {
    const cached = freshJwks(rule.keysUrl);
    if (cached === undefined) refuseWithinFailureCooldown(rule.keysUrl);
    const nonce = randomBytes(32).toString('base64url');
    let requestToken: string;
    try {
      const key = await abortable(signingKey(), signal);
      requestToken = await new jose.SignJWT({ identity: identity as unknown as jose.JWTPayload[string], nonce })
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(`${tokenTtl}s`)
        .sign(key.key);
    } catch (err) {
      throw new ExternalEvaluationError('signing', `Could not sign the request token: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    }

    const [response, keys] = await Promise.all([
      request(rule.evaluateUrl, 'Evaluate URL', { method: 'POST', body: JSON.stringify({ token: requestToken }) }, signal),
      cached ?? fetchJwks(rule.keysUrl, signal),
    ]);

    let answerToken: unknown;
    try {
      answerToken = (JSON.parse(response.body.toString('utf8')) as { token?: unknown } | null)?.token;
    } catch (err) {
      throw new ExternalEvaluationError('bad_response', `Evaluate URL ${rule.evaluateUrl} did not return JSON.`, { cause: err });
    }
    if (typeof answerToken !== 'string' || answerToken === '') {
      throw new ExternalEvaluationError('bad_response', `Evaluate URL ${rule.evaluateUrl} did not return {"token": "<JWT>"}.`);
    }

    let payload: jose.JWTPayload;
    try {
      payload = await verifyAnswer(answerToken, keys.keySet, rule);
    } catch (err) {
      // The endpoint may have rotated its key since the JWKS was fetched: fetch it again, unless it
      // was fetched within the cooldown (a forged answer would otherwise fetch it on every call).
      // The newest JWKS is used, even one another evaluation fetched meanwhile.
      // A failed fetch counts too, so a forged answer and a failing keys_url cannot either.
      if (!(err instanceof ExternalEvaluationError && err.code === 'bad_signature')) throw err;
      const lastFetch = lastJwksFetch.get(rule.keysUrl)?.startedAt ?? keys.fetchedAt;
      const refreshed = now() - lastFetch >= JWKS_REFETCH_COOLDOWN_MS ? await fetchJwks(rule.keysUrl, signal) : (jwksCache.get(rule.keysUrl) ?? keys);
      if (refreshed === keys) throw err;
      payload = await verifyAnswer(answerToken, refreshed.keySet, rule);
    }

    if (payload.nonce !== nonce) {
      throw new ExternalEvaluationError('nonce_mismatch', `The answer of ${rule.evaluateUrl} does not echo the request's nonce.`);
    }
    if (typeof payload.success !== 'boolean') {
      throw new ExternalEvaluationError('missing_success', `The answer of ${rule.evaluateUrl} has no boolean "success" claim.`);
    }
    return payload.success;
  }

  return {
    async evaluate(rule: ExternalEvaluationRule, identity: Identity, signingKey: () => Promise<RequestSigningKey>): Promise<boolean> {
      const controller = new AbortController();
      const timer = setTimeout(() => {
        controller.abort(
          new ExternalEvaluationError('timeout', `External evaluation via ${rule.evaluateUrl} did not finish within ${timeoutMs} ms.`),
        );
      }, timeoutMs);
      try {
        return await run(rule, identity, signingKey, controller.signal);
      } catch (err) {
        const reason: unknown = controller.signal.reason;
        if (controller.signal.aborted && reason instanceof ExternalEvaluationError) throw reason;
        throw err;
      } finally {
        clearTimeout(timer);
        // Stops whatever is still in flight (the other request, when one of them failed).
        if (!controller.signal.aborted) controller.abort();
      }
    },

    close(): void {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, got ${value}.`);
  return value;
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a non-negative number, got ${value}.`);
  return value;
}

async function prepareKey(option: SigningKeyOption | undefined): Promise<PreparedKey> {
  if (option === undefined) {
    const { privateKey, publicKey } = await jose.generateKeyPair('ES256', { extractable: true });
    const publicJwk = await jose.exportJWK(publicKey);
    const kid = await jose.calculateJwkThumbprint(publicJwk);
    return { key: privateKey, kid, alg: 'ES256', publicJwk };
  }
  if (typeof option.kid !== 'string' || option.kid === '') throw new TypeError('signingKey.kid must be a non-empty string.');
  let publicJwk: jose.JWK | Error;
  try {
    publicJwk = option.publicJwk !== undefined ? stripPrivate(option.publicJwk) : await derivePublicJwk(option.key);
  } catch (err) {
    publicJwk = new Error(`Cannot derive the public key of signingKey (${(err as Error)?.message ?? String(err)}); pass signingKey.publicJwk.`);
  }
  const jwk = publicJwk instanceof Error ? undefined : publicJwk;
  const alg = option.alg ?? jwk?.alg ?? algFromCryptoKey(option.key) ?? (jwk === undefined ? undefined : algFromJwk(jwk));
  if (alg === undefined) throw new TypeError('Cannot infer the signing algorithm of signingKey; pass signingKey.alg.');
  return { key: option.key, kid: option.kid, alg, publicJwk };
}

async function derivePublicJwk(key: jose.CryptoKey | jose.KeyObject): Promise<jose.JWK> {
  if (key instanceof NodeKeyObject) {
    const pub = key.type === 'private' ? createPublicKey(key) : key;
    return stripPrivate(pub.export({ format: 'jwk' }) as jose.JWK);
  }
  return stripPrivate(await jose.exportJWK(key));
}

function stripPrivate(jwk: jose.JWK): jose.JWK {
  const out: Record<string, unknown> = { ...jwk };
  for (const member of PRIVATE_JWK_MEMBERS) delete out[member];
  delete out.key_ops;
  delete out.ext;
  return out as jose.JWK;
}

function algFromJwk(jwk: jose.JWK): string | undefined {
  if (jwk.kty === 'EC') return jwk.crv === 'P-256' ? 'ES256' : jwk.crv === 'P-384' ? 'ES384' : jwk.crv === 'P-521' ? 'ES512' : undefined;
  if (jwk.kty === 'RSA') return 'RS256';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  return undefined;
}

function algFromCryptoKey(key: jose.CryptoKey | jose.KeyObject): string | undefined {
  if (key instanceof NodeKeyObject) return undefined;
  const algorithm = (key as { algorithm?: { name?: string; namedCurve?: string; hash?: { name?: string } } }).algorithm;
  const bits = algorithm?.hash?.name?.replace('SHA-', '');
  switch (algorithm?.name) {
    case 'ECDSA':
      return algorithm.namedCurve === 'P-256' ? 'ES256' : algorithm.namedCurve === 'P-384' ? 'ES384' : algorithm.namedCurve === 'P-521' ? 'ES512' : undefined;
    case 'RSASSA-PKCS1-v1_5':
      return bits !== undefined ? `RS${bits}` : undefined;
    case 'RSA-PSS':
      return bits !== undefined ? `PS${bits}` : undefined;
    case 'Ed25519':
      return 'EdDSA';
    default:
      return undefined;
  }
}
