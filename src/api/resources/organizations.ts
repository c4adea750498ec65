// Cloudflare's Zero Trust organization: GET, POST and PUT /accounts/{account_id}/access/organizations,
// and POST .../organizations/revoke_user. Its auth_domain is where users sign in and the issuer
// of application tokens (docs/enforcement.md); without one stored, the server's own URL.

import { authDomainUrl, readOrganization, revokeSessions, type OrganizationBody } from '../../account/organization.js';
import { HOST_CLAIMS_LOCK, type ResourceRecord, type StoreWriter } from '../../store/store.js';
import { authDomainHosts } from '../../schema/auth-domain.js';
import { authDomainsOfOthers, othersProtect } from '../../account/hosts-of-others.js';
import { apiError, validationError, type RequestIssue } from '../errors.js';
import { defineRoute, type ApiContext, type RouteDef } from '../route.js';
import { anyObject, bool, obj, str } from '../../schema/json-schema.js';
import { compact, defaultAuthDomainOf } from './common.js';
import { bodyChecker } from '../../schema/validator.js';
import { durationIssue } from './durations.js';
import { customPageRefs, organizationCustomPageIssues } from './custom-pages.js';

const PATH = '/accounts/{account_id}/access/organizations';
const TAG = 'Zero Trust organization';
const READ = ['Access: Organizations, Identity Providers, and Groups Read', 'Access: Organizations, Identity Providers, and Groups Write'] as const;
const WRITE = ['Access: Organizations, Identity Providers, and Groups Write'] as const;

const FIELDS = {
  name: str({ minLength: 1, description: 'The name of the organization, shown on sign-in pages.' }),
  auth_domain: str({ minLength: 1, description: 'Where users sign in: this server as users reach it ("access.example.com" means https, or a full URL). The issuer of application tokens.' }),
  session_duration: str({ description: 'How long a sign-in lasts: the global session on the auth domain, and applications that set none (Go duration, e.g. "24h").' }),
  is_ui_read_only: bool('Accepted and kept: the dashboard does not lock itself.'),
  ui_read_only_toggle_reason: str(),
  user_seat_expiration_inactive_time: str({ description: 'Accepted and kept (no seat expires): a Go duration of at least 730h, one month.' }),
  warp_auth_session_duration: str({ description: 'Accepted and kept.' }),
  allow_authenticate_via_warp: bool(),
  auto_redirect_to_identity: bool(),
  login_design: anyObject(),
  custom_pages: anyObject(),
};

const ORGANIZATION = obj(
  { ...FIELDS, created_at: str({ format: 'date-time' }), updated_at: str({ format: 'date-time' }) },
  { required: ['name', 'auth_domain'], additional: true, description: 'The Zero Trust organization of the account.' },
);

/** What the organization's own checks find wrong in the string fields a body gives. */
function ownIssues(body: Readonly<Record<string, unknown>>): RequestIssue[] {
  const issues: RequestIssue[] = [];
  // Cloudflare: a seat expires after one month (730h) of inactivity at the soonest.
  const minHours: Record<string, number | undefined> = { user_seat_expiration_inactive_time: 730 };
  for (const field of ['session_duration', 'warp_auth_session_duration', 'user_seat_expiration_inactive_time']) {
    const value = body[field];
    const issue = typeof value === 'string' ? durationIssue(value, `/${field}`, '"24h"', minHours[field]) : undefined;
    if (issue !== undefined) issues.push(issue);
  }
  if (typeof body.auth_domain === 'string') {
    try {
      const url = new URL(authDomainUrl(body.auth_domain));
      if (url.pathname !== '/' || url.search !== '' || url.hash !== '') throw new Error('a path');
    } catch {
      issues.push({ code: 'invalid_format', pointer: '/auth_domain', message: `${JSON.stringify(body.auth_domain)} is not a host name or an http(s) URL without a path.` });
    }
  }
  return issues;
}

const CREATE_BODY = obj(FIELDS, { required: ['name', 'auth_domain'], additional: true });
const UPDATE_BODY = obj(FIELDS, { additional: true });
const checkCreate = bodyChecker(CREATE_BODY);
const checkUpdate = bodyChecker(UPDATE_BODY);

/**
 * The body, or every problem it has at once: the schema's and the organization's own checks
 * together, so a form shows each at its field rather than one pass of them at a time.
 */
function checkedBody(check: typeof checkUpdate, body: unknown): OrganizationBody {
  const schema = check(body);
  const issues = [...(schema.ok ? [] : schema.issues), ...(typeof body === 'object' && body !== null && !Array.isArray(body) ? ownIssues(body as Record<string, unknown>) : [])];
  if (issues.length > 0) throw validationError(issues);
  return body as OrganizationBody;
}

/** The stored organization over the defaults (an update may have come before any create). */
async function answer(ctx: ApiContext, accountId: string): Promise<Record<string, unknown>> {
  const stored = await readOrganization(ctx.store.read, accountId);
  const account = await ctx.store.read.getAccount(accountId);
  const defaults = { name: account?.name ?? accountId, auth_domain: ctx.defaultAuthDomain(), session_duration: '24h', is_ui_read_only: false };
  if (stored === undefined) return defaults;
  return { ...defaults, ...stored.body, created_at: stored.createdAt, updated_at: stored.updatedAt };
}

/**
 * Refuses an auth domain that is another account's: the auth domain its organization names (as
 * the enforcement point compares them: host and port, case and a trailing dot aside), or the
 * server's own address while it is the default account's. Two accounts naming one auth domain
 * answer there for neither, and one naming the default account's takes it over (docs/
 * enforcement.md "Several accounts on one server"): without this, an account's administrator
 * could take another account's sign-ins and published keys away. Refuses too a host another
 * account's application covers (on any port, as applications match hosts), where this
 * account's sign-in pages and session cookies would be served on the other's application
 * origin. Asked only when the auth domain changes: it reads every account's organization and
 * applications, in the write's transaction and under the lock of host claims, so that a claim
 * of another account at the same instant (in this process or another) cannot pass beside it.
 */
async function refuseHostOfAnother(ctx: ApiContext, tx: StoreWriter, accountId: string, authDomain: string, stored: ResourceRecord | undefined): Promise<void> {
  const wanted = authDomainHosts(authDomain);
  if (wanted === undefined) return;
  const current = typeof stored?.body.auth_domain === 'string' ? authDomainHosts(stored.body.auth_domain)?.exact : undefined;
  if (current === wanted.exact) return;
  const refuse = (why: string): never => {
    throw validationError([{ code: 'duplicate_entry', pointer: '/auth_domain', message: `${JSON.stringify(authDomain)} is ${why}` }]);
  };
  await tx.takeLock(HOST_CLAIMS_LOCK);
  for (const other of await authDomainsOfOthers(tx, accountId, defaultAuthDomainOf(ctx))) {
    if (other.host !== wanted.exact) continue;
    refuse(`${other.serverAddress ? "this server's own address, the default account's auth domain" : "another account's auth domain"}: each account signs in on an auth domain of its own.`);
  }
  if (await othersProtect(tx, accountId, wanted.exact, ctx.defaultAccountId)) {
    refuse(`on ${wanted.hostname}, a host another account's application covers (on every port): an account's sign-in pages and session cookies cannot be served on another account's application host.`);
  }
}

async function write(ctx: ApiContext, accountId: string, body: OrganizationBody, mustBeNew: boolean): Promise<void> {
  await ctx.store.transaction(accountId, async (tx) => {
    const existing = await tx.getResource(accountId, 'organization', accountId);
    if (typeof body.auth_domain === 'string') await refuseHostOfAnother(ctx, tx, accountId, body.auth_domain, existing);
    if (existing !== undefined && mustBeNew) throw apiError('already_exists', { detail: 'This account already has a Zero Trust organization: change it with PUT.' });
    const next = compact({ ...(existing?.body ?? {}), ...body }) as Record<string, unknown>;
    // The pages it chooses are checked only when sent: they are references, so they cannot go stale.
    const pageIssues = body.custom_pages === undefined ? [] : await organizationCustomPageIssues(tx, accountId, body.custom_pages);
    if (pageIssues.length > 0) throw validationError(pageIssues);
    const name = typeof next.name === 'string' ? next.name : accountId;
    const refs = customPageRefs(next.custom_pages);
    if (existing === undefined) await tx.insertResource({ accountId, kind: 'organization', id: accountId, parentId: null, name, body: next, secretHash: null, createdAt: new Date().toISOString() }, refs);
    else await tx.updateResource(accountId, 'organization', accountId, { name, body: next }, refs);
  });
}

export const organizationRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET',
    path: PATH,
    operationId: 'zero-trust-organization-get-your-zero-trust-organization',
    summary: 'Get the Zero Trust organization',
    description: 'Before one is created, the defaults: the account name and this server as the auth domain.',
    tag: TAG,
    permissions: [...READ],
    status: 200,
    result: ORGANIZATION,
    handler: async ({ accountId, ctx }) => ({ result: await answer(ctx, accountId) }),
  }),
  defineRoute({
    method: 'POST',
    path: PATH,
    operationId: 'zero-trust-organization-create-your-zero-trust-organization',
    summary: 'Create the Zero Trust organization',
    tag: TAG,
    permissions: [...WRITE],
    documentedBody: CREATE_BODY,
    status: 201,
    result: ORGANIZATION,
    handler: async ({ accountId, body, ctx }) => {
      await write(ctx, accountId, checkedBody(checkCreate, body), true);
      return { result: await answer(ctx, accountId) };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: PATH,
    operationId: 'zero-trust-organization-update-your-zero-trust-organization',
    summary: 'Update the Zero Trust organization',
    description: 'Fields sent replace the stored ones; fields left out keep their values.',
    tag: TAG,
    permissions: [...WRITE],
    documentedBody: UPDATE_BODY,
    status: 200,
    result: ORGANIZATION,
    handler: async ({ accountId, body, ctx }) => {
      await write(ctx, accountId, checkedBody(checkUpdate, body), false);
      return { result: await answer(ctx, accountId) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${PATH}/revoke_user`,
    operationId: 'zero-trust-organization-revoke-all-access-tokens-for-a-user',
    summary: "End a user's sessions",
    description: "Every application token issued to the user before now stops being accepted at the next request; the user signs in again. Answers true, or false for an email the account has no user with.",
    tag: TAG,
    permissions: [...WRITE],
    body: obj({ email: str({ minLength: 1, description: 'The user whose sessions end.' }), devices: bool(), user_uid: str(), warp_session_reauth: bool() }, { required: ['email'] }),
    status: 200,
    result: bool('Whether a user\'s sessions were ended.'),
    handler: async ({ accountId, body, ctx }) => {
      const user = await ctx.store.read.getUserByEmail(accountId, body.email);
      if (user === undefined) return { result: false };
      await revokeSessions(ctx.store, accountId, user.id);
      return { result: true };
    },
  }),
];
