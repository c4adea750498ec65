// The binding cookie (an application's enable_binding_cookie; docs/enforcement.md "Binding
// cookie"): beside the CF_Authorization cookie a sign-in sets CF_Binding, a value only the
// account's servers can make from that token (an HMAC keyed by a secret derived from the key
// that signed it), and a session on such an application needs both. A token that leaked alone
// (from the Cf-Access-Jwt-Assertion header an origin logs, say) then opens nothing; the
// generated proxy configurations strip CF_Binding before the request reaches the origin.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import type { SigningKey } from '../account/signing-keys.js';

export const BINDING_COOKIE = 'CF_Binding';

/** Whether the application asks for the binding cookie. */
export const bindsSessions = (app: { readonly body: Readonly<Record<string, unknown>> }): boolean => app.body.enable_binding_cookie === true;

/** The binding value of a token signed by one of `keys`; undefined when its header names none of them. */
export function bindingFor(token: string, keys: readonly SigningKey[]): string | undefined {
  let kid: unknown;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    return undefined;
  }
  const key = keys.find((k) => k.kid === kid);
  return key === undefined ? undefined : createHmac('sha256', key.bindingSecret).update(token).digest('base64url');
}

/** Whether `cookie` is the token's binding value. Fails closed: no cookie, no key, no match. */
export function bindingHolds(token: string, cookie: string | undefined, keys: readonly SigningKey[]): boolean {
  if (cookie === undefined) return false;
  const expected = bindingFor(token, keys);
  if (expected === undefined) return false;
  const given = Buffer.from(cookie);
  const wanted = Buffer.from(expected);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

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
