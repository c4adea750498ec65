// A self-signed X.509 certificate for a signing key, for Cloudflare's `public_cert` and
// `public_certs` at /cdn-cgi/access/certs: some libraries verify application tokens with a PEM
// certificate rather than a JWK. node-forge builds it (Node's crypto reads certificates but
// cannot make them).

import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import type { JWK } from 'jose';

const YEAR_MS = 365 * 24 * 3600 * 1000;

export function selfSignedCertificate(kid: string, publicJwk: JWK, privateJwk: JWK, now: number): string {
  const privatePem = createPrivateKey({ key: privateJwk as never, format: 'jwk' }).export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicPem = createPublicKey({ key: publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.publicKeyFromPem(publicPem);
  // A positive serial: the first byte's high bit cleared.
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  certificate.serialNumber = serial.toString('hex');
  certificate.validity.notBefore = new Date(now - 60_000);
  // Longer than a key is ever published (rotation interval plus the grace of retired keys).
  certificate.validity.notAfter = new Date(now + 10 * YEAR_MS);
  const name = [{ name: 'commonName', value: `portcullis access ${kid.slice(0, 16)}` }];
  certificate.setSubject(name);
  certificate.setIssuer(name);
  certificate.setExtensions([{ name: 'basicConstraints', cA: false }, { name: 'keyUsage', digitalSignature: true }]);
  certificate.sign(forge.pki.privateKeyFromPem(privatePem), forge.md.sha256.create());
  return forge.pki.certificateToPem(certificate).replace(/\r\n/g, '\n');
}
