// `portcullis serve` (and `npm start`): start the server, load the demo data when asked, and
// shut down cleanly on SIGINT/SIGTERM (in-flight requests finish; the database closes). The
// server's modules are loaded only when it runs, so the offline commands start quickly.

import { redactUrl } from '../../store/open.js';
import type { Command } from 'commander';
import { ConfigError, type ServeFlags } from '../../server/config.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the Cloudflare-compatible API (and the dashboard) on http://127.0.0.1:8787')
    .option('--port <port>', 'port to listen on (env PORT; default 8787, 0 = any free port)')
    .option('--host <host>', 'address to listen on (env HOST; default 127.0.0.1)')
    .option('--db <url>', 'sqlite:PATH or postgres://... (env PORTCULLIS_DB; default sqlite:./data/portcullis.db)')
    .option('--data-dir <dir>', 'where the root token, account id and default database live (env PORTCULLIS_DATA_DIR; default ./data)')
    .option('--account <id>', 'make sure this account exists (repeatable; env PORTCULLIS_ACCOUNTS=ID1,ID2); the default account always does', (id: string, ids: string[] = []) => [...ids, id])
    .option('--open-accounts', 'serve any well-formed account id as if it existed, for a stand-in whose callers pick their own ids (env PORTCULLIS_OPEN_ACCOUNTS=on)')
    .option('--secrets-key-file <file>', 'the keys that seal stored secrets (env PORTCULLIS_SECRETS_KEY_FILE; default DATA-DIR/secrets.key, generated on first start)')
    .option('--auth-domain <url>', 'the public URL users reach this server at, the issuer of application tokens (env PORTCULLIS_AUTH_DOMAIN; default the listening address)')
    .option('--dev-login', 'serve the development login: sign in as any email, no password (env PORTCULLIS_DEV_LOGIN=on); loopback only')
    .option('--app-port <port>', 'the port your proxy serves the applications on, when not 80/443: the App Launcher\'s tiles open it (env PORTCULLIS_APP_PORT)')
    .option('--dev-login-anywhere', 'allow the development login on a non-loopback address (env PORTCULLIS_DEV_LOGIN=anywhere)')
    .option('--smtp-url <url>', 'the SMTP server one-time PIN codes (and access requests to their approvers) are mailed through: smtp://user:password@host:port (STARTTLS) or smtps://... (env PORTCULLIS_SMTP_URL; default none: PINs off)')
    .option('--mail-from <address>', 'the From address of one-time PIN mail, e.g. "Access <access@example.com>" (env PORTCULLIS_MAIL_FROM)')
    .option('--test-workers <n>', 'worker threads that decide policy-test chunks (env PORTCULLIS_TEST_WORKERS; default one per core; 0 = on the event loop)')
    .option('--demo', 'load the examples (IdPs, lists, groups, policies, an application, users) into the default account, or the first --account, if it is empty')
    .action(async (flags: ServeFlags) => {
      const { startServer } = await import('../../server/serve.js');
      let running: Awaited<ReturnType<typeof startServer>>;
      try {
        running = await startServer(flags);
      } catch (err) {
        if (err instanceof ConfigError) {
          console.error(`portcullis: ${err.message}`);
          process.exit(2);
        }
        throw err;
      }
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        console.log(`portcullis: ${signal}, shutting down`);
        running.close().then(
          () => process.exit(0),
          (err: unknown) => {
            console.error(`portcullis: shutdown failed: ${(err as Error).message}`);
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
      if (flags.demo === true) {
        // A failed demo load is reported and the server keeps serving: the API works without it.
        const { loadDemo } = await import('./serve-examples.js');
        // `--demo --account ID` loads them into that account (made at start), beside the default one's data.
        const account = flags.account !== undefined && flags.account.length > 0 ? running.config.accounts[0] : running.account.value;
        const option = (name: string, value: string | undefined): string => (value === undefined ? '' : ` --${name} ${/^[\w./:@-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`}`);
        const startedWith = { listening: option('port', flags.port) + option('host', flags.host), store: option('data-dir', flags.dataDir) + option('db', flags.db === undefined ? undefined : redactUrl(flags.db)) };
        await loadDemo({ url: running.url, token: running.rootToken, account, defaultAccount: running.account.value, startedWith }, console.log).catch((err: unknown) => {
          const lines = (err as { lines?: readonly string[] }).lines ?? [(err as Error).message];
          for (const line of lines) console.error(`portcullis: the demo data could not be loaded: ${line}`);
        });
      }
    });
}
