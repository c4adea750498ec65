// Sign in: an API token, then the account to work on. The dashboard asks the server which
// accounts the token reaches (GET /accounts) and opens the only one, or lets the user pick among
// several; an account id can still be given by hand (a ?account= link, the last one used, or a
// server with --open-accounts whose ids are not listed). The token is checked against the
// account before the dashboard opens; it stays in this tab's sessionStorage only.

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiClient, describeError, type Credentials } from '../api/client.js';
import type { Account } from '../api/operations.js';
import { reachableAccounts } from '../api/resources.js';
import { Modal } from '../components/modal.js';
import { SubmitButton } from '../components/submit-button.js';

const ACCOUNT_ID = /^[0-9a-f]{32}$/i;

/** The token works on the account (the same check every page's first request makes). */
async function check(credentials: Credentials): Promise<void> {
  await new ApiClient(credentials).account('GET', '/access/policies', { query: { per_page: 1 } });
}

export function LoginPage({ initialAccount, notice, onSignedIn }: { initialAccount: string; notice: string | undefined; onSignedIn: (credentials: Credentials) => void }) {
  const [token, setToken] = useState('');
  const [accountId, setAccountId] = useState(initialAccount);
  const [byHand, setByHand] = useState(initialAccount !== '');
  const [choices, setChoices] = useState<readonly Account[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [checking, setChecking] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const problemRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => heading.current?.focus(), [choices === undefined]);
  // A refusal is where the user looks next.
  useEffect(() => {
    if (error !== undefined) problemRef.current?.focus();
  }, [error]);

  const open = async (credentials: Credentials): Promise<void> => {
    await check(credentials);
    onSignedIn(credentials);
  };

  const attempt = async (run: () => Promise<void>): Promise<void> => {
    setChecking(true);
    setError(undefined);
    try {
      await run();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setChecking(false);
    }
  };

  const submit = (event: Event): void => {
    event.preventDefault();
    if (checking) return;
    const trimmed = token.trim();
    if (trimmed === '') return setError('Enter an API token.');
    const typed = accountId.trim().toLowerCase();
    if (byHand && typed !== '') {
      if (!ACCOUNT_ID.test(typed)) return setError('An account id is 32 hexadecimal characters (GET /client/v4/accounts lists yours).');
      void attempt(() => open({ token: trimmed, accountId: typed }));
      return;
    }
    void attempt(async () => {
      const accounts = await reachableAccounts(trimmed);
      if (accounts.length === 0) {
        setByHand(true);
        throw new Error('This token reaches no account. Use a token with permissions on an account, or enter the account id below.');
      }
      if (accounts.length === 1) return open({ token: trimmed, accountId: accounts[0]!.id });
      setChoices(accounts);
    });
  };

  const problem = error ?? notice;
  const problemLine = problem !== undefined && (
    <p class="banner banner-error" role="alert" id="login-problem" tabIndex={-1} ref={problemRef}>
      {problem}
    </p>
  );

  if (choices !== undefined) {
    return (
      <main class="login" id="main">
        <form onSubmit={(e) => e.preventDefault()} aria-describedby={problem !== undefined ? 'login-problem' : undefined}>
          <h1 tabIndex={-1} ref={heading}>
            Choose an account
          </h1>
          <p class="hint">This token reaches {choices.length} accounts. Pick the one to work on; sign out to pick another.</p>
          {problemLine}
          <ul class="account-choices" aria-label="Accounts">
            {choices.map((account) => (
              <li key={account.id}>
                <button type="button" disabled={checking} onClick={() => void attempt(() => open({ token: token.trim(), accountId: account.id }))}>
                  <strong>{account.name}</strong> <code>{account.id}</code>
                </button>
              </li>
            ))}
          </ul>
          <button
            type="button"
            onClick={() => {
              setChoices(undefined);
              setError(undefined);
            }}
          >
            Use another token
          </button>
        </form>
      </main>
    );
  }

  return (
    <main class="login" id="main">
      <form onSubmit={submit} noValidate aria-describedby={problem !== undefined ? 'login-problem' : undefined}>
        <h1 tabIndex={-1} ref={heading}>
          Sign in to portcullis
        </h1>
        <p class="hint">
          Use the root token the server printed when it started (also in data/root-token), or an API token with Access permissions. The dashboard opens the account the token reaches, or lets
          you pick one.
        </p>
        {problemLine}
        <div class="field">
          <label for="login-token">API token</label>
          <input id="login-token" type="password" autocomplete="off" value={token} onInput={(e) => setToken(e.currentTarget.value)} />
        </div>
        <details open={byHand} onToggle={(e) => setByHand(e.currentTarget.open)}>
          <summary>Enter an account id instead</summary>
          <div class="field">
            <label for="login-account">Account id</label>
            <input id="login-account" type="text" spellcheck={false} autocomplete="off" value={accountId} onInput={(e) => setAccountId(e.currentTarget.value)} />
            <p class="hint">Leave empty to choose among the accounts the token reaches.</p>
          </div>
        </details>
        <SubmitButton busy={checking} busyLabel="Checking…">
          Sign in
        </SubmitButton>
      </form>
    </main>
  );
}

/**
 * The token stopped working (expired, rolled, deleted) while a form holds unsaved changes: sign
 * in again over the page instead of leaving it, so that the changes can still be saved.
 */
export function SignInAgainDialog({ accountId, reason, onSignedIn, onSignOut, onClose }: { accountId: string; reason: string; onSignedIn: (credentials: Credentials) => void; onSignOut: () => void; onClose: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [checking, setChecking] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (checking) return;
    const trimmed = token.trim();
    if (trimmed === '') return setError('Enter an API token.');
    setChecking(true);
    setError(undefined);
    try {
      const credentials = { token: trimmed, accountId };
      await check(credentials);
      onSignedIn(credentials);
    } catch (err) {
      setError(describeError(err));
      input.current?.focus();
    } finally {
      setChecking(false);
    }
  };
  return (
    <Modal title="Sign in again to keep your changes" variant="dialog" onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <p role="alert">{reason}</p>
        <p>
          Your unsaved changes are still on the page. Sign in with a valid API token for account <code>{accountId}</code>, then save them.
        </p>
        {error !== undefined && (
          <p class="banner banner-error" role="alert" id="sign-in-again-problem">
            {error}
          </p>
        )}
        <div class="field">
          <label for="sign-in-again-token">API token</label>
          <input id="sign-in-again-token" ref={input} type="password" autocomplete="off" value={token} aria-describedby={error !== undefined ? 'sign-in-again-problem' : undefined} onInput={(e) => setToken(e.currentTarget.value)} />
        </div>
        <div class="form-actions">
          <SubmitButton busy={checking} busyLabel="Checking…">
            Sign in
          </SubmitButton>
          <button type="button" class="danger" onClick={onSignOut}>
            Sign out and discard the changes
          </button>
        </div>
      </form>
    </Modal>
  );
}
