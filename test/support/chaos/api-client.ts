// HTTP calls of the chaos clients, told apart by what the caller can know: an answer arrived
// (with its status and JSON), or none did — the connection broke mid-request (the write may
// have happened) or was refused outright (nothing was sent).

export type Reply =
  | { readonly kind: 'answer'; readonly status: number; readonly json: any }
  | { readonly kind: 'no-answer'; readonly neverSent: boolean; readonly error: string };

/** No request of a chaos run waits longer than this for its answer. */
const REQUEST_TIMEOUT_MS = 30_000;

function connectionRefused(err: unknown): boolean {
  const cause = (err as { cause?: { code?: string } }).cause;
  return cause?.code === 'ECONNREFUSED';
}

export class ChaosApi {
  constructor(
    readonly token: string,
    readonly account: string,
  ) {}

  /** A request below /accounts/{account}; `body` is sent as JSON unless it is already text. */
  async call(apiUrl: string, method: string, path: string, body?: unknown, contentType = 'application/json', account = this.account): Promise<Reply> {
    let text: string;
    let status: number;
    try {
      const res = await fetch(`${apiUrl}/accounts/${account}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': contentType } : {}) },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      status = res.status;
      text = await res.text();
    } catch (err) {
      return { kind: 'no-answer', neverSent: connectionRefused(err), error: String((err as { cause?: unknown }).cause ?? err) };
    }
    return { kind: 'answer', status, json: JSON.parse(text) };
  }

  /** A read that must succeed (verification, setup): the result, or an error naming the answer. */
  async result(apiUrl: string, method: string, path: string, body?: unknown, contentType?: string, account?: string): Promise<any> {
    const reply = await this.call(apiUrl, method, path, body, contentType, account);
    if (reply.kind === 'no-answer') throw new Error(`${method} ${path}: no answer (${reply.error})`);
    if (reply.status >= 300) throw new Error(`${method} ${path}: ${reply.status} ${JSON.stringify(reply.json.errors)}`);
    return reply.json.result;
  }

  /** Every item of a paged list (pages of `perPage` until an empty one). */
  async all(apiUrl: string, path: string, perPage = 1000, account?: string): Promise<any[]> {
    const items: any[] = [];
    const join = path.includes('?') ? '&' : '?';
    for (let page = 1; ; page++) {
      const result = (await this.result(apiUrl, 'GET', `${path}${join}per_page=${perPage}&page=${page}`, undefined, undefined, account)) as any[];
      if (result.length === 0) return items;
      items.push(...result);
      if (result.length < perPage) return items;
    }
  }
}
