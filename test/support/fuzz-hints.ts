// Plausible strings for body fields, by property name: what a real client would send there
// (ids of the account, IPs, country codes, durations, domains). The OpenAPI schemas say only
// "a string"; these make generated bodies pass the engine's checks often enough to be stored.

import fc from 'fast-check';
import { pick, type IdPool } from './fuzz-ids.js';

const randomId: fc.Arbitrary<string> = fc.oneof(fc.uuid(), fc.stringMatching(/^[0-9a-f]{32}$/), fc.string({ minLength: 1, maxLength: 12 }));

const ipOrCidr: fc.Arbitrary<string> = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([ip, bits]) => `${ip}/${bits}`),
  fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 })).map(([ip, bits]) => `${ip}/${bits}`),
);

const domain: fc.Arbitrary<string> = fc.oneof(fc.domain(), fc.constantFrom('example.com', 'app.example.com', 'Example.ORG'));

const duration: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('24h', '30m', '0s', '720h', '1h30m', '300ms', '-1h', '1.5h', 'forever', '9999999999h'),
  fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.constantFrom('ns', 'us', 'µs', 'ms', 's', 'm', 'h')).map(([n, unit]) => `${n}${unit}`),
);

const timestamp: fc.Arbitrary<string> = fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());

/** Self-signed CA certificate (EC P-256, CN "portcullis fuzz CA", valid until 2126): something the certificate endpoints accept. */
export const FUZZ_CA_PEM = `-----BEGIN CERTIFICATE-----
MIIBkTCCATegAwIBAgIUZI3rjP+zjfg7sGBQrqqnxJrHP+wwCgYIKoZIzj0EAwIw
HTEbMBkGA1UEAwwScG9ydGN1bGxpcyBmdXp6IENBMCAXDTI2MTEyNDE1MDMzOFoY
DzIxMjYxMDMxMTUwMzM4WjAdMRswGQYDVQQDDBJwb3J0Y3VsbGlzIGZ1enogQ0Ew
WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQHEsrx/KlBlYR0gy91Yc5645JUYTun
BwUuw57hLQqV+wgcvz9GU6M/PjDfwZ7syCyLayqK1vhvI9l91DLV4yVvo1MwUTAd
BgNVHQ4EFgQUbRGCzznpxfcekwxZWsjIUBJs9kwwHwYDVR0jBBgwFoAUbRGCzznp
xfcekwxZWsjIUBJs9kwwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBF
AiBlOQxFQIBt1T5/KY+HW0HwIQ6hPetC36u3whJ/0AxzoQIhAP3dUMdMfsTd+a6+
M9w8VslDHgppHtb56gVRAiBn3h+F
-----END CERTIFICATE-----
`;

/** The `stringFor` of schemaArbitrary: hints by property name, drawing ids from the pool. */
export function stringHints(pool: IdPool): (property: string) => fc.Arbitrary<string> | undefined {
  const idOf = (param: string) => pick(() => pool.idsOfParam(param), randomId);
  const anyId = pick(() => pool.allIds(), randomId);
  const email = fc.oneof(pick(() => pool.knownEmails(), fc.emailAddress()), fc.emailAddress(), fc.constantFrom('ADA@EXAMPLE.COM', 'no-at-sign', '@example.com', 'a@b'));
  const hints: Record<string, fc.Arbitrary<string>> = {
    id: anyId,
    identity_provider_id: idOf('identity_provider_id'),
    integration_uid: idOf('rule_id'),
    app_uid: idOf('app_id'),
    app_id: idOf('app_id'),
    user_id: idOf('user_id'),
    token_id: idOf('service_token_id'),
    service_token_id: idOf('service_token_id'),
    email_list_uuid: idOf('list_id'),
    policies: idOf('policy_id'),
    allowed_idps: idOf('identity_provider_id'),
    custom_pages: idOf('custom_page_id'),
    email,
    ip: ipOrCidr,
    value: fc.oneof(ipOrCidr, fc.emailAddress(), domain, fc.string({ maxLength: 20 })),
    domain,
    email_domain: domain,
    country_code: fc.constantFrom('US', 'de', 'XK', 'XX', 'ZZ', 'GB'),
    country: fc.constantFrom('US', 'de', 'XK', 'ZZ'),
    session_duration: duration,
    duration,
    expires_on: timestamp,
    not_before: timestamp,
    expiration: timestamp,
    certificate: fc.constantFrom(FUZZ_CA_PEM, FUZZ_CA_PEM.replace('MIIB', 'XXXX'), '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----'),
    evaluate_url: fc.oneof(fc.webUrl(), fc.constantFrom('http://127.0.0.1:1/x', 'file:///etc/passwd', 'not a url')),
    keys_url: fc.oneof(fc.webUrl(), fc.constantFrom('http://10.0.0.1/keys', 'https://example.com/jwks')),
  };
  return (property) => hints[property];
}
