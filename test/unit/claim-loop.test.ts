// The loop both queue workers run reads what a round works with (the settings) before it claims:
// a row is never claimed, and so never judged, with a retry policy nobody configured.
import { describe, expect, it } from 'vitest';
import { runClaimLoop } from '../../sidecar/src/queue/runClaimLoop.ts';
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
});
