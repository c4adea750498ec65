// The identity model (docs/semantics.md "Identity model"): a user's last seen identity, as
// Cloudflare keeps it, and its prepared form, computed once per identity so evaluation never
// re-parses strings.

import type { RiskLevel } from './wire.js';
import { amrMask } from './amr.js';
import { GROUP_NAMES, NO_KEY, VALUES } from './intern.js';
import { parseIp, parseIpv4Fast, type IpAddress } from './ip.js';

export interface IdentityGroup {
  id?: string;
  name?: string;
  email?: string;
  teams?: string[];
}

export interface Identity {
  email?: string;
  name?: string;
  idp?: { id?: string; type?: string };
  groups?: IdentityGroup[];
  amr?: string[];
  auth_contexts?: string[];
  oidc_fields?: Record<string, unknown>;
  saml_attributes?: Record<string, unknown>;
  geo?: { country?: string };
  ip?: string;
  devicePosture?: Record<string, { success?: boolean; [k: string]: unknown }>;
  mtls_auth?: { cert_presented?: boolean; auth_status?: string; [k: string]: unknown };
  common_name?: string;
  service_token_id?: string;
  service_token_status?: boolean;
  linked_app_token?: { app_uid?: string };
  user_risk_score?: RiskLevel | string;
  cloudflare_account_ids?: string[];
  [extra: string]: unknown;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strArray = (v: unknown): readonly string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : EMPTY;
const EMPTY: readonly string[] = Object.freeze([]);
const NO_KEYS: readonly number[] = Object.freeze([]);

/**
 * An identity made ready for evaluation. Cheap fields are computed eagerly; group indexes are
 * built on first use because most policy sets only look at one kind of group.
 * Every field is defensive: identities are untrusted JSON and an absent or ill-typed field
 * simply makes its selectors false.
 *
 * Layout: the fields a compiled policy set reads most come first and are small integers (keys
 * of interned values, an address, a bit mask), so evaluating a set usually touches one or two
 * cache lines of the object and follows no pointer. The string fields beside them are for the
 * interpreter, explanations and the fallback when a value could not be interned (intern.ts).
 */
export class PreparedIdentity {
  /** Key of emailDomain (intern.ts VALUES), NO_KEY when absent or not interned. */
  readonly emailDomainKey: number;
  /** Key of idpId (VALUES), NO_KEY when absent or not interned. */
  readonly idpKey: number;
  /** Key of country (VALUES), NO_KEY when absent or not interned. */
  readonly countryKey: number;
  /** Key of riskLevel (VALUES), NO_KEY when not interned. */
  readonly riskLevelKey: number;
  /** 4 or 6 when the identity has a valid address, else 0. */
  readonly ipVersion: 0 | 4 | 6;
  /**
   * The IPv4 address as a signed 32-bit integer (`>>> 0` gives the usual unsigned value); 0
   * unless ipVersion is 4. Signed so that V8 keeps it inline as a small integer, not boxed.
   */
  readonly ipv4: number;
  /** amrMask(amr) once an auth_method rule has asked (hasAmrBit), else -1. */
  private amrBits: number;
  /** Group keys, built on first use (inGsuiteGroup and the like). */
  private gsuiteKeys: readonly number[] | undefined;
  private azureKeys: readonly number[] | undefined;
  private oktaKeys: readonly number[] | undefined;
  /** Lower-cased email, or undefined. */
  readonly email: string | undefined;
  /** Lower-cased part after the last '@', or undefined. */
  readonly emailDomain: string | undefined;
  readonly idpId: string | undefined;
  /** Upper-cased ISO country code, or undefined. */
  readonly country: string | undefined;
  /** The identity's risk level, 'unscored' when absent. */
  readonly riskLevel: string;
  readonly amr: readonly string[];
  private gsuiteEmails: Set<string> | undefined;
  private azureIds: Set<string> | undefined;
  private oktaNames: Set<string> | undefined;
  private githubTeams: Map<string, Set<string>> | undefined;

  readonly raw: Identity;
  /** The IPv6 address, when ipVersion is 6. */
  readonly ipv6: IpAddress | undefined;
  readonly authContexts: readonly string[];
  readonly commonName: string | undefined;
  readonly certificateValid: boolean;
  readonly serviceTokenId: string | undefined;
  readonly serviceTokenActive: boolean;
  readonly linkedAppUid: string | undefined;
  readonly accountIds: readonly string[];

  constructor(raw: Identity) {
    const email = str(raw.email);
    let lowerEmail: string | undefined;
    let domain: string | undefined;
    if (email !== undefined && email.length > 0) {
      lowerEmail = email.toLowerCase();
      const at = lowerEmail.lastIndexOf('@');
      domain = at >= 0 ? lowerEmail.slice(at + 1) : undefined;
    }
    const idp = raw.idp;
    const idpId = idp !== null && typeof idp === 'object' ? str(idp.id) : undefined;
    const geo = raw.geo;
    const rawCountry = geo !== null && typeof geo === 'object' ? str(geo.country) : undefined;
    const country = rawCountry === undefined ? undefined : rawCountry.toUpperCase();
    const risk = str(raw.user_risk_score);
    const riskLevel = risk === undefined ? 'unscored' : risk.toLowerCase();
    const rawIp = str(raw.ip);
    // Dotted quads (nearly every address) without allocating an address object.
    const fastIpv4 = rawIp === undefined ? undefined : parseIpv4Fast(rawIp);
    const ip = rawIp === undefined || fastIpv4 !== undefined ? undefined : parseIp(rawIp);
    const amr = strArray(raw.amr);

    // Field order, hence memory layout, is the declaration order above (class fields).
    this.emailDomainKey = valueKey(domain);
    this.idpKey = valueKey(idpId);
    this.countryKey = valueKey(country);
    this.riskLevelKey = VALUES.key(riskLevel);
    this.ipVersion = fastIpv4 !== undefined ? 4 : ip === undefined ? 0 : ip.v;
    this.ipv4 = fastIpv4 !== undefined ? fastIpv4 | 0 : ip !== undefined && ip.v === 4 ? ip.n | 0 : 0;
    // Built on first use: in the bulk path each identity is evaluated once, and most never
    // reach an auth_method or group rule.
    this.amrBits = -1;
    this.gsuiteKeys = undefined;
    this.azureKeys = undefined;
    this.oktaKeys = undefined;
    this.email = lowerEmail;
    this.emailDomain = canonical(domain, this.emailDomainKey);
    this.idpId = canonical(idpId, this.idpKey);
    this.country = canonical(country, this.countryKey);
    this.riskLevel = VALUES.canonical(riskLevel, this.riskLevelKey);
    this.amr = amr;
    this.gsuiteEmails = undefined;
    this.azureIds = undefined;
    this.oktaNames = undefined;
    this.githubTeams = undefined;
    this.raw = raw;
    this.ipv6 = ip !== undefined && ip.v === 6 ? ip : undefined;
    this.authContexts = strArray(raw.auth_contexts);
    this.commonName = str(raw.common_name);
    const mtls = raw.mtls_auth;
    this.certificateValid =
      mtls !== null && typeof mtls === 'object' && mtls.cert_presented === true && mtls.auth_status === 'OK';
    this.serviceTokenId = str(raw.service_token_id);
    this.serviceTokenActive = raw.service_token_status === true;
    const linked = raw.linked_app_token;
    this.linkedAppUid = linked !== null && typeof linked === 'object' ? str(linked.app_uid) : undefined;
    this.accountIds = strArray(raw.cloudflare_account_ids);
  }

  /** Whether amr holds the registered RFC 8176 value with this bit (amr.ts amrBit). */
  hasAmrBit(bit: number): boolean {
    let bits = this.amrBits;
    if (bits < 0) this.amrBits = bits = amrMask(this.amr);
    return (bits & bit) !== 0;
  }

  /** The identity's address, or undefined (built on each call for IPv4: not for hot paths). */
  get ip(): IpAddress | undefined {
    if (this.ipVersion === 4) return { v: 4, n: this.ipv4 >>> 0 };
    return this.ipv6;
  }

  private groupList(): readonly IdentityGroup[] {
    const groups = this.raw.groups;
    return Array.isArray(groups) ? groups.filter((g) => g !== null && typeof g === 'object') : [];
  }

  /** Lower-cased Google Workspace group emails. */
  gsuiteGroupEmails(): Set<string> {
    return (this.gsuiteEmails ??= this.groupValues((g) => str(g.email)?.toLowerCase()));
  }

  /** Azure AD group object ids, exact. */
  azureGroupIds(): Set<string> {
    return (this.azureIds ??= this.groupValues((g) => str(g.id)));
  }

  /** Okta group names, exact. */
  oktaGroupNames(): Set<string> {
    return (this.oktaNames ??= this.groupValues((g) => str(g.name)));
  }

  /** One field of every group that has it. */
  private groupValues(field: (group: IdentityGroup) => string | undefined): Set<string> {
    const values = new Set<string>();
    for (const g of this.groupList()) {
      const value = field(g);
      if (value !== undefined) values.add(value);
    }
    return values;
  }

  /** Whether the identity is in the Google Workspace group whose lower-cased email has this key (GROUP_NAMES). */
  inGsuiteGroup(key: number): boolean {
    this.gsuiteKeys ??= this.groupKeys('email', true);
    return hasKey(this.gsuiteKeys, key);
  }

  /** Whether the identity is in the Azure AD group whose object id has this key (GROUP_NAMES). */
  inAzureGroup(key: number): boolean {
    this.azureKeys ??= this.groupKeys('id', false);
    return hasKey(this.azureKeys, key);
  }

  /** Whether the identity is in the Okta group whose name has this key (GROUP_NAMES). */
  inOktaGroup(key: number): boolean {
    this.oktaKeys ??= this.groupKeys('name', false);
    return hasKey(this.oktaKeys, key);
  }

  /**
   * Keys (GROUP_NAMES) of one field of the identity's groups, built straight from the raw
   * groups (no string set); sorted only when long (see hasKey). Values the table had no room
   * for are left out: they equal no keyed rule value (intern.ts), and rules without a key use
   * the string sets instead.
   */
  private groupKeys(field: 'id' | 'name' | 'email', lowerCase: boolean): readonly number[] {
    const groups = this.raw.groups;
    if (!Array.isArray(groups) || groups.length === 0) return NO_KEYS;
    const keys: number[] = [];
    for (const g of groups) {
      if (g === null || typeof g !== 'object') continue;
      const value = str((g as IdentityGroup)[field]);
      if (value === undefined) continue;
      const key = GROUP_NAMES.key(lowerCase ? value.toLowerCase() : value);
      if (key !== NO_KEY) keys.push(key);
    }
    if (keys.length === 0) return NO_KEYS;
    return keys.length > LINEAR_SEARCH_MAX ? keys.sort((a, b) => a - b) : keys;
  }

  /** GitHub organizations (lower-cased) to their teams (lower-cased). */
  githubOrgTeams(): Map<string, Set<string>> {
    if (this.githubTeams === undefined) {
      this.githubTeams = new Map();
      for (const g of this.groupList()) {
        const n = str(g.name);
        if (n === undefined) continue;
        const org = n.toLowerCase();
        let teams = this.githubTeams.get(org);
        if (teams === undefined) {
          teams = new Set();
          this.githubTeams.set(org, teams);
        }
        for (const t of strArray(g.teams)) teams.add(t.toLowerCase());
      }
    }
    return this.githubTeams;
  }

  /** Whether the device posture check `ruleId` passed for this identity's device. */
  postureSucceeded(ruleId: string): boolean {
    const posture = this.raw.devicePosture;
    if (posture === null || typeof posture !== 'object' || Array.isArray(posture)) return false;
    const entry = Object.prototype.hasOwnProperty.call(posture, ruleId) ? posture[ruleId] : undefined;
    return entry !== null && typeof entry === 'object' && entry.success === true;
  }

  /** The values of a SAML attribute or OIDC claim as strings (numbers and booleans stringified). */
  claimValues(source: 'saml' | 'oidc', name: string): readonly string[] {
    const bag = source === 'saml' ? this.raw.saml_attributes : this.raw.oidc_fields;
    if (bag === null || typeof bag !== 'object' || Array.isArray(bag)) return EMPTY;
    if (!Object.prototype.hasOwnProperty.call(bag, name)) return EMPTY;
    return claimStrings(bag[name]);
  }
}

function valueKey(value: string | undefined): number {
  return value === undefined ? NO_KEY : VALUES.key(value);
}

function canonical(value: string | undefined, key: number): string | undefined {
  return value === undefined ? undefined : VALUES.canonical(value, key);
}

/**
 * Group lists are usually short: a scan of a few integers beats sorting them (a sort call costs
 * more than the whole evaluation). Some users are in hundreds of groups: their lists are sorted
 * once and searched by halves.
 */
const LINEAR_SEARCH_MAX = 16;

function hasKey(keys: readonly number[], key: number): boolean {
  if (keys.length <= LINEAR_SEARCH_MAX) {
    for (let i = 0; i < keys.length; i++) if (keys[i] === key) return true;
    return false;
  }
  // Longer lists were sorted when built (groupKeys).
  let lo = 0;
  let hi = keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const k = keys[mid];
    if (k === key) return true;
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

function scalarString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return undefined;
}

function claimStrings(v: unknown): readonly string[] {
  if (Array.isArray(v)) {
    const out: string[] = [];
    for (const item of v) {
      const s = scalarString(item);
      if (s !== undefined) out.push(s);
    }
    return out;
  }
  const s = scalarString(v);
  return s === undefined ? EMPTY : [s];
}

export function prepareIdentity(identity: Identity): PreparedIdentity {
  return new PreparedIdentity(identity !== null && typeof identity === 'object' ? identity : {});
}
