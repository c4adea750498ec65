// The organization's auth domain as a URL: where users sign in and the issuer of application
// tokens (docs/enforcement.md). Pure, so the dashboard shows the same URL the server issues with.

/** An auth domain as an issuer URL: Cloudflare's bare "team.example.com" means https. */
export function authDomainUrl(authDomain: string): string {
  const trimmed = authDomain.trim().replace(/\/+$/, '');
  return /^https?:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
}

/** A host as auth domains are compared: lower case, without a trailing dot. */
export const authDomainHostKey = (host: string): string => host.trim().toLowerCase().replace(/\.$/, '');

/**
 * The hosts an auth domain is reached at, as the enforcement point tells accounts apart by them
 * (src/access/enforced-accounts.ts): exactly (host and port), and by hostname alone; undefined
 * when it is not a URL.
 */
export function authDomainHosts(authDomain: string): { readonly exact: string; readonly hostname: string } | undefined {
  try {
    const url = new URL(authDomainUrl(authDomain));
    return { exact: authDomainHostKey(url.host), hostname: authDomainHostKey(url.hostname.replace(/^\[|\]$/g, '')) };
  } catch {
    return undefined;
  }
}
