// The SMTP settings of `portcullis serve` (--smtp-url / PORTCULLIS_SMTP_URL, --mail-from /
// PORTCULLIS_MAIL_FROM; docs/operations.md "Mail for one-time PINs"), checked without loading a
// mail library. The URL's credentials never appear in what is printed or logged: smtpLabel is
// the only way the server shows which SMTP server it uses, and no message repeats the URL.

import { isIP } from 'node:net';

export interface SmtpSettings {
  /** smtp://[user:password@]host[:port] (STARTTLS when offered) or smtps://... (TLS from the start). */
  readonly url: string;
  /** The From address: `access@example.com` or `Access <access@example.com>`. */
  readonly from: string;
}

export interface SmtpServer {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  readonly auth: { readonly user: string; readonly pass: string } | undefined;
}

export const isLoopback = (host: string): boolean => host === 'localhost' || (isIP(host) === 4 && host.startsWith('127.')) || host === '::1';

/** The SMTP server a URL names, or why it names none (the message never repeats the URL: it may hold a password). */
export function parseSmtpUrl(text: string): SmtpServer | { readonly error: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { error: 'is not a URL: use smtp://user:password@host:port or smtps://...' };
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') return { error: 'must start with smtp:// or smtps://' };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === '') return { error: 'names no host' };
  if (url.pathname !== '' && url.pathname !== '/') return { error: 'must not have a path' };
  if (url.search !== '' || url.hash !== '') return { error: 'must not have a query or fragment' };
  const secure = url.protocol === 'smtps:';
  let auth: SmtpServer['auth'];
  try {
    auth = url.username === '' && url.password === '' ? undefined : { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) };
  } catch {
    return { error: 'has a user name or password that is not percent-encoded right' };
  }
  return { host, port: url.port === '' ? (secure ? 465 : 587) : Number(url.port), secure, auth };
}

/** The From value a setting gives, or why it is not one: one address, optionally with a display name. */
export function checkMailFrom(text: string): string | { readonly error: string } {
  const from = text.trim();
  if (/[\r\n]/.test(from)) return { error: 'must be one line' };
  const address = /<([^<>\s]+)>$/.exec(from)?.[1] ?? from;
  return /^[^\s@<>]+@[^\s@<>]+$/.test(address) ? from : { error: 'must be an email address such as access@example.com or "Access <access@example.com>"' };
}

/** An SMTP server's address as it may be shown: scheme, host and port, never the credentials. */
export function smtpLabel(server: SmtpServer): string {
  return `${server.secure ? 'smtps' : 'smtp'}://${server.host.includes(':') ? `[${server.host}]` : server.host}:${server.port}`;
}
