// Mail the enforcement point sends (one-time PIN codes), through the SMTP server the operator
// names with --smtp-url / PORTCULLIS_SMTP_URL (docs/operations.md "Mail for one-time PINs"), by
// nodemailer. Loaded only by the server: the settings' checks are in smtp-settings.ts.

import { createTransport, type SMTPTransportOptions } from 'nodemailer';
import { checkMailFrom, isLoopback, parseSmtpUrl, smtpLabel, type SmtpServer, type SmtpSettings } from './smtp-settings.js';

export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

export interface Mailer {
  /** Where mail goes and whom it is from, without credentials (for the start banner and logs). */
  readonly description: string;
  send(message: MailMessage): Promise<void>;
}

/** How nodemailer reaches the server. */
export function smtpTransportOptions(server: SmtpServer): SMTPTransportOptions {
  return {
    host: server.host,
    port: server.port,
    secure: server.secure,
    ...(server.auth !== undefined ? { auth: { user: server.auth.user, pass: server.auth.pass } } : {}),
    // A password never crosses the network in clear: to any server but this machine, signing in
    // needs TLS (smtps://, or STARTTLS, which smtp:// otherwise uses only when offered).
    ...(server.auth !== undefined && !server.secure && !isLoopback(server.host) ? { requireTLS: true } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  };
}

export function smtpMailer(settings: SmtpSettings): Mailer {
  const server = parseSmtpUrl(settings.url);
  if ('error' in server) throw new Error(`the SMTP URL ${server.error}`);
  const from = checkMailFrom(settings.from);
  if (typeof from !== 'string') throw new Error(`the From address ${from.error}`);
  const transport = createTransport(smtpTransportOptions(server));
  return {
    description: `${smtpLabel(server)} from ${from}`,
    async send(message) {
      await transport.sendMail({ from, to: message.to, subject: message.subject, text: message.text });
    },
  };
}
