// The binding cookie's value and check (binding-cookie.ts), and the expression the generated
// proxy configurations use to keep it from the upstream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportJWK, generateKeyPair } from 'jose';
import { bindingSecretOf, type SigningKey } from '../account/signing-keys.js';
import { userAppToken } from './app-token.js';
import { bindingFor, bindingHolds, withoutBindingCookie } from './binding-cookie.js';
import { WITHOUT_BINDING_COOKIE } from './proxy-config.js';

async function key(kid: string): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey: privateKey as unknown as SigningKey['privateKey'], publicJwk: { ...(await exportJWK(publicKey)), kid }, certificate: '', bindingSecret: bindingSecretOf(await exportJWK(privateKey)), createdAt: new Date().toISOString() };
}

test("a token's binding is made with the key that signed it, differs per token and key, and fails closed", async () => {
  const [current, previous, stranger] = [await key('k1'), await key('k0'), await key('k1')];
  const input = { aud: 'a'.repeat(64), issuer: 'https://access.example.com', lifetimeSeconds: 600, userId: 'u-1', email: 'ada@example.com' };
  const token = await userAppToken(input, previous);
  const binding = bindingFor(token, [current, previous])!;
  assert.match(binding, /^[A-Za-z0-9_-]{43}$/);
  assert.ok(bindingHolds(token, binding, [current, previous]), 'made with the previous key, which signed it');
  assert.equal(bindingFor(token, [current]), undefined, 'no key of that kid: no binding');
  assert.notEqual(bindingFor(await userAppToken(input, previous), [previous]), binding, 'another token, another binding');
  assert.notEqual(bindingFor(token, [{ ...stranger, kid: 'k0' }]), binding, "another account's key of the same kid makes another");
  for (const wrong of [undefined, '', binding.slice(1), `${binding}A`, binding.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))]) assert.equal(bindingHolds(token, wrong, [current, previous]), false, String(wrong));
  assert.equal(bindingHolds('not a token', binding, [current, previous]), false);
  assert.throws(() => bindingSecretOf({ kty: 'RSA', n: 'x', e: 'AQAB' }), /private exponent/);
});

test('the proxies take CF_Binding out of a Cookie header wherever it is, and nothing else', () => {
  const without = (header: string) => header.replace(new RegExp(WITHOUT_BINDING_COOKIE), '$1$2');
  const cases: [string, string][] = [
    ['a=1; CF_Binding=x; b=2', 'a=1; b=2'],
    ['CF_Binding=x; a=1', 'a=1'],
    ['a=1; CF_Binding=x', 'a=1'],
    ['CF_Binding=x', ''],
    ['CF_Binding=', ''],
    ['a=1;CF_Binding=x;b=2', 'a=1;b=2'],
    ['XCF_Binding=x; a=1', 'XCF_Binding=x; a=1'],
    ['a=CF_Binding=x; b=2', 'a=CF_Binding=x; b=2'],
    ['a=1; b=2', 'a=1; b=2'],
    ['', ''],
  ];
  for (const [header, expected] of cases) assert.equal(without(header), expected, header);
});

test('the forward-auth answer for Traefik takes every CF_Binding out of a Cookie header, and nothing else', () => {
  const cases: [string | undefined, string | undefined][] = [
    ['a=1; CF_Binding=x; b=2', 'a=1; b=2'],
    ['CF_Binding=x; a=1; CF_Binding=y', 'a=1'],
    ['a=1;CF_Binding=x;b=2', 'a=1; b=2'],
    [' CF_Binding =x; a=1', 'a=1'],
    ['XCF_Binding=x; a=CF_Binding=y', 'XCF_Binding=x; a=CF_Binding=y'],
    ['CF_Binding=x', undefined],
    ['CF_Binding=', undefined],
    ['', undefined],
    [undefined, undefined],
  ];
  for (const [header, expected] of cases) assert.equal(withoutBindingCookie(header), expected, String(header));
});
