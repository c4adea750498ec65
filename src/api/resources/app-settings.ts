// An Access application's settings: /accounts/{account_id}/access/apps/{app_id}/settings, as the
// SDK's applications.settings calls them. allow_iframe and skip_interstitial are fields of the
// application itself: a write changes them on the stored application with every check and effect
// of a replace of it (audit log entry, revision), and a GET of the application shows them.

import { bool, obj } from '../../schema/json-schema.js';
import { defineRoute, type RouteDef } from '../route.js';
import { APP_ID_PARAM, APPS_WRITE, changeAppFields } from './apps.js';
import { defaultAuthDomainOf, getOr404 } from './common.js';
import type { ResourceRecord } from '../../store/store.js';

const PATH = '/accounts/{account_id}/access/apps/{app_id}/settings';
const TAG = 'Access applications';

const SETTINGS = {
  allow_iframe: bool('Enables loading application content in an iFrame (stored; see the application field).'),
  skip_interstitial: bool('Enables automatic authentication through cloudflared (stored; see the application field).'),
};
const SETTINGS_SCHEMA = obj(SETTINGS, { required: ['allow_iframe', 'skip_interstitial'], description: "The application's settings after the write." });
const SETTING_NAMES = Object.keys(SETTINGS) as (keyof typeof SETTINGS)[];

function settingsOf(record: ResourceRecord): { allow_iframe: boolean; skip_interstitial: boolean } {
  return { allow_iframe: record.body.allow_iframe === true, skip_interstitial: record.body.skip_interstitial === true };
}

/** The two routes differ in what a setting left out of the body becomes: off (PUT) or as it was (PATCH). */
function settingsRoute(method: 'PUT' | 'PATCH'): RouteDef {
  const replaces = method === 'PUT';
  return defineRoute({
    method,
    path: PATH,
    params: APP_ID_PARAM,
    operationId: replaces ? 'access-applications-put-update-access-application-settings' : 'access-applications-patch-update-access-application-settings',
    summary: replaces ? "Replace an Access application's settings" : "Change an Access application's settings",
    description: replaces
      ? 'Sets allow_iframe and skip_interstitial on the application; one left out is turned off. Answers both as they now are.'
      : 'Changes the settings sent on the application; one left out keeps its value. Answers both as they now are.',
    tag: TAG,
    permissions: [...APPS_WRITE],
    body: obj(SETTINGS),
    status: 200,
    result: SETTINGS_SCHEMA,
    handler: async ({ accountId, params, body, ctx }) => {
      const record = await ctx.store.transaction(accountId, async (tx) => {
        const existing = await getOr404(tx, accountId, 'app', params.app_id);
        const changes: Record<string, boolean> = {};
        for (const name of SETTING_NAMES) {
          const sent = body[name];
          if (sent !== undefined) changes[name] = sent;
          else if (replaces) changes[name] = false;
        }
        return changeAppFields(tx, defaultAuthDomainOf(ctx), accountId, existing, changes);
      });
      return { result: settingsOf(record) };
    },
  });
}

export const appSettingsRoutes: RouteDef[] = [settingsRoute('PUT'), settingsRoute('PATCH')];
