// A small history-API router: the server answers every dashboard path with index.html, and
// pages read the current path through useLocation().

import { useEffect, useState } from 'preact/hooks';

const CHANGE = 'portcullis:navigate';

/** Unsaved work that leaving the page would lose, one guard per form (a page may have several). */
const leaveQuestions = new Set<() => string | undefined>();

/** The first question an unsaved form asks before leaving, or undefined when nothing is unsaved. */
export function unsavedQuestion(): string | undefined {
  for (const question of leaveQuestions) {
    const text = question();
    if (text !== undefined) return text;
  }
  return undefined;
}

/** Whether the user agrees to leave: nothing is unsaved, or they confirm losing it. */
export function mayLeave(): boolean {
  const question = unsavedQuestion();
  return question === undefined || confirm(question);
}

/**
 * Ask before leaving while `question` answers a text (unsaved changes): in-app navigation asks
 * with confirm(), closing or reloading the tab with the browser's own prompt. Returns the undo.
 */
export function guardLeaving(question: () => string | undefined): () => void {
  leaveQuestions.add(question);
  const beforeUnload = (event: BeforeUnloadEvent): void => {
    if (question() !== undefined) event.preventDefault();
  };
  addEventListener('beforeunload', beforeUnload);
  return () => {
    leaveQuestions.delete(question);
    removeEventListener('beforeunload', beforeUnload);
  };
}

/**
 * Go to `path`, asking first when a form has unsaved changes. `ask: false` leaves without the
 * question when the changes are not lost by it (the document was deleted, or the draft goes along).
 */
export function navigate(path: string, options: { replace?: boolean; ask?: boolean } = {}): void {
  if (path === location.pathname + location.search) return;
  if (options.ask !== false && !mayLeave()) return;
  if (options.replace === true) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  shown = path;
  dispatchEvent(new Event(CHANGE));
}

/** The address of the page shown: where a Back or Forward the user declines returns the address bar to. */
let shown: string | undefined;
let watchingHistory = false;

/**
 * The browser's Back and Forward, asked about like in-app navigation: the history has already
 * moved when the browser says so, so a declined move puts the page's own address back.
 */
function watchHistory(): void {
  if (watchingHistory) return;
  watchingHistory = true;
  shown = location.pathname + location.search;
  addEventListener('popstate', () => {
    const to = location.pathname + location.search;
    if (to === shown) return;
    if (!mayLeave()) {
      history.pushState(null, '', shown);
      return;
    }
    shown = to;
    dispatchEvent(new Event(CHANGE));
  });
}

export interface Location {
  readonly path: string;
  readonly query: URLSearchParams;
}

const current = (): Location => ({ path: location.pathname, query: new URLSearchParams(location.search) });

export function useLocation(): Location {
  const [where, setWhere] = useState(current);
  useEffect(() => {
    watchHistory();
    const update = (): void => setWhere(current());
    addEventListener(CHANGE, update);
    return () => removeEventListener(CHANGE, update);
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
  shown = path;
}
