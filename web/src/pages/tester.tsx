// The policy tester: choose policies (saved ones and the draft, or an application's whole set
// with the draft in it), run them over every user of the directory, watch the progress, then
// see the counts, the users with their status and one user's explanation. "Compare" runs the
// saved versions as the baseline and shows who gains and who loses access.

import { useEffect, useMemo, useState } from 'preact/hooks';
import type { QueryOf } from '../api/resources.js';
import type { PolicyTest, PolicyTestUser, PolicyTestUserExplained } from '../api/operations.js';
import { isTransient, retryWaitMs, useApp } from '../app-context.js';
import { BarChart } from '../components/chart.js';
import { DecisionBadge, ErrorBanner, formatCount, Link, Loading, PageTitle, Pager, StatusBadge, useAsync } from '../components/common.js';
import { DifferenceList, ExplanationView } from '../components/explanation.js';
import { Modal } from '../components/modal.js';
import { SubmitButton } from '../components/submit-button.js';
import { PolicyPicker, appsUsing, chosenPolicies, type PolicyChoice } from '../components/policy-picker.js';
import { navigate, useLocation } from '../router.js';

type UsersFilter = QueryOf<'access-policy-tests-users'>;

const POLL_MS = 400;
/** The longest wait between two reads of a test's progress after failed ones. */
const POLL_RETRY_MAX_MS = 15_000;
const PER_PAGE = 25;

type FilterName = 'all' | 'approved' | 'blocked' | 'error' | 'gains' | 'loses' | 'changed';

const FILTERS: Record<FilterName, { label: string; query: Partial<UsersFilter>; compareOnly?: boolean }> = {
  all: { label: 'All users', query: {} },
  approved: { label: 'Approved', query: { status: 'success' } },
  blocked: { label: 'Blocked', query: { status: 'fail' } },
  error: { label: 'Error', query: { status: 'error' } },
  gains: { label: 'Gain access', query: { changed: true, status: 'success' }, compareOnly: true },
  loses: { label: 'Lose access', query: { changed: true, status: 'fail' }, compareOnly: true },
  changed: { label: 'Any change', query: { changed: true }, compareOnly: true },
};

interface RunningTest {
  readonly id: string;
}

export function TesterPage() {
  const { api, draft } = useApp();
  const { query } = useLocation();
  const policies = useAsync(() => api.policies.all(), []);
  const apps = useAsync(() => api.apps.all(), []);
  const fromEditor = query.get('draft') === '1' && draft !== undefined;
  const [choice, setChoice] = useState<PolicyChoice>({ saved: [], useDraft: fromEditor });
  // Opened from the policy editor: the draft is tested within the policy set of the first
  // application that uses its policy (a whole set, so a compare compares whole sets).
  const [preselected, setPreselected] = useState(false);
  useEffect(() => {
    if (preselected || apps.data === undefined) return;
    setPreselected(true);
    const first = fromEditor ? appsUsing(apps.data, draft?.id)[0] : undefined;
    if (first !== undefined) setChoice((c) => ({ ...c, app: first.id }));
  }, [apps.data]);
  const [compare, setCompare] = useState(false);
  // The test shown is the one the address names (?test=<id>), so that a reload, Back and Forward
  // and a link from the overview show the same results.
  const shownId = query.get('test') ?? undefined;
  const test = useMemo<RunningTest | undefined>(() => (shownId === undefined || shownId === '' ? undefined : { id: shownId }), [shownId]);
  const [progressOf, setProgressOf] = useState<{ readonly testId: string; readonly progress: PolicyTest } | undefined>(undefined);
  // Only the shown test's own progress: another's would show the new one as finished for a moment.
  const progress = progressOf !== undefined && progressOf.testId === test?.id ? progressOf.progress : undefined;
  const [error, setError] = useState<unknown>(undefined);
  /** Why the running test's progress could not be read (the test itself may still be running). */
  const [pollError, setPollError] = useState<unknown>(undefined);
  const [starting, setStarting] = useState(false);

  const chosen = chosenPolicies(policies.data ?? [], choice, draft, apps.data ?? []);
  const canCompare = chosen.baseline.length > 0;

  // A test starting or running holds the button, unless its progress can no longer be read: then the user may start another.
  const running = starting || (progress?.status === 'processing' && !(pollError !== undefined && !isTransient(pollError)));

  const start = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (running) return;
    setError(undefined);
    setStarting(true);
    try {
      const withBaseline = compare && canCompare;
      const answer = await api.tests.start({ policies: chosen.entries, ...(withBaseline ? { baseline_policies: chosen.baseline } : {}) });
      setPollError(undefined);
      const address = new URLSearchParams(location.search);
      address.set('test', answer.result.id);
      // The draft goes along in the session, so nothing unsaved is lost by moving on.
      navigate(`/tester?${address.toString()}`, { ask: false });
    } catch (err) {
      setError(err);
    } finally {
      setStarting(false);
    }
  };

  // Poll the running test until it stops processing. A failed read of its progress (a network
  // blip, a 429, a proxy's 502) does not stop the test on the server: read again, waiting longer
  // each time (or as the server asks), and say meanwhile that the progress could not be read.
  useEffect(() => {
    if (test === undefined) return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let live = true;
    let failures = 0;
    setPollError(undefined);
    const poll = async (): Promise<void> => {
      try {
        const answer = await api.tests.progress(test.id);
        if (!live) return;
        failures = 0;
        setPollError(undefined);
        setProgressOf({ testId: test.id, progress: answer.result });
        if (answer.result.status === 'processing') timer = setTimeout(() => void poll(), POLL_MS);
      } catch (err) {
        if (!live) return;
        setPollError(err);
        if (!isTransient(err)) return;
        failures += 1;
        timer = setTimeout(() => void poll(), retryWaitMs([err], Math.min(POLL_RETRY_MAX_MS, POLL_MS * 2 ** failures)));
      }
    };
    void poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [test]);

  return (
    <>
      <PageTitle>Policy tester</PageTitle>
      <p class="lead">Run policies over every user of the directory (each user's last seen identity) before you apply them.</p>
      <form onSubmit={start} class="tester-form">
        {policies.data === undefined ? (
          policies.error !== undefined ? <ErrorBanner error={policies.error} title="The policies could not be loaded" /> : <Loading what="policies" />
        ) : (
          <PolicyPicker legend="Policies to test" policies={policies.data} apps={apps.data ?? []} choice={choice} draft={draft} onChange={setChoice} />
        )}
        <label class="inline">
          <input type="checkbox" checked={compare} disabled={!canCompare} onChange={(e) => setCompare(e.currentTarget.checked)} />
          {choice.app !== undefined ? "Compare with the saved versions of the application's policies (show who gains and who loses access)" : 'Compare with the saved versions (show who gains and who loses access)'}
        </label>
        {!canCompare && <p class="hint">{choice.app !== undefined ? 'Comparing needs an application with saved policies.' : 'Comparing needs at least one saved policy among those chosen.'}</p>}
        <ErrorBanner error={error} title="The test could not run" />
        <ErrorBanner error={pollError} title={isTransient(pollError) ? "The test's progress could not be read; trying again" : "The test's progress could not be read"} />
        <SubmitButton busy={running} busyLabel={starting ? 'Starting…' : 'Run test'} disabled={chosen.entries.length === 0}>
          Run test
        </SubmitButton>
      </form>
      {test !== undefined && <TestResults key={test.id} test={test} progress={progress} />}
    </>
  );
}

function ProgressView({ progress }: { progress: PolicyTest | undefined }) {
  const percent = progress?.percent_users_processed ?? 0;
  const label = progress === undefined ? 'Starting the test' : progress.status === 'processing' ? `${percent}% of users processed` : `Test ${progress.status}`;
  return (
    <div class="progress">
      <label for="test-progress">{label}</label>
      <progress id="test-progress" max={100} value={percent} aria-valuetext={`${percent}%`} />
      {progress !== undefined && (
        <p class="live-counts" aria-live="polite">
          {formatCount(progress.users_approved)} approved · {formatCount(progress.users_blocked)} blocked · {formatCount(progress.users_errored)} errors
          {' '}of {formatCount(progress.total_users)} users
        </p>
      )}
      {progress?.reason !== undefined && <p class="banner banner-warning">{progress.reason}</p>}
    </div>
  );
}

type TestedPolicy = PolicyTest['policies'][number];

function TestedPolicyList({ policies }: { policies: readonly TestedPolicy[] }) {
  return (
    <ol class="tested-policies">
      {policies.map((p, i) => (
        <li key={i}>
          {p.id !== undefined ? <Link href={`/policies/${encodeURIComponent(p.id)}`}>{p.name}</Link> : <span>{p.name === '' ? 'Unnamed draft' : p.name}</span>}{' '}
          <DecisionBadge decision={p.decision} />
          {p.id === undefined && ' (draft, as it was when the test ran)'}
        </li>
      ))}
    </ol>
  );
}

/**
 * Which test this is and what it tested, from what the server kept: the picker above starts
 * afresh after a reload or a link, so it cannot say.
 */
function TestedPolicies({ test }: { test: PolicyTest }) {
  return (
    <section class="tested" aria-labelledby="tested-heading">
      <h3 id="tested-heading">Tested policies</h3>
      <p class="hint">
        Started <time dateTime={test.created_at}>{new Date(test.created_at).toLocaleString()}</time>
        {test.finished_at !== undefined && (
          <>
            , finished <time dateTime={test.finished_at}>{new Date(test.finished_at).toLocaleString()}</time>
          </>
        )}
        . Later edits to these policies do not change this test.
      </p>
      <TestedPolicyList policies={test.policies} />
      {test.baseline_policies !== undefined && (
        <>
          <p>Compared with the saved versions:</p>
          <TestedPolicyList policies={test.baseline_policies} />
        </>
      )}
    </section>
  );
}

function TestResults({ test, progress }: { test: RunningTest; progress: PolicyTest | undefined }) {
  const { api } = useApp();
  const [filter, setFilter] = useState<FilterName>('all');
  const [page, setPage] = useState(1);
  const [explained, setExplained] = useState<PolicyTestUser | undefined>(undefined);
  const finished = progress !== undefined && progress.status !== 'processing';
  // A comparison's progress counts the changed users (the server adds the count only then).
  const compare = progress?.users_changed !== undefined;
  const users = useAsync(
    () => (finished ? api.tests.users(test.id, { page, per_page: PER_PAGE, ...FILTERS[filter].query }) : Promise.resolve(undefined)),
    [test.id, finished, filter, page],
  );
  const changes = useAsync(async () => {
    if (!finished || !compare) return undefined;
    const [gains, loses] = await Promise.all([
      api.tests.users(test.id, { page: 1, per_page: 1, changed: true, status: 'success' }),
      api.tests.users(test.id, { page: 1, per_page: 1, changed: true, status: 'fail' }),
    ]);
    return { gains: gains.info?.total_count ?? 0, loses: loses.info?.total_count ?? 0 };
  }, [test.id, finished, compare]);

  const filters = (Object.keys(FILTERS) as FilterName[]).filter((f) => compare || FILTERS[f].compareOnly !== true);
  const rows = users.data?.result ?? [];
  const totalPages = users.data?.info?.total_pages ?? 1;

  return (
    <section class="results" aria-labelledby="results-heading">
      <h2 id="results-heading">Results</h2>
      {progress !== undefined && <TestedPolicies test={progress} />}
      <ProgressView progress={progress} />
      {finished && progress !== undefined && (
        <>
          <div class="charts">
            <BarChart
              title={`Decisions for ${formatCount(progress.total_users)} users`}
              total={progress.total_users}
              bars={[
                { label: 'Approved', value: progress.users_approved, tone: 'tone-approved' },
                { label: 'Blocked', value: progress.users_blocked, tone: 'tone-blocked' },
                { label: 'Error', value: progress.users_errored, tone: 'tone-error' },
              ]}
            />
            {compare && changes.data !== undefined && (
              <BarChart
                title={`Compared with the saved policies: ${formatCount(progress.users_changed ?? 0)} users change`}
                total={progress.total_users}
                bars={[
                  { label: 'Gain access', value: changes.data.gains, tone: 'tone-approved' },
                  { label: 'Lose access', value: changes.data.loses, tone: 'tone-blocked' },
                ]}
              />
            )}
          </div>
          <div class="toolbar">
            <label for="users-filter">Show</label>
            <select
                id="users-filter"
                value={filter}
                onChange={(e) => {
                  setFilter(e.currentTarget.value as FilterName);
                  setPage(1);
                }}
              >
                {filters.map((f) => (
                  <option key={f} value={f}>
                    {FILTERS[f].label}
                  </option>
                ))}
              </select>
            <span role="status" class="count">
              {users.data?.info !== undefined ? `${formatCount(users.data.info.total_count)} users` : ''}
            </span>
          </div>
          <ErrorBanner error={users.error} title="The users could not be loaded" />
          <div class="table-wrap">
            <table class="users-table">
              <caption class="visually-hidden">Users and their result ({FILTERS[filter].label})</caption>
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col" class="secondary-column">Name</th>
                  <th scope="col">Status</th>
                  {compare && <th scope="col">Saved policies</th>}
                  <th scope="col">
                    <span class="visually-hidden">Explanation</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((user) => (
                  <tr key={user.id}>
                    <th scope="row">{user.email}</th>
                    <td class="secondary-column">{user.name}</td>
                    <td>
                      <StatusBadge status={user.status} />
                    </td>
                    {compare && <td>{user.baseline_status !== undefined && <StatusBadge status={user.baseline_status} />}</td>}
                    <td>
                      <button type="button" onClick={() => setExplained(user)} aria-label={`Explain the result of ${user.email}`}>
                        Explain
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {!users.loading && rows.length === 0 && <p class="empty">No users here.</p>}
          </div>
          <Pager page={page} totalPages={totalPages} onPage={setPage} label="Users pages" />
        </>
      )}
      {explained !== undefined && <ExplanationDrawer testId={test.id} user={explained} onClose={() => setExplained(undefined)} />}
    </section>
  );
}

function ExplanationDrawer({ testId, user, onClose }: { testId: string; user: PolicyTestUser; onClose: () => void }) {
  const { api } = useApp();
  const result = useAsync<PolicyTestUserExplained>(async () => (await api.tests.user(testId, user.id)).result, [testId, user.id]);
  const data = result.data;
  return (
    <Modal title={`Why ${user.email} is ${user.status}`} onClose={onClose}>
      <ErrorBanner error={result.error} title="The explanation could not be loaded" />
      {data === undefined ? (
        result.error === undefined && <Loading what="the explanation" />
      ) : (
        <>
          <p>
            Result in this test: <StatusBadge status={data.status} />
            {data.baseline_status !== undefined && (
              <>
                {' '}
                (with the saved policies: <StatusBadge status={data.baseline_status} />)
              </>
            )}
          </p>
          {data.identity_changed && <p class="banner banner-warning">This user's identity has changed since the test ran: the explanation below uses the current identity and gives another answer.</p>}
          {data.differences !== undefined && (
            <section aria-label="What made the difference">
              <h3>What made the difference</h3>
              <DifferenceList differences={data.differences} />
            </section>
          )}
          {data.explanation !== undefined ? (
            <ExplanationView explanation={data.explanation} />
          ) : (
            <p class="hint">The explanation is left out: it quotes identity values, and reading them needs a permission that reads users.</p>
          )}
          {data.baseline_explanation !== undefined && (
            <details class="baseline">
              <summary>With the saved policies</summary>
              <ExplanationView explanation={data.baseline_explanation} />
            </details>
          )}
        </>
      )}
    </Modal>
  );
}
