// A large user import leaves its garbage (body chunks, parsed lines, prepared rows, the texts
// handed to the store) in V8's old generation: hundreds of MiB for a million users, of which a
// few tens stay alive. V8 collects the old generation when allocation asks for it, not while the
// server idles, so without help the process keeps that memory until some later request happens
// to trigger a major collection, and a policy test run next starts with it (issue figures in
// docs/benchmarks.md). A full collection with so little alive is short, so one is asked for when
// a large import ends, once, after its answer is on its way.

import v8 from 'node:v8';
import vm from 'node:vm';

/** Imports that handed at least this many entries to the store (committed or not) are followed by a collection. */
export const COLLECT_AFTER_IMPORT_ENTRIES = 100_000;

/** V8's collector as its gc extension offers it: `execution: 'async'` runs it as a task of its own. */
export type MajorCollector = () => PromiseLike<unknown>;

export interface CollectionReport {
  readonly entries: number;
  readonly heapBeforeMiB: number;
  readonly heapAfterMiB: number;
  /** From asking to done: the collection itself plus the time its task waited its turn. */
  readonly ms: number;
}

let v8Collector: MajorCollector | undefined;

type V8Gc = (options: { type: 'major'; execution: 'async' }) => PromiseLike<unknown>;

/**
 * V8's gc function: node's own under --expose-gc, else taken from a fresh context made while the
 * flag is set (the only place the function appears), the flag cleared again, as test runners do
 * for their leak checks.
 */
function v8Gc(): V8Gc {
  const exposed = (globalThis as { gc?: V8Gc }).gc;
  if (exposed !== undefined) return exposed;
  v8.setFlagsFromString('--expose-gc');
  try {
    return vm.runInNewContext('gc') as V8Gc;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
}

function defaultCollector(): MajorCollector {
  if (v8Collector === undefined) {
    const gc = v8Gc();
    v8Collector = () => gc({ type: 'major', execution: 'async' });
  }
  return v8Collector;
}

const mib = (bytes: number) => Math.round(bytes / 1048576);

/**
 * Collects the heap once after imports that read at least `threshold` entries. While a collection
 * is pending another import's request is dropped: the pending one collects that garbage too.
 */
export class ImportGarbage {
  private pending = false;

  constructor(
    private readonly onCollected: (report: CollectionReport) => void,
    private readonly threshold = COLLECT_AFTER_IMPORT_ENTRIES,
    private readonly collector: () => MajorCollector = defaultCollector,
  ) {}

  /** An import that handed `entries` entries to the store has ended (answered or refused). */
  importEnded(entries: number): void {
    if (entries < this.threshold || this.pending) return;
    this.pending = true;
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    // The collection runs as its own task, so the import's answer is written first.
    Promise.resolve()
      .then(() => this.collector()())
      .then(
        () => this.onCollected({ entries, heapBeforeMiB: mib(heapBefore), heapAfterMiB: mib(process.memoryUsage().heapUsed), ms: Math.round(performance.now() - started) }),
        () => undefined,
      )
      .finally(() => {
        this.pending = false;
      });
  }
}

/** Passes `batches` through, counting the entries handed on (for ImportGarbage). */
export async function* countedBatches<T>(batches: AsyncIterable<T[]>, counter: { entries: number }): AsyncGenerator<T[]> {
  for await (const batch of batches) {
    counter.entries += batch.length;
    yield batch;
  }
}
