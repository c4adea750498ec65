// One address, one decision: every spelling of an IPv4 or IPv6 address (compressed or not,
// zero-padded, upper or lower case, a dotted-quad tail, the IPv4-mapped forms of an IPv4
// address) parses to the same value, and so decides the same in CIDRs, IP sets, Gateway IP
// lists and identities, in both evaluators. Only ::ffff:0:0/96 is IPv4; the deprecated
// IPv4-compatible spelling ::a.b.c.d is the IPv6 address it writes (docs/semantics.md, "IP
// addresses and ranges").

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compilePolicySet } from './compile.js';
import { buildListIndex, type EvalEnv } from './env.js';
import { prepareIdentity } from './identity.js';
import { explain } from './interpreter.js';
import { IpSet, cidrContains, parseCidr, parseIp, type IpAddress } from './ip.js';
import { resultAccess } from './outcome.js';
import { parsePolicy } from './validate.js';

const MAX128 = (1n << 128n) - 1n;
const MAPPED = 0xffffn << 32n;

type Address = { v: 4; n: number } | { v: 6; big: bigint };

/** The eight 16-bit groups of a 128-bit value. */
const groupsOf = (big: bigint): number[] => Array.from({ length: 8 }, (_, i) => Number((big >> BigInt(112 - 16 * i)) & 0xffffn));

const quad = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

/** How one IPv6 text is written: which zero run "::" replaces, padding and case per group, a dotted tail. */
interface Spelling {
  readonly dottedTail: boolean;
  /** Index into the candidate zero runs (modulo their number), or -1 for no "::". */
  readonly compress: number;
  readonly pad: readonly number[];
  readonly upper: readonly boolean[];
}

const arbSpelling = (): fc.Arbitrary<Spelling> =>
  fc.record({
    dottedTail: fc.boolean(),
    compress: fc.integer({ min: -1, max: 40 }),
    pad: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 8, maxLength: 8 }),
    upper: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
  });

/** Every run [start, end) of zero groups of length one or more, within the groups written in hex. */
function zeroRuns(groups: readonly number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (let start = 0; start < groups.length; start++) {
    for (let end = start + 1; end <= groups.length && groups[end - 1] === 0; end++) runs.push([start, end]);
  }
  return runs;
}

/** `big` written as IPv6 text the way `spelling` says. */
function spell6(big: bigint, spelling: Spelling): string {
  const all = groupsOf(big);
  const hexCount = spelling.dottedTail ? 6 : 8;
  const hex = all.slice(0, hexCount).map((g, i) => {
    const text = g.toString(16).padStart(spelling.pad[i], '0');
    return spelling.upper[i] ? text.toUpperCase() : text;
  });
  const tail = spelling.dottedTail ? [quad(Number(big & 0xffffffffn))] : [];
  const runs = zeroRuns(all.slice(0, hexCount));
  // "::" must stand for at least one group; with a dotted tail the run may not reach into it.
  if (spelling.compress < 0 || runs.length === 0) return [...hex, ...tail].join(':');
  const [start, end] = runs[spelling.compress % runs.length];
  const head = hex.slice(0, start).join(':');
  const rest = [...hex.slice(end), ...tail].join(':');
  return `${head}::${rest}`;
}

/** Spellings of an address: an IPv4 one as a dotted quad and in the IPv4-mapped IPv6 forms. */
function spellings(address: Address, forms: readonly Spelling[]): string[] {
  if (address.v === 6) return forms.map((f) => spell6(address.big, f));
  return [quad(address.n), ...forms.map((f) => spell6(MAPPED | BigInt(address.n), f))];
}

/** IPv6 values near the interesting places: IPv4-compatible (::a.b.c.d), mapped's neighbours, sparse groups. */
const arbV6 = (): fc.Arbitrary<bigint> =>
  fc
    .oneof(
      fc.bigInt({ min: 0n, max: MAX128 }),
      fc.bigInt({ min: 0n, max: 0xffffffffn }), // ::a.b.c.d, the IPv4-compatible block
      fc.bigInt({ min: 0n, max: 0xffffffffn }).map((n) => (0xfffen << 32n) | n), // ::fffe:a.b.c.d
      fc.bigInt({ min: 0n, max: 0xffffffffn }).map((n) => (0xffffn << 48n) | n), // ::ffff:0:a.b.c.d
      fc.bigInt({ min: 0n, max: 0xffffffffn }).map((n) => (0x0064ff9bn << 96n) | n), // 64:ff9b::a.b.c.d
      fc.array(fc.constantFrom(0, 0, 0, 1, 0xffff, 0xa, 0x1234), { minLength: 8, maxLength: 8 }).map((gs) => gs.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n)),
    )
    .filter((big) => big >> 32n !== 0xffffn);

const arbV4 = (): fc.Arbitrary<number> => fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0x0a000000, max: 0x0a0000ff }), fc.constantFrom(0, 0xffffffff));

const arbAddress = (): fc.Arbitrary<Address> =>
  fc.oneof(arbV4().map((n) => ({ v: 4 as const, n })), arbV6().map((big) => ({ v: 6 as const, big })));

const expected = (address: Address): IpAddress =>
  address.v === 4 ? { v: 4, n: address.n } : { v: 6, hi: address.big >> 64n, lo: address.big & ((1n << 64n) - 1n) };

/** A range as the spellings of its address and its prefix in that family (IPv4 ranges also mapped, prefix + 96). */
function cidrSpellings(address: Address, prefix: number, forms: readonly Spelling[]): string[] {
  if (address.v === 6) return forms.map((f) => `${spell6(address.big, f)}/${prefix}`);
  const [dotted, ...mapped] = spellings(address, forms);
  return [`${dotted}/${prefix}`, ...mapped.map((text) => `${text}/${prefix + 96}`)];
}

const arbCidrSpellings = (): fc.Arbitrary<string[]> =>
  fc
    .tuple(arbAddress(), fc.nat(), fc.array(arbSpelling(), { minLength: 2, maxLength: 4 }))
    .map(([address, p, forms]) => cidrSpellings(address, address.v === 4 ? p % 33 : p % 129, forms));

/**
 * An address, its spellings, and ranges (each in several spellings) that are likely to hold
 * it or nearly: around the address itself, and around its low 32 bits taken as IPv4 and as
 * IPv4-compatible IPv6 (where reading ::a.b.c.d as IPv4 would show), besides random ones.
 */
const arbCase = (): fc.Arbitrary<{ identities: string[]; ranges: string[][] }> =>
  fc
    .tuple(arbAddress(), fc.array(arbSpelling(), { minLength: 2, maxLength: 4 }), fc.array(fc.nat(), { minLength: 3, maxLength: 3 }), fc.array(arbCidrSpellings(), { maxLength: 2 }))
    .map(([address, forms, [p1, p2, p3], random]) => {
      const low = address.v === 4 ? address.n : Number(address.big & 0xffffffffn);
      const near: [Address, number][] = [
        [address, address.v === 4 ? p1 % 33 : p1 % 129],
        [{ v: 4, n: low }, p2 % 33],
        [{ v: 6, big: BigInt(low) }, 96 + (p3 % 33)],
      ];
      return { identities: spellings(address, forms), ranges: [...near.map(([a, prefix]) => cidrSpellings(a, prefix, forms)), ...random] };
    });

describe('every spelling of an address decides the same', () => {
  test('regressions: the IPv4-compatible ::a.b.c.d is plain IPv6, like ::a01:203', () => {
    assert.deepEqual(parseIp('::10.1.2.3'), { v: 6, hi: 0n, lo: 0x0a010203n });
    assert.deepEqual(parseIp('::10.1.2.3'), parseIp('::a01:203'));
    assert.deepEqual(parseIp('::10.1.2.3'), parseIp('0:0:0:0:0:0:10.1.2.3'));
    assert.deepEqual(parseIp('::0.0.0.1'), parseIp('::1'));
    assert.equal(cidrContains(parseCidr('10.0.0.0/8')!, parseIp('::10.1.2.3')!), false);
    assert.equal(new IpSet([parseCidr('10.0.0.0/8')!]).has(parseIp('::10.1.2.3')!), false);
    assert.deepEqual(parseCidr('::10.0.0.0/104'), parseCidr('::a00:0/104'));
    assert.equal(parseCidr('::10.0.0.0/104')!.v, 6);
    assert.equal(cidrContains(parseCidr('::10.0.0.0/104')!, parseIp('::a01:203')!), true);
    assert.equal(cidrContains(parseCidr('::10.0.0.0/104')!, parseIp('10.1.2.3')!), false);
    // The mapped block, in any spelling, is IPv4.
    for (const text of ['::ffff:10.1.2.3', '::FFFF:a01:203', '0:0:0:0:0:ffff:0a01:0203', '0000:0000:0000:0000:0000:FFFF:10.1.2.3', '::0:ffff:a01:203', '0::ffff:10.1.2.3']) {
      assert.deepEqual(parseIp(text), { v: 4, n: 0x0a010203 }, text);
    }
    assert.deepEqual(parseCidr('::ffff:a00:0/104'), parseCidr('10.0.0.0/8'));
  });

  test('property: all spellings of an address parse to the same value', () => {
    fc.assert(
      fc.property(arbAddress(), fc.array(arbSpelling(), { minLength: 1, maxLength: 6 }), (address, forms) => {
        for (const text of spellings(address, forms)) assert.deepEqual(parseIp(text), expected(address), text);
      }),
      { numRuns: 3000 },
    );
  });

  test('property: all spellings of a range parse to the same range', () => {
    fc.assert(
      fc.property(arbCidrSpellings(), (texts) => {
        const [first, ...rest] = texts.map((text) => [text, parseCidr(text)] as const);
        assert.ok(first[1] !== undefined, first[0]);
        for (const [text, parsed] of rest) assert.deepEqual(parsed, first[1], `${text} and ${first[0]}`);
      }),
      { numRuns: 3000 },
    );
  });

  test('property: membership in a range and in a set is the same for every spelling of both', () => {
    fc.assert(
      fc.property(arbCase(), ({ identities, ranges }) => {
        const probes = identities.map((text) => parseIp(text)!);
        const decisions = new Set<string>();
        for (let variant = 0; variant < 4; variant++) {
          const cidrs = ranges.map((texts) => parseCidr(texts[variant % texts.length])!);
          const set = new IpSet(cidrs);
          for (const probe of probes) decisions.add(JSON.stringify([cidrs.map((c) => cidrContains(c, probe)), set.has(probe)]));
        }
        assert.equal(decisions.size, 1, `${identities.join(', ')}: ${[...decisions].join(' vs ')}`);
      }),
      { numRuns: 2000 },
    );
  });

  test('property: both evaluators decide the same for every spelling, in ip rules, IP lists and identities', () => {
    fc.assert(
      fc.property(arbCase(), ({ identities, ranges }) => {
        const decisions = new Set<string>();
        for (let variant = 0; variant < 3; variant++) {
          const written = ranges.map((texts) => texts[variant % texts.length]);
          const env: EvalEnv = { group: () => undefined, list: (id) => (id === 'ips' ? buildListIndex('ips', 'IP', written) : undefined), now: 0 };
          const wires = [
            { name: 'one range', decision: 'allow', include: [{ ip: { ip: written[0] } }] },
            { name: 'every range', decision: 'allow', include: written.map((ip) => ({ ip: { ip } })) },
            { name: 'the list', decision: 'allow', include: [{ ip_list: { id: 'ips' } }] },
          ];
          for (const [i, wire] of wires.entries()) {
            const parsed = parsePolicy(wire, { id: `p${i}` });
            assert.ok(parsed.ok, JSON.stringify(wire));
            const compiled = compilePolicySet([parsed.value], env);
            for (const ip of identities) {
              const identity = prepareIdentity({ email: 'a@example.com', ip });
              const interpreted: string = explain([parsed.value], identity, env).access;
              assert.equal(resultAccess(compiled.evaluate(identity)), interpreted, `${wire.name}: ${ip} in ${written.join(', ')}`);
              decisions.add(`${i}:${interpreted}`);
            }
          }
        }
        assert.equal(decisions.size, 3, [...decisions].join(', '));
      }),
      { numRuns: 500 },
    );
  });
});
