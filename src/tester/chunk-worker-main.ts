// The script of the policy tester's worker threads (chunk-pool.ts).
import { serveChunks } from './chunk-worker.js';

serveChunks();
