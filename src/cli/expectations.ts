// Golden expectations (docs/cli.md "Expectations"): a YAML or JSON file of cases
// {user, expect, policies?, note?}, read with the `yaml` parser so that every problem names
// its line. This is how a team pins "alice must keep access".

import { LineCounter, parseDocument } from 'yaml';
import { isValidEmail } from '../engine/index.js';
import { STATUSES, type Status } from './evaluation.js';
import { readText, locatePointer, type LocatedDocument } from './json-source.js';
import type { Problems } from '../transfer/problems.js';
import { isObject } from './shapes.js';

export interface ExpectationCase {
  /** Pointer of the case in the file, e.g. "/cases/2". */
  readonly pointer: string;
  readonly line?: number;
  readonly user: string;
  readonly expect: Status;
  /** Names or ids of the policies to use, a subset of the policies file; all when absent. */
  readonly policies?: readonly string[];
  readonly note?: string;
}

export interface Expectations {
  readonly file: string;
  readonly cases: ExpectationCase[];
  /** Place a pointer of this file on a line. */
  readonly problem: (pointer: string, code: string, message: string) => { file: string; code: string; message: string; pointer: string; line?: number; column?: number };
}

const CASE_FIELDS = new Set(['user', 'expect', 'policies', 'note']);

export function loadExpectations(file: string, problems: Problems): Expectations | undefined {
  const text = readText(file, problems);
  if (text === undefined) return undefined;
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length > 0) {
    for (const err of doc.errors) {
      const pos = err.linePos?.[0];
      problems.add({ file, code: 'invalid_yaml', message: `Not valid YAML: ${err.message.split('\n')[0]}`, ...(pos !== undefined ? { line: pos.line, column: pos.col } : {}) });
    }
    return undefined;
  }
  const located: LocatedDocument = { doc, lines };
  const problem = (pointer: string, code: string, message: string) => ({ file, code, message, pointer, ...locatePointer(located, pointer) });
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (err) {
    // The yaml library's guard against aliases that expand without end ("billion laughs").
    problems.add({ file, code: 'invalid_yaml', message: `Not valid YAML: ${(err as Error).message}.` });
    return undefined;
  }
  let list: unknown[];
  let base: string;
  if (Array.isArray(value)) [list, base] = [value, ''];
  else if (isObject(value) && Array.isArray(value.cases)) [list, base] = [value.cases, '/cases'];
  else {
    problems.add(problem('', 'invalid_shape', 'Expected a list of cases, or an object with a "cases" list.'));
    return undefined;
  }
  const cases: ExpectationCase[] = [];
  list.forEach((raw, i) => {
    const at = `${base}/${i}`;
    const bad = (pointer: string, message: string) => problems.add(problem(at + pointer, 'invalid_expectation', message));
    if (!isObject(raw)) {
      bad('', 'Each case must be an object with "user" and "expect".');
      return;
    }
    let ok = true;
    const fail = (pointer: string, message: string) => {
      ok = false;
      bad(pointer, message);
    };
    for (const key of Object.keys(raw)) if (!CASE_FIELDS.has(key)) fail(`/${key}`, `Unknown field ${JSON.stringify(key)}; a case has user, expect, policies and note.`);
    const { user, expect, policies, note } = raw;
    if (typeof user !== 'string' || !isValidEmail(user)) fail('/user', user === undefined ? 'The case has no "user" (an email).' : `"user" must be an email address, got ${JSON.stringify(user)}.`);
    if (expect === undefined) fail('/expect', `The case has no "expect" (${STATUSES.join(', ')}).`);
    else if (typeof expect !== 'string' || !(STATUSES as readonly string[]).includes(expect)) {
      fail('/expect', `"expect" must be one of ${STATUSES.join(', ')}, got ${JSON.stringify(expect)}.`);
    }
    if (policies !== undefined && (!Array.isArray(policies) || policies.length === 0 || !policies.every((p) => typeof p === 'string' && p !== ''))) {
      fail('/policies', '"policies" must be a non-empty list of policy names or ids.');
    }
    if (note !== undefined && typeof note !== 'string') fail('/note', '"note" must be a string.');
    if (!ok) return;
    const position = locatePointer(located, at);
    cases.push({
      pointer: at,
      ...(position !== undefined ? { line: position.line } : {}),
      user: user as string,
      expect: expect as Status,
      ...(policies !== undefined ? { policies: policies as string[] } : {}),
      ...(typeof note === 'string' ? { note } : {}),
    });
  });
  return { file, cases, problem };
}
