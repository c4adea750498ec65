// Client JSON: prototype keys refused, and nesting bounded so that nothing downstream (Ajv,
// JSON.stringify when stored) overflows the stack; the fuzzer found a 500 at 5,000 levels.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { holdsUnstorableText, MAX_JSON_DEPTH, UNSTORABLE_MESSAGE, nestedDeeperThan, parseUntrustedJson, unacceptedCharset } from './untrusted-json.js';

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('untrusted JSON', () => {
  it(`accepts ${MAX_JSON_DEPTH} levels of nesting and refuses more, however deep`, () => {
    assert.deepEqual(parseUntrustedJson(`{"a":${nested(MAX_JSON_DEPTH - 1)}}`), { a: JSON.parse(nested(MAX_JSON_DEPTH - 1)) });
    for (const depth of [MAX_JSON_DEPTH + 1, 5_000, 1_000_000]) {
      assert.throws(() => parseUntrustedJson(nested(depth)), { name: 'SyntaxError', message: `it is nested more than ${MAX_JSON_DEPTH} levels deep` });
    }
  });

  it('accepts UTF-8 or no charset, and names any other declared charset', () => {
    for (const type of [undefined, 'application/json', 'application/json; charset=utf-8', 'application/json;CHARSET="UTF-8"', 'application/json; charset=utf8', 'application/json; foo=bar; charset=Utf-8']) {
      assert.equal(unacceptedCharset(type), undefined, type);
    }
    const refused: [string, string][] = [
      ['application/json; charset=utf-16', 'utf-16'],
      ['application/json; charset=LATIN1', 'latin1'],
      ['application/json; charset="utf-16le"', 'utf-16le'],
      ['application/json; charset=utf-8; charset=latin1', 'latin1'],
      ['application/json; charset', ''],
      ['application/json; charset=""', ''],
      ['application/json; charset="utf-8;x"', '"utf-8'],
    ];
    for (const [type, charset] of refused) assert.equal(unacceptedCharset(type), charset, type);
  });

  it('counts brackets outside strings only', () => {
    assert.equal(nestedDeeperThan(JSON.stringify({ name: '['.repeat(100) + '\\"{{{' }), 2), false);
    assert.equal(nestedDeeperThan('{"a":{"b":[1]}}', 3), false);
    assert.equal(nestedDeeperThan('{"a":{"b":[1]}}', 2), true);
  });

  it('refuses U+0000 and lone surrogates in any string or key, and only there', () => {
    assert.throws(() => parseUntrustedJson('{"name":"a\\u0000b"}'), { message: UNSTORABLE_MESSAGE });
    assert.throws(() => parseUntrustedJson('{"a":[{"b\\u0000":1}]}'), { message: UNSTORABLE_MESSAGE });
    assert.deepEqual(parseUntrustedJson('{"name":"a\\\\u0000b"}'), { name: 'a\\u0000b' }, 'an escaped backslash is no NUL');
    assert.equal(holdsUnstorableText(['x', { y: 'z\u0000' }]), true);
    assert.equal(holdsUnstorableText({ x: 1, y: [null, 'ok'] }), false);
    assert.throws(() => parseUntrustedJson('{"name":"x\\udc00y"}'), { message: UNSTORABLE_MESSAGE }, 'a lone low surrogate');
    assert.throws(() => parseUntrustedJson('["\\uD800"]'), { message: UNSTORABLE_MESSAGE }, 'a lone high surrogate');
    assert.deepEqual(parseUntrustedJson('["\\ud83d\\ude00"]'), ['😀'], 'a surrogate pair is fine');
  });

  it('refuses prototype pollution, however the key is written', () => {
    assert.throws(() => parseUntrustedJson('{"__proto__":{"admin":true}}'));
    assert.throws(() => parseUntrustedJson('{"constructor":{"prototype":{"admin":true}}}'));
    // Escaped keys and spacing take the careful path, never the plain parse.
    assert.throws(() => parseUntrustedJson('{"\\u005f_proto__" :{"admin":true}}'));
    assert.throws(() => parseUntrustedJson('{"a":1, "\\u0063onstructor"\n:{"prototype":{}}}'));
    assert.throws(() => parseUntrustedJson('[{"x":{"__proto__":null}}]'));
    // The words as values are no keys.
    assert.deepEqual(parseUntrustedJson('{"name":"__proto__ constructor"}'), { name: '__proto__ constructor' });
  });

  it('parses plain texts as the careful path does, and a byte order mark the same way', () => {
    const texts = ['{"email":"a@example.com","identity":{"groups":[{"id":"g"}],"amr":["pwd"]}}', '[1,"two",null,true,{"a":[]}]', '"text"', '\ufeff{"a":1}', '{"name":"Zoë \\u00e9"}'];
    for (const text of texts) assert.deepEqual(parseUntrustedJson(text), JSON.parse(text.replace(/^\ufeff/, '')), text);
  });

  it('looks for deep nesting past many brackets in strings, and finds it past many shallow ones', () => {
    const wide = JSON.stringify({ list: Array.from({ length: 200 }, (_, i) => ({ i })), text: '{['.repeat(100) });
    assert.deepEqual(parseUntrustedJson(wide), JSON.parse(wide));
    assert.throws(() => parseUntrustedJson(`[${'{},'.repeat(100)}${nested(MAX_JSON_DEPTH)}]`), { message: `it is nested more than ${MAX_JSON_DEPTH} levels deep` });
  });
});
