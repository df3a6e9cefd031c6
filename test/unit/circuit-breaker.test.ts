import { describe, expect, it } from 'vitest';
import { CircuitBreakers } from '../../sidecar/src/circuitBreaker.ts';
import { PermanentError, TransientError } from '../../sidecar/src/errors.ts';
import type { Clock } from '../../sidecar/src/clock.ts';

function fakeClock(): Clock & { advance(ms: number): void } {
  let now = 1_000_000;
  return { now: () => new Date(now), sleep: async () => {}, advance: (ms) => (now += ms) };
}

const failing = () => Promise.reject(new TransientError('crm_unavailable', '503'));

describe('circuit breaker', () => {
  it('opens after consecutive transient failures, fails fast, then lets one trial through', async () => {
    const clock = fakeClock();
    const cb = new CircuitBreakers(clock, 3, 10_000);
    let calls = 0;
    const counted = () => (calls++, failing());
    for (let i = 0; i < 3; i++) await expect(cb.run('crm.test', counted, `order-${i}`)).rejects.toThrow('503');
    expect(cb.openCircuits()).toEqual(['crm.test']);
    await expect(cb.run('crm.test', counted)).rejects.toMatchObject({ code: 'circuit_open' });
    expect(calls).toBe(3);
    // Another host is not affected.
    await expect(cb.run('other.test', async () => 'ok')).resolves.toBe('ok');
    clock.advance(10_001);
    await expect(cb.run('crm.test', async () => 'recovered')).resolves.toBe('recovered');
    expect(cb.openCircuits()).toEqual([]);
  });

  it('stays closed while a single order keeps failing alone', async () => {
    const cb = new CircuitBreakers(fakeClock(), 3, 10_000);
    for (let i = 0; i < 10; i++) await expect(cb.run('crm.test', failing, 'broken-order')).rejects.toThrow('503');
    expect(cb.openCircuits()).toEqual([]);
    await expect(cb.run('crm.test', async () => 'other order ok', 'fine-order')).resolves.toBe('other order ok');
  });

  it('does not count permanent errors', async () => {
    const cb = new CircuitBreakers(fakeClock(), 2, 10_000);
    for (let i = 0; i < 5; i++) await expect(cb.run('h', () => Promise.reject(new PermanentError('crm_order_not_found', '404')))).rejects.toThrow('404');
    expect(cb.openCircuits()).toEqual([]);
  });
});
