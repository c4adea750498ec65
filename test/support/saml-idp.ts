// A SAML 2.0 identity provider for tests, on loopback: it takes an AuthnRequest by HTTP-Redirect
// at /sso (checking its signature when told to), and answers as real identity providers do, with
// a page whose form posts a SAMLResponse (an assertion signed by @node-saml/node-saml's own XML
// signing, i.e. xml-crypto) and the RelayState back to the request's AssertionConsumerServiceURL.
// The user it signs in, and what is wrong with the answer (unsigned, signed with another key,
// another audience, expired, ...), are the test's to set. A browser can follow it as well as fetch.

import { createServer, type Server } from 'node:http';
import { createVerify, randomBytes } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { signSamlPost } from '@node-saml/node-saml/lib/saml-post-signing.js';
import { selfSignedCertificate, type KeyAndCertificate } from '../../src/account/self-signed-certificate.js';

export const PASSWORD_CONTEXT = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';
export const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
export const PERSISTENT_FORMAT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';

export interface SamlIdpUser {
  readonly nameId: string;
  readonly nameIdFormat?: string;
  /** Attribute statements: one value or several (a multi-valued attribute). */
  readonly attributes?: Readonly<Record<string, string | readonly string[]>>;
  /** The AuthnContextClassRef (default PasswordProtectedTransport). */
  readonly authnContext?: string;
}

/** What the answer carries; by default everything a careful service provider checks is right. */
export interface AnswerOptions {
  /** Who signs the assertion: the identity provider's key (default), another key, or nobody. */
  readonly signWith?: 'idp' | 'other' | 'none';
  /**
   * What is signed: the Assertion (default, as Okta and Entra ID do), the whole Response only (as
   * Keycloak does by default), or both.
   */
  readonly signedPart?: 'assertion' | 'response' | 'both';
  /** The audience (default: the request's issuer, the service provider's entity id). */
  readonly audience?: string;
  /** Seconds the assertion stays valid from now (default 300; negative: it has expired). */
  readonly validForSeconds?: number;
  /** The request it answers, in the Response and the bearer confirmation (default: the request's ID). */
  readonly inResponseTo?: string;
  /** The issuer of the assertion (default: the identity provider's entity id). */
  readonly issuer?: string;
  /** The bearer confirmation's Recipient (default: the request's ACS URL). */
  readonly recipient?: string;
  /** The bearer confirmation's InResponseTo (default: as the Response's; null: left out, as a sloppy provider does). */
  readonly confirmationInResponseTo?: string | null;
}

export interface ReceivedRequest {
  readonly id: string;
  readonly issuer: string;
  readonly acs: string;
  readonly relayState: string | undefined;
  /** The request carried a Signature (HTTP-Redirect binding). */
  readonly signed: boolean;
  /** The request's XML, inflated. */
  readonly xml: string;
}

/** A page's auto-posting form: where it posts and its fields. */
export interface PostedForm {
  readonly action: string;
  readonly fields: Record<string, string>;
  /** The Cookie header the browser posting it holds for the action's site (portcullis's sign-in cookie), if any. */
  readonly cookie?: string;
}

export interface SamlIdp {
  /** The base URL; the SSO service is at ssoUrl. */
  readonly url: string;
  readonly ssoUrl: string;
  readonly entityId: string;
  /** The certificate that verifies its signatures (PEM), for the provider's idp_public_certs. */
  readonly cert: string;
  /** The requests it received, oldest first. */
  readonly requests: readonly ReceivedRequest[];
  /** Who the next sign-ins are for, and what their answers carry. */
  signInAs(user: SamlIdpUser, options?: AnswerOptions): void;
  /** Refuse AuthnRequests that are not signed by this certificate's key (undefined: accept any). */
  requireSignedRequests(certificatePem: string | undefined): void;
  /** A SAMLResponse (base64) answering `request`, as /sso would post it. */
  answer(request: Pick<ReceivedRequest, 'id' | 'issuer' | 'acs'>, user: SamlIdpUser, options?: AnswerOptions): string;
  stop(): Promise<void>;
}

const escapeXml = (text: string): string => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
const unescapeXml = (text: string): string => text.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[e]!);
const newId = (): string => `_${randomBytes(16).toString('hex')}`;
const instant = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The ID, issuer and ACS URL of an AuthnRequest. */
function parseAuthnRequest(xml: string): Pick<ReceivedRequest, 'id' | 'issuer' | 'acs'> {
  const root = /<(?:[\w-]+:)?AuthnRequest\b([^>]*)>/.exec(xml)?.[1] ?? '';
  const attribute = (name: string): string => unescapeXml(new RegExp(`\\b${name}="([^"]*)"`).exec(root)?.[1] ?? '');
  const issuer = unescapeXml(/<(?:[\w-]+:)?Issuer\b[^>]*>([^<]*)</.exec(xml)?.[1] ?? '');
  return { id: attribute('ID'), issuer, acs: attribute('AssertionConsumerServiceURL') };
}

/** Check an HTTP-Redirect binding signature over the query as sent (SAML bindings 3.4.4.1). */
function redirectSignatureValid(rawQuery: string, certificatePem: string): boolean {
  const parts = rawQuery.split('&');
  const raw = (name: string): string | undefined => parts.find((p) => p.startsWith(`${name}=`));
  const signature = raw('Signature');
  const sigAlg = raw('SigAlg');
  if (signature === undefined || sigAlg === undefined || decodeURIComponent(sigAlg.slice('SigAlg='.length)) !== RSA_SHA256) return false;
  const signed = [raw('SAMLRequest'), raw('RelayState'), sigAlg].filter((p): p is string => p !== undefined).join('&');
  return createVerify('RSA-SHA256').update(signed).verify(certificatePem, decodeURIComponent(signature.slice('Signature='.length)), 'base64');
}

/** The form of an identity provider's answer page (the test's stand-in for the browser posting it). */
export function parseAutoPostForm(html: string): PostedForm {
  const action = /<form\b[^>]*\baction="([^"]*)"/.exec(html)?.[1];
  if (action === undefined) throw new Error(`no form in: ${html.slice(0, 300)}`);
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input\b[^>]*\bname="([^"]*)"[^>]*\bvalue="([^"]*)"/g)) fields[unescapeXml(m[1]!)] = unescapeXml(m[2]!);
  return { action: unescapeXml(action), fields };
}

function attributeStatement(attributes: Readonly<Record<string, string | readonly string[]>>): string {
  const entries = Object.entries(attributes);
  if (entries.length === 0) return '';
  const values = (v: string | readonly string[]): string => (typeof v === 'string' ? [v] : v).map((x) => `<saml:AttributeValue>${escapeXml(x)}</saml:AttributeValue>`).join('');
  return `<saml:AttributeStatement>${entries.map(([name, v]) => `<saml:Attribute Name="${escapeXml(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">${values(v)}</saml:Attribute>`).join('')}</saml:AttributeStatement>`;
}

export async function startSamlIdp(options: { readonly port?: number } = {}): Promise<SamlIdp> {
  const key = await selfSignedCertificate('test SAML identity provider', 30);
  const otherKey = await selfSignedCertificate('someone else', 30);
  const requests: ReceivedRequest[] = [];
  let user: SamlIdpUser = { nameId: 'user@example.com', nameIdFormat: EMAIL_FORMAT };
  let answerOptions: AnswerOptions = {};
  let requiredSigner: string | undefined;
  let base = '';

  const answer = (request: Pick<ReceivedRequest, 'id' | 'issuer' | 'acs'>, who: SamlIdpUser, o: AnswerOptions = {}): string => {
    const now = Date.now();
    const validFor = (o.validForSeconds ?? 300) * 1000;
    const notOnOrAfter = instant(now + validFor);
    const notBefore = instant(Math.min(now, now + validFor) - 300_000);
    const inResponseTo = escapeXml(o.inResponseTo ?? request.id);
    const confirmationInResponseTo = o.confirmationInResponseTo === null ? '' : ` InResponseTo="${escapeXml(o.confirmationInResponseTo ?? o.inResponseTo ?? request.id)}"`;
    const issuer = `<saml:Issuer>${escapeXml(o.issuer ?? `${base}/metadata`)}</saml:Issuer>`;
    const assertion =
      `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${newId()}" Version="2.0" IssueInstant="${instant(now)}">${issuer}` +
      `<saml:Subject><saml:NameID Format="${escapeXml(who.nameIdFormat ?? EMAIL_FORMAT)}">${escapeXml(who.nameId)}</saml:NameID>` +
      `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData${confirmationInResponseTo} NotOnOrAfter="${notOnOrAfter}" Recipient="${escapeXml(o.recipient ?? request.acs)}"/></saml:SubjectConfirmation></saml:Subject>` +
      `<saml:Conditions NotBefore="${notBefore}" NotOnOrAfter="${notOnOrAfter}"><saml:AudienceRestriction><saml:Audience>${escapeXml(o.audience ?? request.issuer)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
      `<saml:AuthnStatement AuthnInstant="${instant(now)}" SessionIndex="${newId()}"><saml:AuthnContext><saml:AuthnContextClassRef>${escapeXml(who.authnContext ?? PASSWORD_CONTEXT)}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
      attributeStatement(who.attributes ?? {}) +
      `</saml:Assertion>`;
    const response =
      `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${newId()}" Version="2.0" IssueInstant="${instant(now)}" Destination="${escapeXml(request.acs)}" InResponseTo="${inResponseTo}">` +
      `${issuer}<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>${assertion}</samlp:Response>`;
    const signer: KeyAndCertificate | undefined = o.signWith === 'none' ? undefined : o.signWith === 'other' ? otherKey : key;
    const sign = (xml: string, part: string): string => (signer === undefined ? xml : signSamlPost(xml, part, { privateKey: signer.privateKeyPem, publicCert: signer.certificatePem, signatureAlgorithm: 'sha256', digestAlgorithm: 'sha256' }));
    const signedPart = o.signedPart ?? 'assertion';
    const assertionSigned = signedPart === 'response' ? response : sign(response, '/*[local-name(.)="Response"]/*[local-name(.)="Assertion"]');
    const xml = signedPart === 'assertion' ? assertionSigned : sign(assertionSigned, '/*[local-name(.)="Response"]');
    return Buffer.from(xml, 'utf8').toString('base64');
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    const send = (status: number, html: string): void => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    };
    if (url.pathname !== '/sso' || req.method !== 'GET') return send(404, 'not found');
    const samlRequest = url.searchParams.get('SAMLRequest');
    if (samlRequest === null) return send(400, 'no SAMLRequest');
    let xml: string;
    try {
      xml = inflateRawSync(Buffer.from(samlRequest, 'base64')).toString('utf8');
    } catch {
      return send(400, 'SAMLRequest does not inflate');
    }
    const parsed = parseAuthnRequest(xml);
    const relayState = url.searchParams.get('RelayState') ?? undefined;
    const rawQuery = (req.url ?? '').split('?')[1] ?? '';
    const signed = url.searchParams.has('Signature');
    requests.push({ ...parsed, relayState, signed, xml });
    if (requiredSigner !== undefined && !redirectSignatureValid(rawQuery, requiredSigner)) return send(400, 'the AuthnRequest is not signed by the service provider');
    if (parsed.id === '' || parsed.acs === '') return send(400, 'the AuthnRequest has no ID or AssertionConsumerServiceURL');
    const hidden = (name: string, value: string): string => `<input type="hidden" name="${name}" value="${escapeXml(value)}">`;
    return send(
      200,
      `<!doctype html><html><body onload="document.forms[0].submit()"><form method="post" action="${escapeXml(parsed.acs)}">` +
        hidden('SAMLResponse', answer(parsed, user, answerOptions)) +
        (relayState === undefined ? '' : hidden('RelayState', relayState)) +
        `<noscript><button type="submit">Continue</button></noscript></form></body></html>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    ssoUrl: `${base}/sso`,
    entityId: `${base}/metadata`,
    cert: key.certificatePem,
    requests,
    signInAs(next, o = {}) {
      user = next;
      answerOptions = o;
    },
    requireSignedRequests(certificatePem) {
      requiredSigner = certificatePem;
    },
    answer,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
