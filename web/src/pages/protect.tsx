// "Protect it": the nginx, Caddy and Traefik configuration that puts one application behind
// portcullis, generated from its hostnames by the very code `portcullis proxy-config` prints
// with (src/access/proxy-config.ts, bundled as it is), each with a Copy button and the steps to
// install it, and what happens then (docs/enforcement.md).

import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { appPortFor, HOST_PORT, listenProblem, PROXIES, PROXIED_APP_TYPES, hostsOf, hostsSharedWith, proxyConfigFile, type ProxyName } from '../../../src/access/proxy-config.js';
import { authDomainUrl } from '../../../src/schema/auth-domain.js';
import { samlHeaderNamesOf } from '../../../src/schema/saml-headers.js';
import type { App } from '../api/operations.js';
import { useApp } from '../app-context.js';
import { ErrorBanner, Link, PageTitle, useAsync } from '../components/common.js';
import { CopyButton } from '../components/copy-button.js';
import { Pending, useDocument } from '../components/document.js';
import { TextField } from '../components/fields.js';
import { NotesProvider, type Note } from '../components/notes.js';

const PROXY_TITLES: Record<ProxyName, string> = { nginx: 'nginx', caddy: 'Caddy', traefik: 'Traefik' };

/** A word for a POSIX shell command line, quoted when it needs to be. */
const shellWord = (word: string): string => (/^[\w.:@/-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

/** A file name for the application's configuration: "Team wiki" → team-wiki. */
const slug = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'app';

function Steps({ proxy, file, firstHost }: { proxy: ProxyName; file: string; firstHost: string }) {
  const steps: Record<ProxyName, ComponentChildren[]> = {
    nginx: [
      <>
        Save it as <code>/etc/nginx/conf.d/{file}.conf</code> (nginx reads that folder inside its <code>http</code> block).
      </>,
      <>
        Check and reload: <code>nginx -t && nginx -s reload</code> (or <code>systemctl reload nginx</code>).
      </>,
    ],
    caddy: [
      <>
        Add it to your Caddyfile (<code>/etc/caddy/Caddyfile</code>); Caddy gets the site's certificate itself.
      </>,
      <>
        Reload: <code>caddy reload --config /etc/caddy/Caddyfile</code>.
      </>,
    ],
    traefik: [
      <>
        Save it in the folder of Traefik's file provider (<code>providers.file.directory</code>), e.g. <code>/etc/traefik/dynamic/{file}.yml</code>.
      </>,
      <>
        With <code>providers.file.watch: true</code> Traefik loads it at once; otherwise restart Traefik. (Traefik is not run by portcullis's tests; its configuration follows Traefik's documentation.)
      </>,
    ],
  };
  return (
    <ol class="steps">
      {steps[proxy].map((step, i) => (
        <li key={i}>{step}</li>
      ))}
      <li>
        Open <code>{firstHost}</code> in a browser: without a session you are sent to sign in, then come back signed in.
      </li>
    </ol>
  );
}

export function ProtectAppPage({ appId }: { appId: string }) {
  const { api } = useApp();
  const doc = useDocument<App>(appId, undefined, async (id) => (await api.apps.get(id)).result);
  // The auth domain is where people are sent to sign in; without read access to it the page still works.
  const org = useAsync(async () => (await api.organization.get()).result, []);
  // The headers SAML providers pass (header_attributes) are copied from the answer too; without read access, none.
  const idps = useAsync(() => api.identityProviders.all(), []);
  // The account's other applications on the same hostnames share the configuration; without read access, none are named.
  const apps = useAsync(() => api.apps.all(), []);
  const [upstreamField, setUpstream] = useState('127.0.0.1:3000');
  const [portcullisField, setPortcullis] = useState(location.host);
  const [listenField, setListen] = useState('80');
  const [upstream, portcullis, listen] = [upstreamField.trim(), portcullisField.trim(), listenField.trim()];
  const app = doc.value;
  if (app === undefined) return <Pending error={doc.error} what="the application" back={{ href: '/apps', label: 'Back to applications' }} />;

  const name = app.name ?? app.id;
  const hosts = hostsOf(app);
  const issuer = org.data !== undefined ? authDomainUrl(org.data.auth_domain) : undefined;
  const notes: Note[] = [];
  if (!HOST_PORT.test(upstream)) notes.push({ pointer: '/upstream', severity: 'error', message: `"${upstream}" is not a HOST:PORT such as 127.0.0.1:3000.` });
  if (!HOST_PORT.test(portcullis)) notes.push({ pointer: '/portcullis', severity: 'error', message: `"${portcullis}" is not a HOST:PORT such as 127.0.0.1:8787.` });
  // The field is nginx's alone (Caddy and Traefik are shown on their defaults), checked as `proxy-config --listen` checks it.
  const listenRefused = listenProblem('nginx', listen);
  if (listenRefused !== undefined) notes.push({ pointer: '/listen', severity: 'error', message: `${listenRefused}.` });
  // An application's domain names no port: where nginx listens on another, the server must be told (--app-port).
  const appPortToGive = listenRefused === undefined ? appPortFor(listen) : undefined;
  const headers = samlHeaderNamesOf(idps.data ?? []);
  const target = { portcullis, upstream, ...(headers.length > 0 ? { headers } : {}) };
  const shared = hostsSharedWith(app, apps.data ?? []);

  return (
    <>
      <PageTitle>Protect {name}</PageTitle>
      <p>
        <Link href={`/apps/${app.id}`}>Back to {name}</Link>
      </p>
      <p class="lead">
        Your reverse proxy asks portcullis about every request to {name}, sends people without a session to sign in
        {issuer !== undefined && (
          <>
            {' '}
            at <code>{issuer}</code>
          </>
        )}
        , and passes the signed application token to the application.
      </p>
      <ErrorBanner error={org.error} title="The auth domain could not be read" />
      {hosts.length === 0 ? (
        <p class="banner banner-warning" role="alert">
          {typeof app.type === 'string' && !PROXIED_APP_TYPES.includes(app.type) ? (
            <>
              {name} is of type <code>{app.type}</code>, which protects no host of its own: only {PROXIED_APP_TYPES.join(', ')} applications go behind a proxy.
            </>
          ) : (
            <>
              {name} names no hostname to protect: set its <code>domain</code> (or <code>self_hosted_domains</code>) through the API, then come back.
            </>
          )}
        </p>
      ) : (
        <>
          <NotesProvider notes={notes}>
            <fieldset class="panel">
              <legend>Your setup</legend>
              <p class="hint">
                Hostnames from the application's settings: <strong>{hosts.join(', ')}</strong>.
              </p>
              {shared.map(({ host, apps: others }) => (
                <p key={host} class="banner banner-warning" data-shared-host={host}>
                  <code>{host}</code> is also a hostname of {others.map((other) => JSON.stringify(other)).join(', ')}: one configuration for it protects them all (portcullis decides each
                  request by its path). If you have installed one for {others.length === 1 ? 'that application' : 'those applications'}, do not install another.
                </p>
              ))}
              <div class="grid">
                <TextField label="Where the application listens" pointer="/upstream" hint="HOST:PORT of the application itself, as the proxy reaches it." value={upstreamField} onInput={setUpstream} />
                <TextField label="Where the proxy reaches portcullis" pointer="/portcullis" hint="HOST:PORT; by default this server as you reach it." value={portcullisField} onInput={setPortcullis} />
                <TextField label="nginx listens on" pointer="/listen" hint="What the server block listens on: 80, 127.0.0.1:8080, 443 ssl." value={listenField} onInput={setListen} />
              </div>
            </fieldset>
          </NotesProvider>
          {notes.length > 0 ? (
            <p class="banner banner-warning">Fix the fields above to see the configuration.</p>
          ) : (
            PROXIES.map((proxy) => {
              // The listen field is nginx's ("443 ssl" means nothing to Caddy): Caddy's site keeps its host name and automatic HTTPS.
              const text = proxyConfigFile(proxy, app.name, hosts, target, proxy === 'nginx' ? listen : '80', shared);
              const title = PROXY_TITLES[proxy];
              return (
                <section key={proxy} class="proxy-config" aria-labelledby={`proxy-${proxy}`}>
                  <h2 id={`proxy-${proxy}`}>{title}</h2>
                  <Steps proxy={proxy} file={slug(name)} firstHost={hosts[0]!} />
                  <div class="snippet">
                    <pre aria-label={`${title} configuration`} tabIndex={0} data-proxy={proxy}>
                      <code>{text}</code>
                    </pre>
                    <CopyButton text={text} label={`Copy the ${title} configuration`} />
                  </div>
                  {proxy === 'nginx' && appPortToGive !== undefined ? (
                    <p class="hint" data-app-port={appPortToGive}>
                      nginx serves the application on port {appPortToGive}: start portcullis with <code>--app-port {appPortToGive}</code> (<code>PORTCULLIS_APP_PORT</code>), so that the App Launcher's tiles open it there.
                    </p>
                  ) : null}
                  <p class="hint">
                    The same as <code>{`portcullis proxy-config ${shellWord(name)} --proxy ${proxy} --upstream ${shellWord(upstream)} --portcullis ${shellWord(portcullis)}${proxy === 'nginx' && listen !== '80' ? ` --listen ${shellWord(listen)}` : ''}`}</code> prints.
                  </p>
                </section>
              );
            })
          )}
          <section aria-labelledby="how-it-works">
            <h2 id="how-it-works">What happens then</h2>
            <ul class="explainer">
              <li>
                For every request the proxy asks <code>/cdn-cgi/access/authorize</code> with the original request in forwarded headers (<code>X-Forwarded-Host</code>, <code>X-Forwarded-Uri</code>, ...).
                portcullis believes them only from trusted proxies: loopback, unless the server was started with <code>PORTCULLIS_TRUSTED_PROXIES</code> naming the proxy's address.
              </li>
              <li>
                The application's policies decide, on every request: a policy change, a deleted user or a revoked session counts from the next request on. Allowed: the proxy passes{' '}
                <code>Cf-Access-Jwt-Assertion</code> (the application token) and <code>Cf-Access-Authenticated-User-Email</code> upstream. No session: the browser is sent to sign in. Refused:
                403, with the application's custom deny message or URL.
              </li>
              <li>
                <code>/cdn-cgi/access/</code> on {hosts.length === 1 ? 'the application’s host' : 'each of its hosts'} goes to portcullis: the return from sign-in, <code>get-identity</code> and{' '}
                <code>logout</code>.
              </li>
              <li>
                The application can check the token as it would Cloudflare's: an RS256 JWT whose audience is the application's AUD tag <code>{app.aud}</code>
                {issuer !== undefined && (
                  <>
                    , issued by <code>{issuer}</code>, signed by a key from <code>{issuer}/cdn-cgi/access/certs</code>
                  </>
                )}
                .
              </li>
              <li>
                The whole story, with the differences from Cloudflare, is in <strong>docs/enforcement.md</strong> (in the portcullis repository and package). Sign-ins and refused requests
                show in the <Link href="/access-log">access log</Link>.
              </li>
            </ul>
          </section>
        </>
      )}
    </>
  );
}
