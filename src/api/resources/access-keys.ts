// Cloudflare's Access key rotation settings: GET and PUT /accounts/{account_id}/access/keys
// (key_rotation_interval_days) and POST .../access/keys/rotate. The keys sign the application
// tokens of the enforcement point (docs/enforcement.md "Sessions and tokens"); the public halves
// are served at /cdn-cgi/access/certs, the private halves never leave the store unsealed.

import { defineRoute, type RouteDef } from '../route.js';
import { int, obj, str } from '../../schema/json-schema.js';

const PATH = '/accounts/{account_id}/access/keys';
const TAG = 'Access keys';
const READ = ['Access: Organizations, Identity Providers, and Groups Read', 'Access: Organizations, Identity Providers, and Groups Write'] as const;
const WRITE = ['Access: Organizations, Identity Providers, and Groups Write'] as const;

const INTERVAL = int({ minimum: 21, maximum: 365, description: 'The number of days between key rotations.' });
const SETTINGS = obj(
  {
    key_rotation_interval_days: INTERVAL,
    last_key_rotation_at: str({ format: 'date-time', description: 'When the key that signs now was made.' }),
    days_until_next_rotation: int({ minimum: 0, description: 'Days until the key is rotated (at its next use after that).' }),
  },
  { required: ['key_rotation_interval_days', 'last_key_rotation_at', 'days_until_next_rotation'], description: "The account's key rotation settings." },
);

export const accessKeyRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET',
    path: PATH,
    operationId: 'access-key-configuration-get-the-access-key-configuration',
    summary: 'Get the Access key rotation settings',
    tag: TAG,
    permissions: [...READ],
    status: 200,
    result: SETTINGS,
    handler: async ({ accountId, ctx }) => ({ result: await ctx.signingKeys.settings(accountId) }),
  }),
  defineRoute({
    method: 'PUT',
    path: PATH,
    operationId: 'access-key-configuration-update-the-access-key-configuration',
    summary: 'Update the Access key rotation settings',
    tag: TAG,
    permissions: [...WRITE],
    body: obj({ key_rotation_interval_days: INTERVAL }, { required: ['key_rotation_interval_days'] }),
    status: 200,
    result: SETTINGS,
    handler: async ({ accountId, body, ctx }) => ({ result: await ctx.signingKeys.setIntervalDays(accountId, body.key_rotation_interval_days) }),
  }),
  defineRoute({
    method: 'POST',
    path: `${PATH}/rotate`,
    operationId: 'access-key-configuration-rotate-access-keys',
    summary: 'Rotate the Access signing key',
    description: 'A new key signs from now on; the previous one stays published at /cdn-cgi/access/certs for 31 days, so tokens it signed stay valid until they expire.',
    tag: TAG,
    permissions: [...WRITE],
    bodyRequired: false,
    status: 200,
    result: SETTINGS,
    handler: async ({ accountId, ctx }) => {
      await ctx.signingKeys.rotate(accountId);
      return { result: await ctx.signingKeys.settings(accountId) };
    },
  }),
];
