// docs/enforcement.md shows the nginx and Caddy configurations the end-to-end tests run, verbatim.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { caddySite, nginxServerBlock, traefikConfig } from '../../src/access/proxy-config.js';

const DOC = readFileSync(fileURLToPath(new URL('../../../docs/enforcement.md', import.meta.url)), 'utf8');
const TARGET = { portcullis: '127.0.0.1:8787', upstream: '127.0.0.1:3000' };
// What `portcullis proxy-config` prints for an application on wiki.example.com.
const NGINX_SITE = { listen: '80', serverName: 'wiki.example.com' };
const CADDY_SITE = { address: 'wiki.example.com' };

test('docs/enforcement.md holds the nginx server block and Caddy site the end-to-end tests run, and the Traefik configuration, as proxy-config prints them', () => {
  assert.ok(DOC.includes(nginxServerBlock(NGINX_SITE, TARGET).replace(/^\n/, '')), 'the nginx block');
  assert.ok(DOC.includes(caddySite(CADDY_SITE, TARGET)), 'the Caddy site');
  assert.ok(DOC.includes(traefikConfig(['wiki.example.com'], TARGET)), 'the Traefik configuration');
});
