// withAuditActor: each call's writes see its own actor through every await, however calls
// overlap; the context tracking is turned off once the last call has ended (whether it returned,
// rejected or threw), so work left behind by a request no longer carries its actor.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { currentAuditActor, withAuditActor, type AuditActor } from './audit.js';

const actor = (tokenId: string): AuditActor => ({ kind: 'token', tokenId, ip: '127.0.0.1', requestId: tokenId, method: 'POST', path: '/x' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What currentAuditActor() says in a timer set inside a call that has ended by the time it fires. */
async function seenAfterTheCallEnded(): Promise<string | undefined> {
  let seen: string | undefined | null = null;
  await withAuditActor(actor('left-behind'), async () => {
    setTimeout(() => (seen = currentAuditActor()?.tokenId), 20);
  });
  await sleep(60);
  assert.notEqual(seen, null, 'the timer ran');
  return seen ?? undefined;
}

describe('withAuditActor', () => {
  it('gives each of two overlapping calls its own actor across awaits', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const first = withAuditActor(actor('a'), async () => {
      await gate;
      await sleep(5);
      return currentAuditActor()?.tokenId;
    });
    const second = await withAuditActor(actor('b'), async () => {
      await sleep(5);
      return currentAuditActor()?.tokenId;
    });
    assert.equal(second, 'b');
    open();
    assert.equal(await first, 'a', 'the first call keeps its actor after the second has ended');
    assert.equal(currentAuditActor(), undefined);
  });

  it('stops tracking when the last call has ended', async () => {
    assert.equal(await seenAfterTheCallEnded(), undefined);
  });

  it('keeps tracking while another call is still in flight', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const long = withAuditActor(actor('long'), () => gate);
    try {
      assert.equal(await seenAfterTheCallEnded(), 'left-behind');
    } finally {
      open();
      await long;
    }
    assert.equal(await seenAfterTheCallEnded(), undefined);
  });

  it('counts a call that rejects or throws as ended', async () => {
    await assert.rejects(withAuditActor(actor('r'), async () => Promise.reject(new Error('refused'))), /refused/);
    assert.throws(() => withAuditActor(actor('t'), () => {
      throw new Error('thrown');
    }), /thrown/);
    assert.equal(withAuditActor(actor('s'), () => currentAuditActor()?.tokenId), 's');
    assert.equal(await seenAfterTheCallEnded(), undefined);
  });
});
