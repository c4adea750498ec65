// The token and account the user signed in with, kept in sessionStorage: gone when the tab
// closes, never sent anywhere but this server's API.

import type { Credentials } from './api/client.js';

const TOKEN_KEY = 'portcullis.token';
const ACCOUNT_KEY = 'portcullis.account';

export function loadCredentials(): Credentials | undefined {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const accountId = sessionStorage.getItem(ACCOUNT_KEY);
  return token && accountId ? { token, accountId } : undefined;
}

export function saveCredentials(credentials: Credentials): void {
  sessionStorage.setItem(TOKEN_KEY, credentials.token);
  sessionStorage.setItem(ACCOUNT_KEY, credentials.accountId);
}

/** Forget the token; the account stays as the login form's suggestion. */
export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** The account to suggest on the login form: ?account= in the URL, else the last one used. */
export function suggestedAccount(): string {
  return new URLSearchParams(location.search).get('account') ?? sessionStorage.getItem(ACCOUNT_KEY) ?? '';
}
