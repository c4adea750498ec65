// Short-lived SSH certificates: /accounts/{account_id}/access/apps/ca and .../apps/{app_id}/ca,
// the SDK's applications.cas. portcullis issues no SSH certificates, so it keeps no CA for them
// and fakes none: each route answers that the feature is not part of portcullis (400, code 1012),
// rather than, for GET .../apps/ca, that an application named "ca" was not found.

import { obj, str } from '../../schema/json-schema.js';
import { apiError } from '../errors.js';
import { defineRoute, type HttpMethod, type RouteDef } from '../route.js';
import { APP_ID_PARAM, APPS_READ, APPS_WRITE } from './apps.js';

const LIST = '/accounts/{account_id}/access/apps/ca';
const ITEM = '/accounts/{account_id}/access/apps/{app_id}/ca';
const TAG = 'Access short-lived certificate CAs';
const CA = obj({ id: str(), aud: str(), public_key: str() }, { description: 'Never answered: see the description.' });

function notServed(): never {
  throw apiError('feature_not_supported', {
    feature: 'Short-lived certificates',
    detail: 'portcullis issues no SSH certificates, so it has no certificate authority for an application; use SSH keys or certificates managed outside portcullis',
  });
}

function caRoute(method: HttpMethod, path: string, operationId: string, summary: string): RouteDef {
  return defineRoute({
    method,
    path,
    ...(path === ITEM ? { params: APP_ID_PARAM } : {}),
    operationId,
    summary,
    description: 'Not served: portcullis issues no short-lived SSH certificates. Always answers 400 with code 1012 (docs/enforcement.md, "What is not enforced").',
    tag: TAG,
    permissions: method === 'GET' ? [...APPS_READ] : [...APPS_WRITE],
    status: method === 'POST' ? 201 : 200,
    result: CA,
    handler: async () => notServed(),
  });
}

export const appCaRoutes: RouteDef[] = [
  caRoute('GET', LIST, 'access-short-lived-certificate-c-as-list-short-lived-certificate-c-as', 'List short-lived certificate CAs'),
  caRoute('GET', ITEM, 'access-short-lived-certificate-c-as-get-a-short-lived-certificate-ca', 'Get a short-lived certificate CA'),
  caRoute('POST', ITEM, 'access-short-lived-certificate-c-as-create-a-short-lived-certificate-ca', 'Create a short-lived certificate CA'),
  caRoute('DELETE', ITEM, 'access-short-lived-certificate-c-as-delete-a-short-lived-certificate-ca', 'Delete a short-lived certificate CA'),
];
