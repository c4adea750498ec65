// A consistency check of what an account holds, through the public API and the store's reads:
// every kind lists completely (paging through) and agrees with the store, every listed item
// reads back by id as it was listed, totals match, stored policies and groups still parse,
// no reference points at (or comes from) something that is gone, applications' policies
// exist, Gateway list counts match their items, user emails are unique, and policy tests'
// counters add up. Used after fuzzing; returns the problems instead of stopping at the first.

import { isDeepStrictEqual } from 'node:util';
import { parseGroup, parsePolicy } from '../../src/engine/index.js';
import type { ResourceKind, Store } from '../../src/store/store.js';

/** What the check needs of a server: its store and an authenticated JSON client (TestServer fits). */
export interface CheckedServer {
  readonly store: Store;
  api(method: string, path: string): Promise<{ status: number; json: any }>;
}

export interface ConsistencyReport {
  readonly accounts: number;
  /** Items read back, by kind (users included). */
  readonly items: Record<string, number>;
  readonly references: number;
  readonly listItems: number;
  readonly policyTests: number;
  readonly problems: string[];
}

const COLLECTIONS: readonly { readonly kind: ResourceKind; readonly path: string }[] = [
  { kind: 'policy', path: '/access/policies' },
  { kind: 'group', path: '/access/groups' },
  { kind: 'app', path: '/access/apps' },
  { kind: 'identity_provider', path: '/access/identity_providers' },
  { kind: 'service_token', path: '/access/service_tokens' },
  { kind: 'certificate', path: '/access/certificates' },
  { kind: 'posture_rule', path: '/devices/posture' },
  { kind: 'list', path: '/gateway/lists' },
];

const PER_PAGE = 50;
/** A listing that goes on longer than this is itself a problem (it never ends). */
const MAX_PAGES = 10_000;

interface Listing {
  readonly items: Record<string, any>[];
  readonly problems: string[];
}

/** Every item of a list endpoint, page by page, checking that totals hold still and add up and that `key` is unique. */
async function listAll(server: CheckedServer, path: string, key = 'id'): Promise<Listing> {
  const items: Record<string, any>[] = [];
  const problems: string[] = [];
  let total: number | undefined;
  for (let page = 1; page <= MAX_PAGES; page++) {
    const res = await server.api('GET', `${path}?page=${page}&per_page=${PER_PAGE}`);
    if (res.status !== 200) return { items, problems: [...problems, `GET ${path} page ${page}: ${res.status} ${JSON.stringify(res.json?.errors)}`] };
    const info = res.json.result_info as { total_count: number; total_pages: number; count: number } | undefined;
    const result = res.json.result as Record<string, any>[];
    items.push(...result);
    if (info === undefined) return { items, problems: [...problems, `GET ${path}: no result_info`] };
    if (info.count !== result.length) problems.push(`GET ${path} page ${page}: count ${info.count} but ${result.length} items`);
    if (total !== undefined && info.total_count !== total) problems.push(`GET ${path}: total_count changed from ${total} to ${info.total_count} between pages`);
    total = info.total_count;
    if (page >= info.total_pages || result.length === 0) break;
  }
  if (total !== undefined && total !== items.length) problems.push(`GET ${path}: total_count ${total} but ${items.length} items listed`);
  const keys = items.map((i) => String(i[key]));
  if (new Set(keys).size !== keys.length) problems.push(`GET ${path}: a ${key} is listed twice`);
  return { items, problems };
}

/** Each listed item, read by id, must be what the listing said. */
async function readBack(server: CheckedServer, path: string, items: readonly Record<string, any>[], problems: string[]): Promise<void> {
  for (const item of items) {
    const res = await server.api('GET', `${path}/${encodeURIComponent(String(item.id))}`);
    if (res.status !== 200) problems.push(`GET ${path}/${item.id}: ${res.status} ${JSON.stringify(res.json?.errors)} although listed`);
    else if (!isDeepStrictEqual(res.json.result, item)) problems.push(`GET ${path}/${item.id} differs from its listing: ${JSON.stringify(res.json.result).slice(0, 300)} vs ${JSON.stringify(item).slice(0, 300)}`);
  }
}

function sameIds(what: string, listed: readonly Record<string, any>[], stored: readonly { id: string }[], problems: string[]): void {
  const a = listed.map((i) => String(i.id)).sort();
  const b = stored.map((r) => r.id).sort();
  if (!isDeepStrictEqual(a, b)) problems.push(`${what}: the API lists ${a.length} items, the store holds ${b.length}, and they differ`);
}

export async function checkStoreConsistency(server: CheckedServer, accountIds: readonly string[], policyTestIds: readonly string[] = []): Promise<ConsistencyReport> {
  const problems: string[] = [];
  const items: Record<string, number> = {};
  let references = 0;
  let listItems = 0;
  let policyTests = 0;
  const read = server.store.read;
  for (const accountId of accountIds) {
    const account = `/accounts/${accountId}`;
    const note = (problem: string) => problems.push(`account ${accountId}: ${problem}`);

    for (const { kind, path } of COLLECTIONS) {
      const listing = await listAll(server, account + path);
      listing.problems.forEach(note);
      const local: string[] = [];
      await readBack(server, account + path, listing.items, local);
      local.forEach(note);
      sameIds(`${kind}s`, listing.items, await read.allResources(accountId, kind), problems);
      items[kind] = (items[kind] ?? 0) + listing.items.length;
    }

    // Stored rules still parse: a write never stores what the engine refuses.
    for (const record of [...(await read.allResources(accountId, 'policy')), ...(await read.allResources(accountId, 'app_policy'))]) {
      if (!parsePolicy(record.body, { id: record.id, extraFields: ['precedence'] }).ok) note(`stored ${record.kind} ${record.id} does not parse`);
    }
    for (const record of await read.allResources(accountId, 'group')) {
      if (!parseGroup(record.body, { id: record.id }).ok) note(`stored group ${record.id} does not parse`);
    }

    // Applications: linked policies exist, app-scoped policies have their application, and the API lists both.
    const apps = await read.allResources(accountId, 'app');
    const appIds = new Set(apps.map((a) => a.id));
    for (const app of apps) {
      const links = Array.isArray(app.body.policies) ? (app.body.policies as { id: string }[]) : [];
      for (const link of links) if ((await read.getResource(accountId, 'policy', link.id)) === undefined) note(`app ${app.id} links policy ${link.id}, which does not exist`);
      const scoped = await read.allResources(accountId, 'app_policy', { parentId: app.id });
      const listing = await listAll(server, `${account}/access/apps/${app.id}/policies`);
      listing.problems.forEach(note);
      if (listing.items.length !== links.length + scoped.length) note(`app ${app.id} lists ${listing.items.length} policies, has ${links.length} links and ${scoped.length} of its own`);
      const local: string[] = [];
      await readBack(server, `${account}/access/apps/${app.id}/policies`, listing.items, local);
      local.forEach(note);
      items.app_policy = (items.app_policy ?? 0) + listing.items.length;
    }
    for (const scoped of await read.allResources(accountId, 'app_policy')) {
      if (scoped.parentId === null || !appIds.has(scoped.parentId)) note(`app-scoped policy ${scoped.id} belongs to app ${scoped.parentId}, which does not exist`);
    }

    // References: both ends exist.
    for (const ref of await read.references(accountId)) {
      references++;
      if ((await read.getResource(accountId, ref.from.kind, ref.from.id)) === undefined) note(`a reference from ${ref.from.kind} ${ref.from.id}, which does not exist, to ${ref.to.kind} ${ref.to.id}`);
      if ((await read.getResource(accountId, ref.to.kind, ref.to.id)) === undefined) note(`${ref.from.kind} ${ref.from.id} references ${ref.to.kind} ${ref.to.id}, which does not exist`);
    }

    // Gateway lists: count is the number of items, however they are read.
    const lists = await read.allResources(accountId, 'list');
    const counts = await read.listItemCounts(accountId, lists.map((l) => l.id));
    for (const list of lists) {
      const listed = await listAll(server, `${account}/gateway/lists/${list.id}/items`, 'value');
      listed.problems.forEach(note);
      const shown = (await server.api('GET', `${account}/gateway/lists/${list.id}`)).json.result?.count;
      listItems += listed.items.length;
      if (shown !== listed.items.length || counts.get(list.id) !== listed.items.length) note(`list ${list.id}: count ${shown}, ${listed.items.length} items listed, ${counts.get(list.id)} stored`);
    }

    // Users: listed completely, readable, emails unique whatever their case.
    const users = await listAll(server, `${account}/access/users`);
    users.problems.forEach(note);
    const local: string[] = [];
    await readBack(server, `${account}/access/users`, users.items, local);
    local.forEach(note);
    items.user = (items.user ?? 0) + users.items.length;
    const emails = users.items.map((u) => String(u.email).toLowerCase());
    if (new Set(emails).size !== emails.length) note('two users share an email (ignoring case)');
    if ((await read.countUsers(accountId)) !== users.items.length) note(`the store counts ${await read.countUsers(accountId)} users, the API lists ${users.items.length}`);

    // Policy tests: readable, and their counters add up.
    for (const id of policyTestIds) {
      const test = await server.store.tests.get(accountId, id);
      if (test === undefined) continue;
      policyTests++;
      const res = await server.api('GET', `${account}/access/policy-tests/${id}`);
      if (res.status !== 200) note(`policy test ${id}: ${res.status}`);
      if (test.approved + test.blocked + test.errored !== test.processedUsers) note(`policy test ${id}: ${test.approved} + ${test.blocked} + ${test.errored} decided but ${test.processedUsers} processed`);
      if (test.processedUsers > test.totalUsers || test.chunksDone > test.chunkCount) note(`policy test ${id}: more processed than there is`);
      if (test.status === 'complete' && test.processedUsers !== test.totalUsers) note(`policy test ${id}: complete with ${test.processedUsers} of ${test.totalUsers} users processed`);
    }
  }
  return { accounts: accountIds.length, items, references, listItems, policyTests, problems };
}
