// Runs tasks one at a time per key, in the order they arrive, within this process. The
// PostgreSQL driver queues a process's transactions on one account here before they ask the
// database for the account's advisory lock, so a process has at most one transaction per
// account waiting for (or holding) that lock. Without it, a process that stalls with several
// transactions queued in PostgreSQL's lock queue is granted the lock once per transaction, and
// each grant holds every other process up until idle_in_transaction_session_timeout ends it.

export class KeyQueue {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with a task running or waiting (for tests: the map must not grow without bound). */
  get size(): number {
    return this.tails.size;
  }
}
