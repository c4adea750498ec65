// POST /accounts/{account_id}/access/evaluate (extension): what-if. Decide one identity (a
// user's last seen identity, or one given inline) against policies (given like a policy
// test's, or an application's by precedence), optionally changing the request context first
// (IP, country, device posture results, risk score, authentication methods, IdP). Enforcement
// semantics: a decision that depends on something unknown fails closed (blocked).

import { checkExternalEndpoints, distinctEndpoints } from './external-endpoints.js';
import { compilePolicySet, DECISIONS, explain, gatherExternalAnswers, parseIp, prepareIdentity, quote, type Identity, type Policy } from '../../engine/index.js';
import { loadAccountEnv } from '../../account/account-env.js';
import { parseTestPolicies } from '../../tester/definition.js';
import { identityOf } from '../../tester/evaluate-chunk.js';
import { apiError, validationError, type RequestIssue } from '../errors.js';
import { defineRoute, type RouteDef } from '../route.js';
import { IDENTITY_SCHEMA } from '../../schema/identity.js';
import { EXPLANATION } from '../../schema/explanation.js';
import { anyObject, anyOf, arr, bool, enumOf, int, mapOf, nullable, obj, str, type Static } from '../../schema/json-schema.js';
import { attachedPolicies, attachedPolicy } from './app-attachments.js';
import { getOr404 } from './common.js';
import { mayReadUsers, redactedNote } from './identity-access.js';
import { resolveTestPolicies } from './test-policies.js';

const CONTEXT = obj(
  {
    ip: str({ description: 'The request comes from this IP address.' }),
    // Its two letters are checked with the IP address, so that a body wrong in both hears of both.
    country: str({ description: 'The request comes from this country: a two-letter ISO 3166-1 code.' }),
    device_posture: mapOf(bool(), { description: 'Posture rule id → whether the device passes it.' }),
    user_risk_score: enumOf(['low', 'medium', 'high', 'unscored']),
    amr: arr(str(), { description: 'The authentication methods of the login (RFC 8176), e.g. ["pwd", "mfa"].' }),
    identity_provider_id: str({ description: 'The login came through this identity provider.' }),
  },
  { description: 'Changes applied to the identity before it is evaluated.' },
);

const BODY = obj(
  {
    policies: arr(anyOf([str({ minLength: 1 }), anyObject()], 'A reusable policy id or an inline policy.'), { minItems: 1, description: 'Policies to evaluate, in order.' }),
    app_id: str({ minLength: 1, description: "Evaluate an application's policies by precedence instead." }),
    user_id: str({ description: "Evaluate this user's last seen identity." }),
    email: str({ description: "Evaluate the last seen identity of the user with this email." }),
    identity: IDENTITY_SCHEMA,
    context: CONTEXT,
  },
  { description: 'Give policies or app_id, and user_id, email or identity.' },
);

const RESULT = obj(
  {
    status: enumOf(['approved', 'blocked']),
    access: enumOf(['granted', 'blocked']),
    unknown: bool('The decision depended on a rule that could not be decided, so access was refused (fail closed).'),
    decision: nullable(enumOf(DECISIONS, 'The deciding policy\'s decision; null when nothing matched or access is unknown.')),
    deciding_policy: nullable(
      obj(
        { index: int({ description: 'Its place in the evaluated list, from 0.' }), id: str(), name: str(), decision: enumOf(DECISIONS) },
        { required: ['index', 'name', 'decision'], description: 'The policy that decided; null when nothing matched.' },
      ),
    ),
    summary: str(),
    identity: anyObject('The identity as evaluated, context applied. Left out for a directory user when the credentials cannot read users.'),
    explanation: { ...EXPLANATION, description: 'Left out for a directory user when the credentials cannot read users (it quotes identity values).' },
  },
  { required: ['status', 'access', 'unknown', 'decision', 'deciding_policy', 'summary'] },
);

type EvaluateInput = Static<typeof BODY>;

function exactlyOne(input: EvaluateInput, fields: readonly (keyof EvaluateInput)[], pointer: string): RequestIssue[] {
  const given = fields.filter((f) => input[f] !== undefined);
  if (given.length === 1) return [];
  const list = fields.map((f) => `"${f}"`).join(', ');
  return [
    given.length === 0
      ? { code: 'required', pointer, message: `Give one of ${list}.` }
      : { code: 'invalid_format', pointer: `/${given[1]}`, message: `Give only one of ${list}, not ${given.map((f) => `"${f}"`).join(' and ')}.` },
  ];
}

/** The identity with the what-if context applied. */
export function withContext(identity: Identity, context: EvaluateInput['context'] = {}): Identity {
  const out: Identity = { ...identity };
  if (context.ip !== undefined) out.ip = context.ip;
  if (context.country !== undefined) out.geo = { ...(identity.geo ?? {}), country: context.country.toUpperCase() };
  if (context.user_risk_score !== undefined) {
    if (context.user_risk_score === 'unscored') delete out.user_risk_score;
    else out.user_risk_score = context.user_risk_score;
  }
  if (context.amr !== undefined) out.amr = context.amr;
  if (context.identity_provider_id !== undefined) out.idp = { ...(identity.idp ?? {}), id: context.identity_provider_id };
  if (context.device_posture !== undefined) {
    const posture = { ...(identity.devicePosture ?? {}) };
    for (const [rule, success] of Object.entries(context.device_posture)) posture[rule] = { ...(posture[rule] ?? {}), success };
    out.devicePosture = posture;
  }
  return out;
}

export const evaluateRoutes: RouteDef[] = [
  defineRoute({
    method: 'POST',
    path: '/accounts/{account_id}/access/evaluate',
    operationId: 'access-evaluate',
    summary: 'What-if: decide one identity against policies, explained',
    description:
      'Extension. Policies as in a policy test (reusable ids and inline policies) or an application (`app_id`); the identity of a user (`user_id`, `email`) or given inline (`identity`); `context` changes IP, country, device posture results, risk score, authentication methods or IdP first. A decision that depends on something unknown is refused (fail closed), with `unknown: true`.',
    tag: 'Access policy tester',
    permissions: ['Access: Policy Test Read', 'Access: Policy Test Write'],
    body: BODY,
    extension: true,
    status: 200,
    result: RESULT,
    handler: async ({ accountId, body: input, ctx, principal }) => {
      const issues = [...exactlyOne(input, ['policies', 'app_id'], '/policies'), ...exactlyOne(input, ['user_id', 'email', 'identity'], '/user_id')];
      if (input.context?.ip !== undefined && parseIp(input.context.ip) === undefined) {
        issues.push({ code: 'invalid_ip', pointer: '/context/ip', message: `${quote(input.context.ip)} is not an IPv4 or IPv6 address.` });
      }
      if (input.context?.country !== undefined && !/^[A-Za-z]{2}$/.test(input.context.country)) {
        issues.push({ code: 'invalid_format', pointer: '/context/country', message: `Expected a two-letter ISO 3166-1 country code, got ${quote(input.context.country)}.` });
      }
      if (issues.length > 0) throw validationError(issues);
      const store = ctx.store.read;

      let policies: Policy[];
      if (input.app_id !== undefined) {
        const app = await getOr404(store, accountId, 'app', input.app_id);
        policies = (await attachedPolicies(store, accountId, app)).map(attachedPolicy).filter((p): p is Policy => p !== undefined);
      } else {
        const resolved = await resolveTestPolicies(store, accountId, input.policies!, '/policies');
        if (resolved.issues.length > 0) throw validationError(resolved.issues);
        policies = parseTestPolicies(resolved.policies);
      }

      let base: Identity;
      if (input.identity !== undefined) base = input.identity;
      else {
        const user = input.user_id !== undefined ? await store.getUser(accountId, input.user_id) : await store.getUserByEmail(accountId, input.email!);
        if (user === undefined) throw apiError('not_found', { what: 'User', id: JSON.stringify(input.user_id ?? input.email) });
        base = identityOf(user);
      }
      const identity = withContext(base, input.context);

      const { env } = await loadAccountEnv(store, accountId, policies);
      // Rules reached through groups count too: the compiled set knows them all.
      const externalRules = compilePolicySet(policies, env).externalRules;
      await checkExternalEndpoints(store, accountId, principal, externalRules);
      // Each distinct endpoint is asked once (its answer and its keys): the caller pays for the calls.
      const evaluator = ctx.externalFor?.(accountId);
      if (evaluator !== undefined) ctx.chargeOutboundCalls(principal, distinctEndpoints(externalRules));
      const external = evaluator !== undefined && externalRules.length > 0 ? await gatherExternalAnswers(externalRules, identity, evaluator) : undefined;
      const explanation = explain(policies, prepareIdentity(identity), env, external !== undefined ? { external } : {});
      const granted = explanation.access === 'granted';
      if (input.identity === undefined && !mayReadUsers(principal, accountId)) {
        const deciding = explanation.deciding;
        return {
          result: {
            status: granted ? 'approved' : 'blocked',
            access: granted ? 'granted' : 'blocked',
            unknown: explanation.access === 'unknown',
            decision: explanation.access === 'unknown' ? null : (deciding?.decision ?? null),
            deciding_policy: deciding,
            summary: explanation.access === 'unknown' ? 'Blocked: the decision depended on a rule that could not be decided.' : deciding !== null && deciding !== undefined ? `Decided by policy ${quote(deciding.name)} (${deciding.decision}).` : 'Blocked: no policy matched.',
          },
          messages: [redactedNote(['identity', 'explanation'])],
        };
      }
      return {
        result: {
          status: granted ? 'approved' : 'blocked',
          access: granted ? 'granted' : 'blocked',
          unknown: explanation.access === 'unknown',
          decision: explanation.access === 'unknown' ? null : (explanation.deciding?.decision ?? null),
          deciding_policy: explanation.deciding,
          summary: explanation.summary,
          identity,
          explanation,
        },
      };
    },
  }),
];
