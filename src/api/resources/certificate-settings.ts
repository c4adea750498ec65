// Cloudflare's mTLS hostname settings: GET and PUT /accounts/{account_id}/access/certificates/settings.
// One list per account of hostnames with their china_network and client_certificate_forwarding
// switches, replaced whole by PUT. Kept and answered: portcullis terminates no TLS, so the
// switches change nothing at the enforcement point (docs/enforcement.md).

import type { ApiContext, RouteDef } from '../route.js';
import { defineRoute } from '../route.js';
import { validationError, type RequestIssue } from '../errors.js';
import { singlePageInfo } from '../pagination.js';
import { arr, bool, obj, str, type Static } from '../../schema/json-schema.js';

const PATH = '/accounts/{account_id}/access/certificates/settings';
const TAG = 'Access mTLS certificates';
const KIND = 'certificate_settings';

const SETTING = obj(
  {
    hostname: str({ minLength: 1, description: 'The hostname these settings apply to.' }),
    china_network: bool('Whether the hostname is served on the China network (kept only).'),
    client_certificate_forwarding: bool('Whether the client certificate is forwarded to the origin (kept only).'),
  },
  { required: ['hostname', 'china_network', 'client_certificate_forwarding'], description: 'The mTLS settings of one hostname.' },
);
type Setting = Static<typeof SETTING>;

// A bare host name: labels of letters, digits and hyphens, optionally a leading wildcard label.
const HOSTNAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.?$/i;

/** A hostname as kept and compared: trimmed, lower-cased, without a final dot. */
const hostKey = (hostname: string): string => hostname.trim().toLowerCase().replace(/\.$/, '');

function checked(settings: readonly Setting[]): Setting[] {
  const issues: RequestIssue[] = [];
  const seen = new Map<string, number>();
  const kept = settings.map((s, i) => {
    const host = hostKey(s.hostname);
    if (host.length > 253 || !HOSTNAME.test(host)) issues.push({ code: 'invalid_domain', pointer: `/settings/${i}/hostname`, message: `${JSON.stringify(s.hostname)} is not a host name (no scheme, port or path).` });
    else if (seen.has(host)) issues.push({ code: 'duplicate_entry', pointer: `/settings/${i}/hostname`, message: `Hostname ${JSON.stringify(s.hostname)} is listed twice (entries ${seen.get(host)} and ${i}).` });
    else seen.set(host, i);
    return { hostname: host, china_network: s.china_network, client_certificate_forwarding: s.client_certificate_forwarding };
  });
  if (issues.length > 0) throw validationError(issues);
  return kept;
}

async function stored(ctx: ApiContext, accountId: string): Promise<Setting[]> {
  const record = await ctx.store.read.getResource(accountId, KIND, accountId);
  const settings = record?.body.settings;
  return Array.isArray(settings) ? (settings as Setting[]) : [];
}

export const certificateSettingsRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET',
    path: PATH,
    operationId: 'access-mtls-authentication-list-mtls-certificates-hostname-settings',
    summary: 'List the mTLS hostname settings',
    tag: TAG,
    permissions: ['Access: Mutual TLS Certificates Read', 'Access: Mutual TLS Certificates Write'],
    status: 200,
    paged: true,
    result: arr(SETTING),
    handler: async ({ accountId, ctx }) => {
      const settings = await stored(ctx, accountId);
      return { result: settings, resultInfo: singlePageInfo(settings.length) };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: PATH,
    operationId: 'access-mtls-authentication-update-an-mtls-certificate-settings',
    summary: 'Replace the mTLS hostname settings',
    description: 'The list sent replaces the stored one; an empty list clears it.',
    tag: TAG,
    permissions: ['Access: Mutual TLS Certificates Write'],
    body: obj({ settings: arr(SETTING) }, { required: ['settings'] }),
    status: 200,
    paged: true,
    result: arr(SETTING),
    handler: async ({ accountId, body, ctx }) => {
      const settings = checked(body.settings);
      await ctx.store.transaction(accountId, async (tx) => {
        const existing = await tx.getResource(accountId, KIND, accountId);
        if (existing === undefined) await tx.insertResource({ accountId, kind: KIND, id: accountId, parentId: null, name: 'mTLS hostname settings', body: { settings }, secretHash: null, createdAt: new Date().toISOString() }, []);
        else await tx.updateResource(accountId, KIND, accountId, { name: existing.name, body: { settings } });
      });
      return { result: settings, resultInfo: singlePageInfo(settings.length) };
    },
  }),
];
