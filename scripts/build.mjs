#!/usr/bin/env node
// `npm run build`: compile the product (src/, without its tests) and bundle the dashboard (web/)
// into a new folder beside dist/, and only once both succeeded swap it in for dist/. A server
// running from dist/ therefore keeps working while another build runs, and a failed build leaves
// the last good one in place.
//
// `--if-changed` (what `npm start` runs): skip the build when dist/ was built from exactly the
// current inputs (a SHA-256 of the sources, the dashboard, package.json, package-lock.json and
// the tsconfig files, kept in dist/.build-stamp).

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtStamp, inputStamp, STAMP_FILE, swapIn } from './build-steps.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const ifChanged = process.argv.includes('--if-changed');

const stamp = inputStamp(root);
if (ifChanged && builtStamp(dist) === stamp) {
  console.log('dist/ is up to date with src/ and web/: not rebuilt.');
  process.exit(0);
}

// A first `npm start` builds for a while before the server says anything: say what is happening.
const started = Date.now();
console.log(ifChanged ? 'build: src/ or web/ changed since dist/ was built (or there is no dist/ yet): building, which takes a minute or two…' : 'build: building dist/…');

// In the repository root, so that the final rename stays on one file system (.gitignore: .build-*/).
const built = mkdtempSync(join(root, '.build-'));
chmodSync(built, 0o755); // as dist/ was: readable by whoever runs the server

function run(what, script, args) {
  console.log(`build: ${what}`);
  const r = spawnSync(process.execPath, [join(root, 'node_modules', script), ...args], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    rmSync(built, { recursive: true, force: true });
    console.error(`build: ${what} failed; dist/ is left as it was.`);
    process.exit(r.status ?? 1);
  }
}

run('compiling src/', 'typescript/bin/tsc', ['-p', 'tsconfig.build.json', '--outDir', built]);
run('type-checking web/', 'typescript/bin/tsc', ['-p', 'web/tsconfig.json']);
run('bundling the dashboard', 'vite/bin/vite.js', ['build', '--config', 'web/vite.config.ts', '--logLevel', 'warn', '--outDir', join(built, 'web'), '--emptyOutDir']);
// The stamp of the inputs as they were when the build started: an edit made meanwhile rebuilds next time.
writeFileSync(join(built, STAMP_FILE), `${stamp}\n`);
swapIn(built, dist);
console.log(`build: dist/ is ready (${Math.round((Date.now() - started) / 1000)} s).`);
