// A fixed number of slots, handed out first come first served: a caller past the limit waits for
// one given back, and one that gives up while waiting (its signal aborts) leaves the queue. It
// lives in this low layer so that both the evaluator's per-endpoint limit (endpoint-slots.ts) and
// the API's limit on user imports (api/import-slots.ts) use the one implementation.

export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`slots must be a whole number, 1 or more (got ${size})`);
    this.free = size;
  }

  /**
   * A slot, once one is free: call the returned function (once; again does nothing) to give it
   * back. A caller that gives up while waiting passes an aborted signal and is taken out of the
   * queue; the promise then rejects with the signal's reason.
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    if (this.free > 0) {
      this.free--;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const granted = () => {
        signal?.removeEventListener('abort', gaveUp);
        resolve(this.releaser());
      };
      const gaveUp = () => {
        const at = this.waiting.indexOf(granted);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', gaveUp, { once: true });
      this.waiting.push(granted);
    });
  }

  /** Callers waiting for a slot now. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Slots held now. */
  get taken(): number {
    return this.size - this.free;
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next in line, or becomes free.
      if (next !== undefined) next();
      else this.free++;
    };
  }
}
