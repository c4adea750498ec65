// The terminal: colour only when writing to a TTY (NO_COLOR turns it off, FORCE_COLOR on), and
// progress bars on stderr, only on a TTY, and only once a run has taken more than a second:
// over the bytes of an input file (test, diff, check), or over the steps of a transfer.

import cliProgress from 'cli-progress';

export interface Style {
  readonly green: (s: string) => string;
  readonly red: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly bold: (s: string) => string;
}

const sgr = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const plain = (s: string) => s;

export const PLAIN: Style = { green: plain, red: plain, yellow: plain, dim: plain, bold: plain };
const ANSI: Style = { green: sgr(32, 39), red: sgr(31, 39), yellow: sgr(33, 39), dim: sgr(2, 22), bold: sgr(1, 22) };

/** Whether to colour output to `stream` (https://no-color.org; FORCE_COLOR as most tools read it). */
export function colourEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

export function styleFor(stream: { isTTY?: boolean }): Style {
  return colourEnabled(stream) ? ANSI : PLAIN;
}

const SHOW_AFTER_MS = 1000;

function newBar(stream: NodeJS.WriteStream, format: string, clearOnComplete: boolean): cliProgress.SingleBar {
  return new cliProgress.SingleBar({ stream, format, hideCursor: null, clearOnComplete, fps: 5 }, cliProgress.Presets.shades_classic);
}

/**
 * A progress bar over bytes of an input file. Updates are cheap (two numbers stored); the bar
 * itself appears only when the run is still going after a second and stderr is a terminal.
 */
export class Progress {
  private bar: cliProgress.SingleBar | undefined;
  private readonly timer: NodeJS.Timeout | undefined;
  private done = 0;
  private total = 0;
  private users = 0;
  /** The bar starts a second late; elapsed time is counted from the start of the run. */
  private readonly startedAt = Date.now();

  constructor(label: string, stream: NodeJS.WriteStream = process.stderr) {
    if (stream.isTTY !== true) return;
    this.timer = setTimeout(() => {
      this.bar = newBar(stream, `${label} [{bar}] {percentage}% | {users} users | {elapsed} elapsed, ETA {eta_formatted}`, true);
      this.bar.start(Math.max(this.total, 1), this.done, this.payload());
    }, SHOW_AFTER_MS);
    this.timer.unref();
  }

  update(done: number, total: number, users: number): void {
    this.done = done;
    this.total = total;
    this.users = users;
    if (this.bar !== undefined) {
      this.bar.setTotal(Math.max(total, 1));
      this.bar.update(done, this.payload());
    }
  }

  private payload(): { users: string; elapsed: string } {
    return { users: this.users.toLocaleString('en-US'), elapsed: `${Math.round((Date.now() - this.startedAt) / 1000)}s` };
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.bar?.stop();
    this.bar = undefined;
  }
}

/**
 * Progress through the steps of a transfer (identity providers, lists, groups, policies, users):
 * one bar per step, left on screen when the next starts. Only on a terminal, and only once the
 * transfer has taken more than a second.
 */
export class StepProgress {
  private bar: cliProgress.SingleBar | undefined;
  private step = '';
  private readonly startedAt = Date.now();
  private stepStartedAt = Date.now();
  private stepStartDone = 0;
  private waitingUntil = 0;
  private lastDone = 0;
  private lastTotal: number | undefined;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly showAfterMs = SHOW_AFTER_MS,
  ) {}

  /** `total` undefined: not known in advance (the bar then shows what is done as all). */
  update(step: string, done: number, total: number | undefined): void {
    this.lastDone = done;
    this.lastTotal = total;
    if (this.stream.isTTY !== true || Date.now() - this.startedAt < this.showAfterMs) return;
    const size = Math.max(total ?? done, done, 1);
    if (this.bar === undefined || step !== this.step) {
      this.bar?.stop();
      this.step = step;
      this.stepStartedAt = Date.now();
      this.stepStartDone = done;
      this.bar = newBar(this.stream, `${step.padEnd(20)} [{bar}] {value}/{total}{rate}{eta}{note}`, false);
      this.bar.start(size, done, this.payload(done, total));
    } else {
      this.bar.setTotal(size);
      this.bar.update(done, this.payload(done, total));
    }
  }

  /** The server asked to wait (HTTP 429): say so until the wait is over. */
  rateLimited(waitSeconds: number): void {
    this.waitingUntil = Date.now() + waitSeconds * 1000;
    this.bar?.update(this.payload(this.lastDone, this.lastTotal));
  }

  /** Rate and time left of the current step, and a rate-limit wait in progress. */
  private payload(done: number, total: number | undefined): { rate: string; eta: string; note: string } {
    const seconds = (Date.now() - this.stepStartedAt) / 1000;
    const rate = seconds > 0.5 ? (done - this.stepStartDone) / seconds : 0;
    const left = total === undefined || rate <= 0 ? undefined : (total - done) / rate;
    const waiting = Math.ceil((this.waitingUntil - Date.now()) / 1000);
    return {
      rate: rate > 0 ? `  ${formatRate(rate)}/s` : '',
      eta: left !== undefined ? `  ETA ${formatDuration(left)}` : '',
      note: waiting > 0 ? `  (rate limited by the server: waiting ${waiting} s)` : '',
    };
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}

function formatRate(perSecond: number): string {
  return perSecond >= 100 ? Math.round(perSecond).toLocaleString('en-US') : perSecond.toFixed(1);
}

/** "42 s", "3 min 5 s", "2 h 14 min". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
