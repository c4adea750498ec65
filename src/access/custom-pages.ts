// The administrator's custom page a refusal shows (docs/enforcement.md "What a refused user
// sees"): for a signed-in user the policies refuse, the identity_denied page the application
// chose in its custom_pages, else the one its organization chose; for a refusal by non-identity
// rules (a service token refused), the forbidden page likewise. Undefined when neither chose one:
// the built-in page is shown. Read when a refusal is answered, not kept in memory: refusals are
// answered after a read anyway, and an edited page shows at once.

import type { FastifyReply } from 'fastify';
import type { ResourceRecord, StoreReader } from '../store/store.js';

/** The custom page types the enforcement point shows. */
export type RefusalPageType = 'identity_denied' | 'forbidden';

const htmlOf = (page: ResourceRecord | undefined, type: RefusalPageType): string | undefined =>
  page !== undefined && page.body.type === type && typeof page.body.custom_html === 'string' ? page.body.custom_html : undefined;

/** The HTML of the custom page of `type` for a refusal by `app`: the application's choice, else its organization's. */
export async function customRefusalPage(store: StoreReader, app: ResourceRecord, type: RefusalPageType): Promise<string | undefined> {
  const chosen = Array.isArray(app.body.custom_pages) ? app.body.custom_pages.filter((uid): uid is string => typeof uid === 'string') : [];
  if (chosen.length > 0) {
    // Checked on write to hold one page of each type at most; the first of the type if not.
    const html = (await store.getResources(app.accountId, 'custom_page', chosen)).map((page) => htmlOf(page, type)).find((found) => found !== undefined);
    if (html !== undefined) return html;
  }
  const organization = await store.getResource(app.accountId, 'organization', app.accountId);
  const pages = organization?.body.custom_pages;
  const uid = pages !== null && typeof pages === 'object' ? (pages as Record<string, unknown>)[type] : undefined;
  return typeof uid === 'string' && uid !== '' ? htmlOf(await store.getResource(app.accountId, 'custom_page', uid), type) : undefined;
}

/**
 * A refusal (403, as the built-in page's) with the administrator's HTML as written: that is the
 * feature, so it gets no script policy of the enforcement point's own pages, only what keeps it
 * out of another site's frame, set here so that no hook replaces it.
 */
export function sendCustomRefusalPage(reply: FastifyReply, html: string): FastifyReply {
  return reply
    .code(403)
    .header('x-frame-options', 'DENY')
    .header('content-security-policy', "frame-ancestors 'none'")
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(html);
}
