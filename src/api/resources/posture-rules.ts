// Device posture rules: /accounts/{account_id}/devices/posture. Checks a device must pass,
// named by `device_posture` rules (integration_uid), so one still named cannot be deleted.
// Cloudflare's conventions for this API differ from Access's: create answers 200, the list is
// a single page, and delete declares a (field-less) body.

import { validationError, type RequestIssue } from '../errors.js';
import type { RouteDef } from '../route.js';
import { anyObject, arr, enumOf, obj, str, type Static } from '../../schema/json-schema.js';
import { durationIssue } from './common.js';
import { crudRoutes, presentBody } from './crud.js';

const POSTURE_TYPES = [
  'file',
  'application',
  'tanium',
  'gateway',
  'warp',
  'disk_encryption',
  'sentinelone',
  'carbonblack',
  'firewall',
  'os_version',
  'domain_joined',
  'client_certificate',
  'client_certificate_v2',
  'unique_client_id',
  'kolide',
  'tanium_s2s',
  'crowdstrike_s2s',
  'intune',
  'workspace_one',
  'sentinelone_s2s',
  'serial_number',
  'antivirus',
  'custom_s2s',
] as const;

const PLATFORMS = ['windows', 'mac', 'linux', 'android', 'ios', 'chromeos'] as const;

/** How often WARP may re-check, at the most (Cloudflare's documented minimum). */
const MIN_SCHEDULE = '1m';

const FIELDS = {
  name: str({ minLength: 1, description: 'The name of the posture rule.' }),
  type: enumOf(POSTURE_TYPES, 'What the rule checks.'),
  description: str({ description: 'Free text.' }),
  schedule: str({ description: `How often the WARP client re-checks: a Go duration of at least ${MIN_SCHEDULE}, such as "5m" or "1h".` }),
  expiration: str({ description: 'How long a check result stays valid: a Go duration such as "1h". Without it, a result lasts until the next one.' }),
  match: arr(obj({ platform: enumOf(PLATFORMS, 'An operating system.') }), { description: 'The platforms the rule applies to.' }),
  input: anyObject('What the check compares against; its fields depend on the type.'),
};

const REQUEST = obj(FIELDS, { required: ['name', 'type'] });
const RULE = obj({ id: str({ description: 'The id of the posture rule.' }), ...FIELDS }, { required: ['id', 'name', 'type'], description: 'A device posture rule.' });

/** Ajv has checked the shape; the durations are checked here. */
function checkedRule(rule: Static<typeof REQUEST>): Static<typeof REQUEST> {
  const issues = [
    rule.schedule === undefined ? undefined : durationIssue(rule.schedule, '/schedule', MIN_SCHEDULE),
    rule.expiration === undefined ? undefined : durationIssue(rule.expiration, '/expiration'),
  ].filter((issue): issue is RequestIssue => issue !== undefined);
  if (issues.length > 0) throw validationError(issues);
  return rule;
}

export const postureRuleRoutes: RouteDef[] = crudRoutes(
  {
    kind: 'posture_rule',
    path: '/accounts/{account_id}/devices/posture',
    idParam: 'rule_id',
    operationPrefix: 'device-posture-rules',
    tag: 'Device posture rules',
    one: 'a device posture rule',
    many: 'device posture rules',
    read: ['Access: Device Posture Read'],
    write: ['Access: Device Posture Write'],
    response: RULE,
    present: presentBody,
  },
  {
    list: { paging: 'single' },
    create: { status: 200, body: REQUEST, build: (input) => ({ body: checkedRule(input) }) },
    update: { summary: 'Replace a device posture rule', body: REQUEST, build: (input) => ({ body: checkedRule(input) }) },
    delete: {
      status: 200,
      answer: 'id',
      acceptedBody: anyObject('Cloudflare declares a body without fields: {} or nothing.'),
      description: 'Refused (409) while a device_posture rule of a policy or group names it.',
    },
  },
);
