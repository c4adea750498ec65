// The overview's latest changes, each naming what changed: the object's kind and name (its
// current name when it still exists, else the one the change log kept), a link to the object's
// page where it has one, and its id only for an object since deleted whose name the log lacks.

import type { AccountApi, Result } from '../api/resources.js';
import { ApiFailure } from '../api/client.js';
import { useApp } from '../app-context.js';
import { ErrorBanner, Link, useAsync } from '../components/common.js';

type Change = Result<'audit-logs-list'>[number];

interface Kind {
  /** How the dashboard calls this kind of object. */
  readonly label: string;
  /** The object's page, where it has one. */
  readonly page?: (id: string) => string;
  /** The object as it is now (an ApiFailure with status 404 once it is deleted). */
  readonly get?: (api: AccountApi, id: string) => Promise<{ result: unknown }>;
}

const KINDS: Readonly<Record<string, Kind>> = {
  policy: { label: 'policy', page: (id) => `/policies/${encodeURIComponent(id)}`, get: (api, id) => api.policies.get(id) },
  group: { label: 'access group', page: (id) => `/groups/${encodeURIComponent(id)}`, get: (api, id) => api.groups.get(id) },
  list: { label: 'list', page: (id) => `/lists/${encodeURIComponent(id)}`, get: (api, id) => api.lists.get(id) },
  app: { label: 'application', page: (id) => `/apps/${encodeURIComponent(id)}`, get: (api, id) => api.apps.get(id) },
  service_token: { label: 'service token', page: (id) => `/service-tokens/${encodeURIComponent(id)}`, get: (api, id) => api.serviceTokens.get(id) },
  identity_provider: { label: 'identity provider', get: (api, id) => api.identityProviders.get(id) },
  posture_rule: { label: 'device posture rule', get: (api, id) => api.postureRules.get(id) },
  user: { label: 'user', get: (api, id) => api.users.get(id) },
  users: { label: 'users' },
  app_policy: { label: 'application policy' },
  organization: { label: 'organization', page: () => '/organization' },
  account: { label: 'account' },
  certificate: { label: 'mTLS certificate' },
  certificate_settings: { label: 'mTLS hostname settings' },
  tag: { label: 'tag' },
  signing_key: { label: 'signing key' },
  saml_sp_key: { label: 'SAML signing key' },
  session_revocation: { label: 'user sessions revocation' },
  scim_user: { label: 'SCIM user' },
  scim_group: { label: 'SCIM group' },
  policy_test: { label: 'policy test', page: (id) => `/tester?test=${encodeURIComponent(id)}` },
};

const kindOf = (type: string | undefined): Kind => KINDS[type ?? ''] ?? { label: (type ?? 'object').replace(/_/g, ' ') };

/** The name a stored value gives its object, if any. */
function nameIn(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  for (const key of ['name', 'email', 'userName', 'displayName', 'domain']) {
    const name = v[key];
    if (typeof name === 'string' && name !== '') return name;
  }
  return undefined;
}

function parsed(json: string | undefined): unknown {
  if (json === undefined) return undefined;
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return undefined;
  }
}

/** The object's name as the change recorded it: after the change, or before it for a delete. */
const loggedName = (c: Change): string | undefined => nameIn(parsed(c.newValue)) ?? nameIn(parsed(c.oldValue));

/** What the dashboard knows of an object now. */
type Present = { readonly state: 'exists'; readonly name?: string } | { readonly state: 'deleted' } | { readonly state: 'unknown' };

const keyOf = (c: Change): string => `${c.resource?.type ?? ''}/${c.resource?.id ?? ''}`;

/** Each changed object looked up once: its current name, or that it is gone. */
async function lookUp(api: AccountApi, changes: readonly Change[]): Promise<Map<string, Present>> {
  const found = new Map<string, Present>();
  await Promise.all(
    [...new Set(changes.map(keyOf))].map(async (key) => {
      const change = changes.find((c) => keyOf(c) === key)!;
      const get = kindOf(change.resource?.type).get;
      const id = change.resource?.id;
      if (get === undefined || id === undefined) return found.set(key, change.action?.type === 'delete' ? { state: 'deleted' } : { state: 'unknown' });
      try {
        found.set(key, { state: 'exists', name: nameIn((await get(api, id)).result) });
      } catch (err) {
        found.set(key, err instanceof ApiFailure && err.status === 404 ? { state: 'deleted' } : { state: 'unknown' });
      }
    }),
  );
  return found;
}

/** An import's counts, as the log keeps them. */
function importSummary(c: Change): string | undefined {
  const counts = parsed(c.newValue) as { created?: unknown; updated?: unknown } | undefined;
  if (typeof counts?.created !== 'number' || typeof counts.updated !== 'number') return undefined;
  return `${counts.created} created, ${counts.updated} updated`;
}

function Subject({ change, present }: { change: Change; present: Present | undefined }) {
  const kind = kindOf(change.resource?.type);
  const id = change.resource?.id ?? '';
  if (change.resource?.type === 'users') {
    const summary = importSummary(change);
    return <>{summary === undefined ? 'users' : `users (${summary})`}</>;
  }
  const deleted = present?.state === 'deleted';
  const name = (present?.state === 'exists' ? present.name : undefined) ?? loggedName(change);
  const page = kind.page !== undefined && !deleted ? kind.page(id) : undefined;
  const shown = name === undefined ? <code class="long-name">{id}</code> : <span class="long-name">{name}</span>;
  return (
    <>
      {kind.label} {page === undefined ? shown : <Link href={page}>{shown}</Link>}
      {deleted && ' (deleted)'}
    </>
  );
}

export function RecentChanges({ count }: { count: number }) {
  const { api } = useApp();
  const changes = useAsync(async () => {
    const result = (await api.recentChanges(count)).result;
    return { result, present: await lookUp(api, result) };
  }, []);
  const data = changes.data;
  return (
    <section aria-labelledby="recent-changes">
      <h2 id="recent-changes">Recent changes</h2>
      <ErrorBanner error={changes.error} title="The changes could not be loaded" />
      {data !== undefined && data.result.length === 0 && <p class="empty">No change recorded yet.</p>}
      {data !== undefined && data.result.length > 0 && (
        <ul class="recent">
          {data.result.map((c) => (
            <li key={c.id}>
              <time dateTime={c.when}>{c.when === undefined ? '' : new Date(c.when).toLocaleString()}</time> — {c.action?.type?.replace(/_/g, ' ')}{' '}
              <Subject change={c} present={data.present.get(keyOf(c))} /> by {c.actor?.id === 'root' ? 'the root token' : `token ${c.actor?.id ?? '?'}`}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
