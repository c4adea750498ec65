// A real SMTP server (smtp-server) on a loopback port that keeps every message it receives, for
// tests of what portcullis mails (one-time PIN codes). Give the server `capture.url` as its
// --smtp-url (or `smtpMailer({ url: capture.url, from })`), then wait for a message:
//
//   const capture = await startSmtpCapture({ credentials: { user: 'portcullis', pass: 's3cret' } });
//   ... ask for a code for ada@example.com ...
//   const mail = await capture.next('ada@example.com');   // rejects after 10 s without one
//   const code = /\b(\d{6})\b/.exec(mail.text)![1];
//   await capture.close();
//
// With credentials the server insists on them (AUTH PLAIN/LOGIN; plain text is allowed, loopback
// only); without, it takes mail from anyone. STARTTLS is not offered.

import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  /** The envelope's sender and recipients (MAIL FROM, RCPT TO). */
  readonly envelopeFrom: string;
  readonly envelopeTo: readonly string[];
  /** Header names lower-cased; folded lines joined; encoded words decoded. */
  readonly headers: ReadonlyMap<string, string>;
  readonly subject: string;
  /** The text body, transfer encoding (quoted-printable, base64) undone. */
  readonly text: string;
  readonly raw: string;
  /** The user the client signed in as, if it did. */
  readonly user: string | undefined;
}

export interface SmtpCapture {
  /** smtp://[user:password@]127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** Every message received so far, in order. */
  readonly mails: readonly CapturedMail[];
  /** The next message to `to` not returned before (waiting for it up to `timeoutMs`). */
  next(to: string, timeoutMs?: number): Promise<CapturedMail>;
  /** The messages to `to` received so far. */
  to(to: string): CapturedMail[];
  /** Sign-in attempts refused for wrong credentials. */
  readonly refusedLogins: number;
  close(): Promise<void>;
}

function decodeQuotedPrintable(text: string): string {
  const bytes = text.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** RFC 2047 encoded words (=?UTF-8?Q?...?= and =?UTF-8?B?...?=) in a header value. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_m, _charset: string, encoding: string, data: string) =>
      encoding.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : decodeQuotedPrintable(data.replace(/_/g, ' ')),
    );
}

export function parseMail(raw: string): { headers: Map<string, string>; text: string } {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? '' : raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), decodeWords(line.slice(colon + 1).trim()));
  }
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const text = encoding === 'quoted-printable' ? decodeQuotedPrintable(body) : encoding === 'base64' ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8') : body;
  return { headers, text: text.replace(/\r\n/g, '\n') };
}

export async function startSmtpCapture(options: { readonly credentials?: { readonly user: string; readonly pass: string } } = {}): Promise<SmtpCapture> {
  const mails: CapturedMail[] = [];
  const returned = new Set<CapturedMail>();
  const waiters = new Set<() => void>();
  let refusedLogins = 0;
  const credentials = options.credentials;

  const server = new SMTPServer({
    secure: false,
    disabledCommands: credentials === undefined ? ['STARTTLS', 'AUTH'] : ['STARTTLS'],
    authOptional: credentials === undefined,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (credentials !== undefined && auth.username === credentials.user && auth.password === credentials.pass) return callback(null, { user: auth.username });
      refusedLogins++;
      return callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const { headers, text } = parseMail(raw);
        const from = session.envelope.mailFrom;
        mails.push({
          envelopeFrom: from === false ? '' : from.address,
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
          headers,
          subject: headers.get('subject') ?? '',
          text,
          raw,
          user: typeof session.user === 'string' ? session.user : undefined,
        });
        for (const wake of waiters) wake();
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('the SMTP capture has no TCP address');
  const port = address.port;
  const auth = credentials === undefined ? '' : `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.pass)}@`;

  const to = (recipient: string): CapturedMail[] => mails.filter((m) => m.envelopeTo.some((r) => r.toLowerCase() === recipient.toLowerCase()));
  return {
    url: `smtp://${auth}127.0.0.1:${port}`,
    port,
    mails,
    get refusedLogins() {
      return refusedLogins;
    },
    to,
    next(recipient, timeoutMs = 10_000) {
      return new Promise<CapturedMail>((resolve, reject) => {
        const check = (): boolean => {
          const mail = to(recipient).find((m) => !returned.has(m));
          if (mail === undefined) return false;
          returned.add(mail);
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(mail);
          return true;
        };
        const wake = (): void => void check();
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`no mail to ${recipient} within ${timeoutMs} ms (received: ${mails.map((m) => m.envelopeTo.join(',')).join('; ') || 'none'})`));
        }, timeoutMs);
        waiters.add(wake);
        check();
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
