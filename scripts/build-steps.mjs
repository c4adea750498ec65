// The parts of scripts/build.mjs that decide and swap: which files a build reads, a stamp of
// their contents, and putting a finished build in place of dist/ (test/build.test.ts runs them).

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Where a build leaves the stamp of the inputs it was made from (not shipped: see package.json "files"). */
export const STAMP_FILE = '.build-stamp';

/** Files beside src/ and web/ that change what a build produces. */
const ROOT_INPUTS = ['package.json', 'package-lock.json', 'tsconfig.base.json', 'tsconfig.build.json', 'scripts/build.mjs', 'scripts/build-steps.mjs'];

function walk(root, folder, keep) {
  const dir = join(root, folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = `${folder}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : walk(root, path, keep);
    return entry.isFile() && keep(path) ? [path] : [];
  });
}

/** Every file a build reads, relative to `root`, sorted: the product's sources (not its tests), the dashboard, the build settings. */
export function inputFiles(root) {
  return [
    ...walk(root, 'src', (path) => path.endsWith('.ts') && !path.endsWith('.test.ts')),
    ...walk(root, 'web', () => true),
    ...ROOT_INPUTS.filter((path) => existsSync(join(root, path))),
  ].sort();
}

/** A SHA-256 over the names and contents of the inputs: equal stamps, equal builds. */
export function inputStamp(root) {
  const hash = createHash('sha256');
  for (const path of inputFiles(root)) {
    hash.update(path).update('\0').update(createHash('sha256').update(readFileSync(join(root, path))).digest()).update('\n');
  }
  return hash.digest('hex');
}

/** The stamp the build in `dist` was made from; undefined when there is no build, or none that left one. */
export function builtStamp(dist) {
  try {
    return readFileSync(join(dist, STAMP_FILE), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * Put the finished build in `built` where `dist` is: two renames, so dist/ is whole before and
 * after (a server running from it keeps serving; only the instant between the renames has no
 * dist/). The old build is removed afterwards.
 */
export function swapIn(built, dist) {
  const old = `${built}-old`;
  let moved = false;
  try {
    renameSync(dist, old);
    moved = true;
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
  try {
    renameSync(built, dist);
  } catch (err) {
    if (moved) renameSync(old, dist);
    throw err;
  }
  if (moved) rmSync(old, { recursive: true, force: true });
}
