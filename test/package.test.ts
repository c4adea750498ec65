// `npm pack` ships what runs and nothing else. The tarball of the built repository (`npm test`
// builds dist/ first; packing here skips `prepack` so that no other test's dist/ is rebuilt
// under it) holds the CLI, the server, the dashboard and the examples the demo reads, and no
// test, harness, fixture or benchmark; unpacked into an empty folder, with the repository's
// node_modules linked in (a real install compiles better-sqlite3: scripts/check-pack.sh does
// that), it answers --version, serves the API and the dashboard, and runs the policy tester.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir, type TempDir } from './support/databases.js';
import { startServerProcess } from './support/server-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Packed {
  readonly filename: string;
  readonly files: readonly { path: string }[];
}

let dir: TempDir;
let packed: Packed;
/** The unpacked tarball, as `npm install` would lay it out under node_modules/portcullis. */
let unpacked: string;

before(() => {
  assert.ok(existsSync(join(ROOT, 'dist/src/cli/main.js')) && existsSync(join(ROOT, 'dist/web/index.html')), 'build the product first: npm run build');
  dir = tempDir('portcullis-pack-');
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir.path], { cwd: ROOT, encoding: 'utf8' });
  [packed] = JSON.parse(out) as Packed[];
  execFileSync('tar', ['-xzf', join(dir.path, packed.filename), '-C', dir.path]);
  unpacked = join(dir.path, 'package');
  symlinkSync(join(ROOT, 'node_modules'), join(unpacked, 'node_modules'), 'dir');
});

after(() => dir?.remove());

function jsFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((e) => {
    const path = join(folder, e.name);
    if (e.isDirectory()) return jsFiles(path);
    return e.name.endsWith('.js') ? [relative(ROOT, path).split('\\').join('/')] : [];
  });
}

test('the tarball holds the CLI, the product build, the dashboard and the examples, and nothing else', () => {
  const paths = packed.files.map((f) => f.path);
  const outside = paths.filter((p) => !/^(bin|dist\/src|dist\/web|examples)\//.test(p) && !['package.json', 'README.md', 'LICENSE'].includes(p));
  assert.deepEqual(outside, []);
  const testish = paths.filter((p) => /\.test\.js(\.map)?$|\.ts$|(^|\/)(test|bench|dist-test|fixtures?|support)\//.test(p) || /(conformance|differential|arbitraries|harness)/.test(p));
  assert.deepEqual(testish, [], 'no test, harness, fixture, benchmark or TypeScript source');
  for (const needed of [
    'bin/portcullis.js',
    'dist/src/cli/main.js',
    'dist/src/api/server.js',
    'dist/src/cli/bulk/worker.js',
    'dist/src/store/sqlite/checkpointer.js',
    'dist/web/index.html',
    'examples/policies.json',
    'examples/users.ndjson',
    'examples/application.json',
  ]) {
    assert.ok(paths.includes(needed), `the tarball holds ${needed}`);
  }
  assert.ok(paths.some((p) => /^dist\/web\/assets\/.+\.js$/.test(p)), 'the dashboard bundle is shipped');
  // Every module of the product build is shipped (the build holds no tests: tsconfig.build.json).
  const missing = jsFiles(join(ROOT, 'dist/src')).filter((p) => !paths.includes(p));
  assert.deepEqual(missing, []);
});

test('the unpacked tarball prints its version', () => {
  const version = (JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8')) as { version: string }).version;
  const r = spawnSync(process.execPath, [join(unpacked, 'bin/portcullis.js'), '--version'], { cwd: unpacked, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), version);
});

test('the unpacked tarball serves the API and the dashboard', async () => {
  const server = await startServerProcess(join(dir.path, 'data'), {}, [], join(unpacked, 'bin/portcullis.js'));
  try {
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(((await health.json()) as { result: unknown }).result, { status: 'ok' });
    const dashboard = await fetch(`${server.url}/`, { headers: { accept: 'text/html' } });
    assert.equal(dashboard.status, 200);
    assert.match(await dashboard.text(), /<script type="module"[^>]+src="\/assets\//);
  } finally {
    await server.stop();
  }
});

test('the unpacked tarball runs the policy tester and the demo on its examples', () => {
  const bin = join(unpacked, 'bin/portcullis.js');
  const examples = ['--policies', 'examples/policies.json', '--groups', 'examples/groups.json', '--lists', 'examples/lists.json', '--users', 'examples/users.ndjson'];
  const tested = spawnSync(process.execPath, [bin, 'test', ...examples, '--json'], { cwd: unpacked, encoding: 'utf8' });
  assert.equal(tested.status, 0, tested.stderr);
  const result = JSON.parse(tested.stdout) as { total_users: number; users_approved: number };
  assert.deepEqual({ total: result.total_users, approved: result.users_approved }, { total: 8, approved: 3 });
  // The demo reads examples/ beside dist/, wherever the package is.
  const demo = spawnSync(process.execPath, [bin, 'demo', '--json'], { cwd: dir.path, encoding: 'utf8' });
  assert.equal(demo.status, 0, demo.stderr);
  assert.equal((JSON.parse(demo.stdout) as { users: unknown[] }).users.length, 8);
});
