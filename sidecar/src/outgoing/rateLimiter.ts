// A token bucket per subscription (messages per second), so a slow receiver is never flooded.
import type { Clock } from '../clock.js';

export class RateLimiter {
  private readonly next = new Map<number, number>();

  constructor(private readonly clock: Clock) {}

  /** Milliseconds to wait before sending one more message at `perSecond`; reserves the slot. */
  reserve(key: number, perSecond: number | null): number {
    if (!perSecond) return 0;
    const now = this.clock.now().getTime();
    const slot = Math.max(now, this.next.get(key) ?? 0);
    this.next.set(key, slot + 1000 / perSecond);
    return slot - now;
  }
}
