// `portcullis secrets rotate-key`: seal every stored secret under a new key (server/rotate-key.ts).

import type { Command } from 'commander';
import { ConfigError, resolveConfig, type ServeFlags } from '../../server/config.js';

export function registerSecrets(program: Command): void {
  const secrets = program.command('secrets').description('manage the key that seals stored secrets (IdP client secrets, SCIM credentials)');
  secrets
    .command('rotate-key')
    .description('seal every stored secret under a new key, then retire the old key (servers using the same key file keep working)')
    .option('--db <url>', 'sqlite:PATH or postgres://... (env PORTCULLIS_DB; default sqlite:./data/portcullis.db)')
    .option('--data-dir <dir>', 'the data directory (env PORTCULLIS_DATA_DIR; default ./data)')
    .option('--secrets-key-file <file>', 'the key file (env PORTCULLIS_SECRETS_KEY_FILE; default DATA-DIR/secrets.key)')
    .action(async (flags: ServeFlags) => {
      const { rotateSecretsKey } = await import('../../server/rotate-key.js');
      try {
        await rotateSecretsKey(resolveConfig(flags), (line) => console.log(`portcullis: ${line}`));
      } catch (err) {
        if (err instanceof ConfigError) {
          console.error(`portcullis: ${err.message}`);
          process.exit(2);
        }
        throw err;
      }
    });
}
