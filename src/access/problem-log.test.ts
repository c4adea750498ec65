// Configuration problems logged once per place and interval, with the refusals in between counted.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProblemLog } from './problem-log.js';

describe('problem log', () => {
  it('logs a place once per interval and counts the refusals it did not log', () => {
    const log = new ProblemLog(60_000);
    assert.deepEqual(log.report('shared.test/page', 0), { refusedSince: 0 });
    assert.equal(log.report('shared.test/page', 1_000), undefined);
    assert.equal(log.report('shared.test/page', 59_999), undefined);
    assert.deepEqual(log.report('other.test/', 2_000), { refusedSince: 0 }, 'another place has its own interval');
    assert.deepEqual(log.report('shared.test/page', 60_000), { refusedSince: 2 });
    assert.equal(log.report('shared.test/page', 60_001), undefined);
    assert.deepEqual(log.report('shared.test/page', 130_000), { refusedSince: 1 });
  });

  it('forgets the oldest place past a thousand, which is then logged again at once', () => {
    const log = new ProblemLog(60_000);
    for (let i = 0; i <= 1_000; i++) assert.ok(log.report(`host-${i}.test/`, 0) !== undefined);
    assert.deepEqual(log.report('host-0.test/', 1), { refusedSince: 0 }, 'forgotten, so logged');
    assert.equal(log.report('host-1000.test/', 1), undefined, 'the newest is remembered');
  });
});
