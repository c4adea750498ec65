// Builds the dashboard into dist/web, which the API server serves at /. `npm run dev:web`
// serves it with hot reload and forwards API calls to a server on 127.0.0.1:8787.
import { defineConfig } from 'vite';

const here = new URL('.', import.meta.url).pathname;

export default defineConfig({
  root: here,
  base: '/',
  publicDir: 'public',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: true,
    // Everything bundled: the dashboard makes no request beyond its own server.
    assetsInlineLimit: 0,
  },
  server: { proxy: { '/client/v4': 'http://127.0.0.1:8787', '/healthz': 'http://127.0.0.1:8787' } },
});
