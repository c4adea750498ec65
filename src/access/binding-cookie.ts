// The binding cookie (an application's enable_binding_cookie; docs/enforcement.md "Binding
// cookie"): beside the CF_Authorization cookie a sign-in sets CF_Binding, a value only the
// account's servers can make from that token (an HMAC keyed by a secret derived from the key
// that signed it), and a session on such an application needs both. A token that leaked alone
// (from the Cf-Access-Jwt-Assertion header an origin logs, say) then opens nothing, and
// /cdn-cgi/access/authorized makes no binding for it without its sign-in's hand-off proof; the
// generated proxy configurations strip CF_Binding before the request reaches the origin.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import type { SigningKey } from '../account/signing-keys.js';

export const BINDING_COOKIE = 'CF_Binding';

/** Whether the application asks for the binding cookie. */
export const bindsSessions = (app: { readonly body: Readonly<Record<string, unknown>> }): boolean => app.body.enable_binding_cookie === true;

/**
 * The query parameter of /cdn-cgi/access/authorized that proves a sign-in made the token it
 * carries (handoffProof): without it, a token that leaked on its own would be given a binding
 * cookie there, and the binding would guard nothing.
 */
export const HANDOFF_PROOF_PARAM = 'binding_proof';

/** An HMAC of the token under the binding secret of the key that signed it (one of `keys`); undefined when its header names none of them. */
function keyedDigest(token: string, keys: readonly SigningKey[], purpose: 'binding' | 'handoff'): string | undefined {
  // The binding is the token's plain HMAC (sessions already kept hold it); the hand-off proof is
  // apart from it (a JWT never starts with this prefix), so a URL never carries the cookie's value.
  return tokenKeyedDigest(token, keys, purpose === 'binding' ? token : `handoff\n${token}`);
}

/**
 * An HMAC of `message` under the binding secret of the key that signed `token` (one of `keys`):
 * only the account's servers can make it, and only for a token they signed. Undefined when the
 * token's header names none of the keys. `message` must say what it is for, apart from every other use.
 */
export function tokenKeyedDigest(token: string, keys: readonly SigningKey[], message: string): string | undefined {
  let kid: unknown;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    return undefined;
  }
  const key = keys.find((k) => k.kid === kid);
  if (key === undefined) return undefined;
  return createHmac('sha256', key.bindingSecret).update(message).digest('base64url');
}

/** Whether `given` is `expected`, in constant time. Fails closed: nothing given or expected, no match. */
export function sameDigest(given: string | undefined, expected: string | undefined): boolean {
  if (given === undefined || expected === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The binding value of a token signed by one of `keys`; undefined when its header names none of them. */
export const bindingFor = (token: string, keys: readonly SigningKey[]): string | undefined => keyedDigest(token, keys, 'binding');

/** Whether `cookie` is the token's binding value. Fails closed: no cookie, no key, no match. */
export const bindingHolds = (token: string, cookie: string | undefined, keys: readonly SigningKey[]): boolean => sameDigest(cookie, bindingFor(token, keys));

/** What a sign-in hands over beside a token of an application that binds sessions (HANDOFF_PROOF_PARAM). */
export const handoffProof = (token: string, keys: readonly SigningKey[]): string | undefined => keyedDigest(token, keys, 'handoff');

/** Whether `proof` is the token's hand-off proof. Fails closed. */
export const handoffHolds = (token: string, proof: string | undefined, keys: readonly SigningKey[]): boolean => sameDigest(proof, handoffProof(token, keys));

/** The kind of the record that a hand-off proof was used (the store's sign-ins under way). */
export const USED_PROOF_KIND = 'used_binding_proof';

/**
 * The id a hand-off proof's use on `host` is recorded under: a proof opens one session on each
 * host a sign-in passes through (its preset hosts each take it once), never a second. A digest,
 * so that the database holds no proof.
 */
export const usedProofId = (proof: string, host: string): string => `binding_proof:${createHash('sha256').update(`${host}\n${proof}`).digest('base64url')}`;

/**
 * A `Cookie` header without its `CF_Binding` pairs (every one, wherever it is); undefined when
 * nothing else is left. The forward-auth answer hands it to a proxy that can only replace the
 * upstream's header, not edit it (Traefik: docs/enforcement.md "Traefik and Envoy").
 */
export function withoutBindingCookie(header: string | undefined): string | undefined {
  const kept = (header ?? '')
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => pair !== '' && pair.split('=', 1)[0]!.trim() !== BINDING_COOKIE);
  return kept.length === 0 ? undefined : kept.join('; ');
}
