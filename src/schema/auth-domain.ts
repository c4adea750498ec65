// The organization's auth domain as a URL: where users sign in and the issuer of application
// tokens (docs/enforcement.md). Pure, so the dashboard shows the same URL the server issues with.

/** An auth domain as an issuer URL: Cloudflare's bare "team.example.com" means https. */
export function authDomainUrl(authDomain: string): string {
  const trimmed = authDomain.trim().replace(/\/+$/, '');
  return /^https?:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
}
