// What adding a selector takes (docs/contributing.md "Adding a selector"): in a scratch copy of
// the sources, a new entry in the catalogue alone must make the compiler name exactly the places
// that still have to handle it (the two evaluators, and the validation test's oracle tables),
// and nothing else. One type-check of the whole project; filter it with "adding-a-selector".

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A selector with a field of its own, a reference and reason codes of every outcome. */
const FAKE_ENTRY = `  fake_selector: {
    title: 'Fake selector',
    fields: {
      value: { format: 'text', required: true, key: 'fakeValue', reads: 'email' },
      list_id: { format: 'id', required: false, key: 'fakeListId' },
    },
    identity: true,
    reference: { field: 'list_id', kind: 'list', listType: 'EMAIL' },
    describe: 'fake {value:q}[ in list {list_id}]',
    reasons: { fake_match: 'matched', fake_mismatch: 'not_matched', fake_unknown: 'unknown' },
  },
`;

/** The files the compiler must name, and why each must handle a new selector. */
const EXPECTED = {
  'src/engine/interpreter.ts': 'the reference evaluator: how the selector is evaluated and explained',
  'src/engine/compile.ts': 'the compiled evaluator: its closure test',
  'src/engine/codegen.ts': 'the compiled evaluator: its inline expression, or that it stays a closure',
  'src/engine/validate.test.ts': "the validation oracle: a valid example with its normalized fields, and Cloudflare's required fields",
};

test('a selector added to the catalogue alone is refused by the compiler exactly where it still needs handling', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'portcullis-new-selector-'));
  try {
    for (const entry of ['src', 'test', 'bench', 'package.json', 'tsconfig.json', 'tsconfig.base.json']) {
      cpSync(join(ROOT, entry), join(scratch, entry), { recursive: true });
    }
    symlinkSync(join(ROOT, 'node_modules'), join(scratch, 'node_modules'), 'dir');

    const catalogue = join(scratch, 'src/engine/selectors.ts');
    const source = readFileSync(catalogue, 'utf8');
    const marker = 'export const CATALOGUE = {\n';
    assert.ok(source.includes(marker), 'selectors.ts no longer declares CATALOGUE as this test expects');
    writeFileSync(catalogue, source.replace(marker, marker + FAKE_ENTRY));

    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit'], {
      cwd: scratch,
      encoding: 'utf8',
    });
    const errors = tsc.stdout.split('\n').filter((line) => / error TS\d+:/.test(line));
    const files = [...new Set(errors.map((line) => line.slice(0, line.indexOf('('))))].sort();
    assert.deepEqual(files, Object.keys(EXPECTED).sort(), `the compiler's complaints:\n${errors.join('\n')}`);
    // Each complaint is about the new selector, not an unrelated break.
    for (const line of errors) assert.match(line, /fake_selector/, line);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});

