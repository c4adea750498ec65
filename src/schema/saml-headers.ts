// A SAML provider's header_attributes: the request headers the forward-auth answer carries for a
// session that signed in through it, each the value of one SAML attribute
// (docs/identity-providers.md "Attributes as request headers"). The rules for a header's name
// (checked when the provider is written) and its value (checked at sign-in and again when
// answered) live here, below the API and the enforcement point, which both apply them. Pure
// and importing nothing: the dashboard bundles it (for the proxy configurations it shows).

/** An issue in the validation vocabulary's terms (schema/issues.ts RequestIssue), without importing it. */
interface HeaderIssue {
  readonly code: 'required' | 'invalid_format' | 'duplicate_entry';
  readonly message: string;
  readonly pointer: string;
}

/**
 * A header name: letters, digits and "-". Narrower than RFC 9110's tokens on purpose: an
 * underscore is read as a dash by CGI-style frameworks (so X_Email could pass for X-Email) and
 * dropped by nginx by default, and proxy configurations can name only such headers
 * (access/proxy-config.ts).
 */
const NAME = /^[A-Za-z0-9-]+$/;

/** Prefixes no attribute may set: Cloudflare's own headers, what proxies forward, our answer's own. */
const RESERVED_PREFIXES = ['cf-', 'x-forwarded-', 'x-access-', 'proxy-', 'sec-'] as const;

/**
 * Names no attribute may set: hop-by-hop headers, the ones that frame or route a message, the
 * ones carrying credentials or cookies, and those the forward-auth answer sets itself.
 */
const RESERVED_NAMES = new Set([
  'connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'via', 'forwarded', 'x-real-ip',
  'host', 'content-length', 'content-type', 'content-encoding', 'expect', 'location', 'cache-control', 'date', 'server',
  'authorization', 'cookie', 'set-cookie', 'www-authenticate',
]);

/** The longest value a header may carry (and the most all of a session's together may): they travel in the session's token. */
export const MAX_HEADER_VALUE_LENGTH = 1024;
export const MAX_HEADER_TOTAL_LENGTH = 2048;

/** What a value's several attribute values are joined with. */
export const VALUE_SEPARATOR = ', ';

/** Why `name` cannot be an attribute's header, or undefined when it can. */
export function headerNameProblem(name: string): string | undefined {
  if (!NAME.test(name)) return `${JSON.stringify(name)} is not a header name portcullis passes (letters, digits and "-" only)`;
  const lower = name.toLowerCase();
  if (RESERVED_NAMES.has(lower)) return `${name} is a header portcullis or the proxy sets itself (or a hop-by-hop header): it cannot carry an attribute`;
  const prefix = RESERVED_PREFIXES.find((p) => lower.startsWith(p));
  if (prefix !== undefined) return `headers starting with ${prefix} are reserved (Cloudflare's, the proxy's or portcullis's own): ${name} cannot carry an attribute`;
  return undefined;
}

export interface HeaderAttribute {
  readonly attribute_name: string;
  readonly header_name: string;
}

/** The entries of a config's header_attributes, as far as they are well formed. */
export function headerAttributesOf(config: Readonly<Record<string, unknown>>): HeaderAttribute[] {
  const list = Array.isArray(config.header_attributes) ? config.header_attributes : [];
  return list.filter((entry): entry is HeaderAttribute => entry !== null && typeof entry === 'object' && typeof entry.attribute_name === 'string' && typeof entry.header_name === 'string');
}

/** What is wrong with a SAML config's header_attributes, pointed at from `pointer` (its field). */
export function headerAttributeIssues(value: unknown, pointer = '/config/header_attributes'): HeaderIssue[] {
  if (!Array.isArray(value)) return [];
  const issues: HeaderIssue[] = [];
  const seen = new Map<string, number>();
  value.forEach((entry: unknown, i) => {
    if (entry === null || typeof entry !== 'object') return; // The schema reports it.
    const { attribute_name: attribute, header_name: header } = entry as Record<string, unknown>;
    if (typeof attribute !== 'string' || attribute.trim() === '') issues.push({ code: 'required', pointer: `${pointer}/${i}/attribute_name`, message: 'Each header needs the SAML attribute it carries (attribute_name).' });
    if (typeof header !== 'string') {
      issues.push({ code: 'required', pointer: `${pointer}/${i}/header_name`, message: 'Each attribute needs the header it is passed in (header_name).' });
      return;
    }
    const problem = headerNameProblem(header);
    if (problem !== undefined) {
      issues.push({ code: 'invalid_format', pointer: `${pointer}/${i}/header_name`, message: `${problem}.` });
      return;
    }
    const earlier = seen.get(header.toLowerCase());
    if (earlier !== undefined) issues.push({ code: 'duplicate_entry', pointer: `${pointer}/${i}/header_name`, message: `Header ${header} is already carried by item ${earlier}.` });
    else seen.set(header.toLowerCase(), i);
  });
  return issues;
}

/** Control characters (C0, DEL, C1): a value holding one could split or forge headers. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** The header value of an attribute's values (joined by ", "), or why it has none. */
export function headerValueOf(values: readonly string[]): { readonly value: string } | { readonly error: string } {
  if (values.some((v) => CONTROL.test(v))) return { error: 'a value holds a line break or another control character' };
  const value = values.map((v) => v.trim()).filter((v) => v !== '').join(VALUE_SEPARATOR);
  if (value.length > MAX_HEADER_VALUE_LENGTH) return { error: `the value is longer than ${MAX_HEADER_VALUE_LENGTH} characters` };
  return { value };
}

/** Whether a name and value may go out as a header (checked again as each answer is made). */
export function isSafeHeader(name: string, value: string): boolean {
  return headerNameProblem(name) === undefined && !CONTROL.test(value) && value.length <= MAX_HEADER_VALUE_LENGTH;
}

/**
 * Every header the account's SAML providers pass, each once (names are case-insensitive), as
 * first configured: what each forward-auth answer carries, and so what a proxy must copy (and
 * thereby never take from the client). A name a write let through unchecked is left out.
 */
export function samlHeaderNamesOf(providers: readonly { readonly type?: unknown; readonly config?: unknown }[]): string[] {
  const names = new Map<string, string>();
  for (const idp of providers) {
    if (idp.type !== 'saml' || idp.config === null || typeof idp.config !== 'object') continue;
    for (const { header_name: name } of headerAttributesOf(idp.config as Record<string, unknown>)) {
      if (headerNameProblem(name) === undefined && !names.has(name.toLowerCase())) names.set(name.toLowerCase(), name);
    }
  }
  return [...names.values()];
}
