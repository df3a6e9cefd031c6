// The loop both queue workers run reads what a round works with (the settings) before it claims:
// a row is never claimed, and so never judged, with a retry policy nobody configured.
import { describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { reportLimitChanges, runClaimLoop } from '../../sidecar/src/queue/runClaimLoop.ts';
import { createMetrics } from '../../sidecar/src/metrics.ts';
import { createApp, listen } from '../../sidecar/src/http/server.ts';
import { ConcurrencyLimit, type JobOutcome } from '../../sidecar/src/queue/concurrencyLimit.ts';
import type { Clock } from '../../sidecar/src/clock.ts';
import type { Logger } from '../../sidecar/src/logger.ts';

const quiet = { warn: () => undefined } as unknown as Logger;

describe('the claim loop', () => {
  it('claims nothing while the settings cannot be read, then works with the ones it read', async () => {
    const stop = new AbortController();
    const claims: number[] = [];
    const processed: string[] = [];
    let reads = 0;
    // Each sleep is one turn of the loop; the clock never waits.
    let turns = 0;
    const clock: Clock = { now: () => new Date(0), sleep: async () => void (++turns >= 6 && stop.abort()) };
    await runClaimLoop(
      {
        name: 'test',
        prepare: async () => {
          reads++;
          if (reads <= 2) throw new Error('the settings are not valid');
          return { concurrency: 2, policy: `read ${reads}` };
        },
        capacity: (ctx) => ctx.concurrency,
        claim: async (limit) => {
          claims.push(limit);
          return claims.length === 1 ? ['row-1', 'row-2'] : [];
        },
        process: async (row, ctx) => void processed.push(`${row} with ${ctx.policy}`),
        clock,
        log: quiet,
        pollMs: 10,
      },
      stop.signal,
    );
    expect(reads).toBeGreaterThan(2);
    // The two failed reads claimed nothing; the first good one claimed as many rows as its concurrency.
    expect(claims[0]).toBe(2);
    expect(processed).toEqual(['row-1 with read 3', 'row-2 with read 3']);
  });

  it('with a limit, claims what the limit allows under the ceiling, more as jobs finish well, and never past the ceiling', async () => {
    const stop = new AbortController();
    let now = 0;
    const clock: Clock = { now: () => new Date(now), sleep: async (ms) => void (now += ms) };
    const claims: number[] = [];
    const limit = new ConcurrencyLimit(clock, { initial: 8 });
    let next = 0;
    await runClaimLoop(
      {
        name: 'test',
        prepare: async () => ({ ceiling: 24 }),
        capacity: (ctx) => ctx.ceiling,
        limit,
        claim: async (limit) => {
          claims.push(limit);
          if (claims.length >= 200) stop.abort();
          return Array.from({ length: limit }, () => next++);
        },
        // Every job goes well, and as fast as the last.
        process: async () => undefined,
        clock,
        log: quiet,
        pollMs: 10,
      },
      stop.signal,
    );
    // The first claim is the limit's start, not the ceiling; the work in flight then grows to the ceiling.
    expect(claims[0]).toBe(8);
    expect(limit.current).toBe(24);
    expect(Math.max(...claims)).toBeGreaterThan(8);
    expect(Math.max(...claims)).toBeLessThanOrEqual(24);
  });

  it('after a job dropped with a Retry-After, nothing new is claimed before the time it asked for', async () => {
    const stop = new AbortController();
    let now = 0;
    const sleeps: number[] = [];
    const clock: Clock = { now: () => new Date(now), sleep: async (ms) => void (sleeps.push(ms), (now += ms)) };
    const claimedAt: number[] = [];
    await runClaimLoop(
      {
        name: 'test',
        prepare: async () => ({}),
        capacity: () => 4,
        limit: new ConcurrencyLimit(clock, { initial: 4 }),
        claim: async () => {
          claimedAt.push(now);
          if (claimedAt.length >= 3) stop.abort();
          return ['row'];
        },
        process: async (): Promise<JobOutcome> => ({ kind: 'drop', retryAfter: 5000 }),
        clock,
        log: quiet,
        pollMs: 10,
      },
      stop.signal,
    );
    expect(sleeps).toContain(5000);
    expect(claimedAt[1]! - claimedAt[0]!).toBeGreaterThanOrEqual(5000);
  });

  it('a limit change is one debug line and the value /metrics shows', async () => {
    const lines: { fields: Record<string, unknown>; msg: string }[] = [];
    const log = { debug: (fields: Record<string, unknown>, msg: string) => void lines.push({ fields, msg }) } as unknown as Logger;
    const metrics = createMetrics();
    const report = reportLimitChanges('inbox', log, metrics.concurrencyLimit);
    report({ from: 16, to: 18, reason: 'growth', meanMs: 150, baselineMs: 140 });
    report({ from: 18, to: 16, reason: 'drop' });
    expect(lines).toEqual([
      { fields: { queue: 'inbox', from: 16, to: 18, reason: 'growth', meanMs: 150, baselineMs: 140 }, msg: 'inbox concurrency limit 16 → 18 (growth)' },
      { fields: { queue: 'inbox', from: 18, to: 16, reason: 'drop' }, msg: 'inbox concurrency limit 18 → 16 (drop)' },
    ]);
    const server = await listen(createApp(metrics, { check: async () => ({ reason: null, warnings: [] }) }, 'test'), '127.0.0.1', 0);
    try {
      const text = await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`)).text();
      expect(text).toContain('crm_bridge_concurrency_limit{queue="inbox"} 16');
    } finally {
      server.close();
    }
  });
});
