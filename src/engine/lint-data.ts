// Reference data lint checks values against: assigned country codes, RFC 8176 authentication
// method references, and the usual mistakes for each, plus how messages name decisions.

import type { Decision } from './wire.js';

/** The 249 assigned ISO 3166-1 alpha-2 codes. */
export const ISO_COUNTRIES: ReadonlySet<string> = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
    'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR ' +
    'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP ' +
    'KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT ' +
    'MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW ' +
    'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG ' +
    'UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
  ).split(' '),
);

/** Codes that are not ISO assignments but that Cloudflare's geolocation reports. */
export const CLOUDFLARE_COUNTRY_CODES: ReadonlySet<string> = new Set(['XK', 'XX']);

/** Common mistakes and withdrawn codes → the assigned code(s) meant. */
export const COUNTRY_HINTS: Readonly<Record<string, string>> = {
  UK: 'GB',
  EL: 'GR',
  TP: 'TL',
  ZR: 'CD',
  BU: 'MM',
  YU: 'RS or ME',
  CS: 'RS or ME',
  AN: 'BQ, CW or SX',
};

/** RFC 8176 Authentication Method Reference values. */
export const AMR_VALUES: readonly string[] = [
  'face', 'fpt', 'geo', 'hwk', 'iris', 'kba', 'mca', 'mfa', 'otp', 'pin', 'pop', 'pwd',
  'rba', 'retina', 'sc', 'sms', 'swk', 'tel', 'user', 'vbm', 'wia',
];
export const AMR_SET: ReadonlySet<string> = new Set(AMR_VALUES);
export const AMR_HINTS: Readonly<Record<string, string>> = {
  password: 'pwd',
  passwd: 'pwd',
  totp: 'otp',
  hotp: 'otp',
  u2f: 'hwk',
  fido: 'hwk',
  fido2: 'hwk',
  webauthn: 'hwk',
  security_key: 'hwk',
  yubikey: 'hwk',
  fingerprint: 'fpt',
  biometrics: 'fpt',
  faceid: 'face',
  smartcard: 'sc',
  phone: 'tel',
  voice: 'vbm',
  kerberos: 'wia',
  '2fa': 'mfa',
  mfa_required: 'mfa',
};

/** How messages name each decision. */
export const DECISION_WORDS: Record<Decision, string> = {
  allow: 'allow',
  deny: 'block (deny)',
  bypass: 'bypass',
  non_identity: 'Service Auth (non_identity)',
};
