// JSON Schemas of Access rules, policies and groups, generated from the engine's selector
// catalog: the same table drives the engine's validation, so the documented rule union and
// the validated one cannot disagree (a test checks that engine-accepted policies match it).

import { DECISIONS, RISK_LEVELS, SELECTORS, type FieldSpec, type WireRule } from '../engine/index.js';
import { Type } from '@sinclair/typebox';
import { arr, bool, declaredAs, enumOf, int, nullable, num, obj, str, type TSchema } from './json-schema.js';

function fieldSchema(field: FieldSpec): TSchema {
  switch (field.format) {
    case 'email':
      return str({ format: 'email' });
    case 'country':
      return str({ pattern: '^[A-Za-z]{2}$', patternHint: 'a two-letter ISO 3166-1 country code' });
    case 'url':
      return str({ format: 'uri' });
    case 'risk_levels':
      return arr(enumOf(RISK_LEVELS), { minItems: 1 });
    case 'cidr':
      return str({ minLength: 1, description: 'An IPv4 or IPv6 address or CIDR range.' });
    default:
      return str({ minLength: 1 });
  }
}

const ruleVariants: TSchema[] = SELECTORS.map((spec) =>
  obj(
    {
      [spec.selector]: obj(Object.fromEntries(spec.fields.map((f) => [f.name, fieldSchema(f)])), {
        required: spec.fields.filter((f) => f.required).map((f) => f.name),
      }),
    },
    { required: [spec.selector], description: spec.title },
  ),
);

/**
 * One Access rule: an object with exactly one selector key (26 variants). Built from the
 * catalog at run time, so its type is the engine's wire type (a test checks they agree).
 */
export const RULE_SCHEMA = declaredAs<WireRule>(Type.Unsafe({ description: 'An Access rule: exactly one selector key whose value holds its fields.', oneOf: ruleVariants }), {
  name: 'WireRule',
  module: 'src/engine/wire.ts',
});

const rules = (description: string, minItems?: number) => arr(RULE_SCHEMA, { description, ...(minItems !== undefined ? { minItems } : {}) });

const ruleSetProperties = () => ({
  include: rules('Rules of which at least one must match.', 1),
  require: rules('Rules that must all match.'),
  exclude: rules('Rules of which none may match.'),
});

const approvalGroup = obj(
  {
    approvals_needed: num({ minimum: 0, description: 'How many approvals are needed.' }),
    email_addresses: arr(str({ format: 'email' })),
    email_list_uuid: str({ description: 'A Gateway list of type EMAIL holding approvers.' }),
  },
  { required: ['approvals_needed'] },
);

const authenticators = arr(enumOf(['totp', 'biometrics', 'security_key']));
const clipboard = arr(enumOf(['text', 'file']));

/** Policy fields besides name, decision and rules. */
export const POLICY_SETTINGS = {
  approval_groups: arr(approvalGroup, { description: 'Administrators who approve temporary access.' }),
  approval_required: bool('Users must request approval for each session.', false),
  purpose_justification_required: bool('Users must type a justification to log in.', false),
  purpose_justification_prompt: str({ description: 'The text of the justification prompt.' }),
  session_duration: nullable(str({ description: 'How long a session lasts, as a Go duration ("30m", "24h").', default: '24h' })),
  isolation_required: bool('Serve matching users through Browser Isolation.', false),
  mfa_config: obj({
    allowed_authenticators: authenticators,
    mfa_disabled: bool(),
    session_duration: str({ description: 'MFA session length in m or h, 0m to 720h.' }),
  }),
  connection_rules: obj({
    rdp: obj({ allowed_clipboard_local_to_remote_formats: clipboard, allowed_clipboard_remote_to_local_formats: clipboard }),
  }),
};

export const POLICY_REQUEST = obj(
  {
    name: str({ minLength: 1, maxLength: 4096 }),
    decision: enumOf(DECISIONS, 'What happens when the policy matches.'),
    ...ruleSetProperties(),
    ...POLICY_SETTINGS,
  },
  { required: ['name', 'decision', 'include'], description: 'A policy as sent on create and update.' },
);

const timestamps = {
  created_at: str({ format: 'date-time' }),
  updated_at: str({ format: 'date-time' }),
};

/** Fields every policy answer has: the rule lists, and the settings' defaults when left out. */
const ANSWERED = [
  'id',
  'name',
  'decision',
  'include',
  'require',
  'exclude',
  'approval_required',
  'purpose_justification_required',
  'isolation_required',
  'session_duration',
  'created_at',
  'updated_at',
] as const;

export const POLICY_RESPONSE = obj(
  {
    id: str({ description: 'The policy id (UUID).' }),
    ...POLICY_REQUEST.properties,
    ...timestamps,
    app_count: int({ description: 'How many applications use this policy.' }),
    reusable: Type.Unsafe<true>({ type: 'boolean', enum: [true] }),
  },
  { required: [...ANSWERED, 'app_count', 'reusable'], description: 'A reusable policy.' },
);

export const APP_POLICY_REQUEST = obj(
  { ...POLICY_REQUEST.properties, precedence: int({ minimum: 1, description: 'Order within the application (unique per application).' }) },
  { required: ['name', 'decision', 'include'] },
);

export const APP_POLICY_RESPONSE = obj(
  {
    id: str(),
    ...APP_POLICY_REQUEST.properties,
    ...timestamps,
    reusable: bool('A reusable policy the application links, or one of its own (application-scoped).'),
  },
  { required: [...ANSWERED, 'precedence', 'reusable'] },
);

export const GROUP_REQUEST = obj(
  {
    name: str({ minLength: 1, maxLength: 4096 }),
    ...ruleSetProperties(),
    is_default: bool('Marks the default group.'),
  },
  { required: ['name', 'include'] },
);

export const GROUP_RESPONSE = obj(
  {
    id: str(),
    ...GROUP_REQUEST.properties,
    ...timestamps,
  },
  { required: ['id', 'name', 'include', 'require', 'exclude', 'created_at', 'updated_at'] },
);
