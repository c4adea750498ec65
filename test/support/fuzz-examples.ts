// Bodies a real client would send, per operation, built from the ids of the account: the
// schema-derived bodies alone rarely survive the engine's checks (a random rule names a group
// that does not exist), so without these the fuzzer would hardly reach a stored policy, a
// started policy test or an application with policies. Mutations are applied to these too.

import fc from 'fast-check';
import { PERMISSION_GROUPS } from '../../src/api/auth/permissions.js';
import { FUZZ_CA_PEM } from './fuzz-hints.js';
import { pick, type IdPool } from './fuzz-ids.js';

const name = fc.oneof(fc.constantFrom('Staff', 'Contractors', 'Office', 'CI'), fc.string({ minLength: 1, maxLength: 16 }));
const domain = fc.constantFrom('example.com', 'contractor.example', 'Example.ORG', 'other.org');
const country = fc.constantFrom('US', 'DE', 'gb', 'XK');
const cidr = fc.constantFrom('192.0.2.0/24', '10.0.0.1/8', '2001:db8::/32', '198.51.100.7');

export function exampleBodies(pool: IdPool, accountId: string): Readonly<Record<string, fc.Arbitrary<unknown>>> {
  const id = (param: string) => pick(() => pool.idsOfParam(param), fc.uuid());
  const email = pick(() => pool.knownEmails(), fc.emailAddress());
  const rule: fc.Arbitrary<unknown> = fc.oneof(
    fc.constant({ everyone: {} }),
    email.map((e) => ({ email: { email: e } })),
    domain.map((d) => ({ email_domain: { domain: d } })),
    cidr.map((ip) => ({ ip: { ip } })),
    country.map((c) => ({ geo: { country_code: c } })),
    id('group_id').map((g) => ({ group: { id: g } })),
    id('list_id').map((l) => ({ ip_list: { id: l } })),
    id('list_id').map((l) => ({ email_list: { id: l } })),
    id('identity_provider_id').map((i) => ({ login_method: { id: i } })),
    id('service_token_id').map((t) => ({ service_token: { token_id: t } })),
    fc.constant({ any_valid_service_token: {} }),
    id('rule_id').map((r) => ({ device_posture: { integration_uid: r } })),
    fc.constant({ certificate: {} }),
    name.map((n) => ({ common_name: { common_name: n } })),
  );
  const rules = (min: number, max: number) => fc.array(rule, { minLength: min, maxLength: max });
  const ruleSets = { include: rules(1, 3), require: rules(0, 2), exclude: rules(0, 2) };
  const policy = fc.record(
    { name, decision: fc.constantFrom('allow', 'deny', 'non_identity', 'bypass', 'allow'), ...ruleSets, session_duration: fc.constantFrom('24h', '30m') },
    { requiredKeys: ['name', 'decision', 'include'] },
  );
  const appPolicy = fc.tuple(policy, fc.integer({ min: 1, max: 40 })).map(([p, precedence]) => ({ ...p, precedence }));
  const group = fc.record({ name, ...ruleSets }, { requiredKeys: ['name', 'include'] });
  const policies = fc.array(fc.oneof(id('policy_id'), policy), { minLength: 1, maxLength: 3 });
  const identity = fc.record(
    { email, name, idp: id('identity_provider_id').map((i) => ({ id: i, type: 'onetimepin' })), ip: cidr.map((c) => c.split('/')[0]), geo: country.map((c) => ({ country: c })), amr: fc.constant(['pwd', 'mfa']) },
    { requiredKeys: ['email'] },
  );
  const user = fc.record({ email: fc.emailAddress(), name, identity }, { requiredKeys: ['email'] });
  const app = fc.record(
    {
      name,
      type: fc.constantFrom('self_hosted', 'bookmark', 'saas'),
      domain: domain.map((d) => `app.${d}`),
      policies: fc.array(id('policy_id'), { maxLength: 3 }),
      allowed_idps: fc.array(id('identity_provider_id'), { maxLength: 2 }),
      session_duration: fc.constantFrom('24h', '15m'),
    },
    { requiredKeys: ['name', 'type', 'domain'] },
  );
  const list = fc.record({ name, type: fc.constantFrom('IP', 'EMAIL', 'DOMAIN', 'SERIAL'), items: fc.array(fc.oneof(cidr, fc.emailAddress(), domain).map((value) => ({ value })), { maxLength: 4 }) }, { requiredKeys: ['name', 'type'] });
  const token = fc.record({
    name,
    policies: fc.array(
      fc.record({
        effect: fc.constantFrom('allow', 'deny'),
        permission_groups: fc.array(fc.constantFrom(...PERMISSION_GROUPS).map((g) => ({ id: g.id })), { minLength: 1, maxLength: 3 }),
        resources: fc.constant({ [`com.cloudflare.api.account.${accountId}`]: '*' }),
      }),
      { minLength: 1, maxLength: 2 },
    ),
  });
  const posture = fc.record({ name, type: fc.constantFrom('disk_encryption', 'firewall', 'os_version', 'serial_number'), schedule: fc.constantFrom('5m', '1h'), match: fc.constant([{ platform: 'windows' }]) }, { requiredKeys: ['name', 'type'] });
  return {
    'access-policies-create': policy,
    'access-policies-update': policy,
    'access-app-policies-create': appPolicy,
    'access-app-policies-update': appPolicy,
    'access-groups-create': group,
    'access-groups-update': group,
    'access-policy-tests-start': fc.record({ policies, baseline_policies: policies }, { requiredKeys: ['policies'] }),
    'access-evaluate': fc.oneof(
      fc.record({ policies, email }),
      fc.record({ app_id: id('app_id'), user_id: id('user_id') }),
      fc.record({ policies, identity, context: fc.record({ ip: cidr.map((c) => c.split('/')[0]), country }) }),
    ),
    'access-apps-create': app,
    'access-apps-update': app,
    'access-users-create': fc.record({ email: fc.emailAddress(), name }),
    'access-users-update': fc.record({ email, name }),
    'access-users-last-seen-identity-set': identity,
    'access-users-import': fc.record({ users: fc.array(user, { minLength: 1, maxLength: 5 }) }),
    'gateway-lists-create': list,
    'gateway-lists-update': list,
    'gateway-lists-patch': fc.record({ append: fc.array(fc.oneof(cidr, fc.emailAddress()).map((value) => ({ value })), { maxLength: 3 }), remove: fc.array(cidr, { maxLength: 2 }) }),
    'access-certificates-create': fc.record({ name, certificate: fc.constant(FUZZ_CA_PEM), associated_hostnames: fc.array(domain, { maxLength: 2 }) }),
    'device-posture-rules-create': posture,
    'device-posture-rules-update': posture,
    'user-tokens-create': token,
    'user-tokens-update': token,
  };
}
