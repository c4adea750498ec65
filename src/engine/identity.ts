// The identity model (DESIGN.md §2): a user's last seen identity, as Cloudflare keeps it,
// and its prepared form, computed once per identity so evaluation never re-parses strings.

import type { RiskLevel } from './wire.js';
import { intern } from './intern.js';
import { parseIp, type IpAddress } from './ip.js';

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

/**
 * An identity made ready for evaluation. Cheap fields are computed eagerly; group indexes are
 * built on first use because most policy sets only look at one kind of group.
 * Every field is defensive: identities are untrusted JSON and an absent or ill-typed field
 * simply makes its selectors false.
 */
export class PreparedIdentity {
  readonly raw: Identity;
  /** Lower-cased email, or undefined. */
  readonly email: string | undefined;
  /** Lower-cased part after the last '@', or undefined. */
  readonly emailDomain: string | undefined;
  readonly idpId: string | undefined;
  /** Upper-cased ISO country code, or undefined. */
  readonly country: string | undefined;
  readonly ip: IpAddress | undefined;
  readonly amr: readonly string[];
  readonly authContexts: readonly string[];
  readonly commonName: string | undefined;
  readonly certificateValid: boolean;
  readonly serviceTokenId: string | undefined;
  readonly serviceTokenActive: boolean;
  readonly linkedAppUid: string | undefined;
  /** The identity's risk level, 'unscored' when absent. */
  readonly riskLevel: string;
  readonly accountIds: readonly string[];

  private gsuiteEmails: Set<string> | undefined;
  private azureIds: Set<string> | undefined;
  private oktaNames: Set<string> | undefined;
  private githubTeams: Map<string, Set<string>> | undefined;

  constructor(raw: Identity) {
    this.raw = raw;
    const email = str(raw.email);
    if (email !== undefined && email.length > 0) {
      const lower = email.toLowerCase();
      this.email = lower;
      const at = lower.lastIndexOf('@');
      this.emailDomain = at >= 0 ? intern(lower.slice(at + 1)) : undefined;
    } else {
      this.email = undefined;
      this.emailDomain = undefined;
    }
    const idp = raw.idp;
    const idpId = idp !== null && typeof idp === 'object' ? str(idp.id) : undefined;
    this.idpId = idpId === undefined ? undefined : intern(idpId);
    const geo = raw.geo;
    const country = geo !== null && typeof geo === 'object' ? str(geo.country) : undefined;
    this.country = country === undefined ? undefined : intern(country.toUpperCase());
    const ip = str(raw.ip);
    this.ip = ip === undefined ? undefined : parseIp(ip);
    this.amr = strArray(raw.amr);
    this.authContexts = strArray(raw.auth_contexts);
    this.commonName = str(raw.common_name);
    const mtls = raw.mtls_auth;
    this.certificateValid =
      mtls !== null && typeof mtls === 'object' && mtls.cert_presented === true && mtls.auth_status === 'OK';
    this.serviceTokenId = str(raw.service_token_id);
    this.serviceTokenActive = raw.service_token_status === true;
    const linked = raw.linked_app_token;
    this.linkedAppUid = linked !== null && typeof linked === 'object' ? str(linked.app_uid) : undefined;
    const risk = str(raw.user_risk_score);
    this.riskLevel = risk === undefined ? 'unscored' : intern(risk.toLowerCase());
    this.accountIds = strArray(raw.cloudflare_account_ids);
  }

  private groupList(): readonly IdentityGroup[] {
    const groups = this.raw.groups;
    return Array.isArray(groups) ? groups.filter((g) => g !== null && typeof g === 'object') : [];
  }

  /** Lower-cased Google Workspace group emails. */
  gsuiteGroupEmails(): Set<string> {
    if (this.gsuiteEmails === undefined) {
      this.gsuiteEmails = new Set();
      for (const g of this.groupList()) {
        const e = str(g.email);
        if (e !== undefined) this.gsuiteEmails.add(e.toLowerCase());
      }
    }
    return this.gsuiteEmails;
  }

  /** Azure AD group object ids, exact. */
  azureGroupIds(): Set<string> {
    if (this.azureIds === undefined) {
      this.azureIds = new Set();
      for (const g of this.groupList()) {
        const id = str(g.id);
        if (id !== undefined) this.azureIds.add(id);
      }
    }
    return this.azureIds;
  }

  /** Okta group names, exact. */
  oktaGroupNames(): Set<string> {
    if (this.oktaNames === undefined) {
      this.oktaNames = new Set();
      for (const g of this.groupList()) {
        const n = str(g.name);
        if (n !== undefined) this.oktaNames.add(n);
      }
    }
    return this.oktaNames;
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
