// How many jobs a worker keeps in flight, sized from what finished jobs show. It follows Netflix
// concurrency-limits' AIMDLimit (one more per job that went well while at least half the limit is used,
// ×0.9 on a drop), applied once per window of jobs, with a latency check in the spirit of Gradient2Limit: a
// window whose job time climbed above the recent minimum by more than its extra work in flight explains
// (Little's law: throughput fell) backs off. It starts as TCP does (slow start): the limit doubles each
// window until the first sign of the knee (a drop, or the job time climbing), so a fresh replica reaches
// its working point in a few windows instead of many. Pure: time comes from the injected clock.
import type { Clock } from '../clock.js';
import { TransientError, type BridgeError, type RetryAfter } from '../errors.js';
import { retryAfterDelay } from '../net/retryAfter.js';

/** What one finished job tells the limit: it went well, it was dropped (overload), or it says nothing. */
export type JobOutcome = { kind: 'ok' } | { kind: 'drop'; retryAfter?: RetryAfter } | { kind: 'ignore' };

export interface JobSample {
  outcome: JobOutcome;
  /** From the start of the job to its end. */
  durationMs: number;
  /** Jobs in flight when it started, itself included. */
  inFlight: number;
}

export interface LimitOptions {
  initial: number;
  min: number;
  /** The multiplicative decrease on a drop or a latency climb. */
  backoffRatio: number;
  /** The least additive increase after a window that used the limit with the job time near its baseline;
   * as in AIMDLimit, each job of the window that went well adds one. */
  increase: number;
  /** A window's mean job time above this multiple of the baseline, beyond what the extra work in flight
   * explains, backs the limit off: by Little's law the throughput fell (queueing, or a slower CRM). */
  latencyTolerance: number;
  /** Above this multiple of the baseline, growth goes on only while the extra work in flight still buys
   * throughput: at the knee the job time climbs as fast as the limit, and the limit holds. */
  growthTolerance: number;
  /** The baseline is the smallest mean job time of this many recent windows, so it follows lasting change. */
  windowsRemembered: number;
  /** A Retry-After longer than this pauses new work only this long (each event's retry still waits it out). */
  maxPauseMs: number;
  /** Double the limit after each window that used it with the job time near its baseline, until the first
   * drop, latency back-off or climbing job time; then grow additively. */
  slowStart: boolean;
}

export const DEFAULT_LIMIT_OPTIONS: LimitOptions = {
  initial: 16,
  min: 1,
  backoffRatio: 0.9,
  increase: 2,
  latencyTolerance: 2,
  growthTolerance: 1.5,
  windowsRemembered: 10,
  maxPauseMs: 60_000,
  slowStart: true,
};

export type LimitChangeReason = 'growth' | 'drop' | 'latency' | 'ceiling';

export interface LimitChange {
  from: number;
  to: number;
  reason: LimitChangeReason;
  /** The window's mean job time and the baseline it was judged against, when a window decided. */
  meanMs?: number;
  baselineMs?: number;
}

/** Failure codes that say the other side is overloaded or asks us to slow down (a timeout, 429/503,
 * a busy order lock, an open circuit, the write endpoint refusing or unreachable). */
const DROP_CODES = new Set(['crm_timeout', 'crm_rate_limited', 'crm_unavailable', 'circuit_open', 'order_busy', 'wordpress_unreachable']);
/** Statuses from the plugin that mean it is busy (429, 503) rather than wrong. */
const BUSY_STATUSES = new Set([429, 503]);

/** A driver's database error (mysql2 errors carry an SQL state or an ER_ code): the database is struggling. */
function isDatabaseError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { sqlState, code } = err as { sqlState?: unknown; code?: unknown };
  return typeof sqlState === 'string' || (typeof code === 'string' && (code.startsWith('ER_') || code === 'PROTOCOL_CONNECTION_LOST'));
}

/** What a failed job tells the limit. `err` is what was thrown, `failure` its classified form. */
export function failureOutcome(err: unknown, failure: BridgeError): JobOutcome {
  const retryAfter = failure instanceof TransientError ? failure.retryAfter : undefined;
  const status = failure.context.status;
  const dropped = DROP_CODES.has(failure.code) || (failure.code === 'wordpress_error' && typeof status === 'number' && BUSY_STATUSES.has(status)) || isDatabaseError(err);
  if (dropped || retryAfter !== undefined) return { kind: 'drop', retryAfter };
  return { kind: 'ok' };
}

export class ConcurrencyLimit {
  private readonly options: LimitOptions;
  private value: number;
  private ceiling: number;
  private window = { samples: 0, totalMs: 0, used: false };
  /** The mean job time of recent windows, and the limit each ran under. */
  private readonly recent: { meanMs: number; limit: number }[] = [];
  private pausedUntil = 0;
  private lastDropAt = Number.NEGATIVE_INFINITY;
  private slowStart: boolean;

  /** The ceiling is unbounded until setCeiling gives the configured one. */
  constructor(
    private readonly clock: Clock,
    options: Partial<LimitOptions> = {},
    private readonly onChange: (change: LimitChange) => void = () => undefined,
  ) {
    this.options = { ...DEFAULT_LIMIT_OPTIONS, ...options };
    this.ceiling = Number.POSITIVE_INFINITY;
    this.value = this.clamp(this.options.initial);
    this.slowStart = this.options.slowStart;
  }

  /** The number of jobs to keep in flight now. */
  get current(): number {
    return this.value;
  }

  /** The configured ceiling may change with the settings; the limit never exceeds it. */
  setCeiling(ceiling: number): void {
    this.ceiling = Math.max(this.options.min, ceiling);
    if (this.value > this.ceiling) this.change(this.ceiling, 'ceiling');
  }

  /** How long to start no new work, because the other side asked us to wait (Retry-After). */
  pauseMs(): number {
    return Math.max(0, this.pausedUntil - this.clock.now().getTime());
  }

  record(sample: JobSample): void {
    const { outcome } = sample;
    if (outcome.kind === 'ignore') return;
    if (outcome.kind === 'drop') {
      if (outcome.retryAfter !== undefined) this.pauseFor(outcome.retryAfter);
      this.decrease('drop');
      return;
    }
    this.window.samples++;
    this.window.totalMs += sample.durationMs;
    // As in AIMDLimit: the limit grows only when at least half of it was in use, or it would grow
    // without bound while little work arrives.
    if (sample.inFlight * 2 >= this.value) this.window.used = true;
    if (this.window.samples >= Math.max(4, Math.ceil(this.value / 4))) this.closeWindow();
  }

  private closeWindow(): void {
    const meanMs = this.window.totalMs / this.window.samples;
    const used = this.window.used;
    const baseline = this.recent.reduce((min, w) => (w.meanMs < min.meanMs ? w : min), this.recent[0] ?? { meanMs, limit: this.value });
    const baselineMs = baseline.meanMs;
    this.recent.push({ meanMs, limit: this.value });
    if (this.recent.length > this.options.windowsRemembered) this.recent.shift();
    // How much longer a job takes than at the baseline, against how much more work is in flight: while
    // the job time climbs no faster than the limit, the extra jobs are being served, not queued.
    const slower = meanMs <= baselineMs ? 1 : meanMs / baselineMs;
    const busier = Math.max(1, this.value / baseline.limit);
    // The knee shows first as a job time that climbs: slow start ends there.
    if (slower > this.options.growthTolerance) this.slowStart = false;
    if (slower > this.options.latencyTolerance * busier) this.decrease('latency', { meanMs, baselineMs });
    else if (used && this.slowStart) this.change(this.clamp(this.value * 2), 'growth', { meanMs, baselineMs });
    else if (used && (slower <= this.options.growthTolerance || slower < busier)) this.change(this.clamp(this.value + Math.max(this.options.increase, this.window.samples)), 'growth', { meanMs, baselineMs });
    else this.newWindow();
  }

  private pauseFor(retryAfter: RetryAfter): void {
    const now = this.clock.now();
    const wait = Math.min(this.options.maxPauseMs, retryAfterDelay(retryAfter, now));
    this.pausedUntil = Math.max(this.pausedUntil, now.getTime() + wait);
  }

  private decrease(reason: 'drop' | 'latency', judged: { meanMs?: number; baselineMs?: number } = {}): void {
    this.slowStart = false;
    const now = this.clock.now().getTime();
    // Drops close together come from one overload: as TCP does, at most one decrease per job time.
    if (reason === 'drop' && now - this.lastDropAt < (this.recent.at(-1)?.meanMs ?? 0)) return;
    if (reason === 'drop') this.lastDropAt = now;
    this.change(this.clamp(Math.floor(this.value * this.options.backoffRatio)), reason, judged);
  }

  private change(to: number, reason: LimitChangeReason, judged: { meanMs?: number; baselineMs?: number } = {}): void {
    const from = this.value;
    this.value = to;
    this.newWindow();
    if (to !== from) this.onChange({ from, to, reason, ...judged });
  }

  private newWindow(): void {
    this.window = { samples: 0, totalMs: 0, used: false };
  }

  private clamp(n: number): number {
    return Math.min(this.ceiling, Math.max(this.options.min, n));
  }
}
