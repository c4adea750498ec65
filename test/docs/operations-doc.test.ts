import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PERMISSION_GROUPS } from '../../src/api/auth/permissions.js';
import { DEFAULT_SETTINGS, JSON_IMPORT_LIMIT_BYTES } from '../../src/api/settings.js';

const DOC = readFileSync(fileURLToPath(new URL('../../../docs/operations.md', import.meta.url)), 'utf8');

test('docs/operations.md names every permission group', () => {
  for (const group of PERMISSION_GROUPS) {
    const family = group.name.replace(/ (Read|Write)$/, '');
    assert.ok(DOC.includes(`| ${family} `) || DOC.includes(`| ${group.name} `), `docs/operations.md misses "${group.name}"`);
  }
});

test('docs/operations.md states the limits the server enforces', () => {
  assert.ok(DOC.includes(`| JSON request body | ${DEFAULT_SETTINGS.bodyLimitBytes / 1024 / 1024} MiB (`));
  assert.ok(DOC.includes(`| user import body (JSON or NDJSON) | ${DEFAULT_SETTINGS.importBodyLimitBytes / 1024 / 1024} MiB (`));
  assert.ok(DOC.includes(`JSON is read whole and so held to ${JSON_IMPORT_LIMIT_BYTES / 1024 / 1024} MiB |`));
  assert.ok(DOC.includes(`| users in one import | ${DEFAULT_SETTINGS.importMaxUsers.toLocaleString('en-US')} (`));
  assert.ok(DOC.includes(`| requests per API token | ${DEFAULT_SETTINGS.rateLimit} per ${DEFAULT_SETTINGS.rateWindowMs / 60_000} minutes`));
  assert.ok(DOC.includes(`| requests with bad credentials from one client IP | ${DEFAULT_SETTINGS.failedAuthPerMinute} per minute |`));
  assert.ok(DOC.includes(`| policy tests processing per account | ${DEFAULT_SETTINGS.testsPerAccount} |`));
  assert.ok(DOC.includes(`| time to send a whole request | ${DEFAULT_SETTINGS.requestTimeoutMs / 1000} s |`));
});

test('docs/operations.md documents every environment variable the server reads', () => {
  const source = readFileSync(fileURLToPath(new URL('../../../src/server/config.ts', import.meta.url)), 'utf8');
  const names = new Set([...source.matchAll(/\b(PORTCULLIS_[A-Z_]+|PORT|HOST)\b/g)].map((m) => m[1]));
  assert.ok(names.size > 15, `found ${names.size} variables`);
  for (const name of names) assert.ok(DOC.includes(`\`${name}\``), `docs/operations.md misses ${name}`);
});
