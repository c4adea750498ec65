// Seals the secret fields of resource bodies on their way into the database and opens them on
// the way out, so that everything above the store sees plain values and the database never does.

import { mapSecrets, SECRET_FIELDS } from '../schema/secret-fields.js';
import { isSealed, SecretKeyError, type SecretKeyRing } from './secret-box.js';

export interface KeyRingSource {
  /** The ring in use. */
  readonly ring: SecretKeyRing;
  /**
   * Read the ring again (the key file may have been rotated by another process); called once
   * when a stored value names a key the ring does not hold.
   */
  reload?(): SecretKeyRing;
  /**
   * The ring as its source holds it now, cheaply (the same object while nothing changed);
   * called before each seal, so that new secrets are sealed with the key a rotation by another
   * process made current, never with one it is about to retire.
   */
  latest?(): SecretKeyRing;
}

/** Kinds whose bodies may hold secrets. */
export const KINDS_WITH_SECRETS: readonly string[] = Object.keys(SECRET_FIELDS);

export class SecretSealer {
  private ring: SecretKeyRing;

  constructor(private readonly source: KeyRingSource) {
    this.ring = source.ring;
  }

  get keyRing(): SecretKeyRing {
    return this.ring;
  }

  seal(kind: string, body: Record<string, unknown>): Record<string, unknown> {
    if (this.source.latest !== undefined && KINDS_WITH_SECRETS.includes(kind)) this.ring = this.source.latest();
    return mapSecrets(kind, body, (value) => this.ring.seal(value));
  }

  /** `body` with its sealed secrets opened; a value stored before sealing existed is read as it is. */
  open(kind: string, body: Record<string, unknown>): Record<string, unknown> {
    return mapSecrets(kind, body, (value) => (isSealed(value) ? this.openOne(value) : value));
  }

  private openOne(sealed: string): unknown {
    try {
      return this.ring.open(sealed);
    } catch (err) {
      if (!(err instanceof SecretKeyError) || this.source.reload === undefined) throw err;
      const fresh = this.source.reload();
      if (fresh === this.ring) throw err;
      this.ring = fresh;
      return this.ring.open(sealed);
    }
  }

  /**
   * `body` with every secret sealed by the current key: legacy plain values sealed, values of
   * older keys opened and sealed again. Undefined when nothing needs to change. Throws a
   * SecretKeyError when a value opens with no key of the ring.
   */
  resealed(kind: string, body: Record<string, unknown>): Record<string, unknown> | undefined {
    let changed = false;
    const next = mapSecrets(kind, body, (value) => {
      if (isSealed(value) && this.ring.sealedByCurrent(value)) {
        this.ring.open(value); // proves the value is intact
        return value;
      }
      changed = true;
      return this.ring.seal(isSealed(value) ? this.ring.open(value) : value);
    });
    return changed ? next : undefined;
  }
}
