// Small shared pieces: links for the router, error banners, page headings that take focus,
// loading states, pagers and status badges.

import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from '../api/client.js';
import { navigate } from '../router.js';

/** An in-app link; `onClick` runs before the navigation (e.g. to reset state). */
export function Link({ href, children, onClick, ...rest }: { href: string; children: ComponentChildren; onClick?: () => void; class?: string; 'aria-current'?: 'page'; 'aria-label'?: string }) {
  const follow = (event: MouseEvent): void => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    onClick?.();
    navigate(href);
  };
  return (
    <a href={href} onClick={follow} {...rest}>
      {children}
    </a>
  );
}

/** A page's h1, focused when the page opens so screen readers announce the new page. */
/** "200,008": counts read at a glance. */
export const formatCount = (n: number): string => n.toLocaleString('en-US');

export function PageTitle({ children, actions }: { children: ComponentChildren; actions?: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus({ preventScroll: true }), []);
  // The tab and the history list name the page too.
  useEffect(() => {
    const text = heading.current?.textContent?.trim();
    document.title = text ? `${text} · portcullis` : 'portcullis';
  });
  return (
    <div class="page-title">
      <h1 tabIndex={-1} ref={heading}>
        {children}
      </h1>
      {actions !== undefined && <div class="actions">{actions}</div>}
    </div>
  );
}

/**
 * Bring an element that just appeared or changed (an error summary, a failure banner) into view
 * and give it focus, so that a user scrolled far down a long form sees what happened and a
 * screen reader reads it. `what` identifies the content: nothing moves while it stays the same.
 */
export function useReveal<T extends HTMLElement>(what: string | undefined) {
  const element = useRef<T>(null);
  useEffect(() => {
    if (what === undefined || element.current === null) return;
    element.current.scrollIntoView({ block: 'center' });
    element.current.focus({ preventScroll: true });
  }, [what]);
  return element;
}

/** `children`: what the user can do about this error, shown after it (a link to the resource it names). */
export function ErrorBanner({ error, title = 'Something went wrong', children }: { error: unknown; title?: string; children?: ComponentChildren }) {
  const shown = error === undefined || error === null ? undefined : `${title}: ${describeError(error)}`;
  const banner = useReveal<HTMLDivElement>(shown);
  if (shown === undefined) return null;
  return (
    <div class="banner banner-error" role="alert" tabIndex={-1} ref={banner}>
      <strong>{title}: </strong>
      {describeError(error)}
      {children !== undefined && children !== null && children !== false && <> {children}</>}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status">
      Loading {what}…
    </p>
  );
}

export interface AsyncState<T> {
  readonly data: T | undefined;
  readonly error: unknown;
  readonly loading: boolean;
  reload(): void;
}

/** Run `load` now and whenever `deps` change; stale answers are dropped. */
export function useAsync<T>(load: () => Promise<T>, deps: readonly unknown[]): AsyncState<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let current = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => current && setState({ data, loading: false }),
      (error: unknown) => current && setState({ error, loading: false }),
    );
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export function Pager({ page, totalPages, onPage, label }: { page: number; totalPages: number; onPage: (page: number) => void; label: string }) {
  if (totalPages <= 1) return null;
  return (
    <nav class="pager" aria-label={label}>
      <button type="button" disabled={page <= 1} onClick={() => onPage(1)}>
        First
      </button>
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous
      </button>
      <span aria-live="polite">
        Page {formatCount(page)} of {formatCount(totalPages)}
      </span>
      <button type="button" disabled={page >= totalPages} onClick={() => onPage(page + 1)}>
        Next
      </button>
      <button type="button" disabled={page >= totalPages} onClick={() => onPage(totalPages)}>
        Last
      </button>
    </nav>
  );
}

const STATUS_LABELS: Record<string, string> = { approved: 'Approved', blocked: 'Blocked', error: 'Error' };

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge badge-${status}`}>{STATUS_LABELS[status] ?? status}</span>;
}

export const DECISION_LABELS: Record<string, string> = { allow: 'Allow', deny: 'Block', non_identity: 'Service Auth', bypass: 'Bypass' };

export function DecisionBadge({ decision }: { decision: string }) {
  return <span class={`badge decision-${decision}`}>{DECISION_LABELS[decision] ?? decision}</span>;
}

/** A search box that reports its text after the user pauses typing. */
export function SearchBox({ label, value, onSearch }: { label: string; value: string; onSearch: (text: string) => void }) {
  const [text, setText] = useState(value);
  useEffect(() => {
    if (text === value) return undefined;
    const timer = setTimeout(() => onSearch(text), 250);
    return () => clearTimeout(timer);
  }, [text]);
  return (
    <div class="search">
      <label>
        {label}
        <input type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </label>
    </div>
  );
}
