// Application tokens: what this account signed for this application verifies; everything else
// (forged, expired, for another audience or issuer, alg none, HS256 keyed with the public key,
// another account's key) is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { serviceAppToken, userAppToken, VerifiedTokens, verifyAppToken } from './app-token.js';
import { bindingSecretOf, type SigningKey } from '../account/signing-keys.js';

async function key(): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), alg: 'RS256', use: 'sig' };
  const kid = await calculateJwkThumbprint(jwk);
  return { kid, privateKey: privateKey as unknown as SigningKey['privateKey'], publicJwk: { ...jwk, kid }, certificate: '', bindingSecret: bindingSecretOf(await exportJWK(privateKey)), createdAt: new Date().toISOString() };
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const ISSUER = 'https://access.example.com';
const AUD = 'a'.repeat(64);

test("a token verifies only for its audience and issuer, with the account's keys, before it expires", async () => {
  const signing = await key();
  const now = Date.now();
  const token = await userAppToken({ aud: AUD, issuer: ISSUER, lifetimeSeconds: 3600, userId: 'u-1', email: 'ada@example.com', country: 'GB' }, signing, now);
  const [header, payload] = token.split('.').map((part, i) => (i < 2 ? JSON.parse(Buffer.from(part, 'base64url').toString()) : part));
  assert.deepEqual(header, { alg: 'RS256', kid: signing.kid, typ: 'JWT' });
  assert.deepEqual(Object.keys(payload).sort(), ['aud', 'country', 'email', 'exp', 'iat', 'identity_nonce', 'iss', 'nbf', 'sub', 'type']);
  assert.deepEqual(payload.aud, [AUD]);
  assert.equal(payload.type, 'app');

  assert.equal((await verifyAppToken(token, [signing], AUD, ISSUER, now))?.email, 'ada@example.com');
  assert.equal(await verifyAppToken(token, [signing], 'b'.repeat(64), ISSUER, now), undefined, 'another application');
  assert.equal(await verifyAppToken(token, [signing], AUD, 'https://other.example.com', now), undefined, 'another issuer');
  assert.equal(await verifyAppToken(token, [signing], AUD, ISSUER, now + 3601_000), undefined, 'expired');
  assert.equal(await verifyAppToken(token, [await key()], AUD, ISSUER, now), undefined, "another account's key");
  assert.equal(await verifyAppToken(`${token.slice(0, -4)}AAAA`, [signing], AUD, ISSUER, now), undefined, 'forged signature');
  const [, body, signature] = token.split('.');
  const tampered = `${b64(header)}.${b64({ ...payload, email: 'boss@example.com' })}.${signature}`;
  assert.equal(await verifyAppToken(tampered, [signing], AUD, ISSUER, now), undefined, 'changed claims');
  assert.equal(await verifyAppToken(`${b64({ alg: 'none', typ: 'JWT', kid: signing.kid })}.${body}.`, [signing], AUD, ISSUER, now), undefined, 'alg none');
  const hsInput = `${b64({ alg: 'HS256', typ: 'JWT', kid: signing.kid })}.${body}`;
  const hs = createHmac('sha256', JSON.stringify(signing.publicJwk)).update(hsInput).digest('base64url');
  assert.equal(await verifyAppToken(`${hsInput}.${hs}`, [signing], AUD, ISSUER, now), undefined, 'HS256 keyed with the public key');
  for (const junk of ['', 'x', 'a.b.c', '..', token.replace(/\./g, '')]) assert.equal(await verifyAppToken(junk, [signing], AUD, ISSUER, now), undefined, junk);
});

test("a service token's application token carries its client id as common_name, an empty sub and its secret version", async () => {
  const signing = await key();
  const token = await serviceAppToken({ aud: AUD, issuer: ISSUER, lifetimeSeconds: 60, clientId: 'abc.access', secretVersion: 2 }, signing);
  const claims = await verifyAppToken(token, [signing], AUD, ISSUER);
  assert.equal(claims?.common_name, 'abc.access');
  assert.equal(claims?.sub, '');
  assert.equal(claims?.email, undefined);
  assert.equal(claims?.client_secret_version, 2);
});

test('a token verified once is still checked for audience, issuer, expiry and a published key on every later use', async () => {
  const signing = await key();
  const now = Date.now();
  const token = await userAppToken({ aud: AUD, issuer: ISSUER, lifetimeSeconds: 60, userId: 'u-1', email: 'ada@example.com' }, signing, now);
  const cache = new VerifiedTokens();
  assert.equal((await cache.verify(token, [signing], AUD, ISSUER, now))?.email, 'ada@example.com');
  assert.equal((await cache.verify(token, [signing], AUD, ISSUER, now + 1000))?.email, 'ada@example.com', 'from the cache');
  assert.equal(await cache.verify(token, [signing], 'b'.repeat(64), ISSUER, now), undefined, 'another application');
  assert.equal(await cache.verify(token, [signing], AUD, 'https://other.example.com', now), undefined, 'another issuer');
  assert.equal(await cache.verify(token, [await key()], AUD, ISSUER, now), undefined, 'its key is no longer published');
  assert.equal(await cache.verify(token, [signing], AUD, ISSUER, now + 61_000), undefined, 'expired');
  const forged = `${token.slice(0, -4)}AAAA`;
  assert.equal(await cache.verify(forged, [signing], AUD, ISSUER, now), undefined);
  assert.equal(await cache.verify(forged, [signing], AUD, ISSUER, now), undefined, 'a refused token is never remembered');
});
