// Self-signed X.509 certificates: the SAML service provider's (for the identity provider to check
// signed requests) and one per token-signing key (Cloudflare's public_cert(s) at
// /cdn-cgi/access/certs). Node's crypto reads certificates but cannot make them; node-forge
// builds them (sha256WithRSAEncryption, a common name, digitalSignature only, not a CA).

import { createPrivateKey, createPublicKey, generateKeyPair as generateKeyPairCallback, randomBytes, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

const generateKeyPair = promisify(generateKeyPairCallback);
const DAY_MS = 24 * 3600 * 1000;

export interface KeyAndCertificate {
  /** PKCS#8 PEM. */
  readonly privateKeyPem: string;
  /** X.509 PEM. */
  readonly certificatePem: string;
}

/** A certificate for a key pair, signed by itself, valid from a minute before `now` for `days`. */
export function certificateFor(commonName: string, publicKey: KeyObject, privateKey: KeyObject, days: number, now = new Date()): string {
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  const serial = randomBytes(16);
  // Positive and minimally encoded: the first byte is 0x40..0x7f.
  serial[0] = (serial[0]! & 0x3f) | 0x40;
  certificate.serialNumber = serial.toString('hex');
  certificate.validity.notBefore = new Date(now.getTime() - 60_000);
  certificate.validity.notAfter = new Date(now.getTime() + days * DAY_MS);
  const name = [{ name: 'commonName', value: commonName }];
  certificate.setSubject(name);
  certificate.setIssuer(name);
  certificate.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', critical: true, digitalSignature: true },
  ]);
  certificate.sign(forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()), forge.md.sha256.create());
  return forge.pki.certificateToPem(certificate).replace(/\r\n/g, '\n');
}

/** A certificate for a key pair given as JWKs (the token-signing keys). */
export function certificateForJwk(commonName: string, publicJwk: object, privateJwk: object, days: number, now = new Date()): string {
  return certificateFor(commonName, createPublicKey({ key: publicJwk as never, format: 'jwk' }), createPrivateKey({ key: privateJwk as never, format: 'jwk' }), days, now);
}

/** A new RSA-2048 key and a certificate for it, signed by itself, valid from `now` for `days`. */
export async function selfSignedCertificate(commonName: string, days: number, now = new Date()): Promise<KeyAndCertificate> {
  const { publicKey, privateKey } = await generateKeyPair('rsa', { modulusLength: 2048 });
  return { privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), certificatePem: certificateFor(commonName, publicKey, privateKey, days, now) };
}
