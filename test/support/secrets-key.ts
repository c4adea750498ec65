// The key ring test stores seal secrets with: one fixed key, so that every store a test opens
// on the same database (a reopen, a second process's view) opens what the others sealed.

import { parseSecretKey, SecretKeyRing } from '../../src/store/secret-box.js';
import type { KeyRingSource } from '../../src/store/secret-sealer.js';

export const TEST_SECRETS_KEY = Buffer.alloc(32, 0x5a).toString('base64');

export const testKeys = (): KeyRingSource => ({ ring: new SecretKeyRing([parseSecretKey(TEST_SECRETS_KEY)]) });
