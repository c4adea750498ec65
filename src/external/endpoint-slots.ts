// How many calls to one endpoint URL may be in flight at once (docs/external-evaluation.md,
// "Connections"). The connection pool keeps MAX_SOCKETS_PER_HOST per host:port; a URL gets fewer,
// so one path that accepts connections and never answers cannot hold them all, and the other paths
// on that host keep being answered. A call over the limit waits for a slot without a socket, within
// its own deadline.

import { abortReason } from './outbound-error.js';

/** Sockets the pool keeps per host:port (Node's http.Agent maxSockets). */
export const MAX_SOCKETS_PER_HOST = 32;
/** Calls in flight per endpoint URL: a quarter of a host's sockets. */
export const MAX_CALLS_PER_ENDPOINT = 8;

interface Endpoint {
  active: number;
  readonly waiting: Array<() => void>;
}

export class EndpointSlots {
  private readonly endpoints = new Map<string, Endpoint>();

  constructor(private readonly perEndpoint: number = MAX_CALLS_PER_ENDPOINT) {}

  /**
   * Take a slot for `url` (its origin and path: the query does not make another endpoint), waiting
   * for one when all are taken; resolves to the function that gives it back, or rejects with the
   * signal's reason when it aborts first.
   */
  acquire(url: string, signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(abortReason(signal));
    const key = endpointKey(url);
    let endpoint = this.endpoints.get(key);
    if (endpoint === undefined) {
      endpoint = { active: 0, waiting: [] };
      this.endpoints.set(key, endpoint);
    }
    const taken = endpoint;
    const release = this.releaser(key, taken);
    if (taken.active < this.perEndpoint) {
      taken.active++;
      return Promise.resolve(release);
    }
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve(release);
      };
      const onAbort = (): void => {
        const at = taken.waiting.indexOf(grant);
        if (at >= 0) taken.waiting.splice(at, 1);
        this.forgetIfIdle(key, taken);
        reject(abortReason(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      taken.waiting.push(grant);
    });
  }

  /** Calls in flight and waiting for `url`. For tests. */
  load(url: string): { readonly active: number; readonly waiting: number } {
    const endpoint = this.endpoints.get(endpointKey(url));
    return { active: endpoint?.active ?? 0, waiting: endpoint?.waiting.length ?? 0 };
  }

  private releaser(key: string, endpoint: Endpoint): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // The slot passes straight to the next waiting call, if any.
      const next = endpoint.waiting.shift();
      if (next !== undefined) next();
      else {
        endpoint.active--;
        this.forgetIfIdle(key, endpoint);
      }
    };
  }

  private forgetIfIdle(key: string, endpoint: Endpoint): void {
    if (endpoint.active === 0 && endpoint.waiting.length === 0 && this.endpoints.get(key) === endpoint) this.endpoints.delete(key);
  }
}

function endpointKey(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return url; // refused later by the outbound guard
  }
}
