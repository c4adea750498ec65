// A real OpenID provider for tests (oidc-provider, a certified implementation) on a loopback
// port: one client, a directory of people with their claims, and a login page of its own where
// the person's username is typed (a browser fills it in; fetch-driven tests post it). Consent is
// granted without asking. Each login's amr is the person's.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

export interface Person {
  readonly sub: string;
  readonly email?: string;
  readonly name?: string;
  readonly groups?: readonly string[];
  readonly amr?: readonly string[];
  /** Further claims put in the ID token. */
  readonly claims?: Readonly<Record<string, unknown>>;
}

export interface OidcIdp {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The Cloudflare generic OIDC config for this provider. */
  readonly config: Record<string, unknown>;
  /** Add or replace a person (by username = sub). */
  setPerson(username: string, person: Person): void;
  close(): Promise<void>;
}

const readForm = async (req: IncomingMessage): Promise<URLSearchParams> => {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return new URLSearchParams(body);
};

export async function startOidcIdp(options: {
  redirectUri: string | (() => string);
  clientId?: string;
  clientSecret?: string;
  /** false: the scopes' claims only at the UserInfo endpoint (oidc-provider's default), not in the ID token. */
  claimsInIdToken?: boolean;
}): Promise<OidcIdp> {
  const people = new Map<string, Person>();
  const clientId = options.clientId ?? 'portcullis-test';
  const clientSecret = options.clientSecret ?? 'test-client-secret-0123456789abcdef';
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signing = { ...(await exportJWK(privateKey)), use: 'sig', alg: 'RS256', kid: 'test-idp-key' };
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const redirectUri = typeof options.redirectUri === 'function' ? options.redirectUri() : options.redirectUri;

  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic' }],
    jwks: { keys: [signing as never] },
    claims: { openid: ['sub', 'amr'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'], department: ['department'] },
    scopes: ['openid', 'email', 'profile', 'groups', 'department'],
    // Claims go in the ID token itself unless asked otherwise (then only UserInfo has them).
    conformIdTokenClaims: options.claimsInIdToken === false,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: ['test-cookie-key-0123456789'] },
    pkce: { required: () => false },
    async findAccount(_ctx, sub) {
      const person = people.get(sub);
      if (person === undefined) return undefined;
      return {
        accountId: sub,
        async claims() {
          return { sub, ...(person.email !== undefined ? { email: person.email, email_verified: true } : {}), ...(person.name !== undefined ? { name: person.name } : {}), groups: [...(person.groups ?? [])], ...(person.claims ?? {}) };
        },
      };
    },
  });

  const interaction = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      if (req.method === 'POST') {
        const username = (await readForm(req)).get('login') ?? '';
        const person = people.get(username);
        if (person === undefined) {
          res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><p id="error">No such person</p>`);
          return;
        }
        await provider.interactionFinished(req, res, { login: { accountId: username, amr: [...(person.amr ?? ['pwd'])] } }, { mergeWithLastSubmission: false });
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>Test identity provider</title><form method="post" action="/interaction/${details.uid}"><label>Username <input name="login" id="idp-login"></label><button type="submit" id="idp-submit">Sign in</button></form>`);
      return;
    }
    // Consent: granted for whatever the client asked.
    const accountId = String(details.session?.accountId);
    const grant = details.grantId !== undefined ? ((await provider.Grant.find(details.grantId)) ?? new provider.Grant({ accountId, clientId })) : new provider.Grant({ accountId, clientId });
    const missing = (details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] });
    if (missing.missingOIDCScope !== undefined) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims !== undefined) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  };

  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (req.url?.startsWith('/interaction/') === true) {
      interaction(req, res).catch((err: Error) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(err.message);
      });
      return;
    }
    callback(req, res);
  });

  return {
    issuer,
    clientId,
    clientSecret,
    config: { client_id: clientId, client_secret: clientSecret, auth_url: `${issuer}/auth`, token_url: `${issuer}/token`, certs_url: `${issuer}/jwks`, scopes: ['openid', 'email', 'profile', 'groups'] },
    setPerson: (username, person) => people.set(username, person),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
