// The HTTP(S) client of the outbound guard, for calls portcullis makes on behalf of policies
// (external evaluation). It connects only to the addresses `resolveTarget` checked (a pinned
// `lookup`), so a DNS answer that changes between check and connect (rebinding) cannot redirect
// it; redirects are never followed and response bodies are size-limited.

import type { LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { Allowlist } from './allowlist.js';
import { abortReason, OutboundRequestError } from './outbound-error.js';
import { checkUrl, resolveTarget, type ResolvedAddress, type Resolver } from './outbound-target.js';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for http.request that answers only with addresses that were already checked. */
function pinnedLookup(addresses: readonly ResolvedAddress[]) {
  return (_hostname: string, options: { family?: number | string; all?: boolean } | number | undefined, callback: LookupCallback): void => {
    const opts = typeof options === 'object' && options !== null ? options : { family: options };
    const fam = opts.family === 'IPv4' ? 4 : opts.family === 'IPv6' ? 6 : opts.family;
    const list = fam === 4 || fam === 6 ? addresses.filter((a) => a.family === fam) : [...addresses];
    if (list.length === 0) {
      const err: NodeJS.ErrnoException = new Error(`No checked address of family ${String(fam)}.`);
      err.code = 'ENOTFOUND';
      callback(err, '', 0);
      return;
    }
    if (opts.all === true) callback(null, list.map((a) => ({ address: a.address, family: a.family })));
    else callback(null, list[0].address, list[0].family);
  };
}

export interface GuardedRequestOptions {
  readonly method?: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  readonly signal?: AbortSignal;
  readonly allowlist: Allowlist;
  /** Response bodies longer than this are refused. */
  readonly maxResponseBytes: number;
  readonly resolver?: Resolver;
  /** Agents to reuse connections with; default: none (one connection per request). */
  readonly agents?: { readonly http?: http.Agent; readonly https?: https.Agent };
}

export interface GuardedResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/**
 * Make one HTTP(S) request through the guard. Never follows redirects: a 3xx is returned as is.
 * Rejects with OutboundRequestError (or the signal's reason when it aborts).
 */
export async function guardedRequest(rawUrl: string, options: GuardedRequestOptions): Promise<GuardedResponse> {
  const { signal } = options;
  if (signal?.aborted) throw abortReason(signal);
  const target = checkUrl(rawUrl);
  const addresses = await resolveTarget(target, options.allowlist, options.resolver, signal);
  if (signal?.aborted) throw abortReason(signal);
  const { url } = target;
  const secure = url.protocol === 'https:';
  const transport = secure ? https : http;
  const agent = secure ? options.agents?.https : options.agents?.http;
  const body = options.body === undefined ? undefined : Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body, 'utf8');
  const headers: Record<string, string> = { ...options.headers };
  if (body !== undefined) headers['content-length'] = String(body.length);

  return new Promise<GuardedResponse>((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | undefined, value?: GuardedResponse) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (err !== undefined) {
        req.destroy();
        reject(err);
      } else resolve(value!);
    };
    const onAbort = () => finish(abortReason(signal!));

    const req = transport.request({
      protocol: url.protocol,
      hostname: target.hostname,
      port: url.port === '' ? undefined : Number(url.port),
      path: `${url.pathname}${url.search}`,
      method: options.method ?? 'GET',
      headers,
      lookup: pinnedLookup(addresses) as unknown as http.RequestOptions['lookup'],
      agent: agent ?? false,
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => finish(settledError(err, url)));
    req.on('response', (res) => {
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > options.maxResponseBytes) {
        res.resume();
        finish(tooLarge(url, options.maxResponseBytes));
        return;
      }
      const chunks: Buffer[] = [];
      let total = 0;
      res.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > options.maxResponseBytes) finish(tooLarge(url, options.maxResponseBytes));
        else chunks.push(chunk);
      });
      res.on('end', () => finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks, total) }));
      res.on('error', (err) => finish(settledError(err, url)));
      res.on('close', () => {
        if (!res.complete) finish(new OutboundRequestError('network', `The connection to ${url.host} closed before the response was complete.`));
      });
    });
    req.end(body);
  });
}

function tooLarge(url: URL, max: number): OutboundRequestError {
  return new OutboundRequestError('too_large', `The response from ${url.host} is larger than ${max} bytes.`);
}

function settledError(err: unknown, url: URL): Error {
  if (err instanceof OutboundRequestError) return err;
  const e = err as NodeJS.ErrnoException;
  return new OutboundRequestError('network', `Request to ${url.host} failed: ${e?.code ?? ''}${e?.code ? ' ' : ''}${e?.message ?? String(err)}`.trim(), { cause: err });
}
