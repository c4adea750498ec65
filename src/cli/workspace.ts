// Offline workspaces: policies, Access groups, Gateway lists and users read from files and
// turned into what the engine needs. Every problem is reported with its file and JSON pointer
// (or line), never as a stack trace.

import { readFileSync } from 'node:fs';
import {
  buildListIndex,
  checkReferences,
  parseGroup,
  parsePolicy,
  type EvalEnv,
  type Group,
  type Identity,
  type ListIndex,
  type Policy,
} from '../engine/index.js';

export interface FileProblem {
  readonly file: string;
  /** JSON pointer, or "line N" for NDJSON. */
  readonly at: string;
  readonly code: string;
  readonly message: string;
}

export class WorkspaceError extends Error {
  constructor(readonly problems: FileProblem[]) {
    super(problems.map((p) => `${p.file}${p.at ? ` ${p.at}` : ''}: ${p.message} [${p.code}]`).join('\n'));
  }
}

export interface WorkspaceUser {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly identity: Identity;
}

export interface Workspace {
  readonly policies: Policy[];
  readonly groups: Map<string, Group>;
  readonly lists: Map<string, ListIndex>;
  readonly users: WorkspaceUser[];
  readonly env: EvalEnv;
}

function readJson(file: string, problems: FileProblem[]): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push({ file, at: '', code: 'file_unreadable', message: (err as Error).message });
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    problems.push({ file, at: '', code: 'invalid_json', message: `Not valid JSON: ${(err as Error).message}` });
    return undefined;
  }
}

function asArray(value: unknown, file: string, what: string, problems: FileProblem[]): unknown[] {
  if (Array.isArray(value)) return value;
  problems.push({ file, at: '', code: 'invalid_type', message: `Expected a JSON array of ${what}.` });
  return [];
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function readUsers(file: string, problems: FileProblem[]): WorkspaceUser[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push({ file, at: '', code: 'file_unreadable', message: (err as Error).message });
    return [];
  }
  const entries: { at: string; value: unknown }[] = [];
  if (text.trimStart().startsWith('[')) {
    const parsed = readJson(file, problems);
    asArray(parsed, file, 'users', problems).forEach((value, i) => entries.push({ at: `/${i}`, value }));
  } else {
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        entries.push({ at: `line ${i + 1}`, value: JSON.parse(line) });
      } catch (err) {
        problems.push({ file, at: `line ${i + 1}`, code: 'invalid_json', message: `Not valid JSON: ${(err as Error).message}` });
      }
    });
  }
  const users: WorkspaceUser[] = [];
  for (const { at, value } of entries) {
    if (!isObject(value) || typeof value.email !== 'string' || value.email === '') {
      problems.push({ file, at, code: 'invalid_user', message: 'Each user needs an "email" string.' });
      continue;
    }
    const identity = isObject(value.identity) ? (value.identity as Identity) : { email: value.email };
    users.push({
      id: typeof value.id === 'string' ? value.id : value.email,
      email: value.email,
      name: typeof value.name === 'string' ? value.name : '',
      identity,
    });
  }
  return users;
}

export interface WorkspaceFiles {
  readonly policies: string;
  readonly users: string;
  readonly groups?: string;
  readonly lists?: string;
}

/** Load and validate every file; throws WorkspaceError listing every problem found. */
export function loadWorkspace(files: WorkspaceFiles): Workspace {
  const problems: FileProblem[] = [];
  const groups = new Map<string, Group>();
  if (files.groups !== undefined) {
    asArray(readJson(files.groups, problems), files.groups, 'groups', problems).forEach((g, i) => {
      const id = isObject(g) && typeof g.id === 'string' ? g.id : `group-${i}`;
      const r = parseGroup(g, { id, pointer: `/${i}` });
      if (r.ok) groups.set(id, r.value);
      else for (const issue of r.issues) problems.push({ file: files.groups!, at: issue.pointer, code: issue.code, message: issue.message });
    });
  }
  const lists = new Map<string, ListIndex>();
  if (files.lists !== undefined) {
    asArray(readJson(files.lists, problems), files.lists, 'lists', problems).forEach((l, i) => {
      if (!isObject(l) || typeof l.id !== 'string' || typeof l.type !== 'string' || !Array.isArray(l.items)) {
        problems.push({ file: files.lists!, at: `/${i}`, code: 'invalid_list', message: 'Each list needs "id", "type" and an "items" array.' });
        return;
      }
      const values = l.items.map((item) => (isObject(item) ? item.value : item)).filter((v): v is string => typeof v === 'string');
      lists.set(l.id, buildListIndex(l.id, l.type, values));
    });
  }
  const policies: Policy[] = [];
  asArray(readJson(files.policies, problems), files.policies, 'policies', problems).forEach((p, i) => {
    const id = isObject(p) && typeof p.id === 'string' ? p.id : undefined;
    const r = parsePolicy(p, { pointer: `/${i}`, ...(id !== undefined ? { id } : {}) });
    if (!r.ok) {
      for (const issue of r.issues) problems.push({ file: files.policies, at: issue.pointer, code: issue.code, message: issue.message });
      return;
    }
    const refs = checkReferences(r.value, {
      group: (gid) => groups.get(gid),
      ...(files.lists !== undefined ? { listType: (lid: string) => lists.get(lid)?.type } : {}),
    }, { pointer: `/${i}`, decision: r.value.decision });
    for (const issue of refs) problems.push({ file: files.policies, at: issue.pointer, code: issue.code, message: issue.message });
    policies.push(r.value);
  });
  const users = readUsers(files.users, problems);
  if (problems.length > 0) throw new WorkspaceError(problems);
  const env: EvalEnv = { group: (id) => groups.get(id), list: (id) => lists.get(id) };
  return { policies, groups, lists, users, env };
}
