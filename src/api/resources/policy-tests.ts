// The policy tester: POST /accounts/{account_id}/access/policy-tests starts a test of policies
// (reusable ids and inline policies) against the account's whole user directory; GET polls its
// progress; GET .../users pages the per-user results. Extensions: baseline_policies (who gains
// and who loses access), ?changed=true, and one user's result with its explanation.

import { mayReadUsers, redactedNote } from './identity-access.js';
import { randomBytes } from 'node:crypto';
import { compilePolicySet, diffExplanations, explain, gatherExternalAnswers, prepareIdentity, type Explanation, type ExternalAnswers, type Policy } from '../../engine/index.js';
import { accountEnvOf, readAccountSnapshot } from '../../account/account-env.js';
import { checkExternalEndpoints, distinctEndpoints } from './external-endpoints.js';
import type { ChunkSummary, PolicyTestRecord, PolicyTestStore } from '../../store/store.js';
import { parseTestPolicies, testPoliciesOf, type TestDefinition, type TestPolicy } from '../../tester/definition.js';
import { testEnv } from '../../tester/environment.js';
import { identityOf } from '../../tester/evaluate-chunk.js';
import { FILTER_OF_QUERY, STATUS_OF_ACCESS, filterKey, findResultRow, locatePage, percentOf, percentProcessed, rowMatches, type ResultRow } from '../../tester/results.js';
import { apiError, validationError } from '../errors.js';
import { paging, pageQueryProperties, resultInfo, type PageLimits } from '../pagination.js';
import { defineRoute, type RouteDef } from '../route.js';
import { EXPLANATION, POLICY_DIFFERENCES } from '../../schema/explanation.js';
import { anyObject, anyOf, arr, bool, enumOf, int, obj, str } from '../../schema/json-schema.js';
import { resolveTestPolicies } from './test-policies.js';

const PATH = '/accounts/{account_id}/access/policy-tests';
const ITEM = `${PATH}/{policy_test_id}`;
const READ = ['Access: Policy Test Read', 'Access: Policy Test Write'] as const;
const WRITE = ['Access: Policy Test Write'] as const;
const ID_PARAM = { policy_test_id: str({ maxLength: 64, description: 'The policy test id (64 hexadecimal characters).' }) };
const USER_LIMITS: PageLimits = { defaultPerPage: 25, maxPerPage: 1000 };

const POLICY_ENTRIES = (description: string) =>
  arr(anyOf([str({ minLength: 1 }), anyObject()], 'A reusable policy id, or an inline policy (the request shape of POST /access/policies).'), { minItems: 1, description });

const START_BODY = obj({
  policies: POLICY_ENTRIES('The policies to test, in order (bypass and service auth first, then the first allow or block that matches decides).'),
  baseline_policies: POLICY_ENTRIES('Extension: policies to compare with; each user then also gets baseline_status and changed.'),
}, { required: ['policies'] });

const STATUS = enumOf(['blocked', 'processing', 'exceeded time', 'complete']);
const PROGRESS_PROPERTIES = {
  id: str(),
  status: STATUS,
  total_users: int(),
  users_approved: int(),
  users_blocked: int(),
  users_errored: int(),
  percent_approved: int(),
  percent_blocked: int(),
  percent_errored: int(),
  percent_users_processed: int(),
  users_changed: int({ description: 'Extension: users whose status differs from the baseline (with baseline_policies).' }),
  reason: str({ description: 'Extension: why the test is blocked or exceeded its time.' }),
  created_at: str({ format: 'date-time' }),
  finished_at: str({ format: 'date-time' }),
};
const PROGRESS_REQUIRED = ['id', 'status', 'total_users', 'users_approved', 'users_blocked', 'users_errored', 'percent_approved', 'percent_blocked', 'percent_errored', 'percent_users_processed', 'created_at'] as const;
const PROGRESS = obj(PROGRESS_PROPERTIES, { required: PROGRESS_REQUIRED });

const TESTED_POLICY = obj({
  id: str({ description: "The reusable policy's id (absent for an inline policy, such as the dashboard's draft)." }),
  name: str(),
  decision: str(),
}, { required: ['name', 'decision'] });
/** One test: its progress and, so that its results can be read later, which policies it tested. */
const TEST = obj({
  ...PROGRESS_PROPERTIES,
  policies: arr(TESTED_POLICY, { description: 'Extension: the policies tested, in order, as they were when the test started.' }),
  baseline_policies: arr(TESTED_POLICY, { description: 'Extension: the baseline compared with (with baseline_policies).' }),
}, { required: [...PROGRESS_REQUIRED, 'policies'] });

const USER_STATUS = enumOf(['approved', 'blocked', 'error']);
const USER_RESULT = obj({
  id: str(),
  email: str(),
  name: str(),
  status: USER_STATUS,
  baseline_status: USER_STATUS,
  changed: bool('Extension: the status differs from the baseline.'),
}, { required: ['id', 'email', 'name', 'status'] });

export function progressResult(test: PolicyTestRecord): Record<string, unknown> {
  const processed = test.processedUsers;
  const baseline = (test.definition as TestDefinition).baseline !== undefined;
  return {
    id: test.id,
    status: test.status,
    total_users: test.totalUsers,
    users_approved: test.approved,
    users_blocked: test.blocked,
    users_errored: test.errored,
    percent_approved: percentOf(test.approved, processed),
    percent_blocked: percentOf(test.blocked, processed),
    percent_errored: percentOf(test.errored, processed),
    percent_users_processed: percentProcessed(processed, test.totalUsers),
    ...(baseline ? { users_changed: test.changed } : {}),
    ...(test.reason !== null ? { reason: test.reason } : {}),
    created_at: test.createdAt,
    ...(test.finishedAt !== null ? { finished_at: test.finishedAt } : {}),
  };
}

/** What a test kept of a policy it tested: enough to name it, not its rules. */
const testedPolicy = (p: TestPolicy): Record<string, unknown> => ({
  ...(p.id !== undefined ? { id: p.id } : {}),
  name: typeof p.body.name === 'string' ? p.body.name : '',
  decision: typeof p.body.decision === 'string' ? p.body.decision : '',
});

/** A test's progress with the policies it tested. */
function testResult(test: PolicyTestRecord): Record<string, unknown> {
  const definition = test.definition as TestDefinition;
  return {
    ...progressResult(test),
    policies: definition.policies.map(testedPolicy),
    ...(definition.baseline !== undefined ? { baseline_policies: definition.baseline.map(testedPolicy) } : {}),
  };
}

function userResult(row: ResultRow): Record<string, unknown> {
  return {
    id: row[0],
    email: row[1],
    name: row[2],
    status: STATUS_OF_ACCESS[row[3]],
    ...(row[5] !== null ? { baseline_status: STATUS_OF_ACCESS[row[5]], changed: row[5] !== row[3] } : {}),
  };
}

/** Decoded chunk results, reused while a client pages through them (finished chunks never change). */
const decoded = new Map<string, ResultRow[]>();
const DECODED_LIMIT = 16;

async function chunkRows(tests: Pick<PolicyTestStore, 'chunkResults'>, testId: string, chunkNo: number): Promise<ResultRow[]> {
  const key = `${testId}#${chunkNo}`;
  let rows = decoded.get(key);
  if (rows === undefined) {
    rows = JSON.parse((await tests.chunkResults(testId, chunkNo)) ?? '[]') as ResultRow[];
    decoded.set(key, rows);
    if (decoded.size > DECODED_LIMIT) decoded.delete(decoded.keys().next().value!);
  }
  return rows;
}

/**
 * The finished chunks of a test, reused while a client pages through its results: a complete
 * test's chunks never change, and at 10,000,000 users reading their summaries costs about
 * 0.3 s a page. A test still running is read every time.
 */
const completeChunks = new Map<string, ChunkSummary[]>();
const COMPLETE_CHUNKS_LIMIT = 8;

async function doneChunks(tests: Pick<PolicyTestStore, 'chunkSummaries'>, test: PolicyTestRecord): Promise<ChunkSummary[]> {
  const kept = completeChunks.get(test.id);
  if (kept !== undefined) return kept;
  const done = (await tests.chunkSummaries(test.id)).filter((c) => c.state === 'done');
  if (test.status === 'complete') {
    completeChunks.set(test.id, done);
    if (completeChunks.size > COMPLETE_CHUNKS_LIMIT) completeChunks.delete(completeChunks.keys().next().value!);
  }
  return done;
}

/** One user's row of a chunk, found in its text without decoding the rest of the chunk. */
async function chunkRow(tests: Pick<PolicyTestStore, 'chunkResults'>, testId: string, chunkNo: number, userId: string): Promise<ResultRow | undefined> {
  const cached = decoded.get(`${testId}#${chunkNo}`);
  if (cached !== undefined) return cached.find((r) => r[0] === userId);
  return findResultRow((await tests.chunkResults(testId, chunkNo)) ?? '[]', userId);
}

async function testOr404(tests: Pick<PolicyTestStore, 'get'>, accountId: string, id: string): Promise<PolicyTestRecord> {
  const test = await tests.get(accountId, id);
  if (test === undefined) throw apiError('not_found', { what: 'Policy test', id: JSON.stringify(id) });
  return test;
}

export const policyTestRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET',
    path: PATH,
    operationId: 'access-policy-tests-list',
    summary: "List an account's policy tests",
    description: 'Extension: newest first, with their progress (tests are kept as docs/operations.md says).',
    tag: 'Access policy tester',
    permissions: [...READ],
    query: pageQueryProperties(),
    extension: true,
    status: 200,
    paged: true,
    result: arr(PROGRESS),
    handler: async ({ accountId, query, ctx }) => {
      const p = paging(query);
      const page = await ctx.store.tests.list(accountId, p);
      return { result: page.items.map(progressResult), resultInfo: resultInfo(p, page.items.length, page.total) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: PATH,
    operationId: 'access-policy-tests-start',
    summary: 'Start a policy test',
    description:
      "Tests the policies against every user of the account's directory as it stands now, in the background. Poll GET .../policy-tests/{id}. Refused (429) while the account already has as many tests processing as the server allows.",
    tag: 'Access policy tester',
    permissions: [...WRITE],
    body: START_BODY,
    status: 200,
    result: obj({ id: str({ maxLength: 64 }), status: enumOf(['success']) }, { required: ['id', 'status'] }),
    handler: async ({ accountId, body: input, ctx, principal }) => {
      const current = await resolveTestPolicies(ctx.store.read, accountId, input.policies, '/policies');
      const baseline = input.baseline_policies === undefined ? undefined : await resolveTestPolicies(ctx.store.read, accountId, input.baseline_policies, '/baseline_policies');
      const issues = [...current.issues, ...(baseline?.issues ?? [])];
      if (issues.length > 0) throw validationError(issues);
      const now = Date.now();
      const definition: TestDefinition = { policies: current.policies, ...(baseline !== undefined ? { baseline: baseline.policies } : {}) };
      // The groups, lists, IdPs, tokens, posture rules and apps the policies reach, as they are
      // now: every chunk is decided against them, however late and by whichever process.
      const snapshot = await readAccountSnapshot(ctx.store.read, accountId, testPoliciesOf(definition), now);
      // A test sends every user's identity to the external evaluation endpoints its policies
      // reach (their groups' too): the same endpoints a what-if of its caller may reach, no others.
      const { env } = accountEnvOf(snapshot);
      const sets = [definition.policies, ...(definition.baseline !== undefined ? [definition.baseline] : [])].map(parseTestPolicies);
      await checkExternalEndpoints(ctx.store.read, accountId, principal, sets.flatMap((set) => compilePolicySet(set, env).externalRules));

      const { settings } = ctx;
      ctx.tester.prepare();
      const chunks = await ctx.store.tests.userChunks(accountId, settings.testChunkSize);
      const totalUsers = chunks.reduce((n, c) => n + c.expectedUsers, 0);
      const tooLarge = totalUsers > settings.testMaxUsers;
      const id = randomBytes(32).toString('hex');
      // A test too large to run decides nothing and keeps no snapshot.
      const environment = tooLarge ? undefined : snapshot;
      const { created, processing } = await ctx.store.tests.create(
        {
          id,
          accountId,
          status: tooLarge ? 'blocked' : 'processing',
          reason: tooLarge ? `The directory holds ${totalUsers} users; this server tests at most ${settings.testMaxUsers}.` : null,
          definition,
          ...(environment !== undefined ? { environment } : {}),
          totalUsers,
          createdAt: new Date(now).toISOString(),
          deadlineMs: now + settings.testTimeBudgetMs,
        },
        tooLarge ? [] : chunks,
        settings.testsPerAccount,
      );
      if (!created) throw apiError('too_many_tests', { running: processing, limit: settings.testsPerAccount }, { 'retry-after': '5' });
      ctx.tester.kick();
      return { result: { id, status: 'success' } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: ITEM,
    operationId: 'access-policy-tests-get',
    summary: "Get a policy test's progress",
    description: 'Extension: with the policies it tested (and the baseline), by id, name and decision.',
    tag: 'Access policy tester',
    permissions: [...READ],
    params: ID_PARAM,
    status: 200,
    result: TEST,
    handler: async ({ accountId, params, ctx }) => ({ result: testResult(await testOr404(ctx.store.tests, accountId, params.policy_test_id)) }),
  }),
  defineRoute({
    method: 'GET',
    path: `${ITEM}/users`,
    operationId: 'access-policy-tests-users',
    summary: "Page through a policy test's per-user results",
    description: 'Users in directory order (while a test runs: those processed so far). `status` filters as Cloudflare does (success = approved, fail = blocked, error); the extension `changed=true` keeps users whose status differs from the baseline (a test without baseline_policies refuses it, 400).',
    tag: 'Access policy tester',
    permissions: [...READ],
    params: ID_PARAM,
    query: {
      ...pageQueryProperties(USER_LIMITS),
      status: enumOf(['success', 'fail', 'error'], 'success = approved, fail = blocked, error = could not be decided.'),
      changed: bool('Extension: only users whose status differs from the baseline.'),
    },
    status: 200,
    paged: true,
    result: arr(USER_RESULT),
    handler: async ({ accountId, params, query, ctx }) => {
      const test = await testOr404(ctx.store.tests, accountId, params.policy_test_id);
      const p = paging(query, USER_LIMITS);
      const status = query.status === undefined ? undefined : FILTER_OF_QUERY[query.status];
      const changedOnly = query.changed === true;
      // Without a baseline no user can have changed: an empty page would read as "nobody did".
      if (changedOnly && (test.definition as TestDefinition).baseline === undefined) {
        throw apiError('unsupported_filter', { name: 'changed', detail: 'this test was started without baseline_policies, so there is nothing to compare with; start a test with baseline_policies to see who gains or loses access' });
      }
      const key = filterKey(status, changedOnly);
      const done = await doneChunks(ctx.store.tests, test);
      const rows: ResultRow[] = [];
      for (const slice of locatePage(done, key, p.offset, p.limit)) {
        const matching = (await chunkRows(ctx.store.tests, test.id, slice.chunkNo)).filter((r) => rowMatches(r, status, changedOnly));
        rows.push(...matching.slice(slice.skip, slice.skip + slice.take));
      }
      const total = done.reduce((n, c) => n + (c.counts?.[key] ?? 0), 0);
      return { result: rows.map(userResult), resultInfo: resultInfo(p, rows.length, total) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: `${ITEM}/users/{user_id}`,
    operationId: 'access-policy-tests-user',
    summary: "One user's result, explained",
    description:
      "Extension: the user's result in the test and the explanation (deciding policy, every rule's outcome and reason, expected and actual values). The explanation is computed now, from the test's policies and the groups, lists and other objects they reached when the test started, with the user's current identity, asking again the external evaluation endpoints they reach (each distinct endpoint counts as one more request against the caller's rate limit, as in a what-if); identity_changed says whether that gives another answer than the test did.",
    tag: 'Access policy tester',
    permissions: [...READ],
    params: { ...ID_PARAM, user_id: str({ description: 'The user id.' }) },
    extension: true,
    status: 200,
    result: obj(
      { ...USER_RESULT.properties, identity_changed: bool(), explanation: EXPLANATION, baseline_explanation: EXPLANATION, differences: POLICY_DIFFERENCES },
      { required: ['id', 'email', 'name', 'status', 'identity_changed'] },
    ),
    handler: async ({ accountId, params, ctx, principal }) => {
      const test = await testOr404(ctx.store.tests, accountId, params.policy_test_id);
      const user = await ctx.store.read.getUser(accountId, params.user_id);
      // The user's chunk by their place in the directory (kept for deleted users too): one
      // chunk is searched, and an id the account never had is answered without reading any.
      const seq = user?.seq ?? (await ctx.store.read.userSeq(accountId, params.user_id));
      const chunk = seq === undefined ? undefined : (await doneChunks(ctx.store.tests, test)).find((c) => c.seqFrom <= seq && seq <= c.seqTo);
      const row = chunk === undefined ? undefined : await chunkRow(ctx.store.tests, test.id, chunk.chunkNo, params.user_id);
      if (row === undefined) {
        throw apiError('not_found', { what: 'Result of user', id: `${JSON.stringify(params.user_id)} in policy test ${JSON.stringify(test.id)} (not processed yet, or not in the directory when the test started)` });
      }
      const definition = test.definition as TestDefinition;
      const identity = user === undefined ? { email: row[1], name: row[2] } : identityOf(user);
      const env = await testEnv(ctx.store.tests, ctx.store.read, test);
      const policies = parseTestPolicies(definition.policies);
      const baselinePolicies = definition.baseline === undefined ? undefined : parseTestPolicies(definition.baseline);
      // As the test did, the endpoints its policies reach are asked about the user (now, as the
      // rest of the explanation is computed now); without that the explanation would call every
      // such rule unknown, and a user the endpoint let in would read as changed. The caller pays
      // for the calls, as for a what-if.
      const evaluator = ctx.externalFor?.(accountId);
      const externalRules = [...compilePolicySet(policies, env).externalRules, ...(baselinePolicies === undefined ? [] : compilePolicySet(baselinePolicies, env).externalRules)];
      let external: ExternalAnswers | undefined;
      if (evaluator !== undefined && externalRules.length > 0) {
        ctx.chargeOutboundCalls(principal, distinctEndpoints(externalRules));
        external = await gatherExternalAnswers(externalRules, identity, evaluator);
      }
      const explainSet = (policies: Policy[]): Explanation => explain(policies, prepareIdentity(identity), env, external === undefined ? {} : { external });
      const explanation = explainSet(policies);
      const baselineExplanation = baselinePolicies === undefined ? undefined : explainSet(baselinePolicies);
      const nowStatus = { granted: 'approved', blocked: 'blocked', unknown: 'error' }[explanation.access];
      // The explanations quote identity values (expected and actual): they need the permission that reads users.
      if (!mayReadUsers(principal, accountId)) {
        return { result: { ...userResult(row), identity_changed: nowStatus !== STATUS_OF_ACCESS[row[3]] }, messages: [redactedNote(['explanation', 'baseline_explanation', 'differences'])] };
      }
      return {
        result: {
          ...userResult(row),
          identity_changed: nowStatus !== STATUS_OF_ACCESS[row[3]],
          explanation,
          ...(baselinePolicies !== undefined && baselineExplanation !== undefined
            ? { baseline_explanation: baselineExplanation, differences: diffExplanations(baselinePolicies, baselineExplanation, policies, explanation) }
            : {}),
        },
      };
    },
  }),
];
