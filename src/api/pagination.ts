// Cloudflare's "v4 page" pagination: `page` (1-based) and `per_page` in, `result_info` out.
// Past the last page the result is an empty array with status 200: the official SDK stops
// auto-pagination only on an empty page.

import type { PageRequest } from '../store/store.js';
import { int } from '../schema/json-schema.js';

export interface PageLimits {
  readonly defaultPerPage: number;
  readonly maxPerPage: number;
}

export const DEFAULT_LIMITS: PageLimits = { defaultPerPage: 25, maxPerPage: 1000 };

/** The highest page number: beyond it the offset would overflow the databases' 64-bit integers. */
export const MAX_PAGE = 1_000_000_000;

export function pageQueryProperties(limits: PageLimits = DEFAULT_LIMITS) {
  return {
    page: int({ minimum: 1, maximum: MAX_PAGE, default: 1, description: `Page number, from 1 (at most ${MAX_PAGE}).` }),
    per_page: int({ minimum: 1, maximum: limits.maxPerPage, default: limits.defaultPerPage, description: `Items per page (at most ${limits.maxPerPage}).` }),
  };
}

export interface Paging extends PageRequest {
  readonly page: number;
  readonly perPage: number;
}

/** The offset/limit of a validated query (its page and per_page have their defaults). */
export function paging(query: { page?: number; per_page?: number }, limits: PageLimits = DEFAULT_LIMITS): Paging {
  const page = query.page ?? 1;
  const perPage = query.per_page ?? limits.defaultPerPage;
  return { page, perPage, offset: (page - 1) * perPage, limit: perPage };
}

export interface ResultInfo {
  readonly page: number;
  readonly per_page: number;
  readonly count: number;
  readonly total_count: number;
  readonly total_pages: number;
}

export function resultInfo(p: Paging, count: number, total: number): ResultInfo {
  return { page: p.page, per_page: p.perPage, count, total_count: total, total_pages: Math.ceil(total / p.perPage) };
}

/** result_info of a list that always answers with everything on one page (no paging parameters). */
export function singlePageInfo(count: number): ResultInfo {
  return { page: 1, per_page: count, count, total_count: count, total_pages: count === 0 ? 0 : 1 };
}
