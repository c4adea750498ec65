// The identity a verified SAML assertion gives: the email (from the provider's
// email_attribute_name, else a NameID that is an email address), the name, the groups, the
// attributes the provider's config keeps (saml_attributes, for `saml` rules) and how the person
// authenticated (amr, from the authentication context); and the request headers its
// header_attributes make of the assertion, which the session's token carries.
// docs/identity-providers.md "SAML 2.0".

import type { Profile } from '@node-saml/node-saml';
import type { ResourceRecord } from '../../store/store.js';
import type { LoginIdentity } from '../logins.js';
import { headerAttributesOf, headerValueOf, MAX_HEADER_TOTAL_LENGTH } from '../../schema/saml-headers.js';

type Config = Record<string, unknown>;
export const samlConfigOf = (idp: ResourceRecord): Config => (idp.body.config !== null && typeof idp.body.config === 'object' ? (idp.body.config as Config) : {});

/** The email attribute when the config names none. */
export const DEFAULT_EMAIL_ATTRIBUTE = 'email';

/** Attributes that carry the person's display name, the first present wins. */
export const NAME_ATTRIBUTES = ['name', 'displayName', 'http://schemas.microsoft.com/identity/claims/displayname', 'cn'] as const;

/** Attributes that carry group memberships, the first present wins (Okta/Keycloak, LDAP-style, Entra ID, AD FS). */
export const GROUP_ATTRIBUTES = ['groups', 'Groups', 'memberOf', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups', 'http://schemas.xmlsoap.org/claims/Group'] as const;

/** Entra ID's list of the methods used, read into amr like the authentication context. */
const METHODS_ATTRIBUTE = 'http://schemas.microsoft.com/claims/authnmethodsreferences';

/** Authentication context classes (and Entra ID method URIs) that say which RFC 8176 method was used. */
export const AMR_OF_CONTEXT: Readonly<Record<string, string>> = {
  'urn:oasis:names:tc:SAML:2.0:ac:classes:Password': 'pwd',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport': 'pwd',
  'http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password': 'pwd',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken': 'otp',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard': 'sc',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI': 'sc',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract': 'mfa',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorUnregistered': 'mfa',
  'https://refeds.org/profile/mfa': 'mfa',
  'http://schemas.microsoft.com/claims/multipleauthn': 'mfa',
};

const EMAIL = /^[^\s@]+@[^\s@]+$/;

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The text values of one attribute as node-saml gives it (a value, or a list; elements with children are not text). */
function textValues(value: unknown): string[] {
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : isRecord(v) && typeof v._ === 'string' ? v._ : undefined);
  return (Array.isArray(value) ? value : [value]).map(text).filter((v): v is string => v !== undefined);
}

/** Every attribute of the assertion, each as its list of text values. */
export function attributesOf(profile: Profile): Map<string, string[]> {
  const attributes = isRecord(profile.attributes) ? profile.attributes : {};
  return new Map(Object.entries(attributes).map(([name, value]) => [name, textValues(value)]));
}

/** The authentication context class references of the assertion's AuthnStatements. */
function contextClasses(profile: Profile): string[] {
  const assertion = profile.getAssertion?.().Assertion;
  if (!isRecord(assertion) || !Array.isArray(assertion.AuthnStatement)) return [];
  return assertion.AuthnStatement.flatMap((statement: unknown) => {
    const context = isRecord(statement) && Array.isArray(statement.AuthnContext) ? statement.AuthnContext[0] : undefined;
    return isRecord(context) ? textValues(context.AuthnContextClassRef) : [];
  });
}

export function amrOf(profile: Profile, attributes: ReadonlyMap<string, readonly string[]>): string[] {
  const references = [...contextClasses(profile), ...(attributes.get(METHODS_ATTRIBUTE) ?? [])];
  return [...new Set(references.map((ref) => AMR_OF_CONTEXT[ref.trim()]).filter((amr): amr is string => amr !== undefined))];
}

const firstPresent = (attributes: ReadonlyMap<string, readonly string[]>, names: readonly string[]): readonly string[] | undefined => names.map((n) => attributes.get(n)).find((v) => v !== undefined && v.length > 0);

/** The identity a verified assertion gives, or why it gives none. */
export function identityFromAssertion(idp: ResourceRecord, profile: Profile): LoginIdentity | { readonly error: string } {
  const config = samlConfigOf(idp);
  const attributes = attributesOf(profile);
  const emailAttribute = typeof config.email_attribute_name === 'string' && config.email_attribute_name.trim() !== '' ? config.email_attribute_name.trim() : DEFAULT_EMAIL_ATTRIBUTE;
  const fromAttribute = (attributes.get(emailAttribute) ?? []).map((v) => v.trim()).find((v) => EMAIL.test(v));
  const fromNameId = typeof profile.nameID === 'string' && EMAIL.test(profile.nameID.trim()) ? profile.nameID.trim() : undefined;
  const email = fromAttribute ?? fromNameId;
  if (email === undefined) return { error: `the identity provider sent no email address (attribute ${emailAttribute}, nor a NameID that is one)` };
  const name = firstPresent(attributes, NAME_ATTRIBUTES)?.[0];
  const kept = Array.isArray(config.attributes) ? config.attributes.filter((a): a is string => typeof a === 'string' && a !== '') : [];
  // As the identity provider sent them: one value as a string, several (multi-record attributes
  // such as groups) as a list, each of which a `saml` rule matches.
  const samlAttributes = Object.fromEntries(kept.flatMap((n) => {
    const values = attributes.get(n);
    return values === undefined || values.length === 0 ? [] : [[n, values.length === 1 ? values[0]! : [...values]]];
  }));
  return {
    email,
    ...(name !== undefined && name.trim() !== '' ? { name: name.trim() } : {}),
    groups: [...new Set(firstPresent(attributes, GROUP_ATTRIBUTES) ?? [])],
    idp: { id: idp.id, type: String(idp.body.type) },
    amr: amrOf(profile, attributes),
    ...(kept.length > 0 ? { saml_attributes: samlAttributes } : {}),
  };
}

export interface AssertionHeaders {
  /** Header name (as configured) → value: the attribute's values joined by ", ". */
  readonly headers: Readonly<Record<string, string>>;
  /** Headers left out, and why (logged by the caller): a value that could forge headers, or too long. */
  readonly refused: readonly { readonly header: string; readonly reason: string }[];
}

/**
 * The request headers the provider's header_attributes make of a verified assertion. Fails
 * closed: a header whose value is unsafe is left out, never cleaned up and passed on.
 */
export function headersFromAssertion(idp: ResourceRecord, profile: Profile): AssertionHeaders {
  const attributes = attributesOf(profile);
  const headers: Record<string, string> = {};
  const refused: { header: string; reason: string }[] = [];
  let total = 0;
  for (const { attribute_name: attribute, header_name: header } of headerAttributesOf(samlConfigOf(idp))) {
    const values = attributes.get(attribute);
    if (values === undefined || values.length === 0) continue;
    const made = headerValueOf(values);
    if ('error' in made) {
      refused.push({ header, reason: `attribute ${attribute}: ${made.error}` });
      continue;
    }
    if (total + made.value.length > MAX_HEADER_TOTAL_LENGTH) {
      refused.push({ header, reason: `attribute ${attribute}: the headers together would be longer than ${MAX_HEADER_TOTAL_LENGTH} characters` });
      continue;
    }
    total += made.value.length;
    headers[header] = made.value;
  }
  return { headers, refused };
}
