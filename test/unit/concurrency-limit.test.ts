// The adaptive concurrency limit: grows while work completes well and the limit is used, shrinks on a
// drop or when the job time climbs well above its recent minimum, stays within its bounds, and pauses
// new work for as long as the other side's Retry-After asks.
import { describe, expect, it } from 'vitest';
import { ConcurrencyLimit, failureOutcome, type JobOutcome, type LimitChange, type LimitOptions } from '../../sidecar/src/queue/concurrencyLimit.ts';
import { PermanentError, TransientError } from '../../sidecar/src/errors.ts';
import { OutboundTimeoutError } from '../../sidecar/src/net/errors.ts';
import { answerError } from '../../sidecar/src/wordpress/request.ts';
import type { Clock } from '../../sidecar/src/clock.ts';

const OK: JobOutcome = { kind: 'ok' };

function setup(ceiling: number, options: Partial<LimitOptions> = {}) {
  let now = 1_000_000;
  const clock: Clock = { now: () => new Date(now), sleep: async () => undefined };
  const changes: LimitChange[] = [];
  const limit = new ConcurrencyLimit(clock, options, (c) => changes.push(c));
  limit.setCeiling(ceiling);
  return {
    limit,
    changes,
    advance: (ms: number) => void (now += ms),
    /** n jobs that each took durationMs with the limit fully in use. */
    finish(n: number, durationMs: number, outcome: JobOutcome = OK, inFlight = limit.current) {
      for (let i = 0; i < n; i++) limit.record({ outcome, durationMs, inFlight });
    },
  };
}

describe('the concurrency limit', () => {
  it('starts at its initial limit, never above the ceiling', () => {
    expect(setup(64).limit.current).toBe(16);
    expect(setup(8).limit.current).toBe(8);
    expect(setup(64, { initial: 4 }).limit.current).toBe(4);
  });

  it('grows while jobs complete at a steady time with the limit in use, up to the ceiling and no further', () => {
    const t = setup(24);
    t.finish(200, 150);
    expect(t.limit.current).toBe(24);
    expect(t.changes.every((c) => c.reason === 'growth' && c.to > c.from)).toBe(true);
    expect(t.changes.at(-1)).toMatchObject({ to: 24 });
  });

  it('doubles each window at first (slow start), until the job time climbs; then grows one per job', () => {
    const t = setup(256);
    t.finish(4, 150);
    t.finish(8, 150);
    expect(t.changes.map((c) => [c.from, c.to])).toEqual([
      [16, 32],
      [32, 64],
    ]);
    // Job time 1.6 times the baseline for 4 times the work in flight: still worth growing, but the knee is near.
    t.finish(16, 240);
    expect(t.limit.current).toBe(64 + 16);
    t.finish(20, 240);
    expect(t.limit.current).toBe(80 + 20);
  });

  it('a drop ends slow start', () => {
    const t = setup(256);
    t.finish(1, 150, { kind: 'drop' });
    expect(t.limit.current).toBe(14);
    t.finish(4, 150);
    expect(t.limit.current).toBe(14 + 4);
  });

  it('does not grow while less than half of the limit is in use', () => {
    const t = setup(64);
    t.finish(200, 150, OK, 4);
    expect(t.limit.current).toBe(16);
  });

  it.each([
    ['a timeout', () => new OutboundTimeoutError('crm', 'crm.test', 'timed out after 5000 ms')],
    ['a 429 from the CRM', () => new TransientError('crm_rate_limited', 'CRM answered 429', undefined, { status: 429 })],
    ['a 503 from the CRM', () => new TransientError('crm_unavailable', 'CRM answered 503', undefined, { status: 503 })],
    ['the order busy in the plugin', () => new TransientError('order_busy', 'the order is locked')],
    ['a 503 from the write endpoint', () => answerError('the write endpoint', 503, 'busy')],
    ['an open circuit', () => new TransientError('circuit_open', 'the circuit is open', 30_000)],
  ])('%s is a drop: the limit is cut by its backoff ratio', (_name, error) => {
    const err = error();
    const outcome = failureOutcome(err, err);
    expect(outcome.kind).toBe('drop');
    const t = setup(64, { initial: 40 });
    t.finish(1, 150, outcome);
    expect(t.limit.current).toBe(36);
    expect(t.changes).toEqual([{ from: 40, to: 36, reason: 'drop' }]);
  });

  it('a database error is a drop; a permanent failure or a 500 from the write endpoint is not', () => {
    const dbErr = Object.assign(new Error('Lock wait timeout exceeded'), { code: 'ER_LOCK_WAIT_TIMEOUT', sqlState: 'HY000' });
    expect(failureOutcome(dbErr, new TransientError('unexpected', dbErr.message)).kind).toBe('drop');
    const notFound = new PermanentError('crm_order_not_found', 'no such order');
    expect(failureOutcome(notFound, notFound)).toEqual({ kind: 'ok' });
    const broken = answerError('the write endpoint', 500, 'fatal error');
    expect(failureOutcome(broken, broken)).toEqual({ kind: 'ok' });
  });

  it('drops that arrive together (one overload) cut the limit once per job time, later ones cut it again', () => {
    const t = setup(64, { initial: 40 });
    t.finish(20, 200);
    const before = t.limit.current;
    t.finish(10, 200, { kind: 'drop' });
    expect(t.limit.current).toBe(Math.floor(before * 0.9));
    t.advance(250);
    t.finish(1, 200, { kind: 'drop' });
    expect(t.limit.current).toBe(Math.floor(Math.floor(before * 0.9) * 0.9));
  });

  it('never goes below its minimum, however many drops', () => {
    const t = setup(64, { initial: 3 });
    for (let i = 0; i < 20; i++) {
      t.finish(1, 10, { kind: 'drop' });
      t.advance(1000);
    }
    expect(t.limit.current).toBe(1);
    const floor = setup(64, { initial: 3, min: 2 });
    floor.finish(1, 10, { kind: 'drop' });
    floor.advance(1000);
    floor.finish(1, 10, { kind: 'drop' });
    expect(floor.limit.current).toBe(2);
  });

  it('backs off when the job time climbs well above its recent minimum (queueing), and stops growing when it climbs a little', () => {
    const t = setup(64, { initial: 20, slowStart: false });
    t.finish(5, 150);
    const grown = t.limit.current;
    // One more per job that went well.
    expect(grown).toBe(25);
    // Half as slow again for a quarter more work in flight: above the growth tolerance, under the back-off one: the limit holds.
    t.finish(21, 260);
    expect(t.limit.current).toBe(grown);
    // Three times as slow: queueing; the limit is cut.
    t.finish(7, 450);
    expect(t.limit.current).toBe(Math.floor(grown * 0.9));
    expect(t.changes.at(-1)).toMatchObject({ reason: 'latency', meanMs: 450, baselineMs: 150 });
  });

  it('keeps growing to the ceiling while the job time climbs slower than the work in flight (the extra jobs are served, as batched writes are)', () => {
    // The baseline stays the first window's, so the job time ends four times as long as at the start.
    const t = setup(64, { initial: 16, windowsRemembered: 1000 });
    for (let i = 0; i < 200; i++) t.finish(Math.ceil(t.limit.current / 4), 150 * (t.limit.current / 16) ** 0.9);
    expect(t.limit.current).toBe(64);
    expect(t.changes.some((c) => c.reason === 'latency')).toBe(false);
  });

  it('follows a lasting change of job time: once the slow windows are all it remembers, it grows again', () => {
    const t = setup(64, { initial: 20, windowsRemembered: 3, slowStart: false });
    t.finish(10, 100);
    for (let i = 0; i < 10; i++) t.finish(t.limit.current, 1000);
    const low = Math.min(...t.changes.map((c) => c.to));
    expect(low).toBeLessThan(20);
    expect(t.changes.at(-1)!.reason).toBe('growth');
    expect(t.limit.current).toBeGreaterThan(low);
  });

  it('a Retry-After pauses new work for as long as it asks (delay or date), never longer than its cap', () => {
    const t = setup(64);
    expect(t.limit.pauseMs()).toBe(0);
    t.finish(1, 100, { kind: 'drop', retryAfter: 3000 });
    expect(t.limit.pauseMs()).toBe(3000);
    t.advance(1000);
    expect(t.limit.pauseMs()).toBe(2000);
    t.finish(1, 100, { kind: 'drop', retryAfter: new Date(1_000_000 + 1000 + 10_000) });
    expect(t.limit.pauseMs()).toBe(10_000);
    t.finish(1, 100, { kind: 'drop', retryAfter: 3_600_000 });
    expect(t.limit.pauseMs()).toBe(60_000);
    t.advance(60_000);
    expect(t.limit.pauseMs()).toBe(0);
  });

  it('a Retry-After on any transient failure counts as a drop that asks for a pause', () => {
    const err = new TransientError('endpoint_error', 'the endpoint answered 500', 2000);
    expect(failureOutcome(err, err)).toEqual({ kind: 'drop', retryAfter: 2000 });
  });

  it('a lower ceiling from the settings brings the limit down at once; a job that says nothing changes nothing', () => {
    const t = setup(64, { initial: 30 });
    t.limit.setCeiling(10);
    expect(t.limit.current).toBe(10);
    expect(t.changes).toEqual([{ from: 30, to: 10, reason: 'ceiling' }]);
    t.finish(100, 10, { kind: 'ignore' });
    expect(t.limit.current).toBe(10);
  });
});
