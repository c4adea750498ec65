// Raw HTTP/1.1 requests with node:http: the method, path, headers and body bytes exactly as
// given (no client-side normalization of paths, no content type added), for fuzzing.

import http from 'node:http';

export interface RawRequest {
  readonly method: string;
  /** Path and query, sent verbatim (node:http accepts bytes 0x21-0xFF there). */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | undefined;
}

export interface RawAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface RawClient {
  send(request: RawRequest): Promise<RawAnswer>;
  close(): void;
}

/** A client for one server (http://host:port) that gives up on a request after `timeoutMs`. */
export function rawClient(baseUrl: string, timeoutMs = 60_000): RawClient {
  const { hostname, port } = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  return {
    send: (request) => sendRaw(agent, hostname, Number(port), request, timeoutMs),
    close: () => agent.destroy(),
  };
}

function sendRaw(agent: http.Agent, host: string, port: number, request: RawRequest, timeoutMs: number): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const headers: Record<string, string | number> = { ...request.headers };
    if (request.body !== undefined) headers['content-length'] = request.body.length;
    const req = http.request({ agent, host, port, method: request.method, path: request.path, headers, setHost: true }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        answered = true;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
      res.on('error', (err) => (answered ? undefined : reject(err)));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    // A server may answer (413, 401) and close before the whole body is written: that answer counts.
    req.on('error', (err) => (answered ? undefined : reject(err)));
    req.end(request.body);
  });
}

export interface TextAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/**
 * One request to 127.0.0.1:`port` with exactly these headers, a `host` among them as a proxy
 * or a browser would send it (fetch cannot set Host); the answer's body as text.
 */
export function requestAs(port: number | string, method: string, path: string, headers: Readonly<Record<string, string>>): Promise<TextAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: Number(port), method, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
