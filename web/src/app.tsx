// The shell: sign-in, then a header, the navigation and the page for the current path.
// A 401 from any request signs the user out with the server's message; while a form holds
// unsaved changes it asks to sign in again over the page instead, keeping them.

import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiClient, type Credentials } from './api/client.js';
import { accountApi } from './api/resources.js';
import { AppContext, NO_REFERENCES, isTransient, loadReferences, retryWaitMs, type AppState, type ReferenceFailures, type References } from './app-context.js';
import { Link, PageTitle } from './components/common.js';
import { AccessLogPage } from './pages/access-log.js';
import { AppsPage, AppPage } from './pages/apps.js';
import { CustomPageEditorPage, CustomPagesPage } from './pages/custom-pages.js';
import { GroupEditorPage, GroupsPage } from './pages/groups.js';
import { IdentityProvidersPage } from './pages/identity-providers.js';
import { OrganizationPage } from './pages/organization.js';
import { OverviewPage } from './pages/overview.js';
import { ListEditorPage, ListsPage } from './pages/lists.js';
import { LoginPage, SignInAgainDialog } from './pages/login.js';
import { PoliciesPage } from './pages/policies.js';
import { PolicyEditorPage } from './pages/policy-editor.js';
import { ProtectAppPage } from './pages/protect.js';
import { ServiceTokenPage, ServiceTokensPage } from './pages/service-tokens.js';
import { TesterPage } from './pages/tester.js';
import { UsersPage } from './pages/users.js';
import { WhatIfPage } from './pages/what-if.js';
import type { PolicyDraft } from './rules/model.js';
import { matchRoute, mayLeave, navigate, unsavedQuestion, useLocation } from './router.js';
import { forgetToken, loadCredentials, saveCredentials, suggestedAccount } from './session.js';

const NAV: readonly { href: string; label: string }[] = [
  { href: '/overview', label: 'Overview' },
  { href: '/policies', label: 'Policies' },
  { href: '/groups', label: 'Access groups' },
  { href: '/lists', label: 'Lists' },
  { href: '/identity-providers', label: 'Identity providers' },
  { href: '/service-tokens', label: 'Service tokens' },
  { href: '/apps', label: 'Applications' },
  { href: '/custom-pages', label: 'Custom pages' },
  { href: '/users', label: 'Users' },
  { href: '/tester', label: 'Policy tester' },
  { href: '/what-if', label: 'What-if' },
  { href: '/access-log', label: 'Access log' },
  { href: '/organization', label: 'Organization' },
];

export function Root() {
  const [credentials, setCredentials] = useState<Credentials | undefined>(loadCredentials);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const signOut = (message?: string): void => {
    forgetToken();
    setNotice(message);
    setCredentials(undefined);
  };
  if (credentials === undefined) {
    return (
      <LoginPage
        initialAccount={suggestedAccount()}
        notice={notice}
        onSignedIn={(c) => {
          saveCredentials(c);
          setNotice(undefined);
          setCredentials(c);
        }}
      />
    );
  }
  const signedInAgain = (c: Credentials): void => {
    saveCredentials(c);
    setCredentials(c);
  };
  return <SignedIn credentials={credentials} signOut={signOut} signedInAgain={signedInAgain} />;
}

/** The pickers' objects: loaded yet, and the kinds the last load could not read. */
interface ReferenceState {
  readonly references: References;
  readonly loaded: boolean;
  readonly failures: ReferenceFailures;
}

/** How long to wait before loading again after `failures`, in ms; undefined when waiting cannot help. */
function retryDelay(failures: ReferenceFailures, attempt: number): number | undefined {
  const transient = Object.values(failures).filter(isTransient);
  if (transient.length === 0) return undefined;
  // A backoff from 2 s up to a minute, unless the server asked for longer.
  return retryWaitMs(transient, Math.min(60, 2 ** (attempt + 1)) * 1000);
}

function SignedIn({ credentials, signOut, signedInAgain }: { credentials: Credentials; signOut: (message?: string) => void; signedInAgain: (credentials: Credentials) => void }) {
  // The token stopped working while something was unsaved: why, for the sign-in-again dialog.
  const [expired, setExpired] = useState<string | undefined>(undefined);
  const unauthorized = (message: string): void => {
    if (unsavedQuestion() !== undefined) setExpired(`The API token stopped working: ${message}`);
    else signOut(`Signed out: ${message}`);
  };
  const api = useMemo(() => accountApi(new ApiClient(credentials, unauthorized)), [credentials]);
  const [refs, setRefs] = useState<ReferenceState>({ references: NO_REFERENCES, loaded: false, failures: {} });
  const latest = useRef(refs);
  latest.current = refs;
  const retries = useRef(0);
  const [generation, setGeneration] = useState(0);
  const [draft, setDraft] = useState<PolicyDraft | undefined>(undefined);
  const { path } = useLocation();

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    void loadReferences(api, latest.current.references).then(({ references, failures }) => {
      if (!live) return;
      setRefs({ references, loaded: true, failures });
      // A rate limit or a network blip passes: load again after it rather than keep its message for the session.
      const delay = retryDelay(failures, retries.current);
      if (delay === undefined) retries.current = 0;
      else {
        retries.current++;
        timer = setTimeout(() => setGeneration((g) => g + 1), delay);
      }
    });
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, generation]);

  // Moving to another page is also a good moment to try a transient failure again.
  useEffect(() => {
    if (Object.values(latest.current.failures).some(isTransient)) setGeneration((g) => g + 1);
  }, [path]);

  useEffect(() => {
    if (path === '/' || path === '') navigate('/overview', { replace: true });
  }, [path]);

  const state: AppState = {
    credentials,
    api,
    references: refs.references,
    referencesLoaded: refs.loaded,
    referenceFailures: refs.failures,
    refreshReferences: () => setGeneration((g) => g + 1),
    draft,
    setDraft,
    signOut,
  };

  return (
    <AppContext.Provider value={state}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <span class="brand">portcullis</span>
        <span class="account" title="Account id">
          Account <code>{credentials.accountId}</code>
        </span>
        <button type="button" onClick={() => mayLeave() && signOut()}>
          Sign out
        </button>
      </header>
      <div class="layout">
        <nav class="sidebar" aria-label="Dashboard">
          <ul>
            {NAV.map((item) => (
              <li key={item.href}>
                <Link href={item.href} aria-current={path === item.href || path.startsWith(`${item.href}/`) ? 'page' : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" tabIndex={-1}>
          <Page key={path} path={path} />
        </main>
      </div>
      {expired !== undefined && (
        <SignInAgainDialog
          accountId={credentials.accountId}
          reason={expired}
          onSignedIn={(c) => {
            setExpired(undefined);
            signedInAgain(c);
          }}
          onSignOut={() => signOut(`Signed out: ${expired}`)}
          onClose={() => setExpired(undefined)}
        />
      )}
    </AppContext.Provider>
  );
}

function Page({ path }: { path: string }) {
  let params: Record<string, string> | undefined;
  if (path === '/overview') return <OverviewPage />;
  if (path === '/policies') return <PoliciesPage />;
  if (path === '/policies/new') return <PolicyEditorPage policyId={undefined} />;
  if ((params = matchRoute('/policies/:id', path))) return <PolicyEditorPage policyId={params.id} />;
  if (path === '/groups') return <GroupsPage />;
  if (path === '/groups/new') return <GroupEditorPage groupId={undefined} />;
  if ((params = matchRoute('/groups/:id', path))) return <GroupEditorPage groupId={params.id} />;
  if (path === '/lists') return <ListsPage />;
  if (path === '/lists/new') return <ListEditorPage listId={undefined} />;
  if ((params = matchRoute('/lists/:id', path))) return <ListEditorPage listId={params.id} />;
  if (path === '/identity-providers') return <IdentityProvidersPage />;
  if (path === '/service-tokens') return <ServiceTokensPage />;
  if ((params = matchRoute('/service-tokens/:id', path))) return <ServiceTokenPage tokenId={params.id} />;
  if (path === '/apps') return <AppsPage />;
  if ((params = matchRoute('/apps/:id', path))) return <AppPage appId={params.id} />;
  if ((params = matchRoute('/apps/:id/protect', path))) return <ProtectAppPage appId={params.id} />;
  if (path === '/custom-pages') return <CustomPagesPage />;
  if (path === '/custom-pages/new') return <CustomPageEditorPage pageId={undefined} />;
  if ((params = matchRoute('/custom-pages/:id', path))) return <CustomPageEditorPage pageId={params.id} />;
  if (path === '/users') return <UsersPage />;
  if (path === '/tester') return <TesterPage />;
  if (path === '/what-if') return <WhatIfPage />;
  if (path === '/access-log') return <AccessLogPage />;
  if (path === '/organization') return <OrganizationPage />;
  if (path === '/' || path === '') return null;
  return (
    <>
      <PageTitle>Page not found</PageTitle>
      <p>
        Nothing lives at <code>{path}</code>. <Link href="/policies">Go to the policies</Link>.
      </p>
    </>
  );
}
