// Test support: run the real `portcullis` binary as a subprocess, on files written to a temp
// dir, as CI would. Not a test file itself; the CLI's *.test.ts files share it.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = join(ROOT, 'bin/portcullis.js');
export const EXAMPLES = join(ROOT, 'examples');
export const example = (name: string): string => join(EXAMPLES, name);

/** The example groups and lists, as most runs need them. */
export const EXAMPLE_CATALOG = ['--groups', example('groups.json'), '--lists', example('lists.json')];

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment of a run: colour off, no debug, no server named unless `env` names one. */
function runEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete base.FORCE_COLOR;
  delete base.PORTCULLIS_DEBUG;
  for (const name of Object.keys(base)) if (/^PORTCULLIS_(FROM_|TO_)?(URL|TOKEN|ACCOUNT)$/.test(name)) delete base[name];
  return { ...base, ...env };
}

/** Run `portcullis ...args` from the repository root, with colour off unless `env` says otherwise. */
export function portcullis(args: readonly string[], env: NodeJS.ProcessEnv = {}): RunResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: ROOT, env: runEnv(env), maxBuffer: 256 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Like `portcullis`, without blocking this process: for runs against a server that this
 * process serves itself (startTestServer), which must go on answering meanwhile.
 */
export function portcullisAsync(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: runEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Parse a run's stdout as JSON, saying what the run printed when it is not. */
export function jsonOf<T>(result: RunResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
}

/** Run and parse stdout as JSON. */
export function portcullisJson<T = Record<string, unknown>>(args: readonly string[]): { result: RunResult; json: T } {
  const result = portcullis([...args, '--json']);
  return { result, json: jsonOf<T>(result) };
}

/** A temp dir with `files` (name → content; objects are written as JSON), removed by `cleanup`. */
export function tempFiles(files: Record<string, string | object>): { path: (name: string) => string; dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-cli-test-'));
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return { dir, path: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Run `use` with files written to a temp dir (as tempFiles), removed afterwards whatever happens. */
export async function withTempFiles<T>(files: Record<string, string | object>, use: (path: (name: string) => string) => Promise<T>): Promise<T> {
  const temp = tempFiles(files);
  try {
    return await use(temp.path);
  } finally {
    temp.cleanup();
  }
}

/** NDJSON text of `entries`. */
export const ndjson = (entries: readonly unknown[]): string => entries.map((e) => JSON.stringify(e)).join('\n') + '\n';

/** A stack trace line, which the CLI must never print. */
export const STACK_TRACE = /\n\s+at .+[:(]\d+:\d+\)?/;
