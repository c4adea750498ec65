// The chaos verification itself, on made-up histories and snapshots: it must accept exactly
// the states a history allows, and name lost, mixed, partial and phantom writes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { allowedStates, objectKey, SHARED, userKey, WriteModel, type State } from './model.js';
import type { ObservedObject, Snapshot } from './snapshot.js';
import { adoptSnapshot, verdictFailures, verifyPhase } from './verify.js';

const v = (n: number): State => ({ name: `p1 w${n}`, session_duration: `${n}h` });
const byName = (states: State[]): State[] => [...states].sort((a, b) => String(a?.name).localeCompare(String(b?.name)));

function snapshotOf(objects: readonly Omit<ObservedObject, 'full'>[]): Snapshot {
  return { objects: new Map(objects.map((o) => [o.key, { ...o, full: { id: o.id, ...o.state } }])), countMismatches: [] };
}

/** A policy created (acknowledged) by client 1, then the given writes. */
function policyWith(writes: readonly ('ack' | 'lost-answer')[]): { model: WriteModel; key: string } {
  const model = new WriteModel();
  const create = model.beginCreate('policy.create', 'policy', 'p1 w0', 1, v(0));
  model.acked(create, { createdId: 'id1' });
  const key = objectKey('policy', 'id1');
  writes.forEach((fate, i) => {
    const op = model.begin('policy.update', [{ key, state: v(i + 1) }]);
    if (fate === 'ack') model.acked(op);
    else model.ambiguous(op, false);
  });
  return { model, key };
}

const policyObserved = (key: string, state: State): Omit<ObservedObject, 'full'> => ({ key, kind: 'policy', id: 'id1', name: String(state?.name), state });

describe('chaos verification', () => {
  it('allows the last acknowledged version or a later unacknowledged one, never an older one', () => {
    const { model, key } = policyWith(['ack', 'ack', 'lost-answer']);
    assert.deepEqual(allowedStates(model.get(key)!), [v(2), v(3)]);
    for (const [observed, lost] of [
      [v(2), 0],
      [v(3), 0],
      [v(1), 1],
      [null, 1],
      [{ name: 'p1 w2', session_duration: '3h' }, 1],
    ] as const) {
      const verdict = verifyPhase(model, snapshotOf(observed === null ? [] : [policyObserved(key, observed)]));
      assert.equal(verdict.lost.length, lost, JSON.stringify(observed));
    }
  });

  it('resolves concurrent replaces to a write that could have been last', () => {
    const model = new WriteModel();
    const key = objectKey('policy', 'shared');
    model.track('policy', 'shared', key, SHARED, { state: v(0) });
    // w1 and w2 overlap; w3 starts after both were answered, so it must win over them.
    const w1 = model.begin('put', [{ key, state: v(1) }]);
    const w2 = model.begin('put', [{ key, state: v(2) }]);
    model.acked(w2);
    model.acked(w1);
    assert.deepEqual(byName(allowedStates(model.get(key)!)), [v(1), v(2)]);
    const w3 = model.begin('put', [{ key, state: v(3) }]);
    model.acked(w3);
    assert.deepEqual(allowedStates(model.get(key)!), [v(3)]);
  });

  it('names an import that took effect on some of its users only', () => {
    const model = new WriteModel();
    const users = ['a@x.example', 'b@x.example'];
    const op = model.begin(
      'users.import',
      users.map((email) => ({ key: userKey(email), state: { email, name: 'n w1' }, kind: 'user' as const, owner: 2 })),
    );
    model.ambiguous(op, false);
    const one = snapshotOf([{ key: userKey(users[0]), kind: 'user', id: 'u1', name: users[0], state: { email: users[0], name: 'n w1' } }]);
    const partial = verifyPhase(model, one);
    assert.equal(partial.partial.length, 1);
    assert.equal(partial.lost.length, 0, 'each user on its own is in an allowed state');
    const none = verifyPhase(model, snapshotOf([]));
    assert.deepEqual(verdictFailures(none), []);
    assert.equal(none.unackedNotApplied, 1);
  });

  it('accepts an unanswered create stored as sent, and nothing else nobody wrote', () => {
    const model = new WriteModel();
    const op = model.beginCreate('policy.create', 'policy', 'p1 w0', 1, v(0));
    model.ambiguous(op, false);
    const created = snapshotOf([policyObserved(objectKey('policy', 'id9'), v(0))]);
    const verdict = verifyPhase(model, created);
    assert.deepEqual(verdictFailures(verdict), []);
    assert.equal(verdict.unackedApplied, 1);
    const phantom = verifyPhase(model, snapshotOf([policyObserved(objectKey('policy', 'id9'), v(5))]));
    assert.equal(phantom.phantoms.length, 1);

    adoptSnapshot(model, created);
    assert.deepEqual(model.get(objectKey('policy', 'id9'))?.baseline.state, v(0), 'adopted for the next phase');
  });

  it('holds an untouched object to exactly what the last verification saw', () => {
    const { model, key } = policyWith([]);
    const seen = snapshotOf([policyObserved(key, v(0))]);
    adoptSnapshot(model, seen);
    const changed: Snapshot = { objects: new Map([[key, { ...seen.objects.get(key)!, full: { id: 'id1', updated_at: 'later' } }]]), countMismatches: [] };
    assert.equal(verifyPhase(model, changed).notIntact.length, 1);
    assert.deepEqual(verdictFailures(verifyPhase(model, seen)), []);
  });
});
