// The layers of src/ and the imports allowed between them. Product code may import its own
// layer and the layers listed for it, never one above; the engine stays pure (no I/O packages);
// nothing shipped imports a test, a harness or a fixture. A wrong-way import fails this test,
// and so the build that `npm test` runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Each layer and the layers below it that its product code may import. Read upwards:
 * engine ← schema ← store ← account ← tester ← api ← server ← cli, with schema holding the
 * API's wire schemas, their validator, the checks the CLI shares with the server and the table
 * of secret fields the store seals; external (outbound HTTP for external evaluation) beside
 * store; access (the enforcement point: forward auth, sessions, application tokens) between api
 * and server; and transfer (moving accounts through the SDK) under cli.
 */
export const LAYERS: Readonly<Record<string, readonly string[]>> = {
  engine: [],
  schema: ['engine'],
  store: ['engine', 'schema'],
  external: ['engine'],
  account: ['engine', 'schema', 'store'],
  tester: ['engine', 'schema', 'store', 'account', 'external'],
  api: ['engine', 'schema', 'store', 'account', 'external', 'tester'],
  access: ['engine', 'schema', 'store', 'account', 'external', 'tester', 'api'],
  server: ['engine', 'schema', 'store', 'account', 'external', 'tester', 'api', 'access'],
  transfer: ['engine'],
  cli: ['engine', 'schema', 'store', 'account', 'external', 'tester', 'access', 'server', 'transfer'],
};

/**
 * Imports the table does not allow yet, each to be removed by the change that fixes it (an
 * entry that no longer occurs fails the test, so the list only shrinks).
 */
const KNOWN_WRONG_WAY: readonly string[] = [];

/** Packages the engine may load: pure computation, no I/O. */
const ENGINE_PACKAGES = new Set(['ipaddr.js']);

export interface SourceFile {
  /** Repository-relative path with forward slashes, e.g. src/engine/ip.ts. */
  readonly path: string;
  readonly text: string;
}

const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;

function specifiers(text: string): string[] {
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3] ?? m[4]);
}

const isTest = (path: string) => path.endsWith('.test.ts');
const layerOf = (path: string): string | undefined => (path.startsWith('src/') ? path.split('/')[1] : undefined);

/** Every import of product code that the table does not allow, as "file: reason". */
export function layerViolations(files: readonly SourceFile[]): string[] {
  const offenders: string[] = [];
  for (const file of files) {
    const layer = layerOf(file.path);
    if (layer === undefined || isTest(file.path)) continue;
    const allowed = LAYERS[layer];
    if (allowed === undefined) {
      offenders.push(`${file.path}: src/${layer} is not in the layer table`);
      continue;
    }
    for (const spec of specifiers(file.text)) {
      if (!spec.startsWith('.')) {
        if (layer === 'engine' && !ENGINE_PACKAGES.has(spec)) offenders.push(`${file.path}: the engine imports ${spec}`);
        continue;
      }
      const target = normalize(join(dirname(file.path), spec)).split('\\').join('/');
      if (!target.startsWith('src/')) {
        offenders.push(`${file.path}: product code imports ${target} (tests, harnesses and fixtures are not shipped)`);
        continue;
      }
      if (/\.test\.[jt]s$/.test(target)) {
        offenders.push(`${file.path}: product code imports the test ${target}`);
        continue;
      }
      const to = layerOf(target)!;
      if (to !== layer && !allowed.includes(to)) offenders.push(`${file.path}: ${layer} may not import ${to} (${spec})`);
    }
  }
  return offenders;
}

function sources(dir: string): SourceFile[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    if (!e.name.endsWith('.ts')) return [];
    return [{ path: relative(ROOT, path).split('\\').join('/'), text: readFileSync(path, 'utf8') }];
  });
}

test('every layer of src/ is in the table, and each imports only the layers below it', () => {
  const files = sources(join(ROOT, 'src'));
  assert.ok(files.length > 100, `expected the sources under ${ROOT}src`);
  const layers = new Set(files.map((f) => layerOf(f.path)));
  assert.deepEqual([...layers].filter((l) => l !== undefined && !(l in LAYERS)), [], 'a new folder under src/ needs its row in LAYERS');
  const violations = layerViolations(files);
  assert.deepEqual(violations.filter((v) => !KNOWN_WRONG_WAY.includes(v)), []);
  assert.deepEqual(KNOWN_WRONG_WAY.filter((v) => !violations.includes(v)), [], 'fixed: remove it from KNOWN_WRONG_WAY');
});

test('the table has no cycle: each layer lists only layers that come before it', () => {
  const order = Object.keys(LAYERS);
  for (const [layer, below] of Object.entries(LAYERS)) {
    for (const lower of below) assert.ok(order.indexOf(lower) < order.indexOf(layer), `${layer} lists ${lower}, which comes after it`);
  }
});

test('a wrong-way import is caught, with the file and the layers named', () => {
  const wrong: SourceFile[] = [
    { path: 'src/engine/ip.ts', text: "import { Store } from '../store/store.js';\n" },
    { path: 'src/store/sql-store.ts', text: "import type { ApiContext } from '../api/route.js';\n" },
    { path: 'src/transfer/plan.ts', text: "export { x } from '../cli/render.js';\n" },
    { path: 'src/server/serve.ts', text: "const m = await import('../cli/main.js');\n" },
    { path: 'src/api/server.ts', text: "import '../../test/support/server.js';\n" },
    { path: 'src/engine/lint.ts', text: "import pg from 'pg';\n" },
    { path: 'src/tester/runner.ts', text: "import { x } from './runner.test.js';\n" },
  ];
  assert.deepEqual(layerViolations(wrong), [
    'src/engine/ip.ts: engine may not import store (../store/store.js)',
    'src/store/sql-store.ts: store may not import api (../api/route.js)',
    'src/transfer/plan.ts: transfer may not import cli (../cli/render.js)',
    'src/server/serve.ts: server may not import cli (../cli/main.js)',
    'src/api/server.ts: product code imports test/support/server.js (tests, harnesses and fixtures are not shipped)',
    'src/engine/lint.ts: the engine imports pg',
    'src/tester/runner.ts: product code imports the test src/tester/runner.test.js',
  ]);
  // The same imports in the right direction, and tests importing harnesses, pass.
  assert.deepEqual(
    layerViolations([
      { path: 'src/api/server.ts', text: "import { Store } from '../store/store.js';\nimport { x } from './route.js';\n" },
      { path: 'src/cli/main.ts', text: "import { startServer } from '../server/serve.js';\n" },
      { path: 'src/api/server.test.ts', text: "import { startTestServer } from '../../test/support/server.js';\n" },
    ]),
    [],
  );
});

test('the engine loads no test support: fixtures and generators live under test/', () => {
  const engine = sources(join(ROOT, 'src/engine')).filter((f) => !isTest(f.path));
  assert.ok(engine.length > 10);
  const fixtureNames = engine.filter((f) => /(conformance|differential|arbitraries|support)/.test(f.path));
  assert.deepEqual(fixtureNames.map((f) => f.path), []);
});

/**
 * Modules outside the engine that the dashboard (web/) bundles: each is pure, importing nothing,
 * so the browser runs the very code the server and the CLI run and no Node module comes along.
 */
export const DASHBOARD_SHARED: readonly string[] = ['src/access/proxy-config.ts', 'src/schema/auth-domain.ts', 'src/schema/saml-headers.ts', 'src/schema/session-app-types.ts'];

test('the dashboard imports from src/ only the engine and the pure modules listed for it', () => {
  const web = sources(join(ROOT, 'web/src')).concat(
    readdirSync(join(ROOT, 'web/src'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.tsx'))
      .map((e) => {
        const path = join(e.parentPath, e.name);
        return { path: relative(ROOT, path).split('\\').join('/'), text: readFileSync(path, 'utf8') };
      }),
  );
  assert.ok(web.length > 20, `expected the dashboard's sources under ${ROOT}web/src`);
  const reached = new Set<string>();
  for (const file of web) {
    for (const spec of specifiers(file.text)) {
      if (!spec.startsWith('.')) continue;
      const target = normalize(join(dirname(file.path), spec)).split('\\').join('/').replace(/\.js$/, '.ts');
      if (target.startsWith('src/')) reached.add(target);
    }
  }
  const outside = [...reached].filter((t) => !t.startsWith('src/engine/') && !DASHBOARD_SHARED.includes(t));
  assert.deepEqual(outside, [], 'the dashboard may bundle the engine and DASHBOARD_SHARED only');
  for (const path of DASHBOARD_SHARED) {
    assert.ok(reached.has(path), `${path} is listed but the dashboard no longer imports it: remove it from DASHBOARD_SHARED`);
    assert.deepEqual(specifiers(readFileSync(join(ROOT, path), 'utf8')), [], `${path} must import nothing`);
  }
});
