// Access applications: /accounts/{account_id}/access/apps. An application carries its policies
// by precedence (links to reusable policies, or application-scoped policies), the identity
// providers users may log in with, and the settings Cloudflare keeps (stored as sent).

import { randomBytes } from 'node:crypto';
import { HOST_CLAIMS_LOCK, type ResourceFilter, type ResourceRecord, type ResourceRef, type StoreReader, type StoreWriter, type TextMatch } from '../../store/store.js';
import { apiError, validationError, type RequestIssue } from '../errors.js';
import { paging, pageQueryProperties, resultInfo } from '../pagination.js';
import { defineRoute, type RouteDef } from '../route.js';
import { APP_DEFAULTS, APP_REQUEST, APP_RESPONSE, DOMAIN_REQUIRED_TYPES, destinationProblem, TARGET_REQUIRED_TYPES, targetCriteriaProblems, SESSION_APP_TYPES, type AppRequest, type AppType } from '../../schema/apps.js';
import { corsHeadersOf } from '../../schema/cors.js';
import { serviceTokenHeaderProblem } from '../../schema/service-token-header.js';
import { arr, bool, obj, str } from '../../schema/json-schema.js';
import { keepOmittedSecrets, withoutSecrets } from '../../schema/secret-fields.js';
import { applyPolicyEntries, appLinks, attachedPolicies, attachedResult, type PolicyLink } from './app-attachments.js';
import { assertUnused, compact, defaultAuthDomainOf, getOr404, newId, timestamps } from './common.js';
import { durationIssue } from './durations.js';
import { revokeSessionsIn } from '../../account/organization.js';
import { authDomainsOfOthers, type DefaultAuthDomain } from '../../account/hosts-of-others.js';
import { destinationCoversHost, enforcedDestinationEntries, enforcedDestinationsOf } from '../../schema/destination-hosts.js';
import { hashSecret } from '../auth/authenticate.js';
import { isObject } from '../../engine/is-object.js';
import { appCustomPageIssues, customPageRefs } from './custom-pages.js';

const PATH = '/accounts/{account_id}/access/apps';
const ITEM = `${PATH}/{app_id}`;
export const APPS_READ = ['Access: Apps and Policies Read', 'Access: Apps and Policies Write'] as const;
export const APPS_WRITE = ['Access: Apps and Policies Write'] as const;
export const APP_ID_PARAM = { app_id: str({ description: 'The application id.' }) };

/** What answering a page of applications reads once for all of them, not once per application. */
interface PageReads {
  /** The reusable policies the page's applications link, by id. */
  readonly reusable: ReadonlyMap<string, ResourceRecord>;
  readonly organizationDuration: () => Promise<string>;
}

export async function appResult(store: StoreReader, accountId: string, record: ResourceRecord, page?: PageReads): Promise<Record<string, unknown>> {
  const attached = await attachedPolicies(store, accountId, record, page?.reusable);
  const type = String(record.body.type);
  // The session length in force when the application sets none: the organization's, else 24 h (as decided at the enforcement point).
  const needsDuration = SESSION_APP_TYPES.has(type) && typeof record.body.session_duration !== 'string';
  const session = needsDuration ? { session_duration: await (page?.organizationDuration() ?? organizationSessionDuration(store, accountId)) } : {};
  return { id: record.id, ...APP_DEFAULTS[type as AppType], ...session, ...withoutSecrets('app', record.body), policies: attached.map(attachedResult), ...timestamps(record) };
}

/** A page of applications as answered: the organization and the linked reusable policies read once for the page. */
async function appResults(store: StoreReader, accountId: string, records: readonly ResourceRecord[]): Promise<Record<string, unknown>[]> {
  const linked = [...new Set(records.flatMap((record) => appLinks(record).map((link) => link.id)))];
  const reusable = new Map((linked.length === 0 ? [] : await store.getResources(accountId, 'policy', linked)).map((r) => [r.id, r]));
  let duration: Promise<string> | undefined;
  const page: PageReads = { reusable, organizationDuration: () => (duration ??= organizationSessionDuration(store, accountId)) };
  return Promise.all(records.map((record) => appResult(store, accountId, record, page)));
}

async function organizationSessionDuration(store: StoreReader, accountId: string): Promise<string> {
  const organization = await store.getResource(accountId, 'organization', accountId);
  const duration = organization?.body.session_duration;
  return typeof duration === 'string' ? duration : '24h';
}

/** Checks JSON Schema cannot express: the domain of typed apps, durations, identity providers, CORS settings that exclude each other. */
async function semanticIssues(tx: StoreReader, accountId: string, body: AppRequest): Promise<RequestIssue[]> {
  const issues: RequestIssue[] = [];
  if (DOMAIN_REQUIRED_TYPES.has(body.type) && (body.domain === undefined || body.domain.trim() === '')) {
    issues.push({ code: 'required', pointer: '/domain', message: `Applications of type ${body.type} need the "domain" Access protects.` });
  }
  if (TARGET_REQUIRED_TYPES.has(body.type)) {
    const criteria: unknown = body.target_criteria;
    if (criteria === undefined) issues.push({ code: 'required', pointer: '/target_criteria', message: `Applications of type ${body.type} need "target_criteria": the port and protocol of the targets they secure.` });
    else for (const problem of targetCriteriaProblems(criteria)) issues.push({ code: 'invalid_format', pointer: `/target_criteria${problem.pointer}`, message: problem.message });
  }
  for (const [pointer, text] of namedDestinations(body)) {
    const problem = destinationProblem(text);
    if (problem !== undefined) issues.push({ code: 'invalid_domain', pointer, message: `${JSON.stringify(text)} ${problem}.` });
  }
  const duration = body.session_duration === undefined ? undefined : durationIssue(body.session_duration, '/session_duration', '"30m" or "24h"');
  if (duration !== undefined) issues.push(duration);
  // Cloudflare: "Cannot turn on if cors_headers is set". Preflights are either answered by
  // Access (cors_headers) or sent to the origin (options_preflight_bypass), not both.
  if (body.options_preflight_bypass === true && corsHeadersOf(body) !== undefined) {
    issues.push({ code: 'conflicting_settings', pointer: '/options_preflight_bypass', message: 'options_preflight_bypass cannot be turned on while cors_headers is set: Access either answers CORS preflight requests itself (cors_headers) or sends them to the origin (options_preflight_bypass). Remove one of them.' });
  }
  // Cloudflare: "You must specify only one identity provider in allowed_idps" to skip the choice.
  if (body.auto_redirect_to_identity === true && (body.allowed_idps ?? []).length > 1) {
    issues.push({ code: 'conflicting_settings', pointer: '/auto_redirect_to_identity', message: `auto_redirect_to_identity skips the choice of identity provider, so allowed_idps must name exactly one; it names ${body.allowed_idps!.length}. Keep one, or turn the redirect off.` });
  }
  const header = body.read_service_tokens_from_header;
  if (typeof header === 'string' && header !== '') {
    const problem = serviceTokenHeaderProblem(header);
    if (problem !== undefined) issues.push({ code: 'invalid_format', pointer: '/read_service_tokens_from_header', message: `${JSON.stringify(header)} ${problem}.` });
  }
  const idps = body.allowed_idps ?? [];
  const found = new Set((await tx.getResources(accountId, 'identity_provider', idps)).map((r) => r.id));
  idps.forEach((id, i) => {
    if (!found.has(id)) issues.push({ code: 'unknown_identity_provider', pointer: `/allowed_idps/${i}`, message: `Identity provider ${JSON.stringify(id)} does not exist in this account.` });
  });
  issues.push(...(await appCustomPageIssues(tx, accountId, body.custom_pages ?? [])));
  return issues;
}

/**
 * The destinations an application names for Access to protect, by pointer: its domain (a
 * bookmark's is a link, which Access does not protect), its self_hosted_domains and its public
 * destinations' uri. An empty domain names none.
 */
function namedDestinations(body: AppRequest): [string, string][] {
  const named: [string, string][] = [];
  if (body.type !== 'bookmark' && typeof body.domain === 'string' && body.domain.trim() !== '') named.push(['/domain', body.domain]);
  (body.self_hosted_domains ?? []).forEach((text, i) => named.push([`/self_hosted_domains/${i}`, text]));
  const destinations: unknown = body.destinations;
  if (Array.isArray(destinations)) {
    destinations.forEach((d: unknown, i) => {
      const uri = typeof d === 'object' && d !== null ? (d as { uri?: unknown }).uri : undefined;
      if (typeof uri === 'string') named.push([`/destinations/${i}/uri`, uri]);
    });
  }
  return named;
}

/**
 * An account has one App Launcher, as at Cloudflare: its application is the launcher's settings
 * and policies, and a second would leave which one rules the page to chance. (The transaction
 * holds the account's lock, so two creates cannot both pass.)
 */
async function assertOnlyLauncher(tx: StoreReader, accountId: string, id: string): Promise<void> {
  const launchers = await tx.allResources(accountId, 'app', { text: [{ in: [{ body: ['type'] }], value: 'app_launcher', exact: true }] });
  const other = launchers.find((app) => app.id !== id);
  if (other !== undefined) {
    throw apiError('already_exists', { detail: `This account already has an App Launcher application (${other.id}); an account has one. Change it with PUT ${PATH.replace('{account_id}', accountId)}/${other.id}.` });
  }
}

/**
 * Refuses destinations covering another account's auth domain (docs/enforcement.md "Several
 * accounts on one server"): the host where it signs in, by a name or a `*` (on any port, as
 * applications match hosts), or the server's own address while the default account signs in
 * there. This account's forward auth and endpoints on that host would stand beside the other's
 * sign-in pages and session cookie on one origin. Only types that protect hosts count, and only
 * destinations the application did not enforce already (an edit of an application from before
 * this check is not refused for what it did not change): it reads every account's organization,
 * under the lock of host claims, so that another account naming one of these hosts its auth
 * domain at the same instant (in this process or another) cannot pass beside it.
 */
async function refuseAuthDomainsOfOthers(tx: StoreWriter, accountId: string, body: AppRequest, existing: ResourceRecord | undefined, server: DefaultAuthDomain): Promise<void> {
  const enforced = new Set(existing === undefined ? [] : enforcedDestinationsOf(existing).map((text) => text.trim().toLowerCase()));
  const destinations = enforcedDestinationEntries({ body }).filter(([, text]) => !enforced.has(text.trim().toLowerCase()));
  if (destinations.length === 0) return;
  await tx.takeLock(HOST_CLAIMS_LOCK);
  const issues: RequestIssue[] = [];
  for (const other of await authDomainsOfOthers(tx, accountId, server)) {
    const whose = other.serverAddress ? "this server's own address, the default account's auth domain" : "another account's auth domain";
    for (const [pointer, text] of destinations) {
      if (destinationCoversHost(text, other.host)) issues.push({ code: 'duplicate_entry', pointer, message: `${JSON.stringify(text)} covers ${other.host}, ${whose}: an application cannot be on a host where another account signs in.` });
    }
  }
  if (issues.length > 0) throw validationError(issues);
}

export function appRefs(body: Record<string, unknown>, links: readonly PolicyLink[]): ResourceRef[] {
  const idps = Array.isArray(body.allowed_idps) ? (body.allowed_idps as string[]) : [];
  return [...links.map((l) => ({ kind: 'policy' as const, id: l.id })), ...idps.map((id) => ({ kind: 'identity_provider' as const, id })), ...customPageRefs(body.custom_pages)];
}

/** The saas_app of an OIDC SaaS application, undefined for any other. */
function oidcSaasApp(body: Record<string, unknown>): Record<string, unknown> | undefined {
  const saas = body.saas_app;
  return body.type === 'saas' && isObject(saas) && saas.auth_type === 'oidc' ? saas : undefined;
}

/** What a write of an application stores, and the client secret it made (shown in that answer only). */
interface AppDraft {
  readonly body: Record<string, unknown>;
  readonly secretHash?: string;
  readonly newClientSecret?: string;
}

/**
 * An OIDC SaaS application's client credentials, as Cloudflare makes them: the server's, never
 * the request's. Those the application has are kept; the first write that makes it OIDC makes
 * new ones. The secret is stored sealed (saas_app.client_secret is a secret field) and hashed in
 * the record, as service tokens' are, for a token endpoint to check without unsealing it.
 */
function withOidcClient(body: Record<string, unknown>, existing: ResourceRecord | undefined): AppDraft {
  const saas = oidcSaasApp(body);
  if (saas === undefined) return { body };
  const old = existing === undefined ? undefined : oidcSaasApp(existing.body);
  if (old !== undefined && typeof old.client_id === 'string' && typeof old.client_secret === 'string') {
    return { body: { ...body, saas_app: { ...saas, client_id: old.client_id, client_secret: old.client_secret } } };
  }
  const clientSecret = randomBytes(32).toString('hex');
  return { body: { ...body, saas_app: { ...saas, client_id: randomBytes(32).toString('hex'), client_secret: clientSecret } }, secretHash: hashSecret(clientSecret), newClientSecret: clientSecret };
}

/** Validate and write an application (create when `existing` is undefined); with the OIDC client secret the write made, if any. */
async function writeApp(tx: StoreWriter, server: DefaultAuthDomain, accountId: string, id: string, input: AppRequest, existing: ResourceRecord | undefined): Promise<{ record: ResourceRecord; newClientSecret?: string }> {
  const issues = await semanticIssues(tx, accountId, input);
  if (issues.length > 0) throw validationError(issues);
  await refuseAuthDomainsOfOthers(tx, accountId, input, existing, server);
  if (input.type === 'app_launcher') await assertOnlyLauncher(tx, accountId, id);
  const { policies: entries, id: _id, aud: _aud, created_at: _c, updated_at: _u, ...fields } = input;
  const links = entries !== undefined ? await applyPolicyEntries(tx, accountId, id, entries, existing === undefined) : existing !== undefined ? appLinks(existing) : [];
  const aud = existing?.body.aud ?? randomBytes(32).toString('hex');
  // An empty or null read_service_tokens_from_header clears it: the application reads no such header.
  const header = fields.read_service_tokens_from_header === '' || fields.read_service_tokens_from_header === null ? { read_service_tokens_from_header: undefined } : {};
  const sent = compact({ ...fields, ...header, aud, policies: links });
  // GET never shows secrets (saas_app.client_secret, scim_config.authentication.*): a replace that leaves one out keeps it.
  const draft = withOidcClient(existing === undefined ? sent : keepOmittedSecrets('app', sent, existing.body), existing);
  const { body } = draft;
  const name = fields.name ?? fields.domain ?? '';
  const made = draft.newClientSecret !== undefined ? { newClientSecret: draft.newClientSecret } : {};
  if (existing === undefined) {
    return { record: await tx.insertResource({ accountId, kind: 'app', id, parentId: null, name, body, secretHash: draft.secretHash ?? null, createdAt: new Date().toISOString() }, appRefs(body, links)), ...made };
  }
  const update = { name, body, ...(draft.secretHash !== undefined ? { secretHash: draft.secretHash } : {}) };
  return { record: (await tx.updateResource(accountId, 'app', id, update, appRefs(body, links)))!, ...made };
}

/**
 * Change some fields of a stored application, with every check and effect of a replace (PUT of
 * the application): what the application has otherwise is sent back as it is, its policies kept.
 */
export async function changeAppFields(tx: StoreWriter, server: DefaultAuthDomain, accountId: string, existing: ResourceRecord, changes: Record<string, unknown>): Promise<ResourceRecord> {
  const { policies: _links, ...kept } = withoutSecrets('app', existing.body);
  const input = { ...kept, ...changes } as AppRequest;
  return (await writeApp(tx, server, accountId, existing.id, input, existing)).record;
}

/** An answer with the client secret a write made: Cloudflare shows an OIDC SaaS application's secret when it makes it, never again. */
function withNewClientSecret(result: Record<string, unknown>, secret: string | undefined): Record<string, unknown> {
  if (secret === undefined || !isObject(result.saas_app)) return result;
  return { ...result, saas_app: { ...result.saas_app, client_secret: secret } };
}

const APP_LIST_QUERY = {
  ...pageQueryProperties(),
  name: str({ description: 'Only applications whose name contains this text (case-insensitive), or is exactly it with `exact=true`.' }),
  domain: str({ description: 'Only applications whose domain contains this text (case-insensitive), or is exactly it with `exact=true`.' }),
  aud: str({ description: 'Only the application with this AUD tag (exact).' }),
  exact: bool('Match `name` and `domain` exactly (case-sensitive) instead of as case-insensitive substrings.', false),
  search: str({ description: 'Only applications whose name, domain or AUD tag contains this text (case-insensitive).' }),
  target_attributes: str({ description: 'Not supported: refused (400) rather than ignored.' }),
};

/** The store filter of a list query: every filter given must match. */
function appListFilter(query: { name?: string; domain?: string; aud?: string; exact?: boolean; search?: string; target_attributes?: string }): ResourceFilter {
  if (query.target_attributes !== undefined) throw apiError('unsupported_filter', { name: 'target_attributes', detail: 'applications cannot be filtered by target criteria attributes here; list them and filter target_criteria yourself' });
  const exact = query.exact === true;
  const text: TextMatch[] = [];
  if (query.name !== undefined) text.push({ in: [{ body: ['name'] }], value: query.name, exact });
  if (query.domain !== undefined) text.push({ in: [{ body: ['domain'] }], value: query.domain, exact });
  if (query.aud !== undefined) text.push({ in: [{ body: ['aud'] }], value: query.aud, exact: true });
  if (query.search !== undefined && query.search !== '') text.push({ in: [{ body: ['name'] }, { body: ['domain'] }, { body: ['aud'] }], value: query.search, exact: false });
  return { text };
}

export const appRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET',
    path: PATH,
    operationId: 'access-apps-list',
    summary: 'List Access applications',
    tag: 'Access applications',
    permissions: [...APPS_READ],
    query: APP_LIST_QUERY,
    status: 200,
    paged: true,
    result: arr(APP_RESPONSE),
    handler: async ({ accountId, query, ctx }) => {
      const p = paging(query);
      const page = await ctx.store.read.listResources(accountId, 'app', p, appListFilter(query));
      const result = await appResults(ctx.store.read, accountId, page.items);
      return { result, resultInfo: resultInfo(p, page.items.length, page.total) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: PATH,
    operationId: 'access-apps-create',
    summary: 'Create an Access application',
    description: '`policies` may link reusable policies (by id, or {id, precedence}) and create application-scoped ones inline.',
    tag: 'Access applications',
    permissions: [...APPS_WRITE],
    body: APP_REQUEST,
    status: 201,
    result: APP_RESPONSE,
    handler: async ({ accountId, body, ctx }) => {
      const record = await ctx.store.transaction(accountId, async (tx) => {
        const written = await writeApp(tx, defaultAuthDomainOf(ctx), accountId, newId(), body, undefined);
        return { written, result: withNewClientSecret(await appResult(tx, accountId, written.record), written.newClientSecret) };
      });
      return { result: record.result };
    },
  }),
  defineRoute({
    method: 'GET',
    path: ITEM,
    operationId: 'access-apps-get',
    summary: 'Get an Access application',
    tag: 'Access applications',
    permissions: [...APPS_READ],
    params: APP_ID_PARAM,
    status: 200,
    result: APP_RESPONSE,
    handler: async ({ accountId, params, ctx }) => ({ result: await appResult(ctx.store.read, accountId, await getOr404(ctx.store.read, accountId, 'app', params.app_id)) }),
  }),
  defineRoute({
    method: 'PUT',
    path: ITEM,
    operationId: 'access-apps-update',
    summary: 'Replace an Access application',
    description: 'Without `policies`, the application keeps its policies; with it, the links are replaced and application-scoped policies not mentioned keep their place.',
    tag: 'Access applications',
    permissions: [...APPS_WRITE],
    params: APP_ID_PARAM,
    body: APP_REQUEST,
    status: 200,
    result: APP_RESPONSE,
    handler: async ({ accountId, params, body, ctx }) => {
      const result = await ctx.store.transaction(accountId, async (tx) => {
        const existing = await getOr404(tx, accountId, 'app', params.app_id);
        const written = await writeApp(tx, defaultAuthDomainOf(ctx), accountId, existing.id, body, existing);
        return withNewClientSecret(await appResult(tx, accountId, written.record), written.newClientSecret);
      });
      return { result };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: ITEM,
    operationId: 'access-apps-delete',
    summary: 'Delete an Access application',
    description: 'Deletes its application-scoped policies too. Refused (409) while a linked_app_token rule names it.',
    tag: 'Access applications',
    permissions: [...APPS_WRITE],
    params: APP_ID_PARAM,
    status: 202,
    result: obj({ id: str() }, { required: ['id'] }),
    handler: async ({ accountId, params, ctx }) => {
      await ctx.store.transaction(accountId, async (tx) => {
        await getOr404(tx, accountId, 'app', params.app_id);
        await assertUnused(tx, accountId, 'app', params.app_id);
        for (const scoped of await tx.allResources(accountId, 'app_policy', { parentId: params.app_id })) await tx.deleteResource(accountId, 'app_policy', scoped.id);
        if ((await tx.getResource(accountId, 'session_revocation', params.app_id)) !== undefined) await tx.deleteResource(accountId, 'session_revocation', params.app_id);
        await tx.deleteResource(accountId, 'app', params.app_id);
      });
      return { result: { id: params.app_id } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${ITEM}/revoke_tokens`,
    operationId: 'access-applications-revoke-service-tokens',
    summary: "Revoke an Access application's tokens",
    description: "Every token issued for the application before now (users' and service tokens') stops being accepted at the next request, and its users are asked to sign in again (a global session on the auth domain takes them back in without a page, as at Cloudflare).",
    tag: 'Access applications',
    permissions: ['Access: Apps and Policies Revoke', ...APPS_WRITE],
    params: APP_ID_PARAM,
    status: 202,
    result: obj({}, { additional: true }),
    handler: async ({ accountId, params, ctx }) => {
      await ctx.store.transaction(accountId, async (tx) => {
        await getOr404(tx, accountId, 'app', params.app_id);
        await revokeSessionsIn(tx, accountId, params.app_id);
      });
      return { result: {} };
    },
  }),
];
