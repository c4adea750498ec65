// Sign-in through a SAML 2.0 identity provider (Cloudflare's generic `saml` type), with
// @node-saml/node-saml as the service provider: an AuthnRequest by HTTP-Redirect (signed when the
// provider's config says sign_request), the answer POSTed back to the callback and checked there:
// a signed assertion (the provider's certificates), for this service provider (audience, the
// bearer confirmation's recipient), in response to this very request (InResponseTo, the request
// kept with the sign-in's challenge, which is taken once: a replayed answer finds nothing), within
// its validity (a small clock skew). Also the service provider's metadata, for the identity
// provider's setup. docs/identity-providers.md "SAML 2.0".

import { randomBytes, X509Certificate } from 'node:crypto';
import { generateServiceProviderMetadata, SAML, ValidateInResponseTo, type CacheProvider, type Profile, type SamlConfig } from '@node-saml/node-saml';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ResourceRecord, Store } from '../../store/store.js';
import { SamlSpKeys } from '../../account/saml-sp-key.js';
import type { KeyAndCertificate } from '../../account/self-signed-certificate.js';
import { messagePage, repostPage } from '../pages.js';
import { forwarded } from '../forwarded.js';
import { challengeStartedIn, CHALLENGE_SECONDS, completeLogin, refuseLogin, resumeLogin, saveChallenge, SIGN_IN_UNFINISHABLE, type LoginContext, type PendingLogin } from './flow.js';
import { bindToBrowser, browserOf } from './browser-binding.js';
import { CALLBACK_PATH, type LoginMethod } from './method.js';
import { headersFromAssertion, identityFromAssertion, samlConfigOf } from './saml-identity.js';

const CHALLENGE_KIND = 'saml';
const CONNECTION = 'saml';
/** The service provider's metadata for every SAML provider of the account (Cloudflare's path). */
export const SAML_METADATA_PATH = '/cdn-cgi/access/saml-metadata';
/** The metadata for one provider: /cdn-cgi/access/<identity provider id>/saml-metadata (Cloudflare's path). */
export const samlProviderMetadataPath = (idpId: string): string => `/cdn-cgi/access/${encodeURIComponent(idpId)}/saml-metadata`;
/** How far the identity provider's clock may be off from ours. */
export const CLOCK_SKEW_MS = 60_000;
/** The largest form a SAML answer may post (an assertion with many groups is tens of KiB). */
export const MAX_RESPONSE_BYTES = 256 * 1024;
const EMAIL_NAME_ID = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The service provider's entity id, and where answers are posted: the callback on the auth domain (Cloudflare uses one URL for both). */
async function serviceProviderUrl(ctx: LoginContext): Promise<string> {
  return `${await ctx.issuer()}${CALLBACK_PATH}`;
}

interface ProviderSettings {
  readonly entryPoint: string;
  readonly certificates: string[];
  readonly issuer: string | undefined;
  readonly signRequests: boolean;
}

/** What a provider's config must hold for a sign-in, or what is wrong with it. */
function providerSettings(idp: ResourceRecord): ProviderSettings | { readonly error: string } {
  const config = samlConfigOf(idp);
  const target = typeof config.sso_target_url === 'string' ? config.sso_target_url.trim() : '';
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return { error: 'its sso_target_url is not a URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { error: 'its sso_target_url is not an http(s) URL' };
  const listed = Array.isArray(config.idp_public_certs) ? config.idp_public_certs.filter((c): c is string => typeof c === 'string' && c.trim() !== '') : [];
  if (listed.length === 0) return { error: 'it has no idp_public_certs to check signed assertions with' };
  const certificates: string[] = [];
  for (const [i, listedCert] of listed.entries()) {
    const pem = certificatePem(listedCert);
    if (pem === undefined) return { error: `idp_public_certs[${i}] is not an X.509 certificate (PEM or base64 DER)` };
    certificates.push(pem);
  }
  const issuer = typeof config.issuer_url === 'string' && config.issuer_url.trim() !== '' ? config.issuer_url.trim() : undefined;
  return { entryPoint: url.toString(), certificates, issuer, signRequests: config.sign_request === true };
}

/** A certificate as PEM, from PEM or the bare base64 of its DER (as identity providers show it), if it is one. */
function certificatePem(text: string): string | undefined {
  const body = text.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+=*$/.test(body)) return undefined;
  const pem = `-----BEGIN CERTIFICATE-----\n${body.replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;
  try {
    new X509Certificate(pem);
    return pem;
  } catch {
    return undefined;
  }
}

/**
 * InResponseTo as node-saml checks it, against the one request this sign-in sent (kept in its
 * challenge) rather than a cache of every request: nothing else is ever valid.
 */
function onlyRequest(requestId: string, issuedAt: string): CacheProvider {
  return {
    saveAsync: async () => null,
    getAsync: async (key) => (key === requestId ? issuedAt : null),
    removeAsync: async () => null,
  };
}

function serviceProvider(url: string, settings: ProviderSettings, key: KeyAndCertificate | undefined, expected?: { readonly requestId: string; readonly issuedAt: string }): SAML {
  const options: SamlConfig = {
    issuer: url,
    callbackUrl: url,
    audience: url,
    entryPoint: settings.entryPoint,
    idpCert: settings.certificates,
    // A valid signature over the whole Response (Keycloak's default) or over the Assertion itself
    // (Okta's, Entra ID's): neither option set, node-saml still refuses an answer with neither, and
    // reads the assertion from the signed content only, never from around it.
    wantAssertionsSigned: false,
    wantAuthnResponseSigned: false,
    acceptedClockSkewMs: CLOCK_SKEW_MS,
    // The NameID format and the authentication method are the identity provider's to choose.
    identifierFormat: null,
    disableRequestedAuthnContext: true,
    signatureAlgorithm: 'sha256',
    ...(key !== undefined ? { privateKey: key.privateKeyPem } : {}),
    ...(expected !== undefined
      ? {
          generateUniqueId: () => expected.requestId,
          validateInResponseTo: ValidateInResponseTo.always,
          cacheProvider: onlyRequest(expected.requestId, expected.issuedAt),
          requestIdExpirationPeriodMs: CHALLENGE_SECONDS * 1000,
        }
      : {}),
  };
  return new SAML(options);
}

/** What a sign-in's id (the RelayState this server sends) looks like: saveChallenge's 24 random bytes. */
const CHALLENGE_ID = /^[A-Za-z0-9_-]{32}$/;

const PROVIDER_STARTED = 'This answer comes from a sign-in started at the identity provider (an application tile or a link in its portal), which this server does not accept: open the application itself, which sends you to sign in.';

/**
 * node-saml's own refusals say what failed (a signature, a time, an audience, the request answered);
 * anything else is a parser's or a program's error on an answer that is not SAML as expected, whose
 * text would tell an administrator nothing: that text goes to the log only.
 */
const SAML_REFUSAL = /^(Invalid signature|No valid subject confirmation|Unable to process|Error parsing|Too many signatures|Not a valid XML document|Only 1 signed references|Invalid document signature|Invalid EncryptedAssertion|SAML assertion|InResponseTo|SubjectInResponseTo|Missing SAML|Unknown SAML|Cannot obtain assertion|Bad status code|No decryption key)/;

function refusalReason(err: unknown): string {
  const message = err instanceof Error ? err.message : '';
  return SAML_REFUSAL.test(message) ? message : 'it is not a SAML response this server can read (a signed Response, or a Response holding one signed Assertion, with its Conditions, posted as SAMLResponse)';
}

/**
 * The checks node-saml leaves to the service provider (SAML profiles 4.1.4.2/4.1.4.3): the
 * signed assertion's issuer is the configured one, and a bearer confirmation in it names this
 * request and this callback, so that an assertion captured from another sign-in cannot be
 * re-wrapped in a Response that claims to answer this one.
 */
function assertionMismatch(profile: Profile, settings: ProviderSettings, requestId: string, url: string): string | undefined {
  if (settings.issuer !== undefined && profile.issuer !== settings.issuer) return `the assertion's issuer ${JSON.stringify(profile.issuer ?? '')} is not the configured issuer_url ${JSON.stringify(settings.issuer)}`;
  const assertion = profile.getAssertion?.().Assertion;
  const subject = isRecord(assertion) && Array.isArray(assertion.Subject) ? assertion.Subject[0] : undefined;
  const confirmations: unknown[] = isRecord(subject) && Array.isArray(subject.SubjectConfirmation) ? subject.SubjectConfirmation : [];
  const confirms = confirmations.some((c) => {
    if (!isRecord(c) || !isRecord(c.$) || c.$.Method !== BEARER || !Array.isArray(c.SubjectConfirmationData)) return false;
    const data = c.SubjectConfirmationData[0];
    return isRecord(data) && isRecord(data.$) && data.$.InResponseTo === requestId && data.$.Recipient === url;
  });
  return confirms ? undefined : 'the assertion has no bearer confirmation for this sign-in (InResponseTo and Recipient)';
}

export function samlMethod(): LoginMethod {
  const spKeys = new WeakMap<Store, SamlSpKeys>();
  const keysOf = (ctx: LoginContext): SamlSpKeys => {
    let keys = spKeys.get(ctx.store);
    if (keys === undefined) spKeys.set(ctx.store, (keys = new SamlSpKeys(ctx.store)));
    return keys;
  };

  const metadata = async (ctx: LoginContext, signRequests: boolean): Promise<string> => {
    const url = await serviceProviderUrl(ctx);
    const key = signRequests ? await keysOf(ctx).get(ctx.accountId) : undefined;
    return generateServiceProviderMetadata({
      issuer: url,
      callbackUrl: url,
      identifierFormat: EMAIL_NAME_ID,
      wantAssertionsSigned: true,
      ...(key !== undefined ? { privateKey: key.privateKeyPem, publicCerts: key.certificatePem, signatureAlgorithm: 'sha256' } : {}),
    });
  };
  const sendMetadata = (reply: FastifyReply, xml: string): FastifyReply => reply.header('cache-control', 'no-cache').type('application/xml; charset=utf-8').send(xml);

  return {
    types: ['saml'],

    notSetUp(idp) {
      const settings = providerSettings(idp);
      return 'error' in settings ? settings.error : undefined;
    },

    async start(ctx: LoginContext, idp: ResourceRecord, pending: PendingLogin, request: FastifyRequest, reply: FastifyReply) {
      const settings = providerSettings(idp);
      if ('error' in settings) {
        request.log.warn({ idp: idp.id, err: settings.error }, 'SAML identity provider misconfigured');
        return reply.code(502).type('text/html').send(messagePage('Sign-in unavailable', `${String(idp.body.name)} is not set up right: ${settings.error}.`));
      }
      const requestId = `_${randomBytes(20).toString('hex')}`;
      const issuedAt = new Date(ctx.now()).toISOString();
      const browser = bindToBrowser(request, reply, await ctx.issuer());
      const relayState = await saveChallenge(ctx, CHALLENGE_KIND, pending, idp, { request_id: requestId, issued_at: issuedAt, browser }, { ip: forwarded(request, ctx.trusted).ip });
      const key = settings.signRequests ? await keysOf(ctx).get(ctx.accountId) : undefined;
      const sp = serviceProvider(await serviceProviderUrl(ctx), settings, key, { requestId, issuedAt });
      return reply.redirect(await sp.getAuthorizeUrlAsync(relayState, undefined, {}), 302);
    },

    register(scope, contextOf) {
      // The identity provider's answer, posted by the browser (SAML HTTP-POST binding). An
      // assertion with many attributes outgrows the 16 KiB other forms are held to.
      scope.post(CALLBACK_PATH, { bodyLimit: MAX_RESPONSE_BYTES }, async (request, reply) => {
        const ctx = await contextOf(request, reply);
        if (ctx === undefined) return reply;
        const form = isRecord(request.body) ? request.body : {};
        const ip = forwarded(request, ctx.trusted).ip;
        const relayState = typeof form.RelayState === 'string' ? form.RelayState : undefined;
        const browser = browserOf(request, await ctx.issuer());
        // The provider's page posts from its own site, and a SameSite=Lax cookie does not come with
        // a cross-site POST: the browser is asked once to post the answer again from here, which
        // brings the sign-in cookie (browser-binding.ts).
        if (form.reposted !== '1' && typeof form.SAMLResponse === 'string' && !(await challengeStartedIn(ctx, relayState, browser))) {
          return reply.header('cache-control', 'no-store').type('text/html').send(repostPage(CALLBACK_PATH, { SAMLResponse: form.SAMLResponse, ...(relayState !== undefined ? { RelayState: relayState } : {}), reposted: '1' }));
        }
        const resumed = await resumeLogin(ctx, CHALLENGE_KIND, relayState, true, browser);
        if (resumed === undefined) {
          await refuseLogin(ctx, undefined, { connection: CONNECTION, ip });
          // No sign-in of ours named at all: the provider started it (its app tile or portal), which
          // answers no request of this server; say that rather than "expired or another browser".
          const providerStarted = relayState === undefined || !CHALLENGE_ID.test(relayState);
          return reply.code(400).type('text/html').send(messagePage('Sign-in failed', providerStarted ? PROVIDER_STARTED : SIGN_IN_UNFINISHABLE));
        }
        const { pending, idp, body } = resumed;
        const fail = async (message: string, email?: string): Promise<FastifyReply> => {
          await refuseLogin(ctx, pending, { connection: CONNECTION, ip, email: email ?? null });
          return reply.code(401).type('text/html').send(messagePage('Sign-in failed', message, pending.target));
        };
        const settings = providerSettings(idp);
        if ('error' in settings) return fail(`${String(idp.body.name)} is not set up right: ${settings.error}.`);
        if (typeof form.SAMLResponse !== 'string' || form.SAMLResponse === '') return fail(`${String(idp.body.name)} sent no SAMLResponse.`);
        const requestId = String(body.request_id);
        const url = await serviceProviderUrl(ctx);
        let profile: Profile | null;
        try {
          ({ profile } = await serviceProvider(url, settings, undefined, { requestId, issuedAt: String(body.issued_at) }).validatePostResponseAsync({ SAMLResponse: form.SAMLResponse }));
        } catch (err) {
          request.log.info({ idp: idp.id, err: (err as Error).message }, 'SAML sign-in refused');
          return fail(`${String(idp.body.name)}'s answer could not be verified: ${refusalReason(err)}`);
        }
        if (profile === null) return fail(`${String(idp.body.name)} did not sign you in.`);
        const mismatch = assertionMismatch(profile, settings, requestId, url);
        if (mismatch !== undefined) return fail(`${String(idp.body.name)}'s answer could not be verified: ${mismatch}.`);
        const identity = identityFromAssertion(idp, profile);
        if ('error' in identity) return fail(`Sign-in refused: ${identity.error}.`);
        const { headers, refused } = headersFromAssertion(idp, profile);
        for (const { header, reason } of refused) request.log.warn({ idp: idp.id, header, reason }, 'SAML header attribute left out');
        return reply.redirect(await completeLogin(ctx, pending, { ...identity, headers }, ip, reply), 302);
      });

      // The service provider's metadata, to upload to the identity provider. With a signing
      // certificate when a provider (this one, or any for the default) signs its requests.
      scope.get(SAML_METADATA_PATH, async (request, reply) => {
        const ctx = await contextOf(request, reply);
        if (ctx === undefined) return reply;
        const providers = await ctx.store.read.allResources(ctx.accountId, 'identity_provider');
        const signs = providers.some((idp) => idp.body.type === 'saml' && samlConfigOf(idp).sign_request === true);
        return sendMetadata(reply, await metadata(ctx, signs));
      });
      scope.get('/cdn-cgi/access/:idp/saml-metadata', async (request, reply) => {
        const ctx = await contextOf(request, reply);
        if (ctx === undefined) return reply;
        const { idp: idpId } = request.params as { idp: string };
        const idp = await ctx.store.read.getResource(ctx.accountId, 'identity_provider', idpId);
        if (idp === undefined || idp.body.type !== 'saml') return reply.code(404).type('text/html').send(messagePage('Not found', 'No SAML identity provider has this id.'));
        return sendMetadata(reply, await metadata(ctx, samlConfigOf(idp).sign_request === true));
      });
    },
  };
}
