// The key an account signs its SAML authentication requests with (for identity providers whose
// config asks for signed requests, `sign_request`), and its self-signed certificate, which the SP
// metadata publishes. One per account, made on first use and kept: identity providers are given
// the certificate once, so it must not change under them (the account's token-signing keys rotate,
// which is why they are not used). Stored as a `saml_sp_key` resource whose private key the store
// seals at rest (schema/secret-fields.ts). docs/identity-providers.md "SAML 2.0".

import type { Store } from '../store/store.js';
import { selfSignedCertificate, type KeyAndCertificate } from './self-signed-certificate.js';

/** How long the certificate is valid (identity providers that check it warn near the end). */
export const SP_CERTIFICATE_DAYS = 20 * 365;

interface SpKeyBody {
  readonly certificate_pem: string;
  readonly private_key_pem: string;
}

/** Accounts whose SP key SamlSpKeys keeps at once. */
const MAX_KEPT_ACCOUNTS = 1_000;

export class SamlSpKeys {
  private readonly cache = new Map<string, Promise<KeyAndCertificate>>();

  constructor(
    private readonly store: Store,
    /**
     * Accounts whose key is kept at most, the first kept first out: a server of many accounts
     * kept every one it ever signed a request for, for good. One pushed out is read again.
     */
    private readonly maxAccounts = MAX_KEPT_ACCOUNTS,
  ) {}

  /** The account's SP key and certificate (made once, even when several requests ask at once). */
  get(accountId: string): Promise<KeyAndCertificate> {
    const cached = this.cache.get(accountId);
    if (cached !== undefined) return cached;
    const loaded = this.load(accountId);
    this.cache.set(accountId, loaded);
    if (this.cache.size > this.maxAccounts) this.cache.delete(this.cache.keys().next().value!);
    loaded.catch(() => this.cache.delete(accountId));
    return loaded;
  }

  private async load(accountId: string): Promise<KeyAndCertificate> {
    const stored = await this.store.read.getResource(accountId, 'saml_sp_key', accountId);
    if (stored !== undefined) return keyOf(stored.body);
    const made = await selfSignedCertificate(`portcullis SAML service provider ${accountId}`, SP_CERTIFICATE_DAYS);
    // Another instance may have made it meanwhile: the transaction looks again and keeps the first.
    return this.store.transaction(accountId, async (tx) => {
      const again = await tx.getResource(accountId, 'saml_sp_key', accountId);
      if (again !== undefined) return keyOf(again.body);
      const body: SpKeyBody = { certificate_pem: made.certificatePem, private_key_pem: made.privateKeyPem };
      await tx.insertResource({ accountId, kind: 'saml_sp_key', id: accountId, parentId: null, name: 'SAML service provider key', body: { ...body }, secretHash: null, createdAt: new Date().toISOString() }, []);
      return made;
    });
  }
}

function keyOf(body: Record<string, unknown>): KeyAndCertificate {
  const { certificate_pem, private_key_pem } = body as unknown as SpKeyBody;
  return { certificatePem: certificate_pem, privateKeyPem: private_key_pem };
}
