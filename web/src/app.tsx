// The shell: sign-in, then a header, the navigation and the page for the current path.
// A 401 from any request signs the user out with the server's message.

import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiClient, type Credentials } from './api/client.js';
import { accountApi } from './api/resources.js';
import { AppContext, NO_REFERENCES, loadReferences, type AppState, type References } from './app-context.js';
import { ErrorBanner, Link, PageTitle } from './components/common.js';
import { AccessLogPage } from './pages/access-log.js';
import { AppsPage, AppPage } from './pages/apps.js';
import { GroupEditorPage, GroupsPage } from './pages/groups.js';
import { IdentityProvidersPage } from './pages/identity-providers.js';
import { OrganizationPage } from './pages/organization.js';
import { OverviewPage } from './pages/overview.js';
import { ListEditorPage, ListsPage } from './pages/lists.js';
import { LoginPage } from './pages/login.js';
import { PoliciesPage } from './pages/policies.js';
import { PolicyEditorPage } from './pages/policy-editor.js';
import { ProtectAppPage } from './pages/protect.js';
import { TesterPage } from './pages/tester.js';
import { UsersPage } from './pages/users.js';
import { WhatIfPage } from './pages/what-if.js';
import type { PolicyDraft } from './rules/model.js';
import { matchRoute, navigate, useLocation } from './router.js';
import { forgetToken, loadCredentials, saveCredentials, suggestedAccount } from './session.js';

const NAV: readonly { href: string; label: string }[] = [
  { href: '/overview', label: 'Overview' },
  { href: '/policies', label: 'Policies' },
  { href: '/groups', label: 'Access groups' },
  { href: '/lists', label: 'Lists' },
  { href: '/identity-providers', label: 'Identity providers' },
  { href: '/apps', label: 'Applications' },
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
  return <SignedIn credentials={credentials} signOut={signOut} />;
}

function SignedIn({ credentials, signOut }: { credentials: Credentials; signOut: (message?: string) => void }) {
  const api = useMemo(() => accountApi(new ApiClient(credentials, (message) => signOut(`Signed out: ${message}`))), [credentials]);
  const [references, setReferences] = useState<References>(NO_REFERENCES);
  const [referencesError, setReferencesError] = useState<unknown>(undefined);
  const [generation, setGeneration] = useState(0);
  const [draft, setDraft] = useState<PolicyDraft | undefined>(undefined);
  const { path } = useLocation();

  useEffect(() => {
    loadReferences(api).then(
      (loaded) => {
        setReferences(loaded);
        setReferencesError(undefined);
      },
      (err: unknown) => setReferencesError(err),
    );
  }, [api, generation]);

  useEffect(() => {
    if (path === '/' || path === '') navigate('/overview', { replace: true });
  }, [path]);

  const state: AppState = {
    credentials,
    api,
    references,
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
        <button type="button" onClick={() => signOut()}>
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
          <ErrorBanner error={referencesError} title="Groups, lists and identity providers for the pickers could not be loaded" />
          <Page key={path} path={path} />
        </main>
      </div>
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
  if (path === '/apps') return <AppsPage />;
  if ((params = matchRoute('/apps/:id', path))) return <AppPage appId={params.id} />;
  if ((params = matchRoute('/apps/:id/protect', path))) return <ProtectAppPage appId={params.id} />;
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
