// `npm run build` and `npm start`'s build (scripts/build.mjs) on a small project laid out as
// this one (src/, web/, the tsconfig files, the build scripts copied from here, node_modules
// linked): dist/ is never missing while a build runs, a failed build leaves the last good one,
// and `--if-changed` skips a build whose inputs did not change (tests do not count).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './support/databases.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const FILES: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'small', private: true, type: 'module' }),
  'package-lock.json': '{}',
  'tsconfig.build.json': JSON.stringify({ extends: './tsconfig.base.json', compilerOptions: { outDir: 'dist' }, include: ['src/**/*.ts'], exclude: ['src/**/*.test.ts'] }),
  'src/hello.ts': "export const hello = 'one';\n",
  'src/hello.test.ts': "export const tested = 'one';\n",
  'web/index.html': '<!doctype html><title>small</title><script type="module" src="/main.ts"></script>\n',
  'web/main.ts': "document.title = 'one';\n",
  'web/vite.config.ts': "export default { root: new URL('.', import.meta.url).pathname, logLevel: 'warn', build: { outDir: '../dist/web' } };\n",
  'web/tsconfig.json': JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022', 'DOM'], types: [], strict: true, noEmit: true }, include: ['*.ts'] }),
};

function smallProject(): { dir: string; remove: () => void } {
  const temp = tempDir('portcullis-build-');
  for (const [name, text] of Object.entries(FILES)) {
    mkdirSync(join(temp.path, name, '..'), { recursive: true });
    writeFileSync(join(temp.path, name), text);
  }
  for (const name of ['tsconfig.base.json', 'scripts/build.mjs', 'scripts/build-steps.mjs']) {
    mkdirSync(join(temp.path, name, '..'), { recursive: true });
    copyFileSync(join(ROOT, name), join(temp.path, name));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(temp.path, 'node_modules'), 'dir');
  return { dir: temp.path, remove: temp.remove };
}

const build = (dir: string, ...args: string[]) => spawnSync(process.execPath, [join(dir, 'scripts/build.mjs'), ...args], { cwd: dir, encoding: 'utf8' });

test("npm start's build and npm run build: swapped in whole, skipped when nothing changed, the last good one kept on failure", async () => {
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  assert.equal(scripts.prestart, 'node scripts/build.mjs --if-changed');
  assert.equal(scripts.build, 'node scripts/build.mjs');
  assert.equal(scripts.prebuild, undefined, 'nothing removes dist/ before a build');

  const project = smallProject();
  const { dir } = project;
  const dist = (name: string) => join(dir, 'dist', name);
  try {
    const first = build(dir, '--if-changed');
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /^build: .*building.*\nbuild: compiling src\/\nbuild: type-checking web\/\nbuild: bundling the dashboard\nbuild: dist\/ is ready \(\d+ s\)\.\n$/, 'a first start says what it is doing');
    assert.match(readFileSync(dist('src/hello.js'), 'utf8'), /'one'/);
    assert.ok(existsSync(dist('web/index.html')), 'the dashboard is bundled into dist/web');
    assert.ok(!existsSync(dist('src/hello.test.js')), 'tests are not part of the product build');

    const builtAt = statSync(dist('src/hello.js')).mtimeMs;
    const same = build(dir, '--if-changed');
    assert.equal(same.status, 0, same.stderr);
    assert.match(same.stdout, /dist\/ is up to date with src\/ and web\/: not rebuilt\./);
    writeFileSync(join(dir, 'src/hello.test.ts'), "export const tested = 'two';\n");
    assert.match(build(dir, '--if-changed').stdout, /not rebuilt/, 'a changed test does not change the product');
    assert.equal(statSync(dist('src/hello.js')).mtimeMs, builtAt);

    // A change rebuilds; while it builds, dist/ stays whole (a running server keeps its files).
    writeFileSync(join(dir, 'web/main.ts'), "document.title = 'two';\n");
    writeFileSync(join(dir, 'src/hello.ts'), "export const hello = 'two';\n");
    const child = spawn(process.execPath, [join(dir, 'scripts/build.mjs'), '--if-changed'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    let checks = 0;
    let done = false;
    void exited.then(() => (done = true));
    // The swap is two renames (scripts/build-steps.mjs): in the instant between them the whole
    // old build is in the `.build-*-old` folder instead, which a poll may land on.
    const whole = (folder: string) => existsSync(join(folder, 'src/hello.js')) && existsSync(join(folder, 'web/index.html'));
    const mid = () => readdirSync(dir).filter((name) => name.endsWith('-old')).some((name) => whole(join(dir, name)));
    while (!done) {
      // Looked at again last: the second rename may land while the old folder is being read.
      const seen = whole(join(dir, 'dist')) || (!existsSync(join(dir, 'dist')) && mid()) || whole(join(dir, 'dist'));
      assert.ok(seen, 'dist/ is whole while a build runs (or, between the renames, its old build is)');
      checks++;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.equal(await exited, 0, stderr);
    assert.ok(checks > 10, `dist/ was looked at during the build (${checks} times)`);
    assert.match(readFileSync(dist('src/hello.js'), 'utf8'), /'two'/);
    assert.deepEqual(readdirSync(dir).filter((name) => name.startsWith('.build-')), [], 'no build folder is left behind');

    // A build that fails keeps the last good one, and says so.
    writeFileSync(join(dir, 'src/hello.ts'), "export const hello: number = 'three';\n");
    const failed = build(dir);
    assert.notEqual(failed.status, 0);
    assert.match(failed.stderr, /build: compiling src\/ failed; dist\/ is left as it was\./);
    assert.match(readFileSync(dist('src/hello.js'), 'utf8'), /'two'/);
    assert.deepEqual(readdirSync(dir).filter((name) => name.startsWith('.build-')), []);
    assert.doesNotMatch(build(dir, '--if-changed').stdout, /not rebuilt/, 'the failed inputs are not taken for built');
  } finally {
    project.remove();
  }
});
