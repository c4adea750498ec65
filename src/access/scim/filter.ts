// SCIM filters (RFC 7644 §3.4.2.2): parsed here into a tree, checked against the resource
// type's schema (an unknown attribute, or an order comparison of booleans, is an invalidFilter
// error like bad syntax), and evaluated on resources as answers present them, with each
// attribute's case rule (userName and emails match case-insensitively, externalId and id do
// not). Also `attr[filter].sub op value` (emails[type eq "work"].value eq "..."), which some
// clients send: it means one element of attr matching both.

import { holdsUnstorableText } from '../../api/untrusted-json.js';
import { badRequest, type ScimError } from './errors.js';
import { isObject } from '../../engine/is-object.js';

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type Literal = string | number | boolean | null;

/** An attribute path: an optional schema URN and one or two names (`emails.value`). */
export interface AttrPath {
  readonly urn: string | undefined;
  readonly names: readonly string[];
}

export type FilterNode =
  | { readonly type: 'and' | 'or'; readonly left: FilterNode; readonly right: FilterNode }
  | { readonly type: 'not'; readonly operand: FilterNode }
  | { readonly type: 'compare'; readonly path: AttrPath; readonly op: CompareOp; readonly value: Literal }
  | { readonly type: 'present'; readonly path: AttrPath }
  /** Some element of a multi-valued attribute matches `filter` (paths in it are relative to the element). */
  | { readonly type: 'valuePath'; readonly path: AttrPath; readonly filter: FilterNode };

/** Longest filter accepted, and deepest nesting of parentheses. */
export const MAX_FILTER_LENGTH = 4096;
const MAX_DEPTH = 32;

const COMPARE_OPS = new Set<string>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
const NAME = /^[A-Za-z$][A-Za-z0-9_$-]*$/;

type Token =
  | { readonly kind: 'word'; readonly text: string; readonly at: number }
  | { readonly kind: 'string'; readonly value: string; readonly at: number }
  | { readonly kind: 'number'; readonly value: number; readonly at: number }
  | { readonly kind: '(' | ')' | '[' | ']' | '.'; readonly at: number };

const invalid = (message: string): ScimError => badRequest('invalidFilter', message);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '(' || c === ')' || c === '[' || c === ']' || c === '.') {
      tokens.push({ kind: c, at: i });
      i++;
    } else if (c === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (end >= text.length) throw invalid(`The string starting at position ${i + 1} is not closed with a double quote.`);
      let value: string;
      try {
        value = JSON.parse(text.slice(i, end + 1)) as string;
      } catch {
        throw invalid(`The string starting at position ${i + 1} is not a valid JSON string.`);
      }
      if (holdsUnstorableText(value)) throw invalid(`The string starting at position ${i + 1} holds U+0000 or a lone surrogate, which no stored value holds.`);
      tokens.push({ kind: 'string', value, at: i });
      i = end + 1;
    } else if (/[-0-9]/.test(c)) {
      const match = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/.exec(text.slice(i));
      if (match === null) throw invalid(`Unexpected ${JSON.stringify(c)} at position ${i + 1}.`);
      tokens.push({ kind: 'number', value: Number(match[0]), at: i });
      i += match[0].length;
    } else if (/[A-Za-z$]/.test(c)) {
      const match = /^[A-Za-z$][A-Za-z0-9_$:.-]*/.exec(text.slice(i))!;
      // A dot that ends the word belongs to what follows (a `].sub` after a value path never starts one).
      const word = match[0].replace(/\.+$/, '');
      tokens.push({ kind: 'word', text: word, at: i });
      i += word.length;
    } else {
      throw invalid(`Unexpected ${JSON.stringify(c)} at position ${i + 1}.`);
    }
  }
  return tokens;
}

function parsePath(text: string, at: number): AttrPath {
  let urn: string | undefined;
  let rest = text;
  if (/^urn:/i.test(text)) {
    const colon = text.lastIndexOf(':');
    urn = text.slice(0, colon);
    rest = text.slice(colon + 1);
  }
  const names = rest.split('.');
  if (names.length > 2 || !names.every((n) => NAME.test(n))) throw invalid(`${JSON.stringify(text)} at position ${at + 1} is not an attribute path.`);
  return { urn, names };
}

class Parser {
  private i = 0;
  private depth = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  parse(): FilterNode {
    if (this.tokens.length === 0) throw invalid('The filter is empty.');
    const node = this.or(false);
    const extra = this.tokens[this.i];
    if (extra !== undefined) throw invalid(`Unexpected ${describe(extra)} at position ${extra.at + 1}: an operator ("and", "or") or the end was expected.`);
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private keyword(): string | undefined {
    const t = this.peek();
    return t?.kind === 'word' ? t.text.toLowerCase() : undefined;
  }

  private or(inValue: boolean): FilterNode {
    let left = this.and(inValue);
    while (this.keyword() === 'or') {
      this.i++;
      left = { type: 'or', left, right: this.and(inValue) };
    }
    return left;
  }

  private and(inValue: boolean): FilterNode {
    let left = this.unary(inValue);
    while (this.keyword() === 'and') {
      this.i++;
      left = { type: 'and', left, right: this.unary(inValue) };
    }
    return left;
  }

  private unary(inValue: boolean): FilterNode {
    const t = this.peek();
    if (t === undefined) throw invalid('The filter ends where an expression was expected.');
    if (this.keyword() === 'not') {
      this.i++;
      if (this.peek()?.kind !== '(') throw invalid(`"not" at position ${t.at + 1} must be followed by a parenthesized filter.`);
      return { type: 'not', operand: this.group(inValue) };
    }
    if (t.kind === '(') return this.group(inValue);
    return this.attributeExpression(inValue);
  }

  private group(inValue: boolean): FilterNode {
    const open = this.tokens[this.i++]!;
    if (++this.depth > MAX_DEPTH) throw invalid(`Parentheses nest deeper than ${MAX_DEPTH}.`);
    const inner = this.or(inValue);
    if (this.peek()?.kind !== ')') throw invalid(`The parenthesis at position ${open.at + 1} is not closed.`);
    this.i++;
    this.depth--;
    return inner;
  }

  private attributeExpression(inValue: boolean): FilterNode {
    const t = this.tokens[this.i++]!;
    if (t.kind !== 'word' || ['and', 'or', 'not'].includes(t.text.toLowerCase())) throw invalid(`Unexpected ${describe(t)} at position ${t.at + 1}: an attribute was expected.`);
    const path = parsePath(t.text, t.at);
    const next = this.peek();
    if (next?.kind === '[') {
      if (inValue) throw invalid(`A value filter at position ${next.at + 1} is inside another one.`);
      if (path.names.length > 1) throw invalid(`A value filter at position ${next.at + 1} follows a sub-attribute.`);
      this.i++;
      const inner = this.or(true);
      if (this.peek()?.kind !== ']') throw invalid(`The bracket at position ${next.at + 1} is not closed.`);
      this.i++;
      if (this.peek()?.kind !== '.') return { type: 'valuePath', path, filter: inner };
      // attr[filter].sub op value: one element matching both.
      this.i++;
      const sub = this.attributeExpression(true);
      if (sub.type !== 'compare' && sub.type !== 'present') throw invalid(`A sub-attribute comparison was expected after "]." at position ${next.at + 1}.`);
      if (sub.path.names.length !== 1 || sub.path.urn !== undefined) throw invalid(`After "]." comes one sub-attribute name (position ${next.at + 1}).`);
      return { type: 'valuePath', path, filter: { type: 'and', left: inner, right: sub } };
    }
    const op = this.keyword();
    if (next === undefined || op === undefined) throw invalid(`An operator was expected after ${JSON.stringify(t.text)} at position ${t.at + 1}.`);
    this.i++;
    if (op === 'pr') return { type: 'present', path };
    if (!COMPARE_OPS.has(op)) throw invalid(`${JSON.stringify((next as { text: string }).text)} at position ${next.at + 1} is not an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr).`);
    return { type: 'compare', path, op: op as CompareOp, value: this.literal(op, next.at) };
  }

  private literal(op: string, opAt: number): Literal {
    const v = this.tokens[this.i++];
    if (v === undefined) throw invalid(`"${op}" at position ${opAt + 1} needs a value.`);
    if (v.kind === 'string' || v.kind === 'number') return v.value;
    if (v.kind === 'word') {
      const word = v.text.toLowerCase();
      if (word === 'true') return true;
      if (word === 'false') return false;
      if (word === 'null') return null;
    }
    throw invalid(`${describe(v)} at position ${v.at + 1} is not a value: a quoted string, a number, true, false or null was expected.`);
  }
}

function describe(t: Token): string {
  if (t.kind === 'word') return JSON.stringify(t.text);
  if (t.kind === 'string') return `the string ${JSON.stringify(t.value)}`;
  if (t.kind === 'number') return `the number ${t.value}`;
  return `"${t.kind}"`;
}

/** Parse a filter; a ScimError (400 invalidFilter) says what is wrong and where. */
export function parseFilter(text: string): FilterNode {
  if (text.length > MAX_FILTER_LENGTH) throw invalid(`The filter is longer than ${MAX_FILTER_LENGTH} characters.`);
  return new Parser(tokenize(text)).parse();
}

/** What a filter needs to know of an attribute. */
export interface AttributeInfo {
  readonly type: string;
  readonly caseExact: boolean;
  readonly multiValued: boolean;
}

/** An attribute by its full name ("emails.value", "urn:...:User:department"), or undefined when the schema has none. */
export type AttributeLookup = (name: string) => AttributeInfo | undefined;

const fullName = (path: AttrPath, prefix: string | undefined): string => {
  const names = path.names.join('.');
  const relative = prefix === undefined ? names : `${prefix}.${names}`;
  return path.urn === undefined ? relative : `${path.urn}:${relative}`;
};

function field(holder: Record<string, unknown>, name: string): unknown {
  if (name in holder) return holder[name];
  const lower = name.toLowerCase();
  const key = Object.keys(holder).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : holder[key];
}

/** The values at a path in `root` (arrays flattened; a complex value compares by its `value`). */
function valuesAt(root: Record<string, unknown>, path: AttrPath, coreSchema: string): unknown[] {
  let holder: unknown = root;
  if (path.urn !== undefined && path.urn.toLowerCase() !== coreSchema.toLowerCase()) holder = field(root, path.urn);
  let current: unknown[] = [holder];
  for (const name of path.names) {
    current = current.flatMap((v) => (Array.isArray(v) ? v : [v])).filter(isObject).map((o) => field(o, name));
  }
  return current.flatMap((v) => (Array.isArray(v) ? v : [v])).map((v) => (isObject(v) && 'value' in v ? v.value : v)).filter((v) => v !== undefined);
}

type Predicate = (resource: Record<string, unknown>) => boolean;

function compareOne(actual: unknown, op: CompareOp, expected: Literal, info: AttributeInfo): boolean {
  if (expected === null) return op === 'eq' ? actual === null : op === 'ne' ? actual !== null : false;
  if (info.type === 'dateTime' && typeof actual === 'string' && typeof expected === 'string') {
    const a = Date.parse(actual);
    const e = Date.parse(expected);
    if (Number.isNaN(a) || Number.isNaN(e)) return false;
    return ordered(a, e, op);
  }
  if (typeof actual === 'string' && typeof expected === 'string') {
    const a = info.caseExact ? actual : actual.toLowerCase();
    const e = info.caseExact ? expected : expected.toLowerCase();
    if (op === 'co') return a.includes(e);
    if (op === 'sw') return a.startsWith(e);
    if (op === 'ew') return a.endsWith(e);
    return ordered(a, e, op);
  }
  if (typeof actual === 'number' && typeof expected === 'number') return ordered(actual, expected, op);
  if (typeof actual === 'boolean' && typeof expected === 'boolean') return op === 'eq' ? actual === expected : op === 'ne' ? actual !== expected : false;
  return op === 'ne';
}

function ordered<T extends string | number>(a: T, e: T, op: CompareOp): boolean {
  switch (op) {
    case 'eq':
      return a === e;
    case 'ne':
      return a !== e;
    case 'gt':
      return a > e;
    case 'ge':
      return a >= e;
    case 'lt':
      return a < e;
    case 'le':
      return a <= e;
    default:
      return false;
  }
}

/**
 * A predicate for a parsed filter over resources of the type whose core schema is `coreSchema`
 * and whose attributes `lookup` knows; throws a ScimError (400 invalidFilter) for an attribute
 * the type does not have or a comparison it cannot make.
 */
export function compileFilter(node: FilterNode, lookup: AttributeLookup, coreSchema: string, prefix?: string): Predicate {
  switch (node.type) {
    case 'and': {
      const left = compileFilter(node.left, lookup, coreSchema, prefix);
      const right = compileFilter(node.right, lookup, coreSchema, prefix);
      return (r) => left(r) && right(r);
    }
    case 'or': {
      const left = compileFilter(node.left, lookup, coreSchema, prefix);
      const right = compileFilter(node.right, lookup, coreSchema, prefix);
      return (r) => left(r) || right(r);
    }
    case 'not': {
      const operand = compileFilter(node.operand, lookup, coreSchema, prefix);
      return (r) => !operand(r);
    }
    case 'present': {
      known(node.path, lookup, prefix);
      return (r) => valuesAt(r, node.path, coreSchema).some((v) => v !== null && v !== '' && !(isObject(v) && Object.keys(v).length === 0));
    }
    case 'compare': {
      const info = known(node.path, lookup, prefix);
      const { op, value } = node;
      if (info.type === 'boolean' && !['eq', 'ne'].includes(op)) throw invalid(`${fullName(node.path, prefix)} is a boolean: only eq and ne compare it.`);
      if (['co', 'sw', 'ew'].includes(op) && typeof value !== 'string') throw invalid(`"${op}" compares with a string, not ${JSON.stringify(value)}.`);
      if (info.type === 'binary') throw invalid(`${fullName(node.path, prefix)} is binary: it cannot be compared.`);
      // A multi-valued attribute matches when any of its values does; "ne" when none equals.
      if (op === 'ne') return (r) => !valuesAt(r, node.path, coreSchema).some((v) => compareOne(v, 'eq', value, info));
      return (r) => valuesAt(r, node.path, coreSchema).some((v) => compareOne(v, op, value, info));
    }
    case 'valuePath': {
      const info = known(node.path, lookup, prefix);
      if (info.type !== 'complex') throw invalid(`${fullName(node.path, prefix)} has no sub-attributes to filter on.`);
      const inner = compileFilter(node.filter, lookup, coreSchema, fullName(node.path, prefix));
      return (r) => {
        let holder: unknown = r;
        if (node.path.urn !== undefined && node.path.urn.toLowerCase() !== coreSchema.toLowerCase()) holder = isObject(r) ? field(r, node.path.urn) : undefined;
        const value = isObject(holder) ? field(holder, node.path.names[0]!) : undefined;
        const elements = (Array.isArray(value) ? value : [value]).filter(isObject);
        return elements.some((e) => inner(e));
      };
    }
  }
}

function known(path: AttrPath, lookup: AttributeLookup, prefix: string | undefined): AttributeInfo {
  const name = fullName(path, prefix);
  const info = lookup(name);
  if (info === undefined) throw invalid(`${JSON.stringify(name)} is not an attribute of this resource type.`);
  return info;
}

/** The value of a filter that is exactly `<attribute> eq "<string>"` (answered from an index), else undefined. */
export function equalityOn(node: FilterNode, attribute: string, coreSchema: string): string | undefined {
  if (node.type !== 'compare' || node.op !== 'eq' || typeof node.value !== 'string') return undefined;
  if (node.path.urn !== undefined && node.path.urn.toLowerCase() !== coreSchema.toLowerCase()) return undefined;
  return node.path.names.length === 1 && node.path.names[0]!.toLowerCase() === attribute.toLowerCase() ? node.value : undefined;
}
