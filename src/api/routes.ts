// Every route the server serves, in the order the OpenAPI document lists them.

import type { RouteDef } from './route.js';
import { accessKeyRoutes } from './resources/access-keys.js';
import { organizationRoutes } from './resources/organizations.js';
import { accessLogRoutes } from './resources/access-logs.js';
import { accountRoutes } from './resources/accounts.js';
import { appPolicyRoutes } from './resources/app-policies.js';
import { appRoutes } from './resources/apps.js';
import { auditLogRoutes } from './resources/audit-logs.js';
import { certificateRoutes } from './resources/certificates.js';
import { certificateSettingsRoutes } from './resources/certificate-settings.js';
import { tagRoutes } from './resources/tags.js';
import { customPageRoutes } from './resources/custom-pages.js';
import { appSettingsRoutes } from './resources/app-settings.js';
import { appCaRoutes } from './resources/app-cas.js';
import { seatRoutes } from './resources/seats.js';
import { scimUpdateLogRoutes } from './resources/scim-update-logs.js';
import { evaluateRoutes } from './resources/evaluate.js';
import { groupRoutes } from './resources/groups.js';
import { identityProviderRoutes } from './resources/identity-providers.js';
import { listRoutes } from './resources/lists.js';
import { policyRoutes } from './resources/policies.js';
import { policyTestRoutes } from './resources/policy-tests.js';
import { postureRuleRoutes } from './resources/posture-rules.js';
import { serviceTokenRoutes } from './resources/service-tokens.js';
import { userPolicyCheckRoutes } from './resources/user-policy-checks.js';
import { userTokenRoutes } from './resources/user-tokens.js';
import { userSessionRoutes } from './resources/user-sessions.js';
import { userRoutes } from './resources/users.js';

export const ROUTES: readonly RouteDef[] = [
  ...accountRoutes,
  ...policyRoutes,
  ...groupRoutes,
  ...policyTestRoutes,
  ...evaluateRoutes,
  ...appCaRoutes,
  ...appRoutes,
  ...appSettingsRoutes,
  ...appPolicyRoutes,
  ...userPolicyCheckRoutes,
  ...userRoutes,
  ...seatRoutes,
  ...userSessionRoutes,
  ...accessKeyRoutes,
  ...organizationRoutes,
  ...accessLogRoutes,
  ...scimUpdateLogRoutes,
  ...listRoutes,
  ...identityProviderRoutes,
  ...serviceTokenRoutes,
  ...tagRoutes,
  ...customPageRoutes,
  ...certificateSettingsRoutes,
  ...certificateRoutes,
  ...postureRuleRoutes,
  ...userTokenRoutes,
  ...auditLogRoutes,
];
