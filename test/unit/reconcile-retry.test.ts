// Reconcile's retry of a CRM read: which failures are tried again and after how long (a table), and
// the loop around it with an injected clock, so no test sleeps.
import { describe, expect, it } from 'vitest';
import { decideCrmRetry, fetchWithRetries, RECONCILE_RETRY, type RetryStep } from '../../sidecar/src/reconcile/retry.ts';
import { PermanentError, TransientError, type BridgeError } from '../../sidecar/src/errors.ts';
import { ConnectError, OutboundTimeoutError } from '../../sidecar/src/net/errors.ts';
import type { Clock } from '../../sidecar/src/clock.ts';

const now = new Date('2030-01-01T00:00:00.000Z');
const policy = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 10_000 };
const retry = (delayMs: number): RetryStep => ({ kind: 'retry', delayMs });
const report: RetryStep = { kind: 'report' };
const unavailable = new TransientError('crm_unavailable', 'CRM answered 503', undefined, { status: 503 });

describe('decideCrmRetry', () => {
  it.each<[string, BridgeError, number, RetryStep]>([
    ['a 5xx is tried again within the base delay, scaled by the jitter', unavailable, 1, retry(250)],
    ['the ceiling doubles with each attempt', unavailable, 3, retry(1000)],
    ['a 429 waits at least what Retry-After asks', new TransientError('crm_rate_limited', 'CRM answered 429', 3000), 1, retry(3000)],
    ['a Retry-After date is measured from now', new TransientError('crm_rate_limited', 'CRM answered 429', new Date(now.getTime() + 2000)), 1, retry(2000)],
    ['Retry-After never waits past the cap', new TransientError('crm_rate_limited', 'CRM answered 429', 600_000), 1, retry(10_000)],
    ['a timeout is tried again', new OutboundTimeoutError('crm', 'crm.test', 'timed out after 10000 ms'), 1, retry(250)],
    ['a refused connection is tried again', new ConnectError('crm', 'crm.test', '127.0.0.1', 'ECONNREFUSED'), 2, retry(500)],
    ['an unexpected error counts as transient', new TransientError('unexpected', 'socket hang up'), 1, retry(250)],
    ['the last attempt used up is reported', unavailable, 4, report],
    ['a 404 is reported at once', new PermanentError('crm_order_not_found', 'the CRM has no order X'), 1, report],
    ['a 401 is reported at once', new PermanentError('crm_rejected', 'CRM answered 401: unauthorized'), 1, report],
    ['an answer that is not JSON is reported at once', new TransientError('crm_bad_response', 'the CRM answered with something that is not JSON'), 1, report],
    ['an open circuit is reported at once (the run stops)', new TransientError('circuit_open', 'the circuit for crm.test is open', 30_000), 1, report],
    ['a CRM without a base URL is reported at once', new TransientError('crm_not_configured', 'the CRM API base URL is not set'), 1, report],
  ])('%s', (_name, error, attempt, expected) => {
    expect(decideCrmRetry(error, attempt, policy, now, 0.5, new AbortController().signal)).toEqual(expected);
  });

  it('reports at once when the run is being stopped', () => {
    const stop = new AbortController();
    stop.abort();
    expect(decideCrmRetry(unavailable, 1, policy, now, 0.5, stop.signal)).toEqual(report);
  });

  it('gives a run a few tries within about half a minute', () => {
    const worst = Array.from({ length: RECONCILE_RETRY.maxAttempts - 1 }, (_, i) => decideCrmRetry(unavailable, i + 1, RECONCILE_RETRY, now, 0.999, new AbortController().signal));
    expect(worst.every((s) => s.kind === 'retry')).toBe(true);
    const total = worst.reduce((sum, s) => sum + (s.kind === 'retry' ? s.delayMs : 0), 0);
    expect(total).toBeGreaterThan(1000);
    expect(total).toBeLessThan(30_000);
    expect(decideCrmRetry(unavailable, RECONCILE_RETRY.maxAttempts, RECONCILE_RETRY, now, 0.999, new AbortController().signal)).toEqual(report);
  });
});

describe('fetchWithRetries', () => {
  function fakeClock(): Clock & { slept: number[] } {
    let t = now.getTime();
    const slept: number[] = [];
    return {
      slept,
      now: () => new Date(t),
      sleep: async (ms) => {
        slept.push(ms);
        t += ms;
      },
    };
  }
  /** A read that throws the given errors in turn, then answers. */
  function reads(...errors: BridgeError[]) {
    let calls = 0;
    return {
      read: async () => {
        const error = errors[calls++];
        if (error) throw error;
        return 'the order';
      },
      calls: () => calls,
    };
  }

  it('answers once a transient failure passes, after waiting with backoff', async () => {
    const clock = fakeClock();
    const r = reads(unavailable, new TransientError('crm_rate_limited', 'CRM answered 429', 1000));
    await expect(fetchWithRetries(r.read, { policy, clock, random: () => 0.5 }, new AbortController().signal)).resolves.toBe('the order');
    expect(r.calls()).toBe(3);
    expect(clock.slept).toEqual([250, 1000]);
  });

  it('reports the error after its attempts, saying how many', async () => {
    const clock = fakeClock();
    const r = reads(unavailable, unavailable, unavailable, unavailable, unavailable);
    await expect(fetchWithRetries(r.read, { policy, clock, random: () => 0.5 }, new AbortController().signal)).rejects.toMatchObject({ code: 'crm_unavailable', message: 'CRM answered 503 (after 4 attempts)' });
    expect(r.calls()).toBe(4);
    expect(clock.slept).toHaveLength(3);
  });

  it('reports a permanent error at once, unchanged', async () => {
    const clock = fakeClock();
    const r = reads(new PermanentError('crm_order_not_found', 'the CRM has no order X'));
    await expect(fetchWithRetries(r.read, { policy, clock, random: () => 0.5 }, new AbortController().signal)).rejects.toMatchObject({ code: 'crm_order_not_found', message: 'the CRM has no order X' });
    expect(r.calls()).toBe(1);
    expect(clock.slept).toEqual([]);
  });
});
