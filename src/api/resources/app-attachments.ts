// The policies of an Access application: links to reusable policies (kept in the application's
// body, with their precedence, and recorded as references so a linked policy cannot be
// deleted) and application-scoped policies (records of kind app_policy whose parent is the
// application, each with its own precedence). Precedence is unique within an application.

import { parsePolicy, type Issue, type Policy } from '../../engine/index.js';
import type { ResourceRecord, ResourceRef, StoreReader, StoreWriter } from '../../store/store.js';
import { validationError, type RequestIssue } from '../errors.js';
import { newId, timestamps } from './common.js';
import { POLICY_DEFAULTS } from './policies.js';
import { checkPolicyInput } from './policy-input.js';

export interface PolicyLink {
  readonly id: string;
  readonly precedence: number;
}

export interface AttachedPolicy {
  readonly record: ResourceRecord;
  readonly precedence: number;
  readonly reusable: boolean;
}

/** A precedence someone asked for that is not a whole number from 1: the issue to report. */
export function precedenceIssue(value: unknown, pointer: string): RequestIssue | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) return { code: 'invalid_type', pointer, message: `A precedence is a whole number, got ${JSON.stringify(value)}.` };
  if (value < 1) return { code: 'min_value', pointer, message: `A precedence starts at 1, got ${value}.` };
  return undefined;
}

export function appLinks(app: ResourceRecord): PolicyLink[] {
  const links = app.body.policies;
  return Array.isArray(links) ? (links as PolicyLink[]) : [];
}

/** Every policy of an application, by precedence. */
export async function attachedPolicies(store: StoreReader, accountId: string, app: ResourceRecord, reusableById?: ReadonlyMap<string, ResourceRecord>): Promise<AttachedPolicy[]> {
  const links = appLinks(app);
  // A page of applications reads the reusable policies they link once for all (reusableById).
  const byId = reusableById ?? new Map((await store.getResources(accountId, 'policy', links.map((l) => l.id))).map((r) => [r.id, r]));
  const scoped = await store.allResources(accountId, 'app_policy', { parentId: app.id });
  const attached: AttachedPolicy[] = [
    ...links.flatMap((l) => {
      const record = byId.get(l.id);
      return record === undefined ? [] : [{ record, precedence: l.precedence, reusable: true }];
    }),
    ...scoped.map((record) => ({ record, precedence: Number(record.body.precedence), reusable: false })),
  ];
  return attached.sort((a, b) => a.precedence - b.precedence);
}

/** An attached policy as the application endpoints answer it. */
export function attachedResult(a: AttachedPolicy): Record<string, unknown> {
  return { id: a.record.id, ...POLICY_DEFAULTS, ...a.record.body, precedence: a.precedence, reusable: a.reusable, ...timestamps(a.record) };
}

/** Parse an attached policy for evaluation (stored policies were validated on write). */
export function attachedPolicy(a: AttachedPolicy): Policy | undefined {
  const parsed = parsePolicy(a.record.body, { id: a.record.id, extraFields: ['precedence'] });
  return parsed.ok ? parsed.value : undefined;
}

const isInlinePolicy = (entry: Record<string, unknown>): boolean => 'decision' in entry || 'include' in entry || 'name' in entry;

interface ScopedWrite {
  readonly id: string;
  readonly precedence: number;
  /** The validated policy body, for inline policies; undefined to only move an existing one. */
  readonly body?: Record<string, unknown>;
  readonly refs?: readonly ResourceRef[];
  readonly name?: string;
}

/**
 * Apply an application's `policies` entries: resolve links, validate inline policies, check
 * precedence, and write application-scoped policies. Returns the links to keep in the body.
 * Application-scoped policies the entries do not mention are kept where they are.
 */
export async function applyPolicyEntries(tx: StoreWriter, accountId: string, appId: string, entries: readonly unknown[], isNew: boolean): Promise<PolicyLink[]> {
  const existingScoped = isNew ? [] : await tx.allResources(accountId, 'app_policy', { parentId: appId });
  const scopedIds = new Set(existingScoped.map((r) => r.id));
  const issues: (RequestIssue | Issue)[] = [];
  const links: PolicyLink[] = [];
  const writes: ScopedWrite[] = [];
  const mentioned = new Map<string, number>();

  // Cloudflare keeps reusable and inline policies mutually exclusive within one request.
  const firstInline = entries.findIndex((e) => typeof e === 'object' && e !== null && isInlinePolicy(e as Record<string, unknown>));
  const linkedId = (e: unknown): string | undefined =>
    typeof e === 'string' ? e : typeof e === 'object' && e !== null && !isInlinePolicy(e as Record<string, unknown>) && typeof (e as { id?: unknown }).id === 'string' ? (e as { id: string }).id : undefined;
  // A link to one of this application's own policies only orders it: not a reusable policy.
  const firstLink = entries.findIndex((e) => {
    const id = linkedId(e);
    return id !== undefined && !scopedIds.has(id);
  });
  if (firstInline >= 0 && firstLink >= 0) {
    throw validationError([
      {
        code: 'mixed_policy_kinds',
        pointer: `/policies/${Math.max(firstInline, firstLink)}`,
        message: `Reusable and inline policies are mutually exclusive: this request has reusable policies (entry ${firstLink}) and inline policies (entry ${firstInline}). Link reusable policies here and add application-scoped ones through .../apps/{app_id}/policies, or make them reusable.`,
      },
    ]);
  }

  for (const [i, entry] of entries.entries()) {
    const at = `/policies/${i}`;
    const object = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : undefined;
    const precedence = typeof object?.precedence === 'number' ? object.precedence : i + 1;
    const badPrecedence = precedenceIssue(object?.precedence, `${at}/precedence`);
    if (badPrecedence !== undefined) issues.push(badPrecedence);
    const id = typeof entry === 'string' ? entry : typeof object?.id === 'string' ? object.id : undefined;
    if (id !== undefined) {
      if (mentioned.has(id)) issues.push({ code: 'duplicate_entry', pointer: at, message: `Policy ${JSON.stringify(id)} is listed twice (entries ${mentioned.get(id)} and ${i}).` });
      mentioned.set(id, i);
    }
    if (object !== undefined && isInlinePolicy(object)) {
      if (id !== undefined && !scopedIds.has(id)) {
        issues.push({ code: 'unknown_policy', pointer: `${at}/id`, message: `Policy ${JSON.stringify(id)} is not a policy of this application; leave "id" out to create one.` });
        continue;
      }
      const checked = await checkPolicyInput(tx, accountId, object, { pointer: at, extraFields: ['precedence', 'id', 'account_id'] });
      if (!checked.ok) issues.push(...checked.issues);
      else writes.push({ id: id ?? newId(), precedence, body: checked.value.body, refs: checked.value.refs, name: checked.value.policy.name });
      continue;
    }
    if (id === undefined) {
      issues.push({ code: 'required', pointer: `${at}/id`, message: 'A policy link needs the "id" of a reusable policy (or give a whole policy to create one for this application).' });
    } else if (scopedIds.has(id)) {
      writes.push({ id, precedence });
    } else if ((await tx.getResource(accountId, 'policy', id)) !== undefined) {
      links.push({ id, precedence });
    } else {
      issues.push({ code: 'unknown_policy', pointer: typeof entry === 'string' ? at : `${at}/id`, message: `Policy ${JSON.stringify(id)} does not exist in this account.` });
    }
  }

  // Precedence is unique among everything the application will have.
  const kept = existingScoped.filter((r) => !writes.some((w) => w.id === r.id)).map((r) => ({ id: r.id, precedence: Number(r.body.precedence), entry: -1 }));
  const planned = [
    ...kept,
    ...links.map((l) => ({ ...l, entry: mentioned.get(l.id) ?? -1 })),
    ...writes.map((w) => ({ id: w.id, precedence: w.precedence, entry: mentioned.get(w.id) ?? entries.length })),
  ];
  const byPrecedence = new Map<number, (typeof planned)[number]>();
  for (const p of planned) {
    const other = byPrecedence.get(p.precedence);
    if (other !== undefined) {
      issues.push({
        code: 'duplicate_entry',
        pointer: p.entry >= 0 && p.entry < entries.length ? `/policies/${p.entry}/precedence` : '/policies',
        message: `Precedence ${p.precedence} is taken twice in this application (policies ${JSON.stringify(other.id)} and ${JSON.stringify(p.id)}); each policy needs its own.`,
      });
    } else byPrecedence.set(p.precedence, p);
  }
  if (issues.length > 0) throw validationError(issues);

  for (const w of writes) {
    const current = existingScoped.find((r) => r.id === w.id);
    if (current === undefined) {
      await tx.insertResource(
        { accountId, kind: 'app_policy', id: w.id, parentId: appId, name: w.name!, body: { ...w.body, precedence: w.precedence }, secretHash: null, createdAt: new Date().toISOString() },
        w.refs ?? [],
      );
    } else if (w.body !== undefined) {
      await tx.updateResource(accountId, 'app_policy', w.id, { name: w.name!, body: { ...w.body, precedence: w.precedence } }, w.refs ?? []);
    } else if (Number(current.body.precedence) !== w.precedence) {
      await tx.updateResource(accountId, 'app_policy', w.id, { name: current.name, body: { ...current.body, precedence: w.precedence } });
    }
  }
  return links.sort((a, b) => a.precedence - b.precedence);
}

/** The next free precedence of an application (after its highest). */
export async function nextPrecedence(store: StoreReader, accountId: string, app: ResourceRecord): Promise<number> {
  const attached = await attachedPolicies(store, accountId, app);
  return attached.reduce((max, a) => Math.max(max, a.precedence), 0) + 1;
}
