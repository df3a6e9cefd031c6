import { describe, expect, it } from 'vitest';
import { backoffDelay, exhausted } from '../../sidecar/src/queue/backoff.ts';

const policy = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 60_000 };

describe('backoff with full jitter', () => {
  it('grows exponentially up to the cap, scaled by the jitter', () => {
    expect([1, 2, 3, 4, 10].map((a) => backoffDelay(policy, a, () => 0.999999))).toEqual([999, 1999, 3999, 7999, 59_999]);
    expect(backoffDelay(policy, 3, () => 0.5)).toBe(2000);
    expect(backoffDelay(policy, 3, () => 0)).toBe(0);
  });

  it('waits at least as long as Retry-After asks, but never past the cap', () => {
    expect(backoffDelay(policy, 1, () => 0.1, 30_000)).toBe(30_000);
    expect(backoffDelay(policy, 1, () => 0.1, 10 * 60_000)).toBe(60_000);
  });

  it('is exhausted once the attempts are used up', () => {
    expect(exhausted(policy, 4)).toBe(false);
    expect(exhausted(policy, 5)).toBe(true);
  });
});
