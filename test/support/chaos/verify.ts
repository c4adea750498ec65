// Compare what a server shows (a snapshot) with what its clients were told (the write model):
// every object in a state its history allows (acknowledged writes kept, nothing older, nothing
// mixed), acknowledged objects intact to the byte the API showed them, unanswered creates
// present as sent or absent, multi-object writes (imports) all or nothing, no reference to a
// missing group or list, list counts matching their entries. Then the snapshot becomes the
// baseline of the next phase.

import { allowedStates, knownState, lastAckedWrite, sameState, SHARED, type TrackedObject, type WriteModel } from './model.js';
import { danglingReferences, type ObservedObject, type Snapshot } from './snapshot.js';
import { isDeepStrictEqual } from 'node:util';

export interface PhaseVerdict {
  /** Objects whose acknowledged state is gone (an older state, absent, or mixed). */
  readonly lost: string[];
  /** Objects in their acknowledged state whose other fields changed (ids, timestamps, ...). */
  readonly notIntact: string[];
  /** Objects nobody wrote, or unanswered creates stored differently than sent. */
  readonly phantoms: string[];
  /** Imports (or other multi-object writes) that took effect on some of their objects only. */
  readonly partial: string[];
  readonly dangling: string[];
  readonly countMismatches: string[];
  /** Requests refused at connection that still took effect: impossible, so listed. */
  readonly unsentApplied: string[];
  /** Unanswered writes (connection broken mid-request) that took effect, and that did not. */
  unackedApplied: number;
  unackedNotApplied: number;
}

export const verdictFailures = (v: PhaseVerdict): string[] => [...v.lost, ...v.notIntact, ...v.phantoms, ...v.partial, ...v.dangling, ...v.countMismatches, ...v.unsentApplied];

const show = (value: unknown): string => JSON.stringify(value);

function checkObject(object: TrackedObject, observed: ObservedObject | undefined, verdict: PhaseVerdict): void {
  const state = observed?.state ?? null;
  const allowed = allowedStates(object);
  if (!allowed.some((s) => sameState(s, state))) {
    verdict.lost.push(`${object.key} (owner ${object.owner}): is ${show(state)}; may only be one of ${show(allowed)}`);
    return;
  }
  // The state an acknowledged answer showed must come back whole, down to ids and timestamps.
  const acked = lastAckedWrite(object);
  const echo = acked === undefined ? object.baseline.echo : acked.echo;
  if (observed !== undefined && echo !== undefined && sameState(state, knownState(object)) && object.owner !== SHARED && !isDeepStrictEqual(observed.full, echo)) {
    verdict.notIntact.push(`${object.key}: shows ${show(observed.full)}; the acknowledged answer showed ${show(echo)}`);
  }
}

/** Did each unanswered write take effect? All or none of its objects, when it wrote several. */
function checkUnanswered(model: WriteModel, snapshot: Snapshot, verdict: PhaseVerdict): void {
  for (const op of model.ops.values()) {
    // Unanswered creates have no keys: checkUnknown finds them by name.
    if ((op.outcome !== 'ambiguous' && op.outcome !== 'never-sent') || op.keys.length === 0) continue;
    let applied = 0;
    let distinct = 0;
    for (const key of op.keys) {
      const object = model.get(key)!;
      const write = object.writes.find((w) => w.op === op.id)!;
      const before = object.writes.filter((w) => w.acked && w.sentAt < write.sentAt).pop()?.state ?? object.baseline.state;
      if (sameState(before, write.state) && object.owner !== SHARED) continue;
      distinct++;
      if (sameState(snapshot.objects.get(key)?.state ?? null, write.state)) applied++;
    }
    if (applied > 0 && applied < distinct) verdict.partial.push(`${op.label} #${op.id}: took effect on ${applied} of its ${distinct} objects`);
    countUnanswered(op.outcome, applied > 0, `${op.label} #${op.id}`, verdict);
  }
}

function countUnanswered(outcome: 'ambiguous' | 'never-sent', applied: boolean, what: string, verdict: PhaseVerdict): void {
  if (outcome === 'never-sent') {
    if (applied) verdict.unsentApplied.push(`${what} was refused at connection yet took effect`);
  } else if (applied) verdict.unackedApplied++;
  else verdict.unackedNotApplied++;
}

/** Objects the model does not know: each must be an unanswered create, stored as sent. */
function checkUnknown(model: WriteModel, snapshot: Snapshot, verdict: PhaseVerdict): void {
  const found = new Set<number>();
  for (const observed of snapshot.objects.values()) {
    if (model.get(observed.key) !== undefined) continue;
    const create = model.unansweredCreate(observed.kind, observed.name);
    if (create === undefined) verdict.phantoms.push(`${observed.key} "${observed.name}": nobody created it`);
    else if (!sameState(observed.state, create.state)) verdict.phantoms.push(`${observed.key}: created as ${show(observed.state)}, sent as ${show(create.state)}`);
    else found.add(create.op);
  }
  for (const create of model.unansweredCreates.values()) {
    countUnanswered(model.ops.get(create.op)!.outcome as 'ambiguous' | 'never-sent', found.has(create.op), `create ${create.name}`, verdict);
  }
}

export function verifyPhase(model: WriteModel, snapshot: Snapshot): PhaseVerdict {
  const verdict: PhaseVerdict = {
    lost: [],
    notIntact: [],
    phantoms: [],
    partial: [],
    dangling: danglingReferences(snapshot),
    countMismatches: [...snapshot.countMismatches],
    unsentApplied: [],
    unackedApplied: 0,
    unackedNotApplied: 0,
  };
  for (const object of model.objects.values()) checkObject(object, snapshot.objects.get(object.key), verdict);
  checkUnanswered(model, snapshot, verdict);
  checkUnknown(model, snapshot, verdict);
  return verdict;
}

/** Start the next phase from what the server shows: observed objects become the baselines. */
export function adoptSnapshot(model: WriteModel, snapshot: Snapshot): void {
  for (const object of [...model.objects.values()]) {
    const observed = snapshot.objects.get(object.key);
    if (observed === undefined) {
      model.forget(object.key);
      continue;
    }
    object.id = observed.id;
    object.baseline = { state: observed.state, echo: observed.full };
  }
  for (const observed of snapshot.objects.values()) {
    if (model.get(observed.key) !== undefined) continue;
    const create = model.unansweredCreate(observed.kind, observed.name);
    if (create !== undefined) model.track(observed.kind, observed.id, observed.key, create.owner, { state: observed.state, echo: observed.full });
  }
  model.resetPhase();
}
