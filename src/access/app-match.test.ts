// Which application covers a request: hostnames exact or with *, paths covering what is below
// them, the most specific destination winning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bestMatches, cookiePathOf, cookiePathsOnHost, coveringCookiePath, matchDestination, normalizedRequestPath } from './app-match.js';

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
    ['a.b.example.com', '/', undefined],
    ['example.com', '/', 'apex'],
    ['docs.example.com', '/guides', 'wildcard'],
    ['docs.example.com', '/guides/', 'docs-below'],
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

test("a * in a hostname stays within one label, as Cloudflare's Application paths examples have it", () => {
  const covers = (destination: string, host: string): boolean => matchDestination([{ value: destination, destinations: [destination] }], host, '/') === destination;
  const cases: [string, string, boolean][] = [
    ['*.example.com', 'alpha.example.com', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', 'foo.bar.example.com', false],
    ['*.test.example.com', 'alpha.test.example.com', true],
    ['*.test.example.com', 'test.example.com', false],
    ['*test.example.com', 'test.example.com', true],
    ['*test.example.com', 'alphatest.example.com', true],
    ['*test.example.com', 'beta.test.example.com', false],
    ['app-*.example.com', 'app-eu.example.com', true],
    ['app-*.example.com', 'app-eu.west.example.com', false],
    ['*.*.example.com', 'foo.bar.example.com', true],
    ['*.*.example.com', 'bar.example.com', false],
    ['www.example.*', 'www.example.org', true],
    ['www.example.*', 'www.example.co.uk', false],
  ];
  for (const [destination, host, expected] of cases) assert.equal(covers(destination, host), expected, `${destination} on ${host}`);
});

test("a path ending in /* covers what is below it, not the path itself, as Cloudflare's Application paths examples have it", () => {
  const covers = (destination: string, path: string): boolean => matchDestination([{ value: destination, destinations: [destination] }], 'example.com', path) === destination;
  const cases: [string, string, boolean][] = [
    ['example.com/alpha/*', '/alpha/one', true],
    ['example.com/alpha/*', '/alpha/two/three', true],
    ['example.com/alpha/*', '/alpha/', true],
    ['example.com/alpha/*', '/alpha', false],
    ['example.com/alpha/*', '/ALPHA', false],
    ['example.com/alpha/*', '/alpha?x=1', false],
    ['example.com/alpha/*', '/', false],
    ['example.com/alpha/*', '/alphabet', false],
    ['example.com/*', '/', true],
    ['example.com/*', '/alpha', true],
    ['example.com', '/', true],
    ['example.com', '/alpha', true],
    ['example.com/alpha', '/alpha', true],
    ['example.com/alpha', '/alpha/', true],
    ['example.com/alpha', '/alpha/one', true],
    ['example.com/foo*/bar', '/foo/bar', true],
    ['example.com/foo*/bar', '/food/bar', true],
    ['example.com/foo*/bar', '/food/stuff/bar', true],
  ];
  for (const [destination, path, expected] of cases) assert.equal(covers(destination, path), expected, `${destination} on ${path}`);
  // So /alpha falls to the application on the whole host, not to the one on what is below it.
  const apps = [{ value: 'host', destinations: ['example.com'] }, { value: 'below', destinations: ['example.com/alpha/*'] }];
  assert.equal(matchDestination(apps, 'example.com', '/alpha'), 'host');
  assert.equal(matchDestination(apps, 'example.com', '/alpha/one'), 'below');
});

test('every candidate as specific as the best is found, so that a tie between owners can be seen', () => {
  const candidates = [
    { value: 'a-wiki', destinations: ['wiki.example.com'] },
    { value: 'a-wildcard', destinations: ['*.example.com'] },
    { value: 'b-wiki', destinations: ['WIKI.example.com/'] },
    { value: 'b-admin', destinations: ['wiki.example.com/admin', 'wiki.example.com/admin/*'] },
  ];
  assert.deepEqual(bestMatches(candidates, 'wiki.example.com', '/'), ['a-wiki', 'b-wiki']);
  assert.deepEqual(bestMatches(candidates, 'wiki.example.com', '/admin/x'), ['b-admin'], 'a longer path is more specific; two destinations of one candidate count once');
  assert.deepEqual(bestMatches(candidates, 'shop.example.com', '/'), ['a-wildcard']);
  assert.deepEqual(bestMatches(candidates, 'example.org', '/'), []);
  for (const [host, path] of [['wiki.example.com', '/'], ['wiki.example.com', '/admin'], ['shop.example.com', '/x']] as const) {
    assert.equal(bestMatches(candidates, host, path)[0], matchDestination(candidates, host, path), 'the first of the best is the one matchDestination picks');
  }
});

test("a request's path is matched as Cloudflare's URL normalization leaves it, so that no spelling of a path reaches a less strict application", () => {
  const cases: [string, string | undefined][] = [
    ['/%61dmin/users', 'wiki-admin'],
    ['/%41DMIN', 'wiki-admin'],
    ['//admin/users', 'wiki-admin'],
    ['/x/../admin/users', 'wiki-admin'],
    ['/./admin', 'wiki-admin'],
    ['/%2e%2e/admin/', 'wiki-admin'],
    ['/%2E/admin', 'wiki-admin'],
    ['\\admin\\users', 'wiki-admin'],
    ['https://wiki.example.com/admin/users?x=1', 'wiki-admin'],
    ['/admin/../page', 'wiki'],
    ['/admin/..', 'wiki'],
    // An encoded slash stays encoded (as Cloudflare leaves it): not a path below /admin.
    ['/admin%2fusers', 'wiki'],
    ['/%2561dmin', 'wiki'],
    // Segment parameters, which Java servlet containers drop: /admin to them.
    ['/admin;jsessionid=1/users', 'wiki-admin'],
    ['/admin;', 'wiki-admin'],
    ['/..;/admin', 'wiki-admin'],
    ['/public;x/..;/admin', 'wiki-admin'],
    // An encoded ';' is no parameter: a segment of its own name.
    ['/admin%3Bx', 'wiki'],
  ];
  for (const [path, expected] of cases) assert.equal(matchDestination(apps, 'wiki.example.com', path), expected, path);
});

test('path normalization: unreserved escapes decoded, others upper case, slashes merged, dot segments removed (RFC 3986 5.2.4)', () => {
  const cases: [string, string][] = [
    ['/', '/'],
    ['/a/b?c=%2e#d', '/a/b'],
    ['/%7Euser/%e2%82%ac', '/~user/%E2%82%AC'],
    ['/a/./b/../../c/', '/c/'],
    ['/../../a', '/a'],
    ['/a/b/..', '/a/'],
    ['/a/.', '/a/'],
    ['/a//b///c', '/a/b/c'],
    ['/a\\b', '/a/b'],
    ['/a%5Cb', '/a%5Cb'],
    ['/a%2Fb', '/a%2Fb'],
    ['/..%2fadmin', '/..%2Fadmin'],
    ['relative/path', '/relative/path'],
    ['http://host:8080', '/'],
    ['/.well-known/x', '/.well-known/x'],
    ['/a..b/...', '/a..b/...'],
    ['/a;b=1/c;d', '/a/c'],
    ['/a/..;/b', '/b'],
    ['/a%3Bb', '/a%3Bb'],
  ];
  for (const [raw, expected] of cases) assert.equal(normalizedRequestPath(raw), expected, raw);
});

test('every spelling of a path normalizes as the path itself does (escaped letters, ./ and x/../, doubled slashes, backslashes, segment parameters)', () => {
  const segment = fc.stringMatching(/^[a-z0-9_~-]{1,8}$/).filter((text) => text !== '.' && text !== '..');
  /** One way of writing `segment` and the slash before it that a server reads as the same path. */
  const spelled = (text: string, how: number, escaped: readonly boolean[]): string => {
    const letters = [...text].map((c, i) => (escaped[i % escaped.length] === true ? `%${c.charCodeAt(0).toString(16).padStart(2, '0')}` : c)).join('');
    return ['/' + letters, '//' + letters, '/./' + letters, '/zz/../' + letters, '\\' + letters, '/' + letters + ';v=1', '/zz;x/..;/' + letters][how % 7]!;
  };
  fc.assert(
    fc.property(fc.array(fc.tuple(segment, fc.nat(), fc.array(fc.boolean(), { minLength: 1, maxLength: 4 })), { minLength: 1, maxLength: 5 }), fc.boolean(), (segments, trailing) => {
      const plain = segments.map(([text]) => `/${text}`).join('') + (trailing ? '/' : '');
      const variant = segments.map(([text, how, escaped]) => spelled(text, how, escaped)).join('') + (trailing ? '/' : '');
      assert.equal(normalizedRequestPath(variant), plain, variant);
      assert.equal(normalizedRequestPath(normalizedRequestPath(variant)), plain, 'normalizing twice changes nothing');
    }),
    { numRuns: 2000 },
  );
});

test("an application's cookie path (path_cookie_attribute): its path up to the last slash before a *, or / without one", () => {
  const cases: [string, string][] = [
    ['wiki.example.com', '/'],
    ['wiki.example.com/', '/'],
    ['https://wiki.example.com/admin', '/admin'],
    ['wiki.example.com/admin/', '/admin'],
    ['wiki.example.com/docs/*', '/docs'],
    ['wiki.example.com/docs/v*/api', '/docs'],
    ['*.example.com/*', '/'],
    ['wiki.example.com/a;Domain=evil.test', '/'],
    ['wiki.example.com/a b', '/'],
  ];
  for (const [text, expected] of cases) assert.equal(cookiePathOf(text), expected, text);
  const destinations = ['wiki.example.com/admin', 'wiki.example.com/admin/reports/*', 'kb.example.com'];
  assert.equal(coveringCookiePath(destinations, 'wiki.example.com', '/admin/reports/q3'), '/admin/reports', 'the most specific destination covering the page');
  assert.equal(coveringCookiePath(destinations, 'WIKI.example.com:443', '/admin'), '/admin');
  assert.equal(coveringCookiePath(destinations, 'wiki.example.com', '/page'), undefined);
  assert.deepEqual(cookiePathsOnHost(destinations, 'wiki.example.com'), ['/admin', '/admin/reports']);
  assert.deepEqual(cookiePathsOnHost(destinations, 'kb.example.com'), ['/']);
});

// Destinations were regular expressions (`a.*b.*c`), which backtrack polynomially in the stars a
// destination has: one unauthenticated request with an 8 KB path against `/*` `/*` `/*.php`
// held the event loop, every application's requests and /healthz, for 18 s. The request's host
// and path are whoever sends it's to choose.
// No timing is asserted (tests never do): the requests are long enough that a backtracking
// matcher would not finish within the test's timeout (the first case alone took 18 s at half
// this length), where the one-pass matcher takes well under a millisecond.
test('a destination with several stars decides a long request that it does not cover, without backtracking', { timeout: 60_000 }, () => {
  const cases: [destination: string, host: string, path: string][] = [
    ['php.example.com/*/*/*.php', 'php.example.com', '/' + '/.ph'.repeat(4000)],
    ['example.com/' + 'a*'.repeat(7) + 'b', 'example.com', '/' + 'a'.repeat(8000)],
    ['*-*-*.example.com', '-'.repeat(4000) + '.example.org', '/'],
    ['*a*a*a*a*.example.com', 'a'.repeat(4000) + '.example.com.evil', '/'],
  ];
  for (const [destination, host, path] of cases) {
    assert.equal(matchDestination([{ value: destination, destinations: [destination] }], host, path), undefined, destination);
  }
});

/** What a destination covered when it was a regular expression (applied here to short texts only). */
function coveredByRegExp(destination: string, host: string, path: string): boolean {
  const literal = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  const [destinationHost, ...rest] = destination.split('/');
  const destinationPath = rest.length === 0 ? '' : `/${rest.join('/')}`.replace(/\/+$/, '');
  const hostPattern = destinationHost!.split('.').map((label) => (label === '*' ? '[^./]+' : label.split('*').map(literal).join('[^./]*'))).join('\\.');
  const pathPattern = destinationPath.split('*').map(literal).join('.*');
  return new RegExp(`^${hostPattern}$`).test(host) && new RegExp(`^${pathPattern}(/.*)?$`).test(path);
}

test('destinations cover what their regular expressions covered', () => {
  const text = (chars: string[], maxLength: number) => fc.array(fc.constantFrom(...chars), { maxLength }).map((a) => a.join(''));
  const host = text(['a', 'b', '-', '.', '*'], 8).filter((h) => h !== '' && !h.startsWith('.') && !h.endsWith('.') && !h.includes('..'));
  const path = text(['a', 'b', '.', '-', '/', '*'], 10);
  fc.assert(
    fc.property(host, path, text(['a', 'b', '-', '.'], 10), text(['a', 'b', '-', '/', '.'], 12), (destinationHost, destinationPath, requestHost, requestPath) => {
      fc.pre(requestHost !== '' && !requestHost.startsWith('.') && !requestHost.endsWith('.'));
      const destination = `${destinationHost}/${destinationPath}`;
      const normalized = normalizedRequestPath(`/${requestPath}`);
      const expected = coveredByRegExp(destination, requestHost, normalized);
      assert.equal(matchDestination([{ value: true, destinations: [destination] }], requestHost, `/${requestPath}`) === true, expected, `${destination} on ${requestHost}${normalized}`);
    }),
    { numRuns: 3000 },
  );
});
