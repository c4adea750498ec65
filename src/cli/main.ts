// The `portcullis` command. Each command lives in its own module under commands/ and registers
// itself here with one line.

import { readFileSync } from 'node:fs';
import { Command, CommanderError, type Option } from 'commander';
import { registerServeCommand } from './commands/serve.js';
import { EXIT } from './command-kit.js';
import { registerCheck } from './commands/check.js';
import { registerDemo } from './commands/demo.js';
import { registerDiff } from './commands/diff.js';
import { registerExport } from './commands/export.js';
import { registerImport } from './commands/import.js';
import { registerLint } from './commands/lint.js';
import { registerProxyConfig } from './commands/proxy-config.js';
import { registerSecrets } from './commands/secrets.js';
import { registerSync } from './commands/sync.js';
import { registerTest } from './commands/test.js';

/** The version of the installed package (dist/src/cli → the package root). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('portcullis')
    .description('Cloudflare Access reusable policies and policy tester, self-hosted')
    .version(packageVersion(), '-V, --version', 'print the version of portcullis')
    // Usage errors exit 2 (docs/cli.md); subcommands inherit this when created with .command().
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');
  registerDemo(program);
  registerTest(program);
  registerDiff(program);
  registerLint(program);
  registerCheck(program);
  registerImport(program);
  registerExport(program);
  registerSync(program);
  registerServeCommand(program);
  registerSecrets(program);
  registerProxyConfig(program);
  checkRequiredOptionsLast(program);
  return program;
}

/**
 * Commander reports a missing required option before an unknown one, so `--policy` for
 * `--policies` would say "required option '--policies <file>' not specified". Required options
 * are checked here instead, in a hook that runs after commander has refused unknown options
 * (with its "unknown option" message and a suggestion), with commander's own message.
 */
function checkRequiredOptionsLast(command: Command): void {
  for (const sub of command.commands) checkRequiredOptionsLast(sub);
  const required: Option[] = command.options.filter((o) => o.mandatory);
  if (required.length === 0) return;
  for (const option of required) option.makeOptionMandatory(false);
  command.hook('preAction', (hooked) => {
    for (const option of required) {
      if (hooked.getOptionValue(option.attributeName()) === undefined) {
        hooked.error(`error: required option '${option.flags}' not specified`, { exitCode: EXIT.badInput, code: 'commander.missingMandatoryOptionValue' });
      }
    }
  });
}

export async function main(argv: string[]): Promise<void> {
  // `portcullis test ... | head` closes the pipe early: stop quietly instead of crashing.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok);
    process.stderr.write(`portcullis: cannot write the output: ${err.message}\n`);
    process.exit(EXIT.internal);
  });
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has printed the message (or the help) already.
      const helpOrVersion = ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(err.code);
      process.exitCode = helpOrVersion ? EXIT.ok : EXIT.badInput;
      return;
    }
    throw err;
  }
}
