// Which fields of each stored resource are secrets, in one table. Every rule about secrets reads
// it: the store seals them at rest and redacts them in the audit log, GET leaves them out, a
// replace that omits one keeps the stored value, and the OpenAPI document marks them writeOnly.
// docs/operations.md ("Secrets") lists the table.

import { isObject } from '../engine/is-object.js';

/** Where secrets sit in a resource's body. */
export interface SecretContainer {
  /** The path from the body to the object that holds the secrets ([] is the body itself). */
  readonly at: readonly string[];
  /** The secret fields this object is documented to have. */
  readonly fields: readonly string[];
  /**
   * The object is open (it keeps fields beyond those documented, as provider settings do), so
   * any other field whose name says it holds a credential is a secret too.
   */
  readonly open: boolean;
}

/** Secret fields per stored resource kind; a kind not listed has none in its body. */
export const SECRET_FIELDS: Readonly<Record<string, readonly SecretContainer[]>> = {
  identity_provider: [
    { at: ['config'], fields: ['client_secret'], open: true },
    { at: ['scim_config'], fields: ['secret'], open: false },
  ],
  app: [
    { at: ['saas_app'], fields: ['client_secret'], open: true },
    { at: ['scim_config', 'authentication'], fields: ['password', 'token', 'client_secret'], open: true },
  ],
  /** The key that signs an account's application tokens (docs/enforcement.md). */
  signing_key: [{ at: [], fields: ['private_jwk'], open: false }],
  /** The key that signs an account's SAML authentication requests (docs/identity-providers.md). */
  saml_sp_key: [{ at: [], fields: ['private_key_pem'], open: false }],
  /** A rotated service token's previous secret hash, kept for its grace period (api/resources/service-tokens.ts). */
  service_token: [{ at: [], fields: ['previous_secret_hash'], open: false }],
};

/**
 * A field name that says it holds a credential: one ending in secret, password, passphrase,
 * token, api_key, signing_key or private_key(_pem). `token_url` or `public_key` do not.
 */
const CREDENTIAL_NAME = /(^|_)(secret|password|passphrase|token|api_key|signing_key|private_key|private_key_pem)$/i;

export const isCredentialName = (name: string): boolean => CREDENTIAL_NAME.test(name);

/**
 * The objects at `at` that hold secrets: the object there, or each object of an array there
 * (Cloudflare takes an application's `scim_config.authentication` as one scheme or a list of them).
 */
function holdersIn(body: Record<string, unknown>, at: readonly string[]): Record<string, unknown>[] {
  let node: unknown = body;
  for (const step of at) node = isObject(node) ? node[step] : undefined;
  if (Array.isArray(node)) return node.filter(isObject);
  return isObject(node) ? [node] : [];
}

/** The secret fields present in one container, by name. */
function secretNames(container: SecretContainer, holder: Record<string, unknown>): string[] {
  return Object.keys(holder).filter((name) => holder[name] !== undefined && (container.fields.includes(name) || (container.open && isCredentialName(name))));
}

/** A copy of `body` with each secret replaced by `replace(value)` (or left out when it answers undefined). */
export function mapSecrets(kind: string, body: Record<string, unknown>, replace: (value: unknown) => unknown): Record<string, unknown> {
  const containers = SECRET_FIELDS[kind];
  if (containers === undefined) return body;
  let copy: Record<string, unknown> | undefined;
  for (const container of containers) {
    if (!holdersIn(copy ?? body, container.at).some((holder) => secretNames(container, holder).length > 0)) continue;
    copy ??= structuredClone(body);
    for (const target of holdersIn(copy, container.at)) {
      for (const name of secretNames(container, target)) {
        const next = replace(target[name]);
        if (next === undefined) delete target[name];
        else target[name] = next;
      }
    }
  }
  return copy ?? body;
}

/** `body` without its secrets, as GET answers it. */
export const withoutSecrets = (kind: string, body: Record<string, unknown>): Record<string, unknown> => mapSecrets(kind, body, () => undefined);

/** `body` with its secrets shown as "[redacted]", as the audit log keeps it. */
export const redactedSecrets = (kind: string, body: Record<string, unknown>): Record<string, unknown> => mapSecrets(kind, body, () => '[redacted]');

/**
 * `next` with the stored secrets of `stored` that it leaves out put back, so that a value read
 * by GET (which never shows them) and sent back keeps working. Only into containers `next` has
 * (in a list, the entry at the same place), and only when the container keeps its `scheme`.
 */
export function keepOmittedSecrets(kind: string, next: Record<string, unknown>, stored: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const container of SECRET_FIELDS[kind] ?? []) {
    const olds = holdersIn(stored, container.at);
    const fresh = holdersIn(next, container.at);
    olds.forEach((old, i) => {
      if (fresh[i] === undefined || fresh[i]!.scheme !== old.scheme) return;
      for (const name of secretNames(container, old)) {
        if (holdersIn(copy ?? next, container.at)[i]![name] !== undefined) continue;
        copy ??= structuredClone(next);
        holdersIn(copy, container.at)[i]![name] = old[name];
      }
    });
  }
  return copy ?? next;
}

/** Descriptions of the table for documents: "config.client_secret", "config.* named like a credential". */
export function secretFieldPaths(kind: string): string[] {
  return (SECRET_FIELDS[kind] ?? []).flatMap((c) => [...c.fields.map((f) => [...c.at, f].join('.')), ...(c.open ? [`${[...c.at, '*'].join('.')} named like a credential`] : [])]);
}
