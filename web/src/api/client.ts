// The dashboard's only way to the server: fetch against /client/v4 with the user's token,
// Cloudflare's envelope unwrapped, and every failure turned into an ApiFailure the pages show
// (401 also tells the app to go back to the login form).

export interface EnvelopeMessage {
  readonly code: number;
  readonly message: string;
  readonly source?: { readonly pointer: string };
}

export interface ResultInfo {
  readonly page: number;
  readonly per_page: number;
  readonly count: number;
  readonly total_count: number;
  readonly total_pages: number;
}

export interface ApiAnswer<T> {
  readonly result: T;
  /** Lint warnings and notes of a successful write. */
  readonly messages: readonly EnvelopeMessage[];
  readonly info?: ResultInfo;
}

export type FailureKind = 'network' | 'unauthorized' | 'http';

export class ApiFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly status: number,
    readonly errors: readonly EnvelopeMessage[],
    /** The server's Retry-After, in seconds, when it gave one (a 429 or 503). */
    readonly retryAfterSeconds?: number,
  ) {
    super(errors.map((e) => e.message).join(' ') || `Request failed (${status}).`);
  }
}

export interface Credentials {
  readonly token: string;
  readonly accountId: string;
}

const API_PREFIX = '/client/v4';

/** Query parameters; an array is sent as the parameter repeated (filter=a&filter=b), as the API reads it. */
export type Query = Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;

function queryString(query: Query | undefined): string {
  if (query === undefined) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const one of Array.isArray(value) ? (value as readonly string[]) : [value]) if (one !== undefined && one !== '') params.append(key, String(one));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

export class ApiClient {
  constructor(
    readonly credentials: Credentials,
    /** Called once per 401, with the server's message. */
    private readonly onUnauthorized: (message: string) => void = () => undefined,
  ) {}

  /** A request below /client/v4/accounts/{account}. */
  account<T>(method: string, path: string, options: { body?: unknown; query?: Query } = {}): Promise<ApiAnswer<T>> {
    return this.request<T>(method, `/accounts/${encodeURIComponent(this.credentials.accountId)}${path}`, options);
  }

  async request<T>(method: string, path: string, options: { body?: unknown; query?: Query } = {}): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.credentials.token}`, accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(API_PREFIX + path + queryString(options.query), {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
    } catch (err) {
      throw new ApiFailure('network', 0, [{ code: 0, message: `The server could not be reached (${(err as Error).message}). Check that portcullis is running.` }]);
    }
    let envelope: { success?: boolean; errors?: EnvelopeMessage[]; messages?: EnvelopeMessage[]; result?: T; result_info?: ResultInfo } | undefined;
    try {
      envelope = (await response.json()) as typeof envelope;
    } catch {
      envelope = undefined;
    }
    if (!response.ok || envelope?.success !== true) {
      const errors = envelope?.errors?.length ? envelope.errors : [{ code: 0, message: `The server answered ${response.status} ${response.statusText} without an explanation.` }];
      if (response.status === 401) {
        this.onUnauthorized(errors[0].message);
        throw new ApiFailure('unauthorized', 401, errors);
      }
      const retryAfter = Number(response.headers.get('retry-after') ?? '');
      throw new ApiFailure('http', response.status, errors, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
    }
    return { result: envelope.result as T, messages: envelope.messages ?? [], ...(envelope.result_info !== undefined ? { info: envelope.result_info } : {}) };
  }

  /** Every item of a paged list below /client/v4 (the server answers an empty page past the last one). */
  async all<T>(path: string, perPage = 1000): Promise<T[]> {
    const items: T[] = [];
    for (let page = 1; ; page++) {
      const answer = await this.request<T[]>('GET', path, { query: { page, per_page: perPage } });
      items.push(...answer.result);
      const total = answer.info?.total_pages ?? 1;
      if (answer.result.length === 0 || page >= total) return items;
    }
  }
}

/** The message to show for any error a request may throw. */
export function describeError(err: unknown): string {
  if (err instanceof ApiFailure) return err.message;
  return err instanceof Error ? err.message : String(err);
}
