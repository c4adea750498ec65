// JSON from clients: parsed with the parser's own error message, refusing `__proto__` and
// `constructor.prototype` keys so that no parsed document can pollute prototypes later, and
// refusing documents nested deeper than any request needs, which would otherwise overflow the
// stack of whatever walks them next (validation, JSON.stringify when stored), and text holding
// U+0000 or a lone UTF-16 surrogate (a "\udc00" escape), which PostgreSQL cannot store and
// UTF-8 cannot carry (SQLite keeps them: refusing them keeps both stores alike).

import sjson from 'secure-json-parse';

/**
 * The charset a content type declares when it is not UTF-8 (lower-cased, "" when empty), or
 * undefined when it declares none or UTF-8 ("utf-8" or "utf8", in any case, quoted or not).
 * JSON is UTF-8 (RFC 8259); a body declared otherwise would be read as something it is not.
 */
export function unacceptedCharset(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  for (const parameter of contentType.split(';').slice(1)) {
    const eq = parameter.indexOf('=');
    if ((eq < 0 ? parameter : parameter.slice(0, eq)).trim().toLowerCase() !== 'charset') continue;
    const raw = eq < 0 ? '' : parameter.slice(eq + 1).trim();
    const value = (/^"(.*)"$/.test(raw) ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw).toLowerCase();
    if (value !== 'utf-8' && value !== 'utf8') return value;
  }
  return undefined;
}

/** The deepest nesting of arrays and objects a request body may have. */
export const MAX_JSON_DEPTH = 64;

/** Parse one JSON document; throws a SyntaxError (or sjson's error) with a readable message. */
export function parseUntrustedJson(text: string): unknown {
  if (!fewerBracketsThan(text, MAX_JSON_DEPTH + 1) && nestedDeeperThan(text, MAX_JSON_DEPTH)) throw new SyntaxError(`it is nested more than ${MAX_JSON_DEPTH} levels deep`);
  // Most texts (every line of a big import, say) hold no escape and neither key: for them the
  // checks below cannot find anything, and a plain parse is the same parse without its cost.
  const escapes = text.includes('\\u');
  if (!escapes && !text.includes('__proto__') && !text.includes('constructor') && text.charCodeAt(0) !== BYTE_ORDER_MARK) return JSON.parse(text);
  const value: unknown = sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  if (escapes && UNSTORABLE_ESCAPE.test(text) && holdsUnstorableText(value)) throw new SyntaxError(UNSTORABLE_MESSAGE);
  return value;
}

const BYTE_ORDER_MARK = 0xfeff;

/** Whether `text` holds fewer than `count` opening brackets, found a few native searches apiece: then it cannot nest that deep. */
function fewerBracketsThan(text: string, count: number): boolean {
  let found = 0;
  for (const bracket of ['{', '[']) {
    for (let at = text.indexOf(bracket); at >= 0; at = text.indexOf(bracket, at + 1)) if (++found >= count) return false;
  }
  return true;
}

export const UNSTORABLE_MESSAGE = 'it contains U+0000 (NUL) or a lone UTF-16 surrogate, which cannot be stored';

/** The JSON escapes that can produce such text (a cheap test before walking the value). */
const UNSTORABLE_ESCAPE = /\\u(0000|[dD][89a-fA-F])/;
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a string, or any key or string inside a parsed JSON value, holds U+0000 or a lone surrogate. */
export function holdsUnstorableText(value: unknown): boolean {
  if (typeof value === 'string') return UNSTORABLE.test(value);
  if (Array.isArray(value)) return value.some(holdsUnstorableText);
  if (typeof value === 'object' && value !== null) return Object.entries(value).some(([key, item]) => UNSTORABLE.test(key) || holdsUnstorableText(item));
  return false;
}

/**
 * The first parameter (path segment, query value, form field) whose value, or with `keys` whose
 * name, holds text no store can keep. Checked on every request, so without making arrays.
 */
export function unstorableField(values: Record<string, unknown>, keys = false): string | undefined {
  for (const name in values) if ((keys && UNSTORABLE.test(name)) || holdsUnstorableText(values[name])) return name;
  return undefined;
}

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Whether brackets outside strings nest deeper than `limit` (one pass, no parsing). */
export function nestedDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}
