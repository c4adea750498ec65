// The API fuzzer's run: seed an account, read the served OpenAPI document, then send batches
// of generated requests (fast-check drives generation: a seed and a path replay a run) and
// check every answer (envelopeProblems) and that the server still answers /healthz.

import fc from 'fast-check';
import { documentedAnswerChecker, envelopeProblems } from './envelope-check.js';
import { exampleBodies } from './fuzz-examples.js';
import { seedAccount } from './fuzz-seed.js';
import { anyRequestArbitrary, describeRequest, operationsOf, type FuzzRequest, type FuzzTarget, type Operation } from './fuzz-requests.js';
import { rawClient, type RawAnswer, type RawClient } from './raw-http.js';
import { randomAccountId, type TestServer } from './server.js';

export interface FuzzOptions {
  /** Requests to send (rounded up to whole batches). */
  readonly requests: number;
  /** fast-check's seed; random when left out (the report says which). */
  readonly seed?: number;
  /** Requests sent at once. */
  readonly concurrency?: number;
  /** Throw at the first bad answer (tests), or record every one and go on (long runs). */
  readonly stopOnFailure?: boolean;
  /** How many failures a report keeps in full. */
  readonly keepFailures?: number;
  readonly onProgress?: (report: FuzzReport) => void;
  /** Only these operationIds (all when left out): to dig into one part of the API. */
  readonly only?: readonly string[];
}

export interface FuzzFailure {
  /** The fast-check run (its path) and the request's place in that batch. */
  readonly run: number;
  readonly index: number;
  readonly request: string;
  readonly problems: readonly string[];
  readonly answer: string;
}

export interface FuzzReport {
  readonly seed: number;
  requests: number;
  /** Answers by HTTP status (and "no answer"). */
  readonly statuses: Record<string, number>;
  serverErrors: number;
  /** Bad answers of any kind (5xx, not JSON, not the envelope, no answer). */
  badAnswers: number;
  readonly failures: FuzzFailure[];
  /** Requests aimed at each operationId. */
  readonly operations: Record<string, number>;
  /** Of those, how many were answered with success (2xx): how deep the generator reaches. */
  readonly successes: Record<string, number>;
  /** Accounts the requests named (for the consistency check afterwards). */
  readonly accounts: readonly string[];
  /** Policy tests started (they cannot be listed; the consistency check reads them by id). */
  policyTestIds: readonly string[];
  durationMs: number;
}

const DEFAULT_CONCURRENCY = 4;
const HEALTH_EVERY = 50;
const ANSWER_SHOWN = 500;

export async function runFuzz(server: TestServer, options: FuzzOptions): Promise<FuzzReport> {
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const keep = options.keepFailures ?? 20;
  const seeded = await seedAccount(server, server.accountId);
  const accounts = [server.accountId, randomAccountId(), randomAccountId()];
  const target: FuzzTarget = { accounts, pool: seeded.pool, examples: exampleBodies(seeded.pool, server.accountId), credentials: { root: server.rootToken, reader: seeded.reader, writer: seeded.writer } };
  const documented = operationsOf((await (await fetch(`${server.apiUrl}/openapi.json`)).json()) as Parameters<typeof operationsOf>[0]);
  const operations = documented.filter((op) => options.only === undefined || options.only.includes(op.operationId));
  const byId = new Map(operations.map((op) => [op.operationId, op]));
  const documentedAnswerProblems = documentedAnswerChecker(documented);
  const secrets = { root: server.rootToken, reader: seeded.reader, writer: seeded.writer };
  const report: FuzzReport = {
    seed,
    requests: 0,
    statuses: {},
    serverErrors: 0,
    badAnswers: 0,
    failures: [],
    operations: Object.fromEntries(operations.map((op) => [op.operationId, 0])),
    successes: Object.fromEntries(operations.map((op) => [op.operationId, 0])),
    accounts,
    policyTestIds: [],
    durationMs: 0,
  };
  const client = rawClient(server.baseUrl);
  const started = performance.now();
  let run = 0;
  try {
    const batch = fc.array(anyRequestArbitrary(operations, target), { minLength: concurrency, maxLength: concurrency });
    const property = fc.asyncProperty(batch, async (requests) => {
      const answers = await Promise.all(requests.map((r) => client.send(r).then((answer) => ({ answer }), (error: Error) => ({ error }))));
      const problems: FuzzFailure[] = [];
      answers.forEach((outcome, index) => {
        const request = requests[index];
        report.requests++;
        report.operations[request.operationId]++;
        const found =
          'answer' in outcome
            ? [...envelopeProblems(request.method, outcome.answer, request.path), ...documentedAnswerProblems(request.method, request.path, outcome.answer)]
            : [`no answer: ${outcome.error.message}`];
        const status = 'answer' in outcome ? String(outcome.answer.status) : 'no answer';
        report.statuses[status] = (report.statuses[status] ?? 0) + 1;
        if ('answer' in outcome) {
          if (outcome.answer.status >= 500) report.serverErrors++;
          if (outcome.answer.status < 300) report.successes[request.operationId]++;
          trackIds(target, byId.get(request.operationId), request, outcome.answer);
        }
        if (found.length > 0) {
          report.badAnswers++;
          problems.push({ run, index, request: describeRequest(request, secrets), problems: found, answer: 'answer' in outcome ? showAnswer(outcome.answer) : '' });
        }
      });
      if (report.requests % HEALTH_EVERY < concurrency) problems.push(...(await healthProblems(client, run)));
      report.failures.push(...problems.slice(0, Math.max(0, keep - report.failures.length)));
      report.durationMs = performance.now() - started;
      options.onProgress?.(report);
      run++;
      if (problems.length > 0 && options.stopOnFailure === true) throw new Error(failureMessage(problems[0]));
    });
    await fc.assert(property, { seed, numRuns: Math.ceil(options.requests / concurrency), endOnFailure: true });
    const final = await healthProblems(client, run);
    if (final.length > 0) {
      report.badAnswers++;
      report.failures.push(...final);
      if (options.stopOnFailure === true) throw new Error(failureMessage(final[0]));
    }
  } finally {
    client.close();
    report.policyTestIds = [...target.pool.idsOfParam('policy_test_id')];
    report.durationMs = performance.now() - started;
  }
  return report;
}

/** Record the id of anything a create made, so later requests can name it, and forget deleted ones. */
function trackIds(target: FuzzTarget, op: Operation | undefined, request: FuzzRequest, answer: RawAnswer): void {
  if (op === undefined || request.method !== op.method || answer.status >= 300) return;
  if (op.method === 'DELETE') {
    const last = request.path.split('?')[0].split('/').pop() ?? '';
    try {
      target.pool.remove(decodeURIComponent(last));
    } catch {
      // Not percent-encoded well: it named nothing in the pool.
    }
    return;
  }
  if (op.creates === undefined) return;
  try {
    const id = (JSON.parse(answer.body.toString('utf8')) as { result?: { id?: unknown } }).result?.id;
    const parentId = request.path.split('?')[0].split('/').at(-2);
    if (typeof id === 'string') target.pool.add(op.creates, id, op.pathParams.length > 1 && parentId !== undefined ? decodeURIComponent(parentId) : undefined);
  } catch {
    // The envelope check reports an unreadable answer.
  }
}

async function healthProblems(client: RawClient, run: number): Promise<FuzzFailure[]> {
  const request = { method: 'GET', path: '/healthz', headers: {}, body: undefined };
  try {
    const answer = await client.send(request);
    if (answer.status === 200) return [];
    return [{ run, index: -1, request: 'GET /healthz', problems: [`/healthz answered ${answer.status}`], answer: showAnswer(answer) }];
  } catch (err) {
    return [{ run, index: -1, request: 'GET /healthz', problems: [`/healthz did not answer: ${(err as Error).message}`], answer: '' }];
  }
}

function showAnswer(answer: RawAnswer): string {
  const text = answer.body.subarray(0, ANSWER_SHOWN).toString('utf8');
  return `${answer.status} ${answer.headers['content-type'] ?? '(no content type)'} ${text}`;
}

function failureMessage(failure: FuzzFailure): string {
  return [`bad answer (${failure.problems.join('; ')}) to request ${failure.index} of run ${failure.run}:`, failure.request, `answer: ${failure.answer}`].join('\n');
}
