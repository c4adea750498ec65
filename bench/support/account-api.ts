// A benchmark's call to its server's Access API for the server's account: the result, or an error
// naming the request and Cloudflare's errors.

import type { ServerProcess } from '../../test/support/server-process.js';

export async function accountApi(server: ServerProcess, method: string, path: string, body?: unknown, type = 'application/json'): Promise<any> {
  const res = await fetch(`${server.apiUrl}/accounts/${server.accountId}${path}`, {
    method,
    headers: { authorization: `Bearer ${server.token}`, ...(body !== undefined ? { 'content-type': type } : {}) },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const json = (await res.json()) as { success: boolean; result: any; errors: unknown[] };
  if (!json.success) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json.errors)}`);
  return json.result;
}
