// Sign-in through an OpenID Connect identity provider (generic OIDC, Okta, Azure AD, Google,
// Google Workspace, OneLogin, PingOne, Centrify): the authorization code flow with PKCE, state and
// nonce, by openid-client, which also validates the ID token (signature against the provider's
// keys, issuer, audience, expiry, nonce). docs/identity-providers.md "OpenID Connect".

import * as client from 'openid-client';
import { jwtVerify } from 'jose';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ResourceRecord } from '../../store/store.js';
import { messagePage } from '../pages.js';
import { forwarded } from '../forwarded.js';
import type { LoginIdentity } from '../logins.js';
import { completeLogin, refuseLogin, resumeLogin, saveChallenge, SIGN_IN_UNFINISHABLE, type LoginContext, type PendingLogin } from './flow.js';
import { bindToBrowser, browserOf } from './browser-binding.js';
import { CALLBACK_PATH, type LoginMethod } from './method.js';
import { OIDC_ISSUERS, oidcServer } from './oidc-issuers.js';
import { configOf, ProviderConfigurations } from './oidc-providers.js';

const CHALLENGE_KIND = 'oidc';
const DEFAULT_SCOPES = ['openid', 'email', 'profile'];

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : []);

/** The group names (or ids) a groups claim carries: strings, or objects with a name or id. */
function groupNames(value: unknown): string[] {
  if (!Array.isArray(value)) return typeof value === 'string' ? [value] : [];
  return value.flatMap((g) => (typeof g === 'string' ? [g] : g !== null && typeof g === 'object' ? strings((g as Record<string, unknown>).name ?? (g as Record<string, unknown>).id) : []));
}

/** The claim that holds the email: the config's email_claim_name, else `email`. */
function emailClaimOf(config: Readonly<Record<string, unknown>>): string {
  return typeof config.email_claim_name === 'string' && config.email_claim_name !== '' ? config.email_claim_name : 'email';
}

/** The identity an ID token's claims give, or why it gives none. */
export function identityFromClaims(idp: ResourceRecord, claims: Readonly<Record<string, unknown>>): LoginIdentity | { readonly error: string } {
  const config = configOf(idp);
  const emailClaim = emailClaimOf(config);
  const email = claims[emailClaim];
  if (typeof email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(email)) return { error: `the identity provider sent no email address (claim ${emailClaim})` };
  // An address the provider says it has not verified may be anyone's: whoever typed it at sign-up
  // would sign in here as its owner. `email_verified` speaks of the standard `email` claim only
  // (OpenID Connect Core 5.1); a provider that leaves it out is taken at its word.
  if (emailClaim === 'email' && (claims.email_verified === false || claims.email_verified === 'false')) {
    return { error: `the identity provider has not verified the email address ${email}` };
  }
  if (idp.body.type === 'google-apps' && typeof config.apps_domain === 'string' && claims.hd !== config.apps_domain) {
    return { error: `the account is not in the Google Workspace domain ${config.apps_domain}` };
  }
  const kept = strings(config.claims);
  const fields = Object.fromEntries(kept.filter((name) => claims[name] !== undefined).map((name) => [name, claims[name]]));
  const contexts = idp.body.type === 'azureAD' && config.conditional_access_enabled === true ? strings(claims.acrs) : undefined;
  return {
    email,
    ...(typeof claims.name === 'string' ? { name: claims.name } : {}),
    groups: groupNames(claims.groups),
    idp: { id: idp.id, type: String(idp.body.type) },
    amr: strings(claims.amr),
    ...(contexts !== undefined ? { auth_contexts: contexts } : {}),
    ...(kept.length > 0 ? { oidc_fields: fields } : {}),
  };
}

/**
 * An ID token's claims with what UserInfo adds (OpenID Connect Core 5.4): the ID token's own win,
 * but an email taken from UserInfo comes with UserInfo's email_verified, for that is the address
 * it speaks of; the ID token's is kept only when UserInfo says nothing (a false still refuses).
 */
export function withUserInfo(idToken: Readonly<Record<string, unknown>>, userInfo: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...userInfo, ...idToken };
  if (idToken.email === undefined && userInfo.email !== undefined) merged.email_verified = userInfo.email_verified ?? idToken.email_verified;
  return merged;
}

/** The claims a sign-in reads: the email's, groups when asked for, and the configured ones. */
function claimsWanted(idp: ResourceRecord): string[] {
  const config = configOf(idp);
  return [...new Set([emailClaimOf(config), ...(strings(config.scopes).includes('groups') ? ['groups'] : []), ...strings(config.claims)])];
}

function scopesOf(idp: ResourceRecord): string {
  const configured = strings(configOf(idp).scopes);
  return [...new Set([...DEFAULT_SCOPES, ...configured])].join(' ');
}

export function oidcMethod(): LoginMethod {
  const configurations = new ProviderConfigurations();

  return {
    types: Object.keys(OIDC_ISSUERS),

    notSetUp(idp) {
      const server = oidcServer(String(idp.body.type), configOf(idp));
      return 'error' in server ? server.error : undefined;
    },

    async start(ctx: LoginContext, idp: ResourceRecord, pending: PendingLogin, request: FastifyRequest, reply: FastifyReply) {
      let configuration: client.Configuration;
      try {
        configuration = (await configurations.get(idp, ctx.now())).configuration;
      } catch (err) {
        request.log.warn({ idp: idp.id, err: (err as Error).message }, 'identity provider unreachable or misconfigured');
        return reply.code(502).type('text/html').send(messagePage('Sign-in unavailable', `${String(idp.body.name)} cannot be reached or is not set up right: ${(err as Error).message}`));
      }
      const config = configOf(idp);
      const verifier = client.randomPKCECodeVerifier();
      const nonce = client.randomNonce();
      const pkce = config.pkce_enabled !== false;
      const issuer = await ctx.issuer();
      const browser = bindToBrowser(request, reply, issuer);
      const state = await saveChallenge(ctx, CHALLENGE_KIND, pending, idp, { nonce, browser, ...(pkce ? { verifier } : {}) }, { ip: forwarded(request, ctx.trusted).ip });
      const parameters: Record<string, string> = { redirect_uri: `${issuer}${CALLBACK_PATH}`, scope: scopesOf(idp), state, nonce };
      if (pkce) Object.assign(parameters, { code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
      if (idp.body.type === 'google-apps' && typeof config.apps_domain === 'string') parameters.hd = config.apps_domain;
      if (typeof config.prompt === 'string') parameters.prompt = config.prompt;
      return reply.redirect(client.buildAuthorizationUrl(configuration, parameters).href, 302);
    },

    register(scope, contextOf) {
      scope.get(CALLBACK_PATH, async (request, reply) => {
        const ctx = await contextOf(request, reply);
        if (ctx === undefined) return reply;
        const query = request.query as Record<string, string | undefined>;
        const ip = forwarded(request, ctx.trusted).ip;
        const resumed = await resumeLogin(ctx, CHALLENGE_KIND, query.state, true, browserOf(request, await ctx.issuer()));
        if (resumed === undefined) {
          await refuseLogin(ctx, undefined, { connection: 'oidc', ip });
          return reply.code(400).type('text/html').send(messagePage('Sign-in failed', SIGN_IN_UNFINISHABLE));
        }
        const { pending, idp, body } = resumed;
        const connection = String(idp.body.type);
        const fail = async (message: string, email?: string): Promise<FastifyReply> => {
          await refuseLogin(ctx, pending, { connection, ip, email: email ?? null });
          return reply.code(401).type('text/html').send(messagePage('Sign-in failed', message, pending.target));
        };
        if (query.error !== undefined) return fail(`${String(idp.body.name)} did not sign you in: ${query.error_description ?? query.error}.`);
        let claims: Record<string, unknown>;
        // Set up by its endpoints (no discovery), so no UserInfo endpoint is known.
        let byEndpoints = false;
        try {
          const { configuration, keys } = await configurations.get(idp, ctx.now());
          const server = oidcServer(connection, configOf(idp));
          byEndpoints = configuration.serverMetadata().userinfo_endpoint === undefined && 'endpoints' in server && server.endpoints !== undefined;
          // The URL the provider sent the browser to: the callback on the auth domain, with its answer.
          const answered = new URL(`${await ctx.issuer()}${CALLBACK_PATH}`);
          for (const [name, value] of Object.entries(query)) if (typeof value === 'string') answered.searchParams.set(name, value);
          const tokens = await client.authorizationCodeGrant(configuration, answered, {
            expectedState: query.state!,
            expectedNonce: String(body.nonce),
            idTokenExpected: true,
            ...(typeof body.verifier === 'string' ? { pkceCodeVerifier: body.verifier } : {}),
          });
          // openid-client may trust an ID token from the token endpoint on TLS alone (OpenID Connect
          // Core 3.1.3.7); its signature is checked here too, so a forged one fails closed.
          if (tokens.id_token === undefined) throw new Error('no ID token in the answer');
          await jwtVerify(tokens.id_token, keys, { issuer: configuration.serverMetadata().issuer, audience: configuration.clientMetadata().client_id });
          claims = { ...(tokens.claims() ?? {}) };
          // A provider may give the scopes' claims at its UserInfo endpoint rather than in the ID
          // token (OpenID Connect Core 5.4; oidc-provider's default): asked there when the email
          // or a configured claim is missing. The ID token's own claims win; UserInfo must name
          // the same subject (checked by openid-client), and a failure fails the sign-in.
          const wanted = claimsWanted(idp);
          if (wanted.some((name) => claims[name] === undefined) && configuration.serverMetadata().userinfo_endpoint !== undefined && tokens.access_token !== undefined) {
            const userInfo = await client.fetchUserInfo(configuration, tokens.access_token, String(claims.sub));
            claims = withUserInfo(claims, userInfo);
          }
        } catch (err) {
          request.log.info({ idp: idp.id, err: (err as Error).message }, 'OpenID Connect sign-in refused');
          return fail(`${String(idp.body.name)}'s answer could not be verified: ${(err as Error).message}`);
        }
        const identity = identityFromClaims(idp, claims);
        if ('error' in identity) {
          // A provider configured by its endpoints names no UserInfo endpoint, where many give the
          // email (oidc-provider by default): say how to let it be asked, for whoever set it up.
          const hint = byEndpoints && claims[emailClaimOf(configOf(idp))] === undefined
            ? ` The ID token has no such claim, and a provider set up by its auth_url, token_url and certs_url names no UserInfo endpoint to ask: give it issuer_url without auth_url, token_url and certs_url (its discovery document then names UserInfo), or have it put the claim in the ID token.`
            : '';
          if (hint !== '') request.log.warn({ idp: idp.id }, `OpenID Connect sign-in refused: ${identity.error}.${hint}`);
          return fail(`Sign-in refused: ${identity.error}.${hint}`, typeof claims.email === 'string' ? claims.email : undefined);
        }
        return reply.redirect(await completeLogin(ctx, pending, identity, ip, reply), 302);
      });
    },
  };
}
