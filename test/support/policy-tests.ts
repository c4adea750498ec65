// Helpers for policy-tester tests: import users through the API, run a test to its end.

import assert from 'node:assert/strict';
import type { TestServer } from './server.js';

export interface ImportedUser {
  readonly email: string;
  readonly name?: string;
  readonly identity?: Record<string, unknown>;
}

/** Import users through the NDJSON import endpoint. */
export async function importUsers(s: TestServer, account: string, users: readonly ImportedUser[]): Promise<void> {
  const body = users.map((u) => JSON.stringify(u)).join('\n');
  const res = await s.api('POST', `/accounts/${account}/access/users/import`, body, { 'content-type': 'application/x-ndjson' });
  assert.equal(res.status, 200, JSON.stringify(res.json.errors));
}

/** Start a test and poll it until it is no longer processing; its final progress object. */
export async function runPolicyTest(s: TestServer, account: string, body: unknown, timeoutMs = 30_000): Promise<{ id: string; progress: any }> {
  const started = await s.api('POST', `/accounts/${account}/access/policy-tests`, body);
  assert.equal(started.status, 200, JSON.stringify(started.json.errors));
  const id = started.json.result.id as string;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await s.api('GET', `/accounts/${account}/access/policy-tests/${id}`);
    assert.equal(res.status, 200);
    if (res.json.result.status !== 'processing') return { id, progress: res.json.result };
    assert.ok(Date.now() < deadline, `policy test ${id} still processing after ${timeoutMs} ms`);
    await new Promise((ok) => setTimeout(ok, 20));
  }
}

/** Every user's result of a test, by email. */
export async function resultsByEmail(s: TestServer, account: string, testId: string, query = ''): Promise<Map<string, any>> {
  const results = new Map<string, any>();
  for (let page = 1; ; page++) {
    const res = await s.api('GET', `/accounts/${account}/access/policy-tests/${testId}/users?per_page=1000&page=${page}${query}`);
    assert.equal(res.status, 200);
    if (res.json.result.length === 0) return results;
    for (const row of res.json.result) results.set(row.email, row);
  }
}
