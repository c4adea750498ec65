// Which application covers a request: hostnames exact or with *, paths covering what is below
// them, the most specific destination winning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchDestination } from './app-match.js';

const apps = [
  { value: 'wildcard', destinations: ['*.example.com'] },
  { value: 'apex', destinations: ['example.com'] },
  { value: 'wiki', destinations: ['wiki.example.com'] },
  { value: 'wiki-admin', destinations: ['wiki.example.com/admin'] },
  { value: 'docs-below', destinations: ['docs.example.com/guides/*'] },
  { value: 'second', destinations: ['other.test', 'also.test/app'] },
];

test('the most specific destination covering the host and path wins', () => {
  const cases: [string, string, string | undefined][] = [
    ['wiki.example.com', '/', 'wiki'],
    ['WIKI.example.com:8443', '/page?x=1', 'wiki'],
    ['wiki.example.com', '/admin', 'wiki-admin'],
    ['wiki.example.com', '/admin/users/1', 'wiki-admin'],
    ['wiki.example.com', '/administrator', 'wiki'],
    ['wiki.example.com', '/ADMIN/', 'wiki-admin'],
    ['shop.example.com', '/', 'wildcard'],
    ['a.b.example.com', '/', 'wildcard'],
    ['example.com', '/', 'apex'],
    ['docs.example.com', '/guides', 'docs-below'],
    ['docs.example.com', '/guides/intro', 'docs-below'],
    ['docs.example.com', '/other', 'wildcard'],
    ['other.test', '/', 'second'],
    ['also.test', '/app/x', 'second'],
    ['also.test', '/', undefined],
    ['example.org', '/', undefined],
    ['evil-example.com', '/', undefined],
  ];
  for (const [host, path, expected] of cases) assert.equal(matchDestination(apps, host, path), expected, `${host}${path}`);
});
