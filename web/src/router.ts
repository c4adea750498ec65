// A small history-API router: the server answers every dashboard path with index.html, and
// pages read the current path through useLocation().

import { useEffect, useState } from 'preact/hooks';

const CHANGE = 'portcullis:navigate';

/** Unsaved work that leaving the page would lose: a question to confirm, or undefined. */
let leaveQuestion: (() => string | undefined) | undefined;

/**
 * Ask before leaving while `question` answers a text (unsaved changes): in-app navigation asks
 * with confirm(), closing or reloading the tab with the browser's own prompt. Returns the undo.
 */
export function guardLeaving(question: () => string | undefined): () => void {
  leaveQuestion = question;
  const beforeUnload = (event: BeforeUnloadEvent): void => {
    if (question() !== undefined) event.preventDefault();
  };
  addEventListener('beforeunload', beforeUnload);
  return () => {
    if (leaveQuestion === question) leaveQuestion = undefined;
    removeEventListener('beforeunload', beforeUnload);
  };
}

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (path === location.pathname + location.search) return;
  const question = leaveQuestion?.();
  if (question !== undefined && !confirm(question)) return;
  if (options.replace === true) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  dispatchEvent(new Event(CHANGE));
}

export interface Location {
  readonly path: string;
  readonly query: URLSearchParams;
}

const current = (): Location => ({ path: location.pathname, query: new URLSearchParams(location.search) });

export function useLocation(): Location {
  const [where, setWhere] = useState(current);
  useEffect(() => {
    const update = (): void => setWhere(current());
    addEventListener(CHANGE, update);
    addEventListener('popstate', update);
    return () => {
      removeEventListener(CHANGE, update);
      removeEventListener('popstate', update);
    };
  }, []);
  return where;
}

/** Match "/policies/:id" against a path: the parameters, or undefined. */
export function matchRoute(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.replace(/\/+$/, '').split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) params[want[i].slice(1)] = decodeURIComponent(got[i]);
    else if (want[i] !== got[i]) return undefined;
  }
  return params;
}

/** Change the address bar only, keeping the page as it is (a new document got its id). */
export function replaceAddress(path: string): void {
  history.replaceState(null, '', path);
}
