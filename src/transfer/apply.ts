// Carrying out an import plan: identity providers, Gateway lists, Access groups (each after the
// groups it names), then policies, each created or updated through the API with its references
// rewritten to the ids the target gave the objects written before it.

import { LIST_ENTRIES_PER_REQUEST, type AccountApi } from './account-api.js';
import { IdMap } from './id-map.js';
import type { ImportPlan, PlannedWrite } from './plan.js';
import { rewriteReferences } from './references.js';
import { isRefusal, remoteFailure, type ApiError } from './api-failures.js';
import { RemoteError } from './remote-error.js';
import type { Problem } from './problems.js';
import { KIND_WORDS, OBJECT_KINDS, type ObjectKind, type WireObject } from './snapshot.js';

export type Action = 'create' | 'update';

export interface WriteOutcome {
  readonly kind: ObjectKind;
  readonly name: string;
  readonly action: Action;
  /** The object's id in the source, when it has one. */
  readonly source_id?: string;
  /** The object's id on the target (absent in a dry run of a create). */
  readonly id?: string;
}

/**
 * The bearer secret the target made for an identity provider's SCIM pushes (SCIM enabled on a
 * create, or for the first time on an update): the API shows it in that one answer only, so the
 * import hands it on to be shown, and it is never stored anywhere else.
 */
export interface ScimSecret {
  readonly name: string;
  readonly id: string;
  readonly secret: string;
  /** Where the directory pushes to, when the target says. */
  readonly scim_base_url?: string;
}

/** Called with each SCIM secret as soon as the target answers with it. */
export type ScimSecretSink = (secret: ScimSecret) => void;

/** Called as objects and users are written: what is being done, how far, out of how many. */
export type ProgressSink = (step: string, done: number, total: number | undefined) => void;

/** Problems with the data: found while planning, or objects the target refused. */
export class TransferProblems extends Error {
  constructor(
    readonly problems: readonly Problem[],
    /**
     * Every object the import wrote, which stays on the target (none when planning found the
     * problems): those before the refused ones and the others of their kind, tried after them.
     */
    readonly written: readonly WriteOutcome[] = [],
    /** What the import did not get to once the target refused an object ("3 policies", "8 users"). */
    readonly notWritten: readonly string[] = [],
    /** The objects the target refused ("1 policy"); a refused object may have several problems. */
    readonly refusedObjects: string | undefined = undefined,
  ) {
    super(`${problems.length} problem(s)`);
    this.name = 'TransferProblems';
  }
}

export const STEP_WORDS: Readonly<Record<ObjectKind, string>> = {
  identity_provider: 'Identity providers',
  list: 'Gateway lists',
  group: 'Access groups',
  policy: 'Policies',
};

/** "1 policy", "3 Access groups", ... */
export function countOf(kind: ObjectKind, n: number): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? KIND_WORDS[kind] : KIND_WORDS[kind].replace(/y$/, 'ie') + 's'}`;
}

function chunked<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Write a Gateway list and its entries, more than one request's worth in several. */
async function writeList(api: AccountApi, write: PlannedWrite, body: WireObject): Promise<string> {
  const [first, ...rest] = chunked(write.object.entries ?? [], LIST_ENTRIES_PER_REQUEST);
  let id: string;
  if (write.targetId === undefined) {
    id = String((await api.create('list', { ...body, items: first ?? [] })).id);
  } else {
    id = write.targetId;
    // An update never sends the type (it cannot change), and replaces the entries only when it sends some.
    const { type: _type, ...fields } = body;
    await api.update('list', id, first === undefined ? fields : { ...fields, items: first });
    if (first === undefined) {
      const stale = (await api.listEntries(id)).map((e) => e.value);
      for (const remove of chunked(stale, LIST_ENTRIES_PER_REQUEST)) await api.editList(id, { remove });
    }
  }
  for (const append of rest) await api.editList(id, { append });
  return id;
}

/** The object's id on the target, and the target's answer (none for a list). */
async function writeObject(api: AccountApi, write: PlannedWrite, body: WireObject): Promise<{ id: string; answer?: WireObject }> {
  const { kind } = write.object;
  if (kind === 'list') return { id: await writeList(api, write, body) };
  if (write.targetId === undefined) {
    const answer = await api.create(kind, body);
    return { id: String(answer.id), answer };
  }
  return { id: write.targetId, answer: await api.update(kind, write.targetId, body) };
}

/** The SCIM secret an identity provider's answer shows (this once), if any. */
function scimSecretOf(name: string, id: string, answer: WireObject | undefined): ScimSecret | undefined {
  const scim = answer?.scim_config as Record<string, unknown> | undefined;
  if (typeof scim?.secret !== 'string' || scim.secret === '') return undefined;
  return { name, id, secret: scim.secret, ...(typeof scim.scim_base_url === 'string' ? { scim_base_url: scim.scim_base_url } : {}) };
}

/** The target's reasons for refusing an object, placed in the object's source. */
function refusalProblems(write: PlannedWrite, err: ApiError): Problem[] {
  const what = `The target refused this ${KIND_WORDS[write.object.kind]}`;
  const errors = (err.errors ?? []) as { code?: unknown; message?: unknown; source?: { pointer?: unknown } }[];
  if (errors.length === 0) return [write.object.locate('', 'refused', `${what}: ${err.message}`)];
  return errors.map((e) => {
    const pointer = typeof e.source?.pointer === 'string' ? e.source.pointer : '';
    const code = e.code !== undefined ? ` (${err.status} error ${String(e.code)})` : ` (${err.status})`;
    return write.object.locate(pointer, 'refused', `${what}: ${typeof e.message === 'string' ? e.message : JSON.stringify(e)}${code}`);
  });
}

export interface Applied {
  readonly outcomes: readonly WriteOutcome[];
  readonly ids: IdMap;
}

/**
 * Write every planned object, kind by kind. Within a kind every object is tried and each refusal
 * reported; a kind with refusals stops the import before the next kind, whose objects may name
 * the refused ones.
 */
export async function applyPlan(api: AccountApi, plan: ImportPlan, onProgress: ProgressSink = () => {}, onScimSecret: ScimSecretSink = () => {}): Promise<Applied> {
  const ids = new IdMap();
  const outcomes: WriteOutcome[] = [];
  for (const kind of OBJECT_KINDS) {
    const writes = plan.writes[kind];
    const refused: Problem[] = [];
    let refusedCount = 0;
    for (const [i, write] of writes.entries()) {
      const { object } = write;
      const body = kind === 'group' || kind === 'policy' ? rewriteReferences(object.body, (k, id) => ids.get(k, id)) : object.body;
      const action: Action = write.targetId === undefined ? 'create' : 'update';
      try {
        const { id, answer } = await writeObject(api, write, body);
        const scimSecret = kind === 'identity_provider' ? scimSecretOf(object.name, id, answer) : undefined;
        if (scimSecret !== undefined) onScimSecret(scimSecret);
        if (object.id !== undefined) ids.set(kind, object.id, id);
        outcomes.push({ kind, name: object.name, action, ...(object.id !== undefined ? { source_id: object.id } : {}), id });
      } catch (err) {
        if (!isRefusal(err)) throw withWrittenSoFar(remoteFailure(err, api.endpoint, `${action === 'create' ? 'creating' : 'updating'} the ${KIND_WORDS[kind]} ${JSON.stringify(object.name)}`), outcomes, action);
        refused.push(...refusalProblems(write, err));
        refusedCount++;
      }
      onProgress(STEP_WORDS[kind], i + 1, writes.length);
    }
    if (refused.length > 0) {
      const later = OBJECT_KINDS.slice(OBJECT_KINDS.indexOf(kind) + 1).filter((k) => plan.writes[k].length > 0);
      throw new TransferProblems(refused, outcomes, later.map((k) => countOf(k, plan.writes[k].length)), countOf(kind, refusedCount));
    }
  }
  return { outcomes, ids };
}

/** What was being written when the API failed: one object, a batch of users, or nothing (a sync's source failed). */
export type Pending = Action | 'users' | 'nothing';

/**
 * A failure of the API (not a refusal) part way: it says what was written before it (objects and
 * users), which stays on the target, and that running the import again picks up from there
 * (objects are matched by name, users by email). A create or a batch of users whose answer was
 * lost may have been made too.
 */
/** "1 Access group, 2 policies" for the objects written, by kind in the order written. */
export function countsByKind(outcomes: readonly WriteOutcome[]): string[] {
  const counts = new Map<ObjectKind, number>();
  for (const o of outcomes) counts.set(o.kind, (counts.get(o.kind) ?? 0) + 1);
  return [...counts].map(([kind, n]) => countOf(kind, n));
}

export function withWrittenSoFar(failure: unknown, outcomes: readonly WriteOutcome[], pending: Pending, users = 0): unknown {
  if (!(failure instanceof RemoteError)) return failure;
  const parts = countsByKind(outcomes);
  if (users > 0) parts.push(`${users.toLocaleString('en-US')} ${users === 1 ? 'user' : 'users'}`);
  const maybe = pending === 'create' ? ' (the one being created may have been made as well)' : pending === 'users' ? ' (the batch of users being sent may have been imported as well)' : '';
  const line = parts.length === 0 ? `Nothing was written before it${maybe}.` : `Written before it, and kept on the target: ${parts.join(', ')}${maybe}.`;
  return new RemoteError([...failure.lines, `${line} Running the import again updates by name what is there and writes the rest.`]);
}

/** What a dry run reports: the plan's writes, without target ids for creates. */
export function plannedOutcomes(plan: ImportPlan): WriteOutcome[] {
  return OBJECT_KINDS.flatMap((kind) =>
    plan.writes[kind].map(({ object, targetId }) => ({
      kind,
      name: object.name,
      action: targetId === undefined ? ('create' as const) : ('update' as const),
      ...(object.id !== undefined ? { source_id: object.id } : {}),
      ...(targetId !== undefined ? { id: targetId } : {}),
    })),
  );
}

/**
 * The target ids the import would give the identity providers of the plan, for rewriting the
 * users' identities in a dry run: an IdP matched by name keeps its id; one to be created gets an
 * id no stored identity can name yet, which no id can be (it holds a NUL).
 */
export function plannedIdpIds(plan: ImportPlan): IdMap {
  const ids = new IdMap();
  for (const { object, targetId } of plan.writes.identity_provider) {
    if (object.id !== undefined) ids.set('identity_provider', object.id, targetId ?? `\u0000to be created: ${object.id}`);
  }
  return ids;
}
