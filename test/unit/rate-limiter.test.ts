import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../sidecar/src/outgoing/rateLimiter.ts';

describe('per-subscription rate limit', () => {
  it('spaces messages 1/rate apart per subscription, and leaves unlimited ones alone', () => {
    let now = 10_000;
    const limiter = new RateLimiter({ now: () => new Date(now), sleep: async () => {} });
    expect([1, 2, 3, 4].map(() => limiter.reserve(7, 4))).toEqual([0, 250, 500, 750]);
    expect(limiter.reserve(8, 4)).toBe(0);
    expect(limiter.reserve(9, null)).toBe(0);
    now += 2000;
    expect(limiter.reserve(7, 4)).toBe(0);
  });
});
