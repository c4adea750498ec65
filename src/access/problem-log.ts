// A problem that every affected request runs into (applications of several accounts on one
// host, a policy asking for a step this server lacks, an external evaluation endpoint failing at
// sign-ins) is logged once per place and interval, with how many requests met it since the last
// line: a busy host must not fill the log with one line a request.

/** Places remembered at most; past them the oldest is forgotten (and may be logged again). */
const MAX_PLACES = 1_000;

export class ProblemLog {
  /** Per place: when it was last logged, and the requests it refused since. */
  private readonly places = new Map<string, { loggedAt: number; since: number }>();

  constructor(private readonly intervalMs = 60_000) {}

  /**
   * Whether a request refused at `place` should be logged now; if so, how many were refused
   * there since the last line (undefined: log nothing).
   */
  report(place: string, now = Date.now()): { readonly refusedSince: number } | undefined {
    const known = this.places.get(place);
    if (known !== undefined && now - known.loggedAt < this.intervalMs) {
      known.since++;
      return undefined;
    }
    const refusedSince = known?.since ?? 0;
    this.places.delete(place);
    if (this.places.size >= MAX_PLACES) this.places.delete(this.places.keys().next().value!);
    this.places.set(place, { loggedAt: now, since: 0 });
    return { refusedSince };
  }
}
