// Paging at scale: how long a page of the users list and of a policy test's results takes at the
// start, the middle and the end of a directory, the first time after a change (the server counts
// the directory and walks to the page once) and again (docs/operations.md "Large directories").
// A page should cost the same wherever it is: paging through a directory is then linear in it.

import type { ServerProcess } from '../../test/support/server-process.js';

export interface PagingFigures {
  /** Pages of 50 users. */
  readonly users_page_first_read_ms: { readonly first: number; readonly middle: number; readonly last: number };
  readonly users_page_again_ms: { readonly first: number; readonly middle: number; readonly last: number };
  /** Pages of 50 results of the last policy test. */
  readonly results_page_first_read_ms: { readonly first: number; readonly middle: number; readonly last: number };
  readonly results_page_again_ms: { readonly first: number; readonly middle: number; readonly last: number };
}

const PER_PAGE = 50;

async function timedGet(server: ServerProcess, path: string): Promise<{ ms: number; json: any }> {
  const started = performance.now();
  const res = await fetch(`${server.apiUrl}/accounts/${server.accountId}${path}`, { headers: { authorization: `Bearer ${server.token}` } });
  const json = (await res.json()) as any;
  const ms = performance.now() - started;
  if (!json.success) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(json.errors)}`);
  return { ms: Math.round(ms * 10) / 10, json };
}

/** Pages 1, the middle one and the last, each read twice in a row. */
async function threePages(server: ServerProcess, path: (page: number) => string, total: number) {
  const pages = { first: 1, middle: Math.max(1, Math.ceil(total / PER_PAGE / 2)), last: Math.max(1, Math.ceil(total / PER_PAGE)) };
  const firstRead: Record<string, number> = {};
  const again: Record<string, number> = {};
  for (const [name, page] of Object.entries(pages)) {
    firstRead[name] = (await timedGet(server, path(page))).ms;
    again[name] = (await timedGet(server, path(page))).ms;
  }
  return { firstRead: firstRead as PagingFigures['users_page_again_ms'], again: again as PagingFigures['users_page_again_ms'] };
}

/** On a server whose account holds `users` users and at least one finished policy test. */
export async function measurePaging(server: ServerProcess, users: number): Promise<PagingFigures> {
  const userPages = await threePages(server, (page) => `/access/users?page=${page}&per_page=${PER_PAGE}`, users);
  const tests = (await timedGet(server, '/access/policy-tests?per_page=1')).json.result as { id: string; total_users: number }[];
  if (tests[0] === undefined) throw new Error('no policy test to page through');
  const resultPages = await threePages(server, (page) => `/access/policy-tests/${tests[0].id}/users?page=${page}&per_page=${PER_PAGE}`, tests[0].total_users);
  return {
    users_page_first_read_ms: userPages.firstRead,
    users_page_again_ms: userPages.again,
    results_page_first_read_ms: resultPages.firstRead,
    results_page_again_ms: resultPages.again,
  };
}
