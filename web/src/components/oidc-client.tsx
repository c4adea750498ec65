// An OIDC SaaS application's client credentials. The server makes them (as Cloudflare does) and
// answers the client secret only in the write that made it; afterwards it is sealed. So the
// dashboard shows the secret from that answer, once, saying so, and the client id from then on.

import type { ComponentChildren } from 'preact';
import { isObject } from '../../../src/engine/is-object.js';
import type { App } from '../api/operations.js';
import { NewCredentials } from './new-credentials.js';

/** The application's OIDC client (its secret only in the answer that made it), or undefined for any other application. */
export function oidcClientOf(app: App): { clientId: string; clientSecret?: string } | undefined {
  const saas: unknown = app.saas_app;
  if (app.type !== 'saas' || !isObject(saas) || saas.auth_type !== 'oidc' || typeof saas.client_id !== 'string') return undefined;
  return { clientId: saas.client_id, ...(typeof saas.client_secret === 'string' ? { clientSecret: saas.client_secret } : {}) };
}

/** The application without the client secret a write answered, so that it is not kept in a form (the server ignores one sent back). */
export function withoutClientSecret(app: App): App {
  const saas: unknown = app.saas_app;
  if (!isObject(saas) || !('client_secret' in saas)) return app;
  const { client_secret: _secret, ...rest } = saas;
  return { ...app, saas_app: rest };
}

/** The credentials a write just made: id and secret with Copy buttons, and that the secret is shown only now. */
export function NewOidcClient({ name, clientId, clientSecret, children }: { name: string; clientId: string; clientSecret: string; children?: ComponentChildren }) {
  return (
    <NewCredentials
      label="OIDC client credentials"
      title={`OIDC client credentials of ${name}`}
      secret={clientSecret}
      notice="Copy it into the SaaS application's OIDC settings before you leave this page: portcullis keeps it sealed and will not show it again."
      credentials={[
        { term: 'Client ID', value: clientId, copyLabel: 'Copy the client ID', testId: 'client-id' },
        { term: 'Client secret', value: clientSecret, copyLabel: 'Copy the client secret', testId: 'client-secret' },
      ]}
    >
      {children}
    </NewCredentials>
  );
}
