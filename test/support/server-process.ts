// Start `portcullis serve` as a child process on a free port with its own data directory: for
// benchmarks (the load generator and the server run on separate event loops) and for tests
// with several server processes on one database, or a server killed mid-write.

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir, type TempDir, type TestDatabase } from './databases.js';

const BIN = fileURLToPath(new URL('../../../bin/portcullis.js', import.meta.url));

export interface ServerProcess {
  readonly url: string;
  readonly apiUrl: string;
  readonly token: string;
  readonly accountId: string;
  readonly child: ChildProcess;
  /** Resolves with everything the server printed on stdout once it matches `pattern` (30 s at most). */
  waitForOutput(pattern: RegExp): Promise<string>;
  /** Peak resident set size of the server process so far, in MiB (from /proc). */
  peakRssMiB(): number;
  /**
   * For failure messages: "running", or how the process ended (waiting up to `graceMs` for an
   * exit that a refused connection may be the first sign of).
   */
  state(graceMs?: number): Promise<string>;
  stop(): Promise<void>;
}

/** `bin`: another `portcullis` entry point than the repository's, e.g. an unpacked tarball's. */
export async function startServerProcess(dataDir: string, env: Record<string, string> = {}, args: readonly string[] = [], bin = BIN): Promise<ServerProcess> {
  // BENCH_SERVER_NODE_ARGS: Node.js flags for the server alone, e.g. "--cpu-prof --cpu-prof-dir=DIR"
  // to see where a benchmark's time goes (NODE_OPTIONS refuses --cpu-prof).
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  const child = spawn(process.execPath, [...nodeArgs, bin, 'serve', '--port', '0', '--data-dir', dataDir, ...args], {
    // Tests pick random account ids; those about explicit accounts pass PORTCULLIS_OPEN_ACCOUNTS: 'off'.
    env: { ...process.env, PORTCULLIS_LOG_LEVEL: 'warn', PORTCULLIS_OPEN_ACCOUNTS: 'on', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Everything the server prints on stdout is kept, and watchers look at it as it grows.
  let printed = '';
  const watchers = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    printed += chunk.toString();
    for (const check of watchers) check();
  });
  const waitForOutput = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const fail = (why: string) => {
        clearTimeout(timer);
        watchers.delete(check);
        child.off('exit', exited);
        reject(new Error(`${why}: ${printed}`));
      };
      const exited = (code: number | null) => fail(`the server exited with ${code} before printing ${pattern}`);
      const timer = setTimeout(() => fail(`the server did not print ${pattern} within 30 s`), 30_000);
      timer.unref();
      const check = () => {
        if (!pattern.test(printed)) return;
        clearTimeout(timer);
        watchers.delete(check);
        child.off('exit', exited);
        resolve(printed);
      };
      child.once('exit', exited);
      watchers.add(check);
      check();
    });
  let url: string;
  try {
    url = /listening on (http:\/\/\S+)/.exec(await waitForOutput(/listening on (http:\/\/\S+)/))![1];
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  // BENCH_SERVER_LOG=FILE keeps the server's output (its JSON log lines) for a post-mortem.
  if (process.env.BENCH_SERVER_LOG !== undefined) child.stdout!.pipe(createWriteStream(process.env.BENCH_SERVER_LOG, { flags: 'a' }));
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM') process.stderr.write(`portcullis serve (pid ${child.pid}) exited: code ${code}, signal ${signal}\n`);
  });
  let token: string;
  let accountId: string;
  try {
    token = env.PORTCULLIS_API_TOKEN ?? readFileSync(join(dataDir, 'root-token'), 'utf8').trim();
    accountId = env.PORTCULLIS_ACCOUNT_ID ?? readFileSync(join(dataDir, 'account-id'), 'utf8').trim();
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    url,
    apiUrl: `${url}/client/v4`,
    token,
    accountId,
    child,
    waitForOutput,
    peakRssMiB: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return Math.round(kb / 1024);
    },
    state: async (graceMs = 0) => {
      if (child.exitCode === null && child.signalCode === null && graceMs > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, graceMs);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      if (child.exitCode === null && child.signalCode === null) return 'running';
      return `exited with ${child.signalCode !== null ? `signal ${child.signalCode}` : `code ${child.exitCode}`}`;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Server processes a test starts, with their data directories and database, all disposed of
 * together (in an `after` hook, so even a failed test leaves no process behind).
 */
export class ServerFleet {
  readonly servers: ServerProcess[] = [];
  private readonly dirs: TempDir[] = [];
  private database: TestDatabase | undefined;

  /** The fleet's database: created once (by `create`) and dropped on dispose. */
  async databaseFrom(create: () => Promise<TestDatabase>): Promise<TestDatabase> {
    this.database ??= await create();
    return this.database;
  }

  /** A fresh data directory, removed on dispose. */
  dataDir(): string {
    const dir = tempDir();
    this.dirs.push(dir);
    return dir.path;
  }

  async start(dataDir: string, env: Record<string, string>, args: readonly string[] = []): Promise<ServerProcess> {
    const server = await startServerProcess(dataDir, env, args);
    this.servers.push(server);
    return server;
  }

  /** `count` servers, each with its own data directory, all on the fleet's database. */
  async startSharing(count: number, create: () => TestDatabase | Promise<TestDatabase>, env: Record<string, string>): Promise<ServerProcess[]> {
    const db = await this.databaseFrom(async () => create());
    for (let i = 0; i < count; i++) await this.start(this.dataDir(), env, ['--db', db.url]);
    return this.servers;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.stop()));
    for (const dir of this.dirs) dir.remove();
    await this.database?.drop();
  }
}
