// The access log: the enforcement point's sign-ins and the requests its policies refused
// (Cloudflare's access/logs/access_requests), newest first, paged, filtered by user, outcome,
// application and time as the API filters them. The filters live in the address, so a link can
// open the log of one application (?app_uid=).

import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { AccessRequest } from '../api/operations.js';
import type { QueryOf } from '../api/resources.js';
import { useApp } from '../app-context.js';
import { ReferenceProblems } from '../components/reference-problem.js';
import { formatCount, Link, PageTitle, Pager, useAsync } from '../components/common.js';
import { TableView } from '../components/table.js';
import { replaceAddress, useLocation } from '../router.js';

type LogQuery = QueryOf<'access-authentication-logs-get-access-authentication-logs'>;

/** The filters as the form holds them (and the address carries them). */
interface Filters {
  readonly email: string;
  readonly exact: boolean;
  readonly allowed: '' | 'true' | 'false';
  readonly app_uid: string;
  /** datetime-local values, in the browser's time zone. */
  readonly since: string;
  readonly until: string;
  readonly direction: 'desc' | 'asc';
  readonly per_page: string;
}

const NO_FILTERS: Filters = { email: '', exact: false, allowed: '', app_uid: '', since: '', until: '', direction: 'desc', per_page: '25' };
const PAGE_SIZES = ['25', '50', '100'];

function filtersFrom(query: URLSearchParams): Filters {
  const pick = <T extends string>(value: string | null, allowed: readonly T[], fallback: T): T => (allowed.includes(value as T) ? (value as T) : fallback);
  return {
    email: query.get('email') ?? '',
    exact: query.get('email_exact') === 'true',
    allowed: pick(query.get('allowed'), ['', 'true', 'false'], ''),
    app_uid: query.get('app_uid') ?? '',
    since: query.get('since') ?? '',
    until: query.get('until') ?? '',
    direction: pick(query.get('direction'), ['desc', 'asc'], 'desc'),
    per_page: pick(query.get('per_page'), PAGE_SIZES, '25'),
  };
}

function addressOf(f: Filters): string {
  const query = new URLSearchParams();
  if (f.email !== '') query.set('email', f.email);
  if (f.email !== '' && f.exact) query.set('email_exact', 'true');
  if (f.allowed !== '') query.set('allowed', f.allowed);
  if (f.app_uid !== '') query.set('app_uid', f.app_uid);
  if (f.since !== '') query.set('since', f.since);
  if (f.until !== '') query.set('until', f.until);
  if (f.direction !== NO_FILTERS.direction) query.set('direction', f.direction);
  if (f.per_page !== NO_FILTERS.per_page) query.set('per_page', f.per_page);
  const text = query.toString();
  return `/access-log${text === '' ? '' : `?${text}`}`;
}

/** The browser's time zone as the From and Until pickers read times (the table shows UTC). */
const LOCAL_ZONE = ((): string => {
  const minutes = -new Date().getTimezoneOffset();
  const sign = minutes < 0 ? '−' : '+';
  const abs = Math.abs(minutes);
  return `your local time, UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
})();

/** A datetime-local value as the instant the API takes (undefined when empty or unreadable). */
function instant(local: string): string | undefined {
  if (local === '') return undefined;
  const at = new Date(local);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

function queryOf(filters: Filters, page: number): LogQuery {
  return {
    page,
    per_page: Number(filters.per_page),
    direction: filters.direction,
    ...(filters.email !== '' ? { email: filters.email, ...(filters.exact ? { email_exact: true } : {}) } : {}),
    ...(filters.allowed !== '' ? { allowed: filters.allowed === 'true' } : {}),
    ...(filters.app_uid !== '' ? { app_uid: filters.app_uid } : {}),
    ...(instant(filters.since) !== undefined ? { since: instant(filters.since)! } : {}),
    ...(instant(filters.until) !== undefined ? { until: instant(filters.until)! } : {}),
  };
}

const isFiltered = (f: Filters): boolean => f.email !== '' || f.allowed !== '' || f.app_uid !== '' || f.since !== '' || f.until !== '';

const formatTime = (iso: string): string => iso.slice(0, 19).replace('T', ' ');

/** A grant's length in words: "15 minutes", "1 hour", "24 hours". */
const grantLength = (seconds: number): string => (seconds % 3600 === 0 ? `${seconds / 3600} hour${seconds === 3600 ? '' : 's'}` : `${Math.round(seconds / 60)} minutes`);

/** An email that may wrap after its @ when the column is narrow (never inside a word). */
function breakableEmail(email: string): ComponentChildren {
  const at = email.lastIndexOf('@');
  return at < 0 ? email : (
    <>
      {email.slice(0, at + 1)}
      <wbr />
      {email.slice(at + 1)}
    </>
  );
}

export function AccessLogPage() {
  const { api, references } = useApp();
  const { query } = useLocation();
  const [applied, setApplied] = useState<Filters>(() => filtersFrom(query));
  const [form, setForm] = useState<Filters>(applied);
  const [page, setPage] = useState(1);
  const log = useAsync(() => api.accessLog(queryOf(applied, page)), [applied, page]);
  const apps = references.app;
  const appName = (id: string | undefined): string | undefined => apps.find((a) => a.id === id)?.name;

  const apply = (next: Filters): void => {
    setForm(next);
    setApplied(next);
    setPage(1);
    replaceAddress(addressOf(next));
  };
  // The Time heading reverses the order of the whole log, as the Order filter does; other filters being typed stay unapplied.
  const reorder = (direction: Filters['direction']): void => {
    const next = { ...applied, direction };
    setForm({ ...form, direction });
    setApplied(next);
    setPage(1);
    replaceAddress(addressOf(next));
  };
  const field = <K extends keyof Filters>(key: K, value: Filters[K]): void => setForm({ ...form, [key]: value });

  const entries = log.data?.result;
  const total = log.data?.info?.total_count ?? 0;
  return (
    <>
      <PageTitle>Access log</PageTitle>
      <p class="lead">Sign-ins through portcullis's enforcement point, and the requests its policies refused (a refusal at most once a minute per user and application).</p>
      <form
        class="filters"
        aria-label="Filter the access log"
        onSubmit={(event) => {
          event.preventDefault();
          apply(form);
        }}
      >
        <div class="filter-fields">
          <label>
            User email
            <input type="search" value={form.email} placeholder="part of an email" onInput={(e) => field('email', e.currentTarget.value.trim())} />
          </label>
          <label class="inline">
            <input type="checkbox" checked={form.exact} onChange={(e) => field('exact', e.currentTarget.checked)} />
            Exact email
          </label>
          <label>
            Outcome
            <select value={form.allowed} onChange={(e) => field('allowed', e.currentTarget.value as Filters['allowed'])}>
              <option value="">Any outcome</option>
              <option value="true">Allowed</option>
              <option value="false">Refused</option>
            </select>
          </label>
          <label>
            Application
            <select value={form.app_uid} onChange={(e) => field('app_uid', e.currentTarget.value)}>
              <option value="">Every application</option>
              {apps.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name ?? a.id}
                  {a.domain !== undefined ? ` (${a.domain})` : ''}
                </option>
              ))}
              {form.app_uid !== '' && !apps.some((a) => a.id === form.app_uid) && <option value={form.app_uid}>{form.app_uid}</option>}
            </select>
          </label>
          <label>
            From ({LOCAL_ZONE})
            <input type="datetime-local" value={form.since} onInput={(e) => field('since', e.currentTarget.value)} />
          </label>
          <label>
            Until ({LOCAL_ZONE})
            <input type="datetime-local" value={form.until} onInput={(e) => field('until', e.currentTarget.value)} />
          </label>
          <label>
            Order
            <select value={form.direction} onChange={(e) => field('direction', e.currentTarget.value === 'asc' ? 'asc' : 'desc')}>
              <option value="desc">Newest first</option>
              <option value="asc">Oldest first</option>
            </select>
          </label>
          <label>
            Per page
            <select value={form.per_page} onChange={(e) => field('per_page', e.currentTarget.value)}>
              {PAGE_SIZES.map((size) => (
                <option key={size} value={size}>
                  {size}
                </option>
              ))}
            </select>
          </label>
        </div>
        <ReferenceProblems kinds={['app']} />
        <div class="form-actions">
          <button type="submit" class="primary">
            Apply filters
          </button>
          <button type="button" disabled={!isFiltered(form) && !isFiltered(applied)} onClick={() => apply({ ...NO_FILTERS, direction: form.direction, per_page: form.per_page })}>
            Clear filters
          </button>
        </div>
      </form>
      <TableView
        what="Access log entries"
        error={log.error}
        items={entries}
        // Nine facts in seven columns, to fit the usual 1280px window: the action beside its
        // outcome (with the free text that explains it: reason, justification, approval), the
        // country under the address.
        columns={['Time (UTC)', 'User', 'Application', 'Outcome', 'Identity provider', 'IP address', 'Ray ID']}
        className="access-log"
        // The server pages the log: only its time order (the Order filter) sorts every page.
        serverSort={{ column: 0, descending: applied.direction === 'desc', reverse: () => reorder(applied.direction === 'desc' ? 'asc' : 'desc') }}
        empty={
          isFiltered(applied)
            ? 'No entries match these filters.'
            : 'Nothing is logged yet. An entry is written when someone signs in through the enforcement point, or when the policies refuse a signed-in user or a service token. Put an application behind portcullis from its "Protect it" page.'
        }
        row={(e: AccessRequest) => (
          <tr key={e.ray_id}>
            <td>
              {/* The date over the time (styles.css): the column takes no more room than the date. */}
              <time dateTime={e.created_at}>
                <span>{formatTime(e.created_at).slice(0, 10)}</span> <span>{formatTime(e.created_at).slice(11)}</span>
              </time>
            </td>
            <th scope="row">{e.user_email === undefined ? '—' : breakableEmail(e.user_email)}</th>
            <td>
              {e.app_uid !== undefined && appName(e.app_uid) !== undefined ? <Link href={`/apps/${e.app_uid}`}>{appName(e.app_uid)!}</Link> : (e.app_uid ?? '—')}
              {e.app_domain !== undefined && <span class="hint app-domain"> {e.app_domain}</span>}
            </td>
            <td>
              <span class="nowrap">
                {e.allowed ? <span class="badge badge-approved">Allowed</span> : <span class="badge badge-blocked">Refused</span>} {e.action}
              </span>
              {e.reason !== undefined && (
                <p class="hint outcome-note">
                  Reason: <span class="refusal-reason">{e.reason}</span>
                </p>
              )}
              {e.purpose_justification_response !== undefined && (
                <p class="hint outcome-note justification" title={e.purpose_justification_prompt}>
                  Justification: “{e.purpose_justification_response}”
                </p>
              )}
              {e.temporary_access_approvers !== undefined && (
                <p class="hint outcome-note approval">
                  Approved by {e.temporary_access_approvers.join(', ')}
                  {e.temporary_access_duration !== undefined ? ` for ${grantLength(e.temporary_access_duration)}` : ''}
                </p>
              )}
            </td>
            <td>{e.connection ?? '—'}</td>
            <td>
              {e.ip_address ?? '—'}
              {e.country !== undefined && <span class="hint country"> {e.country}</span>}
            </td>
            <td>
              <code>{e.ray_id}</code>
            </td>
          </tr>
        )}
      />
      {log.data !== undefined && (
        <>
          <p class="count" role="status">
            {formatCount(total)} {total === 1 ? 'entry' : 'entries'}
          </p>
          <Pager page={page} totalPages={log.data.info?.total_pages ?? 1} onPage={setPage} label="Access log pages" />
        </>
      )}
    </>
  );
}
