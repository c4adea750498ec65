// Keeps src/engine pure: no module below it may import anything that does I/O.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ENGINE = fileURLToPath(new URL('../../src/engine/', import.meta.url));
const ALLOWED_PACKAGES = new Set(['ipaddr.js']);
// Test files (and their generators and *.support.ts helpers) may use the test runner and
// fast-check, nothing else.
const TEST_ONLY_PACKAGES = new Set(['node:test', 'node:assert', 'node:assert/strict', 'fast-check']);
const isTestSupport = (file: string) => /(\.test|\.support|arbitraries)\.ts$/.test(file);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

test('src/engine imports only its own modules and pure libraries', () => {
  const files = sources(ENGINE);
  assert.ok(files.length > 10, `expected the engine sources under ${ENGINE}`);
  const offenders: string[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    // from-imports and re-exports, dynamic imports, require, and bare side-effect imports.
    for (const m of text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm)) {
      const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
      if (spec.startsWith('./') || spec.startsWith('../')) {
        if (spec.startsWith('../')) offenders.push(`${file}: reaches outside the engine (${spec})`);
        // Test support may use fast-check and node:assert: the engine itself must not load it.
        else if (!isTestSupport(file) && isTestSupport(spec.replace(/\.js$/, '.ts'))) offenders.push(`${file}: imports test support ${spec}`);
        continue;
      }
      if (ALLOWED_PACKAGES.has(spec) || (isTestSupport(file) && TEST_ONLY_PACKAGES.has(spec))) continue;
      offenders.push(`${file}: imports ${spec}`);
    }
  }
  assert.deepEqual(offenders, []);
});
