// docs/enforcement.md shows the nginx and Caddy configurations the end-to-end tests run, verbatim.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { caddySite, nginxServerBlock } from '../support/proxies.js';

const DOC = readFileSync(fileURLToPath(new URL('../../../docs/enforcement.md', import.meta.url)), 'utf8');
const TARGET = { portcullis: '127.0.0.1:8787', upstream: '127.0.0.1:3000' };

test('docs/enforcement.md holds the tested nginx server block and Caddy site', () => {
  assert.ok(DOC.includes(nginxServerBlock(8080, TARGET).replace(/^\n/, '')), 'the nginx block');
  assert.ok(DOC.includes(caddySite('wiki.example.com', 8080, TARGET)), 'the Caddy site');
});
