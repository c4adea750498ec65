// A self-signed X.509 certificate for a fresh RSA key: what SAML metadata publishes so that an
// identity provider can check the signatures of a service provider's requests. Node can sign but
// not build certificates, and no certificate library is a dependency, so this writes the few DER
// structures RFC 5280 needs (a v3 certificate, sha256WithRSAEncryption, a common name, the key
// usage digitalSignature, not a CA).

import { generateKeyPair as generateKeyPairCallback, randomBytes, sign } from 'node:crypto';
import { promisify } from 'node:util';

const generateKeyPair = promisify(generateKeyPairCallback);

export interface KeyAndCertificate {
  /** PKCS#8 PEM. */
  readonly privateKeyPem: string;
  /** X.509 PEM. */
  readonly certificatePem: string;
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const der = (tag: number, ...content: Buffer[]): Buffer => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
};
const sequence = (...parts: Buffer[]): Buffer => der(0x30, ...parts);
const set = (...parts: Buffer[]): Buffer => der(0x31, ...parts);
/** A non-negative INTEGER from its big-endian bytes (a leading 0 keeps a high bit from reading as a sign). */
const integer = (bytes: Buffer): Buffer => der(0x02, (bytes[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
const utf8String = (text: string): Buffer => der(0x0c, Buffer.from(text, 'utf8'));
const octetString = (bytes: Buffer): Buffer => der(0x04, bytes);
const bitString = (bytes: Buffer, unusedBits = 0): Buffer => der(0x03, Buffer.from([unusedBits]), bytes);
const TRUE = Buffer.from([0x01, 0x01, 0xff]);
const NULL = Buffer.from([0x05, 0x00]);

function objectIdentifier(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number);
  const bytes = [first! * 40 + second!];
  for (const arc of rest) {
    const groups: number[] = [];
    for (let n = arc; ; n = Math.floor(n / 128)) {
      groups.unshift(n % 128);
      if (n < 128) break;
    }
    bytes.push(...groups.map((g, i) => (i < groups.length - 1 ? g | 0x80 : g)));
  }
  return der(0x06, Buffer.from(bytes));
}

/** UTCTime through 2049, GeneralizedTime after (RFC 5280 4.1.2.5). */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  return date.getUTCFullYear() < 2050 ? der(0x17, Buffer.from(iso.slice(2), 'ascii')) : der(0x18, Buffer.from(iso, 'ascii'));
}

const SHA256_WITH_RSA = sequence(objectIdentifier('1.2.840.113549.1.1.11'), NULL);
const COMMON_NAME = '2.5.4.3';
const BASIC_CONSTRAINTS = '2.5.29.19';
const KEY_USAGE = '2.5.29.15';

const pem = (label: string, bytes: Buffer): string => `-----BEGIN ${label}-----\n${bytes.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END ${label}-----\n`;

/** A new RSA-2048 key and a certificate for it, signed by itself, valid from `now` for `days`. */
export async function selfSignedCertificate(commonName: string, days: number, now = new Date()): Promise<KeyAndCertificate> {
  const { publicKey, privateKey } = await generateKeyPair('rsa', { modulusLength: 2048 });
  const name = sequence(set(sequence(objectIdentifier(COMMON_NAME), utf8String(commonName))));
  const serial = randomBytes(16);
  // Positive and minimally encoded: the first byte is 0x40..0x7f.
  serial[0] = (serial[0]! & 0x3f) | 0x40;
  const notBefore = new Date(now.getTime() - 60_000);
  const notAfter = new Date(now.getTime() + days * 24 * 3600 * 1000);
  const extensions = der(
    0xa3,
    sequence(
      sequence(objectIdentifier(BASIC_CONSTRAINTS), octetString(sequence())),
      // keyUsage: digitalSignature only (bit 0; seven unused bits), critical.
      sequence(objectIdentifier(KEY_USAGE), TRUE, octetString(bitString(Buffer.from([0x80]), 7))),
    ),
  );
  const tbs = sequence(
    der(0xa0, integer(Buffer.from([2]))),
    integer(serial),
    SHA256_WITH_RSA,
    name,
    sequence(time(notBefore), time(notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    extensions,
  );
  const certificate = sequence(tbs, SHA256_WITH_RSA, bitString(sign('sha256', tbs, privateKey)));
  return { privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), certificatePem: pem('CERTIFICATE', certificate) };
}
