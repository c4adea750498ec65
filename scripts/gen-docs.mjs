#!/usr/bin/env node
// Rewrites the generated tables in docs/errors.md from the code (run after "npm run build:test").
import { readFileSync, writeFileSync } from 'node:fs';
import { updateDoc } from '../dist-test/test/docs/errors-doc.js';

const path = new URL('../docs/errors.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = updateDoc(before);
if (after !== before) writeFileSync(path, after);
console.log(after === before ? 'docs/errors.md is up to date' : 'docs/errors.md updated');
