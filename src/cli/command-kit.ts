// What every command shares: exit codes, turning problems and failures into messages (never a
// stack trace), writing to stdout with backpressure, and the input options of test/diff/check.

import { once } from 'node:events';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { RemoteError } from '../transfer/remote-error.js';
import { formatProblem, InputError } from '../transfer/problems.js';
import { USERS_FORMATS, type UsersFormat } from './users/source.js';
import type { PolicySource } from './policy-source.js';

/** Exit codes (docs/cli.md). */
export const EXIT = {
  ok: 0,
  /** A check failed, a diff changed with --fail-on-change, lint found errors (or warnings with --strict). */
  failed: 1,
  /** Bad input or usage: a missing or malformed file, an invalid policy, an unknown option. */
  badInput: 2,
  /** A bug in portcullis. */
  internal: 3,
  /** The API could not be reached, refused the credentials, or failed (import, export, sync). */
  remote: 4,
} as const;

/** Write to stdout, waiting when the pipe is full (a million users of JSON can be). */
export async function write(text: string | Uint8Array): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}

export async function writeJson(value: unknown): Promise<void> {
  await write(JSON.stringify(value, null, 2) + '\n');
}

/** A command line that cannot work (beyond what commander checks itself); exits 2. */
export class UsageError extends Error {}

function reportInputError(err: InputError, json: boolean): void {
  for (const p of err.problems) process.stderr.write(formatProblem(p) + '\n');
  if (err.omitted > 0) process.stderr.write(`... and ${err.omitted.toLocaleString('en-US')} more problem${err.omitted === 1 ? '' : 's'}.\n`);
  if (json) process.stdout.write(JSON.stringify({ problems: err.problems, omitted_problems: err.omitted, ...err.jsonFields }, null, 2) + '\n');
}

/**
 * Wrap a command's action: it resolves to an exit code; input problems exit 2 with one line per
 * problem (and JSON on stdout with --json); an API that cannot be reached or refuses exits 4 with
 * one line saying so; anything unexpected is a short message, exit 3.
 */
export function runAction<A extends unknown[]>(fn: (...args: A) => Promise<number>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const command = args[args.length - 1] as Command;
    const json = command.opts().json === true;
    try {
      process.exitCode = await fn(...args);
    } catch (err) {
      if (err instanceof UsageError) {
        process.stderr.write(`error: ${err.message}\n(add --help for usage)\n`);
        process.exitCode = EXIT.badInput;
        return;
      }
      if (err instanceof InputError) {
        reportInputError(err, json);
        process.exitCode = EXIT.badInput;
        return;
      }
      if (err instanceof RemoteError) {
        for (const line of err.lines) process.stderr.write(`portcullis: ${line}\n`);
        if (json) process.stdout.write(JSON.stringify({ errors: err.lines }, null, 2) + '\n');
        process.exitCode = EXIT.remote;
        return;
      }
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`portcullis: internal error: ${message}\n`);
      if (process.env.PORTCULLIS_DEBUG !== undefined && err instanceof Error) process.stderr.write(`${err.stack}\n`);
      else process.stderr.write('This is a bug in portcullis; set PORTCULLIS_DEBUG=1 to see where it happened, and please report it.\n');
      process.exitCode = EXIT.internal;
    }
  };
}

/** The files a test, diff or check run reads besides its policies. */
export interface InputOptions {
  readonly users: string;
  readonly usersFormat?: UsersFormat;
  readonly groups?: string;
  readonly lists?: string;
  readonly idps?: string;
  readonly json?: boolean;
  readonly workers?: number;
}

export function addInputOptions(command: Command): Command {
  return command
    .requiredOption('--users <file>', 'users: NDJSON, a JSON array, or CSV (docs/cli.md)')
    .option('--groups <file>', 'Access groups (JSON array, or {"groups": [...]})')
    .option('--lists <file>', 'Gateway lists (JSON array of {id, type, items})')
    .option('--idps <file>', 'identity providers (JSON array of {id, name, type})')
    .addOption(new Option('--users-format <format>', 'read the users file as this format instead of detecting it').choices(USERS_FORMATS))
    .option('--json', 'machine-readable output on stdout')
    // Hidden: worker threads for NDJSON users (default: one per core for files of 16 MB or more,
    // none below). Tests use it to run the parallel path on small files.
    .addOption(new Option('--workers <n>').argParser(wholeNumber).hideHelp());
}

/** Parse a whole-number option value such as --limit (commander passes strings). */
export function wholeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${JSON.stringify(value)} is not a whole number.`);
  return n;
}

/** --app and --apps of test and diff. */
export interface AppOptions {
  readonly app?: string;
  readonly apps?: string;
}

export function addAppOptions(command: Command): Command {
  return command
    .option('--app <name>', "decide with this application's policies by precedence (its name or id), instead of every policy of the file in file order")
    .option('--apps <file>', 'the applications of --app: apps.json of an export directory (default: the policies file, when it is an export file with "apps")');
}

/** The policy set a policies file stands for: all of its policies, or those of the application of --app. */
export function policySource(file: string, options: AppOptions): PolicySource {
  if (options.app === undefined) {
    if (options.apps !== undefined) throw new UsageError('--apps names where the application of --app is: give --app NAME too.');
    return { file };
  }
  return { file, app: { name: options.app, appsFile: options.apps ?? file } };
}
