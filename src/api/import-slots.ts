// How many user imports one server runs at once. An NDJSON import holds the chunks of its body
// that arrived until its transaction can start (up to PORTCULLIS_IMPORT_LIMIT_MB), and a JSON
// one its parsed entries: unbounded, a handful of large imports at once could take more memory
// than the machine has. Imports past the limit wait their turn, first come first served, an
// NDJSON body left unread meanwhile (the client's sending is held back by TCP, not kept here).

export class ImportSlots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`import slots must be a whole number, 1 or more (got ${size})`);
    this.free = size;
  }

  /**
   * A slot, once one is free: call the returned function (once) to give it back. A caller that
   * gives up while waiting (its client hung up) passes an aborted signal and is taken out of the
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

  /** Imports waiting for a slot now (for tests and metrics). */
  get queued(): number {
    return this.waiting.length;
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
