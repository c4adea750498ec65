#!/usr/bin/env node
// Entry point of the `portcullis` command; the TypeScript sources are compiled to dist/ by
// `npm run build` (which `npm start` and `npm test` run first).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('portcullis is not built yet: run "npm run build" (npm start and npm test do it for you).');
  process.exit(1);
}
const { main } = await import(entry.href);
await main(process.argv);
