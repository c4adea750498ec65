// The first page after signing in: how much the account holds, the latest policy tests and the
// latest changes (named by recent-changes.tsx), each a link to where the details are.

import { useApp } from '../app-context.js';
import { RecentChanges } from './recent-changes.js';
import { ErrorBanner, formatCount, Link, Loading, PageTitle, StatusBadge, useAsync } from '../components/common.js';

const RECENT = 5;

/** The count of a collection, from the result_info of a one-item page. */
async function countOf(list: (query: { per_page: number }) => Promise<{ info?: { total_count?: number } }>): Promise<number> {
  return (await list({ per_page: 1 })).info?.total_count ?? 0;
}

export function OverviewPage() {
  const { api } = useApp();
  const counts = useAsync(async () => {
    const [policies, groups, apps, users, lists] = await Promise.all([
      countOf(api.policies.list),
      countOf(api.groups.list),
      countOf(api.apps.list),
      countOf(api.users.list),
      api.lists.all().then((all) => all.length),
    ]);
    return [
      { label: 'Reusable policies', count: policies, href: '/policies' },
      { label: 'Access groups', count: groups, href: '/groups' },
      { label: 'Applications', count: apps, href: '/apps' },
      { label: 'Gateway lists', count: lists, href: '/lists' },
      { label: 'Users', count: users, href: '/users' },
    ];
  }, []);
  const tests = useAsync(async () => (await api.tests.recent(RECENT)).result, []);
  return (
    <>
      <PageTitle>Overview</PageTitle>
      <section aria-label="What the account holds">
        <ErrorBanner error={counts.error} title="The counts could not be loaded" />
        {counts.data === undefined ? (
          counts.error === undefined && <Loading what="the counts" />
        ) : (
          <ul class="overview-counts">
            {counts.data.map((c) => (
              <li key={c.href}>
                <Link href={c.href}>
                  <strong>{formatCount(c.count)}</strong> {c.label}
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="recent-tests">
        <h2 id="recent-tests">Recent policy tests</h2>
        <ErrorBanner error={tests.error} title="The policy tests could not be loaded" />
        {tests.data !== undefined && tests.data.length === 0 && (
          <p class="empty">
            No policy test yet. <Link href="/tester">Run one</Link>.
          </p>
        )}
        {tests.data !== undefined && tests.data.length > 0 && (
          <ul class="recent">
            {tests.data.map((t) => (
              <li key={t.id}>
                <Link href={`/tester?test=${encodeURIComponent(t.id)}`}>
                  <time dateTime={t.created_at}>{new Date(t.created_at).toLocaleString()}</time>
                </Link>{' '}
                — {t.status}: {formatCount(t.users_approved)} <StatusBadge status="approved" />{' '}
                {formatCount(t.users_blocked)} <StatusBadge status="blocked" /> of {formatCount(t.total_users)} users
              </li>
            ))}
          </ul>
        )}
      </section>
      <RecentChanges count={RECENT} />
    </>
  );
}
