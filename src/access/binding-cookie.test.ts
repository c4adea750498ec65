// The binding cookie's value and check (binding-cookie.ts), and the expressions the generated
// proxy configurations use to keep it from the upstream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportJWK, generateKeyPair } from 'jose';
import { bindingSecretOf, type SigningKey } from '../account/signing-keys.js';
import { userAppToken } from './app-token.js';
import { bindingFor, bindingHolds, withoutBindingCookie } from './binding-cookie.js';
import { EVERY_BINDING_COOKIE, HOLDS_BINDING_COOKIE, NGINX_BINDING_STRIPS, ONLY_BINDING_COOKIES, WITHOUT_BINDING_COOKIE } from './proxy-config.js';

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

// A Cookie header and what the upstream gets of it: CF_Binding wherever it is, and nothing else, goes.
const SINGLE_BINDING_CASES: [string, string][] = [
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

/**
 * Every header of `count` CF_Binding pairs placed among the cookies `others` in every way (each
 * joined by `separator`), with what the upstream must get: the others alone, in their order.
 */
function severalBindingCases(count: number, others: readonly string[], separator: string): [string, string][] {
  const cases: [string, string][] = [];
  const slots = count + others.length;
  for (let mask = 0; mask < 1 << slots; mask++) {
    if (mask.toString(2).split('1').length - 1 !== count) continue;
    const kept = [...others];
    const pairs = Array.from({ length: slots }, (_, i) => ((mask >> i) & 1 ? `CF_Binding=v${i}` : kept.shift()!));
    cases.push([pairs.join(separator), others.join(separator)]);
  }
  return cases;
}

const SEVERAL_BINDING_CASES: [string, string][] = [
  ...[2, 3].flatMap((count) => [[], ['a=1'], ['a=1', 'XCF_Binding=x'], ['a=1', 'b=CF_Binding=y', 'c=3']].flatMap((others) => ['; ', ';'].flatMap((separator) => severalBindingCases(count, others, separator)))),
  ['CF_Binding=x; CF_Binding=y', ''],
  ['a=1; CF_Binding=x; b=2; CF_Binding=y', 'a=1; b=2'],
];

test('the generated nginx configuration takes every CF_Binding out of a Cookie header, and nothing else, or refuses the request', () => {
  // As the server block does it: NGINX_BINDING_STRIPS times the first one, then a refusal (400) if one is left.
  const upstreamGets = (header: string): string => {
    let cookie = header;
    for (let i = 0; i < NGINX_BINDING_STRIPS; i++) cookie = cookie.replace(new RegExp(WITHOUT_BINDING_COOKIE), '$1$2');
    return new RegExp(HOLDS_BINDING_COOKIE).test(cookie) ? 'refused' : cookie;
  };
  for (const [header, expected] of [...SINGLE_BINDING_CASES, ...SEVERAL_BINDING_CASES]) assert.equal(upstreamGets(header), expected, header);
  const more = Array.from({ length: NGINX_BINDING_STRIPS + 1 }, (_, i) => `a${i}=1; CF_Binding=v${i}`).join('; ');
  assert.equal(upstreamGets(more), 'refused', 'more than it strips: refused, never passed on');
  for (const header of ['XCF_Binding=x', 'a=CF_Binding=x', 'a=1; b=CF_Binding=x;c=3']) assert.equal(new RegExp(HOLDS_BINDING_COOKIE).test(header), false, header);
});

test('the generated Caddy configuration takes every CF_Binding out of a Cookie header, and nothing else, however many there are', () => {
  // header_up's replacement: every match (Go's ReplaceAllString) replaced by $1.
  const upstreamGets = (header: string): string => header.replace(new RegExp(EVERY_BINDING_COOKIE, 'g'), '$1');
  for (const [header, expected] of [...SINGLE_BINDING_CASES, ...SEVERAL_BINDING_CASES]) assert.equal(upstreamGets(header), expected, header);
  const many = Array.from({ length: 12 }, (_, i) => (i % 3 === 2 ? `a${i}=1` : `CF_Binding=v${i}`));
  assert.equal(upstreamGets(many.join('; ')), many.filter((pair) => !pair.startsWith('CF_Binding=')).join('; '));
});

test('the generated Caddy configuration removes a Cookie header of CF_Binding cookies alone, and no other', () => {
  // Caddy's placeholder joins a header's lines with ",": the cases on one line, and split over two.
  const onlyBindings = new RegExp(ONLY_BINDING_COOKIES);
  for (const [header, expected] of [...SINGLE_BINDING_CASES, ...SEVERAL_BINDING_CASES].filter(([header]) => header !== '')) {
    assert.equal(onlyBindings.test(header), expected === '', header);
    const pairs = header.split(/; */);
    if (pairs.length > 1) assert.equal(onlyBindings.test(`${pairs.slice(0, 1).join('; ')},${pairs.slice(1).join('; ')}`), expected === '', `${header}, on two lines`);
  }
  for (const header of ['CF_Binding=x,a=1', 'CF_Binding=x, theme=dark', ' CF_Binding =x', 'CF_Bindings=x']) assert.equal(onlyBindings.test(header), false, header);
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
