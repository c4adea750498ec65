// Sign in: an API token and the account to work on. The token is checked against the account
// before the dashboard opens; it stays in this tab's sessionStorage only.

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiClient, describeError, type Credentials } from '../api/client.js';

const ACCOUNT_ID = /^[0-9a-f]{32}$/i;

export function LoginPage({ initialAccount, notice, onSignedIn }: { initialAccount: string; notice: string | undefined; onSignedIn: (credentials: Credentials) => void }) {
  const [token, setToken] = useState('');
  const [accountId, setAccountId] = useState(initialAccount);
  const [error, setError] = useState<string | undefined>(undefined);
  const [checking, setChecking] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const credentials = { token: token.trim(), accountId: accountId.trim().toLowerCase() };
    if (credentials.token === '') return setError('Enter an API token.');
    if (!ACCOUNT_ID.test(credentials.accountId)) return setError('An account id is 32 hexadecimal characters (the server prints it when it starts).');
    setChecking(true);
    setError(undefined);
    try {
      await new ApiClient(credentials).account('GET', '/access/policies', { query: { per_page: 1 } });
      onSignedIn(credentials);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setChecking(false);
    }
  };

  const problem = error ?? notice;
  return (
    <main class="login" id="main">
      <form onSubmit={submit} noValidate aria-describedby={problem !== undefined ? 'login-problem' : undefined}>
        <h1 tabIndex={-1} ref={heading}>
          Sign in to portcullis
        </h1>
        <p class="hint">Use the root token the server printed when it started (also in data/root-token), or an API token with Access permissions.</p>
        {problem !== undefined && (
          <p class="banner banner-error" role="alert" id="login-problem">
            {problem}
          </p>
        )}
        <div class="field">
          <label for="login-token">API token</label>
          <input id="login-token" type="password" autocomplete="off" value={token} onInput={(e) => setToken(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="login-account">Account id</label>
          <input id="login-account" type="text" spellcheck={false} autocomplete="off" value={accountId} onInput={(e) => setAccountId(e.currentTarget.value)} />
        </div>
        <button type="submit" class="primary" disabled={checking}>
          {checking ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
