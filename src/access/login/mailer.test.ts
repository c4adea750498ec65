// The SMTP settings of `portcullis serve` (--smtp-url / PORTCULLIS_SMTP_URL, --mail-from /
// PORTCULLIS_MAIL_FROM): both or neither, checked at start with messages that never repeat the
// URL's password, and shown only as scheme, host and port. docs/operations.md "Mail for one-time PINs".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, resolveConfig } from '../../server/config.js';
import { startSmtpCapture } from '../../../test/support/smtp-capture.js';
import { smtpMailer, smtpTransportOptions } from './mailer.js';
import { checkMailFrom, parseSmtpUrl, smtpLabel } from './smtp-settings.js';

test('an SMTP URL gives host, port, TLS and credentials (percent-decoded), and its label shows no credentials', () => {
  const server = parseSmtpUrl('smtp://mailer%40example.com:p%40ss%3Aword@mail.example.com:2525');
  assert.ok(!('error' in server));
  assert.deepEqual(server, { host: 'mail.example.com', port: 2525, secure: false, auth: { user: 'mailer@example.com', pass: 'p@ss:word' } });
  assert.equal(smtpLabel(server), 'smtp://mail.example.com:2525');
  const tls = parseSmtpUrl('smtps://[::1]');
  assert.deepEqual(tls, { host: '::1', port: 465, secure: true, auth: undefined });
  assert.equal(smtpLabel(tls as Exclude<typeof tls, { error: string }>), 'smtps://[::1]:465');
  assert.equal((parseSmtpUrl('smtp://relay.internal') as { port: number }).port, 587);
  for (const [url, why] of [
    ['mail.example.com', /not a URL/],
    ['user:hunter2@mail.example.com', /must start with smtp:\/\/ or smtps:\/\//],
    ['http://user:hunter2@mail.example.com', /must start with smtp:\/\/ or smtps:\/\//],
    ['smtp://user:hunter2@mail.example.com/inbox', /path/],
    ['smtp://user:hunter2@mail.example.com?pool=true', /query/],
    ['smtp://user:%E0%A4%A@mail.example.com', /percent-encoded/],
  ] as const) {
    const parsed = parseSmtpUrl(url);
    assert.ok('error' in parsed, url);
    assert.match(parsed.error, why, url);
    assert.doesNotMatch(parsed.error, /hunter2/);
  }
});

test('a password goes to a server on another machine only over TLS', () => {
  const options = (url: string) => smtpTransportOptions(parseSmtpUrl(url) as Exclude<ReturnType<typeof parseSmtpUrl>, { error: string }>);
  assert.equal(options('smtp://u:p@mail.example.com').requireTLS, true, 'STARTTLS or nothing');
  assert.equal(options('smtps://u:p@mail.example.com').secure, true);
  assert.equal(options('smtps://u:p@mail.example.com').requireTLS, undefined, 'TLS from the start already');
  assert.equal(options('smtp://relay.internal:25').requireTLS, undefined, 'no password to protect');
  assert.equal(options('smtp://u:p@127.0.0.1:2525').requireTLS, undefined, 'this machine');
  assert.deepEqual(options('smtp://u:p@mail.example.com').auth, { user: 'u', pass: 'p' });
});

test('a From address is one address, with or without a display name', () => {
  assert.equal(checkMailFrom(' access@example.com '), 'access@example.com');
  assert.equal(checkMailFrom('Access <access@example.com>'), 'Access <access@example.com>');
  for (const bad of ['access', 'Access <access>', 'a@b.c\r\nBcc: x@y.z', 'a b@c.d']) assert.ok(typeof checkMailFrom(bad) !== 'string', bad);
});

test('serve takes the SMTP server and From address from flags or the environment, both or neither', () => {
  assert.equal(resolveConfig({}, {}).smtp, undefined);
  assert.deepEqual(resolveConfig({ smtpUrl: 'smtps://u:p@mail.example.com', mailFrom: 'access@example.com' }, {}).smtp, { url: 'smtps://u:p@mail.example.com', from: 'access@example.com' });
  assert.deepEqual(resolveConfig({}, { PORTCULLIS_SMTP_URL: 'smtp://mail.example.com:25', PORTCULLIS_MAIL_FROM: 'Access <a@example.com>' }).smtp, { url: 'smtp://mail.example.com:25', from: 'Access <a@example.com>' });
  assert.equal(resolveConfig({ smtpUrl: 'smtp://flag.example.com', mailFrom: 'a@example.com' }, { PORTCULLIS_SMTP_URL: 'smtp://env.example.com', PORTCULLIS_MAIL_FROM: 'b@example.com' }).smtp?.url, 'smtp://flag.example.com', 'flags win');
  const refused = (flags: Parameters<typeof resolveConfig>[0], env: NodeJS.ProcessEnv, why: RegExp) =>
    assert.throws(
      () => resolveConfig(flags, env),
      (err: unknown) => err instanceof ConfigError && why.test(err.message) && !err.message.includes('hunter2'),
    );
  refused({ smtpUrl: 'smtp://u:hunter2@mail.example.com' }, {}, /needs --mail-from/);
  refused({}, { PORTCULLIS_MAIL_FROM: 'a@example.com' }, /without --smtp-url/);
  refused({ smtpUrl: 'http://u:hunter2@mail.example.com', mailFrom: 'a@example.com' }, {}, /--smtp-url \/ PORTCULLIS_SMTP_URL must start with smtp/);
  refused({ smtpUrl: 'smtp://u:hunter2@mail.example.com', mailFrom: 'nobody' }, {}, /--mail-from \/ PORTCULLIS_MAIL_FROM must be an email address/);
});

test('the mailer signs in with the URL credentials, and describes itself without them', async () => {
  const capture = await startSmtpCapture({ credentials: { user: 'portcullis', pass: 'right' } });
  try {
    const good = smtpMailer({ url: capture.url, from: 'access@portcullis.test' });
    assert.equal(good.description, `smtp://127.0.0.1:${capture.port} from access@portcullis.test`);
    await good.send({ to: 'ada@example.com', subject: 'Grüße', text: 'Code: 123456 — höflich' });
    const mail = await capture.next('ada@example.com');
    assert.equal(mail.user, 'portcullis');
    assert.equal(mail.subject, 'Grüße');
    assert.equal(mail.text.trim(), 'Code: 123456 — höflich');

    const wrong = smtpMailer({ url: capture.url.replace('right', 'wrong'), from: 'access@portcullis.test' });
    await assert.rejects(wrong.send({ to: 'bob@example.com', subject: 's', text: 't' }), /Invalid login|auth/i);
    assert.equal(capture.refusedLogins, 1);
    assert.equal(capture.to('bob@example.com').length, 0);
  } finally {
    await capture.close();
  }
});
