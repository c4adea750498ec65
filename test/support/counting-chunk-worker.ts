// A policy-tester worker thread for tests (RunnerOptions.workerScript): it counts the chunks it
// is handed in shared memory, and while `counters[0]` is above zero each chunk makes it throw
// (killing the thread) instead of deciding; otherwise it decides as the real thread does.
import { workerData } from 'node:worker_threads';
import { serveChunks } from '../../src/tester/chunk-worker.js';

/** counters[0]: faults still to inject; counters[1]: chunks received; counters[2]: faults injected. */
const counters = new Int32Array((workerData as { counters: SharedArrayBuffer }).counters);

serveChunks(() => {
  Atomics.add(counters, 1, 1);
  if (Atomics.sub(counters, 0, 1) > 0) {
    Atomics.add(counters, 2, 1);
    throw new Error('a fault injected by the test');
  }
});
