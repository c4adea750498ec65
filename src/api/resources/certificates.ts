// Access mTLS certificates: /accounts/{account_id}/access/certificates. CA certificates that
// client certificates are checked against (the `certificate` and `common_name` rules). The PEM
// is parsed on upload; answers carry what is derived from it (MD5 fingerprint, expiry), never
// the PEM itself, as in Cloudflare's API.

import { createHash, X509Certificate } from 'node:crypto';
import { validationError } from '../errors.js';
import { DEFAULT_LIMITS } from '../pagination.js';
import type { RouteDef } from '../route.js';
import { arr, obj, str } from '../../schema/json-schema.js';
import { timestamps } from './common.js';
import { crudRoutes } from './crud.js';

type CertificateBody = {
  readonly name: string;
  /** The PEM as uploaded: kept, never returned. */
  readonly certificate: string;
  readonly associated_hostnames: string[];
  readonly fingerprint: string;
  readonly expires_on: string;
};

const NAME = str({ minLength: 1, description: 'The name of the certificate.' });
const HOSTNAMES = arr(str({ minLength: 1, description: 'A fully qualified domain name.' }), { description: 'Hostnames of the applications that use this CA for mTLS.' });

const CERTIFICATE = obj(
  {
    id: str({ description: 'The id of the certificate.' }),
    name: NAME,
    associated_hostnames: HOSTNAMES,
    fingerprint: str({ description: 'The MD5 fingerprint of the certificate (DER), as "MD5 Fingerprint=" and colon-separated hexadecimal.' }),
    expires_on: str({ format: 'date-time', description: 'When the certificate expires (its notAfter).' }),
    created_at: str({ format: 'date-time' }),
    updated_at: str({ format: 'date-time' }),
  },
  { required: ['id', 'name', 'associated_hostnames', 'fingerprint', 'expires_on', 'created_at', 'updated_at'], description: 'An mTLS CA certificate. The uploaded PEM is not returned.' },
);

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----/;
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** What an upload derives from the PEM; a 400 at /certificate when it is not a PEM X.509 certificate. */
function parseCertificate(pem: string): Pick<CertificateBody, 'fingerprint' | 'expires_on'> {
  const refuse = (message: string): never => {
    throw validationError([{ code: 'invalid_certificate', pointer: '/certificate', message }]);
  };
  // A CA upload never needs a key: refuse rather than store one.
  if (PEM_PRIVATE_KEY.test(pem)) refuse('The value holds a private key; upload only the CA certificate.');
  if (!PEM_CERTIFICATE.test(pem)) refuse('Expected a PEM-encoded X.509 certificate ("-----BEGIN CERTIFICATE-----" ...).');
  let cert: X509Certificate | undefined;
  try {
    cert = new X509Certificate(pem);
  } catch (err) {
    refuse(`The certificate could not be parsed: ${(err as Error).message}.`);
  }
  const hex = createHash('md5').update(cert!.raw).digest('hex').toUpperCase();
  return { fingerprint: `MD5 Fingerprint=${hex.match(/../g)!.join(':')}`, expires_on: new Date(cert!.validTo).toISOString() };
}

export const certificateRoutes: RouteDef[] = crudRoutes(
  {
    kind: 'certificate',
    path: '/accounts/{account_id}/access/certificates',
    idParam: 'certificate_id',
    operationPrefix: 'access-certificates',
    tag: 'Access mTLS certificates',
    one: 'an mTLS certificate',
    many: 'mTLS certificates',
    read: ['Access: Mutual TLS Certificates Read'],
    write: ['Access: Mutual TLS Certificates Write'],
    response: CERTIFICATE,
    present: (record) => {
      const { certificate: _pem, ...shown } = record.body as CertificateBody;
      return { id: record.id, ...shown, ...timestamps(record) };
    },
  },
  {
    list: { paging: DEFAULT_LIMITS },
    create: {
      status: 201,
      summary: 'Upload an mTLS certificate',
      body: obj(
        { name: NAME, certificate: str({ minLength: 1, description: 'The PEM-encoded CA certificate.' }), associated_hostnames: HOSTNAMES },
        { required: ['name', 'certificate'] },
      ),
      build: ({ name, certificate, associated_hostnames }) => {
        return { body: { name, certificate, associated_hostnames: associated_hostnames ?? [], ...parseCertificate(certificate) } };
      },
    },
    update: {
      description: 'Changes the name and the associated hostnames; the certificate itself cannot change (upload a new one).',
      body: obj(
        { name: NAME, associated_hostnames: HOSTNAMES, certificate: str({ description: 'Accepted only when it is the stored certificate: a certificate cannot change (upload a new one).' }) },
        { required: ['associated_hostnames'] },
      ),
      build: ({ name, associated_hostnames, certificate }, existing) => {
        const old = existing.body as CertificateBody;
        if (certificate !== undefined && certificate.trim() !== old.certificate.trim()) {
          throw validationError([{ code: 'immutable_field', pointer: '/certificate', message: 'A certificate cannot change: upload the new one as a new certificate and delete this one.' }]);
        }
        return { body: { ...old, name: name ?? old.name, associated_hostnames } };
      },
    },
    delete: { status: 200, answer: 'id', description: 'Answers with the id of the deleted certificate.' },
  },
);
