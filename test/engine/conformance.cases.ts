// The shared evaluator conformance suite: ONE list of named cases that every evaluator of the
// policy language (the reference interpreter and the compiled evaluator) must pass alike, in
// the manner of Hono's router/common.case.test.ts. Data only: policies and groups are wire JSON
// exactly as a user would send them to the API; conformance.test.ts parses and runs them.

import type { Identity } from '../../src/engine/identity.js';
import type { ReasonCode } from '../../src/engine/selectors.js';

export interface ConformanceCase {
  /** Unique, e.g. 'email_domain: subdomains do not match'. */
  name: string;
  /** Wire policies (Cloudflare request shape), parsed with parsePolicy. */
  policies: unknown[];
  /** The last seen identity (docs/semantics.md "Identity model"). */
  identity: Identity;
  env?: {
    /** id -> wire group {name, include, require?, exclude?}, parsed with parseGroup. */
    groups?: Record<string, unknown>;
    /** id -> Gateway list, built with buildListIndex. */
    lists?: Record<string, { type: 'IP' | 'EMAIL'; items: string[] }>;
    /** When given, identityProviderExists = membership. */
    identityProviders?: string[];
    /** When given, the serviceToken lookup (a token not listed does not exist). */
    serviceTokens?: Record<string, { expiresAt?: number | null }>;
    /** When given, postureRuleExists = membership. */
    postureRules?: string[];
    /** When given, appExists = membership. */
    apps?: string[];
    accountId?: string;
    now?: number;
  };
  /** evaluate_url -> answer (null = the call failed; a url not listed was not answered). */
  external?: Record<string, boolean | null>;
  expect: {
    access: 'granted' | 'blocked' | 'unknown';
    /** Index in `policies` of the deciding policy; null = default deny. Omit to not check. */
    deciding?: number | null;
    /** Interpreter only: rule explanations (searched recursively, into groups) to find. */
    reason?: { pointer: string; code: ReasonCode; outcome?: 'matched' | 'not_matched' | 'unknown' }[];
  };
}

// Identity provider ids used throughout.
const AZURE = 'idp-azure-0001';
const GOOGLE = 'idp-google-0002';
const OKTA = 'idp-okta-0003';
const GITHUB = 'idp-github-0004';
const SAML = 'idp-saml-0005';
const OIDC = 'idp-oidc-0006';
const OTP = 'idp-otp-0007';

// External evaluation endpoints.
const EXT = 'https://ext.example.com/evaluate';
const EXT_KEYS = 'https://ext.example.com/keys';
const EXT2 = 'https://ext2.example.com/evaluate';
const EXT2_KEYS = 'https://ext2.example.com/keys';

/** A fixed evaluation time for service-token expiry. */
const NOW = 1_700_000_000_000;
const HOUR = 3_600_000;

const INC0 = '/policies/0/include/0';

// ------------------------------------------------------------------------------------ everyone

const EVERYONE: ConformanceCase[] = [
  {
    name: 'everyone: matches an empty identity',
    policies: [{ name: 'all', decision: 'allow', include: [{ everyone: {} }] }],
    identity: {},
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'everyone', outcome: 'matched' }] },
  },
  {
    name: 'everyone: in a deny policy blocks everybody',
    policies: [{ name: 'nobody', decision: 'deny', include: [{ everyone: {} }] }],
    identity: { email: 'alice@example.com' },
    expect: { access: 'blocked', deciding: 0, reason: [{ pointer: INC0, code: 'everyone', outcome: 'matched' }] },
  },
];

// --------------------------------------------------------------------------------------- email

const EMAIL: ConformanceCase[] = [
  {
    name: 'email: the exact address matches',
    policies: [{ name: 'alice', decision: 'allow', include: [{ email: { email: 'alice@example.com' } }] }],
    identity: { email: 'alice@example.com' },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'email_match', outcome: 'matched' }] },
  },
  {
    name: 'email: an upper-case rule matches a lower-case identity',
    policies: [{ name: 'alice', decision: 'allow', include: [{ email: { email: 'Alice@Example.COM' } }] }],
    identity: { email: 'alice@example.com' },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'email_match' }] },
  },
  {
    name: 'email: a lower-case rule matches an upper-case identity',
    policies: [{ name: 'alice', decision: 'allow', include: [{ email: { email: 'alice@example.com' } }] }],
    identity: { email: 'ALICE@EXAMPLE.COM' },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'email_match' }] },
  },
  {
    name: 'email: a +tag is not folded away',
    policies: [{ name: 'alice', decision: 'allow', include: [{ email: { email: 'alice@example.com' } }] }],
    identity: { email: 'alice+test@example.com' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'email_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'email: a rule with a +tag does not match the untagged address',
    policies: [{ name: 'alice tagged', decision: 'allow', include: [{ email: { email: 'alice+ci@example.com' } }] }],
    identity: { email: 'alice@example.com' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'email_mismatch' }] },
  },
  {
    name: 'email: dots in the local part are not folded away',
    policies: [{ name: 'alice', decision: 'allow', include: [{ email: { email: 'alice@example.com' } }] }],
    identity: { email: 'a.lice@example.com' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'email_mismatch' }] },
  },
  {
    name: 'email: the same local part at another domain does not match',
    policies: [{ name: 'alice', decision: 'allow', include: [{ email: { email: 'alice@example.com' } }] }],
    identity: { email: 'alice@example.org' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'email_mismatch' }] },
  },
  {
    name: 'email: an identity without email is not matched',
    policies: [{ name: 'alice', decision: 'allow', include: [{ email: { email: 'alice@example.com' } }] }],
    identity: { name: 'Alice' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'email_missing', outcome: 'not_matched' }] },
  },
  {
    name: 'email: one of several email includes matches',
    policies: [
      {
        name: 'team',
        decision: 'allow',
        include: [{ email: { email: 'alice@example.com' } }, { email: { email: 'bob@example.com' } }, { email: { email: 'carol@example.com' } }],
      },
    ],
    identity: { email: 'Bob@example.com' },
    expect: {
      access: 'granted',
      deciding: 0,
      reason: [
        { pointer: '/policies/0/include/0', code: 'email_mismatch', outcome: 'not_matched' },
        { pointer: '/policies/0/include/1', code: 'email_match', outcome: 'matched' },
      ],
    },
  },
];

// -------------------------------------------------------------------------------- email_domain

const EMAIL_DOMAIN: ConformanceCase[] = [
  {
    name: 'email_domain: the domain matches',
    policies: [{ name: 'staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] }],
    identity: { email: 'alice@example.com' },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'email_domain_match', outcome: 'matched' }] },
  },
  {
    name: 'email_domain: a leading @ is stripped',
    policies: [{ name: 'staff', decision: 'allow', include: [{ email_domain: { domain: '@example.com' } }] }],
    identity: { email: 'alice@example.com' },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'email_domain_match' }] },
  },
  {
    name: 'email_domain: a leading @ still does not let other domains in',
    policies: [{ name: 'staff', decision: 'allow', include: [{ email_domain: { domain: '@example.com' } }] }],
    identity: { email: 'alice@example.org' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'email_domain_mismatch' }] },
  },
  {
    name: 'email_domain: subdomains do not match',
    policies: [{ name: 'staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] }],
    identity: { email: 'alice@eng.example.com' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'email_domain_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'email_domain: a subdomain rule does not match the parent domain',
    policies: [{ name: 'eng', decision: 'allow', include: [{ email_domain: { domain: 'eng.example.com' } }] }],
    identity: { email: 'alice@example.com' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'email_domain_mismatch' }] },
  },
  {
    name: 'email_domain: a look-alike suffix does not match',
    policies: [{ name: 'staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] }],
    identity: { email: 'mallory@notexample.com' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'email_domain_mismatch' }] },
  },
  {
    name: 'email_domain: an upper-case rule matches a lower-case identity',
    policies: [{ name: 'staff', decision: 'allow', include: [{ email_domain: { domain: 'EXAMPLE.Com' } }] }],
    identity: { email: 'alice@example.com' },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'email_domain_match' }] },
  },
  {
    name: 'email_domain: a lower-case rule matches an upper-case identity',
    policies: [{ name: 'staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] }],
    identity: { email: 'Alice@EXAMPLE.COM' },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'email_domain_match' }] },
  },
  {
    name: 'email_domain: an identity without email is not matched',
    policies: [{ name: 'staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] }],
    identity: { ip: '10.0.0.1' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'email_missing', outcome: 'not_matched' }] },
  },
  {
    name: 'email_domain: one of several domains matches',
    policies: [
      {
        name: 'staff',
        decision: 'allow',
        include: [{ email_domain: { domain: 'example.org' } }, { email_domain: { domain: 'example.com' } }],
      },
    ],
    identity: { email: 'alice@example.com' },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: '/policies/0/include/1', code: 'email_domain_match' }] },
  },
];

// ---------------------------------------------------------------------------------- email_list

const EMAIL_LIST_ENV = {
  lists: {
    'list-staff': { type: 'EMAIL' as const, items: ['alice@example.com', 'BOB@EXAMPLE.COM'] },
    'list-ips': { type: 'IP' as const, items: ['10.0.0.0/8'] },
  },
};

const EMAIL_LIST: ConformanceCase[] = [
  {
    name: 'email_list: an address in the list matches',
    policies: [{ name: 'listed', decision: 'allow', include: [{ email_list: { id: 'list-staff' } }] }],
    identity: { email: 'alice@example.com' },
    env: EMAIL_LIST_ENV,
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'email_list_match', outcome: 'matched' }] },
  },
  {
    name: 'email_list: an upper-case identity matches a lower-case entry',
    policies: [{ name: 'listed', decision: 'allow', include: [{ email_list: { id: 'list-staff' } }] }],
    identity: { email: 'ALICE@Example.com' },
    env: EMAIL_LIST_ENV,
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'email_list_match' }] },
  },
  {
    name: 'email_list: a lower-case identity matches an upper-case entry',
    policies: [{ name: 'listed', decision: 'allow', include: [{ email_list: { id: 'list-staff' } }] }],
    identity: { email: 'bob@example.com' },
    env: EMAIL_LIST_ENV,
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'email_list_match' }] },
  },
  {
    name: 'email_list: an address not in the list is not matched',
    policies: [{ name: 'listed', decision: 'allow', include: [{ email_list: { id: 'list-staff' } }] }],
    identity: { email: 'carol@example.com' },
    env: EMAIL_LIST_ENV,
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'email_list_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'email_list: a +tagged address is not in the list',
    policies: [{ name: 'listed', decision: 'allow', include: [{ email_list: { id: 'list-staff' } }] }],
    identity: { email: 'alice+x@example.com' },
    env: EMAIL_LIST_ENV,
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'email_list_mismatch' }] },
  },
  {
    name: 'email_list: an identity without email is not matched',
    policies: [{ name: 'listed', decision: 'allow', include: [{ email_list: { id: 'list-staff' } }] }],
    identity: { name: 'nobody' },
    env: EMAIL_LIST_ENV,
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'email_missing', outcome: 'not_matched' }] },
  },
  {
    name: 'email_list: a missing list is unknown for an identity with email',
    policies: [{ name: 'listed', decision: 'allow', include: [{ email_list: { id: 'list-gone' } }] }],
    identity: { email: 'alice@example.com' },
    env: EMAIL_LIST_ENV,
    expect: { access: 'unknown', deciding: 0, reason: [{ pointer: INC0, code: 'list_not_found', outcome: 'unknown' }] },
  },
  {
    name: 'email_list: a missing list is simply not matched for an identity without email',
    policies: [{ name: 'listed', decision: 'allow', include: [{ email_list: { id: 'list-gone' } }] }],
    identity: { ip: '10.1.1.1' },
    env: EMAIL_LIST_ENV,
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'email_missing', outcome: 'not_matched' }] },
  },
  {
    name: 'email_list: a list of type IP is unknown',
    policies: [{ name: 'listed', decision: 'allow', include: [{ email_list: { id: 'list-ips' } }] }],
    identity: { email: 'alice@example.com', ip: '10.1.1.1' },
    env: EMAIL_LIST_ENV,
    expect: { access: 'unknown', deciding: 0, reason: [{ pointer: INC0, code: 'list_type_mismatch', outcome: 'unknown' }] },
  },
  {
    name: 'email_list: with no list lookup at all the rule is unknown',
    policies: [{ name: 'listed', decision: 'allow', include: [{ email_list: { id: 'list-staff' } }] }],
    identity: { email: 'alice@example.com' },
    expect: { access: 'unknown', deciding: 0, reason: [{ pointer: INC0, code: 'list_not_found', outcome: 'unknown' }] },
  },
];

// ------------------------------------------------------------------------------------------ ip

const IP: ConformanceCase[] = [
  {
    name: 'ip: an IPv4 address inside the CIDR matches',
    policies: [{ name: 'office', decision: 'allow', include: [{ ip: { ip: '10.0.0.0/8' } }] }],
    identity: { ip: '10.20.30.40' },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'ip_match', outcome: 'matched' }] },
  },
  {
    name: 'ip: an IPv4 address outside the CIDR is not matched',
    policies: [{ name: 'office', decision: 'allow', include: [{ ip: { ip: '10.0.0.0/8' } }] }],
    identity: { ip: '11.0.0.1' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'ip_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'ip: the last address of a /24 matches',
    policies: [{ name: 'net', decision: 'allow', include: [{ ip: { ip: '192.168.1.0/24' } }] }],
    identity: { ip: '192.168.1.255' },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'ip_match' }] },
  },
  {
    name: 'ip: the address just past a /24 is not matched',
    policies: [{ name: 'net', decision: 'allow', include: [{ ip: { ip: '192.168.1.0/24' } }] }],
    identity: { ip: '192.168.2.0' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'ip_mismatch' }] },
  },
  {
    name: 'ip: a bare IPv4 address means /32 and matches itself',
    policies: [{ name: 'host', decision: 'allow', include: [{ ip: { ip: '203.0.113.7' } }] }],
    identity: { ip: '203.0.113.7' },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'ip_match' }] },
  },
  {
    name: 'ip: a bare IPv4 address does not match its neighbour',
    policies: [{ name: 'host', decision: 'allow', include: [{ ip: { ip: '203.0.113.7' } }] }],
    identity: { ip: '203.0.113.8' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'ip_mismatch' }] },
  },
  {
    name: 'ip: a CIDR written with host bits set matches as its network',
    policies: [{ name: 'net', decision: 'allow', include: [{ ip: { ip: '10.1.2.3/16' } }] }],
    identity: { ip: '10.1.200.9' },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'ip_match' }] },
  },
  {
    name: 'ip: 0.0.0.0/0 matches every IPv4 address',
    policies: [{ name: 'v4', decision: 'allow', include: [{ ip: { ip: '0.0.0.0/0' } }] }],
    identity: { ip: '255.255.255.255' },
    expect: { access: 'granted', deciding: 0 },
  },
  {
    name: 'ip: an IPv6 address inside an IPv6 CIDR matches',
    policies: [{ name: 'v6 net', decision: 'allow', include: [{ ip: { ip: '2001:db8::/32' } }] }],
    identity: { ip: '2001:db8:abcd:12::1' },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'ip_match', outcome: 'matched' }] },
  },
  {
    name: 'ip: an IPv6 address outside an IPv6 CIDR is not matched',
    policies: [{ name: 'v6 net', decision: 'allow', include: [{ ip: { ip: '2001:db8::/32' } }] }],
    identity: { ip: '2001:db9::1' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'ip_mismatch' }] },
  },
  {
    name: 'ip: a bare IPv6 address matches the same address written in full',
    policies: [{ name: 'v6 host', decision: 'allow', include: [{ ip: { ip: '2001:db8::1' } }] }],
    identity: { ip: '2001:0DB8:0000:0000:0000:0000:0000:0001' },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'ip_match' }] },
  },
  {
    name: 'ip: a bare IPv6 address means /128 and does not match its neighbour',
    policies: [{ name: 'v6 host', decision: 'allow', include: [{ ip: { ip: '2001:db8::1' } }] }],
    identity: { ip: '2001:db8::2' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'ip_mismatch' }] },
  },
  {
    name: 'ip: an IPv4-mapped IPv6 identity address is its IPv4 address',
    policies: [{ name: 'office', decision: 'allow', include: [{ ip: { ip: '10.0.0.0/8' } }] }],
    identity: { ip: '::ffff:10.1.2.3' },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'ip_match' }] },
  },
  {
    name: 'ip: an IPv4-mapped IPv6 identity address outside the IPv4 CIDR is not matched',
    policies: [{ name: 'office', decision: 'allow', include: [{ ip: { ip: '10.0.0.0/8' } }] }],
    identity: { ip: '::ffff:192.0.2.1' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'ip_mismatch' }] },
  },
  {
    name: 'ip: an IPv4-mapped IPv6 CIDR matches a plain IPv4 identity',
    policies: [{ name: 'mapped', decision: 'allow', include: [{ ip: { ip: '::ffff:10.0.0.0/104' } }] }],
    identity: { ip: '10.9.8.7' },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'ip_match' }] },
  },
  {
    name: 'ip: an IPv6 range does not match an IPv4 identity',
    policies: [{ name: 'all v6', decision: 'allow', include: [{ ip: { ip: '::/0' } }] }],
    identity: { ip: '10.0.0.1' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'ip_mismatch' }] },
  },
  {
    name: 'ip: an IPv4 range does not match an IPv6 identity',
    policies: [{ name: 'all v4', decision: 'allow', include: [{ ip: { ip: '0.0.0.0/0' } }] }],
    identity: { ip: '2001:db8::1' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'ip_mismatch' }] },
  },
  {
    name: 'ip: an identity without an IP is not matched',
    policies: [{ name: 'office', decision: 'allow', include: [{ ip: { ip: '10.0.0.0/8' } }] }],
    identity: { email: 'alice@example.com' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'ip_missing', outcome: 'not_matched' }] },
  },
  {
    name: 'ip: an unparsable identity IP is treated as missing',
    policies: [{ name: 'office', decision: 'allow', include: [{ ip: { ip: '0.0.0.0/0' } }] }],
    identity: { ip: 'not-an-ip' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'ip_missing' }] },
  },
  {
    name: 'ip: one of several ranges (mixed families) matches',
    policies: [
      {
        name: 'offices',
        decision: 'allow',
        include: [{ ip: { ip: '192.0.2.0/24' } }, { ip: { ip: '2001:db8::/48' } }, { ip: { ip: '198.51.100.0/24' } }],
      },
    ],
    identity: { ip: '198.51.100.200' },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: '/policies/0/include/2', code: 'ip_match' }] },
  },
];

// ------------------------------------------------------------------------------------- ip_list

const IP_LIST_ENV = {
  lists: {
    'list-office': {
      type: 'IP' as const,
      items: ['10.0.0.0/25', '10.0.0.128/25', '192.0.2.10', '2001:db8:1::/48', '2001:db8:ffff::5'],
    },
    'list-emails': { type: 'EMAIL' as const, items: ['alice@example.com'] },
  },
};

const IP_LIST: ConformanceCase[] = [
  {
    name: 'ip_list: an address inside a CIDR entry matches',
    policies: [{ name: 'office', decision: 'allow', include: [{ ip_list: { id: 'list-office' } }] }],
    identity: { ip: '10.0.0.17' },
    env: IP_LIST_ENV,
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'ip_list_match', outcome: 'matched' }] },
  },
  {
    name: 'ip_list: adjacent CIDR entries both count',
    policies: [{ name: 'office', decision: 'allow', include: [{ ip_list: { id: 'list-office' } }] }],
    identity: { ip: '10.0.0.200' },
    env: IP_LIST_ENV,
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'ip_list_match' }] },
  },
  {
    name: 'ip_list: a bare address entry matches that address',
    policies: [{ name: 'office', decision: 'allow', include: [{ ip_list: { id: 'list-office' } }] }],
    identity: { ip: '192.0.2.10' },
    env: IP_LIST_ENV,
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'ip_list_match' }] },
  },
  {
    name: 'ip_list: a bare address entry does not match its neighbour',
    policies: [{ name: 'office', decision: 'allow', include: [{ ip_list: { id: 'list-office' } }] }],
    identity: { ip: '192.0.2.11' },
    env: IP_LIST_ENV,
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'ip_list_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'ip_list: an address just past the CIDR entries is not matched',
    policies: [{ name: 'office', decision: 'allow', include: [{ ip_list: { id: 'list-office' } }] }],
    identity: { ip: '10.0.1.0' },
    env: IP_LIST_ENV,
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'ip_list_mismatch' }] },
  },
  {
    name: 'ip_list: an IPv6 address inside an IPv6 CIDR entry matches',
    policies: [{ name: 'office', decision: 'allow', include: [{ ip_list: { id: 'list-office' } }] }],
    identity: { ip: '2001:db8:1:42::9' },
    env: IP_LIST_ENV,
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'ip_list_match' }] },
  },
  {
    name: 'ip_list: a bare IPv6 entry matches only that address',
    policies: [{ name: 'office', decision: 'allow', include: [{ ip_list: { id: 'list-office' } }] }],
    identity: { ip: '2001:db8:ffff::6' },
    env: IP_LIST_ENV,
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'ip_list_mismatch' }] },
  },
  {
    name: 'ip_list: an IPv4-mapped identity address is looked up as IPv4',
    policies: [{ name: 'office', decision: 'allow', include: [{ ip_list: { id: 'list-office' } }] }],
    identity: { ip: '::ffff:192.0.2.10' },
    env: IP_LIST_ENV,
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'ip_list_match' }] },
  },
  {
    name: 'ip_list: an identity without an IP is not matched',
    policies: [{ name: 'office', decision: 'allow', include: [{ ip_list: { id: 'list-office' } }] }],
    identity: { email: 'alice@example.com' },
    env: IP_LIST_ENV,
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'ip_missing', outcome: 'not_matched' }] },
  },
  {
    name: 'ip_list: a missing list is unknown for an identity with an IP',
    policies: [{ name: 'office', decision: 'allow', include: [{ ip_list: { id: 'list-gone' } }] }],
    identity: { ip: '10.0.0.1' },
    env: IP_LIST_ENV,
    expect: { access: 'unknown', deciding: 0, reason: [{ pointer: INC0, code: 'list_not_found', outcome: 'unknown' }] },
  },
  {
    name: 'ip_list: a missing list is simply not matched for an identity without an IP',
    policies: [{ name: 'office', decision: 'allow', include: [{ ip_list: { id: 'list-gone' } }] }],
    identity: { email: 'alice@example.com' },
    env: IP_LIST_ENV,
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'ip_missing' }] },
  },
  {
    name: 'ip_list: a list of type EMAIL is unknown',
    policies: [{ name: 'office', decision: 'allow', include: [{ ip_list: { id: 'list-emails' } }] }],
    identity: { ip: '10.0.0.1', email: 'alice@example.com' },
    env: IP_LIST_ENV,
    expect: { access: 'unknown', deciding: 0, reason: [{ pointer: INC0, code: 'list_type_mismatch', outcome: 'unknown' }] },
  },
];

// ----------------------------------------------------------------------------------------- geo

const GEO: ConformanceCase[] = [
  {
    name: 'geo: the country matches',
    policies: [{ name: 'us', decision: 'allow', include: [{ geo: { country_code: 'US' } }] }],
    identity: { geo: { country: 'US' } },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'country_match', outcome: 'matched' }] },
  },
  {
    name: 'geo: a lower-case rule matches an upper-case identity',
    policies: [{ name: 'us', decision: 'allow', include: [{ geo: { country_code: 'us' } }] }],
    identity: { geo: { country: 'US' } },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'country_match' }] },
  },
  {
    name: 'geo: an upper-case rule matches a lower-case identity',
    policies: [{ name: 'us', decision: 'allow', include: [{ geo: { country_code: 'US' } }] }],
    identity: { geo: { country: 'us' } },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'country_match' }] },
  },
  {
    name: 'geo: another country is not matched',
    policies: [{ name: 'us', decision: 'allow', include: [{ geo: { country_code: 'US' } }] }],
    identity: { geo: { country: 'DE' } },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'country_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'geo: an identity without a country is not matched',
    policies: [{ name: 'us', decision: 'allow', include: [{ geo: { country_code: 'US' } }] }],
    identity: { geo: {} },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'country_missing', outcome: 'not_matched' }] },
  },
  {
    name: 'geo: a deny by country blocks before a later allow',
    policies: [
      { name: 'embargo', decision: 'deny', include: [{ geo: { country_code: 'KP' } }, { geo: { country_code: 'IR' } }] },
      { name: 'all', decision: 'allow', include: [{ everyone: {} }] },
    ],
    identity: { geo: { country: 'ir' } },
    expect: { access: 'blocked', deciding: 0, reason: [{ pointer: '/policies/0/include/1', code: 'country_match' }] },
  },
];

// -------------------------------------------------------------------------------- login_method

const LOGIN_METHOD: ConformanceCase[] = [
  {
    name: 'login_method: logging in through the IdP matches',
    policies: [{ name: 'otp', decision: 'allow', include: [{ login_method: { id: OTP } }] }],
    identity: { email: 'alice@example.com', idp: { id: OTP, type: 'onetimepin' } },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'login_method_match', outcome: 'matched' }] },
  },
  {
    name: 'login_method: another IdP is not matched',
    policies: [{ name: 'otp', decision: 'allow', include: [{ login_method: { id: OTP } }] }],
    identity: { email: 'alice@example.com', idp: { id: OKTA, type: 'okta' } },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'login_method_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'login_method: an identity without an IdP is not matched',
    policies: [{ name: 'otp', decision: 'allow', include: [{ login_method: { id: OTP } }] }],
    identity: { email: 'alice@example.com' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'login_method_mismatch' }] },
  },
  {
    name: 'login_method: IdP ids compare exactly',
    policies: [{ name: 'otp', decision: 'allow', include: [{ login_method: { id: 'IDP-OTP-0007' } }] }],
    identity: { idp: { id: OTP } },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'login_method_mismatch' }] },
  },
  {
    name: 'login_method: an existing IdP matches when IdPs are checked',
    policies: [{ name: 'otp', decision: 'allow', include: [{ login_method: { id: OTP } }] }],
    identity: { idp: { id: OTP } },
    env: { identityProviders: [OTP, OKTA] },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'login_method_match' }] },
  },
  {
    name: 'login_method: a deleted IdP the user logged in through is unknown',
    policies: [{ name: 'otp', decision: 'allow', include: [{ login_method: { id: OTP } }] }],
    identity: { idp: { id: OTP } },
    env: { identityProviders: [OKTA] },
    expect: { access: 'unknown', deciding: 0, reason: [{ pointer: INC0, code: 'identity_provider_not_found', outcome: 'unknown' }] },
  },
  {
    name: 'login_method: a deleted IdP the user did not log in through is not matched',
    policies: [{ name: 'otp', decision: 'allow', include: [{ login_method: { id: OTP } }] }],
    identity: { idp: { id: OKTA } },
    env: { identityProviders: [OKTA] },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'login_method_mismatch', outcome: 'not_matched' }] },
  },
];

// --------------------------------------------------------------------------------- auth_method

const AUTH_METHOD: ConformanceCase[] = [
  {
    name: 'auth_method: a method listed in amr matches',
    policies: [{ name: 'mfa', decision: 'allow', include: [{ auth_method: { auth_method: 'mfa' } }] }],
    identity: { amr: ['pwd', 'mfa'] },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'auth_method_match', outcome: 'matched' }] },
  },
  {
    name: 'auth_method: a method not in amr is not matched',
    policies: [{ name: 'mfa', decision: 'allow', include: [{ auth_method: { auth_method: 'mfa' } }] }],
    identity: { amr: ['pwd'] },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'auth_method_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'auth_method: an identity without amr is not matched',
    policies: [{ name: 'mfa', decision: 'allow', include: [{ auth_method: { auth_method: 'mfa' } }] }],
    identity: { email: 'alice@example.com' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'amr_missing', outcome: 'not_matched' }] },
  },
  {
    name: 'auth_method: an upper-case rule does not match a lower-case amr value',
    policies: [{ name: 'mfa', decision: 'allow', include: [{ auth_method: { auth_method: 'MFA' } }] }],
    identity: { amr: ['mfa'] },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'auth_method_mismatch' }] },
  },
  {
    name: 'auth_method: a lower-case rule does not match an upper-case amr value',
    policies: [{ name: 'hwk', decision: 'allow', include: [{ auth_method: { auth_method: 'hwk' } }] }],
    identity: { amr: ['HWK'] },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'auth_method_mismatch' }] },
  },
  {
    name: 'auth_method: as a require it gates an include',
    policies: [
      {
        name: 'staff with mfa',
        decision: 'allow',
        include: [{ email_domain: { domain: 'example.com' } }],
        require: [{ auth_method: { auth_method: 'mfa' } }],
      },
    ],
    identity: { email: 'alice@example.com', amr: ['pwd'] },
    expect: {
      access: 'blocked',
      deciding: null,
      reason: [
        { pointer: INC0, code: 'email_domain_match', outcome: 'matched' },
        { pointer: '/policies/0/require/0', code: 'auth_method_mismatch', outcome: 'not_matched' },
      ],
    },
  },
];

// -------------------------------------------------------------------------------- auth_context

const AUTH_CONTEXT_RULE = { auth_context: { ac_id: 'c1', id: 'ctx-0001', identity_provider_id: AZURE } };

const AUTH_CONTEXT: ConformanceCase[] = [
  {
    name: 'auth_context: a satisfied context through the right IdP matches',
    policies: [{ name: 'ctx', decision: 'allow', include: [AUTH_CONTEXT_RULE] }],
    identity: { idp: { id: AZURE, type: 'azureAD' }, auth_contexts: ['c2', 'c1'] },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'auth_context_match', outcome: 'matched' }] },
  },
  {
    name: 'auth_context: the satisfied context through another IdP is an idp_mismatch',
    policies: [{ name: 'ctx', decision: 'allow', include: [AUTH_CONTEXT_RULE] }],
    identity: { idp: { id: OKTA, type: 'okta' }, auth_contexts: ['c1'] },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'idp_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'auth_context: an unsatisfied context is not matched',
    policies: [{ name: 'ctx', decision: 'allow', include: [AUTH_CONTEXT_RULE] }],
    identity: { idp: { id: AZURE }, auth_contexts: ['c2'] },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'auth_context_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'auth_context: an identity without auth_contexts is not matched',
    policies: [{ name: 'ctx', decision: 'allow', include: [AUTH_CONTEXT_RULE] }],
    identity: { idp: { id: AZURE } },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'auth_context_mismatch' }] },
  },
  {
    name: 'auth_context: ac_id compares exactly',
    policies: [{ name: 'ctx', decision: 'allow', include: [AUTH_CONTEXT_RULE] }],
    identity: { idp: { id: AZURE }, auth_contexts: ['C1'] },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'auth_context_mismatch' }] },
  },
  {
    name: 'auth_context: a deleted IdP the user logged in through is unknown',
    policies: [{ name: 'ctx', decision: 'allow', include: [AUTH_CONTEXT_RULE] }],
    identity: { idp: { id: AZURE }, auth_contexts: ['c1'] },
    env: { identityProviders: [OKTA] },
    expect: { access: 'unknown', deciding: 0, reason: [{ pointer: INC0, code: 'identity_provider_not_found', outcome: 'unknown' }] },
  },
];

// ------------------------------------------------------------------------------------- azureAD

const AZURE_RULE = { azureAD: { id: 'aad-group-3f2a', identity_provider_id: AZURE } };

const AZURE_AD: ConformanceCase[] = [
  {
    name: 'azureAD: a member of the group through the right IdP matches',
    policies: [{ name: 'aad', decision: 'allow', include: [AZURE_RULE] }],
    identity: { idp: { id: AZURE, type: 'azureAD' }, groups: [{ id: 'aad-group-0000' }, { id: 'aad-group-3f2a', name: 'Engineers' }] },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'azure_group_match', outcome: 'matched' }] },
  },
  {
    name: 'azureAD: the same group id through another IdP is an idp_mismatch',
    policies: [{ name: 'aad', decision: 'allow', include: [AZURE_RULE] }],
    identity: { idp: { id: OKTA }, groups: [{ id: 'aad-group-3f2a' }] },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'idp_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'azureAD: an identity without an IdP is an idp_mismatch',
    policies: [{ name: 'aad', decision: 'allow', include: [AZURE_RULE] }],
    identity: { groups: [{ id: 'aad-group-3f2a' }] },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'idp_mismatch' }] },
  },
  {
    name: 'azureAD: group ids compare exactly (upper-case identity id)',
    policies: [{ name: 'aad', decision: 'allow', include: [AZURE_RULE] }],
    identity: { idp: { id: AZURE }, groups: [{ id: 'AAD-GROUP-3F2A' }] },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'azure_group_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'azureAD: group ids compare exactly (upper-case rule id)',
    policies: [{ name: 'aad', decision: 'allow', include: [{ azureAD: { id: 'AAD-GROUP-3F2A', identity_provider_id: AZURE } }] }],
    identity: { idp: { id: AZURE }, groups: [{ id: 'aad-group-3f2a' }] },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'azure_group_mismatch' }] },
  },
  {
    name: 'azureAD: a group name equal to the id does not count',
    policies: [{ name: 'aad', decision: 'allow', include: [AZURE_RULE] }],
    identity: { idp: { id: AZURE }, groups: [{ name: 'aad-group-3f2a' }] },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'azure_group_mismatch' }] },
  },
  {
    name: 'azureAD: an identity without groups is not matched',
    policies: [{ name: 'aad', decision: 'allow', include: [AZURE_RULE] }],
    identity: { idp: { id: AZURE } },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'azure_group_mismatch' }] },
  },
  {
    name: 'azureAD: a deleted IdP the user logged in through is unknown',
    policies: [{ name: 'aad', decision: 'allow', include: [AZURE_RULE] }],
    identity: { idp: { id: AZURE }, groups: [{ id: 'aad-group-3f2a' }] },
    env: { identityProviders: [GOOGLE] },
    expect: { access: 'unknown', deciding: 0, reason: [{ pointer: INC0, code: 'identity_provider_not_found', outcome: 'unknown' }] },
  },
  {
    name: 'azureAD: a deleted IdP the user did not log in through is an idp_mismatch',
    policies: [{ name: 'aad', decision: 'allow', include: [AZURE_RULE] }],
    identity: { idp: { id: GOOGLE }, groups: [{ id: 'aad-group-3f2a' }] },
    env: { identityProviders: [GOOGLE] },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'idp_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'azureAD: an existing IdP matches when IdPs are checked',
    policies: [{ name: 'aad', decision: 'allow', include: [AZURE_RULE] }],
    identity: { idp: { id: AZURE }, groups: [{ id: 'aad-group-3f2a' }] },
    env: { identityProviders: [AZURE, GOOGLE] },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'azure_group_match' }] },
  },
];

// -------------------------------------------------------------------------------------- gsuite

const GSUITE_RULE = { gsuite: { email: 'eng@example.com', identity_provider_id: GOOGLE } };

const GSUITE: ConformanceCase[] = [
  {
    name: 'gsuite: a member of the group through the right IdP matches',
    policies: [{ name: 'gws', decision: 'allow', include: [GSUITE_RULE] }],
    identity: { idp: { id: GOOGLE, type: 'google-apps' }, groups: [{ email: 'eng@example.com' }] },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'gsuite_group_match', outcome: 'matched' }] },
  },
  {
    name: 'gsuite: an upper-case identity group email matches a lower-case rule',
    policies: [{ name: 'gws', decision: 'allow', include: [GSUITE_RULE] }],
    identity: { idp: { id: GOOGLE }, groups: [{ email: 'ENG@Example.com' }] },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'gsuite_group_match' }] },
  },
  {
    name: 'gsuite: an upper-case rule matches a lower-case identity group email',
    policies: [{ name: 'gws', decision: 'allow', include: [{ gsuite: { email: 'Eng@EXAMPLE.com', identity_provider_id: GOOGLE } }] }],
    identity: { idp: { id: GOOGLE }, groups: [{ email: 'eng@example.com' }] },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'gsuite_group_match' }] },
  },
  {
    name: 'gsuite: the group through another IdP is an idp_mismatch',
    policies: [{ name: 'gws', decision: 'allow', include: [GSUITE_RULE] }],
    identity: { idp: { id: AZURE }, groups: [{ email: 'eng@example.com' }] },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'idp_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'gsuite: a member of other groups only is not matched',
    policies: [{ name: 'gws', decision: 'allow', include: [GSUITE_RULE] }],
    identity: { idp: { id: GOOGLE }, groups: [{ email: 'sales@example.com' }, { email: 'eng@example.org' }] },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'gsuite_group_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'gsuite: an identity without groups is not matched',
    policies: [{ name: 'gws', decision: 'allow', include: [GSUITE_RULE] }],
    identity: { idp: { id: GOOGLE }, email: 'eng@example.com' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'gsuite_group_mismatch' }] },
  },
  {
    name: 'gsuite: a deleted IdP the user logged in through is unknown',
    policies: [{ name: 'gws', decision: 'allow', include: [GSUITE_RULE] }],
    identity: { idp: { id: GOOGLE }, groups: [{ email: 'eng@example.com' }] },
    env: { identityProviders: [] },
    expect: { access: 'unknown', deciding: 0, reason: [{ pointer: INC0, code: 'identity_provider_not_found', outcome: 'unknown' }] },
  },
];

// ---------------------------------------------------------------------------------------- okta

const OKTA_RULE = { okta: { identity_provider_id: OKTA, name: 'Engineering' } };

const OKTA_CASES: ConformanceCase[] = [
  {
    name: 'okta: a member of the group through the right IdP matches',
    policies: [{ name: 'okta', decision: 'allow', include: [OKTA_RULE] }],
    identity: { idp: { id: OKTA, type: 'okta' }, groups: [{ name: 'Everyone' }, { name: 'Engineering' }] },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'okta_group_match', outcome: 'matched' }] },
  },
  {
    name: 'okta: group names compare exactly (lower-case identity name)',
    policies: [{ name: 'okta', decision: 'allow', include: [OKTA_RULE] }],
    identity: { idp: { id: OKTA }, groups: [{ name: 'engineering' }] },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'okta_group_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'okta: group names compare exactly (upper-case rule name)',
    policies: [{ name: 'okta', decision: 'allow', include: [{ okta: { identity_provider_id: OKTA, name: 'ENGINEERING' } }] }],
    identity: { idp: { id: OKTA }, groups: [{ name: 'Engineering' }] },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'okta_group_mismatch' }] },
  },
  {
    name: 'okta: the group through another IdP is an idp_mismatch',
    policies: [{ name: 'okta', decision: 'allow', include: [OKTA_RULE] }],
    identity: { idp: { id: AZURE }, groups: [{ name: 'Engineering' }] },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'idp_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'okta: an identity without groups is not matched',
    policies: [{ name: 'okta', decision: 'allow', include: [OKTA_RULE] }],
    identity: { idp: { id: OKTA } },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'okta_group_mismatch' }] },
  },
  {
    name: 'okta: a deleted IdP the user logged in through is unknown',
    policies: [{ name: 'okta', decision: 'allow', include: [OKTA_RULE] }],
    identity: { idp: { id: OKTA }, groups: [{ name: 'Engineering' }] },
    env: { identityProviders: [AZURE] },
    expect: { access: 'unknown', deciding: 0, reason: [{ pointer: INC0, code: 'identity_provider_not_found', outcome: 'unknown' }] },
  },
];

// ------------------------------------------------------------------------- github-organization

const GH_ORG_RULE = { 'github-organization': { identity_provider_id: GITHUB, name: 'acme' } };
const GH_TEAM_RULE = { 'github-organization': { identity_provider_id: GITHUB, name: 'acme', team: 'platform' } };

const GITHUB_ORG: ConformanceCase[] = [
  {
    name: 'github-organization: an org member through the right IdP matches',
    policies: [{ name: 'gh', decision: 'allow', include: [GH_ORG_RULE] }],
    identity: { idp: { id: GITHUB, type: 'github' }, groups: [{ name: 'acme', teams: ['platform'] }] },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'github_org_match', outcome: 'matched' }] },
  },
  {
    name: 'github-organization: an org-only rule matches a member who is in no team',
    policies: [{ name: 'gh', decision: 'allow', include: [GH_ORG_RULE] }],
    identity: { idp: { id: GITHUB }, groups: [{ name: 'acme' }] },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'github_org_match' }] },
  },
  {
    name: 'github-organization: an upper-case identity org matches a lower-case rule',
    policies: [{ name: 'gh', decision: 'allow', include: [GH_ORG_RULE] }],
    identity: { idp: { id: GITHUB }, groups: [{ name: 'ACME' }] },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'github_org_match' }] },
  },
  {
    name: 'github-organization: an upper-case rule org matches a lower-case identity',
    policies: [{ name: 'gh', decision: 'allow', include: [{ 'github-organization': { identity_provider_id: GITHUB, name: 'Acme' } }] }],
    identity: { idp: { id: GITHUB }, groups: [{ name: 'acme' }] },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'github_org_match' }] },
  },
  {
    name: 'github-organization: a member of the team matches a team rule',
    policies: [{ name: 'gh', decision: 'allow', include: [GH_TEAM_RULE] }],
    identity: { idp: { id: GITHUB }, groups: [{ name: 'acme', teams: ['web', 'platform'] }] },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'github_team_match', outcome: 'matched' }] },
  },
  {
    name: 'github-organization: team names compare case-insensitively (upper-case identity team)',
    policies: [{ name: 'gh', decision: 'allow', include: [GH_TEAM_RULE] }],
    identity: { idp: { id: GITHUB }, groups: [{ name: 'acme', teams: ['Platform'] }] },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'github_team_match' }] },
  },
  {
    name: 'github-organization: team names compare case-insensitively (upper-case rule team)',
    policies: [{ name: 'gh', decision: 'allow', include: [{ 'github-organization': { identity_provider_id: GITHUB, name: 'ACME', team: 'PLATFORM' } }] }],
    identity: { idp: { id: GITHUB }, groups: [{ name: 'acme', teams: ['platform'] }] },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'github_team_match' }] },
  },
  {
    name: 'github-organization: an org member outside the team does not match a team rule',
    policies: [{ name: 'gh', decision: 'allow', include: [GH_TEAM_RULE] }],
    identity: { idp: { id: GITHUB }, groups: [{ name: 'acme', teams: ['web'] }] },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'github_team_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'github-organization: an org member with no teams does not match a team rule',
    policies: [{ name: 'gh', decision: 'allow', include: [GH_TEAM_RULE] }],
    identity: { idp: { id: GITHUB }, groups: [{ name: 'acme' }] },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'github_team_mismatch' }] },
  },
  {
    name: 'github-organization: the same team name in another org does not count',
    policies: [{ name: 'gh', decision: 'allow', include: [GH_TEAM_RULE] }],
    identity: { idp: { id: GITHUB }, groups: [{ name: 'acme', teams: ['web'] }, { name: 'other-org', teams: ['platform'] }] },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'github_team_mismatch' }] },
  },
  {
    name: 'github-organization: a member of other orgs only is not matched',
    policies: [{ name: 'gh', decision: 'allow', include: [GH_ORG_RULE] }],
    identity: { idp: { id: GITHUB }, groups: [{ name: 'acme-labs', teams: ['platform'] }] },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'github_org_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'github-organization: an identity without groups is not matched',
    policies: [{ name: 'gh', decision: 'allow', include: [GH_TEAM_RULE] }],
    identity: { idp: { id: GITHUB } },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'github_org_mismatch' }] },
  },
  {
    name: 'github-organization: the org through another IdP is an idp_mismatch',
    policies: [{ name: 'gh', decision: 'allow', include: [GH_ORG_RULE] }],
    identity: { idp: { id: OKTA }, groups: [{ name: 'acme', teams: ['platform'] }] },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'idp_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'github-organization: a deleted IdP the user logged in through is unknown',
    policies: [{ name: 'gh', decision: 'allow', include: [GH_TEAM_RULE] }],
    identity: { idp: { id: GITHUB }, groups: [{ name: 'acme', teams: ['platform'] }] },
    env: { identityProviders: [OKTA] },
    expect: { access: 'unknown', deciding: 0, reason: [{ pointer: INC0, code: 'identity_provider_not_found', outcome: 'unknown' }] },
  },
];

// ---------------------------------------------------------------------------------------- saml

const SAML_RULE = { saml: { attribute_name: 'department', attribute_value: 'Engineering', identity_provider_id: SAML } };

const SAML_CASES: ConformanceCase[] = [
  {
    name: 'saml: a single-valued attribute with the value matches',
    policies: [{ name: 'saml', decision: 'allow', include: [SAML_RULE] }],
    identity: { idp: { id: SAML, type: 'saml' }, saml_attributes: { department: 'Engineering' } },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'saml_match', outcome: 'matched' }] },
  },
  {
    name: 'saml: a multi-valued attribute containing the value matches',
    policies: [{ name: 'saml', decision: 'allow', include: [SAML_RULE] }],
    identity: { idp: { id: SAML }, saml_attributes: { department: ['Sales', 'Engineering'] } },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'saml_match' }] },
  },
  {
    name: 'saml: another value is not matched',
    policies: [{ name: 'saml', decision: 'allow', include: [SAML_RULE] }],
    identity: { idp: { id: SAML }, saml_attributes: { department: ['Sales', 'Support'] } },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'saml_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'saml: values compare exactly (lower-case identity value)',
    policies: [{ name: 'saml', decision: 'allow', include: [SAML_RULE] }],
    identity: { idp: { id: SAML }, saml_attributes: { department: 'engineering' } },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'saml_mismatch' }] },
  },
  {
    name: 'saml: values compare exactly (upper-case rule value)',
    policies: [{ name: 'saml', decision: 'allow', include: [{ saml: { attribute_name: 'department', attribute_value: 'ENGINEERING', identity_provider_id: SAML } }] }],
    identity: { idp: { id: SAML }, saml_attributes: { department: 'Engineering' } },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'saml_mismatch' }] },
  },
  {
    name: 'saml: attribute names compare exactly',
    policies: [{ name: 'saml', decision: 'allow', include: [SAML_RULE] }],
    identity: { idp: { id: SAML }, saml_attributes: { Department: 'Engineering' } },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'saml_missing', outcome: 'not_matched' }] },
  },
  {
    name: 'saml: an identity without the attribute is not matched',
    policies: [{ name: 'saml', decision: 'allow', include: [SAML_RULE] }],
    identity: { idp: { id: SAML }, email: 'alice@example.com' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'saml_missing' }] },
  },
  {
    name: 'saml: the attribute through another IdP is an idp_mismatch',
    policies: [{ name: 'saml', decision: 'allow', include: [SAML_RULE] }],
    identity: { idp: { id: OKTA }, saml_attributes: { department: 'Engineering' } },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'idp_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'saml: a deleted IdP the user logged in through is unknown',
    policies: [{ name: 'saml', decision: 'allow', include: [SAML_RULE] }],
    identity: { idp: { id: SAML }, saml_attributes: { department: 'Engineering' } },
    env: { identityProviders: [OKTA, OIDC] },
    expect: { access: 'unknown', deciding: 0, reason: [{ pointer: INC0, code: 'identity_provider_not_found', outcome: 'unknown' }] },
  },
];

// ---------------------------------------------------------------------------------------- oidc

const OIDC_CASES: ConformanceCase[] = [
  {
    name: 'oidc: a string claim with the value matches',
    policies: [{ name: 'oidc', decision: 'allow', include: [{ oidc: { claim_name: 'role', claim_value: 'admin', identity_provider_id: OIDC } }] }],
    identity: { idp: { id: OIDC, type: 'oidc' }, oidc_fields: { role: 'admin' } },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'oidc_match', outcome: 'matched' }] },
  },
  {
    name: 'oidc: an array claim containing the value matches',
    policies: [{ name: 'oidc', decision: 'allow', include: [{ oidc: { claim_name: 'groups', claim_value: 'ops', identity_provider_id: OIDC } }] }],
    identity: { idp: { id: OIDC }, oidc_fields: { groups: ['dev', 'ops'] } },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'oidc_match' }] },
  },
  {
    name: 'oidc: a number claim compares as its string',
    policies: [{ name: 'oidc', decision: 'allow', include: [{ oidc: { claim_name: 'level', claim_value: '42', identity_provider_id: OIDC } }] }],
    identity: { idp: { id: OIDC }, oidc_fields: { level: 42 } },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'oidc_match' }] },
  },
  {
    name: 'oidc: a number inside an array claim compares as its string',
    policies: [{ name: 'oidc', decision: 'allow', include: [{ oidc: { claim_name: 'levels', claim_value: '7', identity_provider_id: OIDC } }] }],
    identity: { idp: { id: OIDC }, oidc_fields: { levels: [3, 7] } },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'oidc_match' }] },
  },
  {
    name: 'oidc: a true boolean claim matches "true"',
    policies: [{ name: 'oidc', decision: 'allow', include: [{ oidc: { claim_name: 'email_verified', claim_value: 'true', identity_provider_id: OIDC } }] }],
    identity: { idp: { id: OIDC }, oidc_fields: { email_verified: true } },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'oidc_match' }] },
  },
  {
    name: 'oidc: a false boolean claim does not match "true"',
    policies: [{ name: 'oidc', decision: 'allow', include: [{ oidc: { claim_name: 'email_verified', claim_value: 'true', identity_provider_id: OIDC } }] }],
    identity: { idp: { id: OIDC }, oidc_fields: { email_verified: false } },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'oidc_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'oidc: a boolean claim does not match "True"',
    policies: [{ name: 'oidc', decision: 'allow', include: [{ oidc: { claim_name: 'email_verified', claim_value: 'True', identity_provider_id: OIDC } }] }],
    identity: { idp: { id: OIDC }, oidc_fields: { email_verified: true } },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'oidc_mismatch' }] },
  },
  {
    name: 'oidc: values compare exactly (upper-case identity value)',
    policies: [{ name: 'oidc', decision: 'allow', include: [{ oidc: { claim_name: 'role', claim_value: 'admin', identity_provider_id: OIDC } }] }],
    identity: { idp: { id: OIDC }, oidc_fields: { role: 'Admin' } },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'oidc_mismatch' }] },
  },
  {
    name: 'oidc: values compare exactly (upper-case rule value)',
    policies: [{ name: 'oidc', decision: 'allow', include: [{ oidc: { claim_name: 'role', claim_value: 'ADMIN', identity_provider_id: OIDC } }] }],
    identity: { idp: { id: OIDC }, oidc_fields: { role: 'admin' } },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'oidc_mismatch' }] },
  },
  {
    name: 'oidc: an identity without the claim is not matched',
    policies: [{ name: 'oidc', decision: 'allow', include: [{ oidc: { claim_name: 'role', claim_value: 'admin', identity_provider_id: OIDC } }] }],
    identity: { idp: { id: OIDC }, oidc_fields: { sub: '1234' } },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'oidc_missing', outcome: 'not_matched' }] },
  },
  {
    name: 'oidc: the claim through another IdP is an idp_mismatch',
    policies: [{ name: 'oidc', decision: 'allow', include: [{ oidc: { claim_name: 'role', claim_value: 'admin', identity_provider_id: OIDC } }] }],
    identity: { idp: { id: SAML }, oidc_fields: { role: 'admin' } },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'idp_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'oidc: a deleted IdP the user logged in through is unknown',
    policies: [{ name: 'oidc', decision: 'allow', include: [{ oidc: { claim_name: 'role', claim_value: 'admin', identity_provider_id: OIDC } }] }],
    identity: { idp: { id: OIDC }, oidc_fields: { role: 'admin' } },
    env: { identityProviders: [SAML] },
    expect: { access: 'unknown', deciding: 0, reason: [{ pointer: INC0, code: 'identity_provider_not_found', outcome: 'unknown' }] },
  },
  {
    name: 'oidc: a deleted IdP the user did not log in through is an idp_mismatch',
    policies: [{ name: 'oidc', decision: 'allow', include: [{ oidc: { claim_name: 'role', claim_value: 'admin', identity_provider_id: OIDC } }] }],
    identity: { idp: { id: SAML }, oidc_fields: { role: 'admin' } },
    env: { identityProviders: [SAML] },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'idp_mismatch', outcome: 'not_matched' }] },
  },
];

// --------------------------------------------------------------------------------- certificate

const CERTIFICATE: ConformanceCase[] = [
  {
    name: 'certificate: a presented certificate with status OK matches',
    policies: [{ name: 'mtls', decision: 'non_identity', include: [{ certificate: {} }] }],
    identity: { mtls_auth: { cert_presented: true, auth_status: 'OK', cert_issuer_dn: 'CN=Acme CA' } },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'certificate_valid', outcome: 'matched' }] },
  },
  {
    name: 'certificate: a presented certificate that failed validation is not matched',
    policies: [{ name: 'mtls', decision: 'non_identity', include: [{ certificate: {} }] }],
    identity: { mtls_auth: { cert_presented: true, auth_status: 'FAILED:self signed certificate' } },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'certificate_invalid', outcome: 'not_matched' }] },
  },
  {
    name: 'certificate: status "ok" in lower case is not OK',
    policies: [{ name: 'mtls', decision: 'non_identity', include: [{ certificate: {} }] }],
    identity: { mtls_auth: { cert_presented: true, auth_status: 'ok' } },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'certificate_invalid' }] },
  },
  {
    name: 'certificate: status OK without a presented certificate is not matched',
    policies: [{ name: 'mtls', decision: 'non_identity', include: [{ certificate: {} }] }],
    identity: { mtls_auth: { cert_presented: false, auth_status: 'OK' } },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'certificate_missing', outcome: 'not_matched' }] },
  },
  {
    name: 'certificate: an identity without mtls_auth is not matched',
    policies: [{ name: 'mtls', decision: 'non_identity', include: [{ certificate: {} }] }],
    identity: { email: 'alice@example.com' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'certificate_missing' }] },
  },
];

// --------------------------------------------------------------------------------- common_name

const COMMON_NAME: ConformanceCase[] = [
  {
    name: 'common_name: the exact common name matches with a valid certificate',
    policies: [{ name: 'cn', decision: 'non_identity', include: [{ common_name: { common_name: 'build-agent-01' } }] }],
    identity: { common_name: 'build-agent-01', mtls_auth: { cert_presented: true, auth_status: 'OK' } },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'common_name_match', outcome: 'matched' }] },
  },
  {
    name: 'common_name: another common name is not matched',
    policies: [{ name: 'cn', decision: 'non_identity', include: [{ common_name: { common_name: 'build-agent-01' } }] }],
    identity: { common_name: 'build-agent-02', mtls_auth: { cert_presented: true, auth_status: 'OK' } },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'common_name_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'common_name: compares exactly (upper-case identity)',
    policies: [{ name: 'cn', decision: 'non_identity', include: [{ common_name: { common_name: 'build-agent-01' } }] }],
    identity: { common_name: 'BUILD-AGENT-01', mtls_auth: { cert_presented: true, auth_status: 'OK' } },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'common_name_mismatch' }] },
  },
  {
    name: 'common_name: compares exactly (upper-case rule)',
    policies: [{ name: 'cn', decision: 'non_identity', include: [{ common_name: { common_name: 'Build-Agent-01' } }] }],
    identity: { common_name: 'build-agent-01', mtls_auth: { cert_presented: true, auth_status: 'OK' } },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'common_name_mismatch' }] },
  },
  {
    name: 'common_name: the right common name with a failed certificate is not matched',
    policies: [{ name: 'cn', decision: 'non_identity', include: [{ common_name: { common_name: 'build-agent-01' } }] }],
    identity: { common_name: 'build-agent-01', mtls_auth: { cert_presented: true, auth_status: 'FAIL' } },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'common_name_certificate_invalid', outcome: 'not_matched' }] },
  },
  {
    name: 'common_name: the right common name without certificate data is not matched',
    policies: [{ name: 'cn', decision: 'non_identity', include: [{ common_name: { common_name: 'build-agent-01' } }] }],
    identity: { common_name: 'build-agent-01' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'common_name_certificate_invalid', outcome: 'not_matched' }] },
  },
  {
    name: 'common_name: an identity without a common name is not matched',
    policies: [{ name: 'cn', decision: 'non_identity', include: [{ common_name: { common_name: 'build-agent-01' } }] }],
    identity: { mtls_auth: { cert_presented: true, auth_status: 'OK' } },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'common_name_missing', outcome: 'not_matched' }] },
  },
];

// ------------------------------------------------------------------------------ device_posture

const POSTURE_RULE = { device_posture: { integration_uid: 'posture-disk-enc' } };

const DEVICE_POSTURE: ConformanceCase[] = [
  {
    name: 'device_posture: a passed check matches',
    policies: [{ name: 'posture', decision: 'allow', include: [{ everyone: {} }], require: [POSTURE_RULE] }],
    identity: { devicePosture: { 'posture-disk-enc': { success: true, type: 'disk_encryption' } } },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: '/policies/0/require/0', code: 'device_posture_passed', outcome: 'matched' }] },
  },
  {
    name: 'device_posture: a failed check is not matched',
    policies: [{ name: 'posture', decision: 'allow', include: [{ everyone: {} }], require: [POSTURE_RULE] }],
    identity: { devicePosture: { 'posture-disk-enc': { success: false } } },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: '/policies/0/require/0', code: 'device_posture_failed', outcome: 'not_matched' }] },
  },
  {
    name: 'device_posture: a truthy non-boolean success does not pass',
    policies: [{ name: 'posture', decision: 'allow', include: [POSTURE_RULE] }],
    identity: { devicePosture: { 'posture-disk-enc': { success: 'true' as unknown as boolean } } },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'device_posture_failed' }] },
  },
  {
    name: 'device_posture: a result for another posture rule does not count',
    policies: [{ name: 'posture', decision: 'allow', include: [POSTURE_RULE] }],
    identity: { devicePosture: { 'posture-firewall': { success: true } } },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'device_posture_failed' }] },
  },
  {
    name: 'device_posture: an identity without devicePosture is not matched',
    policies: [{ name: 'posture', decision: 'allow', include: [POSTURE_RULE] }],
    identity: { email: 'alice@example.com' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'device_posture_failed', outcome: 'not_matched' }] },
  },
  {
    name: 'device_posture: an existing posture rule matches when posture rules are checked',
    policies: [{ name: 'posture', decision: 'allow', include: [POSTURE_RULE] }],
    identity: { devicePosture: { 'posture-disk-enc': { success: true } } },
    env: { postureRules: ['posture-disk-enc', 'posture-firewall'] },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'device_posture_passed' }] },
  },
  {
    name: 'device_posture: a deleted posture rule whose check passed is unknown',
    policies: [{ name: 'posture', decision: 'allow', include: [POSTURE_RULE] }],
    identity: { devicePosture: { 'posture-disk-enc': { success: true } } },
    env: { postureRules: ['posture-firewall'] },
    expect: { access: 'unknown', deciding: 0, reason: [{ pointer: INC0, code: 'posture_rule_not_found', outcome: 'unknown' }] },
  },
  {
    name: 'device_posture: a deleted posture rule whose check failed is not matched',
    policies: [{ name: 'posture', decision: 'allow', include: [POSTURE_RULE] }],
    identity: { devicePosture: { 'posture-disk-enc': { success: false } } },
    env: { postureRules: ['posture-firewall'] },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'device_posture_failed', outcome: 'not_matched' }] },
  },
];

// ------------------------------------------------------------------------------- service_token

const SERVICE_TOKEN: ConformanceCase[] = [
  {
    name: 'service_token: the named active token matches',
    policies: [{ name: 'ci', decision: 'non_identity', include: [{ service_token: { token_id: 'tok-ci' } }] }],
    identity: { service_token_id: 'tok-ci', service_token_status: true },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'service_token_valid', outcome: 'matched' }] },
  },
  {
    name: 'service_token: another token is not matched',
    policies: [{ name: 'ci', decision: 'non_identity', include: [{ service_token: { token_id: 'tok-ci' } }] }],
    identity: { service_token_id: 'tok-deploy', service_token_status: true },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'service_token_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'service_token: token ids compare exactly',
    policies: [{ name: 'ci', decision: 'non_identity', include: [{ service_token: { token_id: 'tok-ci' } }] }],
    identity: { service_token_id: 'TOK-CI', service_token_status: true },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'service_token_mismatch' }] },
  },
  {
    name: 'service_token: the token with status false is not matched',
    policies: [{ name: 'ci', decision: 'non_identity', include: [{ service_token: { token_id: 'tok-ci' } }] }],
    identity: { service_token_id: 'tok-ci', service_token_status: false },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'service_token_invalid', outcome: 'not_matched' }] },
  },
  {
    name: 'service_token: the token without a status is not matched',
    policies: [{ name: 'ci', decision: 'non_identity', include: [{ service_token: { token_id: 'tok-ci' } }] }],
    identity: { service_token_id: 'tok-ci' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'service_token_invalid' }] },
  },
  {
    name: 'service_token: a request without a token is not matched',
    policies: [{ name: 'ci', decision: 'non_identity', include: [{ service_token: { token_id: 'tok-ci' } }] }],
    identity: { email: 'alice@example.com' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'service_token_missing', outcome: 'not_matched' }] },
  },
  {
    name: 'service_token: an existing unexpired token matches when tokens are checked',
    policies: [{ name: 'ci', decision: 'non_identity', include: [{ service_token: { token_id: 'tok-ci' } }] }],
    identity: { service_token_id: 'tok-ci', service_token_status: true },
    env: { serviceTokens: { 'tok-ci': { expiresAt: NOW + HOUR } }, now: NOW },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'service_token_valid' }] },
  },
  {
    name: 'service_token: a token that never expires matches',
    policies: [{ name: 'ci', decision: 'non_identity', include: [{ service_token: { token_id: 'tok-ci' } }] }],
    identity: { service_token_id: 'tok-ci', service_token_status: true },
    env: { serviceTokens: { 'tok-ci': { expiresAt: null } }, now: NOW },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'service_token_valid' }] },
  },
  {
    name: 'service_token: an expired token is not matched (not unknown)',
    policies: [{ name: 'ci', decision: 'non_identity', include: [{ service_token: { token_id: 'tok-ci' } }] }],
    identity: { service_token_id: 'tok-ci', service_token_status: true },
    env: { serviceTokens: { 'tok-ci': { expiresAt: NOW - HOUR } }, now: NOW },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'service_token_expired', outcome: 'not_matched' }] },
  },
  {
    name: 'service_token: a token expiring exactly now has expired',
    policies: [{ name: 'ci', decision: 'non_identity', include: [{ service_token: { token_id: 'tok-ci' } }] }],
    identity: { service_token_id: 'tok-ci', service_token_status: true },
    env: { serviceTokens: { 'tok-ci': { expiresAt: NOW } }, now: NOW },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'service_token_expired' }] },
  },
  {
    name: 'service_token: a deleted token is not matched (not unknown)',
    policies: [{ name: 'ci', decision: 'non_identity', include: [{ service_token: { token_id: 'tok-ci' } }] }],
    identity: { service_token_id: 'tok-ci', service_token_status: true },
    env: { serviceTokens: { 'tok-deploy': {} }, now: NOW },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'service_token_not_found', outcome: 'not_matched' }] },
  },
  {
    name: 'service_token: in an allow policy it still decides',
    policies: [{ name: 'ci', decision: 'allow', include: [{ service_token: { token_id: 'tok-ci' } }] }],
    identity: { service_token_id: 'tok-ci', service_token_status: true },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'service_token_valid' }] },
  },
];

// --------------------------------------------------------------------- any_valid_service_token

const ANY_VALID_SERVICE_TOKEN: ConformanceCase[] = [
  {
    name: 'any_valid_service_token: any active token matches',
    policies: [{ name: 'tokens', decision: 'non_identity', include: [{ any_valid_service_token: {} }] }],
    identity: { service_token_id: 'tok-whatever', service_token_status: true },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'service_token_valid', outcome: 'matched' }] },
  },
  {
    name: 'any_valid_service_token: a token with status false is not matched',
    policies: [{ name: 'tokens', decision: 'non_identity', include: [{ any_valid_service_token: {} }] }],
    identity: { service_token_id: 'tok-ci', service_token_status: false },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'service_token_invalid', outcome: 'not_matched' }] },
  },
  {
    name: 'any_valid_service_token: a request without a token is not matched',
    policies: [{ name: 'tokens', decision: 'non_identity', include: [{ any_valid_service_token: {} }] }],
    identity: { service_token_status: true },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'service_token_missing', outcome: 'not_matched' }] },
  },
  {
    name: 'any_valid_service_token: an existing unexpired token matches when tokens are checked',
    policies: [{ name: 'tokens', decision: 'non_identity', include: [{ any_valid_service_token: {} }] }],
    identity: { service_token_id: 'tok-deploy', service_token_status: true },
    env: { serviceTokens: { 'tok-ci': {}, 'tok-deploy': { expiresAt: NOW + 1 } }, now: NOW },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'service_token_valid' }] },
  },
  {
    name: 'any_valid_service_token: an expired token is not matched',
    policies: [{ name: 'tokens', decision: 'non_identity', include: [{ any_valid_service_token: {} }] }],
    identity: { service_token_id: 'tok-deploy', service_token_status: true },
    env: { serviceTokens: { 'tok-deploy': { expiresAt: NOW - 1 } }, now: NOW },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'service_token_expired', outcome: 'not_matched' }] },
  },
  {
    name: 'any_valid_service_token: a token of no account is not matched',
    policies: [{ name: 'tokens', decision: 'non_identity', include: [{ any_valid_service_token: {} }] }],
    identity: { service_token_id: 'tok-foreign', service_token_status: true },
    env: { serviceTokens: { 'tok-ci': {} }, now: NOW },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'service_token_not_found', outcome: 'not_matched' }] },
  },
];

// ---------------------------------------------------------------------------- linked_app_token

const LINKED_APP_TOKEN: ConformanceCase[] = [
  {
    name: 'linked_app_token: a token of the app matches',
    policies: [{ name: 'mcp', decision: 'non_identity', include: [{ linked_app_token: { app_uid: 'app-mcp-01' } }] }],
    identity: { linked_app_token: { app_uid: 'app-mcp-01' } },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'linked_app_token_match', outcome: 'matched' }] },
  },
  {
    name: 'linked_app_token: a token of another app is not matched',
    policies: [{ name: 'mcp', decision: 'non_identity', include: [{ linked_app_token: { app_uid: 'app-mcp-01' } }] }],
    identity: { linked_app_token: { app_uid: 'app-mcp-02' } },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'linked_app_token_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'linked_app_token: app uids compare exactly',
    policies: [{ name: 'mcp', decision: 'bypass', include: [{ linked_app_token: { app_uid: 'app-mcp-01' } }] }],
    identity: { linked_app_token: { app_uid: 'APP-MCP-01' } },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'linked_app_token_mismatch' }] },
  },
  {
    name: 'linked_app_token: a request without a linked token is not matched',
    policies: [{ name: 'mcp', decision: 'non_identity', include: [{ linked_app_token: { app_uid: 'app-mcp-01' } }] }],
    identity: { service_token_id: 'tok-ci', service_token_status: true },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'linked_app_token_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'linked_app_token: an existing app matches when apps are checked',
    policies: [{ name: 'mcp', decision: 'non_identity', include: [{ linked_app_token: { app_uid: 'app-mcp-01' } }] }],
    identity: { linked_app_token: { app_uid: 'app-mcp-01' } },
    env: { apps: ['app-mcp-01'] },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'linked_app_token_match' }] },
  },
  {
    name: 'linked_app_token: a deleted app whose token was presented is unknown',
    policies: [{ name: 'mcp', decision: 'non_identity', include: [{ linked_app_token: { app_uid: 'app-mcp-01' } }] }],
    identity: { linked_app_token: { app_uid: 'app-mcp-01' } },
    env: { apps: ['app-other'] },
    expect: { access: 'unknown', deciding: 0, reason: [{ pointer: INC0, code: 'app_not_found', outcome: 'unknown' }] },
  },
  {
    name: 'linked_app_token: a deleted app whose token was not presented is not matched',
    policies: [{ name: 'mcp', decision: 'non_identity', include: [{ linked_app_token: { app_uid: 'app-mcp-01' } }] }],
    identity: { linked_app_token: { app_uid: 'app-other' } },
    env: { apps: ['app-other'] },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'linked_app_token_mismatch', outcome: 'not_matched' }] },
  },
];

// ----------------------------------------------------------------------------- user_risk_score

const USER_RISK_SCORE: ConformanceCase[] = [
  {
    name: 'user_risk_score: a listed level matches',
    policies: [{ name: 'risky', decision: 'deny', include: [{ user_risk_score: { user_risk_score: ['medium', 'high'] } }] }],
    identity: { user_risk_score: 'high' },
    expect: { access: 'blocked', deciding: 0, reason: [{ pointer: INC0, code: 'user_risk_score_match', outcome: 'matched' }] },
  },
  {
    name: 'user_risk_score: an unlisted level is not matched',
    policies: [{ name: 'low risk', decision: 'allow', include: [{ user_risk_score: { user_risk_score: ['low'] } }] }],
    identity: { user_risk_score: 'high' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'user_risk_score_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'user_risk_score: an absent score counts as unscored',
    policies: [{ name: 'unscored', decision: 'allow', include: [{ user_risk_score: { user_risk_score: ['unscored'] } }] }],
    identity: { email: 'alice@example.com' },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'user_risk_score_match' }] },
  },
  {
    name: 'user_risk_score: an absent score does not match low',
    policies: [{ name: 'low risk', decision: 'allow', include: [{ user_risk_score: { user_risk_score: ['low'] } }] }],
    identity: { email: 'alice@example.com' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'user_risk_score_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'user_risk_score: a scored user does not match unscored',
    policies: [{ name: 'unscored', decision: 'allow', include: [{ user_risk_score: { user_risk_score: ['unscored'] } }] }],
    identity: { user_risk_score: 'low' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'user_risk_score_mismatch' }] },
  },
  {
    name: 'user_risk_score: as an exclude it removes risky users from an allow',
    policies: [
      {
        name: 'staff unless risky',
        decision: 'allow',
        include: [{ email_domain: { domain: 'example.com' } }],
        exclude: [{ user_risk_score: { user_risk_score: ['high'] } }],
      },
    ],
    identity: { email: 'alice@example.com', user_risk_score: 'high' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: '/policies/0/exclude/0', code: 'user_risk_score_match', outcome: 'matched' }] },
  },
];

// ------------------------------------------------------------------- cloudflare_account_member

const ACCOUNT = '0123456789abcdef0123456789abcdef';
const OTHER_ACCOUNT = 'fedcba9876543210fedcba9876543210';

const ACCOUNT_MEMBER: ConformanceCase[] = [
  {
    name: 'cloudflare_account_member: a member of the named account matches',
    policies: [{ name: 'members', decision: 'allow', include: [{ cloudflare_account_member: { account_id: ACCOUNT } }] }],
    identity: { cloudflare_account_ids: [OTHER_ACCOUNT, ACCOUNT] },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'account_member_match', outcome: 'matched' }] },
  },
  {
    name: 'cloudflare_account_member: a member of other accounts only is not matched',
    policies: [{ name: 'members', decision: 'allow', include: [{ cloudflare_account_member: { account_id: ACCOUNT } }] }],
    identity: { cloudflare_account_ids: [OTHER_ACCOUNT] },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'account_member_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'cloudflare_account_member: the rule account wins over the evaluating account',
    policies: [{ name: 'members', decision: 'allow', include: [{ cloudflare_account_member: { account_id: ACCOUNT } }] }],
    identity: { cloudflare_account_ids: [OTHER_ACCOUNT] },
    env: { accountId: OTHER_ACCOUNT },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'account_member_mismatch' }] },
  },
  {
    name: 'cloudflare_account_member: without account_id a member of the evaluating account matches',
    policies: [{ name: 'members', decision: 'allow', include: [{ cloudflare_account_member: {} }] }],
    identity: { cloudflare_account_ids: [ACCOUNT] },
    env: { accountId: ACCOUNT },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'account_member_match' }] },
  },
  {
    name: 'cloudflare_account_member: without account_id a member of another account only is not matched',
    policies: [{ name: 'members', decision: 'allow', include: [{ cloudflare_account_member: {} }] }],
    identity: { cloudflare_account_ids: [OTHER_ACCOUNT] },
    env: { accountId: ACCOUNT },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'account_member_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'cloudflare_account_member: without either account, any membership matches',
    policies: [{ name: 'members', decision: 'allow', include: [{ cloudflare_account_member: {} }] }],
    identity: { cloudflare_account_ids: [OTHER_ACCOUNT] },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'account_member_match' }] },
  },
  {
    name: 'cloudflare_account_member: without either account, no membership is not matched',
    policies: [{ name: 'members', decision: 'allow', include: [{ cloudflare_account_member: {} }] }],
    identity: { cloudflare_account_ids: [] },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'account_member_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'cloudflare_account_member: an identity without cloudflare_account_ids is not matched',
    policies: [{ name: 'members', decision: 'allow', include: [{ cloudflare_account_member: { account_id: ACCOUNT } }] }],
    identity: { email: 'alice@example.com' },
    env: { accountId: ACCOUNT },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'account_member_mismatch' }] },
  },
];

// ------------------------------------------------------------------------- external_evaluation

const EXT_RULE = { external_evaluation: { evaluate_url: EXT, keys_url: EXT_KEYS } };
const EXT2_RULE = { external_evaluation: { evaluate_url: EXT2, keys_url: EXT2_KEYS } };

const EXTERNAL: ConformanceCase[] = [
  {
    name: 'external_evaluation: an allowing answer matches',
    policies: [{ name: 'ext', decision: 'allow', include: [EXT_RULE] }],
    identity: { email: 'alice@example.com' },
    external: { [EXT]: true },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'external_allow', outcome: 'matched' }] },
  },
  {
    name: 'external_evaluation: a denying answer is not matched',
    policies: [{ name: 'ext', decision: 'allow', include: [EXT_RULE] }],
    identity: { email: 'alice@example.com' },
    external: { [EXT]: false },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: INC0, code: 'external_deny', outcome: 'not_matched' }] },
  },
  {
    name: 'external_evaluation: a failed call is unknown',
    policies: [{ name: 'ext', decision: 'allow', include: [EXT_RULE] }],
    identity: { email: 'alice@example.com' },
    external: { [EXT]: null },
    expect: { access: 'unknown', deciding: 0, reason: [{ pointer: INC0, code: 'external_evaluation_failed', outcome: 'unknown' }] },
  },
  {
    name: 'external_evaluation: a call never made is unknown',
    policies: [{ name: 'ext', decision: 'allow', include: [EXT_RULE] }],
    identity: { email: 'alice@example.com' },
    external: { [EXT2]: true },
    expect: { access: 'unknown', deciding: 0, reason: [{ pointer: INC0, code: 'external_evaluation_failed', outcome: 'unknown' }] },
  },
  {
    name: 'external_evaluation: no answers at all is unknown',
    policies: [{ name: 'ext', decision: 'allow', include: [EXT_RULE] }],
    identity: { email: 'alice@example.com' },
    expect: { access: 'unknown', deciding: 0, reason: [{ pointer: INC0, code: 'external_evaluation_failed' }] },
  },
  {
    name: 'external_evaluation: two endpoints answer independently',
    policies: [{ name: 'ext', decision: 'allow', include: [EXT_RULE], require: [EXT2_RULE] }],
    identity: { email: 'alice@example.com' },
    external: { [EXT]: true, [EXT2]: false },
    expect: {
      access: 'blocked',
      deciding: null,
      reason: [
        { pointer: INC0, code: 'external_allow', outcome: 'matched' },
        { pointer: '/policies/0/require/0', code: 'external_deny', outcome: 'not_matched' },
      ],
    },
  },
];

// --------------------------------------------------------------------------------------- group

const GROUP: ConformanceCase[] = [
  {
    name: 'group: a member of the group matches, with the group rule explained',
    policies: [{ name: 'eng', decision: 'allow', include: [{ group: { id: 'g-eng' } }] }],
    identity: { email: 'alice@example.com' },
    env: {
      groups: {
        'g-eng': { name: 'Engineers', include: [{ email: { email: 'bob@example.com' } }, { email: { email: 'alice@example.com' } }] },
      },
    },
    expect: {
      access: 'granted',
      deciding: 0,
      reason: [
        { pointer: INC0, code: 'group_member', outcome: 'matched' },
        { pointer: '/policies/0/include/0/group/include/0', code: 'email_mismatch', outcome: 'not_matched' },
        { pointer: '/policies/0/include/0/group/include/1', code: 'email_match', outcome: 'matched' },
      ],
    },
  },
  {
    name: 'group: a non-member is not matched',
    policies: [{ name: 'eng', decision: 'allow', include: [{ group: { id: 'g-eng' } }] }],
    identity: { email: 'mallory@example.org' },
    env: { groups: { 'g-eng': { name: 'Engineers', include: [{ email_domain: { domain: 'example.com' } }] } } },
    expect: {
      access: 'blocked',
      deciding: null,
      reason: [
        { pointer: INC0, code: 'group_not_member', outcome: 'not_matched' },
        { pointer: '/policies/0/include/0/group/include/0', code: 'email_domain_mismatch' },
      ],
    },
  },
  {
    name: 'group: the group require must hold too',
    policies: [{ name: 'eng', decision: 'allow', include: [{ group: { id: 'g-eng-us' } }] }],
    identity: { email: 'alice@example.com', geo: { country: 'DE' } },
    env: {
      groups: {
        'g-eng-us': { name: 'US engineers', include: [{ email_domain: { domain: 'example.com' } }], require: [{ geo: { country_code: 'US' } }] },
      },
    },
    expect: {
      access: 'blocked',
      deciding: null,
      reason: [
        { pointer: INC0, code: 'group_not_member', outcome: 'not_matched' },
        { pointer: '/policies/0/include/0/group/require/0', code: 'country_mismatch', outcome: 'not_matched' },
      ],
    },
  },
  {
    name: 'group: the group require holding makes a member',
    policies: [{ name: 'eng', decision: 'allow', include: [{ group: { id: 'g-eng-us' } }] }],
    identity: { email: 'alice@example.com', geo: { country: 'US' } },
    env: {
      groups: {
        'g-eng-us': { name: 'US engineers', include: [{ email_domain: { domain: 'example.com' } }], require: [{ geo: { country_code: 'US' } }] },
      },
    },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: '/policies/0/include/0/group/require/0', code: 'country_match', outcome: 'matched' }] },
  },
  {
    name: 'group: the group exclude removes a member',
    policies: [{ name: 'staff', decision: 'allow', include: [{ group: { id: 'g-staff' } }] }],
    identity: { email: 'contractor@example.com' },
    env: {
      groups: {
        'g-staff': { name: 'Staff', include: [{ email_domain: { domain: 'example.com' } }], exclude: [{ email: { email: 'contractor@example.com' } }] },
      },
    },
    expect: {
      access: 'blocked',
      deciding: null,
      reason: [
        { pointer: INC0, code: 'group_not_member', outcome: 'not_matched' },
        { pointer: '/policies/0/include/0/group/exclude/0', code: 'email_match', outcome: 'matched' },
      ],
    },
  },
  {
    name: 'group: nested three levels deep, the innermost rule decides',
    policies: [{ name: 'nested', decision: 'allow', include: [{ group: { id: 'g-outer' } }] }],
    identity: { email: 'alice@example.com' },
    env: {
      groups: {
        'g-outer': { name: 'Outer', include: [{ group: { id: 'g-middle' } }] },
        'g-middle': { name: 'Middle', include: [{ ip: { ip: '10.0.0.0/8' } }, { group: { id: 'g-inner' } }] },
        'g-inner': { name: 'Inner', include: [{ email: { email: 'alice@example.com' } }] },
      },
    },
    expect: {
      access: 'granted',
      deciding: 0,
      reason: [
        { pointer: INC0, code: 'group_member', outcome: 'matched' },
        { pointer: '/policies/0/include/0/group/include/0', code: 'group_member', outcome: 'matched' },
        { pointer: '/policies/0/include/0/group/include/0/group/include/0', code: 'ip_missing', outcome: 'not_matched' },
        { pointer: '/policies/0/include/0/group/include/0/group/include/1', code: 'group_member', outcome: 'matched' },
        { pointer: '/policies/0/include/0/group/include/0/group/include/1/group/include/0', code: 'email_match', outcome: 'matched' },
      ],
    },
  },
  {
    name: 'group: nested three levels deep, a non-member of the innermost is not matched',
    policies: [{ name: 'nested', decision: 'allow', include: [{ group: { id: 'g-outer' } }] }],
    identity: { email: 'bob@example.com' },
    env: {
      groups: {
        'g-outer': { name: 'Outer', include: [{ group: { id: 'g-middle' } }] },
        'g-middle': { name: 'Middle', include: [{ group: { id: 'g-inner' } }] },
        'g-inner': { name: 'Inner', include: [{ email: { email: 'alice@example.com' } }] },
      },
    },
    expect: {
      access: 'blocked',
      deciding: null,
      reason: [{ pointer: '/policies/0/include/0/group/include/0/group/include/0/group/include/0', code: 'email_mismatch', outcome: 'not_matched' }],
    },
  },
  {
    name: 'group: an inner group exclude removes a member at the outer level',
    policies: [{ name: 'nested', decision: 'allow', include: [{ group: { id: 'g-outer' } }] }],
    identity: { email: 'alice@example.com', geo: { country: 'RU' } },
    env: {
      groups: {
        'g-outer': { name: 'Outer', include: [{ group: { id: 'g-inner' } }] },
        'g-inner': { name: 'Inner', include: [{ everyone: {} }], exclude: [{ geo: { country_code: 'RU' } }] },
      },
    },
    expect: {
      access: 'blocked',
      deciding: null,
      reason: [{ pointer: '/policies/0/include/0/group/include/0/group/exclude/0', code: 'country_match', outcome: 'matched' }],
    },
  },
  {
    name: 'group: the same group used twice is evaluated alike in both places',
    policies: [
      { name: 'not contractors', decision: 'deny', include: [{ everyone: {} }], exclude: [{ group: { id: 'g-staff' } }] },
      { name: 'staff', decision: 'allow', include: [{ group: { id: 'g-staff' } }] },
    ],
    identity: { email: 'alice@example.com' },
    env: { groups: { 'g-staff': { name: 'Staff', include: [{ email_domain: { domain: 'example.com' } }] } } },
    expect: {
      access: 'granted',
      deciding: 1,
      reason: [
        { pointer: '/policies/0/exclude/0', code: 'group_member', outcome: 'matched' },
        { pointer: '/policies/1/include/0', code: 'group_member', outcome: 'matched' },
      ],
    },
  },
  {
    name: 'group: a missing group is unknown',
    policies: [{ name: 'eng', decision: 'allow', include: [{ group: { id: 'g-deleted' } }] }],
    identity: { email: 'alice@example.com' },
    env: { groups: { 'g-eng': { name: 'Engineers', include: [{ everyone: {} }] } } },
    expect: { access: 'unknown', deciding: 0, reason: [{ pointer: INC0, code: 'group_not_found', outcome: 'unknown' }] },
  },
  {
    name: 'group: with no group lookup at all a group rule is unknown',
    policies: [{ name: 'eng', decision: 'allow', include: [{ group: { id: 'g-eng' } }] }],
    identity: { email: 'alice@example.com' },
    expect: { access: 'unknown', deciding: 0, reason: [{ pointer: INC0, code: 'group_not_found', outcome: 'unknown' }] },
  },
  {
    name: 'group: a missing group nested inside a group makes it unknown',
    policies: [{ name: 'eng', decision: 'allow', include: [{ group: { id: 'g-outer' } }] }],
    identity: { email: 'alice@example.com' },
    env: { groups: { 'g-outer': { name: 'Outer', include: [{ email: { email: 'bob@example.com' } }, { group: { id: 'g-gone' } }] } } },
    expect: {
      access: 'unknown',
      deciding: 0,
      reason: [
        { pointer: INC0, code: 'group_unknown', outcome: 'unknown' },
        { pointer: '/policies/0/include/0/group/include/1', code: 'group_not_found', outcome: 'unknown' },
      ],
    },
  },
  {
    name: 'group: a cycle a -> b -> a is unknown',
    policies: [{ name: 'cyclic', decision: 'allow', include: [{ group: { id: 'g-a' } }] }],
    identity: { email: 'alice@example.com' },
    env: {
      groups: {
        'g-a': { name: 'A', include: [{ email: { email: 'alice@example.com' } }, { group: { id: 'g-b' } }] },
        'g-b': { name: 'B', include: [{ group: { id: 'g-a' } }] },
      },
    },
    expect: { access: 'unknown', deciding: 0, reason: [{ pointer: INC0, code: 'group_cycle', outcome: 'unknown' }] },
  },
  {
    name: 'group: a group nested deeper than 32 is unknown, not descended (fail closed)',
    policies: [{ name: 'deep', decision: 'allow', include: [{ group: { id: 'g-0' } }] }],
    identity: { email: 'alice@example.com' },
    env: {
      groups: Object.fromEntries(
        Array.from({ length: 33 }, (_, i) => [`g-${i}`, { name: `Level ${i}`, include: i === 32 ? [{ everyone: {} }] : [{ group: { id: `g-${i + 1}` } }] }]),
      ),
    },
    expect: { access: 'unknown', deciding: 0, reason: [{ pointer: INC0, code: 'group_too_deep', outcome: 'unknown' }] },
  },
  {
    name: 'group: a self-referencing group is unknown',
    policies: [{ name: 'cyclic', decision: 'allow', include: [{ group: { id: 'g-self' } }] }],
    identity: { email: 'alice@example.com' },
    env: { groups: { 'g-self': { name: 'Self', include: [{ everyone: {} }], exclude: [{ group: { id: 'g-self' } }] } } },
    expect: { access: 'unknown', deciding: 0, reason: [{ pointer: INC0, code: 'group_cycle', outcome: 'unknown' }] },
  },
  {
    name: 'group: a group that references a cyclic group is unknown',
    policies: [{ name: 'outer', decision: 'allow', include: [{ group: { id: 'g-c' } }] }],
    identity: { email: 'alice@example.com' },
    env: {
      groups: {
        'g-c': { name: 'C', include: [{ group: { id: 'g-a' } }] },
        'g-a': { name: 'A', include: [{ group: { id: 'g-b' } }] },
        'g-b': { name: 'B', include: [{ group: { id: 'g-a' } }] },
      },
    },
    expect: {
      access: 'unknown',
      deciding: 0,
      reason: [
        { pointer: INC0, code: 'group_unknown', outcome: 'unknown' },
        { pointer: '/policies/0/include/0/group/include/0', code: 'group_cycle', outcome: 'unknown' },
      ],
    },
  },
  {
    name: 'group: a group that references a cyclic group still matches through another include',
    policies: [{ name: 'outer', decision: 'allow', include: [{ group: { id: 'g-c' } }] }],
    identity: { email: 'alice@example.com' },
    env: {
      groups: {
        'g-c': { name: 'C', include: [{ group: { id: 'g-a' } }, { email: { email: 'alice@example.com' } }] },
        'g-a': { name: 'A', include: [{ group: { id: 'g-b' } }] },
        'g-b': { name: 'B', include: [{ group: { id: 'g-a' } }] },
      },
    },
    expect: {
      access: 'granted',
      deciding: 0,
      reason: [
        { pointer: INC0, code: 'group_member', outcome: 'matched' },
        { pointer: '/policies/0/include/0/group/include/0', code: 'group_cycle', outcome: 'unknown' },
        { pointer: '/policies/0/include/0/group/include/1', code: 'email_match', outcome: 'matched' },
      ],
    },
  },
  {
    name: 'group: a cyclic group beside a matching include still grants',
    policies: [{ name: 'cyclic', decision: 'allow', include: [{ group: { id: 'g-a' } }, { email_domain: { domain: 'example.com' } }] }],
    identity: { email: 'alice@example.com' },
    env: {
      groups: {
        'g-a': { name: 'A', include: [{ group: { id: 'g-b' } }] },
        'g-b': { name: 'B', include: [{ group: { id: 'g-a' } }] },
      },
    },
    expect: {
      access: 'granted',
      deciding: 0,
      reason: [
        { pointer: INC0, code: 'group_cycle', outcome: 'unknown' },
        { pointer: '/policies/0/include/1', code: 'email_domain_match', outcome: 'matched' },
      ],
    },
  },
  {
    name: 'group: a missing list inside a group makes membership unknown',
    policies: [{ name: 'listed', decision: 'allow', include: [{ group: { id: 'g-listed' } }] }],
    identity: { email: 'alice@example.com' },
    env: { groups: { 'g-listed': { name: 'Listed', include: [{ email_list: { id: 'list-gone' } }] } }, lists: {} },
    expect: {
      access: 'unknown',
      deciding: 0,
      reason: [
        { pointer: INC0, code: 'group_unknown', outcome: 'unknown' },
        { pointer: '/policies/0/include/0/group/include/0', code: 'list_not_found', outcome: 'unknown' },
      ],
    },
  },
  {
    name: 'group: as a require, a non-member is blocked',
    policies: [{ name: 'staff in office', decision: 'allow', include: [{ ip: { ip: '10.0.0.0/8' } }], require: [{ group: { id: 'g-staff' } }] }],
    identity: { email: 'guest@example.org', ip: '10.1.1.1' },
    env: { groups: { 'g-staff': { name: 'Staff', include: [{ email_domain: { domain: 'example.com' } }] } } },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: '/policies/0/require/0', code: 'group_not_member', outcome: 'not_matched' }] },
  },
  {
    name: 'group: a group of non-identity rules works in a bypass policy',
    policies: [{ name: 'office bypass', decision: 'bypass', include: [{ group: { id: 'g-office' } }] }],
    identity: { ip: '192.0.2.33' },
    env: { groups: { 'g-office': { name: 'Office', include: [{ ip: { ip: '192.0.2.0/24' } }] } } },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: INC0, code: 'group_member', outcome: 'matched' }] },
  },
];

// -------------------------------------------------------------------------- order of execution

const ORDER: ConformanceCase[] = [
  {
    name: 'order: no policies at all blocks by default',
    policies: [],
    identity: { email: 'alice@example.com' },
    expect: { access: 'blocked', deciding: null },
  },
  {
    name: 'order: nothing matched blocks by default',
    policies: [
      { name: 'bob', decision: 'allow', include: [{ email: { email: 'bob@example.com' } }] },
      { name: 'carol', decision: 'deny', include: [{ email: { email: 'carol@example.com' } }] },
    ],
    identity: { email: 'alice@example.com' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: '/policies/1/include/0', code: 'email_mismatch' }] },
  },
  {
    name: 'order: a bypass listed after a matching deny still grants',
    policies: [
      { name: 'block all', decision: 'deny', include: [{ everyone: {} }] },
      { name: 'office bypass', decision: 'bypass', include: [{ ip: { ip: '10.0.0.0/8' } }] },
    ],
    identity: { email: 'alice@example.com', ip: '10.2.3.4' },
    expect: { access: 'granted', deciding: 1, reason: [{ pointer: '/policies/0/include/0', code: 'skipped' }] },
  },
  {
    name: 'order: a non-matching bypass falls through to the deny',
    policies: [
      { name: 'block all', decision: 'deny', include: [{ everyone: {} }] },
      { name: 'office bypass', decision: 'bypass', include: [{ ip: { ip: '10.0.0.0/8' } }] },
    ],
    identity: { email: 'alice@example.com', ip: '192.0.2.1' },
    expect: { access: 'blocked', deciding: 0, reason: [{ pointer: '/policies/1/include/0', code: 'ip_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'order: a non_identity policy listed last runs before allow and deny',
    policies: [
      { name: 'block all', decision: 'deny', include: [{ everyone: {} }] },
      { name: 'allow staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] },
      { name: 'ci token', decision: 'non_identity', include: [{ service_token: { token_id: 'tok-ci' } }] },
    ],
    identity: { service_token_id: 'tok-ci', service_token_status: true },
    expect: { access: 'granted', deciding: 2 },
  },
  {
    name: 'order: first-phase policies run in list order (non_identity first)',
    policies: [
      { name: 'deny', decision: 'deny', include: [{ everyone: {} }] },
      { name: 'token', decision: 'non_identity', include: [{ any_valid_service_token: {} }] },
      { name: 'bypass', decision: 'bypass', include: [{ everyone: {} }] },
    ],
    identity: { service_token_id: 'tok-ci', service_token_status: true },
    expect: { access: 'granted', deciding: 1, reason: [{ pointer: '/policies/2/include/0', code: 'skipped' }] },
  },
  {
    name: 'order: first-phase policies run in list order (bypass first)',
    policies: [
      { name: 'bypass', decision: 'bypass', include: [{ everyone: {} }] },
      { name: 'token', decision: 'non_identity', include: [{ any_valid_service_token: {} }] },
    ],
    identity: { service_token_id: 'tok-ci', service_token_status: true },
    expect: { access: 'granted', deciding: 0 },
  },
  {
    name: 'order: the first matching allow wins over a later deny',
    policies: [
      { name: 'allow alice', decision: 'allow', include: [{ email: { email: 'alice@example.com' } }] },
      { name: 'deny all', decision: 'deny', include: [{ everyone: {} }] },
    ],
    identity: { email: 'alice@example.com' },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: '/policies/1/include/0', code: 'skipped' }] },
  },
  {
    name: 'order: the first matching deny wins over a later allow',
    policies: [
      { name: 'deny all', decision: 'deny', include: [{ everyone: {} }] },
      { name: 'allow alice', decision: 'allow', include: [{ email: { email: 'alice@example.com' } }] },
    ],
    identity: { email: 'alice@example.com' },
    expect: { access: 'blocked', deciding: 0 },
  },
  {
    name: 'order: a non-matching deny is passed over for a later allow',
    policies: [
      { name: 'deny contractors', decision: 'deny', include: [{ email_domain: { domain: 'contractors.example.com' } }] },
      { name: 'allow staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] },
    ],
    identity: { email: 'alice@example.com' },
    expect: { access: 'granted', deciding: 1, reason: [{ pointer: '/policies/0/include/0', code: 'email_domain_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'order: the second of two matching allows does not decide',
    policies: [
      { name: 'a', decision: 'allow', include: [{ email: { email: 'bob@example.com' } }] },
      { name: 'b', decision: 'allow', include: [{ everyone: {} }] },
      { name: 'c', decision: 'allow', include: [{ everyone: {} }] },
    ],
    identity: { email: 'alice@example.com' },
    expect: { access: 'granted', deciding: 1 },
  },
  {
    name: 'order: a matching bypass wins over a matching earlier allow',
    policies: [
      { name: 'allow staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] },
      { name: 'bypass health', decision: 'bypass', include: [{ everyone: {} }] },
    ],
    identity: { email: 'alice@example.com' },
    expect: { access: 'granted', deciding: 1 },
  },
  {
    name: 'order: an exclude on a deny never grants (default block)',
    policies: [{ name: 'deny all but alice', decision: 'deny', include: [{ everyone: {} }], exclude: [{ email: { email: 'alice@example.com' } }] }],
    identity: { email: 'alice@example.com' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: '/policies/0/exclude/0', code: 'email_match', outcome: 'matched' }] },
  },
  {
    name: 'order: an exclude on a deny passes the decision to a later allow',
    policies: [
      { name: 'deny all but alice', decision: 'deny', include: [{ everyone: {} }], exclude: [{ email: { email: 'alice@example.com' } }] },
      { name: 'allow staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] },
    ],
    identity: { email: 'alice@example.com' },
    expect: { access: 'granted', deciding: 1 },
  },
  {
    name: 'order: an exclude on a deny does not spare others',
    policies: [
      { name: 'deny all but alice', decision: 'deny', include: [{ everyone: {} }], exclude: [{ email: { email: 'alice@example.com' } }] },
      { name: 'allow staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] },
    ],
    identity: { email: 'bob@example.com' },
    expect: { access: 'blocked', deciding: 0, reason: [{ pointer: '/policies/0/exclude/0', code: 'email_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'order: an exclude on an allow blocks the excluded user',
    policies: [{ name: 'staff but not bob', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }], exclude: [{ email: { email: 'bob@example.com' } }] }],
    identity: { email: 'BOB@example.com' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: '/policies/0/exclude/0', code: 'email_match', outcome: 'matched' }] },
  },
  {
    name: 'order: an exclude on an allow lets others in',
    policies: [{ name: 'staff but not bob', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }], exclude: [{ email: { email: 'bob@example.com' } }] }],
    identity: { email: 'alice@example.com' },
    expect: { access: 'granted', deciding: 0 },
  },
  {
    name: 'order: an excluded user falls through to a later allow',
    policies: [
      { name: 'staff but not bob', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }], exclude: [{ email: { email: 'bob@example.com' } }] },
      { name: 'office', decision: 'allow', include: [{ ip: { ip: '10.0.0.0/8' } }] },
    ],
    identity: { email: 'bob@example.com', ip: '10.0.0.5' },
    expect: { access: 'granted', deciding: 1 },
  },
  {
    name: 'order: every require must hold (all hold)',
    policies: [
      {
        name: 'strict',
        decision: 'allow',
        include: [{ email_domain: { domain: 'example.com' } }],
        require: [{ geo: { country_code: 'US' } }, { auth_method: { auth_method: 'mfa' } }, { ip: { ip: '10.0.0.0/8' } }],
      },
    ],
    identity: { email: 'alice@example.com', geo: { country: 'US' }, amr: ['mfa'], ip: '10.0.0.9' },
    expect: { access: 'granted', deciding: 0 },
  },
  {
    name: 'order: every require must hold (one fails)',
    policies: [
      {
        name: 'strict',
        decision: 'allow',
        include: [{ email_domain: { domain: 'example.com' } }],
        require: [{ geo: { country_code: 'US' } }, { auth_method: { auth_method: 'mfa' } }, { ip: { ip: '10.0.0.0/8' } }],
      },
    ],
    identity: { email: 'alice@example.com', geo: { country: 'US' }, amr: ['mfa'], ip: '11.0.0.9' },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: '/policies/0/require/2', code: 'ip_mismatch', outcome: 'not_matched' }] },
  },
  {
    name: 'order: a require on a deny narrows what it blocks',
    policies: [
      { name: 'deny from CN', decision: 'deny', include: [{ everyone: {} }], require: [{ geo: { country_code: 'CN' } }] },
      { name: 'allow all', decision: 'allow', include: [{ everyone: {} }] },
    ],
    identity: { geo: { country: 'US' } },
    expect: { access: 'granted', deciding: 1 },
  },
  {
    name: 'order: include, require and exclude together',
    policies: [
      {
        name: 'combined',
        decision: 'allow',
        include: [{ email: { email: 'bob@example.com' } }, { email_domain: { domain: 'example.com' } }],
        require: [{ geo: { country_code: 'GB' } }],
        exclude: [{ ip: { ip: '198.51.100.0/24' } }, { user_risk_score: { user_risk_score: ['high'] } }],
      },
    ],
    identity: { email: 'alice@example.com', geo: { country: 'gb' }, ip: '203.0.113.5', user_risk_score: 'low' },
    expect: {
      access: 'granted',
      deciding: 0,
      reason: [
        { pointer: '/policies/0/include/1', code: 'email_domain_match', outcome: 'matched' },
        { pointer: '/policies/0/require/0', code: 'country_match', outcome: 'matched' },
        { pointer: '/policies/0/exclude/0', code: 'ip_mismatch', outcome: 'not_matched' },
        { pointer: '/policies/0/exclude/1', code: 'user_risk_score_mismatch', outcome: 'not_matched' },
      ],
    },
  },
];

// ------------------------------------------------------------------------ unknown propagation

const MISSING_IP_LIST = { ip_list: { id: 'list-deleted' } };

const UNKNOWN: ConformanceCase[] = [
  {
    name: 'unknown: an unknown include beside a true include matches',
    policies: [{ name: 'ext or staff', decision: 'allow', include: [EXT_RULE, { email_domain: { domain: 'example.com' } }] }],
    identity: { email: 'alice@example.com' },
    external: { [EXT]: null },
    expect: {
      access: 'granted',
      deciding: 0,
      reason: [
        { pointer: INC0, code: 'external_evaluation_failed', outcome: 'unknown' },
        { pointer: '/policies/0/include/1', code: 'email_domain_match', outcome: 'matched' },
      ],
    },
  },
  {
    name: 'unknown: an unknown include beside a false include is unknown',
    policies: [{ name: 'ext or staff', decision: 'allow', include: [EXT_RULE, { email_domain: { domain: 'example.com' } }] }],
    identity: { email: 'alice@example.org' },
    external: { [EXT]: null },
    expect: { access: 'unknown', deciding: 0 },
  },
  {
    name: 'unknown: an unknown allow followed by a matching allow grants',
    policies: [
      { name: 'ext', decision: 'allow', include: [EXT_RULE] },
      { name: 'staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] },
    ],
    identity: { email: 'alice@example.com' },
    external: { [EXT]: null },
    expect: { access: 'granted', deciding: 1, reason: [{ pointer: INC0, code: 'external_evaluation_failed', outcome: 'unknown' }] },
  },
  {
    name: 'unknown: an unknown allow then the default block is unknown',
    policies: [
      { name: 'ext', decision: 'allow', include: [EXT_RULE] },
      { name: 'bob', decision: 'allow', include: [{ email: { email: 'bob@example.com' } }] },
    ],
    identity: { email: 'alice@example.com' },
    external: { [EXT]: null },
    expect: { access: 'unknown', deciding: 0 },
  },
  {
    name: 'unknown: an unknown deny then a matching allow is unknown',
    policies: [
      { name: 'ext deny', decision: 'deny', include: [EXT_RULE] },
      { name: 'staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] },
    ],
    identity: { email: 'alice@example.com' },
    external: { [EXT]: null },
    expect: { access: 'unknown', deciding: 0, reason: [{ pointer: '/policies/1/include/0', code: 'email_domain_match', outcome: 'matched' }] },
  },
  {
    name: 'unknown: an unknown deny then the default block is blocked',
    policies: [
      { name: 'ext deny', decision: 'deny', include: [EXT_RULE] },
      { name: 'bob', decision: 'allow', include: [{ email: { email: 'bob@example.com' } }] },
    ],
    identity: { email: 'alice@example.com' },
    external: { [EXT]: null },
    expect: { access: 'blocked', deciding: null },
  },
  {
    name: 'unknown: an unknown deny then a matching deny is blocked by that deny',
    policies: [
      { name: 'ext deny', decision: 'deny', include: [EXT_RULE] },
      { name: 'deny all', decision: 'deny', include: [{ everyone: {} }] },
    ],
    identity: { email: 'alice@example.com' },
    external: { [EXT]: null },
    expect: { access: 'blocked', deciding: 1 },
  },
  {
    name: 'unknown: an unknown allow then a matching deny is unknown',
    policies: [
      { name: 'ext', decision: 'allow', include: [EXT_RULE] },
      { name: 'deny all', decision: 'deny', include: [{ everyone: {} }] },
    ],
    identity: { email: 'alice@example.com' },
    external: { [EXT]: null },
    expect: { access: 'unknown', deciding: 0 },
  },
  {
    name: 'unknown: policies after a decision are not evaluated, so their unknowns do not matter',
    policies: [
      { name: 'staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] },
      { name: 'ext deny', decision: 'deny', include: [EXT_RULE] },
    ],
    identity: { email: 'alice@example.com' },
    external: { [EXT]: null },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: '/policies/1/include/0', code: 'skipped' }] },
  },
  {
    name: 'unknown: an unknown exclude on a matching allow is unknown',
    policies: [{ name: 'all but ext', decision: 'allow', include: [{ everyone: {} }], exclude: [EXT_RULE] }],
    identity: { email: 'alice@example.com' },
    external: { [EXT]: null },
    expect: { access: 'unknown', deciding: 0, reason: [{ pointer: '/policies/0/exclude/0', code: 'external_evaluation_failed', outcome: 'unknown' }] },
  },
  {
    name: 'unknown: an unknown exclude beside a true exclude is excluded',
    policies: [{ name: 'all but ext', decision: 'allow', include: [{ everyone: {} }], exclude: [EXT_RULE, { geo: { country_code: 'RU' } }] }],
    identity: { geo: { country: 'RU' } },
    external: { [EXT]: null },
    expect: { access: 'blocked', deciding: null, reason: [{ pointer: '/policies/0/exclude/1', code: 'country_match', outcome: 'matched' }] },
  },
  {
    name: 'unknown: an unknown exclude on a non-matching include does not matter',
    policies: [{ name: 'bob but not ext', decision: 'allow', include: [{ email: { email: 'bob@example.com' } }], exclude: [EXT_RULE] }],
    identity: { email: 'alice@example.com' },
    external: { [EXT]: null },
    expect: { access: 'blocked', deciding: null },
  },
  {
    name: 'unknown: an unknown exclude on a deny is unknown when a later allow matches',
    policies: [
      { name: 'deny all but ext', decision: 'deny', include: [{ everyone: {} }], exclude: [EXT_RULE] },
      { name: 'allow all', decision: 'allow', include: [{ everyone: {} }] },
    ],
    identity: { email: 'alice@example.com' },
    external: { [EXT]: null },
    expect: { access: 'unknown', deciding: 0 },
  },
  {
    name: 'unknown: an unknown require with a false require is blocked',
    policies: [
      {
        name: 'ext and US',
        decision: 'allow',
        include: [{ everyone: {} }],
        require: [EXT_RULE, { geo: { country_code: 'US' } }],
      },
    ],
    identity: { geo: { country: 'FR' } },
    external: { [EXT]: null },
    expect: {
      access: 'blocked',
      deciding: null,
      reason: [
        { pointer: '/policies/0/require/0', code: 'external_evaluation_failed', outcome: 'unknown' },
        { pointer: '/policies/0/require/1', code: 'country_mismatch', outcome: 'not_matched' },
      ],
    },
  },
  {
    name: 'unknown: an unknown require with a true require is unknown',
    policies: [
      {
        name: 'ext and US',
        decision: 'allow',
        include: [{ everyone: {} }],
        require: [EXT_RULE, { geo: { country_code: 'US' } }],
      },
    ],
    identity: { geo: { country: 'US' } },
    external: { [EXT]: null },
    expect: { access: 'unknown', deciding: 0 },
  },
  {
    name: 'unknown: an unknown require with a false include is blocked',
    policies: [{ name: 'bob with ext', decision: 'allow', include: [{ email: { email: 'bob@example.com' } }], require: [EXT_RULE] }],
    identity: { email: 'alice@example.com' },
    external: { [EXT]: null },
    expect: { access: 'blocked', deciding: null },
  },
  {
    name: 'unknown: an unknown include with a true exclude is blocked',
    policies: [{ name: 'ext', decision: 'allow', include: [EXT_RULE], exclude: [{ everyone: {} }] }],
    identity: { email: 'alice@example.com' },
    external: { [EXT]: null },
    expect: { access: 'blocked', deciding: null },
  },
  {
    name: 'unknown: an unknown bypass then a matching allow grants',
    policies: [
      { name: 'staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] },
      { name: 'listed bypass', decision: 'bypass', include: [MISSING_IP_LIST] },
    ],
    identity: { email: 'alice@example.com', ip: '10.0.0.1' },
    env: { lists: {} },
    expect: { access: 'granted', deciding: 0, reason: [{ pointer: '/policies/1/include/0', code: 'list_not_found', outcome: 'unknown' }] },
  },
  {
    name: 'unknown: an unknown bypass then the default block is unknown',
    policies: [
      { name: 'bob', decision: 'allow', include: [{ email: { email: 'bob@example.com' } }] },
      { name: 'listed bypass', decision: 'bypass', include: [MISSING_IP_LIST] },
    ],
    identity: { email: 'alice@example.com', ip: '10.0.0.1' },
    env: { lists: {} },
    expect: { access: 'unknown', deciding: 1 },
  },
  {
    name: 'unknown: an unknown bypass then a matching deny is unknown',
    policies: [
      { name: 'deny all', decision: 'deny', include: [{ everyone: {} }] },
      { name: 'listed bypass', decision: 'bypass', include: [MISSING_IP_LIST] },
    ],
    identity: { ip: '10.0.0.1' },
    env: { lists: {} },
    expect: { access: 'unknown', deciding: 1 },
  },
  {
    name: 'unknown: an unknown bypass then a matching non_identity grants',
    policies: [
      { name: 'listed bypass', decision: 'bypass', include: [MISSING_IP_LIST] },
      { name: 'token', decision: 'non_identity', include: [{ any_valid_service_token: {} }] },
    ],
    identity: { ip: '10.0.0.1', service_token_id: 'tok', service_token_status: true },
    env: { lists: {} },
    expect: { access: 'granted', deciding: 1 },
  },
  {
    name: 'unknown: a bypass whose list is missing is not matched for a request without an IP',
    policies: [
      { name: 'deny all', decision: 'deny', include: [{ everyone: {} }] },
      { name: 'listed bypass', decision: 'bypass', include: [MISSING_IP_LIST] },
    ],
    identity: { email: 'alice@example.com' },
    env: { lists: {} },
    expect: { access: 'blocked', deciding: 0, reason: [{ pointer: '/policies/1/include/0', code: 'ip_missing', outcome: 'not_matched' }] },
  },
  {
    name: 'unknown: the deciding policy is the first undecidable one in execution order',
    policies: [
      { name: 'ext', decision: 'allow', include: [EXT_RULE] },
      { name: 'bob', decision: 'allow', include: [{ email: { email: 'bob@example.com' } }] },
      { name: 'listed bypass', decision: 'bypass', include: [MISSING_IP_LIST] },
    ],
    identity: { email: 'alice@example.com', ip: '10.0.0.1' },
    env: { lists: {} },
    external: { [EXT]: null },
    expect: { access: 'unknown', deciding: 2 },
  },
  {
    name: 'unknown: an undecidable policy that agrees with the result is passed over for one that does not',
    policies: [
      { name: 'ext deny', decision: 'deny', include: [EXT_RULE] },
      { name: 'ext2 allow', decision: 'allow', include: [EXT2_RULE] },
      { name: 'bob', decision: 'allow', include: [{ email: { email: 'bob@example.com' } }] },
    ],
    identity: { email: 'alice@example.com' },
    external: { [EXT]: null, [EXT2]: null },
    expect: { access: 'unknown', deciding: 1 },
  },
  {
    name: 'unknown: undecidable allow and deny before a matching allow: the deny decides',
    policies: [
      { name: 'ext2 allow', decision: 'allow', include: [EXT2_RULE] },
      { name: 'ext deny', decision: 'deny', include: [EXT_RULE] },
      { name: 'staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] },
    ],
    identity: { email: 'alice@example.com' },
    external: { [EXT]: null, [EXT2]: null },
    expect: { access: 'unknown', deciding: 1 },
  },
  {
    name: 'unknown: an undecidable allow, an answered deny, then a matching allow grants',
    policies: [
      { name: 'ext allow', decision: 'allow', include: [EXT_RULE] },
      { name: 'ext2 deny', decision: 'deny', include: [EXT2_RULE] },
      { name: 'staff', decision: 'allow', include: [{ email_domain: { domain: 'example.com' } }] },
    ],
    identity: { email: 'alice@example.com' },
    external: { [EXT]: null, [EXT2]: false },
    expect: { access: 'granted', deciding: 2, reason: [{ pointer: '/policies/1/include/0', code: 'external_deny', outcome: 'not_matched' }] },
  },
  {
    name: 'unknown: a missing group in an exclude of an allow is unknown',
    policies: [{ name: 'all but group', decision: 'allow', include: [{ everyone: {} }], exclude: [{ group: { id: 'g-gone' } }] }],
    identity: { email: 'alice@example.com' },
    env: { groups: {} },
    expect: { access: 'unknown', deciding: 0, reason: [{ pointer: '/policies/0/exclude/0', code: 'group_not_found', outcome: 'unknown' }] },
  },
  {
    name: 'unknown: an unknown include inside a group beside a true include is a member',
    policies: [{ name: 'grp', decision: 'allow', include: [{ group: { id: 'g-mixed' } }] }],
    identity: { email: 'alice@example.com' },
    env: { groups: { 'g-mixed': { name: 'Mixed', include: [EXT_RULE, { email: { email: 'alice@example.com' } }] } } },
    external: { [EXT]: null },
    expect: {
      access: 'granted',
      deciding: 0,
      reason: [
        { pointer: INC0, code: 'group_member', outcome: 'matched' },
        { pointer: '/policies/0/include/0/group/include/0', code: 'external_evaluation_failed', outcome: 'unknown' },
      ],
    },
  },
  {
    name: 'unknown: an unknown exclude inside a group makes membership unknown',
    policies: [{ name: 'grp', decision: 'allow', include: [{ group: { id: 'g-ext-excl' } }] }],
    identity: { email: 'alice@example.com' },
    env: { groups: { 'g-ext-excl': { name: 'Excl', include: [{ everyone: {} }], exclude: [EXT_RULE] } } },
    external: { [EXT]: null },
    expect: {
      access: 'unknown',
      deciding: 0,
      reason: [
        { pointer: INC0, code: 'group_unknown', outcome: 'unknown' },
        { pointer: '/policies/0/include/0/group/exclude/0', code: 'external_evaluation_failed', outcome: 'unknown' },
      ],
    },
  },
  {
    name: 'unknown: an unknown group used as an exclude of a deny, then the default block, is blocked',
    policies: [{ name: 'deny all but group', decision: 'deny', include: [{ everyone: {} }], exclude: [{ group: { id: 'g-gone' } }] }],
    identity: { email: 'alice@example.com' },
    env: { groups: {} },
    expect: { access: 'blocked', deciding: null },
  },
  {
    name: 'unknown: a deleted posture rule in a require beside a failing require is blocked',
    policies: [
      {
        name: 'posture and US',
        decision: 'allow',
        include: [{ everyone: {} }],
        require: [POSTURE_RULE, { geo: { country_code: 'US' } }],
      },
    ],
    identity: { devicePosture: { 'posture-disk-enc': { success: true } }, geo: { country: 'CA' } },
    env: { postureRules: [] },
    expect: {
      access: 'blocked',
      deciding: null,
      reason: [
        { pointer: '/policies/0/require/0', code: 'posture_rule_not_found', outcome: 'unknown' },
        { pointer: '/policies/0/require/1', code: 'country_mismatch', outcome: 'not_matched' },
      ],
    },
  },
];

export const CONFORMANCE_CASES: ConformanceCase[] = [
  ...EVERYONE,
  ...EMAIL,
  ...EMAIL_DOMAIN,
  ...EMAIL_LIST,
  ...IP,
  ...IP_LIST,
  ...GEO,
  ...LOGIN_METHOD,
  ...AUTH_METHOD,
  ...AUTH_CONTEXT,
  ...AZURE_AD,
  ...GSUITE,
  ...OKTA_CASES,
  ...GITHUB_ORG,
  ...SAML_CASES,
  ...OIDC_CASES,
  ...CERTIFICATE,
  ...COMMON_NAME,
  ...DEVICE_POSTURE,
  ...SERVICE_TOKEN,
  ...ANY_VALID_SERVICE_TOKEN,
  ...LINKED_APP_TOKEN,
  ...USER_RISK_SCORE,
  ...ACCOUNT_MEMBER,
  ...EXTERNAL,
  ...GROUP,
  ...ORDER,
  ...UNKNOWN,
];
