#!/usr/bin/env node
// Rewrites the dashboard's API types (web/src/api/operations.ts) from the route table (run after
// "npm run build:test"; "npm run gen:dashboard-api" does both).
import { readFileSync, writeFileSync } from 'node:fs';
import { DASHBOARD_API_FILE, renderDashboardApi } from '../dist-test/test/codegen/dashboard-api.js';

const path = new URL(`../${DASHBOARD_API_FILE}`, import.meta.url);
const before = (() => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
})();
const after = renderDashboardApi();
if (after !== before) writeFileSync(path, after);
console.log(after === before ? `${DASHBOARD_API_FILE} is up to date` : `${DASHBOARD_API_FILE} updated`);
