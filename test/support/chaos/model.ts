// What the clients of a chaos run know about the store: for every object they wrote (a policy,
// group, list or user), the history of writes sent to it, each acknowledged (a 2xx answer
// arrived) or ambiguous (the connection broke: it may or may not have happened). From that
// history follow the states the object may be in afterwards (see allowedStates).

import { isDeepStrictEqual } from 'node:util';
import { performance } from 'node:perf_hooks';

export type ObjectKind = 'policy' | 'group' | 'list' | 'user';

/** An object's observable content (see state.ts); null = the object does not exist. */
export type State = Readonly<Record<string, unknown>> | null;

/** An object owned by no client: several clients write it concurrently (contested policies). */
export const SHARED = -1;

export interface Write {
  readonly op: number;
  readonly state: State;
  readonly sentAt: number;
  /**
   * When the answer arrived; for an ambiguous write, the latest moment it could still take
   * effect (Infinity when unknown).
   */
  readonly ackedAt: number;
  readonly acked: boolean;
  /** The whole object as the acknowledging answer showed it, when the answer carries it. */
  readonly echo?: unknown;
}

export interface TrackedObject {
  readonly key: string;
  readonly kind: ObjectKind;
  /** The id the API knows it by (a user's is learned lazily). */
  id: string | undefined;
  readonly owner: number;
  /** The state verified at the start of this phase (null: did not exist). */
  baseline: { readonly state: State; readonly echo?: unknown };
  writes: Write[];
  /** A write of this phase was ambiguous: its owner leaves it alone until it is verified. */
  retired: boolean;
}

/** A create whose answer never came: the object may exist under an id nobody knows. */
export interface UnansweredCreate {
  readonly op: number;
  readonly kind: ObjectKind;
  readonly name: string;
  readonly owner: number;
  readonly state: State;
  readonly sentAt: number;
}

export type OpOutcome = 'acked' | 'refused' | 'ambiguous' | 'never-sent';

export interface OpRecord {
  readonly id: number;
  readonly label: string;
  /** The objects it writes; an import writes several, all or none. */
  readonly keys: readonly string[];
  outcome: OpOutcome | 'in-flight';
}

export const objectKey = (kind: ObjectKind, id: string): string => `${kind}:${id}`;
export const userKey = (email: string): string => objectKey('user', email.toLowerCase());
const createKey = (kind: ObjectKind, name: string): string => `${kind}\n${name}`;

export const sameState = (a: State, b: State): boolean => isDeepStrictEqual(a, b);

/**
 * The states an object may be in once every write has settled: the state of each write W,
 * acknowledged or not, unless some acknowledged write was sent after W had taken effect (its
 * answer arrived): that one is then later and wins. Sequential writes of one owner reduce to
 * "the last acknowledged one, or a later unacknowledged one"; concurrent ones (contested
 * policies) to "one of the writes that could have been last". The baseline counts as a write
 * acknowledged before the phase began.
 */
export function allowedStates(object: TrackedObject): State[] {
  const candidates: Write[] = [{ op: 0, state: object.baseline.state, sentAt: -Infinity, ackedAt: -Infinity, acked: true }, ...object.writes];
  const acked = candidates.filter((w) => w.acked);
  const allowed: State[] = [];
  for (const w of candidates) {
    if (acked.some((later) => later.sentAt > w.ackedAt)) continue;
    if (!allowed.some((s) => sameState(s, w.state))) allowed.push(w.state);
  }
  return allowed;
}

/** The last state a write's answer confirmed: what its owner bases its next write on. */
export function knownState(object: TrackedObject): State {
  for (let i = object.writes.length - 1; i >= 0; i--) if (object.writes[i].acked) return object.writes[i].state;
  return object.baseline.state;
}

/** The acknowledged write that decided `state`, if the object's history has one (for its echo). */
export function lastAckedWrite(object: TrackedObject): Write | undefined {
  for (let i = object.writes.length - 1; i >= 0; i--) if (object.writes[i].acked) return object.writes[i];
  return undefined;
}

/** Counters every phase adds to. */
export interface WriteCounts {
  acked: number;
  refused: number;
  ambiguous: number;
  neverSent: number;
}

export class WriteModel {
  readonly objects = new Map<string, TrackedObject>();
  readonly unansweredCreates = new Map<string, UnansweredCreate>();
  readonly ops = new Map<number, OpRecord>();
  readonly counts: WriteCounts = { acked: 0, refused: 0, ambiguous: 0, neverSent: 0 };
  private readonly byOwner = new Map<number, Set<string>>();
  private nextSeq = 1;
  /** Writes sent but not answered yet, by op id. */
  private readonly inFlight = new Map<number, { keys: readonly string[]; states: readonly State[]; create?: { kind: ObjectKind; name: string; owner: number; state: State }; sentAt: number }>();

  /** A fresh number for an op and the version marker of what it writes. */
  seq(): number {
    return this.nextSeq++;
  }

  get(key: string): TrackedObject | undefined {
    return this.objects.get(key);
  }

  /** Objects of `owner` (and kind) that exist as far as their owner knows and may be written. */
  owned(owner: number, kind: ObjectKind): TrackedObject[] {
    const keys = this.byOwner.get(owner);
    if (keys === undefined) return [];
    const found: TrackedObject[] = [];
    for (const key of keys) {
      const object = this.objects.get(key)!;
      if (object.kind === kind && !object.retired && knownState(object) !== null) found.push(object);
    }
    return found;
  }

  /** Every object of a kind that exists as far as anyone knows (for references across owners). */
  existing(kind: ObjectKind): TrackedObject[] {
    return [...this.objects.values()].filter((o) => o.kind === kind && knownState(o) !== null);
  }

  /** Start tracking an object (a shared one set up before the load, or one verified to exist). */
  track(kind: ObjectKind, id: string | undefined, key: string, owner: number, baseline: { state: State; echo?: unknown }): TrackedObject {
    const object: TrackedObject = { key, kind, id, owner, baseline, writes: [], retired: false };
    this.objects.set(key, object);
    let keys = this.byOwner.get(owner);
    if (keys === undefined) this.byOwner.set(owner, (keys = new Set()));
    keys.add(key);
    return object;
  }

  forget(key: string): void {
    const object = this.objects.get(key);
    if (object === undefined) return;
    this.objects.delete(key);
    this.byOwner.get(object.owner)?.delete(key);
  }

  /** A write to existing objects (or to users that an import may create) is about to be sent. */
  begin(label: string, writes: readonly { key: string; state: State; kind?: ObjectKind; owner?: number }[]): number {
    const op = this.seq();
    for (const w of writes) {
      if (!this.objects.has(w.key)) this.track(w.kind!, undefined, w.key, w.owner!, { state: null });
    }
    this.ops.set(op, { id: op, label, keys: writes.map((w) => w.key), outcome: 'in-flight' });
    this.inFlight.set(op, { keys: writes.map((w) => w.key), states: writes.map((w) => w.state), sentAt: performance.now() });
    return op;
  }

  /** A create is about to be sent: the object's id comes with the answer. */
  beginCreate(label: string, kind: ObjectKind, name: string, owner: number, state: State): number {
    const op = this.seq();
    this.ops.set(op, { id: op, label, keys: [], outcome: 'in-flight' });
    this.inFlight.set(op, { keys: [], states: [], create: { kind, name, owner, state }, sentAt: performance.now() });
    return op;
  }

  /** The answer was 2xx. `echo` is the object as answered; `createdId` the id of a created one. */
  acked(op: number, options: { echo?: unknown; createdId?: string } = {}): void {
    const flight = this.settle(op, 'acked');
    const ackedAt = performance.now();
    if (flight.create !== undefined) {
      const key = objectKey(flight.create.kind, options.createdId!);
      const object = this.track(flight.create.kind, options.createdId, key, flight.create.owner, { state: null });
      object.writes.push({ op, state: flight.create.state, sentAt: flight.sentAt, ackedAt, acked: true, echo: options.echo });
      (this.ops.get(op)!.keys as string[]).push(key);
      return;
    }
    flight.keys.forEach((key, i) => {
      this.objects.get(key)!.writes.push({ op, state: flight.states[i], sentAt: flight.sentAt, ackedAt, acked: true, ...(options.echo !== undefined ? { echo: options.echo } : {}) });
    });
  }

  /** A definite refusal (4xx): nothing was written. */
  refused(op: number): void {
    this.settle(op, 'refused');
  }

  /**
   * No answer: the write may or may not have happened. `latestEffect` bounds when it could
   * still take effect (the server was killed by then), when known. A connection that was
   * refused outright (`neverSent`) cannot have written anything, but is kept as ambiguous all
   * the same: the verification then proves it was not applied.
   */
  ambiguous(op: number, neverSent: boolean, latestEffect = Infinity): void {
    const flight = this.settle(op, neverSent ? 'never-sent' : 'ambiguous');
    if (flight.create !== undefined) {
      const { kind, name, owner, state } = flight.create;
      this.unansweredCreates.set(createKey(kind, name), { op, kind, name, owner, state, sentAt: flight.sentAt });
      return;
    }
    flight.keys.forEach((key, i) => {
      const object = this.objects.get(key)!;
      object.writes.push({ op, state: flight.states[i], sentAt: flight.sentAt, ackedAt: latestEffect, acked: false });
      if (object.owner !== SHARED) object.retired = true;
    });
  }

  unansweredCreate(kind: ObjectKind, name: string): UnansweredCreate | undefined {
    return this.unansweredCreates.get(createKey(kind, name));
  }

  private settle(op: number, outcome: OpOutcome) {
    const flight = this.inFlight.get(op);
    if (flight === undefined) throw new Error(`op ${op} is not in flight`);
    this.inFlight.delete(op);
    this.ops.get(op)!.outcome = outcome;
    this.counts[outcome === 'acked' ? 'acked' : outcome === 'refused' ? 'refused' : outcome === 'never-sent' ? 'neverSent' : 'ambiguous']++;
    return flight;
  }

  /** After a verification: the observed states become the baselines, and a new phase begins. */
  resetPhase(): void {
    this.unansweredCreates.clear();
    this.ops.clear();
    for (const object of this.objects.values()) {
      object.writes = [];
      object.retired = false;
    }
  }
}
