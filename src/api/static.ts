// The dashboard's files (built by Vite into dist/web) served by the API server: `/` and the
// hashed `/assets/*` as routes, other top-level files and client-side routes (a browser's
// navigation to /policies/123) through the not-found handler, which keeps answering API
// clients with the JSON 404 envelope. Without a build, `/` explains how to make one.

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
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
/** index.html and unhashed files: always ask whether they changed. */
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

interface FoundFile {
  readonly path: string;
  readonly size: number;
}

/** The file `urlPath` names inside `root`, or undefined (missing, a directory, or outside root). */
async function findFile(root: string, urlPath: string): Promise<FoundFile | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const path = resolve(root, `.${decoded}`);
  if (!path.startsWith(root.endsWith(sep) ? root : root + sep)) return undefined;
  try {
    const info = await stat(path);
    return info.isFile() ? { path, size: info.size } : undefined;
  } catch {
    return undefined;
  }
}

function sendFile(reply: FastifyReply, file: FoundFile, cacheControl: string): FastifyReply {
  reply
    .code(200)
    .header('content-type', CONTENT_TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream')
    .header('content-length', String(file.size))
    .header('cache-control', cacheControl)
    .header('x-content-type-options', 'nosniff');
  if (extname(file.path).toLowerCase() === '.html') reply.header('content-security-policy', CONTENT_SECURITY_POLICY).header('referrer-policy', 'no-referrer');
  return reply.send(createReadStream(file.path));
}

const pathOf = (request: FastifyRequest): string => request.url.split('?')[0];
const acceptsHtml = (request: FastifyRequest): boolean => (request.headers.accept ?? '').includes('text/html');

/** Register the dashboard's routes on `app`; `apiPrefix` paths are never answered with it. */
export function registerDashboard(app: FastifyInstance, root: string, apiPrefix: string): Dashboard {
  const webRoot = resolve(root);

  async function sendIndex(reply: FastifyReply): Promise<FastifyReply> {
    const index = await findFile(webRoot, '/index.html');
    if (index === undefined) return reply.code(404).header('content-type', 'text/html; charset=utf-8').header('cache-control', REVALIDATE).send(NOT_BUILT_PAGE);
    return sendFile(reply, index, REVALIDATE);
  }

  app.get('/', async (_request, reply) => sendIndex(reply));
  app.get('/assets/*', async (request, reply) => {
    const file = await findFile(webRoot, pathOf(request));
    if (file === undefined) return reply.callNotFound();
    return sendFile(reply, file, IMMUTABLE);
  });

  return {
    async fallback(request, reply) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return false;
      const path = pathOf(request);
      if (path === apiPrefix || path.startsWith(`${apiPrefix}/`) || path.startsWith('/assets/')) return false;
      // Top-level files of the build (favicon.svg); never index.html under another name.
      if (path.lastIndexOf('/') === 0 && extname(path) !== '' && path !== '/index.html') {
        const file = await findFile(webRoot, path);
        if (file !== undefined) {
          await sendFile(reply, file, REVALIDATE);
          return true;
        }
      }
      if (!acceptsHtml(request)) return false;
      await sendIndex(reply);
      return true;
    },
  };
}
