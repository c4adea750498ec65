// The manifest of an export directory (manifest.json): what `portcullis export --out DIR` wrote,
// file by file (how many objects or users, how many bytes, the SHA-256), where from and when.
// The commands that read an export check each file they are given against it, so that an
// interrupted export or copy, or a file changed since, is refused with one line instead of being
// decided as if it were the whole account. A directory without a manifest is read unchecked, as
// any hand-written files are (examples/ is such a directory).

import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Problem, Problems } from '../../transfer/problems.js';
import { plural } from '../render.js';
import { isObject } from '../shapes.js';

export const MANIFEST_FILE = 'manifest.json';
const FORMAT = 'portcullis-export';
const VERSION = 1;

export interface ManifestEntry {
  /** Objects in the file (users, for users.ndjson). */
  readonly count: number;
  readonly bytes: number;
  readonly sha256: string;
}

export interface Manifest {
  readonly format: typeof FORMAT;
  readonly version: typeof VERSION;
  readonly created_at: string;
  readonly source: { readonly url: string; readonly account: string };
  /** By file name, in the order they were written. */
  readonly files: Readonly<Record<string, ManifestEntry>>;
  /** The manifest of an export's temporary folder while it writes: nothing in it is complete. */
  readonly in_progress?: true;
}

export function manifestOf(source: Manifest['source'], files: Manifest['files'], createdAt = new Date()): Manifest {
  return { format: FORMAT, version: VERSION, created_at: createdAt.toISOString(), source, files };
}

/** What the temporary folder of an export holds until the export is complete, so that none of its files passes for an export. */
export function inProgressManifest(source: Manifest['source'], createdAt = new Date()): Manifest {
  return { ...manifestOf(source, {}, createdAt), in_progress: true };
}

/** Bytes and SHA-256 of text as it is written, a piece at a time. */
export class Digest {
  private readonly hash = createHash('sha256');
  bytes = 0;

  update(bytes: Uint8Array): void {
    this.hash.update(bytes);
    this.bytes += bytes.length;
  }

  entry(count: number): ManifestEntry {
    return { count, bytes: this.bytes, sha256: this.hash.digest('hex') };
  }
}

const CHUNK = 1 << 20;

/** SHA-256, size and line count of a file, read a MiB at a time. */
function fileDigest(path: string): { bytes: number; sha256: string; lines: number } {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(CHUNK);
  const fd = openSync(path, 'r');
  let bytes = 0;
  let lines = 0;
  try {
    for (let n = readSync(fd, buffer, 0, CHUNK, null); n > 0; n = readSync(fd, buffer, 0, CHUNK, null)) {
      const chunk = buffer.subarray(0, n);
      hash.update(chunk);
      bytes += n;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    }
  } finally {
    closeSync(fd);
  }
  return { bytes, sha256: hash.digest('hex'), lines };
}

const isEntry = (v: unknown): v is ManifestEntry =>
  isObject(v) && Number.isInteger(v.count) && Number.isInteger(v.bytes) && typeof v.sha256 === 'string' && /^[0-9a-f]{64}$/.test(v.sha256);

/** The manifest of `dir`: undefined when there is none, a problem when there is one that cannot be used. */
function readManifest(dir: string): Manifest | Problem | undefined {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return { file: path, code: 'invalid_manifest', message: `Cannot read this export manifest (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}), so the export's files cannot be checked.` };
  }
  const bad = (why: string): Problem => ({ file: path, code: 'invalid_manifest', message: `${why} It vouches for the export's files; export again to get a good one.` });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return bad('This export manifest is not valid JSON.');
  }
  if (!isObject(value) || value.format !== FORMAT) return bad(`This is not a portcullis export manifest (no "format": "${FORMAT}").`);
  if (typeof value.version !== 'number' || value.version > VERSION) {
    return { file: path, code: 'invalid_manifest', message: `This export was written by a newer portcullis (manifest version ${String(value.version)}); this one reads version ${VERSION}. Upgrade portcullis.` };
  }
  if (!isObject(value.files) || !Object.values(value.files).every(isEntry) || typeof value.created_at !== 'string') return bad('This export manifest lacks "files" or "created_at".');
  return value as unknown as Manifest;
}

const thousands = (n: number) => n.toLocaleString('en-US');

/** The problem with one file of an export, if any. */
function checkFile(given: string, name: string, manifest: Manifest): Problem | undefined {
  const written = `the export of ${manifest.created_at}`;
  const remedy = 'Export again, or copy the file out of the export directory to use it as it is.';
  if (manifest.in_progress === true) {
    return { file: given, code: 'export_mismatch', message: `Part of an export started at ${manifest.created_at} that did not finish (this is its temporary folder): incomplete. Export again.` };
  }
  const entry = manifest.files[name];
  if (entry === undefined) {
    return {
      file: given,
      code: 'export_mismatch',
      message: `Not part of ${written}: its ${MANIFEST_FILE} lists ${Object.keys(manifest.files).join(', ')}. The file is left from an earlier export or was put here by hand. ${remedy}`,
    };
  }
  let actual: ReturnType<typeof fileDigest>;
  try {
    actual = fileDigest(resolve(given));
  } catch {
    return undefined; // missing or unreadable: reported where the file is read, as for any file
  }
  if (actual.bytes !== entry.bytes) {
    const users = name.endsWith('.ndjson') ? `${plural(actual.lines, 'line')} where it wrote ${plural(entry.count, 'user')}, ` : '';
    const message =
      actual.bytes < entry.bytes
        ? `Incomplete: ${users}${thousands(actual.bytes)} of the ${thousands(entry.bytes)} bytes ${written} wrote (see ${MANIFEST_FILE}).`
        : `Changed since ${written}: ${users}${thousands(actual.bytes)} bytes where it wrote ${thousands(entry.bytes)} (see ${MANIFEST_FILE}).`;
    return { file: given, code: 'export_mismatch', message: `${message} ${remedy}` };
  }
  if (actual.sha256 !== entry.sha256) {
    return { file: given, code: 'export_mismatch', message: `Changed since ${written}: its SHA-256 differs from the one in ${MANIFEST_FILE}. ${remedy}` };
  }
  return undefined;
}

/**
 * Check every file that lies in an export directory (one with a manifest.json) against that
 * manifest: listed, as long, and the same SHA-256. Files elsewhere are not checked.
 */
export function checkExportFiles(files: readonly (string | undefined)[], problems: Problems): void {
  const manifests = new Map<string, Manifest | Problem | undefined>();
  const seen = new Set<string>();
  for (const given of files) {
    if (given === undefined || given === '-') continue;
    const path = resolve(given);
    if (seen.has(path)) continue;
    seen.add(path);
    const dir = dirname(path);
    if (!manifests.has(dir)) {
      const manifest = readManifest(dir);
      manifests.set(dir, manifest);
      if (manifest !== undefined && !('format' in manifest)) problems.add(manifest);
    }
    const manifest = manifests.get(dir);
    if (manifest === undefined || !('format' in manifest) || basename(path) === MANIFEST_FILE) continue;
    const problem = checkFile(given, basename(path), manifest);
    if (problem !== undefined) problems.add(problem);
  }
}
