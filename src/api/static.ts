// The dashboard's files (built by Vite into dist/web) served by the API server through
// @fastify/static (ETag and Last-Modified revalidation, ranges, and its own refusal of paths
// outside the root): `/` and the hashed `/assets/*` as routes, other top-level files and
// client-side routes (a browser's navigation to /policies/123) through the not-found handler,
// which keeps answering API clients with the JSON 404 envelope. Without a build, `/` explains
// how to make one.

import { stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic, { type SetHeadersResponse } from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * dist/web under the package root, found from this module's compiled copy (dist/src/api/static.js,
 * or the test build's dist-test/src/api/static.js, which serves the same dashboard build).
 */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../dist/web/', import.meta.url));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** File names under /assets/ carry a content hash, so they never change. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html and unhashed files: always ask whether they changed (the ETag makes that cheap). */
const REVALIDATE = 'no-cache';
/**
 * The dashboard loads nothing from anywhere else and is never framed: a policy that says so lets
 * the browser refuse injected scripts and clickjacking (inline styles are the components' own).
 */
const CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>portcullis: dashboard not built</title></head>
<body><main><h1>The dashboard has not been built</h1>
<p>This server found no <code>dist/web</code>. Run <code>npm run build</code> (which <code>npm start</code> does first) to build it.</p>
<p>The API works without it: <a href="/client/v4/openapi.json">/client/v4/openapi.json</a>.</p></main></body></html>
`;

export interface Dashboard {
  /**
   * Answers a GET or HEAD that no route took when it names a top-level file of the build, or
   * is a browser's navigation (it accepts text/html) outside the API: true when it answered.
   */
  fallback(request: FastifyRequest, reply: FastifyReply): Promise<boolean>;
}

const UP_SEGMENT = /(?:^|[\\/])\.\.(?:[\\/]|$)/;

/**
 * Asset paths @fastify/static would refuse with a 403 (a `..` segment, a NUL, a directory): they
 * get the JSON 404 instead, like any other name that is not a file of the build.
 */
function isPlainAssetPath(pathname: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return false;
  }
  return !decoded.endsWith('/') && !decoded.includes('\0') && !UP_SEGMENT.test(decoded);
}

/** The file name a top-level path (`/favicon.svg`) names, or undefined for anything else. */
function topLevelName(path: string): string | undefined {
  if (path.lastIndexOf('/') !== 0 || extname(path) === '' || path === '/index.html') return undefined;
  let name: string;
  try {
    name = decodeURIComponent(path.slice(1));
  } catch {
    return undefined;
  }
  return /[\\/\0]/.test(name) ? undefined : name;
}

const isFile = (path: string): Promise<boolean> => stat(path).then((s) => s.isFile(), () => false);
const pathOf = (request: FastifyRequest): string => request.url.split('?')[0];
const acceptsHtml = (request: FastifyRequest): boolean => (request.headers.accept ?? '').includes('text/html');

/** Register the dashboard's routes on `app`; `apiPrefix` paths are never answered with it. */
export function registerDashboard(app: FastifyInstance, root: string, apiPrefix: string): Dashboard {
  const webRoot = resolve(root);
  const assets = join(webRoot, 'assets');

  const setHeaders = (res: SetHeadersResponse, path: string): void => {
    const ext = extname(path).toLowerCase();
    res.setHeader('content-type', CONTENT_TYPES[ext] ?? 'application/octet-stream');
    res.setHeader('cache-control', path.startsWith(assets + sep) ? IMMUTABLE : REVALIDATE);
    res.setHeader('x-content-type-options', 'nosniff');
    if (ext === '.html') {
      res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
      res.setHeader('referrer-policy', 'no-referrer');
    }
  };
  // Our content types (JavaScript as text/javascript) and caching, set by setHeaders.
  const common = { setHeaders, contentType: false, cacheControl: false, index: false as const };
  // GET/HEAD /assets/*: a missing asset goes on to the not-found handler (the JSON 404).
  void app.register(fastifyStatic, { ...common, root: assets, prefix: '/assets/', decorateReply: false, allowedPath: isPlainAssetPath });
  // reply.sendFile for index.html and the top-level files; the caller checks the file exists,
  // since a miss inside the not-found handler could not go on to it.
  void app.register(fastifyStatic, { ...common, serve: false });

  async function sendIndex(reply: FastifyReply): Promise<FastifyReply> {
    if (!(await isFile(join(webRoot, 'index.html')))) {
      return reply.code(404).header('content-type', 'text/html; charset=utf-8').header('cache-control', REVALIDATE).send(NOT_BUILT_PAGE);
    }
    return reply.sendFile('index.html', webRoot);
  }

  app.get('/', async (_request, reply) => sendIndex(reply));

  return {
    async fallback(request, reply) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return false;
      const path = pathOf(request);
      if (path === apiPrefix || path.startsWith(`${apiPrefix}/`) || path.startsWith('/assets/')) return false;
      // Top-level files of the build (favicon.svg); never index.html under another name.
      const name = topLevelName(path);
      if (name !== undefined && (await isFile(join(webRoot, name)))) {
        await reply.sendFile(name, webRoot);
        return true;
      }
      if (!acceptsHtml(request)) return false;
      await sendIndex(reply);
      return true;
    },
  };
}
