// How many calls to one endpoint URL may be in flight at once (docs/external-evaluation.md,
// "Connections"). The connection pool keeps MAX_SOCKETS_PER_HOST per host:port; a URL gets fewer,
// so one path that accepts connections and never answers cannot hold them all, and the other paths
// on that host keep being answered. A call over the limit waits for a slot without a socket, within
// its own deadline.

import { abortReason } from './outbound-error.js';
import { Slots } from './slots.js';

/** Sockets the pool keeps per host:port (Node's http.Agent maxSockets). */
export const MAX_SOCKETS_PER_HOST = 32;
/** Calls in flight per endpoint URL: a quarter of a host's sockets. */
export const MAX_CALLS_PER_ENDPOINT = 8;

export class EndpointSlots {
  /** Only endpoints with a call in flight or waiting: one is forgotten once it has neither. */
  private readonly endpoints = new Map<string, Slots>();

  constructor(private readonly perEndpoint: number = MAX_CALLS_PER_ENDPOINT) {}

  /**
   * Take a slot for `url` (its origin and path: the query does not make another endpoint), waiting
   * for one when all are taken; resolves to the function that gives it back, or rejects with the
   * signal's reason when it aborts first.
   */
  async acquire(url: string, signal: AbortSignal): Promise<() => void> {
    const key = endpointKey(url);
    let endpoint = this.endpoints.get(key);
    if (endpoint === undefined) {
      endpoint = new Slots(this.perEndpoint);
      this.endpoints.set(key, endpoint);
    }
    const taken = endpoint;
    let release: () => void;
    try {
      release = await taken.acquire(signal);
    } catch {
      this.forgetIfIdle(key, taken);
      throw abortReason(signal);
    }
    return () => {
      release();
      this.forgetIfIdle(key, taken);
    };
  }

  /** Calls in flight and waiting for `url`. For tests. */
  load(url: string): { readonly active: number; readonly waiting: number } {
    const endpoint = this.endpoints.get(endpointKey(url));
    return { active: endpoint?.taken ?? 0, waiting: endpoint?.queued ?? 0 };
  }

  private forgetIfIdle(key: string, endpoint: Slots): void {
    if (endpoint.taken === 0 && endpoint.queued === 0 && this.endpoints.get(key) === endpoint) this.endpoints.delete(key);
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
